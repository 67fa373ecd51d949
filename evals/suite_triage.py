"""The "triage" suite: the intake agent's triage as it runs (the same assessment, tools.intake.triage,
and the same suggestion builder, agents.intake.build_triage_suggestion, routed by the one gate) judged
on labelled inbound items: DESIGN.md's JSON Lines format, text or a fax file through OCR.

Which model: by default the registered model the service would load (`handoff train intake`); with
the `retrain` option, one trained afresh (on the written corpus's training authors and template augmentation, or
on the synthetic family only for a small smoke run). Which items: `--data FILE`, or by default the
team's written development test set (author w6 of evals/corpus/written, never trained on); the
synthetic held-out template family is an option (`dataset=synthetic`) and decides nothing.

Reports doc_type and urgency figures, sensitive recall/precision, ECE of the joint confidence, the
auto rate and the error among auto-routed items (with Clopper-Pearson bounds, per doc_type too),
emergent items below emergent priority, injected items auto-routed, all by language and group, and
names the items it missed in misses.csv beside metrics.json (ids and labels only, never text).
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
from agents.intake import build_triage_suggestion, clinical_by_label, missing_parts, normalize_document_text
from tools.calibration import expected_calibration_error
from evals.fairness import by_group
from evals.metrics import bootstrap_interval, classification_report, coverage_at_precision, multiclass_metrics
from evals.model_card import NotApplicable
from evals.plots import group_bars, reliability_diagram, risk_coverage_plot
from evals.runner import SuiteContext, SuiteOutput, register_suite
from tools.intake.synthetic_corpus import generate_heldout_corpus, make_patients
from models.governance import Policy, RouteDecision
from models.graph_state import PatientMatch
from models.intake import DOC_TYPES, InboundLabel
from tools.intake.training import (
    DEV_AUTHORS,
    TRAIN_AUTHORS,
    cached_embeddings,
    clopper_pearson_upper,
    load_written,
    train_synthetic_intake,
    train_written_intake,
)
from tools.intake.classifier import MODEL_NAME, URGENCY_ORDER, IntakeClassifier
from tools.intake.extract import extract_fields
from tools.intake.triage import assess_texts

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


def score_items(items: list[InboundLabel], texts: list[str], degraded: list[bool], model: IntakeClassifier, *,
                embeddings: np.ndarray | None, policy: Policy) -> pd.DataFrame:
    """One row per item: truth, the agent's triage (tools.intake.triage.assess_texts), the suggestion
    as the agent builds it (agents.intake.build_triage_suggestion, with the same extraction and
    completeness check) and the gate's route under `policy`."""
    texts = [normalize_document_text(t) for t in texts]  # as the agent stores every document part
    assessments = assess_texts(texts, model, embeddings=embeddings)
    rows = []
    for item, text, bad, a in zip(items, texts, degraded, assessments, strict=True):
        fields = extract_fields(text).fields
        missing = missing_parts(a.doc_type, fields, text)
        # The flags the graph's nodes raise before route, in the graph's order: degraded input
        # (normalize), clinical content (classify), the text's own (detect_sensitivity), incomplete.
        flags = (["degraded_input"] if bad else []) \
            + (["clinical_content"] if clinical_by_label(policy, a.local_doc_type) else []) \
            + (["incomplete"] if missing else [])
        suggestion = build_triage_suggestion(
            classification=a.classification(), sensitivity=a.sensitivity(), unit_id=_UNIT, part_id=item.id,
            flags=flags, fields=fields, missing=missing,
            patient=PatientMatch(group={k: str(v) for k, v in item.group.items() if v is not None}), degraded=bad)
        route = decide_route(suggestion, policy, policy_version=1, now=_NOW)
        group = dict(item.group)
        injected = bool(item.model_extra.get("injection", False) or item.meta.get("injected", False))
        rows.append({
            "id": item.id, "channel": item.channel, "doc_type": item.doc_type, "urgency": item.urgency,
            "sensitive": bool(item.sensitive), "categories": ";".join(item.categories), "injected": injected,
            "expected_review": item.expected_route == "review",
            "pred_doc_type": a.doc_type, "pred_urgency_model": a.model_urgency, "pred_urgency": a.urgency,
            "urgency_sources": ";".join(a.urgency_sources),
            "p_doc": a.doc_type_p, "p_urg": a.urgency_p, "confidence": suggestion.confidence,
            "pred_sensitive": a.sensitive, "pred_categories": ";".join(a.categories),
            "learned_categories": ";".join(a.learned_categories), "rule_sensitive": bool(a.rule_categories),
            "injection_suspected": "injection_suspected" in suggestion.flags, "degraded": bad,
            "auto": route.decision == RouteDecision.auto, "queue": route.queue, "priority": route.priority.value,
            "reasons": ";".join(route.reasons), "threshold": policy.threshold_for("intake", a.doc_type),
            **{k: round(v, 4) for k, v in (("p_sensitive", a.head_probs.get("sensitive")),
                                            ("p_emergent", a.head_probs.get("emergent")),
                                            ("p_injection", a.head_probs.get("injection"))) if v is not None},
            **{attr: group.get(attr) for attr in GROUP_ATTRIBUTES if attr != "channel"},
            "author": item.meta.get("author"),
        })
    frame = pd.DataFrame(rows)
    frame["doc_ok"] = frame["doc_type"] == frame["pred_doc_type"]
    frame["urg_ok"] = frame["urgency"] == frame["pred_urgency"]
    frame["correct"] = frame["doc_ok"] & frame["urg_ok"]
    return frame


