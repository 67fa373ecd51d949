"""The governance vocabulary: suggestions, flags, routes, policies, review items and decisions.

Every agent speaks in `Suggestion`s; only `agents/gate.py` turns one into a `Route`.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.visibility import FieldAccess


class ClinicalCategory(StrEnum):
    emergency_symptoms = "emergency_symptoms"
    self_harm = "self_harm"
    critical_result = "critical_result"
    abnormal_result = "abnormal_result"
    controlled_substance = "controlled_substance"
    pregnancy = "pregnancy"
    abuse = "abuse"


class Priority(StrEnum):
    routine = "routine"
    urgent = "urgent"
    emergent = "emergent"


# The one urgency order: the order Priority declares its members in.
PRIORITY_RANK: dict[str, int] = {p.value: rank for rank, p in enumerate(Priority)}


class Queue(StrEnum):
    front_desk = "front_desk"
    referrals = "referrals"
    nursing = "nursing"
    billing = "billing"
    compliance = "compliance"
    scheduling = "scheduling"


# Flags that are not clinical or financial; `clinical:<category>` and `financial:<reason>` are
# built with the helpers below.
PLAIN_FLAGS = frozenset(
    {
        "low_confidence",
        "degraded_input",
        "fallback_model",
        "injection_suspected",
        "language_unsupported",
        "destination_change",
        "duplicate_suspected",
        "incomplete",
        "qa_sample",
        "high_risk",
        # Local detectors or the local classifier read the content as clinical: the item stays in the
        # unit's clinical queue whatever label an LLM gave it.
        "clinical_content",
        # Processing failed on every attempt (poison input, a corrupt stored file): a person looks at it.
        "processing_failed",
    }
)
_FLAG_RE = re.compile(r"^(clinical:[a-z_]+|financial:[a-z0-9_]+|[a-z_]+)$")


def clinical_flag(category: ClinicalCategory | str) -> str:
    """The flag for a clinical category: `clinical:<category>`."""
    return f"clinical:{ClinicalCategory(category).value}"


def financial_flag(reason: str) -> str:
    """The flag for a financial reason: `financial:<reason>`."""
    return f"financial:{reason}"


def validate_flag(flag: str) -> str:
    """The flag itself, or ValueError naming the forms a flag may take."""
    if not _FLAG_RE.match(flag):
        raise ValueError(f"flag {flag!r} is not of the form clinical:<category>, financial:<reason> or a plain flag")
    if flag.startswith("clinical:"):
        ClinicalCategory(flag.split(":", 1)[1])  # raises on an unknown category
    elif not flag.startswith("financial:") and flag not in PLAIN_FLAGS:
        raise ValueError(f"unknown flag {flag!r}; known: {sorted(PLAIN_FLAGS)}")
    return flag


class Evidence(BaseModel):
    """Where a fact came from: a span of source text, a page, a feature or a table row."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["span", "page", "feature", "table_row", "rule"] = "span"
    source: str | None = None  # which document part, field or table
    start: int | None = None
    end: int | None = None
    page: int | None = None
    text: str | None = None
    value: Any = None
    note: str | None = None


class Suggestion(BaseModel):
    """One agent output, before the gate has routed it."""

    model_config = ConfigDict(extra="forbid")

    id: UUID = Field(default_factory=uuid4)
    agent: str  # intake, noshow, claims
    kind: str  # what sort of output: doc_type, noshow_action, claim_check, ...
    unit_id: UUID
    subject: str  # what it is about, e.g. "inbound:<uuid>", "appointment:<id>", "claim:<id>"
    label: str | None = None  # the primary categorical value, used for thresholds and queues
    value: dict[str, Any] = Field(default_factory=dict)
    confidence: float = Field(ge=0.0, le=1.0)
    urgency: Priority = Priority.routine
    amount: Decimal | None = None  # money at stake, for financial materiality
    evidence: list[Evidence] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    model_version: str
    prompt_hash: str | None = None
    input_hash: str
    patient_group: dict[str, str] = Field(default_factory=dict)  # for fairness of the human loop
    contains_phi: bool = True

    @field_validator("flags")
    @classmethod
    def _flags_known(cls, flags: list[str]) -> list[str]:
        return sorted({validate_flag(f) for f in flags})


class RouteDecision(StrEnum):
    auto = "auto"
    review = "review"


