"""One triage assessment of a document's text: the intake models' heads and the rule detectors
combined into the doc_type, the final urgency, the clinical categories, the flags and the calibrated
confidence. The intake agent's graph and the triage evaluation suite both call `assess_texts`, so
what is measured is what runs.

Any one signal flags (DESIGN promise 4): a clinical category from the rules or from the learned
sensitive head; emergent from the rules' floor, the urgency head or the emergent head (an emergent
cue always makes the item emergent, whatever the urgency head said); `injection_suspected` from the
rule detector or the learned injection head. The language of every text is detected: an
unsupported one is flagged `language_unsupported` (never auto-routed) and any clinical signal in it
raises the urgency to at least urgent; a records request that changes the destination is flagged
`destination_change`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

import numpy as np

from models.governance import ClinicalCategory, clinical_flag
from models.graph_state import Classification, ClinicalFindingRef, InjectionSpanRef, SensitivitySummary
from tools.intake.classifier import final_urgency, final_urgency_of
from tools.intake.injection import detect_injection
from tools.intake.language import detect_language
from tools.intake.sensitivity import detect_sensitivity


# A model fitted on a few thousand items is never certain; capping below 1.0 also keeps a policy
# threshold of 1.0 meaning "never auto-route this doc_type".
MAX_CONFIDENCE = 0.9999


@dataclass(frozen=True)
class TriageAssessment:
    """Everything the suggestion needs from the text, as plain values (it is checkpointed)."""

    doc_type: str
    doc_type_p: float
    urgency: str  # final: the highest of every urgency signal
    model_urgency: str  # the urgency head's own answer
    urgency_p: float
    urgency_sources: list[str]
    confidence: float  # calibrated P(doc_type right and final urgency right)
    sensitive: bool
    categories: list[str]  # rules' and learned heads' clinical categories
    rule_categories: list[str]
    learned_categories: list[str]
    injection_suspected: bool
    injection_score: float
    head_probs: dict[str, float]
    findings: list[dict[str, Any]] = field(default_factory=list)
    injection_spans: list[dict[str, Any]] = field(default_factory=list)
    model_version: str = ""
    source: str = "local"
    local_doc_type: str = ""  # the local model's own doc_type (differs from doc_type when an LLM labelled)
    language: str | None = None
    language_supported: bool = True
    destination_change: bool = False
    urgency_floor: str = "routine"  # the rules' floor (language-aware)

    @property
    def flags(self) -> list[str]:
        """The review flags the text itself raises (clinical categories, instructions to the AI, a new
        destination for records, an unsupported language)."""
        return text_flags(self.sensitivity())

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def classification(self, *, model_version: str | None = None, prompt_hash: str | None = None) -> Classification:
        """The labels as the intake graph's state carries them."""
        return Classification(
            doc_type=self.doc_type, urgency=self.urgency, doc_type_p=min(max(self.doc_type_p, 0.0), 1.0),
            urgency_p=min(max(self.urgency_p, 0.0), 1.0), confidence=self.confidence, source=self.source,
            model_version=model_version or self.model_version, prompt_hash=prompt_hash,
            model_urgency=self.model_urgency, urgency_sources=list(self.urgency_sources),
            local_doc_type=self.local_doc_type or None, head_probs=dict(self.head_probs))

    def sensitivity(self) -> SensitivitySummary:
        """The safety signals as the intake graph's state carries them."""
        return SensitivitySummary(
            language=self.language, language_supported=self.language_supported, sensitive=self.sensitive,
            categories=list(self.categories), learned_categories=list(self.learned_categories),
            urgency_floor=self.urgency_floor,
            findings=[ClinicalFindingRef(**f) for f in self.findings],
            injection_suspected=self.injection_suspected, injection_score=self.injection_score,
            injection_spans=[InjectionSpanRef(**f) for f in self.injection_spans],
            destination_change=self.destination_change, assessed=True)


