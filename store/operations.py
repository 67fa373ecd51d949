"""Read-only figures for the operations dashboard."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from store.db import Conn, fetch_one
from store.queries import load


def noshow_outlook(conn: Conn, *, unit_ids: list[UUID], day: date) -> list[dict[str, Any]]:
    return conn.execute(load("operations").noshow_outlook,
                        {"unit_ids": unit_ids, "day": day, "day_text": day.isoformat()}).fetchall()


def ping(conn: Conn) -> None:
    conn.execute(load("operations").ping).fetchone()


def workers_alive(conn: Conn, *, max_age_s: float) -> int:
    return int(fetch_one(conn.execute(load("operations").workers_alive, {"max_age_s": max_age_s}))["n"])


def metrics_snapshot(conn: Conn) -> dict[str, list[dict[str, Any]]]:
    """The database-side figures `/metrics` exposes (the same on every host: the database is the truth)."""
    Q = load("operations")
    return {name: conn.execute(getattr(Q, f"metrics_{name}")).fetchall()
            for name in ("review_queues", "routes_24h", "decisions_24h", "jobs")}