class Route(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID = Field(default_factory=uuid4)
    suggestion_id: UUID
    unit_id: UUID
    decision: RouteDecision
    queue: str
    priority: Priority
    sla_due: datetime
    reasons: list[str]  # the flags and rules that decided the route
    policy_version: int
    qa_sample: bool = False  # auto-applied but also sent to review to measure automation error
    two_reviewers: bool = False  # policy marks it high-risk: two independent decisions

    @model_validator(mode="after")
    def _review_has_reason(self) -> "Route":
        if self.decision == RouteDecision.review and not self.reasons:
            raise ValueError("a review route must say why")
        return self


# Flags that send an item to review whatever the policy says (DESIGN promise 4).
ALWAYS_REVIEW_PLAIN = frozenset({"low_confidence", "degraded_input", "fallback_model", "injection_suspected",
                                 "processing_failed", "language_unsupported", "destination_change"})
# Outputs only a person may apply, whatever a policy says, and the queue they always go to:
# overbooking on predicted no-shows makes some patient groups wait longer, so a practice manager decides.
HUMAN_ONLY_LABELS: dict[str, str] = {"noshow:overbook": "management"}

# The queues a new clinic starts with: each kind of work to the people who do it.
CLINIC_QUEUES: dict[str, str] = {
    "intake": "front_desk",
    "intake:referral": "referrals",
    "intake:prior_auth": "referrals",
    "intake:clinical_question": "nursing",
    "intake:clinical_note": "nursing",
    "intake:lab_result": "nursing",
    "intake:imaging_report": "nursing",
    "intake:rx_refill": "nursing",
    "intake:billing_question": "billing",
    "intake:payer_correspondence": "billing",
    "claims": "billing",
    "noshow": "scheduling",
    "noshow:overbook": "management",
}


class ReviewCutoffs(BaseModel):
    """Cut-offs inside agents that decide whether a flag is raised (and so force review). Versioned
    with the rest of the policy; the defaults are the values the agents used before they were data."""

    model_config = ConfigDict(extra="forbid")

    # claims: a denial risk at or above this is `financial:denial_risk` (always to a biller).
    claims_denial_risk: float = Field(0.5, ge=0.0, le=1.0)
    # intake: the same patient's item within this many days and at least this cosine similarity of
    # the text embeddings is `duplicate_suspected`.
    intake_duplicate_similarity: float = Field(0.95, ge=0.0, le=1.0)
    intake_duplicate_days: int = Field(30, ge=1, le=3650)
    # intake patient match: score = 1 for an exact MRN/member id + 0.5 for the same birth date + the
    # name's similarity (0..1). Below `min` there is no match; from `confident` the match is confident.
    intake_patient_match_min: float = Field(1.3, ge=0.0, le=2.5)
    intake_patient_match_confident: float = Field(2.0, ge=0.0, le=2.5)
    # Two registry records with the same birth date and at least this name similarity to the document
    # are one person registered twice (`duplicate_suspected`).
    intake_same_person_name_similarity: float = Field(0.85, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> "ReviewCutoffs":
        if self.intake_patient_match_confident < self.intake_patient_match_min:
            raise ValueError("cutoffs: intake_patient_match_confident must be at least intake_patient_match_min")
        return self


# Minimum confidence to auto-route each intake doc_type: chosen by tools/intake/training.py
# (choose_auto_thresholds) on the leave-one-author-out predictions of the hand-written corpus, so
# that the upper 95% Clopper-Pearson bound of the error among the items they auto-route is <= 2%
# (pooled; each doc_type's own observed error is held to the same level; rounded up). 1.0 means
# never auto: too few of that doc_type's eligible items are right often enough to show the bound.
# Regenerate with `handoff train intake` (it prints them) when the model changes.
# As chosen on 2026-11-29 for the model trained on authors w1-w5, w8, w9 (2,600 items) + 600
# template items: 186 of 2,600 cross-fitted items auto-routed with no error (upper bound 1.6%),
# 10.3% of the non-sensitive ones.
INTAKE_MIN_CONFIDENCE: dict[str, float] = {
    "intake:referral": 0.894,
    "intake:prior_auth": 1.0,
    "intake:lab_result": 1.0,
    "intake:imaging_report": 1.0,
    "intake:clinical_note": 0.897,
    "intake:records_request": 0.865,
    "intake:rx_refill": 0.723,
    "intake:payer_correspondence": 0.94,
    "intake:appointment_request": 1.0,
    "intake:billing_question": 0.932,
    "intake:clinical_question": 1.0,
    "intake:forms_request": 1.0,
    "intake:other": 1.0,
}


class Policy(BaseModel):
    """The routing policy of one service unit at one version. Policy is data; the gate is code."""

    model_config = ConfigDict(extra="forbid")

    default_min_confidence: float = Field(0.90, ge=0.0, le=1.0)
    # Keys are "<agent>" or "<agent>:<label>"; the most specific key wins.
    min_confidence: dict[str, float] = Field(default_factory=lambda: dict(INTAKE_MIN_CONFIDENCE))
    # Labels ("<agent>:<label>") that always need review, e.g. "noshow:overbook".
    review_labels: list[str] = Field(default_factory=list)
    # Clinical categories that always need review; every category of DESIGN.md must be present.
    review_categories: list[ClinicalCategory] = Field(default_factory=lambda: list(ClinicalCategory))
    # Plain flags that need review on top of the ones the gate always honours.
    review_flags: list[str] = Field(default_factory=lambda: ["duplicate_suspected", "incomplete"])
    materiality_amount: Decimal = Field(Decimal("1000"), ge=0)
    high_risk_amount: Decimal = Field(Decimal("10000"), ge=0)
    two_reviewers_for_emergent: bool = True
    # Queue per "<agent>:<label>" or "<agent>"; "clinical" is the queue for clinically flagged items.
    queues: dict[str, str] = Field(default_factory=dict)
    default_queue: str = Queue.front_desk.value
    clinical_queue: str = Queue.nursing.value
    sla_minutes: dict[Priority, int] = Field(
        default_factory=lambda: {Priority.emergent: 60, Priority.urgent: 24 * 60, Priority.routine: 3 * 24 * 60}
    )
    qa_sample_rate: float = Field(0.05, ge=0.0, le=1.0)
    # Promise 6: PHI goes to an external LLM only when allowed, and then redacted at this level.
    llm_phi_allowed: bool = False
    llm_redaction: Literal["none", "identifiers", "strict"] = "strict"
    cutoffs: ReviewCutoffs = Field(default_factory=ReviewCutoffs)
    # Minimum necessary: which parts of an output each role sees, per document kind (models/visibility.py).
    field_access: FieldAccess = Field(default_factory=FieldAccess)

    @field_validator("review_categories")
    @classmethod
    def _all_categories(cls, cats: list[ClinicalCategory]) -> list[ClinicalCategory]:
        missing = set(ClinicalCategory) - set(cats)
        if missing:
            raise ValueError(
                "review_categories must keep every clinical category (DESIGN promise 4); missing: "
                + ", ".join(sorted(missing))
            )
        return sorted(set(cats))

    @field_validator("review_flags")
    @classmethod
    def _flags_known(cls, flags: list[str]) -> list[str]:
        return sorted({validate_flag(f) for f in flags})

    @model_validator(mode="after")
    def _amounts_ordered(self) -> "Policy":
        if self.high_risk_amount < self.materiality_amount:
            raise ValueError("high_risk_amount must be at least materiality_amount")
        missing = set(Priority) - set(self.sla_minutes)
        if missing:
            raise ValueError("sla_minutes needs a value for every priority; missing: " + ", ".join(sorted(missing)))
        return self

    def threshold_for(self, agent: str, label: str | None) -> float:
        if label is not None and f"{agent}:{label}" in self.min_confidence:
            return self.min_confidence[f"{agent}:{label}"]
        return self.min_confidence.get(agent, self.default_min_confidence)

    def queue_for(self, agent: str, label: str | None) -> str:
        if label is not None and f"{agent}:{label}" in self.queues:
            return self.queues[f"{agent}:{label}"]
        return self.queues.get(agent, self.default_queue)


def clinic_default_policy() -> Policy:
    """The policy `handoff init` and `handoff units add` give a new unit: the defaults of `Policy`,
    with each kind of work queued to the people who do it."""
    return Policy(queues=dict(CLINIC_QUEUES), review_labels=["noshow:overbook"])


class PolicyVersion(BaseModel):
    unit_id: UUID
    version: int
    policy: Policy
    changed_by: str
    changed_at: datetime
    note: str | None = None


class ReviewStatus(StrEnum):
    ready = "ready"
    in_progress = "in-progress"
    completed = "completed"
    rejected = "rejected"
    cancelled = "cancelled"


class ReviewItem(BaseModel):
    id: UUID
    unit_id: UUID
    suggestion_id: UUID
    route_id: UUID
    subject: str
    queue: str
    priority: Priority
    sla_due: datetime
    status: ReviewStatus
    qa_sample: bool = False
    holder: str | None = None
    lease_until: datetime | None = None
    created_at: datetime
    version: int = 1  # bumps when the suggestion under review is replaced; stale decisions get 409


class DecisionAction(StrEnum):
    accept = "accept"
    override = "override"
    reject = "reject"


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    review_item_id: UUID
    action: DecisionAction
    reason_code: str
    new_value: dict[str, Any] | None = None
    note: str | None = Field(None, max_length=2000)
    decided_by: str
    decided_at: datetime | None = None

    @model_validator(mode="after")
    def _override_has_value(self) -> "Decision":
        if self.action == DecisionAction.override and not self.new_value:
            raise ValueError("new_value: an override needs the corrected value")
        return self