MISS_KINDS = ("doc_type", "urgency", "sensitive_missed", "emergent_below_emergent", "injection_missed",
              "injection_auto_routed", "auto_routed_wrong", "expected_review_auto_routed")


def misses(f: pd.DataFrame) -> pd.DataFrame:
    """The items the triage got wrong, one row each with what kind of miss (ids and labels, no text)."""
    kinds = {
        "doc_type": ~f["doc_ok"],
        "urgency": ~f["urg_ok"],
        "sensitive_missed": f["sensitive"] & ~f["pred_sensitive"],
        "emergent_below_emergent": (f["urgency"] == "emergent") & (f["priority"] != "emergent"),
        "injection_missed": f["injected"] & ~f["injection_suspected"],
        "injection_auto_routed": (f["injected"] | f["injection_suspected"]) & f["auto"],
        "auto_routed_wrong": f["auto"] & ~f["correct"],
        "expected_review_auto_routed": f["expected_review"] & f["auto"],
    }
    which = pd.DataFrame(kinds)
    out = f.loc[which.any(axis=1)].copy()
    out.insert(1, "missed", which.loc[out.index].apply(lambda r: ";".join(k for k in MISS_KINDS if r[k]), axis=1))
    cols = ["id", "missed", "language", "channel", "author", "doc_type", "pred_doc_type", "urgency", "pred_urgency",
            "urgency_sources", "sensitive", "pred_sensitive", "categories", "pred_categories", "learned_categories",
            "injected", "injection_suspected", "confidence", "threshold", "auto", "queue", "priority", "reasons"]
    return out[[c for c in cols if c in out.columns]]


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
    m["auto_errors"] = float((auto & (correct == 0)).sum())
    m["auto_error_upper95"] = clopper_pearson_upper(int(m["auto_errors"]), int(m["auto_n"]))
    if "priority" in f:
        emergent = (f["urgency"] == "emergent").to_numpy()
        m["emergent_items"] = float(emergent.sum())
        m["emergent_below_emergent"] = float((emergent & (f["priority"] != "emergent").to_numpy()).sum())
    if "expected_review" in f:
        m["expected_review_auto_routed"] = float((auto & f["expected_review"].to_numpy()).sum())
    for d in DOC_TYPES:
        sel = auto & (f["pred_doc_type"] == d).to_numpy()
        errors = int((sel & (correct == 0)).sum())
        m[f"auto_n[{d}]"] = float(sel.sum())
        m[f"auto_errors[{d}]"] = float(errors)
        m[f"auto_error_upper95[{d}]"] = clopper_pearson_upper(errors, int(sel.sum()))
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


