"""Inbound items over HTTP: faxes (PDF, TIFF, PNG, JPEG), portal messages and referrals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Query, UploadFile

from api.deps import Conn, CurrentPrincipal, RawBody, RuntimeDep
from api.errors import ERROR_RESPONSES, ErrorBody
from api.services import intake as service
from tools.intake.inbound_parse import MessageIn

router = APIRouter(prefix="/api/v1", tags=["intake"], responses={
    **ERROR_RESPONSES, 413: {"model": ErrorBody, "description": "Over the size or page limit."}})
Unit = Annotated[str, Query(min_length=2, max_length=40, pattern=r"^[a-z0-9_-]+$", description="Service unit code.")]


# Bodies over these limits are refused with 413 while they stream in (FastAPI's body limit), never
# read whole first; every other route has the app's smaller limit (api.app.MAX_BODY_BYTES).
FILE_BODY_LIMIT = service.LIMITS.max_bytes + 256 * 1024  # the file plus its multipart envelope


@router.post("/faxes", response_model=service.AcceptedOut, status_code=202, max_body_size=FILE_BODY_LIMIT)
def post_fax(principal: CurrentPrincipal, conn: Conn, runtime: RuntimeDep, unit: Unit,
             file: Annotated[UploadFile, File(description="PDF, multi-page TIFF, PNG or JPEG")]) -> service.AcceptedOut:
    data = file.file.read(service.LIMITS.max_bytes + 1)
    return service.accept(conn, runtime, user=principal.user, actor=principal.user.username, unit_code=unit,
                          channel="fax", data=data, filename=(file.filename or "")[:200] or None)


@router.post("/messages", response_model=service.AcceptedOut, status_code=202)
def post_message(body: MessageIn, principal: CurrentPrincipal, conn: Conn, runtime: RuntimeDep,
                 unit: Unit) -> service.AcceptedOut:
    return service.accept(conn, runtime, user=principal.user, actor=principal.user.username, unit_code=unit,
                          channel="message", data=service.message_bytes(body.model_dump(exclude_none=True)))


@router.post("/referrals", response_model=service.AcceptedOut, status_code=202)
def post_referral(principal: CurrentPrincipal, conn: Conn, runtime: RuntimeDep, unit: Unit,
                  body: Annotated[dict[str, Any], Body(description="Handoff referral JSON, or a FHIR R4 ServiceRequest or Bundle")]
                  ) -> service.AcceptedOut:
    return service.accept(conn, runtime, user=principal.user, actor=principal.user.username, unit_code=unit,
                          channel="referral", data=service.message_bytes(body))


@router.post("/claims", response_model=service.AcceptedOut, status_code=202, max_body_size=FILE_BODY_LIMIT,
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}},
                                                        "application/edi-x12": {"schema": {"type": "string"}}}}})
def post_claims(principal: CurrentPrincipal, conn: Conn, runtime: RuntimeDep, unit: Unit,
                data: RawBody) -> service.AcceptedOut:
    """Claims as Handoff JSON (one, a list, or {"claims": [...]}, each optionally with its context)
    or an X12 837P file as the body."""
    return service.accept(conn, runtime, user=principal.user, actor=principal.user.username, unit_code=unit,
                          channel="claim", data=data)
