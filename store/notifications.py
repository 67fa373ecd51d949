"""Repository for the notification outbox: written in the same transaction as what it announces (the
gate's review item), sent later by a worker, so a notification is never lost nor sent for something
that rolled back."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from psycopg.types.json import Jsonb

from store.db import Conn
from store.queries import load


def enqueue(conn: Conn, *, unit_id: UUID, kind: str, queue: str | None = None,
            review_item_id: UUID | None = None, detail: dict[str, Any] | None = None) -> None:
    """Queue a notification; at most one of a kind per review item. `detail` must hold no PHI."""
    conn.execute(load("notifications").enqueue_notification, {
        "id": uuid4(), "unit_id": unit_id, "kind": kind, "queue": queue, "review_item_id": review_item_id,
        "detail": Jsonb(detail or {})})


def claim_pending(conn: Conn, *, limit: int = 50) -> list[dict[str, Any]]:
    """Pending notifications, locked for this transaction (other workers skip them)."""
    return conn.execute(load("notifications").claim_pending, {"limit": limit}).fetchall()


def finish(conn: Conn, *, notification_id: UUID, status: str, last_error: str | None = None,
           delivered: list[str] | None = None) -> None:
    """Record an attempt; `delivered` names the channels that have it (a retry skips them)."""
    conn.execute(load("notifications").finish_notification,
                 {"id": notification_id, "status": status, "last_error": last_error,
                  "delivered": Jsonb(sorted(set(delivered or [])))})


def counts(conn: Conn, *, unit_ids: list[UUID]) -> list[dict[str, Any]]:
    return conn.execute(load("notifications").notification_counts, {"unit_ids": unit_ids}).fetchall()
