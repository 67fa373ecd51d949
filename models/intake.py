"""Shapes of the intake agent's text side: labeled inbound items, extracted fields with source spans,
clinical-sensitivity and prompt-injection findings, and PHI redactions. No I/O here."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.governance import ClinicalCategory, Priority
from models.inbound import IntakeChannel

DocType = Literal[
    "referral",
    "prior_auth",
    "lab_result",
    "imaging_report",
    "clinical_note",
    "records_request",
    "rx_refill",
    "payer_correspondence",
    "appointment_request",
    "billing_question",
    "clinical_question",
    "forms_request",
    "other",
]
DOC_TYPES: tuple[str, ...] = DocType.__args__  # type: ignore[attr-defined]
# The values of models.governance.Priority, in its order (tests hold the two together).
Urgency = Literal["routine", "urgent", "emergent"]
CATEGORIES: tuple[str, ...] = tuple(c.value for c in ClinicalCategory)
RedactionLevel = Literal["none", "identifiers", "strict"]
# Languages the intake models and cue lexicons read; any other goes to review (`language_unsupported`).
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "es", "vi", "zh")
CueLanguage = Literal["en", "es", "vi", "zh", "any"]


class Span(BaseModel):
    """A half-open character range [start, end) of a source text and the text it covers."""

    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class InboundLabel(BaseModel):
    """One labeled inbound item in the JSON Lines format of DESIGN.md ("Labeled data format").

    `truth` holds the ground-truth values of the identifying fields planted in `text` (for extraction
    and redaction tests); `meta` says how the item was made (family, template, noise, injection).
    Both are extra fields that `handoff evals run` ignores."""

    model_config = ConfigDict(extra="allow")

    id: str
    channel: IntakeChannel
    text: str
    file: str | None = None
    doc_type: DocType
    urgency: Urgency
    sensitive: bool
    categories: list[str] = Field(default_factory=list)
    expected_route: Literal["review"] | None = None
    group: dict[str, str | None] = Field(default_factory=dict)
    truth: dict[str, Any] = Field(default_factory=dict)
    meta: dict[str, Any] = Field(default_factory=dict)


FieldName = Literal[
    "patient_name",
    "dob",
    "mrn",
    "member_id",
    "referring_provider",
    "npi",
    "specialty",
    "icd10",
    "reason",
    "requested_service",
    "auth_number",
    "date",
    "phone",
]


class ExtractedField(BaseModel):
    """One field value found in a document, normalized (`value`), with the span it was read from."""

    model_config = ConfigDict(extra="forbid")

    name: FieldName
    value: str  # normalized: ISO dates, codes with a dot, digits only for NPI
    span: Span
    confidence: float = Field(ge=0.0, le=1.0)
    valid: bool | None = None  # NPI check digit / ICD table check when one was run
    rule: str  # which rule found it, for reviewers and error analysis


class ExtractionResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: list[ExtractedField] = Field(default_factory=list)

    def first(self, name: str) -> ExtractedField | None:
        """The best (highest-confidence, then earliest) value of a single-valued field."""
        found = [f for f in self.fields if f.name == name]
        if not found:
            return None
        return sorted(found, key=lambda f: (-f.confidence, f.span.start))[0]

    def values(self, name: str) -> list[str]:
        """Distinct values of a multi-valued field (ICD codes, dates) in document order."""
        seen: list[str] = []
        for f in sorted(self.fields, key=lambda f: f.span.start):
            if f.name == name and f.value not in seen:
                seen.append(f.value)
        return seen


class SensitivityFinding(BaseModel):
    """A clinical cue found in the text. Suppressed cues (negated, family history) are kept for audit
    with `suppressed_by` set, and do not make the text sensitive."""

    model_config = ConfigDict(extra="forbid")

    category: ClinicalCategory
    span: Span
    cue: str  # the lexicon entry or rule that matched
    language: CueLanguage  # the language of the cue ("any": codes, lab lines, numbers)
    urgency_floor: Priority = Priority.routine
    suppressed_by: str | None = None  # "negation", "family_history", "history", "normal_result"
    context: Literal["current", "history", "family_history", "negated"] = "current"


class LanguageReport(BaseModel):
    """The language an inbound text is written in (ISO 639-1, "und" when there is too little text to
    tell) and whether the intake models support it; `method` says which step decided."""

    model_config = ConfigDict(extra="forbid")

    language: str
    supported: bool
    confidence: float = Field(ge=0.0, le=1.0)
    method: Literal["script", "lingua", "word_share", "no_supported_words", "too_short", "no_text"]
    scripts: dict[str, int] = Field(default_factory=dict)  # letters per script
    candidates: list[dict[str, Any]] = Field(default_factory=list)  # lingua's top three
    word_shares: dict[str, float] = Field(default_factory=dict)  # common-word share per Latin-script language

    def flags(self) -> list[str]:
        return [] if self.supported else ["language_unsupported"]


class SensitivityReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sensitive: bool
    categories: list[ClinicalCategory] = Field(default_factory=list)
    urgency_floor: Priority = Priority.routine
    urgency_reasons: list[str] = Field(default_factory=list)
    findings: list[SensitivityFinding] = Field(default_factory=list)

    def flags(self) -> list[str]:
        return [f"clinical:{c.value}" for c in self.categories]


class InjectionFinding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str  # override, priority_change, label_change, routing_change, prompt_leak, role_play,
    # role_line, hidden_chars, encoded_payload, addressed_to_ai
    span: Span
    weight: float
    note: str | None = None


class InjectionReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    suspected: bool
    score: float = Field(ge=0.0, le=1.0)
    threshold: float
    findings: list[InjectionFinding] = Field(default_factory=list)
    # A request for records that sends them somewhere new (a new fax, e-mail or address, "instead of"
    # the one on file): a person checks it whoever wrote it (flag `destination_change`).
    destination_change: bool = False

    def flags(self) -> list[str]:
        return (["injection_suspected"] if self.suspected else []) + (["destination_change"] if self.destination_change else [])


class LlmClassification(BaseModel):
    """What an LLM may answer when it classifies (prompts/intake_classify.txt): labels from the closed
    sets only (structured output)."""

    doc_type: DocType
    urgency: Urgency
    injection_suspected: bool


class LlmSummary(BaseModel):
    """What an LLM must answer when it summarizes (prompts/intake_summarize.txt): at most three
    sentences."""

    summary: str


class RedactedSpan(BaseModel):
    """One replaced piece of text: where it was in the original and what kind of PHI it was.
    The original text is deliberately not kept here, so these can be logged."""

    model_config = ConfigDict(extra="forbid")

    kind: str  # name, dob, date, mrn, member_id, phone, email, address, ssn, npi, zip, url, ip
    start: int
    end: int
    replacement: str


class RedactionResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: RedactionLevel
    text: str
    spans: list[RedactedSpan] = Field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        out: dict[str, int] = {}
        for s in self.spans:
            out[s.kind] = out.get(s.kind, 0) + 1
        return out
