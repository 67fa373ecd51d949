"""The intake agent: faxes, portal messages and referrals.

An accepted item is read (OCR for faxes; a packet is split into documents, each keeping its page
range), then each document part runs through one LangGraph thread, nodes in a straight line:
normalize → classify → extract → match_patient → check_completeness → detect_sensitivity →
find_duplicates → summarize → route → (request_review, which interrupts) → file_item.
Documents are data: text can add flags (more review), never remove them, and routing is the gate's.
"""

from __future__ import annotations

import difflib
import logging
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol
from uuid import UUID, uuid5

import numpy as np
import psycopg
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime as GraphRuntime
from langgraph.types import Command, interrupt
from pydantic import BaseModel, ConfigDict, Field

from agents.gate import route_suggestion
from agents.runtime import Runtime
from models.documents import OcrResult
from models.governance import Evidence, Policy, Priority, ReviewCutoffs, RouteDecision, Suggestion
from models.graph_state import (
    Classification,
    DocumentSummary,
    DuplicateMatch,
    Filing,
    PatientMatch,
    ReviewerDecision,
    ReviewRequest,
    RouteSummary,
    SensitivitySummary,
    SpanRef,
)
from models.inbound import InboundItem
from models.intake import ExtractedField, LlmClassification, LlmSummary
from store import intake as intake_store
from store import org as org_store
from store import policy as policy_store
from store.routing import get_suggestion
from tools.embed import embed_texts
from tools.intake.classifier import MODEL_NAME as CLASSIFIER_NAME
from tools.intake.classifier import IntakeClassifier, final_urgency
from tools.intake.extract import extract_fields
from tools.intake.inbound_parse import InboundFormatError, message_text, referral_text
from tools.intake.ocr import DocumentRejected, OcrError, ocr_document
from tools.intake.packet import split_packet
from tools.intake.phi import redact_phi
from tools.intake.summarize import summarize_extractive
from tools.intake.triage import assess_texts, text_flags
from tools.llm import LlmAnswer, LlmError, LlmGateway, RetryBudget
from tools.model_registry import NoModelRegistered

log = logging.getLogger(__name__)
AGENT = "intake"


class IntakeState(BaseModel):
    """One document part's thread. Every node returns only the keys it changes; LangGraph validates
    the whole state into this model before each node (older checkpoints' dicts included)."""

    model_config = ConfigDict(extra="ignore")

    part_id: str
    item_id: str | None = None
    unit_id: str = ""
    channel: str | None = None
    text: str = ""
    degraded: bool = False
    degraded_reason: str | None = None
    page_start: int | None = None
    page_end: int | None = None
    flags: list[str] = Field(default_factory=list)
    classification: Classification | None = None
    fields: list[ExtractedField] = Field(default_factory=list)
    patient: PatientMatch = Field(default_factory=PatientMatch)
    missing: list[str] = Field(default_factory=list)
    sensitivity: SensitivitySummary = Field(default_factory=SensitivitySummary)
    duplicates: list[DuplicateMatch] = Field(default_factory=list)
    summary: DocumentSummary | None = None
    suggestion_id: str | None = None
    llm_retries: int | None = None  # what is left of the item's LLM retry budget (classify and summarize share it)
    route: RouteSummary | None = None
    decision: ReviewerDecision | None = None
    filed: Filing | None = None

    def classified(self) -> Classification:
        if self.classification is None:
            raise RuntimeError(f"part {self.part_id}: a node ran before classify")
        return self.classification

    def routed(self) -> RouteSummary:
        if self.route is None:
            raise RuntimeError(f"part {self.part_id}: a node ran before route")
        return self.route


# --- dependencies ---------------------------------------------------------------------------------


class Llm(Protocol):
    """What the graph asks of an LLM gateway (tools.llm.LlmGateway; tests pass fakes)."""

    @property
    def enabled(self) -> bool: ...

    @property
    def available(self) -> bool: ...  # False while its circuit breaker is open

    def structured(self, prompt_name: str, schema: type[Any], *, budget: RetryBudget | None = None,
                   **values: str) -> LlmAnswer[Any]: ...


