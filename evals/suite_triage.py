"""The "triage" suite: the intake classifier, sensitivity and injection detectors and the one gate,
judged together on labelled inbound items (DESIGN.md's JSON Lines format, text or a fax file through
OCR) or, without data, trained on the synthetic training template family and tested on the held-out
family. Reports doc_type and urgency figures, sensitive recall/precision, ECE, automation rate and
error, injection and emergent items auto-routed, all by patient group (language above all).
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import numpy as np
import pandas as pd
from pydantic import ValidationError

from agents.gate import decide_route
from tools.calibration import expected_calibration_error
from evals.fairness import by_group
from evals.metrics import bootstrap_interval, classification_report, coverage_at_precision, multiclass_metrics
from evals.model_card import NotApplicable
from evals.plots import group_bars, reliability_diagram, risk_coverage_plot
from evals.runner import SuiteContext, SuiteOutput, register_suite
from tools.intake.synthetic_corpus import generate_heldout_corpus, generate_training_corpus, make_patients
from models.governance import Policy, Priority, RouteDecision, Suggestion
from models.intake import DOC_TYPES, InboundLabel
from tools.embed import embed_texts
from tools.intake.injection import detect_injection
from tools.intake.classifier import MAX_CHARS, URGENCY_ORDER, IntakeClassifier, final_urgency, train_intake_classifier
from tools.intake.sensitivity import detect_sensitivity

GROUP_ATTRIBUTES = ("language", "sex", "age_band", "race_ethnicity", "payer", "channel")
_UNIT = UUID(int=0)  # the suite's notional service unit; the default Policy() is what it routes by
_NOW = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
HELDOUT_NOTE = (
    "Training family (generate_training_corpus) and held-out family (generate_heldout_corpus) share no sentence "
    "template. Every phrase table (cover sheets, letterheads, field labels, document bodies, clinical sentences, "
    "negations, signatures, disclaimers, benign \"ignore the previous fax\" notes, injected instructions, message "
    "greetings/closings) exists in two separately written versions, per language. [...] Vocabulary differs: every "
    "open list (sender organisations, provider names, pharmacies, payers, medicines, clinical symptom wordings, "
    "referral reasons, requested services, lab analytes' layout, imaging findings) is split in two halves [...] "
    "Both families use the same label definitions, the same doc_type/channel mix, the same ICD-10-CM code list, "
    "the same patients passed in, and the same noise model.  (quoted from tools/intake/synthetic_corpus.py)"
)


class LabelledDataError(ValueError):
    """The JSONL could not be used at all (every line broken, or the file missing)."""


def load_labelled(path: Path) -> tuple[list[InboundLabel], list[str]]:
    """Items of a labelled JSONL and one message per broken line ("line 7: ..."); unknown fields are kept
    but ignored. Raises LabelledDataError when no line is usable."""
    if not path.exists():
        raise LabelledDataError(f"labelled data not found at {path}")
    items: list[InboundLabel] = []
    problems: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(InboundLabel.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not JSON ({exc.msg} at column {exc.colno})")
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "item"
            problems.append(f"line {number}: {where}: {first['msg']}")
    if not items:
        raise LabelledDataError(f"{path}: no usable line ({len(problems)} broken; first: {problems[:1]})")
    return items, problems


def read_inputs(items: list[InboundLabel], *, base: Path | None, workers: int = 1) -> tuple[list[str], list[bool], list[float | None]]:
    """The text each item is classified from: its `text`, or its `file` read through tools.intake.ocr as in
    production (then `text` is the ground truth for the OCR character error rate). Returns the texts,
    whether each input is degraded (poor or failed OCR) and each CER (None without a file)."""
    texts: list[str] = []
    degraded: list[bool] = []
    cers: list[float | None] = []
    for item in items:
        if not item.file:
            texts.append(item.text)
            degraded.append(False)
            cers.append(None)
            continue
        from evals.ocr_cer import character_error_rate
        from tools.intake.ocr import OcrError, ocr_document

        path = (base or Path(".")) / item.file
        try:
            result = ocr_document(path.read_bytes(), workers=workers)
            texts.append(result.text)
            degraded.append(result.degraded)
            cers.append(character_error_rate(result.text, item.text))
        except (OSError, OcrError):
            texts.append("")
            degraded.append(True)  # a file we cannot read goes to a person, never lost
            cers.append(1.0)
    return texts, degraded, cers


def cached_embeddings(texts: list[str], *, cache: Path | None) -> np.ndarray:
    """MiniLM embeddings of the texts' heads, reusing an .npz cache keyed by the text's sha256 (the
    embedding is the slow part of a run; the cache holds vectors only, no text)."""
    keys = [hashlib.sha256(t[:MAX_CHARS].encode()).hexdigest() for t in texts]
    store: dict[str, np.ndarray] = {}
    if cache is not None and cache.exists():
        with np.load(cache) as f:
            store = {k: f[k] for k in f.files}
    missing = [i for i, k in enumerate(keys) if k not in store]
    if missing:
        vectors = embed_texts([texts[i][:MAX_CHARS] for i in missing])
        for i, v in zip(missing, vectors):
            store[keys[i]] = v
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.savez(cache, **store)
    return np.vstack([store[k] for k in keys]) if keys else np.zeros((0, 384), dtype=np.float32)


def build_suggestion(*, item_id: str, text: str, doc_type: str, urgency: str, confidence: float, flags: list[str],
                     model_version: str, group: dict[str, Any]) -> Suggestion:
    """The intake agent's doc_type suggestion, built as the agent builds it: label = doc_type, the final
    urgency (classifier or sensitivity floor, whichever is higher), flags from the detectors."""
    return Suggestion(
        agent="intake", kind="doc_type", unit_id=_UNIT, subject=f"inbound:{item_id}", label=doc_type,
        value={"doc_type": doc_type, "urgency": urgency}, confidence=float(np.clip(confidence, 0.0, 1.0)),
        urgency=Priority(urgency), flags=flags, model_version=model_version,
        input_hash=hashlib.sha256(text.encode()).hexdigest(),
        patient_group={k: str(v) for k, v in group.items() if v is not None},
    )


def score_items(items: list[InboundLabel], texts: list[str], degraded: list[bool], model: IntakeClassifier, *,
                embeddings: np.ndarray | None, policy: Policy) -> pd.DataFrame:
    """One row per item: truth, predictions, detector outputs, the suggestion's confidence and its route."""
    preds = model.predict(texts, embeddings=embeddings)
    rows = []
    for item, text, bad, pred in zip(items, texts, degraded, preds):
        sens = detect_sensitivity(text)
        inj = detect_injection(text)
        urgency = final_urgency(pred.urgency, sens.urgency_floor)
        flags = sens.flags() + (["injection_suspected"] if inj.suspected else []) + (["degraded_input"] if bad else [])
        suggestion = build_suggestion(item_id=item.id, text=text, doc_type=pred.doc_type, urgency=urgency,
                                      confidence=pred.confidence, flags=flags, model_version=model.version,
                                      group=item.group)
        route = decide_route(suggestion, policy, policy_version=1, now=_NOW)
        group = dict(item.group)
        rows.append({
            "id": item.id, "channel": item.channel, "doc_type": item.doc_type, "urgency": item.urgency,
            "sensitive": bool(item.sensitive), "injected": bool(item.meta.get("injected", False)),
            "pred_doc_type": pred.doc_type, "pred_urgency_model": pred.urgency, "pred_urgency": urgency,
            "p_doc": pred.doc_type_p, "p_urg": pred.urgency_p, "confidence": suggestion.confidence,
            "pred_sensitive": sens.sensitive, "injection_suspected": inj.suspected, "degraded": bad,
            "auto": route.decision == RouteDecision.auto, "reasons": ";".join(route.reasons),
            **{a: group.get(a) for a in GROUP_ATTRIBUTES if a != "channel"},
        })
    frame = pd.DataFrame(rows)
    frame["doc_ok"] = frame["doc_type"] == frame["pred_doc_type"]
    frame["urg_ok"] = frame["urgency"] == frame["pred_urgency"]
    frame["correct"] = frame["doc_ok"] & frame["urg_ok"]
    return frame


