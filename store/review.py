"""Repository for the review queue's working state (leases); every change is also a review event."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from models.governance import ReviewStatus
from store.db import Conn, fetch_one
from store.queries import load
from store.routing import record_review_event


def expire_leases(conn: Conn, *, now: datetime) -> list[UUID]:
    """Return items whose lease ran out to `ready`, logging each."""
    expired = conn.execute(load("review").expire_leases, {"now": now}).fetchall()
    for row in expired:
        record_review_event(conn, item_id=row["id"], event="lease_expired", status_after=ReviewStatus.ready, actor="system")
    return [r["id"] for r in expired]


def claim_next_item(
    conn: Conn, *, unit_ids: list[UUID], queue: str, holder: str, lease_seconds: int
) -> tuple[UUID, int] | None:
    """Claim the next ready item of `queue` in any of `unit_ids`; None when the queue is empty."""
    row = conn.execute(
        load("review").claim_next_item,
        {"unit_ids": unit_ids, "queue": queue, "holder": holder, "lease_seconds": lease_seconds},
    ).fetchone()
    if row is None:
        return None
    record_review_event(conn, item_id=row["id"], event="claimed", status_after=ReviewStatus.in_progress, actor=holder,
                        detail={"lease_seconds": lease_seconds})
    return row["id"], row["version"]


def lock_item(conn: Conn, *, item_id: UUID) -> dict[str, Any] | None:
    return conn.execute(load("review").lock_item, {"id": item_id}).fetchone()


def get_item_view(conn: Conn, *, item_id: UUID) -> dict[str, Any] | None:
    return conn.execute(load("review").get_item_view, {"id": item_id}).fetchone()


def set_item_status(conn: Conn, *, item_id: UUID, status: ReviewStatus) -> None:
    conn.execute(load("review").set_item_status, {"id": item_id, "status": status.value})


def return_for_second_review(conn: Conn, *, item_id: UUID, first_reviewer: str) -> None:
    conn.execute(load("review").return_for_second_review, {"id": item_id, "first_reviewer": first_reviewer})


def escalate_item(conn: Conn, *, item_id: UUID) -> None:
    conn.execute(load("review").escalate_item, {"id": item_id})


def move_item(conn: Conn, *, item_id: UUID, queue: str) -> None:
    conn.execute(load("review").move_item, {"id": item_id, "queue": queue})


def queue_summaries(conn: Conn, *, unit_ids: list[UUID]) -> list[dict[str, Any]]:
    return conn.execute(load("review").queue_summaries, {"unit_ids": unit_ids}).fetchall()


def insert_decision(conn: Conn, **fields: Any) -> int:
    from psycopg.types.json import Jsonb

    fields["new_value"] = Jsonb(fields["new_value"]) if fields.get("new_value") is not None else None
    return int(fetch_one(conn.execute(load("review").insert_decision, fields))["seq"])


def decisions_for_item(conn: Conn, *, item_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(load("review").decisions_for_item, {"id": item_id}).fetchall()


def item_events(conn: Conn, *, item_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(load("review").item_events, {"id": item_id}).fetchall()
