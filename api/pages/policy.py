"""The policy pages: each unit's routing and field policy, the changes of every version, and a change
made by a signed-in admin or practice manager: edit, see the difference, confirm (a new version)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi import Path as FastPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import Conn, CurrentPrincipal
from api.errors import BadInput, ServiceError
from api.pages.common import PageRoute, committed, none_if_blank, render
from api.services import policy as service
from models.org import POLICY_EDITORS

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)
UnitCode = Annotated[str, FastPath(pattern=r"^[a-z0-9_-]{2,40}$")]


def _changes(text: str) -> dict[str, Any]:
    try:
        changes = json.loads(text or "{}")
    except ValueError as exc:
        raise BadInput(f"changes: not JSON ({exc})", field="changes") from None
    if not isinstance(changes, dict) or not changes:
        raise BadInput('changes: a JSON object of the policy keys to change, e.g. {"qa_sample_rate": 0.1}',
                       field="changes")
    return changes


def _page(request, conn, principal, unit: str, *, status: int = 200, **extra) -> Response:
    current = service.current(conn, user=principal.user, unit_code=unit)
    unit_id = next(r.unit_id for r in principal.user.roles if r.unit_code == unit)
    can_edit = principal.user.has_role(unit_id, *POLICY_EDITORS)
    return render(request, "policy.html", {
        "title": f"Policy: {unit}", "current": current, "can_edit": can_edit,
        "history": service.history(conn, user=principal.user, unit_code=unit),
        "policy_json": json.dumps(current.policy, indent=2, sort_keys=True), "json": json.dumps, **extra},
        status=status)


@router.get("/policy")
def policies(request: Request, principal: CurrentPrincipal, conn: Conn) -> Response:
    units = service.readable_units(conn, principal.user)
    if len(units) == 1:
        return RedirectResponse(f"/policy/{units[0].code}", status_code=303)
    rows = [service.current(conn, user=principal.user, unit_code=u.code) for u in units]
    return render(request, "policy_list.html", {"title": "Policies", "rows": rows})


@router.get("/policy/{unit}")
def policy_page(request: Request, unit: UnitCode, principal: CurrentPrincipal, conn: Conn,
                saved: int | None = None) -> Response:
    return _page(request, conn, principal, unit, saved=saved)


@router.post("/policy/{unit}/preview")
def preview(request: Request, unit: UnitCode, principal: CurrentPrincipal, conn: Conn,
            changes: str = Form("", max_length=200_000), expected_version: int = Form(0, ge=0),
            note: str = Form("", max_length=2000)) -> Response:
    try:
        parsed = _changes(changes)
        _, diff = service.proposed(conn, user=principal.user, unit_code=unit, changes=parsed)
    except ServiceError as exc:
        return _page(request, conn, principal, unit, status=exc.status, error=exc.detail, draft=changes, note=note)
    return render(request, "policy_preview.html", {
        "title": f"Policy: {unit}: check the change", "unit": unit, "diff": diff, "changes": changes,
        "expected_version": expected_version, "note": note, "json": json.dumps})


@router.post("/policy/{unit}")
def save(request: Request, unit: UnitCode, principal: CurrentPrincipal, conn: Conn,
         changes: str = Form("", max_length=200_000), expected_version: int = Form(0, ge=0),
         note: str = Form("", max_length=2000)) -> Response:
    try:
        out = service.change(conn, user=principal.user, unit_code=unit, body=service.PolicyChangeIn(
            changes=_changes(changes), expected_version=expected_version, note=none_if_blank(note)))
    except ServiceError as exc:
        if exc.status == 403:
            raise
        conn.rollback()
        return _page(request, conn, principal, unit, status=exc.status, error=exc.detail, draft=changes, note=note)
    return committed(conn, RedirectResponse(f"/policy/{unit}?saved={out.version}", status_code=303))
