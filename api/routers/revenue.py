"""The revenue cycle over HTTP (thin routes over api.services): X12 271/834/835/277 files in, 270
inquiries out, the coverage registry, prior authorizations, the denial work list, letters, claim
rechecks and retraining the denial model on remittances."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from api.deps import Conn, CurrentPrincipal, RawBody, RuntimeDep
from api.errors import ERROR_RESPONSES, BadInput, ErrorBody, NotFound
from api.services import intake as intake_service
from api.services import revenue as service
from models.revenue import PriorAuthorization

router = APIRouter(prefix="/api/v1", tags=["revenue cycle"], responses={
    **ERROR_RESPONSES, 413: {"model": ErrorBody, "description": "Over the size limit."}})
Unit = Annotated[str, Query(min_length=2, max_length=40, pattern=r"^[a-z0-9_-]+$", description="Service unit code.")]
X12_BODY = {"requestBody": {"content": {"application/edi-x12": {"schema": {"type": "string"}},
                                        "text/plain": {"schema": {"type": "string"}}}}}


def _accept_x12(data: bytes, principal, conn, runtime, unit: str, channel: str) -> intake_service.AcceptedOut:
    return intake_service.accept(conn, runtime, user=principal.user, actor=principal.user.username, unit_code=unit,
                                 channel=channel, data=data)


@router.post("/eligibility", response_model=intake_service.AcceptedOut, status_code=202, openapi_extra=X12_BODY)
def post_eligibility(data: RawBody, principal: CurrentPrincipal, conn: Conn, runtime: RuntimeDep,
                           unit: Unit) -> intake_service.AcceptedOut:
    """An X12 271 eligibility response file; its answers go to the coverage registry."""
    return _accept_x12(data, principal, conn, runtime, unit, "eligibility")


@router.post("/enrollment", response_model=intake_service.AcceptedOut, status_code=202, openapi_extra=X12_BODY)
def post_enrollment(data: RawBody, principal: CurrentPrincipal, conn: Conn, runtime: RuntimeDep,
                          unit: Unit) -> intake_service.AcceptedOut:
    """An X12 834 benefit enrollment file."""
    return _accept_x12(data, principal, conn, runtime, unit, "enrollment")


@router.post("/remits", response_model=intake_service.AcceptedOut, status_code=202, openapi_extra=X12_BODY)
def post_remits(data: RawBody, principal: CurrentPrincipal, conn: Conn, runtime: RuntimeDep,
                      unit: Unit) -> intake_service.AcceptedOut:
    """An X12 835 remittance file; claims are matched, denials go to the work list."""
    return _accept_x12(data, principal, conn, runtime, unit, "remit")


@router.post("/claim-status", response_model=intake_service.AcceptedOut, status_code=202, openapi_extra=X12_BODY)
def post_claim_status(data: RawBody, principal: CurrentPrincipal, conn: Conn, runtime: RuntimeDep,
                            unit: Unit) -> intake_service.AcceptedOut:
    """An X12 277 claim status file."""
    return _accept_x12(data, principal, conn, runtime, unit, "claim_status")


@router.post("/eligibility/requests", response_model=dict[str, Any])
def post_eligibility_requests(principal: CurrentPrincipal, conn: Conn, unit: Unit,
                              day: Annotated[date | None, Query(alias="date", description="Appointment day (default tomorrow).")] = None
                              ) -> dict[str, Any]:
    """Write the 270 inquiries for a day's appointments: the summary and the file a clearing-house takes."""
    day = day or date.today() + timedelta(days=1)
    out, text = service.write_eligibility_requests(conn, user=principal.user, actor=principal.user.username,
                                                   unit_code=unit, day=day, out_dir=None)
    return {**out.model_dump(mode="json"), "x12": text}


@router.get("/coverage", response_model=list[dict[str, Any]])
def get_coverage(principal: CurrentPrincipal, conn: Conn, unit: Unit) -> list[dict[str, Any]]:
    return [{k: (str(v) if v is not None and not isinstance(v, (str, int, float, list)) else v) for k, v in r.items()}
            for r in service.coverage_list(conn, user=principal.user, unit_code=unit)]


