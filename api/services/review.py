"""The review queue's service functions, shared by the API and the pages: list queues, claim the
next item, read it (an audited PHI read), decide, release, reassign; two independent reviewers for
what the policy marks high-risk, with disagreements escalated to a practice manager."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import psycopg

from agents.jobs import enqueue_decision
from api.access import project_item, roles_for_queue
from api.errors import BadInput, Conflict, Forbidden, NotFound
from models.governance import DecisionAction, ReviewStatus
from models.org import Role, User
from models.visibility import FieldAccess
from models.review import (
    LEASE_SECONDS,
    DecisionIn,
    DecisionOut,
    QueueSummary,
    ReviewItemView,
    SimilarCase,
    override_problems,
)
from store import audit
from store import intake as intake_store
from store import policy as policy_store
from store import review as review_store
from store.routing import record_review_event


def _units_for_queue(user: User, queue: str) -> list[UUID]:
    allowed = roles_for_queue(queue)
    return sorted({r.unit_id for r in user.roles if r.role in allowed}, key=str)


def _worker_units(user: User) -> list[UUID]:
    return sorted({r.unit_id for r in user.roles}, key=str)


def list_queues(conn: psycopg.Connection, *, user: User) -> list[QueueSummary]:
    """The queues the user may work, with counts, oldest age and SLA breaches; urgent first."""
    rows = review_store.queue_summaries(conn, unit_ids=_worker_units(user))
    visible = []
    for r in rows:
        units = {ur.unit_code for ur in user.roles if ur.role in roles_for_queue(r["queue"])}
        if r["unit_code"] in units:
            visible.append(QueueSummary(**r))
    return visible


def claim_next(conn: psycopg.Connection, *, user: User, queue: str, lease_seconds: int = LEASE_SECONDS) -> ReviewItemView | None:
    unit_ids = _units_for_queue(user, queue)
    if not unit_ids:
        raise Forbidden(f"your role does not work the {queue} queue", field="queue")
    claimed = review_store.claim_next_item(conn, unit_ids=unit_ids, queue=queue, holder=user.username,
                                           lease_seconds=lease_seconds)
    if claimed is None:
        return None
    return read_item(conn, user=user, item_id=claimed[0], purpose="review")


def _visible_row(conn: psycopg.Connection, *, user: User, item_id: UUID) -> tuple[dict, set[Role]]:
    row = review_store.get_item_view(conn, item_id=item_id)
    if row is None:
        raise NotFound("no such review item", field="item_id")
    roles = user.roles_in(row["unit_id"])
    if not roles & roles_for_queue(row["queue"]):
        # Another unit's item, or a queue the role does not work: say nothing about it.
        raise NotFound("no such review item", field="item_id")
    return row, roles


def agent_of_item(conn: psycopg.Connection, *, user: User, item_id: UUID) -> str:
    """Which agent's output an item is (404 for an item the user may not see)."""
    row, _ = _visible_row(conn, user=user, item_id=item_id)
    return row["agent"]


def field_access_of(conn: psycopg.Connection, unit_id: UUID) -> FieldAccess:
    """The unit's field policy (minimum necessary), from its current routing policy version."""
    current = policy_store.current_policy(conn, unit_id=unit_id)
    return current.policy.field_access if current else FieldAccess()


def read_item(conn: psycopg.Connection, *, user: User, item_id: UUID, purpose: str = "review") -> ReviewItemView:
    """The item as this user may see it (the unit's field policy decides). Reading PHI writes an audit
    row naming what was shown."""
    row, roles = _visible_row(conn, user=user, item_id=item_id)
    view = {k: v for k, v in row.items() if k not in {"unit_id", "contains_phi", "first_reviewer"}}
    view.update(_source_of(conn, row["subject"], row["value"] or {}))
    projected = project_item(view, roles, field_access_of(conn, row["unit_id"]))
    if row["contains_phi"]:
        shown = ["value"] + [k for k in ("evidence", "source_text", "claim") if projected.get(k)]
        audit.record_phi_read(conn, actor=user.username, subject=row["subject"], purpose=purpose,
                              unit_id=row["unit_id"], fields=shown)
    return ReviewItemView(**projected)


def _source_of(conn: psycopg.Connection, subject: str, value: dict[str, Any]) -> dict[str, Any]:
    """For an inbound document: its text (the evidence offsets point into it), its pages, and the
    nearest resolved cases (pgvector over stored embeddings). For a claim: the claim version checked."""
    if subject.startswith("claim:"):
        from store import claims as claims_store

        row_id = value.get("claim_row_id")
        claim = claims_store.get_claim(conn, claim_id=UUID(row_id)) if row_id else None
        return {"claim": claim["payload"], "claim_version": claim["version"]} if claim else {}
    if not subject.startswith("inbound_part:"):
        return {}
    part_id = UUID(subject.split(":", 1)[1])
    part = intake_store.get_part(conn, part_id=part_id)
    if part is None:
        return {}
    pages = [part["page_start"], part["page_end"]] if part["page_start"] else None
    return {"source_text": part["text"], "source_pages": pages, "channel": part["channel"],
            "similar_cases": [SimilarCase(**{k: r[k] for k in ("similarity", "doc_type", "urgency", "queue", "filed_at")})
                              for r in intake_store.similar_resolved_to_part(conn, part_id=part_id)]}