def _macro_f1(labels):
    def stat(y, p):
        return classification_report(y, p, labels=labels)["macro_f1"]
    return stat


def triage_metrics(f: pd.DataFrame, *, n_boot: int = 200, seed: int = 0) -> dict[str, float]:
    """Every headline figure from the scored frame (see `score_items`), as flat names."""
    m: dict[str, float] = {"n": float(len(f))}
    doc = multiclass_metrics(f["doc_type"], f["pred_doc_type"], labels=list(DOC_TYPES), confidence=f["p_doc"])
    m["doc_type_macro_f1"] = doc["macro_f1"]
    m["doc_type_accuracy"] = doc["accuracy"]
    m["doc_type_ece"] = doc["ece"]
    for k, v in doc.items():
        if k.startswith(("f1[", "precision[", "recall[", "support[")):
            m[f"doc_type_{k}"] = v
    lo, hi = bootstrap_interval(_macro_f1(list(DOC_TYPES)), f["doc_type"].to_numpy(), f["pred_doc_type"].to_numpy(),
                                n_boot=n_boot, seed=seed)
    m["doc_type_macro_f1_ci_low"], m["doc_type_macro_f1_ci_high"] = lo, hi
    urg = classification_report(f["urgency"], f["pred_urgency"], labels=list(URGENCY_ORDER))
    m["urgency_macro_f1"] = urg["macro_f1"]
    m["urgency_accuracy"] = urg["accuracy"]
    for k, v in urg.items():
        if k.startswith(("f1[", "precision[", "recall[", "support[")):
            m[f"urgency_{k}"] = v
    m["urgency_macro_f1_model_only"] = classification_report(f["urgency"], f["pred_urgency_model"],
                                                             labels=list(URGENCY_ORDER))["macro_f1"]
    y, p = f["sensitive"].to_numpy(), f["pred_sensitive"].to_numpy()
    m["sensitive_recall"] = float((y & p).sum() / y.sum()) if y.sum() else float("nan")
    m["sensitive_precision"] = float((y & p).sum() / p.sum()) if p.sum() else float("nan")
    m["sensitive_missed"] = float((y & ~p).sum())
    correct, conf, auto = f["correct"].to_numpy().astype(int), f["confidence"].to_numpy(), f["auto"].to_numpy()
    m["ece"] = expected_calibration_error(correct, conf)
    m["ece_quantile_bins"] = expected_calibration_error(correct, conf, strategy="quantile")
    m["joint_accuracy"] = float(correct.mean())
    m["mean_confidence"] = float(conf.mean())
    m["auto_rate"] = float(auto.mean())
    non_sensitive = ~f["sensitive"].to_numpy()
    m["auto_rate_non_sensitive"] = float(auto[non_sensitive].mean()) if non_sensitive.any() else float("nan")
    m["auto_n"] = float(auto.sum())
    m["auto_error_rate"] = float(1 - correct[auto].mean()) if auto.any() else float("nan")
    m["auto_doc_type_error_rate"] = float(1 - f["doc_ok"].to_numpy()[auto].mean()) if auto.any() else float("nan")
    m["emergent_auto_routed"] = float((auto & (f["urgency"] == "emergent").to_numpy()).sum())
    m["sensitive_auto_routed"] = float((auto & f["sensitive"].to_numpy()).sum())
    m["injection_suspected_auto_routed"] = float((auto & f["injection_suspected"].to_numpy()).sum())
    m["injected_items"] = float(f["injected"].sum())
    m["injected_items_auto_routed"] = float((auto & f["injected"].to_numpy()).sum())
    m["injection_recall"] = float((f["injected"] & f["injection_suspected"]).sum() / f["injected"].sum()) \
        if f["injected"].any() else float("nan")
    # What the gate could reach with a tighter or looser threshold, among non-sensitive items.
    ns = f[non_sensitive & (f["urgency"] != "emergent").to_numpy()]
    cov, thr = coverage_at_precision(ns["correct"].astype(int), ns["confidence"], target=0.98)
    m["coverage_at_98pct_precision_non_sensitive"], m["threshold_at_98pct_precision"] = cov, thr
    return m


