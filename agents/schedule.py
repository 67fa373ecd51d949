"""Work that happens on time by itself: tomorrow's no-show scoring, the audit anchor, lease expiry,
notifications and the daily QA summary. Each function takes the runtime and the moment it runs for
(procrastinate's periodic timestamp), is idempotent, and is recorded by `run_task` so the dashboard
shows what ran, when, and what it did."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone

from agents.runtime import Runtime
from store import audit
from store import notifications as outbox
from store import org as org_store
from store import review as review_store
from store import schedule as schedule_store

log = logging.getLogger(__name__)

# name -> (cron, what it does): the one list of periodic work (agents/jobs.py defines the tasks).
SCHEDULE = {
    "expire_review_leases": ("* * * * *", "return review items whose lease ran out to their queue"),
    "deliver_notifications": ("* * * * *", "send emergent-item and QA-summary notifications"),
    "anchor_audit_chain": ("7 * * * *", "append the audit chain's head to the anchor file"),
    "score_tomorrow": ("0 18 * * *", "score tomorrow's appointments for no-shows (training first if needed)"),
    "daily_qa_summary": ("30 6 * * *", "yesterday's QA summary per unit, sent to managers and compliance"),
}
# Per-minute tasks keep a history row only when they did something.
QUIET_WHEN_IDLE = {"expire_review_leases", "deliver_notifications"}


def run_task(rt: Runtime, name: str, fn: Callable[[Runtime, datetime], tuple[str, bool]], now: datetime) -> str:
    """Run one periodic task, recording its start, end and outcome (a failure is recorded and raised)."""
    started = datetime.now(timezone.utc)
    with rt.pool.connection() as conn:
        schedule_store.task_started(conn, task=name, at=started)
    try:
        summary, acted = fn(rt, now)
    except Exception as exc:
        with rt.pool.connection() as conn:
            schedule_store.task_finished(conn, task=name, started_at=started, at=datetime.now(timezone.utc), ok=False,
                                         summary=f"failed: {exc.__class__.__name__}", keep=True)
        raise
    with rt.pool.connection() as conn:
        schedule_store.task_finished(conn, task=name, started_at=started, at=datetime.now(timezone.utc), ok=True,
                                     summary=summary, keep=acted or name not in QUIET_WHEN_IDLE)
    return summary


def expire_leases(rt: Runtime, now: datetime) -> tuple[str, bool]:
    """Return review items whose lease ran out to `ready`."""
    with rt.pool.connection() as conn:
        expired = review_store.expire_leases(conn, now=now)
    return f"{len(expired)} leases expired", bool(expired)


def deliver_notifications(rt: Runtime, now: datetime) -> tuple[str, bool]:
    """Send what the notification outbox holds (SMTP, webhook)."""
    from agents.notifications import NO_CHANNEL, deliver_pending

    out = deliver_pending(rt)
    line = f"{out.sent} sent, {out.failed} failed, {out.retrying} to retry"
    if out.no_channel:
        line += f"; {out.no_channel} not sent: {NO_CHANNEL}"
    return line, bool(out.sent or out.failed or out.retrying or out.no_channel)


def anchor_audit_chain(rt: Runtime, now: datetime) -> tuple[str, bool]:
    """Append the chain head to the anchor file (HANDOFF_ANCHOR_DIR): `handoff audit verify --anchor`
    with a line of it catches a rewrite of the whole chain."""
    with rt.pool.connection() as conn:
        anchor = audit.current_anchor(conn)
    path = rt.settings.anchors_path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        # The anchor as `handoff audit anchor` writes it (with every shard's head), and when it was taken.
        fh.write(json.dumps({**json.loads(anchor.to_json()), "at": now.isoformat()}) + "\n")
        fh.flush()
    return f"anchored seq {anchor.seq} to {path}", True


def score_tomorrow(rt: Runtime, now: datetime) -> tuple[str, bool]:
    """Score the next day's appointments of every unit that has some; with no model yet, train one on
    the store's own history first."""
    from agents.noshow import NoModel, NotEnoughHistory, score_day, train_from_store
    from tools.model_registry import latest_head
    from tools.noshow.model import MODEL_NAME

    tomorrow = now.date() + timedelta(days=1)
    with rt.pool.connection() as conn:
        codes = schedule_store.units_with_appointments_on(conn, day=tomorrow)
    if not codes:
        return f"no appointments on {tomorrow.isoformat()}", True
    parts = []
    with rt.pool.connection() as conn:
        registered = latest_head(conn, name=MODEL_NAME) is not None
    if not registered:
        try:
            model = train_from_store(rt, before=now.date())
            parts.append(f"trained {model.version} on the store's history")
        except NotEnoughHistory as exc:
            return f"not scored: {exc}", True
    for code in codes:
        try:
            s = score_day(rt, unit_code=code, day=tomorrow)
        except NoModel as exc:
            return f"not scored: {exc}", True
        parts.append(f"{code}: {s.scored} scored, {s.auto} applied, {s.review} to review"
                     + (" (already done)" if s.already_done else ""))
    return f"{tomorrow.isoformat()}: " + "; ".join(parts), True


def daily_qa_summary(rt: Runtime, now: datetime) -> tuple[str, bool]:
    """Yesterday's figures per unit (UTC day), stored for the dashboard and sent to each unit's practice
    managers and compliance officers (once a day: a rerun updates the figures, sends nothing new)."""
    day = now.date() - timedelta(days=1)
    start = datetime.combine(day, time(), tzinfo=timezone.utc)
    parts = []
    with rt.pool.connection() as conn, conn.transaction():
        for unit in org_store.list_units(conn):
            figures = {k: int(v) for k, v in schedule_store.day_figures(conn, unit_id=unit.id, start=start,
                                                                        end=start + timedelta(days=1)).items()}
            first = schedule_store.save_qa_summary(conn, unit_id=unit.id, day=day, figures=figures)
            if first and figures["outputs"] + figures["decisions"] + figures["sla_breaches"]:
                outbox.enqueue(conn, unit_id=unit.id, kind="qa.daily", detail={"day": day.isoformat(), **figures})
            parts.append(f"{unit.code}: {figures['outputs']} outputs, {figures['decisions']} decisions")
    return f"{day.isoformat()}: " + ("; ".join(parts) or "no units"), True
