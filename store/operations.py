"""Read-only figures for the operations dashboard."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import psycopg

from store.queries import load


def noshow_outlook(conn: psycopg.Connection, *, unit_ids: list[UUID], day: date) -> list[dict]:
    return conn.execute(load("operations").noshow_outlook,
                        {"unit_ids": unit_ids, "day": day, "day_text": day.isoformat()}).fetchall()