class NoRegisteredModel(LookupError):
    """The suite was asked to judge the registered model and there is none."""


def _load(ctx: SuiteContext) -> dict[str, Any]:
    """The items to judge: --data, the written development test set (default) or the synthetic
    held-out family (`dataset=synthetic`)."""
    if ctx.data is not None:
        items, problems = load_labelled(ctx.data)
        sha = hashlib.sha256(ctx.data.read_bytes()).hexdigest()
        return {"test": items, "problems": problems, "data_path": str(ctx.data), "sha": sha,
                "kind": "external", "dataset": "external", "base": ctx.data.parent}
    if ctx.options.get("dataset", "dev") == "synthetic":
        n_test = int(ctx.options.get("n_test", 1500))
        test = generate_heldout_corpus(seed=ctx.seed + 2, n=n_test, patients=make_patients(seed=ctx.seed + 12, n=300))
        sha = hashlib.sha256("\n".join(i.model_dump_json() for i in test).encode()).hexdigest()
        label = f"synthetic held-out template family (seed={ctx.seed + 2}, n={n_test}); decides nothing"
        return {"test": test, "problems": [], "data_path": label, "sha": sha, "kind": "synthetic",
                "dataset": "synthetic", "base": None}
    test = load_written(DEV_AUTHORS)
    sha = hashlib.sha256("\n".join(i.model_dump_json() for i in test).encode()).hexdigest()
    label = f"written development test set (evals/corpus/written/{', '.join(DEV_AUTHORS)}, n={len(test)})"
    return {"test": test, "problems": [], "data_path": label, "sha": sha, "kind": "external", "dataset": "dev",
            "base": None}


def _registered_model(ctx: SuiteContext) -> tuple[IntakeClassifier, str]:
    """The newest registered intake model, read from the one model registry the service reads
    (DATABASE_URL or the embedded server; the option `database_url` points elsewhere)."""
    import psycopg

    from models.settings import Settings
    from store.db import connect, database_url
    from tools.model_registry import latest_head, load_model

    url = str(ctx.options.get("database_url") or database_url(Settings()))
    with connect(url) as conn:
        try:
            head = latest_head(conn, name=MODEL_NAME)
        except psycopg.errors.UndefinedTable:
            head = None  # a database no command has migrated yet holds no model either
        if head is None:
            raise NoRegisteredModel("no intake model is registered: run `handoff train intake` first, or pass "
                                    "--retrain to train one for this run")
        estimators, record = load_model(conn, name=MODEL_NAME, version=head.version)
    return (IntakeClassifier.from_estimators(estimators, record.meta),
            f"registered model {record.name} {record.version} (registered by {record.registered_by})")


def _model(ctx: SuiteContext, cache: Path | None) -> tuple[IntakeClassifier, str]:
    """The registered model the service would load, or (option `retrain`) one trained afresh:
    on the written corpus (`train_on=written`, the default; `authors` picks them) or, for a quick
    smoke run, on `n_train` synthetic items (`train_on=synthetic`)."""
    if not ctx.options.get("retrain"):
        return _registered_model(ctx)
    use_emb = bool(ctx.options.get("embeddings", True))
    if ctx.options.get("train_on", "written") == "synthetic":
        model = train_synthetic_intake(n=int(ctx.options.get("n_train", 3000)), seed=ctx.seed + 1,
                                       use_embeddings=use_emb, augment=bool(ctx.options.get("augment", True)),
                                       folds=int(ctx.options.get("folds", 3)))
        return model, "trained afresh on the synthetic training family"
    authors = tuple(ctx.options.get("authors") or TRAIN_AUTHORS)
    model = train_written_intake(authors=authors, n_templates=int(ctx.options.get("n_templates", 600)),
                                 cache=cache, use_embeddings=use_emb)
    return model, f"trained afresh on the written corpus ({', '.join(authors)}) + templates"