def checked_override(row: dict[str, Any], new_value: dict[str, Any]) -> dict[str, Any]:
    """The override as it will be stored: checked against what a reviewer may change and the label
    sets (422 naming the field otherwise; overrides feed retraining), with an intake item's extracted
    fields the reviewer's role did not see kept as they were."""
    original = row["value"] or {}
    problems = override_problems(row["agent"], row["kind"], original, new_value)
    if problems:
        field, message = problems[0]
        raise BadInput(f"{field}: {message}", field=field)
    if row["agent"] == "intake" and isinstance(new_value.get("fields"), dict) and isinstance(original.get("fields"), dict):
        new_value = {**new_value, "fields": {**original["fields"], **new_value["fields"]}}
    return new_value


def decide(conn: psycopg.Connection, *, user: User, item_id: UUID, decision: DecisionIn) -> DecisionOut:
    """Record a decision on an item the user holds. 409 when the lease is gone or the item changed."""
    row, _ = _visible_row(conn, user=user, item_id=item_id)
    if decision.action == DecisionAction.override and decision.new_value:
        decision = decision.model_copy(update={"new_value": checked_override(row, decision.new_value)})
    item = review_store.lock_item(conn, item_id=item_id)
    if item["status"] != ReviewStatus.in_progress.value or item["holder"] != user.username:
        raise Conflict("you do not hold this item (it was released, expired or decided); claim it again")
    if not item["lease_valid"]:
        raise Conflict("your lease on this item has expired; claim it again")
    if item["version"] != decision.item_version:
        raise Conflict(f"the item changed since you read it (now version {item['version']}); read it again")

    round_ = item["round"]
    first_of_two = item["two_reviewers"] and round_ == 1
    agrees = True
    if round_ == 2:
        # The second reviewer decided without seeing the first; compare only now.
        first = [d for d in review_store.decisions_for_item(conn, item_id=item_id) if d["round"] == 1][-1]
        agrees = _same_decision(first, decision)
    decision_id = uuid4()
    review_store.insert_decision(
        conn, id=decision_id, review_item_id=item_id, unit_id=item["unit_id"], suggestion_id=item["suggestion_id"],
        round=round_, final=not first_of_two and agrees, action=decision.action.value,
        reason_code=decision.reason_code, new_value=decision.new_value, note=decision.note,
        decided_by=user.username, item_version=item["version"],
    )
    if first_of_two:
        review_store.return_for_second_review(conn, item_id=item_id, first_reviewer=user.username)
        record_review_event(conn, item_id=item_id, event="first_decision", status_after=ReviewStatus.ready,
                            actor=user.username, detail={"decision_id": str(decision_id)})
        return DecisionOut(decision_id=decision_id, item_id=item_id, status=ReviewStatus.ready, final=False, round=1)
    if not agrees:
        review_store.escalate_item(conn, item_id=item_id)
        record_review_event(conn, item_id=item_id, event="escalated", status_after=ReviewStatus.ready,
                            actor=user.username, detail={"decision_id": str(decision_id)})
        return DecisionOut(decision_id=decision_id, item_id=item_id, status=ReviewStatus.ready, final=False,
                           round=2, escalated=True)

    status = ReviewStatus.rejected if decision.action == DecisionAction.reject else ReviewStatus.completed
    review_store.set_item_status(conn, item_id=item_id, status=status)
    record_review_event(conn, item_id=item_id, event="decided", status_after=status, actor=user.username,
                        detail={"decision_id": str(decision_id), "action": decision.action.value})
    enqueue_decision(conn, decision_id=decision_id)
    return DecisionOut(decision_id=decision_id, item_id=item_id, status=status, final=True, round=round_)


def _same_decision(first: dict[str, Any], second: DecisionIn) -> bool:
    return first["action"] == second.action.value and (first["new_value"] or None) == (second.new_value or None)


def release(conn: psycopg.Connection, *, user: User, item_id: UUID) -> ReviewStatus:
    """Give an item back unreviewed (skipping does not count as a review)."""
    _visible_row(conn, user=user, item_id=item_id)
    item = review_store.lock_item(conn, item_id=item_id)
    if item["status"] != ReviewStatus.in_progress.value or item["holder"] != user.username:
        raise Conflict("you do not hold this item")
    review_store.set_item_status(conn, item_id=item_id, status=ReviewStatus.ready)
    record_review_event(conn, item_id=item_id, event="released", status_after=ReviewStatus.ready, actor=user.username)
    return ReviewStatus.ready


def reassign(conn: psycopg.Connection, *, user: User, item_id: UUID, queue: str, note: str | None) -> ReviewStatus:
    """A practice manager moves an open item to another queue of the same unit."""
    row = review_store.get_item_view(conn, item_id=item_id)
    if row is None or Role.practice_manager not in user.roles_in(row["unit_id"]):
        raise NotFound("no such review item", field="item_id")
    item = review_store.lock_item(conn, item_id=item_id)
    if item["status"] not in (ReviewStatus.ready.value, ReviewStatus.in_progress.value):
        raise Conflict(f"the item is {item['status']}; only open items can be reassigned")
    try:
        with conn.transaction():
            review_store.move_item(conn, item_id=item_id, queue=queue)
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"the {queue} queue already holds an item about the same subject") from None
    record_review_event(conn, item_id=item_id, event="reassigned", status_after=ReviewStatus.ready,
                        actor=user.username, detail={"from": item["queue"], "to": queue, "note": bool(note)})
    return ReviewStatus.ready