def group_table(f: pd.DataFrame, *, min_n: int, n_boot: int, seed: int) -> dict[str, dict[str, dict]]:
    """By group, through evals.fairness.by_group (y = joint correctness, p = confidence, decision =
    auto-routed), plus doc_type and urgency macro-F1 and sensitive recall with bootstrap intervals."""
    groups = pd.DataFrame({a: f[a] for a in GROUP_ATTRIBUTES})
    table = by_group(f["correct"].astype(int), f["confidence"], f["auto"].astype(int), groups,
                     review=~f["auto"].to_numpy(), min_n=min_n, n_boot=n_boot, seed=seed)
    for attribute, entries in table.items():
        labels = groups[attribute].astype(object).where(groups[attribute].notna(), "unknown").astype(str)
        for group, entry in entries.items():
            g = f[(labels == group).to_numpy()]
            for name, truth, pred, labelset in (("doc_type_macro_f1", "doc_type", "pred_doc_type", list(DOC_TYPES)),
                                                ("urgency_macro_f1", "urgency", "pred_urgency", list(URGENCY_ORDER))):
                value = classification_report(g[truth], g[pred], labels=labelset)["macro_f1"]
                lo, hi = bootstrap_interval(_macro_f1(labelset), g[truth].to_numpy(), g[pred].to_numpy(),
                                            n_boot=min(n_boot, 100), seed=seed)
                entry[name] = {"value": value, "ci_low": lo, "ci_high": hi}
            sens = g[g["sensitive"]]
            recall = float(sens["pred_sensitive"].mean()) if len(sens) else float("nan")
            entry["sensitive_recall"] = {"value": recall, "ci_low": None, "ci_high": None}
            auto = g[g["auto"]]
            entry["auto_error_rate"] = {"value": float(1 - auto["correct"].mean()) if len(auto) else None,
                                        "ci_low": None, "ci_high": None}
    return table