def _policy(ctx: SuiteContext, model: IntakeClassifier) -> tuple[Policy, str]:
    """The default policy a new unit gets (what the service would do), or with `policy=model` the
    default policy with the auto thresholds the model's own training chose (nested cross-validation)."""
    if ctx.options.get("policy", "default") == "model" and model.meta.params.get("auto_thresholds"):
        return Policy(min_confidence=dict(model.meta.params["auto_thresholds"])), "default policy, model's own thresholds"
    return Policy(), "default policy (models.governance.Policy())"


def run_triage_suite(ctx: SuiteContext) -> SuiteOutput:
    """Intake triage: doc_type, urgency, sensitivity, calibration and the gate's automation, by group."""
    data = _load(ctx)
    test = data["test"]
    use_emb = bool(ctx.options.get("embeddings", True))
    cache = Path(ctx.options["embedding_cache"]) if ctx.options.get("embedding_cache") else None
    texts, degraded, cers = read_inputs(test, base=data["base"], workers=int(ctx.n_threads or 1))
    started = time.perf_counter()
    model, model_source = _model(ctx, cache)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    emb_test = cached_embeddings(texts, cache=cache) if model.use_embeddings else None
    embed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    policy, policy_source = _policy(ctx, model)
    frame = score_items(test, texts, degraded, model, embeddings=emb_test, policy=policy)
    predict_seconds = time.perf_counter() - started
    missed = misses(frame)
    missed.to_csv(ctx.out / "misses.csv", index=False)
    frame.to_csv(ctx.out / "items.csv", index=False)
    data["model_source"], data["policy_source"] = model_source, policy_source
    data["model_authors"] = model.meta.params.get("authors", [])
    del use_emb
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
        "policy": {"source": policy_source, "default_min_confidence": policy.default_min_confidence,
                   "min_confidence": policy.min_confidence},
        "model_source": model_source,
        "model_auto_thresholds": model.meta.params.get("auto_thresholds"),
        "misses_csv": "misses.csv",
        "missed_items": int(len(missed)),
        "broken_lines": data["problems"][:50],
        "confusion_doc_type": pd.crosstab(frame["doc_type"], frame["pred_doc_type"]).to_dict(),
        "confusion_urgency": pd.crosstab(frame["urgency"], frame["pred_urgency"]).to_dict(),
        "confusion_urgency_auto_routed": pd.crosstab(frame.loc[frame["auto"], "urgency"],
                                                     frame.loc[frame["auto"], "pred_urgency"]).to_dict(),
        "model": model.meta.model_dump(mode="json"),
        "min_group_n": ctx.min_group_n,
    }
    for lang, entry in table.get("language", {}).items():
        for name in ("doc_type_macro_f1", "sensitive_recall"):
            metrics[f"{name}[{lang}]"] = entry[name]["value"]
        metrics[f"n[{lang}]"] = float(entry["n"])
    images = _plots(ctx.out, frame, table)
    notes = goal_notes(metrics, data)
    return SuiteOutput(
        data_path=data["data_path"], data_sha256=data["sha"], data_kind=data["kind"], n=len(frame),
        model_version=model.version, metrics=metrics, by_group=table,
        card_title="Intake triage (doc_type, urgency, routing)",
        card_attributes=card_attributes(metrics, data, model),
        card_headline=["doc_type_macro_f1", "urgency_macro_f1", "sensitive_recall", "ece", "auto_rate",
                       "auto_rate_non_sensitive", "auto_error_rate", "auto_error_upper95", "emergent_auto_routed",
                       "emergent_below_emergent", "injection_suspected_auto_routed", "injected_items_auto_routed"],
        images=images, notes=notes, details=details,
        key_metrics=["doc_type_macro_f1", "doc_type_macro_f1_ci_low", "doc_type_macro_f1_ci_high", "urgency_macro_f1",
                     "urgency_macro_f1_model_only", "sensitive_recall", "sensitive_precision", "sensitive_missed", "ece",
                     "doc_type_ece", "auto_rate", "auto_rate_non_sensitive", "auto_error_rate", "auto_error_upper95",
                     "auto_doc_type_error_rate", "emergent_auto_routed", "emergent_below_emergent",
                     "injection_suspected_auto_routed", "injected_items_auto_routed", "injection_recall",
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
        f"Issue 10 goals: doc_type macro-F1 {_fmt(m['doc_type_macro_f1'])} (goal >= 0.90); sensitive recall "
        f"{_fmt(m['sensitive_recall'])} (>= 0.99); ECE {_fmt(m['ece'])} (<= 0.05); error among auto-routed "
        f"{_fmt(m['auto_error_rate'])} (<= 0.02; upper 95% bound {_fmt(m['auto_error_upper95'])}) at an auto rate of "
        f"non-sensitive items {_fmt(m['auto_rate_non_sensitive'])} (>= 0.40); emergent items below emergent priority "
        f"{int(m.get('emergent_below_emergent', 0))} (must be 0); injection-suspected items auto-routed "
        f"{int(m['injection_suspected_auto_routed'])}, labelled injected items auto-routed "
        f"{int(m['injected_items_auto_routed'])} (must be 0).",
        f"Model: {data.get('model_source', '?')}; trained on authors {', '.join(data.get('model_authors') or []) or 'n/a'}. "
        f"Routing: {data.get('policy_source', '?')}.",
        "Error among auto-routed items counts an item wrong when either its doc_type or its final urgency is wrong.",
        "Final urgency = the highest of the urgency head, the sensitivity rules' floor and the learned emergent head; "
        "emergent always goes to review, at emergent priority, in the clinical queue.",
        "misses.csv beside metrics.json names every item missed (ids and labels, no text); items.csv has every item.",
    ]
    if data.get("dataset") == "dev" and set(data.get("model_authors") or []) & set(DEV_AUTHORS):
        notes.append("NOT A CLEAN TEST: the model was trained on the development test set's author(s) "
                     f"{', '.join(sorted(set(data['model_authors']) & set(DEV_AUTHORS)))}.")
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
        "intended_population": "Patients whose documents arrive at an outpatient clinic (English, Spanish, Vietnamese, Chinese).",
        "intended_users": "Front-desk, referral, nursing and billing staff; compliance reviewers.",
        "decision_role": "Augments: routine items may be auto-filed; everything else is reviewed by a person.",
        "out_of_scope": "Clinical decision-making; languages other than English, Spanish, Vietnamese and Chinese; documents "
                        "of other care settings.",
        "known_risks": f"Trained on {model.meta.n_train} items: "
                       f"{len(model.meta.params.get('authors') or []) or 'several'} hand-written corpus authors plus "
                       "template augmentation; a new clinic's senders write differently again (measured across authors: the development test set is "
                       "another author, w6). The embedding model is English-centred; Vietnamese and Chinese rely on character "
                       "n-grams and the rule detectors. OCR errors on real faxes.",
        "inclusion_exclusion": "Hand-written items of evals/corpus/written (every author but w6, which is held out as the development "
                               "test set) and template items of tools/intake/synthetic_corpus.py as augmentation; no real PHI.",
        "inputs": "The document text only (cue lexicon hits, sensitivity findings, TF-IDF n-grams, MiniLM embedding). No "
                  "demographic attribute (race, ethnicity, language, sex, age, payer) is an input; language only shapes the text.",
        "training_data": f"{model.meta.n_train} items: {model.meta.data_source}.",
        "representativeness": "Written in the voices of patients, pharmacies, payers, hospitals, attorneys, schools and home "
                              "health, about 55% English, 18% Spanish, 12% each Vietnamese and Chinese; not a real clinic's mix.",
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
