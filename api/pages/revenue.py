"""The revenue-cycle pages: referral cases (the ageing list, a case with its events and letters, the
move and report forms), the denial work list by root cause, and the coverage registry with prior
authorizations. The KPIs sit on the operations dashboard (api/pages/dashboard.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import Conn, CurrentPrincipal
from api.errors import BadInput
from api.pages.common import PageRoute, committed, none_if_blank, render
from api.services import referrals as referral_service
from api.services import revenue as revenue_service
from models.referrals import ALLOWED_MOVES, CaseMoveIn, CaseStatus

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)
STATUS_WORDS = {s.value: s.value.replace("_", " ") for s in CaseStatus}


@router.get("/referrals")
def referral_cases(request: Request, principal: CurrentPrincipal, conn: Conn, status: str | None = None,
                   show: str = "open") -> Response:
    if status is not None and status not in STATUS_WORDS:
        raise BadInput(f"status: one of {', '.join(STATUS_WORDS)}", field="status")
    if show not in ("open", "all"):
        raise BadInput("show: open or all", field="show")
    cases = referral_service.list_cases(conn, user=principal.user, status=CaseStatus(status) if status else None,
                                        open_only=show == "open")
    return render(request, "referrals.html", {"title": "Referral cases", "cases": cases, "status": status, "show": show,
                                              "statuses": STATUS_WORDS})


@router.get("/referrals/{case_id}")
def referral_case(request: Request, case_id: UUID, principal: CurrentPrincipal, conn: Conn) -> Response:
    found = referral_service.get_case(conn, user=principal.user, case_id=case_id, actor=principal.user.username)
    case = found["case"]
    moves = sorted(s.value for s in ALLOWED_MOVES[case.status] if s != CaseStatus.report_sent_back)
    return render(request, "referral_case.html", {"title": f"Referral case {str(case_id)[:8]}", "case": case,
                                                  "letters": found["letters"], "moves": moves, "statuses": STATUS_WORDS})


@router.post("/referrals/{case_id}/status")
def referral_move(case_id: UUID, principal: CurrentPrincipal, conn: Conn,
                  status: str = Form(..., max_length=40), note: str = Form("", max_length=500)) -> Response:
    if status not in STATUS_WORDS:
        raise BadInput(f"status: one of {', '.join(STATUS_WORDS)}", field="status")
    referral_service.move_case(conn, user=principal.user, actor=principal.user.username, case_id=case_id,
                               body=CaseMoveIn(status=CaseStatus(status), note=none_if_blank(note)))
    return committed(conn, RedirectResponse(f"/referrals/{case_id}", status_code=303))


@router.post("/referrals/{case_id}/report")
def referral_report(case_id: UUID, principal: CurrentPrincipal, conn: Conn) -> Response:
    referral_service.send_report(conn, user=principal.user, actor=principal.user.username, case_id=case_id)
    return committed(conn, RedirectResponse(f"/referrals/{case_id}", status_code=303))


@router.get("/denials")
def denials(request: Request, principal: CurrentPrincipal, conn: Conn, days: str = "30", show: str = "open") -> Response:
    if days not in ("7", "30", "90", "all"):
        raise BadInput("days: 7, 30, 90 or all", field="days")
    if show not in ("open", "all"):
        raise BadInput("show: open or all", field="show")
    since = None if days == "all" else datetime.now(timezone.utc) - timedelta(days=int(days))
    groups = revenue_service.denial_worklist(conn, user=principal.user, since=since, open_only=show == "open")
    return render(request, "denials.html", {"title": "Denial work list", "groups": groups, "days": days, "show": show})


@router.get("/coverage")
def coverage(request: Request, principal: CurrentPrincipal, conn: Conn, unit: str | None = None) -> Response:
    codes = sorted({r.unit_code for r in principal.user.roles
                    if r.role in revenue_service.AUTH_ROLES | revenue_service.ELIGIBILITY_ROLES})
    if not codes:
        raise BadInput("unit: you work in no unit that keeps coverage records", field="unit")
    unit = unit or codes[0]
    if unit not in codes:
        raise BadInput(f"unit: one of {', '.join(codes)}", field="unit")
    records = revenue_service.coverage_list(conn, user=principal.user, unit_code=unit)
    auths = revenue_service.list_auths(conn, user=principal.user, unit_code=unit) if any(
        r.unit_code == unit and r.role in revenue_service.AUTH_ROLES for r in principal.user.roles) else []
    return render(request, "coverage.html", {"title": "Coverage and authorizations", "unit": unit, "units": codes,
                                             "records": records, "auths": auths})
