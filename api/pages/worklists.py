"""The work lists: what intake filed into each queue (open first, marked done by whoever did the work),
the claims with their status, and the outreach list of supportive no-show actions with its exports."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi import Path as FastPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import Conn, CurrentPrincipal
from api.errors import BadInput
from api.pages.common import PageRoute, committed, none_if_blank, render
from api.services import worklists as service

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)
QueueName = Annotated[str, FastPath(pattern=r"^[a-z_]{2,40}$")]
CLAIM_STATUSES = {"ready": "ready to submit", "review": "waiting for a biller", "held": "held",
                  "corrected": "corrected (a newer version exists)"}


def _day(day: str | None) -> date:
    if not day:
        return date.today() + timedelta(days=1)
    try:
        return date.fromisoformat(day)
    except ValueError:
        raise BadInput("day: use YYYY-MM-DD", field="day") from None


@router.get("/worklists")
def worklists(request: Request, principal: CurrentPrincipal, conn: Conn) -> Response:
    return render(request, "worklists.html", {"title": "Work lists",
                                              "queues": service.filed_queues(conn, user=principal.user)})


@router.get("/worklists/{queue}")
def worklist(request: Request, queue: QueueName, principal: CurrentPrincipal, conn: Conn, all: int = 0) -> Response:
    items = service.filed_list(conn, user=principal.user, queue=queue, open_only=not all)
    return render(request, "worklist.html", {"title": f"Work list: {queue}", "queue": queue, "items": items,
                                             "show_all": bool(all)})


@router.get("/worklists/{queue}/{filing_id}")
def filed_item(request: Request, queue: QueueName, filing_id: UUID, principal: CurrentPrincipal, conn: Conn) -> Response:
    item = service.filed_item(conn, user=principal.user, filing_id=filing_id)
    return render(request, "filed_item.html", {"title": f"Filed: {item.doc_type or 'item'}", "item": item,
                                               "queue": item.queue, "json": lambda v: json.dumps(v, default=str)})


@router.post("/worklists/{queue}/{filing_id}/done")
def mark_done(queue: QueueName, filing_id: UUID, principal: CurrentPrincipal, conn: Conn,
              note: str = Form("", max_length=2000), undo: str = Form("", max_length=5)) -> Response:
    real_queue = service.mark_filed(conn, user=principal.user, filing_id=filing_id, done=not undo,
                                    note=none_if_blank(note))
    return committed(conn, RedirectResponse(f"/worklists/{real_queue}", status_code=303))


@router.get("/claims")
def claims(request: Request, principal: CurrentPrincipal, conn: Conn, status: str = "") -> Response:
    if status and status not in CLAIM_STATUSES:
        raise BadInput(f"status: one of {', '.join(CLAIM_STATUSES)}", field="status")
    rows = service.claims_list(conn, user=principal.user, status=status or None)
    return render(request, "claims.html", {"title": "Claims", "rows": rows, "status": status,
                                           "statuses": CLAIM_STATUSES})


@router.get("/outreach")
def outreach(request: Request, principal: CurrentPrincipal, conn: Conn, day: str | None = None) -> Response:
    d = _day(day)
    return render(request, "outreach.html", {"title": f"Outreach for {d.isoformat()}", "day": d,
                                             "rows": service.outreach(conn, user=principal.user, day=d)})


@router.get("/outreach.csv")
def outreach_csv(principal: CurrentPrincipal, conn: Conn, day: str | None = None) -> Response:
    d = _day(day)
    body = service.outreach_csv(conn, user=principal.user, day=d)
    conn.commit()
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="outreach-{d.isoformat()}.csv"'})


@router.get("/outreach.fhir")
def outreach_fhir(principal: CurrentPrincipal, conn: Conn, day: str | None = None) -> Response:
    d = _day(day)
    body = json.dumps(service.outreach_fhir(conn, user=principal.user, day=d))
    conn.commit()
    return Response(body, media_type="application/fhir+json",
                    headers={"Content-Disposition": f'attachment; filename="outreach-{d.isoformat()}.fhir.json"'})


@router.post("/outreach/{action_id}/done")
def outreach_done(action_id: UUID, principal: CurrentPrincipal, conn: Conn, day: str = Form("", max_length=10),
                  undo: str = Form("", max_length=5)) -> Response:
    service.mark_action(conn, user=principal.user, action_id=action_id, done=not undo)
    return committed(conn, RedirectResponse(f"/outreach?day={_day(day).isoformat()}", status_code=303))