class Classifier(Protocol):
    @property
    def version(self) -> str: ...

    def predict(self, texts: Sequence[str], *, embeddings: np.ndarray | None = None,
                reports: Sequence[Any] | None = None) -> list[Any]: ...


@dataclass(frozen=True)
class IntakeDeps:
    """Everything the intake graph uses from outside itself, passed in rather than imported, so a test
    runs the real graph with fakes of what is outside (an LLM, a model, OCR, embeddings).
    `connection` opens a connection for the store/ repositories (a pool's `.connection`)."""

    connection: Callable[[], AbstractContextManager[psycopg.Connection]]
    llm: Llm
    classifier: Callable[[], Classifier]  # the current classifier, loaded (or reloaded) on demand
    ocr: Callable[[bytes], OcrResult]
    embed: Callable[[Sequence[str]], np.ndarray]
    read_blob: Callable[[str], bytes]
    llm_retries: int = 2  # one item's LLM retry budget, shared by classify and summarize

    @classmethod
    def from_runtime(cls, rt: Runtime) -> IntakeDeps:
        """The production dependencies: the runtime's pool, LLM gateway, registered classifier,
        Tesseract and the local embedding model."""
        return cls(connection=rt.pool.connection, llm=rt.cached("llm", lambda: LlmGateway(rt.settings)),
                   classifier=lambda: load_classifier(rt),
                   ocr=partial(ocr_document, workers=rt.settings.ocr_workers, tmp_dir=rt.settings.tmp_dir),
                   embed=partial(embed_texts, settings=rt.settings), read_blob=rt.read_blob,
                   llm_retries=rt.settings.llm_max_retries)


@dataclass(frozen=True)
class IntakeContext:
    deps: IntakeDeps


# --- helpers --------------------------------------------------------------------------------------


