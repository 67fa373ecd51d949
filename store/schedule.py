"""Repository for scheduled work: the latest run of each periodic task and a history of runs (what
ran, when, and what it did), and the daily QA summaries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from store.db import Conn, fetch_one
from store.queries import load


def task_started(conn: Conn, *, task: str, at: datetime) -> None:
    conn.execute(load("schedule").task_started, {"task": task, "at": at})


def task_finished(conn: Conn, *, task: str, started_at: datetime, at: datetime, ok: bool,
                  summary: str, keep: bool) -> None:
    """Record the outcome; `keep` adds it to the history too (every run of a daily or hourly task, a
    per-minute task's only when it did something)."""
    Q = load("schedule")
    conn.execute(Q.task_finished, {"task": task, "at": at, "ok": ok, "summary": summary[:500]})
    if keep or not ok:
        conn.execute(Q.insert_run, {"task": task, "started_at": started_at, "finished_at": at, "ok": ok,
                                    "summary": summary[:500]})


def task_status(conn: Conn) -> list[dict[str, Any]]:
    return conn.execute(load("schedule").task_status).fetchall()


def recent_runs(conn: Conn, *, limit: int = 20) -> list[dict[str, Any]]:
    return conn.execute(load("schedule").recent_runs, {"limit": limit}).fetchall()


def save_qa_summary(conn: Conn, *, unit_id: UUID, day: date, figures: dict[str, Any]) -> bool:
    """Store a unit's summary of `day`; True when it is the first for that day."""
    return bool(fetch_one(conn.execute(load("schedule").upsert_qa_summary,
                                       {"unit_id": unit_id, "day": day, "figures": Jsonb(figures)}))["created"])


def qa_summaries(conn: Conn, *, unit_ids: list[UUID], limit: int = 14) -> list[dict[str, Any]]:
    return conn.execute(load("schedule").qa_summaries_of, {"unit_ids": unit_ids, "limit": limit}).fetchall()


def day_figures(conn: Conn, *, unit_id: UUID, start: datetime, end: datetime) -> dict[str, Any]:
    return fetch_one(conn.execute(load("schedule").day_figures, {"unit_id": unit_id, "start": start, "end": end}))


def units_with_appointments_on(conn: Conn, *, day: date) -> list[str]:
    return [r["code"] for r in conn.execute(load("schedule").units_with_appointments_on, {"day": day}).fetchall()]
