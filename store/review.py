"""Repository for the review queue's working state (leases); every change is also a review event."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import psycopg

from models.governance import ReviewStatus
from store.queries import load
from store.routing import record_review_event


def expire_leases(conn: psycopg.Connection, *, now: datetime) -> list[UUID]:
    """Return items whose lease ran out to `ready`, logging each."""
    expired = conn.execute(load("review").expire_leases, {"now": now}).fetchall()
    for row in expired:
        record_review_event(conn, item_id=row["id"], event="lease_expired", status_after=ReviewStatus.ready, actor="system")
    return [r["id"] for r in expired]
