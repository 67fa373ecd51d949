"""Repository for suggestions, routes and the review items they open (all logged, chained rows)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from psycopg.types.json import Jsonb

from models.governance import PRIORITY_RANK, ReviewItem, ReviewStatus, Route, Suggestion
from store.db import Conn, fetch_one
from store.queries import load


def insert_suggestion(conn: Conn, suggestion: Suggestion) -> int:
    s = suggestion.model_dump(mode="json")
    params = {
        **s,
        "id": suggestion.id,
        "unit_id": suggestion.unit_id,
        "amount": suggestion.amount,
        "value": Jsonb(s["value"]),
        "evidence": Jsonb(s["evidence"]),
        "patient_group": Jsonb(s["patient_group"]),
    }
    return int(fetch_one(conn.execute(load("routing").insert_suggestion, params))["seq"])


def insert_route(conn: Conn, route: Route) -> int:
    params = route.model_dump()
    params["decision"] = route.decision.value
    params["priority"] = route.priority.value
    return int(fetch_one(conn.execute(load("routing").insert_route, params))["seq"])


def record_review_event(
    conn: Conn,
    *,
    item_id: UUID,
    event: str,
    status_after: ReviewStatus | str,
    actor: str,
    detail: dict[str, Any] | None = None,
) -> int:
    return int(fetch_one(conn.execute(
        load("routing").insert_review_event,
        {
            "id": uuid4(),
            "review_item_id": item_id,
            "event": event,
            "status_after": str(ReviewStatus(status_after).value),
            "actor": actor,
            "detail": Jsonb(detail or {}),
        },
    ))["seq"])


def open_review_item(conn: Conn, *, suggestion: Suggestion, route: Route) -> ReviewItem:
    """Put the routed suggestion in its queue; the same subject never sits in a queue twice.

    When the subject already has an open item in that queue, the newer suggestion replaces the
    older one in it (and any decision still being made on the older one becomes stale).
    """
    Q = load("routing")
    params = {
        "id": uuid4(),
        "unit_id": route.unit_id,
        "suggestion_id": suggestion.id,
        "route_id": route.id,
        "subject": suggestion.subject,
        "queue": route.queue,
        "priority": route.priority.value,
        "priority_rank": PRIORITY_RANK[route.priority],
        "sla_due": route.sla_due,
        "qa_sample": route.qa_sample,
        "two_reviewers": route.two_reviewers,
    }
    for _ in range(3):  # a concurrent insert for the same subject can win between the two statements
        row = conn.execute(Q.insert_review_item, params).fetchone()
        if row is not None:
            record_review_event(conn, item_id=row["id"], event="created", status_after=ReviewStatus.ready, actor="gate",
                                detail={"suggestion_id": str(suggestion.id), "reasons": route.reasons})
            return ReviewItem(**row)
        existing = conn.execute(Q.lock_open_item, {"subject": suggestion.subject, "queue": route.queue}).fetchone()
        if existing is not None:
            row = fetch_one(conn.execute(Q.replace_item_suggestion, {**params, "id": existing["id"]}))
            record_review_event(
                conn,
                item_id=row["id"],
                event="suggestion_replaced",
                status_after=row["status"],
                actor="gate",
                detail={"suggestion_id": str(suggestion.id), "replaced": str(existing["suggestion_id"]), "version": row["version"]},
            )
            return ReviewItem(**row)
    raise RuntimeError("could not open a review item after 3 attempts")


def get_suggestion(conn: Conn, *, suggestion_id: UUID) -> Suggestion | None:
    row = conn.execute(load("routing").get_suggestion, {"id": suggestion_id}).fetchone()
    if row is None:
        return None
    row.pop("created_at")
    return Suggestion(**row)


def get_route_for(conn: Conn, *, suggestion_id: UUID) -> Route | None:
    row = conn.execute(load("routing").get_route_for_suggestion, {"suggestion_id": suggestion_id}).fetchone()
    if row is None:
        return None
    row.pop("created_at")
    return Route(**row)


def lock_suggestion_id(conn: Conn, *, suggestion_id: UUID) -> None:
    """Serialize writers of one suggestion id until the caller's transaction ends."""
    conn.execute(load("routing").lock_suggestion_id, {"id": str(suggestion_id)})


def review_item_for_suggestion(conn: Conn, *, suggestion_id: UUID) -> ReviewItem | None:
    row = conn.execute(load("routing").review_item_for_suggestion, {"suggestion_id": suggestion_id}).fetchone()
    return ReviewItem(**row) if row else None


def list_review_items(
    conn: Conn,
    *,
    unit_id: UUID | None = None,
    queue: str | None = None,
    status: ReviewStatus | None = None,
    limit: int = 100,
) -> list[ReviewItem]:
    rows = conn.execute(
        load("routing").list_review_items,
        {"unit_id": unit_id, "queue": queue, "status": status.value if status else None, "limit": limit},
    ).fetchall()
    return [ReviewItem(**r) for r in rows]


def route_counts(conn: Conn) -> list[dict[str, Any]]:
    return conn.execute(load("routing").route_counts).fetchall()


def agent_of_decision(conn: Conn, *, decision_id: UUID) -> str | None:
    row = conn.execute(load("routing").agent_of_decision, {"id": decision_id}).fetchone()
    return row["agent"] if row else None
