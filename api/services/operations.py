"""The practice manager's operations view: automation rates and tomorrow's no-show outlook for the
units they manage (compliance's figures are for auditors' units; this is the manager's own)."""

from __future__ import annotations

from datetime import date, datetime

import psycopg
from pydantic import BaseModel

from models.compliance import RateRow
from models.org import Role, User
from store import compliance as compliance_store
from store import operations as operations_store


class NoShowOutlook(BaseModel):
    unit_code: str
    appointments: int
    high_risk: int  # flagged with a no-show probability of 0.5 or more
    elevated_risk: int  # flagged between the agent's reminder floor and 0.5
    supportive_applied: int
    overbook_proposals: int
    mean_risk_flagged: float | None


def managed_units(user: User) -> list:
    return sorted({r.unit_id for r in user.roles if r.role == Role.practice_manager}, key=str)


def unit_rates(conn: psycopg.Connection, *, user: User, since: datetime | None) -> list[RateRow]:
    units = managed_units(user)
    if not units:
        return []
    return [RateRow(**r) for r in compliance_store.rates_by(conn, unit_ids=units, dimension="unit", since=since)]


def noshow_outlook(conn: psycopg.Connection, *, user: User, day: date) -> list[NoShowOutlook]:
    units = managed_units(user)
    if not units:
        return []
    return [NoShowOutlook(**r) for r in operations_store.noshow_outlook(conn, unit_ids=units, day=day)]


def scheduled_work(conn: psycopg.Connection) -> tuple[list[dict], list[dict]]:
    """Each periodic task (what it does, when it runs, its last run) and the latest runs that did
    something, newest first."""
    from agents.schedule import SCHEDULE
    from store import schedule as schedule_store

    status = {r["task"]: r for r in schedule_store.task_status(conn)}
    tasks = [{"task": name, "cron": cron, "what": what, **(status.get(name) or {})} for name, (cron, what) in SCHEDULE.items()]
    return tasks, schedule_store.recent_runs(conn, limit=12)


def qa_summaries(conn: psycopg.Connection, *, user: User) -> list[dict]:
    from store import schedule as schedule_store

    units = managed_units(user)
    return schedule_store.qa_summaries(conn, unit_ids=units, limit=14) if units else []


def notification_counts(conn: psycopg.Connection, *, user: User) -> dict[str, int]:
    from store import notifications

    units = managed_units(user)
    return {r["status"]: r["n"] for r in notifications.counts(conn, unit_ids=units)} if units else {}
