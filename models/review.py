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
    channel: str | None = None  # fax, message, referral: where an inbound document came from
    similar_cases: list[SimilarCase] = Field(default_factory=list)
    claim: dict[str, Any] | None = None  # the claim version a claim check is about (for correcting it)
    claim_version: int | None = None
    # Parts of the output the unit's field policy does not show this reader (models/visibility.py).
    withheld: list[str] = Field(default_factory=list)
    shown: list[str] = Field(default_factory=list)  # parts the reader's roles may see of this kind of output


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


# --- what a reviewer may change in an override, and to what -----------------------------------------

NOSHOW_ACTIONS = {"noshow_support": ("extra_reminder", "offer_transport", "offer_telehealth"),
                  "noshow_overbook": ("overbook",)}


class OverrideField(BaseModel):
    """One value a reviewer may correct: its key, and the allowed values when it is a label."""

    key: str
    choices: tuple[str, ...] | None = None
    many: bool = False  # a list of choices (no-show actions)


def editable_fields(agent: str, kind: str) -> list[OverrideField]:
    """The values of an output a reviewer may correct; everything else the agent set is internal."""
    from typing import get_args

    from models.intake import DOC_TYPES, Urgency

    if agent == "intake":
        return [OverrideField(key="doc_type", choices=DOC_TYPES),
                OverrideField(key="urgency", choices=get_args(Urgency)),
                OverrideField(key="summary"), OverrideField(key="fields"),
                # A prior-auth letter's details a reviewer reads off the page (payer, number, dates):
                # agents/coverage.py keeps them as the authorization record, over what it parsed.
                OverrideField(key="authorization")]
    if agent == "noshow":
        return [OverrideField(key="actions", choices=NOSHOW_ACTIONS.get(kind, ()), many=True)]
    if agent == "claims":
        return [OverrideField(key="claim"), OverrideField(key="submit_as_is", choices=("true",))]
    return []


def override_problems(agent: str, kind: str, original: dict[str, Any], new_value: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, what is wrong) for each part of an override that is not allowed: an internal value
    changed, a label outside its set, a corrected claim that is not a valid claim. Empty when fine.
    Overrides feed retraining, so nothing outside the label sets may get in."""
    editable = {f.key: f for f in editable_fields(agent, kind)}
    if not editable:
        return []
    problems: list[tuple[str, str]] = []
    for key, value in new_value.items():
        spec = editable.get(key)
        if spec is None:
            if key not in original or original[key] != value:
                problems.append((f"new_value.{key}", "set by the agent; a reviewer cannot change it"))
            continue
        if spec.many:
            if not isinstance(value, list) or not value or any(v not in (spec.choices or ()) for v in value):
                problems.append((f"new_value.{key}", f"a non-empty list of {', '.join(spec.choices or ())}"))
        elif spec.choices is not None and key != "submit_as_is":
            if value not in spec.choices:
                problems.append((f"new_value.{key}", f"one of {', '.join(spec.choices)}"))
        elif key in ("fields", "authorization"):
            if not isinstance(value, dict) or any(not isinstance(v, (str, type(None))) for v in value.values()):
                problems.append((f"new_value.{key}", "an object of field names to text"))
        elif key == "summary" and not isinstance(value, str):
            problems.append(("new_value.summary", "text"))
        elif key == "submit_as_is" and value is not True:
            problems.append(("new_value.submit_as_is", "true, or leave it out"))
        elif key == "claim":
            problems += _claim_problems(original, value)
    if agent == "claims" and not ({"claim", "submit_as_is"} & set(new_value)):
        problems.append(("new_value.claim", "the corrected claim, or submit_as_is: true"))
    return problems


def _claim_problems(original: dict[str, Any], value: Any) -> list[tuple[str, str]]:
    from pydantic import ValidationError

    from models.claims import Claim

    if not isinstance(value, dict):
        return [("new_value.claim", "the corrected claim as Handoff claim JSON")]
    try:
        claim = Claim.model_validate(value)
    except ValidationError as exc:
        e = exc.errors()[0]
        return [("new_value.claim." + ".".join(str(p) for p in e["loc"]), str(e["msg"]))]
    if original.get("claim_id") is not None and claim.id != original["claim_id"]:
        return [("new_value.claim.id", f"a correction keeps the claim's id ({original['claim_id']})")]
    return []