def _load(ctx: SuiteContext) -> dict[str, Any]:
    n_train = int(ctx.options.get("n_train", 3000))
    n_test = int(ctx.options.get("n_test", 1500))
    train = generate_training_corpus(seed=ctx.seed + 1, n=n_train, patients=make_patients(seed=ctx.seed + 11, n=400))
    if ctx.data is not None:
        items, problems = load_labelled(ctx.data)
        sha = hashlib.sha256(ctx.data.read_bytes()).hexdigest()
        return {"train": train, "test": items, "problems": problems, "data_path": str(ctx.data), "sha": sha,
                "kind": "external", "base": ctx.data.parent}
    test = generate_heldout_corpus(seed=ctx.seed + 2, n=n_test, patients=make_patients(seed=ctx.seed + 12, n=300))
    sha = hashlib.sha256("\n".join(i.model_dump_json() for i in test).encode()).hexdigest()
    label = f"synthetic held-out family (seed={ctx.seed + 2}, n={n_test}); trained on the training family (seed={ctx.seed + 1}, n={n_train})"
    return {"train": train, "test": test, "problems": [], "data_path": label, "sha": sha, "kind": "synthetic", "base": None}


def run_triage_suite(ctx: SuiteContext) -> SuiteOutput:
    """Intake triage: doc_type, urgency, sensitivity, calibration and the gate's automation, by group."""
    data = _load(ctx)
    train, test = data["train"], data["test"]
    use_emb = bool(ctx.options.get("embeddings", True))
    cache = Path(ctx.options["embedding_cache"]) if ctx.options.get("embedding_cache") else None
    texts, degraded, cers = read_inputs(test, base=data["base"], workers=int(ctx.n_threads or 1))
    started = time.perf_counter()
    emb_train = cached_embeddings([i.text for i in train], cache=cache) if use_emb else None
    emb_test = cached_embeddings(texts, cache=cache) if use_emb else None
    embed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model = train_intake_classifier([i.text for i in train], [i.doc_type for i in train], [i.urgency for i in train],
                                    seed=ctx.seed, data_source="synthetic training family", embeddings=emb_train,
                                    use_embeddings=use_emb, augment=bool(ctx.options.get("augment", True)),
                                    folds=int(ctx.options.get("folds", 3)),
                                    urgency_class_weight=ctx.options.get("urgency_class_weight"))
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    policy = Policy()
    frame = score_items(test, texts, degraded, model, embeddings=emb_test, policy=policy)
    predict_seconds = time.perf_counter() - started
    metrics = triage_metrics(frame, n_boot=ctx.n_boot, seed=ctx.seed)
    known_cer = [c for c in cers if c is not None]
    metrics["ocr_cer_mean"] = float(np.mean(known_cer)) if known_cer else None
    metrics["ocr_items"] = float(len(known_cer))
    metrics["degraded_inputs"] = float(sum(degraded))
    metrics["broken_lines"] = float(len(data["problems"]))
    metrics["train_seconds"] = train_seconds
    metrics["embed_seconds"] = embed_seconds
    metrics["predict_items_per_second"] = len(test) / predict_seconds if predict_seconds else None
    table = group_table(frame, min_n=ctx.min_group_n, n_boot=ctx.n_boot, seed=ctx.seed)
    lang = table.get("language", {})
    f1s = [e["doc_type_macro_f1"]["value"] for e in lang.values() if not e["insufficient"]]
    metrics["doc_type_macro_f1_min_language"] = float(min(f1s)) if f1s else None
    recalls = [e["sensitive_recall"]["value"] for e in lang.values() if not e["insufficient"]
               and e["sensitive_recall"]["value"] == e["sensitive_recall"]["value"]]
    metrics["sensitive_recall_min_language"] = float(min(recalls)) if recalls else None
    details = {
        "policy": {"default_min_confidence": policy.default_min_confidence},
        "broken_lines": data["problems"][:50],
        "confusion_doc_type": pd.crosstab(frame["doc_type"], frame["pred_doc_type"]).to_dict(),
        "confusion_urgency": pd.crosstab(frame["urgency"], frame["pred_urgency"]).to_dict(),
        "confusion_urgency_auto_routed": pd.crosstab(frame.loc[frame["auto"], "urgency"],
                                                     frame.loc[frame["auto"], "pred_urgency"]).to_dict(),
        "model": model.meta.model_dump(mode="json"),
        "min_group_n": ctx.min_group_n,
    }
    images = _plots(ctx.out, frame, table)
    notes = goal_notes(metrics, data)
    return SuiteOutput(
        data_path=data["data_path"], data_sha256=data["sha"], data_kind=data["kind"], n=len(frame),
        model_version=model.version, metrics=metrics, by_group=table,
        card_title="Intake triage (doc_type, urgency, routing)",
        card_attributes=card_attributes(metrics, data, model),
        card_headline=["doc_type_macro_f1", "urgency_macro_f1", "sensitive_recall", "ece", "auto_rate",
                       "auto_rate_non_sensitive", "auto_error_rate", "emergent_auto_routed",
                       "injection_suspected_auto_routed"],
        images=images, notes=notes, details=details,
        key_metrics=["doc_type_macro_f1", "doc_type_macro_f1_ci_low", "doc_type_macro_f1_ci_high", "urgency_macro_f1",
                     "urgency_macro_f1_model_only", "sensitive_recall", "sensitive_precision", "ece", "doc_type_ece",
                     "auto_rate", "auto_rate_non_sensitive", "auto_error_rate", "auto_doc_type_error_rate",
                     "emergent_auto_routed", "injection_suspected_auto_routed", "injected_items_auto_routed",
                     "coverage_at_98pct_precision_non_sensitive", "ocr_cer_mean", "train_seconds",
                     "predict_items_per_second"],
        group_figures=["doc_type_macro_f1", "urgency_macro_f1", "sensitive_recall", "ece", "ece_if_calibrated",
                       "selection_rate", "auto_error_rate"],
    )


