"""The "summary" suite: intake summaries scored against the reference clinical-note sections of the
MTS-Dialog test split (Ben Abacha et al., EACL 2023, CC BY 4.0) with ROUGE-1/2/L (Google Research's
`rouge-score` package, stemming on) and the share of summary sentences that trace verbatim to a span of
the source; the local extractive path and, when one is configured, the LLM path side by side.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evals.metrics import bootstrap_interval
from evals.model_card import NotApplicable
from evals.runner import SuiteContext, SuiteOutput, register_suite
from models.intake import LlmSummary
from tools.intake.summarize import sentence_spans, summarize_extractive, traceable_share

DEFAULT_DATA = (Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mts_dialog" / "Main-Dataset"
                / "MTS-Dialog-TestSet-1-MEDIQA-Chat-2023.csv")
CITATION = ("MTS-Dialog: Ben Abacha, Yim, Fan and Lin, 'An Empirical Study of Clinical Note Generation from "
            "Doctor-Patient Encounters', EACL 2023; data CC BY 4.0 (github.com/abachaa/MTS-Dialog).")
ROUGE_KEYS = ("rouge1", "rouge2", "rougeL")


class MtsDialogMissing(FileNotFoundError):
    """The MTS-Dialog CSV is not where the suite looks; the suite is skipped with this message."""


def load_mts_dialog(path: Path, *, limit: int | None = None) -> pd.DataFrame:
    """The rows (ID, section_header, section_text, dialogue) of an MTS-Dialog CSV."""
    if not path.exists():
        raise MtsDialogMissing(f"summary suite skipped: MTS-Dialog test split not found at {path} "
                               "(see ../shared/data/README.md; or pass --data FILE.csv in the MTS-Dialog format)")
    frame = pd.read_csv(path)
    missing = {"section_header", "section_text", "dialogue"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: not in the MTS-Dialog format; missing columns {sorted(missing)}")
    frame = frame.dropna(subset=["section_text", "dialogue"]).reset_index(drop=True)
    return frame.head(limit) if limit else frame


def lead_sentences(text: str, *, n: int = 3) -> list[str]:
    """The first n sentence spans of the source: the classic extractive baseline."""
    return [text[s:e] for s, e in sentence_spans(text)[:n]]


def _llm_summaries(dialogues: list[str], options: dict[str, Any]) -> tuple[list[list[str]] | None, str, str | None]:
    """(summaries as sentence lists, status, prompt hash). Not run, with the reason, when no LLM is configured."""
    if not options.get("llm", True):
        return None, "not run: disabled by option llm=false", None
    from models.settings import Settings
    from tools.llm import LlmError, LlmGateway
    from tools.intake.phi import redact_phi

    gateway = LlmGateway(options.get("settings") or Settings())
    if not gateway.enabled:
        return None, "not run: no LLM configured (HANDOFF_LLM_BASE_URL and HANDOFF_LLM_MODEL unset)", None
    out: list[list[str]] = []
    failures = 0
    prompt_hash = None
    for dialogue in dialogues:
        # DESIGN promise 6: identifiers are redacted before any text leaves for an LLM.
        redacted = redact_phi(dialogue, level="identifiers").text
        try:
            answer = gateway.structured("intake_summarize", LlmSummary, document=redacted)
            prompt_hash = answer.prompt_hash
            text = answer.value.summary
            out.append([text[s:e] for s, e in sentence_spans(text)])
        except LlmError:
            failures += 1
            out.append([])
    return out, f"run with {gateway.model} ({failures} failure(s) of {len(dialogues)})", prompt_hash


def _score(scorer, references: list[str], summaries: list[list[str]], sources: list[str]) -> dict[str, np.ndarray]:
    cols: dict[str, list[float]] = {k: [] for k in ROUGE_KEYS}
    cols["traceable"] = []
    cols["sentences"] = []
    for ref, sents, src in zip(references, summaries, sources):
        hyp = " ".join(" ".join(s.split()) for s in sents)
        scores = scorer.score(ref, hyp)
        for k in ROUGE_KEYS:
            cols[k].append(scores[k].fmeasure)
        cols["traceable"].append(traceable_share(sents, src) if sents else np.nan)
        cols["sentences"].append(len(sents))
    return {k: np.asarray(v, dtype=float) for k, v in cols.items()}


def run_summary_suite(ctx: SuiteContext) -> SuiteOutput:
    """Intake summaries vs MTS-Dialog reference sections: ROUGE-1/2/L and traceability, local vs LLM."""
    from rouge_score import rouge_scorer

    path = ctx.data or Path(ctx.options.get("mts_path", DEFAULT_DATA))
    frame = load_mts_dialog(path, limit=ctx.options.get("limit"))
    sources = frame["dialogue"].astype(str).tolist()
    references = frame["section_text"].astype(str).tolist()
    scorer = rouge_scorer.RougeScorer(list(ROUGE_KEYS), use_stemmer=True)
    started = time.perf_counter()
    local = [[s.text for s in summarize_extractive(d).sentences] for d in sources]
    local_seconds = time.perf_counter() - started
    paths: dict[str, list[list[str]]] = {"local": local, "lead3": [lead_sentences(d) for d in sources]}
    llm, llm_status, prompt_hash = _llm_summaries(sources, ctx.options)
    if llm is not None:
        paths["llm"] = llm
    metrics: dict[str, float | None] = {"n": float(len(frame)), "local_items_per_second": len(frame) / local_seconds}
    per_item: dict[str, dict[str, np.ndarray]] = {}
    for name, summaries in paths.items():
        scores = _score(scorer, references, summaries, sources)
        per_item[name] = scores
        for k in ROUGE_KEYS:
            metrics[f"{name}_{k}"] = float(scores[k].mean())
            lo, hi = bootstrap_interval(np.mean, scores[k], n_boot=ctx.n_boot, seed=ctx.seed)
            metrics[f"{name}_{k}_ci_low"], metrics[f"{name}_{k}_ci_high"] = lo, hi
        metrics[f"{name}_traceable_share"] = float(np.nanmean(scores["traceable"])) if np.isfinite(scores["traceable"]).any() else None
        metrics[f"{name}_mean_sentences"] = float(scores["sentences"].mean())
    for k in ROUGE_KEYS:
        metrics.setdefault(f"llm_{k}", None)
    metrics.setdefault("llm_traceable_share", None)
    # By section type: which note sections an extractive summary of the dialogue can and cannot match.
    by_section: dict[str, dict[str, dict]] = {"section_header": {}}
    headers = frame["section_header"].astype(str).str.upper().to_numpy()
    for header in sorted(set(headers)):
        mask = headers == header
        entry: dict[str, Any] = {"n": int(mask.sum()), "insufficient": int(mask.sum()) < 10}
        for name in paths:
            for k in ROUGE_KEYS:
                entry[f"{name}_{k}"] = {"value": float(per_item[name][k][mask].mean()), "ci_low": None, "ci_high": None}
        by_section["section_header"][header] = entry
    notes = [
        f"Data: {CITATION}",
        "ROUGE from Google Research's rouge-score package (pure-Python re-implementation of ROUGE-1.5.5), F-measure, "
        "Porter stemming on; mean over items with bootstrap 95% intervals.",
        "Traceable share = share of summary sentences found verbatim (whitespace- and case-insensitive) in the source "
        "dialogue; the extractive path returns source spans, so 1.0 by construction.",
        "lead3 = the first three sentences of the dialogue, the usual extractive baseline.",
        f"LLM path: {llm_status}.",
        "The reference is one note section written by a clinician; an extractive summary of a dialogue keeps its "
        "conversational wording, which caps ROUGE (published abstractive systems reach ROUGE-1 around 0.3-0.4 on this task).",
    ]
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return SuiteOutput(
        data_path=str(path), data_sha256=sha, data_kind="external", n=len(frame),
        model_version="extractive-cues-v1" + (f"; llm prompt {prompt_hash[:12]}" if prompt_hash else ""),
        metrics=metrics, by_group=by_section, card_title="Intake summaries (extractive, and LLM when configured)",
        card_attributes=_card(metrics, path, llm_status),
        card_headline=["local_rouge1", "local_rouge2", "local_rougeL", "local_traceable_share", "lead3_rouge1",
                       "llm_rouge1", "llm_traceable_share"],
        notes=notes, details={"llm_status": llm_status, "citation": CITATION},
        key_metrics=[f"{p}_{k}" for p in ("local", "lead3", "llm") for k in (*ROUGE_KEYS, "traceable_share")],
        group_figures=[f"local_{k}" for k in ROUGE_KEYS],
    )


def _card(m: dict, path: Path, llm_status: str) -> dict[str, str | NotApplicable]:
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
    validity = (f"On {int(m['n'])} MTS-Dialog test dialogues: local ROUGE-1 {fmt(m['local_rouge1'])}, ROUGE-2 "
                f"{fmt(m['local_rouge2'])}, ROUGE-L {fmt(m['local_rougeL'])}, traceable share {fmt(m['local_traceable_share'])}; "
                f"lead-3 ROUGE-1 {fmt(m['lead3_rouge1'])}; LLM path {llm_status}.")
    na = NotApplicable("the summary is extractive text shown to staff, not a prediction about a patient group")
    return {
        "developer": "Handoff maintainers (open source).",
        "funding": "Volunteer open-source development.",
        "output": "Two or three sentences copied from the document (with their character spans) for a coordinator.",
        "output_type": "other (extractive summary)",
        "intended_use": "Let a coordinator see what an inbound item asks or reports without reading all of it.",
        "intended_population": "Patients whose documents arrive at an outpatient clinic.",
        "intended_users": "Front-desk, referral and nursing staff.",
        "decision_role": "Informs; the full document stays one click away and every sentence links to its span.",
        "out_of_scope": "Clinical documentation; replacing the source document.",
        "known_risks": "An extractive summary can omit the one sentence that matters; it never invents one.",
        "inclusion_exclusion": NotApplicable("not trained: rules over cue lexicons and sensitivity findings"),
        "inputs": "The document text only.",
        "training_data": NotApplicable("no training; lexicons written from domain knowledge"),
        "representativeness": NotApplicable("no training data"),
        "relevance": "MTS-Dialog dialogues are doctor-patient conversations, not faxes; they test whether the picked "
                     "sentences carry the facts a clinician wrote down.",
        "fairness_approach": na, "bias_management": na,
        "external_source": f"{path} ({CITATION})",
        "external_party": "The Handoff maintainers, on public data",
        "external_representativeness": "English dialogues only; no demographic attributes in the data.",
        "external_process": "Summaries of each dialogue scored against its reference section with ROUGE.",
        "validity_internal": NotApplicable("no training data"),
        "fairness_internal": na,
        "validity_external": validity,
        "fairness_external": NotApplicable("MTS-Dialog carries no patient-group attributes; results are broken down by note section"),
        "outcome_references": NotApplicable("no outcome study yet"),
        "update_schedule": "Rerun with each change to tools/intake/summarize.py or the summary prompt.",
        "validity_local": NotApplicable("no clinic-labelled summaries yet"),
        "fairness_local": na,
        "monitoring": "Reviewers can flag a misleading summary; the share of flagged summaries is tracked.",
    }


register_suite("summary", run_summary_suite, description="Intake summaries vs MTS-Dialog note sections: ROUGE and traceability")
