"""The one gate (DESIGN promise 1): every agent output becomes a Route here, by policy, and is logged.

`decide_route` is a pure function of the suggestion and the policy, so it can be property-tested;
`route_suggestion` loads the unit's current policy, decides, and records the suggestion, the route
and (for review, or a QA sample) the review item in one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import psycopg

from models.governance import (
    ALWAYS_REVIEW_PLAIN,
    HUMAN_ONLY_LABELS,
    PRIORITY_RANK,
    ClinicalCategory,
    Policy,
    Priority,
    ReviewItem,
    Route,
    RouteDecision,
    Suggestion,
    financial_flag,
)
from store import notifications
from store import policy as policy_store
from store import routing

# Clinical categories that make an item emergent or urgent whatever the agent said.
_EMERGENT = {ClinicalCategory.emergency_symptoms, ClinicalCategory.self_harm, ClinicalCategory.critical_result}
_URGENT = {ClinicalCategory.abnormal_result, ClinicalCategory.abuse}


class NoPolicy(LookupError):
    """The unit has no routing policy yet; nothing may be routed without one."""


@dataclass(frozen=True)
class GateOutcome:
    suggestion: Suggestion
    route: Route
    review_item: ReviewItem | None


def _max_priority(*ps: Priority) -> Priority:
    return max(ps, key=lambda p: PRIORITY_RANK[p])


def qa_draw(suggestion_id: object, policy_version: int) -> float:
    """A reproducible draw in [0, 1) for QA sampling: anyone can recompute who was sampled."""
    digest = hashlib.sha256(f"{suggestion_id}:{policy_version}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def decide_route(suggestion: Suggestion, policy: Policy, *, policy_version: int, now: datetime) -> Route:
    """Turn a suggestion into a route. Documents and models cannot influence this except through
    the suggestion's typed fields; free text is never read here (DESIGN promise 5)."""
    flags = set(suggestion.flags)
    reasons: set[str] = set()

    threshold = policy.threshold_for(suggestion.agent, suggestion.label)
    if suggestion.confidence < threshold:
        flags.add("low_confidence")
    if suggestion.amount is not None and suggestion.amount > policy.materiality_amount:
        flags.add(financial_flag("over_materiality"))

    categories = {ClinicalCategory(f.split(":", 1)[1]) for f in flags if f.startswith("clinical:")}
    # Every clinical category always needs review (the policy cannot drop one; see Policy).
    reasons |= {f for f in flags if f.startswith("clinical:") or f.startswith("financial:")}
    reasons |= flags & ALWAYS_REVIEW_PLAIN
    reasons |= flags & set(policy.review_flags)
    label_key = f"{suggestion.agent}:{suggestion.label}"
    if suggestion.label is not None and label_key in policy.review_labels:
        reasons.add(f"label:{label_key}")
    human_only_queue = HUMAN_ONLY_LABELS.get(label_key) if suggestion.label is not None else None
    if human_only_queue is not None:
        reasons.add(f"human_only:{label_key}")  # in code: no policy can let it apply automatically

    priority = suggestion.urgency
    if categories & _EMERGENT:
        priority = _max_priority(priority, Priority.emergent)
    elif categories & _URGENT:
        priority = _max_priority(priority, Priority.urgent)
    elif categories and "language_unsupported" in flags:
        # A cue fired in a text our models cannot read: whatever it is, a person should see it soon.
        priority = _max_priority(priority, Priority.urgent)
    if priority == Priority.emergent:
        reasons.add("urgency:emergent")

    decision = RouteDecision.review if reasons else RouteDecision.auto
    # Clinical content stays with clinicians: a label (an LLM's, say) cannot move it to a queue whose
    # staff may not read clinical text. Emergent needs a clinician within the hour whatever the label,
    # even when no category named it (an emergent head or urgency label alone).
    clinical = bool(categories) or "clinical_content" in flags or priority == Priority.emergent
    queue = policy.clinical_queue if clinical else policy.queue_for(suggestion.agent, suggestion.label)
    if human_only_queue is not None:
        queue = human_only_queue
    qa_sample = decision == RouteDecision.auto and qa_draw(suggestion.id, policy_version) < policy.qa_sample_rate
    two_reviewers = decision == RouteDecision.review and (
        (priority == Priority.emergent and policy.two_reviewers_for_emergent)
        or (suggestion.amount is not None and suggestion.amount > policy.high_risk_amount)
    )
    if decision == RouteDecision.auto:
        reasons = {f"confidence>={threshold:.2f}"} | ({"qa_sample"} if qa_sample else set())
    return Route(
        suggestion_id=suggestion.id,
        unit_id=suggestion.unit_id,
        decision=decision,
        queue=queue,
        priority=priority,
        sla_due=now + timedelta(minutes=policy.sla_minutes[priority]),
        reasons=sorted(reasons),
        policy_version=policy_version,
        qa_sample=qa_sample,
        two_reviewers=two_reviewers,
    )


def route_suggestion(conn: psycopg.Connection, suggestion: Suggestion, *, now: datetime | None = None) -> GateOutcome:
    """Route and record one suggestion. The caller's transaction (if any) holds all three writes.

    Idempotent by suggestion id: an agent that derives the id from its run (a graph step re-run
    after a crash) gets back what was recorded the first time, and nothing is written twice."""
    current = policy_store.current_policy(conn, unit_id=suggestion.unit_id)
    if current is None:
        raise NoPolicy(f"service unit {suggestion.unit_id} has no routing policy; run `handoff policy set`")
    with conn.transaction():
        routing.lock_suggestion_id(conn, suggestion_id=suggestion.id)
        recorded = recorded_outcome(conn, suggestion_id=suggestion.id)
        if recorded is not None:
            return recorded
        route = decide_route(suggestion, current.policy, policy_version=current.version,
                             now=now or datetime.now(timezone.utc))
        routing.insert_suggestion(conn, suggestion)
        routing.insert_route(conn, route)
        item = None
        if route.decision == RouteDecision.review or route.qa_sample:
            item = routing.open_review_item(conn, suggestion=suggestion, route=route)
            if route.priority == Priority.emergent and route.decision == RouteDecision.review:
                # The people of the queue hear of it now (by the outbox: sent once this commits).
                notifications.enqueue(conn, unit_id=route.unit_id, kind="review.emergent", queue=route.queue,
                                      review_item_id=item.id, detail={"sla_due": route.sla_due.isoformat()})
    return GateOutcome(suggestion=suggestion, route=route, review_item=item)


def recorded_outcome(conn: psycopg.Connection, *, suggestion_id) -> GateOutcome | None:
    """What the gate recorded for a suggestion id, or None when it has not routed it."""
    suggestion = routing.get_suggestion(conn, suggestion_id=suggestion_id)
    if suggestion is None:
        return None
    route = routing.get_route_for(conn, suggestion_id=suggestion_id)
    if route is None:  # cannot happen: both are written in one transaction
        raise RuntimeError(f"suggestion {suggestion_id} has no route")
    return GateOutcome(suggestion=suggestion, route=route,
                       review_item=routing.review_item_for_suggestion(conn, suggestion_id=suggestion_id))
