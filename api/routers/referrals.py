"""Referral cases over HTTP: thin routes over api.services.referrals."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from api.deps import Conn, CurrentPrincipal
from api.errors import ERROR_RESPONSES, ErrorBody
from api.services import referrals as service
from models.referrals import CaseMoveIn, CaseStatus, CaseUpdateIn, ReferralCase

router = APIRouter(prefix="/api/v1/referrals", tags=["referral cases"], responses={
    **ERROR_RESPONSES, 409: {"model": ErrorBody, "description": "The case does not allow this move now."}})


@router.get("/cases", response_model=list[ReferralCase])
def list_cases(principal: CurrentPrincipal, conn: Conn, unit: Annotated[str | None, Query(max_length=40)] = None,
               status: CaseStatus | None = None, open_only: bool = True,
               limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[ReferralCase]:
    """Cases, overdue first then by due date (the ageing queue)."""
    return service.list_cases(conn, user=principal.user, unit_code=unit, status=status, open_only=open_only, limit=limit)


@router.get("/cases/{case_id}", response_model=dict[str, Any])
def get_case(case_id: UUID, principal: CurrentPrincipal, conn: Conn) -> dict[str, Any]:
    return service.get_case(conn, user=principal.user, case_id=case_id, actor=principal.user.username)


@router.post("/cases/{case_id}/status", response_model=ReferralCase)
def move_case(case_id: UUID, body: CaseMoveIn, principal: CurrentPrincipal, conn: Conn) -> ReferralCase:
    return service.move_case(conn, user=principal.user, actor=principal.user.username, case_id=case_id, body=body)


@router.post("/cases/{case_id}/update", response_model=ReferralCase)
def update_case(case_id: UUID, body: CaseUpdateIn, principal: CurrentPrincipal, conn: Conn) -> ReferralCase:
    return service.update_case(conn, user=principal.user, actor=principal.user.username, case_id=case_id, body=body)


@router.post("/cases/{case_id}/report", response_model=dict[str, Any])
def send_report(case_id: UUID, principal: CurrentPrincipal, conn: Conn) -> dict[str, Any]:
    """Draft the report's cover letter to the sender and close the case as "report sent back"."""
    return service.send_report(conn, user=principal.user, actor=principal.user.username, case_id=case_id)
