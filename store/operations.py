"""Read-only figures for the operations dashboard."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import psycopg

from store.queries import load


def noshow_outlook(conn: psycopg.Connection, *, unit_ids: list[UUID], day: date) -> list[dict]:
    return conn.execute(load("operations").noshow_outlook,
                        {"unit_ids": unit_ids, "day": day, "day_text": day.isoformat()}).fetchall()


def ping(conn: psycopg.Connection) -> None:
    conn.execute(load("operations").ping).fetchone()


def workers_alive(conn: psycopg.Connection, *, max_age_s: float) -> int:
    return conn.execute(load("operations").workers_alive, {"max_age_s": max_age_s}).fetchone()["n"]


def metrics_snapshot(conn: psycopg.Connection) -> dict[str, list[dict]]:
    """The database-side figures `/metrics` exposes (the same on every host: the database is the truth)."""
    Q = load("operations")
    return {name: conn.execute(getattr(Q, f"metrics_{name}")).fetchall()
            for name in ("review_queues", "routes_24h", "decisions_24h", "jobs")}