def text_flags(s: SensitivitySummary) -> list[str]:
    """The review flags a document's own text raises, from its sensitivity summary."""
    out = [clinical_flag(c) for c in s.categories]
    out += ["injection_suspected"] if s.injection_suspected else []
    out += ["destination_change"] if s.destination_change else []
    out += [] if s.language_supported else ["language_unsupported"]
    return sorted(set(out))


def assess_texts(texts: Sequence[str], clf: Any, *, embeddings: np.ndarray | None = None,
                 labels: Sequence[tuple[str, str] | None] | None = None) -> list[TriageAssessment]:
    """Assess each text. `labels` may give (doc_type, urgency) from another source (an LLM) per text:
    those labels stand, the local model supplies their probability and every safety signal."""
    texts = list(texts)
    languages = [detect_language(t) for t in texts]
    reports = [detect_sensitivity(t, language=lang) for t, lang in zip(texts, languages, strict=True)]
    injections = [detect_injection(t) for t in texts]
    preds = clf.predict(texts, embeddings=embeddings, reports=reports)
    out = []
    for i, (lang, report, inj, pred) in enumerate(zip(languages, reports, injections, preds, strict=True)):
        given = labels[i] if labels is not None else None
        rule_cats = [c.value for c in report.categories]
        learned = [c for c in pred.learned_categories if c not in rule_cats]
        learned_injection = bool(pred.head_flags.get("injection", False))
        emergent_head = bool(pred.head_flags.get("emergent", False))
        doc_type, doc_p, model_urgency = pred.doc_type, pred.doc_type_p, pred.urgency
        # Recomputed here from the language-aware rules' floor, whatever model is loaded: an emergent
        # cue always makes the item emergent.
        urgency, sources = final_urgency_of(model_urgency, report.urgency_floor.value, emergent_head)
        confidence, source = pred.confidence, "local"
        if given is not None:
            doc_type, head_urgency = given
            urgency, sources = final_urgency_of(head_urgency, report.urgency_floor.value, emergent_head)
            doc_p = pred.doc_type_probs.get(doc_type, 0.0)
            # An LLM gives no calibrated probability: the local model's probability of its labels.
            confidence = doc_p * pred.urgency_probs.get(urgency, 0.0)
            model_urgency, source = head_urgency, "llm"
        categories = sorted(set(rule_cats) | set(learned), key=lambda c: list(ClinicalCategory).index(ClinicalCategory(c)))
        if not lang.supported and categories and urgency == "routine":
            # Nobody here reads the language: a clinical signal in it is seen soon (the rules' floor
            # does this for their own cues; the learned heads' categories count too).
            urgency, sources = final_urgency(urgency, "urgent"), [*sources, "language_unsupported"]
        out.append(TriageAssessment(
            doc_type=doc_type, doc_type_p=float(doc_p), urgency=urgency, model_urgency=model_urgency,
            urgency_p=float(pred.urgency_probs.get(urgency, 0.0)), urgency_sources=sources,
            confidence=float(min(max(confidence, 0.0), MAX_CONFIDENCE)), sensitive=bool(categories), categories=categories,
            rule_categories=rule_cats, learned_categories=learned,
            injection_suspected=bool(inj.suspected or learned_injection), injection_score=float(inj.score),
            head_probs={k: round(v, 6) for k, v in pred.head_probs.items()},
            findings=[{"category": f.category.value, "start": f.span.start, "end": f.span.end, "cue": f.cue}
                      for f in report.findings if f.suppressed_by is None][:20],
            injection_spans=[{"start": f.span.start, "end": f.span.end, "kind": f.kind} for f in inj.findings][:10]
            + ([{"start": 0, "end": 0, "kind": "learned_injection_head"}] if learned_injection else []),
            model_version=clf.version, source=source, local_doc_type=pred.doc_type,
            language=lang.language, language_supported=lang.supported, destination_change=inj.destination_change,
            urgency_floor=report.urgency_floor.value,
        ))
    return out