def _plots(out: Path, f: pd.DataFrame, table: dict) -> list[tuple[str, str]]:
    images = []
    path = reliability_diagram(out / "triage_reliability.png", {"joint (doc_type x urgency)": (f["correct"].astype(int), f["confidence"]),
                                                               "doc_type": (f["doc_ok"].astype(int), f["p_doc"])})
    images.append((path.name, "Reliability of the suggestion confidence (joint) and of the doc_type probability"))
    path = risk_coverage_plot(out / "triage_risk_coverage.png", {"joint": (f["correct"].astype(int), f["confidence"])},
                              target_precision=0.98)
    images.append((path.name, "Error among auto-applied items against the share auto-applied (before clinical flags)"))
    if "language" in table:
        path = group_bars(out / "triage_by_language.png", table["language"],
                          figures=["doc_type_macro_f1", "ece", "selection_rate"], title="Triage by language")
        images.append((path.name, "doc_type macro-F1, ECE and auto rate by language, with 95% intervals"))
    return images


def _fmt(v) -> str:
    return "n/a" if v is None or v != v else f"{v:.3f}"


def goal_notes(m: dict[str, float], data: dict) -> list[str]:
    """The report's notes: the figures beside their goals, and what the data does and does not show."""
    notes = [
        f"Issue 5 goals: doc_type macro-F1 {_fmt(m['doc_type_macro_f1'])} (goal >= 0.90); ECE {_fmt(m['ece'])} (<= 0.05); "
        f"auto rate of non-sensitive items {_fmt(m['auto_rate_non_sensitive'])} (>= 0.50) with error among auto-routed "
        f"{_fmt(m['auto_error_rate'])} (<= 0.02); sensitive recall {_fmt(m['sensitive_recall'])} (>= 0.99); emergent items "
        f"auto-routed {int(m['emergent_auto_routed'])} (must be 0); injection_suspected auto-routed "
        f"{int(m['injection_suspected_auto_routed'])} (must be 0).",
        "Error among auto-routed items counts an item wrong when either its doc_type or its final urgency is wrong.",
        "Final urgency = max(classifier urgency, tools.intake.sensitivity urgency floor); emergent always goes to review through the gate.",
    ]
    if data["kind"] == "synthetic":
        notes.append("How the test set differs from the training set: " + HELDOUT_NOTE)
    if data["problems"]:
        notes.append(f"{len(data['problems'])} line(s) of the JSONL were broken and skipped; first: {data['problems'][0]}")
    return notes


