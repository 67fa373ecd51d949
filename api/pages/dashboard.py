"""The operations dashboard for practice managers: queue ageing, SLA breaches, auto and override
rates by unit, and tomorrow's no-show outlook."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Conn, CurrentPrincipal
from api.errors import BadInput
from api.pages.charts import bar_chart
from api.pages.common import PageRoute, age, pct, render
from api.services import review as review_service

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/dashboard")
def dashboard(request: Request, principal: CurrentPrincipal, conn: Conn, days: str = "30",
              day: str | None = None) -> Response:
    from api.services import operations

    if days not in ("1", "7", "30", "all"):
        raise BadInput("days: 1, 7, 30 or all", field="days")
    try:
        outlook_day = date.fromisoformat(day) if day else date.today() + timedelta(days=1)
    except ValueError:
        raise BadInput("day: use YYYY-MM-DD", field="day") from None
    since = None if days == "all" else datetime.now(timezone.utc) - timedelta(days=int(days))
    queues = review_service.list_queues(conn, user=principal.user)
    rates = operations.unit_rates(conn, user=principal.user, since=since)
    outlook = operations.noshow_outlook(conn, user=principal.user, day=outlook_day)
    from api.services.kpis import kpis as unit_kpis

    kpi_report = unit_kpis(conn, user=principal.user, since=since)  # issue 13: the loops, over the same period
    risk_chart = bar_chart([(o.unit_code, float(o.high_risk + o.elevated_risk),
                             f"{o.high_risk + o.elevated_risk} of {o.appointments} flagged") for o in outlook],
                           title="Appointments flagged at risk of no-show",
                           max_value=max([o.appointments for o in outlook] or [1]))
    label = lambda q: f"{q.unit_code} · {q.queue}"  # noqa: E731
    # At least an hour wide, so a few minutes' wait does not look like a full bar.
    ageing = bar_chart([(label(q), q.oldest_age_minutes or 0.0, age(q.oldest_age_minutes)) for q in queues],
                       title="Oldest open item by queue",
                       max_value=max([60.0] + [q.oldest_age_minutes or 0.0 for q in queues]))
    breaches = bar_chart([(label(q), float(q.sla_breaches), f"{q.sla_breaches} of {q.ready + q.in_progress}")
                          for q in queues], title="SLA breaches by queue", color="#b4441a",
                         max_value=max([q.ready + q.in_progress for q in queues] or [1]))
    auto = bar_chart([(r.group or "unknown", r.auto_rate or 0.0, f"{pct(r.auto_rate)} of {r.n}") for r in rates],
                     title="Auto rate by unit", max_value=1.0)
    override = bar_chart([(r.group or "unknown", r.override_rate or 0.0, f"{pct(r.override_rate)} of {r.decided}")
                          for r in rates], title="Override rate by unit", max_value=1.0, color="#b4441a")
    tasks, runs = operations.scheduled_work(conn)
    return render(request, "dashboard.html", {
        "title": "Operations", "queues": queues, "rates": rates, "days": days,
        "tasks": tasks, "runs": runs, "qa_summaries": operations.qa_summaries(conn, user=principal.user),
        "notifications": operations.notification_counts(conn, user=principal.user),
        "ageing_chart": ageing, "breach_chart": breaches, "auto_chart": auto, "override_chart": override,
        "outlook": outlook, "outlook_day": outlook_day, "risk_chart": risk_chart, "kpis": kpi_report})
