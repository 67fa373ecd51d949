"""Shapes of what compliance officers read: the output and decision logs, rates, QA error, chain status."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_before_seq: int | None = None  # pass as before_seq for the next (older) page


class OutputRow(BaseModel):
    seq: int
    id: UUID
    created_at: datetime
    unit_code: str
    agent: str
    kind: str
    subject: str
    label: str | None
    value: dict[str, Any]
    confidence: float
    flags: list[str]
    model_version: str
    prompt_hash: str | None
    input_hash: str
    patient_group: dict[str, Any]
    amount: Decimal | None
    route: str
    queue: str
    priority: str
    reasons: list[str]
    policy_version: int
    qa_sample: bool


class DecisionRow(BaseModel):
    seq: int
    id: UUID
    decided_at: datetime
    unit_code: str
    review_item_id: UUID
    suggestion_id: UUID
    round: int
    final: bool
    action: str
    reason_code: str
    new_value: dict[str, Any] | None
    note: str | None
    decided_by: str
    agent: str
    label: str | None
    model_version: str
    confidence: float
    suggested_value: dict[str, Any]
    patient_group: dict[str, Any]
    qa_sample: bool
    seconds_to_decision: float | None


class RateRow(BaseModel):
    group: str | None
    n: int
    auto_rate: float | None
    decided: int
    override_rate: float | None
    median_seconds_to_decision: float | None


class QaRow(BaseModel):
    agent: str
    sampled: int
    reviewed: int
    wrong: int
    error_rate: float | None
    ci_low: float | None
    ci_high: float | None
    note: str


class ChainStatus(BaseModel):
    ok: bool
    rows: int
    head_seq: int
    head_hash: str
    problem: str | None = None
    # True when only the rows after the last verified anchor were walked (a full walk of a large
    # log takes a minute; `handoff audit verify` does one and records where it ended).
    incremental: bool = False
