"""Referral cases: the states a referral goes through until the report goes back to the sender, the
moves allowed between them, and the case as staff see it. Shapes only (no I/O)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class CaseStatus(StrEnum):
    received = "received"
    information_missing = "information_missing"
    complete = "complete"
    authorization_pending = "authorization_pending"
    scheduled = "scheduled"
    seen = "seen"
    report_sent_back = "report_sent_back"
    cancelled = "cancelled"


S = CaseStatus
# The path a referral takes; a person may also move a case back one step when a fact was wrong.
ALLOWED_MOVES: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.received: frozenset({S.information_missing, S.complete, S.cancelled}),
    S.information_missing: frozenset({S.complete, S.cancelled}),
    S.complete: frozenset({S.information_missing, S.authorization_pending, S.scheduled, S.cancelled}),
    S.authorization_pending: frozenset({S.complete, S.scheduled, S.cancelled}),
    S.scheduled: frozenset({S.authorization_pending, S.seen, S.cancelled}),
    S.seen: frozenset({S.scheduled, S.report_sent_back}),
    S.report_sent_back: frozenset(),
    S.cancelled: frozenset(),
}
CLOSED = frozenset({S.report_sent_back, S.cancelled})
# Days from opening to the due date, by the referral's urgency (DESIGN's urgency labels).
DUE_DAYS = {"emergent": 1, "urgent": 3, "routine": 10}


class CaseMoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: CaseStatus
    note: str | None = Field(None, max_length=500)


class CaseUpdateIn(BaseModel):
    """Owner and due date changes (either or both)."""

    model_config = ConfigDict(extra="forbid")

    owner: str | None = Field(None, min_length=2, max_length=80, pattern=r"^[a-z0-9_.@-]+$")
    due: date | None = None


class CaseEvent(BaseModel):
    seq: int
    at: datetime
    event: str
    status_after: CaseStatus
    owner_after: str | None = None
    due_after: date | None = None
    actor: str
    detail: dict[str, Any] = Field(default_factory=dict)


class ReferralCase(BaseModel):
    id: UUID
    unit_code: str
    patient_mrn: str | None = None
    service: str | None = None
    urgency: str = "routine"
    status: CaseStatus
    owner: str | None = None
    due: date | None = None
    opened_at: datetime
    updated_at: datetime
    age_days: float
    overdue: bool
    sender: dict[str, Any] = Field(default_factory=dict)
    events: list[CaseEvent] = Field(default_factory=list)