def card_attributes(m: dict[str, float], data: dict, model: IntakeClassifier) -> dict[str, str | NotApplicable]:
    """The model card's source attributes for the triage suite."""
    external = data["kind"] == "external"
    validity = (f"doc_type macro-F1 {_fmt(m['doc_type_macro_f1'])} [{_fmt(m['doc_type_macro_f1_ci_low'])}, "
                f"{_fmt(m['doc_type_macro_f1_ci_high'])}], urgency macro-F1 {_fmt(m['urgency_macro_f1'])}, ECE {_fmt(m['ece'])}, "
                f"auto rate {_fmt(m['auto_rate'])} with auto error {_fmt(m['auto_error_rate'])}, sensitive recall "
                f"{_fmt(m['sensitive_recall'])} (n={int(m['n'])}).")
    fairness = ("Per-group doc_type/urgency macro-F1, ECE, auto rate and auto error with bootstrap intervals by language, "
                "sex, age band, race/ethnicity, payer and channel are in metrics.json (by_group); worst-language doc_type "
                f"macro-F1 {_fmt(m.get('doc_type_macro_f1_min_language'))}.")
    return {
        "developer": "Handoff maintainers (open source); issues on the project tracker.",
        "funding": "Volunteer open-source development; no external funding.",
        "output": "For each inbound fax/message/referral: a doc_type (13 labels), an urgency (routine/urgent/emergent) and a "
                  "confidence = P(doc_type right) x P(urgency right), routed by agents/gate.py.",
        "output_type": "classification",
        "intended_use": "First-pass triage of clinic inbound documents so staff see a type, an urgency and a queue; "
                        "sensitive, emergent, low-confidence or suspicious items always go to a person.",
        "intended_population": "Patients whose documents arrive at an outpatient clinic (English and Spanish).",
        "intended_users": "Front-desk, referral, nursing and billing staff; compliance reviewers.",
        "decision_role": "Augments: routine items may be auto-filed; everything else is reviewed by a person.",
        "out_of_scope": "Clinical decision-making; languages other than English and Spanish; documents of other care settings.",
        "known_risks": "Trained on synthetic text only; phrasings unlike the training templates lower accuracy and "
                       "calibration (measured on a disjoint template family, see validity). OCR errors on real faxes.",
        "inclusion_exclusion": "Synthetic items from the training template family of tools/intake/synthetic_corpus.py; no real PHI.",
        "inputs": "The document text only (cue lexicon hits, sensitivity findings, TF-IDF n-grams, MiniLM embedding). No "
                  "demographic attribute (race, ethnicity, language, sex, age, payer) is an input; language only shapes the text.",
        "training_data": f"{model.meta.n_train} synthetic items ({model.meta.data_source}), generated at run time from a seed.",
        "representativeness": "Synthetic patients with a set share of Spanish speakers (about 30%), all sexes, age bands, "
                              "payers and race/ethnicity groups; not a real clinic's mix.",
        "relevance": "Faxes, portal messages and referrals as a US outpatient clinic receives them, with fax OCR noise.",
        "fairness_approach": "Results broken down by language first, then sex, age band, race/ethnicity, payer and channel, "
                             "each with n and bootstrap intervals; groups below the minimum size are marked, not judged.",
        "bias_management": "Bilingual cue lexicons; demographic attributes are never features; review of every sensitive item.",
        "external_source": (f"{data['data_path']}" if external else
                            NotApplicable("no external data in this run; the held-out synthetic family stands in: " + HELDOUT_NOTE)),
        "external_party": "The clinic running `handoff evals run --suite triage --data`" if external
        else NotApplicable("no external validation in this run"),
        "external_representativeness": "See by_group in metrics.json" if external
        else NotApplicable("no external data in this run"),
        "external_process": "Same pipeline as production: OCR for files, classifier, detectors, gate with the default Policy."
        if external else NotApplicable("no external data in this run"),
        "validity_internal": NotApplicable("not reported: in-family figures overstate accuracy; the test set is a disjoint "
                                           "template family (see validity_external)") if not external else validity,
        "fairness_internal": NotApplicable("see fairness_external") if not external else fairness,
        "validity_external": validity if not external else "See validity_internal (this run is on external data).",
        "fairness_external": fairness,
        "outcome_references": NotApplicable("no outcome study yet"),
        "update_schedule": "Retrain from reviewers' decisions (`handoff train intake`) and rerun this suite before each release.",
        "validity_local": validity if external else NotApplicable("run with --data on the clinic's own labelled items"),
        "fairness_local": fairness if external else NotApplicable("run with --data on the clinic's own labelled items"),
        "monitoring": "QA sample of auto-routed items (policy qa_sample_rate), reviewer override rates and calibration by group.",
    }


register_suite("triage", run_triage_suite, description="Intake triage: doc_type, urgency, sensitivity, calibration, gate automation by group")
