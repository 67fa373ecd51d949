"""Repository for work lists: what the agents filed into each queue, the supportive actions to carry out
(outreach), and the marks people leave when they have done the work (insert-only)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from store.db import Conn
from store.queries import load


def filed_items(conn: Conn, *, unit_ids: list[UUID], queue: str, open_only: bool = True,
                limit: int = 200) -> list[dict[str, Any]]:
    return conn.execute(load("work").filed_items, {"unit_ids": unit_ids, "queue": queue, "open_only": open_only,
                                                   "limit": limit}).fetchall()


def filed_queue_counts(conn: Conn, *, unit_ids: list[UUID]) -> list[dict[str, Any]]:
    return conn.execute(load("work").filed_queue_counts, {"unit_ids": unit_ids}).fetchall()


def get_filing(conn: Conn, *, filing_id: UUID) -> dict[str, Any] | None:
    return conn.execute(load("work").get_filing, {"id": filing_id}).fetchone()


def mark(conn: Conn, *, unit_id: UUID, subject: str, status: str, actor: str,
         note: str | None = None) -> None:
    conn.execute(load("work").insert_mark, {"id": uuid4(), "unit_id": unit_id, "subject": subject, "status": status,
                                            "note": note, "actor": actor})


def outreach_for_day(conn: Conn, *, unit_ids: list[UUID], day: date, actions: list[str]) -> list[dict[str, Any]]:
    return conn.execute(load("work").outreach_for_day, {"unit_ids": unit_ids, "day": day, "actions": actions}).fetchall()


def get_action(conn: Conn, *, action_id: UUID) -> dict[str, Any] | None:
    return conn.execute(load("work").get_action, {"id": action_id}).fetchone()
