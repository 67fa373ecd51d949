"""One triage assessment of a document's text: the intake models' heads and the rule detectors
combined into the doc_type, the final urgency, the clinical categories, the flags and the calibrated
confidence. The intake agent's graph and the triage evaluation suite both call `assess_texts`, so
what is measured is what runs.

Any one signal flags (DESIGN promise 4): a clinical category from the rules or from the learned
sensitive head; emergent from the rules' floor, the urgency head or the emergent head (an emergent
cue always makes the item emergent, whatever the urgency head said); `injection_suspected` from the
rule detector or the learned injection head.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

import numpy as np

from models.governance import ClinicalCategory
from tools.intake.classifier import IntakeClassifier, final_urgency_of
from tools.intake.injection import detect_injection
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

    @property
    def flags(self) -> list[str]:
        """The review flags the text itself raises."""
        out = [f"clinical:{c}" for c in self.categories]
        if self.injection_suspected:
            out.append("injection_suspected")
        return sorted(set(out))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def assess_texts(texts: Sequence[str], clf: IntakeClassifier, *, embeddings: np.ndarray | None = None,
                 labels: Sequence[tuple[str, str] | None] | None = None) -> list[TriageAssessment]:
    """Assess each text. `labels` may give (doc_type, urgency) from another source (an LLM) per text:
    those labels stand, the local model supplies their probability and every safety signal."""
    texts = list(texts)
    reports = [detect_sensitivity(t) for t in texts]
    injections = [detect_injection(t) for t in texts]
    preds = clf.predict(texts, embeddings=embeddings, reports=reports)
    out = []
    for i, (report, inj, pred) in enumerate(zip(reports, injections, preds, strict=True)):
        given = labels[i] if labels is not None else None
        rule_cats = [c.value for c in report.categories]
        learned = [c for c in pred.learned_categories if c not in rule_cats]
        learned_injection = bool(pred.head_flags.get("injection", False))
        doc_type, doc_p, model_urgency = pred.doc_type, pred.doc_type_p, pred.urgency
        urgency, sources = pred.final_urgency or model_urgency, list(pred.urgency_reasons)
        confidence, source = pred.confidence, "local"
        if given is not None:
            doc_type, head_urgency = given
            urgency, sources = final_urgency_of(head_urgency, report.urgency_floor.value,
                                                bool(pred.head_flags.get("emergent", False)))
            doc_p = pred.doc_type_probs.get(doc_type, 0.0)
            # An LLM gives no calibrated probability: the local model's probability of its labels.
            confidence = doc_p * pred.urgency_probs.get(urgency, 0.0)
            model_urgency, source = head_urgency, "llm"
        categories = sorted(set(rule_cats) | set(learned), key=lambda c: list(ClinicalCategory).index(ClinicalCategory(c)))
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
        ))
    return out