def normalize_document_text(text: str) -> str:
    """NFC, no control characters but newlines and tabs, runs of blank lines collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if c in "\n\t\f" or unicodedata.category(c)[0] != "C" or c == "\u200b")
    lines = [line.rstrip() for line in text.replace("\f", "\n\n").splitlines()]
    out, blank = [], 0
    for line in lines:
        blank = blank + 1 if not line.strip() else 0
        if blank <= 1:
            out.append(line)
    return "\n".join(out).strip()


class NoModel(LookupError):
    """No intake classifier is registered yet."""


def load_classifier(rt: Runtime) -> IntakeClassifier:
    """The newest registered intake classifier (`handoff train intake` makes one), reloaded when a
    newer version is registered."""
    try:
        return rt.current_model(CLASSIFIER_NAME, IntakeClassifier.from_estimators)
    except NoModelRegistered:
        raise NoModel("no intake classifier is registered: run `handoff train intake` first") from None


def _deps(runtime: GraphRuntime[IntakeContext]) -> IntakeDeps:
    assert runtime.context is not None, "the intake graph runs with an IntakeContext"
    return runtime.context.deps


def _policy(deps: IntakeDeps, unit_id: str) -> Policy | None:
    with deps.connection() as conn:
        current = policy_store.current_policy(conn, unit_id=UUID(unit_id))
    return current.policy if current else None


def _cutoffs(deps: IntakeDeps, unit_id: str) -> ReviewCutoffs:
    policy = _policy(deps, unit_id)
    return policy.cutoffs if policy else ReviewCutoffs()


def _llm_text(deps: IntakeDeps, unit_id: str, text: str) -> str | None:
    """The text an external LLM may see, or None when the policy keeps PHI away from it."""
    policy = _policy(deps, unit_id)
    if not deps.llm.enabled or policy is None or not policy.llm_phi_allowed:
        return None
    return redact_phi(text, level=policy.llm_redaction).text


# --- nodes ----------------------------------------------------------------------------------------


def normalize(state: IntakeState, runtime: GraphRuntime[IntakeContext]) -> dict:
    """Load the stored document part and normalize its text; a degraded part is flagged."""
    with _deps(runtime).connection() as conn:
        part = intake_store.get_part(conn, part_id=UUID(state.part_id))
    if part is None:
        raise LookupError(f"no document part {state.part_id}")
    flags = ["degraded_input"] if part["degraded"] else []
    return {"text": normalize_document_text(part["text"]), "item_id": str(part["item_id"]),
            "unit_id": str(part["unit_id"]), "channel": part["channel"], "degraded": part["degraded"],
            "degraded_reason": part["degraded_reason"], "page_start": part["page_start"],
            "page_end": part["page_end"], "flags": flags}


def clinical_by_label(policy: Policy | None, doc_type: str) -> bool:
    """Whether the local classifier's label belongs in the unit's clinical queue (policy as data); the
    triage suite asks the same question of the policy it routes by."""
    return policy is not None and policy.queue_for(AGENT, doc_type) == policy.clinical_queue


def classify(state: IntakeState, runtime: GraphRuntime[IntakeContext]) -> dict:
    """The triage assessment (tools.intake.triage): the local models and the rule detectors together
    (language, clinical cues, instructions to the AI); with an LLM allowed by the policy, its labels
    stand and the local model supplies their probability and every safety signal. When the local
    model reads the content as clinical the item keeps the clinical queue (`clinical_content`)
    whatever label an LLM gives it."""
    deps = _deps(runtime)
    flags = list(state.flags)
    text = state.text
    clf = deps.classifier()
    labels: list[tuple[str, str] | None] | None = None
    model_version, prompt_hash = clf.version, None
    llm_input = _llm_text(deps, state.unit_id, text)
    budget = None
    if llm_input is not None:
        budget = RetryBudget(state.llm_retries if state.llm_retries is not None else deps.llm_retries)
        try:
            answer = deps.llm.structured("intake_classify", LlmClassification, budget=budget, document=llm_input)
            if answer.value.injection_suspected:
                flags.append("injection_suspected")
            labels = [(answer.value.doc_type, answer.value.urgency)]
            model_version, prompt_hash = f"llm:{answer.model}|{clf.version}", answer.prompt_hash
        except LlmError as exc:
            log.warning("intake classify: LLM failed (%s); using the local model", exc.__class__.__name__)
            flags.append("fallback_model")
    assessment = assess_texts([text], clf, labels=labels)[0]
    if clinical_by_label(_policy(deps, state.unit_id), assessment.local_doc_type):
        flags.append("clinical_content")
    return {"flags": flags, **({"llm_retries": budget.retries} if budget else {}),
            "classification": assessment.classification(model_version=model_version, prompt_hash=prompt_hash),
            "sensitivity": assessment.sensitivity()}


def extract(state: IntakeState, runtime: GraphRuntime[IntakeContext]) -> dict:
    """Fields with their source spans (rule-based extraction)."""
    return {"fields": extract_fields(state.text).fields}


def _field(state: IntakeState, name: str) -> ExtractedField | None:
    found = [f for f in state.fields if f.name == name]
    return sorted(found, key=lambda f: (-f.confidence, f.span.start))[0] if found else None


def match_patient(state: IntakeState, runtime: GraphRuntime[IntakeContext]) -> dict:
    """Find the patient in the registry; two registry records matching one person is a duplicate
    registration (flagged); no confident match is left for the reviewer."""
    name, dob = _field(state, "patient_name"), _field(state, "dob")
    mrn, member = _field(state, "mrn"), _field(state, "member_id")
    if not (dob or mrn or member):
        return {"patient": PatientMatch(match="none")}
    cut = _cutoffs(_deps(runtime), state.unit_id)
    with _deps(runtime).connection() as conn:
        unit = org_store.get_unit(conn, unit_id=UUID(state.unit_id))
        candidates = intake_store.patient_candidates(
            conn, org_id=unit.org_id, birth_date=dob.value if dob else None,
            mrn=mrn.value if mrn else None, member_id=member.value if member else None)
    scored = []
    for c in candidates:
        full = f"{c['given_name']} {c['family_name']}".lower()
        reversed_ = f"{c['family_name']} {c['given_name']}".lower()
        sim = max(difflib.SequenceMatcher(None, name.value.lower(), full).ratio(),
                  difflib.SequenceMatcher(None, name.value.lower(), reversed_).ratio()) if name else 0.0
        exact_id = bool((mrn and c["mrn"] == mrn.value) or (member and c["member_id"] == member.value))
        same_dob = bool(dob and str(c["birth_date"]) == dob.value)
        score = (1.0 if exact_id else 0.0) + (0.5 if same_dob else 0.0) + sim
        scored.append((score, sim, same_dob, c))
    scored.sort(key=lambda t: -t[0])
    if not scored or scored[0][0] < cut.intake_patient_match_min:
        return {"patient": PatientMatch(match="none", candidates=len(candidates))}
    best = scored[0][3]
    same_person = [t for t in scored if t[1] >= cut.intake_same_person_name_similarity and t[2]]
    flags = list(state.flags)
    duplicate_registration = len({t[3]["id"] for t in same_person}) > 1
    if duplicate_registration:
        flags.append("duplicate_suspected")
    group = {"sex": best["sex"], "language": best["language"], "payer": best["payer"],
             "race_ethnicity": best["race_ethnicity"]}
    return {"flags": flags, "patient": PatientMatch(
        match="probable" if scored[0][0] < cut.intake_patient_match_confident else "confident", patient_id=str(best["id"]), mrn=best["mrn"],
        birth_date=str(best["birth_date"]), duplicate_registration=duplicate_registration,
        group={k: v for k, v in group.items() if v})}


def missing_parts(doc_type: str, fields: Sequence[ExtractedField], text: str) -> list[str]:
    """What a referral lacks: a diagnosis, insurance or clinical notes (other doc_types lack nothing)."""
    if doc_type != "referral":
        return []
    names = {f.name for f in fields}
    missing = []
    if not names & {"icd10", "reason"}:
        missing.append("diagnosis")
    if "member_id" not in names:
        missing.append("insurance")
    if len(text.split()) < 40:
        missing.append("notes")
    return missing


def check_completeness(state: IntakeState, runtime: GraphRuntime[IntakeContext]) -> dict:
    """A referral missing a diagnosis, insurance or clinical notes is incomplete."""
    missing = missing_parts(state.classified().doc_type, state.fields, state.text)
    flags = list(state.flags) + (["incomplete"] if missing else [])
    return {"missing": missing, "flags": flags}


def detect_sensitivity(state: IntakeState, runtime: GraphRuntime[IntakeContext]) -> dict:
    """The safety signals the triage assessment found in classify (language, clinical categories from
    the rules and the learned heads, instruction-like text, records sent to a new destination), as
    flags. A thread classified before the assessment existed is assessed again here."""
    sensitivity = state.sensitivity
    if not sensitivity.assessed:
        sensitivity = assess_texts([state.text], _deps(runtime).classifier())[0].sensitivity()
    return {"flags": list(state.flags) + text_flags(sensitivity), "sensitivity": sensitivity}


def find_duplicates(state: IntakeState, runtime: GraphRuntime[IntakeContext]) -> dict:
    """The same patient's similar items within the policy's days (pgvector); the embedding is kept
    for later duplicates and for the similar resolved cases reviewers see."""
    deps = _deps(runtime)
    cut = _cutoffs(deps, state.unit_id)
    vector = deps.embed([state.text[:2000]])[0]
    patient_id = state.patient.patient_id
    duplicates = []
    with deps.connection() as conn:
        if patient_id:
            near = intake_store.similar_parts_of_patient(conn, part_id=UUID(state.part_id), patient_id=UUID(patient_id),
                                                         embedding=vector, days=cut.intake_duplicate_days)
            duplicates = [DuplicateMatch(part_id=str(r["part_id"]), similarity=round(float(r["similarity"]), 4))
                          for r in near if r["similarity"] >= cut.intake_duplicate_similarity]
        intake_store.insert_embedding(conn, part_id=UUID(state.part_id), unit_id=UUID(state.unit_id),
                                      patient_id=UUID(patient_id) if patient_id else None,
                                      doc_type=state.classified().doc_type, embedding=vector)
    flags = list(state.flags) + (["duplicate_suspected"] if duplicates else [])
    return {"duplicates": duplicates, "flags": flags}


def summarize(state: IntakeState, runtime: GraphRuntime[IntakeContext]) -> dict:
    """A few lines a coordinator can act on; the local summary is extractive (every sentence is a
    span of the source); an LLM summary is used only when the policy allows PHI to reach it."""
    deps = _deps(runtime)
    local = summarize_extractive(state.text)
    spans = [SpanRef(start=s.start, end=s.end) for s in local.sentences]
    summary = DocumentSummary(text=local.text, spans=spans, source=local.method)
    # After a failed classify (fallback_model) the LLM is not asked again for this item: the local
    # summary stands, and the item is on its way to a person already.
    llm_input = None if "fallback_model" in state.flags else _llm_text(deps, state.unit_id, state.text)
    if llm_input is not None and deps.llm.available:
        try:
            budget = RetryBudget(state.llm_retries if state.llm_retries is not None else deps.llm_retries)
            answer = deps.llm.structured("intake_summarize", LlmSummary, budget=budget, document=llm_input)
            summary = DocumentSummary(text=answer.value.summary[:1000], spans=spans, source="llm",
                                      prompt_hash=answer.prompt_hash)
        except LlmError:
            pass  # the extractive summary stands; classification already records any fallback
    return {"summary": summary}


def build_triage_suggestion(*, classification: Classification, sensitivity: SensitivitySummary, unit_id: UUID,
                            part_id: str, flags: Sequence[str], fields: Sequence[ExtractedField] = (),
                            missing: Sequence[str] = (), patient: PatientMatch | None = None,
                            duplicates: Sequence[DuplicateMatch] = (), summary: str = "",
                            page_start: int | None = None, page_end: int | None = None,
                            degraded: bool = False) -> Suggestion:
    """The intake agent's triage suggestion: the one function both the graph's `route` node and the
    triage suite (evals/suite_triage.py) build it with. `flags` are the ones raised outside the text
    (degraded input, LLM fallback, duplicates, incompleteness, clinical content); the text's own
    (clinical categories, injection, destination change, unsupported language) are added here from
    `sensitivity`."""
    c = classification
    patient = patient or PatientMatch()
    urgency = final_urgency(c.urgency, sensitivity.urgency_floor)
    values: dict[str, str] = {}
    for f in fields:
        values.setdefault(f.name, f.value)
    evidence = [Evidence(kind="span", source=f.name, start=f.span.start, end=f.span.end, text=f.span.text)
                for f in list(fields)[:25]]
    evidence += [Evidence(kind="span", source=f"clinical:{f.category}", start=f.start, end=f.end, note=f.cue)
                 for f in sensitivity.findings]
    if sensitivity.learned_categories:
        evidence.append(Evidence(kind="feature", source="learned_sensitive_head",
                                 value={"categories": sensitivity.learned_categories, "p": c.head_probs.get("sensitive")}))
    if page_start:
        evidence.append(Evidence(kind="page", source="pages", page=page_start, value=[page_start, page_end]))
    value: dict[str, Any] = {
        "doc_type": c.doc_type, "urgency": urgency, "classifier_urgency": c.model_urgency or c.urgency,
        "urgency_sources": c.urgency_sources, "fields": values, "summary": summary,
        "categories": sensitivity.categories, "language": sensitivity.language, "missing": list(missing),
        "patient_match": patient.match, "patient_mrn": patient.mrn, "duplicates": [d.model_dump() for d in duplicates],
        "pages": [page_start, page_end] if page_start else None,
    }
    # The joint calibrator estimates P(doc_type and final urgency right), as the triage suite measures
    # it; an LLM's labels carry the local model's probability of them; an unreadable input has none.
    confidence = 0.0 if degraded else c.joint_confidence
    return Suggestion(
        # The id comes from the part: a route step re-run after a crash is the same suggestion, and
        # the gate records it once.
        id=suggestion_id_for(part_id),
        agent=AGENT, kind="triage", unit_id=unit_id, subject=f"inbound_part:{part_id}",
        label=c.doc_type, value=value, confidence=round(min(max(confidence, 0.0), 1.0), 6),
        urgency=Priority(urgency), evidence=evidence, flags=sorted(set(flags) | set(text_flags(sensitivity))),
        model_version=c.model_version, prompt_hash=c.prompt_hash, input_hash=part_id,
        patient_group=patient.group,
    )


def _suggestion(state: IntakeState) -> Suggestion:
    return build_triage_suggestion(
        classification=state.classified(), sensitivity=state.sensitivity, unit_id=UUID(state.unit_id),
        part_id=state.part_id, flags=state.flags, fields=state.fields, missing=state.missing, patient=state.patient,
        duplicates=state.duplicates, summary=state.summary.text if state.summary else "",
        page_start=state.page_start, page_end=state.page_end, degraded=state.degraded)


SUGGESTION_NAMESPACE = UUID("6f1d3c52-8f0e-4e52-9a55-1c1f0e7b9a11")


def suggestion_id_for(part_id: str | UUID) -> UUID:
    """The id of the one triage suggestion about a document part."""
    return uuid5(SUGGESTION_NAMESPACE, f"intake:{part_id}")


def route(state: IntakeState, runtime: GraphRuntime[IntakeContext]) -> dict:
    """Build the suggestion and route it through the gate (the one path to people or auto-filing)."""
    suggestion = _suggestion(state)
    with _deps(runtime).connection() as conn:
        outcome = route_suggestion(conn, suggestion)
    return {"suggestion_id": str(suggestion.id), "route": RouteSummary(
        suggestion_id=str(suggestion.id), decision=outcome.route.decision.value, queue=outcome.route.queue,
        reasons=outcome.route.reasons, review_item_id=str(outcome.review_item.id) if outcome.review_item else None,
        qa_sample=outcome.route.qa_sample, label=suggestion.label)}


def route_after_route(state: IntakeState) -> str:
    """file_item for an auto route, request_review otherwise."""
    return "file_item" if state.routed().decision == RouteDecision.auto.value else "request_review"


def request_review(state: IntakeState) -> dict:
    """Stop for people (interrupt first: the node re-runs on resume) and take their decision."""
    decision = interrupt(ReviewRequest(part_id=state.part_id, suggestion_id=state.suggestion_id or "",
                                       review_item_id=state.routed().review_item_id,
                                       reasons=state.routed().reasons).model_dump())
    return {"decision": ReviewerDecision.model_validate(decision)}


def file_item(state: IntakeState, runtime: GraphRuntime[IntakeContext]) -> dict:
    """File the part to its queue: the suggestion as routed, or as the reviewer decided."""
    decision = state.decision
    with _deps(runtime).connection() as conn:
        suggestion = get_suggestion(conn, suggestion_id=UUID(state.suggestion_id))
        value = dict(suggestion.value)
        filed_by, decision_id = "auto", None
        if decision:
            filed_by, decision_id = decision.decided_by, UUID(decision.decision_id)
            if decision.action == "override" and decision.new_value:
                value.update(decision.new_value)
            if decision.action == "reject":
                value["rejected"] = decision.reason_code
        policy = policy_store.current_policy(conn, unit_id=suggestion.unit_id).policy
        queue = "rejected" if value.get("rejected") else policy.queue_for(AGENT, value.get("doc_type"))
        already = [f for f in intake_store.filings_of_part(conn, part_id=UUID(state.part_id))
                   if f["suggestion_id"] == suggestion.id and f["decision_id"] == decision_id]
        if not already:  # this step re-run after a crash: it was filed the first time
            intake_store.insert_filing(conn, part_id=UUID(state.part_id), suggestion_id=suggestion.id,
                                       decision_id=decision_id, value=value, queue=queue, filed_by=filed_by)
            _follow_up(conn, state, suggestion, value, decision, filed_by)
    return {"filed": Filing(queue=queue, by=filed_by)}


def _follow_up(conn: psycopg.Connection, state: IntakeState, suggestion: Suggestion, value: dict,
               decision: ReviewerDecision | None, filed_by: str) -> None:
    """What a filed document starts (issue 13): a reviewed authorization letter becomes an
    authorization record; an accepted referral opens a case; a later record about the patient is
    offered to its open case. In a savepoint: a failure there is logged and never un-files the item."""
    from agents.coverage import record_auth_from_intake
    from agents.referrals import after_filing
    from store import audit

    part_id = UUID(state.part_id)
    try:
        with conn.transaction():
            if decision and value.get("doc_type") == "prior_auth" and not value.get("rejected"):
                record_auth_from_intake(conn, unit_id=suggestion.unit_id, part_id=part_id, text=state.text,
                                        value=value, decided_by=filed_by)
            after_filing(conn, unit_id=suggestion.unit_id, part_id=part_id, value=value, text=state.text,
                         filed_by=filed_by, patient_id=state.patient.patient_id,
                         patient_group=suggestion.patient_group)
    except Exception as exc:  # noqa: BLE001 - the filing stands; the failure is said, without PHI
        log.error("intake follow-up of part %s failed: %s", part_id, exc.__class__.__name__)
        audit.record_event(conn, actor="intake-agent", action="intake.follow_up_failed", unit_id=suggestion.unit_id,
                           subject=f"inbound_part:{part_id}", detail={"error": exc.__class__.__name__})


def build_graph(*, checkpointer):
    """The intake graph: the straight line of the module docstring, checkpointed per document part."""
    g = StateGraph(IntakeState, context_schema=IntakeContext)
    for node in (normalize, classify, extract, match_patient, check_completeness, detect_sensitivity,
                 find_duplicates, summarize, route, request_review, file_item):
        g.add_node(node.__name__, node)
    chain = ["normalize", "classify", "extract", "match_patient", "check_completeness", "detect_sensitivity",
             "find_duplicates", "summarize", "route"]
    g.add_edge(START, chain[0])
    for a, b in zip(chain, chain[1:], strict=False):
        g.add_edge(a, b)
    g.add_conditional_edges("route", route_after_route, ["file_item", "request_review"])
    g.add_edge("request_review", "file_item")
    g.add_edge("file_item", END)
    return g.compile(checkpointer=checkpointer)


# --- reading accepted items -----------------------------------------------------------------------


def read_parts(deps: IntakeDeps, item: InboundItem, *,
               page_words: dict[int, list[dict]] | None = None) -> list[dict]:
    """The document parts of an item: OCR and packet splitting for faxes, the text for the rest.
    A file that cannot be read becomes one degraded part (kept, and sent to review). For a fax,
    `page_words` (when given) receives each page's OCR words with their boxes, for page images."""
    data = deps.read_blob(item.sha256)
    if item.channel == "fax":
        try:
            result = deps.ocr(data)
        except DocumentRejected as exc:
            return [dict(text="", page_start=None, page_end=None, ocr_confidence=None, degraded=True,
                         degraded_reason=f"rejected: {exc}")]
        except OcrError as exc:
            return [dict(text="", page_start=None, page_end=None, ocr_confidence=None, degraded=True,
                         degraded_reason=f"unreadable: {exc.__class__.__name__}")]
        if page_words is not None:
            for p in result.pages:
                page_words[p.number] = [{"text": w.text, "box": w.box.model_dump(), "line": w.line} for w in p.words]
        parts = split_packet([(p.number, p.text, p.confidence) for p in result.pages])
        degraded_reason = "; ".join(result.degraded_reasons) or None
        return [dict(text=normalize_document_text(p.text), page_start=p.page_start, page_end=p.page_end,
                     ocr_confidence=p.confidence, degraded=result.degraded or not p.text.strip(),
                     degraded_reason=degraded_reason or (None if p.text.strip() else "no text found"))
                for p in parts]
    try:
        text = message_text(data) if item.channel == "message" else referral_text(data)
    except InboundFormatError as exc:
        return [dict(text="", page_start=None, page_end=None, ocr_confidence=None, degraded=True,
                     degraded_reason=str(exc)[:300])]
    return [dict(text=normalize_document_text(text), page_start=None, page_end=None, ocr_confidence=None,
                 degraded=False, degraded_reason=None)]