@router.post("/auths/import", response_model=dict[str, int], openapi_extra={
    "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}, "text/plain": {"schema": {"type": "string"}}}}})
def post_auths_import(data: RawBody, principal: CurrentPrincipal, conn: Conn, unit: Unit) -> dict[str, int]:
    """Prior authorizations as CSV (number,payer_id,member_id,codes,units_authorized,start,end,provider_npi,patient_mrn)."""
    if len(data) > 5_000_000:
        raise BadInput("body: over 5 MB; split the file", field="body")
    return service.import_auths(conn, user=principal.user, actor=principal.user.username, unit_code=unit, data=data)


@router.get("/auths", response_model=list[PriorAuthorization])
def get_auths(principal: CurrentPrincipal, conn: Conn, unit: Unit,
              member_id: Annotated[str | None, Query(max_length=80)] = None) -> list[PriorAuthorization]:
    return service.list_auths(conn, user=principal.user, unit_code=unit, member_id=member_id)


@router.get("/denials", response_model=list[service.DenialGroup])
def get_denials(principal: CurrentPrincipal, conn: Conn, unit: Annotated[str | None, Query(max_length=40)] = None,
                days: Annotated[int | None, Query(ge=1, le=3650)] = None, open_only: bool = False) -> list[service.DenialGroup]:
    """The denial work list, grouped by root cause (the rule that would have caught it, or payer-only)."""
    since = datetime.now(timezone.utc) - timedelta(days=days) if days else None
    return service.denial_worklist(conn, user=principal.user, unit_code=unit, since=since, open_only=open_only)


@router.get("/letters/{letter_id}", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def get_letter(letter_id: UUID, principal: CurrentPrincipal, conn: Conn) -> Response:
    row = service.read_letter(conn, user=principal.user, letter_id=letter_id)
    return Response(row["body"], media_type="text/plain; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{row["kind"]}-{letter_id}.txt"', "Cache-Control": "no-store"})


@router.get("/letters/{letter_id}/pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def get_letter_pdf(letter_id: UUID, principal: CurrentPrincipal, conn: Conn) -> Response:
    from tools.letters import letter_pdf

    row = service.read_letter(conn, user=principal.user, letter_id=letter_id)
    return Response(letter_pdf(row["body"], title=row["kind"]), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{row["kind"]}-{letter_id}.pdf"', "Cache-Control": "no-store"})


@router.post("/claims/{claim_id}/recheck", response_model=dict[str, Any])
def post_recheck(principal: CurrentPrincipal, conn: Conn, runtime: RuntimeDep, unit: Unit,
                 claim_id: Annotated[str, Path(max_length=80, description="The claim id (CLM01).")]) -> dict[str, Any]:
    """Check a stored claim again after its records changed (coverage, authorizations, payer rules)."""
    from agents.claims import recheck_claim
    from store import claims as claims_store

    found = service.unit_for(conn, principal.user, unit, service.BILLING_ROLES)
    rows = claims_store.find_claims(conn, unit_id=found.id, claim_key=claim_id)
    if not rows:
        raise NotFound(f"no claim {claim_id!r} in {unit}", field="claim_id")
    conn.commit()  # the recheck runs on its own connections
    out = recheck_claim(runtime, claim_row_id=rows[0]["id"], actor=principal.user.username)
    return out.model_dump(mode="json") if out else {}


@router.post("/models/denial/retrain", response_model=dict[str, Any])
def post_retrain(principal: CurrentPrincipal, runtime: RuntimeDep, conn: Conn,
                 unit: Annotated[list[str], Query(description="Units whose remittances train the model.")]) -> dict[str, Any]:
    """Retrain the denial model on remittances; registered only if it passes the gates and beats the current one."""
    from dataclasses import asdict

    for code in unit:
        service.unit_for(conn, principal.user, code, frozenset({r.role for r in principal.user.roles}))
    report = service.retrain_denial_model(runtime, unit_codes=unit, actor=principal.user.username)
    return asdict(report)


@router.get("/operations/kpis", response_model=dict[str, Any])
def get_kpis(principal: CurrentPrincipal, conn: Conn, unit: Annotated[str | None, Query(max_length=40)] = None,
             days: Annotated[int | None, Query(ge=1, le=3650, description="The last N days; omit for all time.")] = None,
             since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
    """The KPIs of the units you manage, each with its definition: referral completion, eligibility
    exceptions, denial rate by payer/rule/source, first-pass acceptance, remittance turnaround, ageing."""
    from api.services.kpis import kpis

    if days is not None and since is not None:
        raise BadInput("days, since: give one or the other", field="days")
    if days is not None:
        since = datetime.now(timezone.utc) - timedelta(days=days)
    return kpis(conn, user=principal.user, since=since, until=until, unit_code=unit).model_dump(mode="json")
