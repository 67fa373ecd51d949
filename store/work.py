"""Repository for work lists: what the agents filed into each queue, the supportive actions to carry out
(outreach), and the marks people leave when they have done the work (insert-only)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import psycopg

from store.queries import load


def filed_items(conn: psycopg.Connection, *, unit_ids: list[UUID], queue: str, open_only: bool = True,
                limit: int = 200) -> list[dict]:
    return conn.execute(load("work").filed_items, {"unit_ids": unit_ids, "queue": queue, "open_only": open_only,
                                                   "limit": limit}).fetchall()


def filed_queue_counts(conn: psycopg.Connection, *, unit_ids: list[UUID]) -> list[dict]:
    return conn.execute(load("work").filed_queue_counts, {"unit_ids": unit_ids}).fetchall()


def get_filing(conn: psycopg.Connection, *, filing_id: UUID) -> dict | None:
    return conn.execute(load("work").get_filing, {"id": filing_id}).fetchone()


def mark(conn: psycopg.Connection, *, unit_id: UUID, subject: str, status: str, actor: str,
         note: str | None = None) -> None:
    conn.execute(load("work").insert_mark, {"id": uuid4(), "unit_id": unit_id, "subject": subject, "status": status,
                                            "note": note, "actor": actor})


def outreach_for_day(conn: psycopg.Connection, *, unit_ids: list[UUID], day: date, actions: list[str]) -> list[dict]:
    return conn.execute(load("work").outreach_for_day, {"unit_ids": unit_ids, "day": day, "actions": actions}).fetchall()


def get_action(conn: psycopg.Connection, *, action_id: UUID) -> dict | None:
    return conn.execute(load("work").get_action, {"id": action_id}).fetchone()
