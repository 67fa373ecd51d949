"""Shapes of the review queue as the API and pages see them: queues, items, decisions, reason codes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.governance import DecisionAction, Evidence, Priority, ReviewStatus

# The controlled list of reasons, per action. "other" needs a note.
REASON_CODES: dict[DecisionAction, tuple[str, ...]] = {
    DecisionAction.accept: ("correct", "correct_minor_issues"),
    DecisionAction.override: (
        "wrong_label", "wrong_urgency", "wrong_fields", "missed_sensitive", "wrong_queue",
        "wrong_patient_match", "policy_exception", "other",
    ),
    DecisionAction.reject: ("not_actionable", "duplicate", "wrong_patient", "unreadable", "misdirected", "spam", "other"),
}

LEASE_SECONDS = 10 * 60


class QueueSummary(BaseModel):
    unit_code: str
    queue: str
    ready: int
    in_progress: int
    oldest_age_minutes: float | None
    sla_breaches: int
    emergent: int
    urgent: int


class SimilarCase(BaseModel):
    """A resolved case near this one: what reviewers decided, never its text."""

    similarity: float
    doc_type: str | None
    urgency: str | None
    queue: str
    filed_at: datetime


class ReviewItemView(BaseModel):
    """What a reviewer sees of an item; fields a role may not see are left out (None / absent)."""

    model_config = ConfigDict(extra="forbid")

    id: UUID
    unit_code: str
    queue: str
    priority: Priority
    sla_due: datetime
    status: ReviewStatus
    holder: str | None = None
    lease_until: datetime | None = None
    version: int
    round: int = 1
    qa_sample: bool = False
    two_reviewers: bool = False
    subject: str
    agent: str
    kind: str
    label: str | None = None
    value: dict[str, Any] | None = None
    confidence: float
    flags: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    evidence: list[Evidence] | None = None
    amount: Decimal | None = None
    model_version: str
    policy_version: int
    created_at: datetime
    source_text: str | None = None  # the document text the evidence spans point into
    source_pages: list[int] | None = None  # first and last page of a faxed document
    similar_cases: list[SimilarCase] = Field(default_factory=list)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: DecisionAction
    reason_code: str = Field(min_length=1, max_length=40)
    new_value: dict[str, Any] | None = None
    note: str | None = Field(None, max_length=2000)
    item_version: int = Field(ge=1, description="The version of the item you read; a newer one gives 409.")

    @model_validator(mode="after")
    def _reason_fits(self) -> "DecisionIn":
        allowed = REASON_CODES[self.action]
        if self.reason_code not in allowed:
            raise ValueError(f"reason_code: {self.reason_code!r} is not a reason for {self.action.value}; use one of {', '.join(allowed)}")
        if self.reason_code == "other" and not (self.note and self.note.strip()):
            raise ValueError("note: reason 'other' needs a note saying why")
        if self.action == DecisionAction.override and not self.new_value:
            raise ValueError("new_value: an override needs the corrected value")
        if self.action != DecisionAction.override and self.new_value is not None:
            raise ValueError("new_value: only an override carries a new value")
        return self


class DecisionOut(BaseModel):
    decision_id: UUID
    item_id: UUID
    status: ReviewStatus
    final: bool
    round: int
    escalated: bool = False


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queue: str = Field(min_length=2, max_length=40, pattern=r"^[a-z_]+$")
    note: str | None = Field(None, max_length=2000)
