"""Repository for appointments and the actions applied on no-show suggestions."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from models.scheduling import Appointment
from store.db import Conn
from store.queries import load


def upsert_appointments(conn: Conn, *, unit_id: UUID, appointments: list[Appointment]) -> int:
    rows = [{**a.model_dump(exclude={"unit_id"}), "unit_id": unit_id} for a in appointments]
    with conn.cursor() as cur:
        cur.executemany(load("scheduling").upsert_appointment, rows)
    return len(rows)


def appointments_through(conn: Conn, *, unit_id: UUID, day: date) -> list[Appointment]:
    """Past visits (with outcomes) and the visits of `day` booked before it (outcome unknown)."""
    rows = conn.execute(load("scheduling").appointments_through, {"unit_id": unit_id, "day": day}).fetchall()
    return [Appointment(**r) for r in rows]


def labeled_appointments(conn: Conn, *, unit_id: UUID, before: date) -> list[Appointment]:
    rows = conn.execute(load("scheduling").labeled_appointments, {"unit_id": unit_id, "before": before}).fetchall()
    return [Appointment(**r) for r in rows]


def record_action(conn: Conn, *, unit_id: UUID, appointment_id: str, action: str,
                  suggestion_id: UUID, decision_id: UUID | None, applied_by: str) -> None:
    conn.execute(load("scheduling").insert_action, {
        "id": uuid4(), "unit_id": unit_id, "appointment_id": appointment_id, "action": action,
        "suggestion_id": suggestion_id, "decision_id": decision_id, "applied_by": applied_by})


def actions_for_day(conn: Conn, *, unit_id: UUID, day: date) -> list[dict[str, Any]]:
    return conn.execute(load("scheduling").actions_for_day, {"unit_id": unit_id, "day": day}).fetchall()