def thread_config(part_id: UUID | str) -> dict:
    """The LangGraph thread of one document part."""
    return {"configurable": {"thread_id": f"intake:{part_id}"}}


def process_item(rt: Runtime, item: InboundItem, *, deps: IntakeDeps | None = None) -> list[RouteSummary | None]:
    """Run every part of an accepted item through the graph (idempotent: a finished or waiting
    thread is not run again). `deps` default to the runtime's (IntakeDeps.from_runtime)."""
    deps = deps or IntakeDeps.from_runtime(rt)
    with rt.pool.connection() as conn:
        stored = intake_store.parts_of_item(conn, item_id=item.id)
    if not stored:
        words: dict[int, list[dict]] = {}
        parts = read_parts(deps, item, page_words=words)
        with rt.pool.connection() as conn, conn.transaction():
            for page_no, page in words.items():
                intake_store.insert_page_words(conn, item_id=item.id, page_no=page_no, words=page)
            for n, p in enumerate(parts, start=1):
                intake_store.insert_part(conn, item_id=item.id, part_no=n, **p)
            stored = intake_store.parts_of_item(conn, item_id=item.id)
    graph = build_graph(checkpointer=rt.checkpointer)
    outcomes = []
    for part in stored:
        config = thread_config(part["id"])
        existing = graph.get_state(config)
        if existing.values.get("filed") or waiting_for_review(existing):
            outcomes.append(existing.values.get("route"))
            continue
        context = IntakeContext(deps=deps)
        if existing.next:
            # Stopped by a crash between two steps: continue from the last checkpoint (the steps that
            # write are idempotent, so one that ran without its checkpoint is safe to run again).
            state = graph.invoke(None, config, context=context)
        else:
            state = graph.invoke({"part_id": str(part["id"])}, config, context=context)
        outcomes.append(state.get("route"))
    return outcomes


