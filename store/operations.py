"""Read-only figures for the operations dashboard."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from store.db import Conn
from store.queries import load


def noshow_outlook(conn: Conn, *, unit_ids: list[UUID], day: date) -> list[dict[str, Any]]:
    return conn.execute(load("operations").noshow_outlook,
                        {"unit_ids": unit_ids, "day": day, "day_text": day.isoformat()}).fetchall()
