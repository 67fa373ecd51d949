"""What agents' graph threads carry from node to node: a document's classification, its patient
match, sensitivity and summary, the gate's route, the review request and the reviewer's decision.
These are checkpointed with the thread (LangGraph's Postgres checkpointer), so they hold ids and
plain values only. No I/O here."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from models.intake import DocType, Urgency


class _State(BaseModel):
    # Older checkpoints may carry keys a later version dropped; they are ignored, not an error.
    model_config = ConfigDict(extra="ignore")


class Classification(_State):
    """doc_type and urgency of one document part, with the probabilities behind them."""

    doc_type: DocType
    urgency: Urgency
    doc_type_p: float = Field(ge=0.0, le=1.0)
    urgency_p: float = Field(ge=0.0, le=1.0)
    # The local model's joint calibrated probability that both labels are right (None for an LLM's
    # labels, whose confidence is the local model's probability of them: doc_type_p * urgency_p).
    confidence: float | None = None
    source: Literal["local", "llm"]
    model_version: str
    prompt_hash: str | None = None

    @property
    def joint_confidence(self) -> float:
        return self.confidence if self.confidence is not None else self.doc_type_p * self.urgency_p


class PatientMatch(_State):
    """Which registry patient a document is about, if any, and the groups used for fairness."""

    match: Literal["none", "probable", "confident"] = "none"
    candidates: int | None = None
    patient_id: str | None = None
    mrn: str | None = None
    birth_date: str | None = None
    duplicate_registration: bool = False
    group: dict[str, str] = Field(default_factory=dict)


class ClinicalFindingRef(_State):
    category: str
    start: int
    end: int
    cue: str


class InjectionSpanRef(_State):
    start: int
    end: int
    kind: str


class SensitivitySummary(_State):
    """The text's language, the clinical categories found (not suppressed), the urgency they force,
    and instruction-like text."""

    language: str | None = None
    language_supported: bool = True
    sensitive: bool = False
    categories: list[str] = Field(default_factory=list)
    urgency_floor: Urgency = "routine"
    findings: list[ClinicalFindingRef] = Field(default_factory=list)
    injection_score: float = 0.0
    injection_spans: list[InjectionSpanRef] = Field(default_factory=list)


class DuplicateMatch(_State):
    part_id: str
    similarity: float


class SpanRef(_State):
    start: int
    end: int


class DocumentSummary(_State):
    """A few lines a coordinator can act on; extractive ones keep the source span of each sentence."""

    text: str
    spans: list[SpanRef] = Field(default_factory=list)
    source: str
    prompt_hash: str | None = None


class RouteSummary(_State):
    """What the gate decided for one suggestion, as a graph thread remembers it."""

    suggestion_id: str | None = None
    # Early no-show threads stored this under "route"; both names are read.
    decision: Literal["auto", "review"] = Field(validation_alias=AliasChoices("decision", "route"))
    queue: str
    reasons: list[str] = Field(default_factory=list)
    review_item_id: str | None = None
    qa_sample: bool = False
    label: str | None = None


class ReviewRequest(_State):
    """What a graph hands to people when it stops for review (the interrupt's payload)."""

    part_id: str
    suggestion_id: str
    review_item_id: str | None
    reasons: list[str]


class ReviewerDecision(_State):
    """A reviewer's final decision, as it resumes an interrupted graph."""

    decision_id: str
    action: Literal["accept", "override", "reject"]
    reason_code: str
    new_value: dict[str, Any] | None = None
    decided_by: str


class Filing(_State):
    """Where a document part was filed, and by whom ("auto" or the deciding reviewer)."""

    queue: str
    by: str


# The models a checkpoint may revive (LangGraph's serializer allowlist; anything else comes back as
# plain data, which the graphs' pydantic states validate again).
CHECKPOINTED_TYPES: tuple[tuple[str, str], ...] = (
    *((__name__, name) for name in ("Classification", "PatientMatch", "SensitivitySummary", "DuplicateMatch",
                                     "DocumentSummary", "RouteSummary", "ReviewRequest", "ReviewerDecision",
                                     "Filing")),
    ("models.intake", "ExtractedField"),
    ("models.claims", "ClaimCheck"),
    ("models.scheduling", "NoShowScore"),
    ("models.governance", "Suggestion"),
)