def waiting_for_review(snapshot: Any) -> bool:
    """The thread stopped at its review interrupt (not merely before it)."""
    return "request_review" in (snapshot.next or ()) and any(t.interrupts for t in snapshot.tasks)


def handle_inbound(rt: Runtime, item: InboundItem) -> None:
    """The wiring table's handler for fax, message and referral items."""
    process_item(rt, item)


def apply_decision(rt: Runtime, decision_id: UUID, *, deps: IntakeDeps | None = None) -> None:
    """Resume the part's interrupted graph with the reviewer's final decision; it then files the item."""
    with rt.pool.connection() as conn:
        d = intake_store.get_decision(conn, decision_id=decision_id)
    if d is None or not d["subject"].startswith("inbound_part:"):
        return
    part_id = d["subject"].split(":", 1)[1]
    graph = build_graph(checkpointer=rt.checkpointer)
    config = thread_config(part_id)
    waiting = graph.get_state(config)
    if not waiting.next or "request_review" not in waiting.next:
        # A QA sample of an auto-filed item: the decision is logged and measured, nothing to resume.
        return
    if waiting.values.get("suggestion_id") != str(d["suggestion_id"]):
        return  # a decision on a replaced suggestion does not resume a newer run
    decision = ReviewerDecision(decision_id=str(decision_id), action=d["action"], reason_code=d["reason_code"],
                                new_value=d["new_value"], decided_by=d["decided_by"])
    graph.invoke(Command(resume=decision.model_dump()), config,
                 context=IntakeContext(deps=deps or IntakeDeps.from_runtime(rt)))

