"""Repository for referral cases: the case as opened (insert-only) and its events, which join the
hash-chained log (migration 062); a case's current state is its latest event."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from psycopg.types.json import Jsonb

from store.db import Conn, fetch_one
from store.queries import load


def insert_case(conn: Conn, *, unit_id: UUID, part_id: UUID, patient_id: UUID | None,
                service: str | None, sender: dict[str, Any], urgency: str, opened_by: str) -> UUID | None:
    """Open a case for a referral document; None when that document already opened one."""
    row = conn.execute(load("referrals").insert_case, {
        "id": uuid4(), "unit_id": unit_id, "part_id": part_id, "patient_id": patient_id, "service": service,
        "sender": Jsonb(sender), "urgency": urgency, "opened_by": opened_by}).fetchone()
    return row["id"] if row else None


def case_of_part(conn: Conn, *, part_id: UUID) -> UUID | None:
    row = conn.execute(load("referrals").case_of_part, {"part_id": part_id}).fetchone()
    return row["id"] if row else None


def insert_case_event(conn: Conn, *, case_id: UUID, event: str, status_after: str,
                      owner_after: str | None, due_after: date | None, actor: str,
                      detail: dict[str, Any] | None = None) -> int:
    row = fetch_one(conn.execute(load("referrals").insert_case_event, {
        "id": uuid4(), "case_id": case_id, "event": event, "status_after": status_after, "owner_after": owner_after,
        "due_after": due_after, "actor": actor, "detail": Jsonb(detail or {})}))
    seq: int = row["seq"]
    return seq


def case_events(conn: Conn, *, case_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(load("referrals").case_events, {"case_id": case_id}).fetchall()


def list_cases(conn: Conn, *, unit_ids: list[UUID], case_id: UUID | None = None,
               status: str | None = None, open_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    return conn.execute(load("referrals").list_cases, {"unit_ids": unit_ids, "case_id": case_id, "status": status,
                                                       "open_only": open_only, "limit": limit}).fetchall()


def get_case(conn: Conn, *, case_id: UUID, unit_ids: list[UUID]) -> dict[str, Any] | None:
    rows = list_cases(conn, unit_ids=unit_ids, case_id=case_id, limit=1)
    return rows[0] if rows else None


def open_cases_for_part(conn: Conn, *, unit_id: UUID, patient_id: UUID, part_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(load("referrals").open_cases_for_part,
                        {"unit_id": unit_id, "patient_id": patient_id, "part_id": part_id}).fetchall()


def case_status_history(conn: Conn, *, unit_ids: list[UUID]) -> list[dict[str, Any]]:
    return conn.execute(load("referrals").case_status_history, {"unit_ids": unit_ids}).fetchall()
