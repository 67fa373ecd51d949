"""The compliance pages: rates by agent, model, label, unit or patient group; the output and decision
logs with filters and paging; the audit chain's status."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Conn, CurrentPrincipal
from api.errors import BadInput
from api.pages.charts import bar_chart
from api.pages.common import RATE_DIMENSIONS, PageRoute, none_if_blank, parse_int, parse_time, pct, render
from api.services import compliance as compliance_service

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)


def _query_without(request: Request, *drop: str, **extra: Any) -> str:
    params = {k: v for k, v in request.query_params.items() if k not in drop and v}
    params.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(params)


@router.get("/compliance")
def compliance_home(request: Request, principal: CurrentPrincipal, conn: Conn, by: str = "agent") -> Response:
    if by not in RATE_DIMENSIONS:
        raise BadInput(f"by: choose one of {', '.join(RATE_DIMENSIONS)}", field="by")
    user = principal.user
    rates = compliance_service.rates(conn, user=user, by=by)
    chain = compliance_service.chain_status(conn)
    qa = compliance_service.qa_error(conn, user=user)
    override_chart = bar_chart([(r.group or "unknown", r.override_rate or 0.0,
                                 f"{pct(r.override_rate)} of {r.decided}") for r in rates],
                               title=f"Override rate by {by}", max_value=1.0, color="#b4441a")
    auto_chart = bar_chart([(r.group or "unknown", r.auto_rate or 0.0, f"{pct(r.auto_rate)} of {r.n}") for r in rates],
                           title=f"Auto rate by {by}", max_value=1.0)
    return render(request, "compliance.html", {
        "title": "Compliance", "by": by, "dimensions": RATE_DIMENSIONS, "rates": rates, "chain": chain, "qa": qa,
        "override_chart": override_chart, "auto_chart": auto_chart})


def _log_filters(request: Request, names: tuple[str, ...]) -> dict[str, Any]:
    q = request.query_params
    f: dict[str, Any] = {n: none_if_blank(q.get(n)) for n in names}
    for n in names:
        if f[n] and len(f[n]) > 80:
            raise BadInput(f"{n}: at most 80 characters", field=n)
    f["since"] = parse_time("since", q.get("since"))
    f["until"] = parse_time("until", q.get("until"))
    f["before_seq"] = parse_int("before_seq", q.get("before_seq"), low=1, high=2**62)
    f["limit"] = parse_int("limit", q.get("limit"), low=1, high=compliance_service.MAX_PAGE) or 50
    return f


@router.get("/compliance/outputs")
def outputs_log(request: Request, principal: CurrentPrincipal, conn: Conn) -> Response:
    f = _log_filters(request, ("agent", "model_version", "label", "route", "group"))
    if f["route"] not in (None, "auto", "review"):
        raise BadInput("route: auto or review", field="route")
    page = compliance_service.outputs(conn, user=principal.user, **f)
    return render(request, "outputs.html", {
        "title": "AI output log", "page": page, "f": request.query_params,
        "older": _query_without(request, "before_seq", before_seq=page.next_before_seq) if page.next_before_seq else None,
        "newest": _query_without(request, "before_seq") if f["before_seq"] else None})


@router.get("/compliance/decisions")
def decisions_log(request: Request, principal: CurrentPrincipal, conn: Conn) -> Response:
    f = _log_filters(request, ("agent", "model_version", "label", "reviewer", "action", "group"))
    if f["action"] not in (None, "accept", "override", "reject"):
        raise BadInput("action: accept, override or reject", field="action")
    page = compliance_service.decisions(conn, user=principal.user, **f)
    changes = {row.id: _changes(row.suggested_value, row.new_value) for row in page.items}
    return render(request, "decisions.html", {
        "title": "Decision and override log", "page": page, "f": request.query_params, "changes": changes,
        "older": _query_without(request, "before_seq", before_seq=page.next_before_seq) if page.next_before_seq else None,
        "newest": _query_without(request, "before_seq") if f["before_seq"] else None})


def _changes(before: dict[str, Any], after: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    if not after:
        return []
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    show = lambda v: "—" if v is None else (v if isinstance(v, str) else json.dumps(v, default=str))  # noqa: E731
    return [(k, show(before.get(k)), show(after.get(k))) for k in keys]
