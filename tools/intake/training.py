"""Train the local intake models on the hand-written corpus (evals/corpus/written, read as data),
with the synthetic template family as down-weighted augmentation and reviewers' decisions as extra
labels; choose the per-doc_type auto-routing thresholds on the cross-fitted (leave-one-author-out)
predictions; register them in the one model registry. Used by `handoff train intake`, the demo, the
tests and the triage suite's `--retrain`.

Every author of the corpus trains and calibrates (TRAIN_AUTHORS: the folders found); w6 is the
development test set and is left out unless asked for (`include_dev`), so the triage suite's
default run on it stays a clean test.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import psycopg
from scipy.stats import beta

from models.intake import DOC_TYPES, InboundLabel
from models.model_registry import Admission, ModelVersion
from tools.embed import EMBED_DIM, embed_texts
from tools.intake.classifier import MAX_CHARS, IntakeClassifier, train_intake_classifier
from tools.intake.sensitivity import detect_sensitivity
from tools.intake.synthetic_corpus import generate_training_corpus, make_patients
from tools.model_registry import register_model

# The hand-written corpus is data kept beside the suites that test on it (read, never imported).
CORPUS_DIR = Path(__file__).resolve().parents[2] / "evals" / "corpus" / "written"
DEV_AUTHORS: tuple[str, ...] = ("w6",)


def corpus_authors(root: Path = CORPUS_DIR) -> tuple[str, ...]:
    """Every author folder of the written corpus except the development test set's: a new author's
    batches join training by being added, not by editing a list."""
    if not root.is_dir():
        return ()
    return tuple(sorted((p.name for p in root.iterdir() if p.is_dir() and any(p.glob("b*.jsonl"))
                         and p.name not in DEV_AUTHORS), key=lambda a: (len(a), a)))


TRAIN_AUTHORS: tuple[str, ...] = corpus_authors()
TEMPLATE_GROUP = "templates"
REVIEW_GROUP = "reviews"
# Templates teach the label vocabulary but not how people write; they weigh less than written text.
TEMPLATE_WEIGHT = 0.5
AUTO_ERROR_BOUND = 0.02  # issue 10: the upper 95% bound of error among auto-routed items
AUTO_BOUND_CONFIDENCE = 0.95


class CorpusError(ValueError):
    """The written corpus (or a requested author of it) is not there."""


def load_written(authors: Sequence[str], *, root: Path = CORPUS_DIR) -> list[InboundLabel]:
    """Every item of the given authors' batch files (root/<author>/b*.jsonl), author in meta."""
    items: list[InboundLabel] = []
    for author in authors:
        files = sorted((root / author).glob("b*.jsonl"))
        if not files:
            raise CorpusError(f"no batch files for author {author!r} under {root}")
        for path in files:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    item = InboundLabel.model_validate(json.loads(line))
                except ValueError as exc:  # JSON or validation: say which line
                    raise CorpusError(f"{path}:{number}: {exc}") from None
                item.meta.setdefault("author", author)
                item.meta.setdefault("batch", path.stem)
                items.append(item)
    return items


def write_corpus_jsonl(items: Sequence[InboundLabel], path: Path) -> Path:
    """The items as one DESIGN.md JSON Lines file (for `--data`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n")
    return path


def cached_embeddings(texts: list[str], *, cache: Path | None) -> np.ndarray:
    """MiniLM embeddings of the texts' heads, reusing an .npz cache keyed by the text's sha256 (the
    embedding is the slow part of a run; the cache holds vectors only, no text)."""
    keys = [hashlib.sha256(t[:MAX_CHARS].encode()).hexdigest() for t in texts]
    store: dict[str, np.ndarray] = {}
    if cache is not None and cache.exists():
        with np.load(cache) as f:
            store = {k: f[k] for k in f.files}
    missing = sorted({i for i, k in enumerate(keys) if k not in store}, key=lambda i: keys[i])
    if missing:
        vectors = embed_texts([texts[i][:MAX_CHARS] for i in missing])
        for i, v in zip(missing, vectors):
            store[keys[i]] = v
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp.npz")
            np.savez(tmp, **store)
            tmp.replace(cache)
    return np.vstack([store[k] for k in keys]) if keys else np.zeros((0, EMBED_DIM), dtype=np.float32)


@dataclass
class TrainingSet:
    texts: list[str]
    doc_types: list[str]
    urgencies: list[str]
    sensitive: list[bool]
    categories: list[list[str]]
    injection: list[bool]
    groups: list[str]
    weights: list[float]
    held_groups: list[str]
    source: str


def training_set(*, authors: Sequence[str] = TRAIN_AUTHORS, n_templates: int = 600, seed: int = 11,
                 extra: list[tuple[str, str, str]] | None = None, root: Path = CORPUS_DIR) -> TrainingSet:
    """The written items of `authors` (each its own cross-fitting group), `n_templates` synthetic
    items (always training, weight TEMPLATE_WEIGHT) and reviewers' (text, doc_type, urgency) labels
    (always training; their sensitivity labels come from the rules, as reviewers only decide the
    doc_type and urgency)."""
    if not authors:
        raise CorpusError(f"no hand-written corpus under {root}: the intake models train on it (a source "
                          "checkout has it in evals/corpus/written)")
    written = load_written(authors, root=root)
    ts = TrainingSet([], [], [], [], [], [], [], [], sorted(set(authors)), "")
    for it in written:
        _append(ts, it.text, it.doc_type, it.urgency, it.sensitive, list(it.categories),
                bool(getattr(it, "injection", False) or it.model_extra.get("injection", False)), it.meta["author"], 1.0)
    if n_templates:
        for it in generate_training_corpus(seed, n_templates, make_patients(seed=seed, n=200)):
            _append(ts, it.text, it.doc_type, it.urgency, it.sensitive, list(it.categories),
                    bool(it.meta.get("injected")), TEMPLATE_GROUP, TEMPLATE_WEIGHT)
    for text, doc_type, urgency in extra or []:
        report = detect_sensitivity(text)
        _append(ts, text, doc_type, urgency, report.sensitive, [c.value for c in report.categories], False,
                REVIEW_GROUP, 1.0)
    ts.source = (f"hand-written corpus ({', '.join(sorted(set(authors)))}: {len(written)} items)"
                 + (f" + {n_templates} template items (seed {seed}, weight {TEMPLATE_WEIGHT})" if n_templates else "")
                 + (f" + {len(extra)} reviewed items" if extra else ""))
    return ts


def _append(ts: TrainingSet, text, doc_type, urgency, sensitive, categories, injection, group, weight) -> None:
    ts.texts.append(text)
    ts.doc_types.append(doc_type)
    ts.urgencies.append(urgency)
    ts.sensitive.append(bool(sensitive))
    ts.categories.append(categories)
    ts.injection.append(bool(injection))
    ts.groups.append(group)
    ts.weights.append(weight)


def train_written_intake(*, authors: Sequence[str] = TRAIN_AUTHORS, n_templates: int = 600, seed: int = 11,
                         extra: list[tuple[str, str, str]] | None = None, cache: Path | None = None,
                         root: Path = CORPUS_DIR, use_embeddings: bool = True, n_jobs: int = 6,
                         **options) -> IntakeClassifier:
    """Fit the intake models on a training set (see `training_set`), cross-fitted by author, with
    the per-doc_type auto thresholds of `choose_auto_thresholds` in the model's meta. The final and
    the held-out fits run in `n_jobs` processes side by side."""
    ts = training_set(authors=authors, n_templates=n_templates, seed=seed, extra=extra, root=root)
    embeddings = cached_embeddings(ts.texts, cache=cache) if use_embeddings else None
    clf = train_intake_classifier(ts.texts, ts.doc_types, ts.urgencies, sensitive=ts.sensitive, categories=ts.categories,
                                  injection=ts.injection, groups=ts.groups, held_groups=ts.held_groups,
                                  sample_weight=ts.weights, seed=seed, data_source=ts.source, embeddings=embeddings,
                                  use_embeddings=use_embeddings, n_jobs=n_jobs, **options)
    choice = choose_auto_thresholds(cross_fitted_frame(clf, ts))
    clf.meta.params["auto_thresholds"] = choice.thresholds
    clf.meta.params["auto_threshold_report"] = choice.report
    clf.meta.params["authors"] = sorted(set(authors))
    return clf


def register_intake_classifier(conn: psycopg.Connection, clf: IntakeClassifier, *, registered_by: str,
                               admitted_by: Admission | None = None) -> ModelVersion:
    """Register a trained classifier. Without `admitted_by` the registry says plainly that no eval run
    admitted it (the triage suite, `handoff evals run --suite triage`, is the evaluation)."""
    return register_model(conn, estimators=clf.to_estimators(), meta=clf.meta, registered_by=registered_by,
                          admitted_by=admitted_by)


def train_service_intake(*, include_dev: bool = False, **options) -> IntakeClassifier:
    """What `handoff train intake` and the demo train (nothing stored): TRAIN_AUTHORS (+ w6 when
    `include_dev`) + templates + reviewers' labels."""
    authors = TRAIN_AUTHORS + (DEV_AUTHORS if include_dev else ())
    return train_written_intake(authors=authors, **options)


def train_synthetic_intake(*, n: int = 1200, seed: int = 11, extra: list[tuple[str, str, str]] | None = None,
                           **options) -> IntakeClassifier:
    """Fit on `n` synthetic template items only (+ `extra` labels); nothing is stored: the small,
    fast model of the test session; the service's model comes from `train_service_intake`."""
    corpus = generate_training_corpus(seed, n, make_patients(seed=seed, n=200))
    texts = [c.text for c in corpus] + [t for t, _, _ in extra or []]
    doc_types = [c.doc_type for c in corpus] + [d for _, d, _ in extra or []]
    urgencies = [c.urgency for c in corpus] + [u for _, _, u in extra or []]
    reports = [detect_sensitivity(t) for t in texts]
    sensitive = [c.sensitive for c in corpus] + [r.sensitive for r in reports[len(corpus):]]
    categories = [list(c.categories) for c in corpus] + [[x.value for x in r.categories] for r in reports[len(corpus):]]
    injection = [bool(c.meta.get("injected")) for c in corpus] + [False] * len(extra or [])
    source = f"synthetic training corpus (seed {seed}, n={n})" + (f" + {len(extra)} reviewed items" if extra else "")
    return train_intake_classifier(texts, doc_types, urgencies, sensitive=sensitive, categories=categories,
                                   injection=injection, reports=reports, seed=seed, data_source=source, **options)


# --- auto-routing thresholds ----------------------------------------------------------------------


def clopper_pearson_upper(errors: int, n: int, *, confidence: float = AUTO_BOUND_CONFIDENCE) -> float:
    """One-sided upper `confidence` bound of an error rate after `errors` in `n` (Clopper-Pearson).

    >>> round(clopper_pearson_upper(0, 149), 4)  # no error in 149: still just above 2%
    0.0199
    >>> clopper_pearson_upper(0, 0)
    1.0
    """
    if n == 0:
        return 1.0
    if errors >= n:
        return 1.0
    return float(beta.ppf(confidence, errors + 1, n - errors))


def cross_fitted_frame(clf: IntakeClassifier, ts: TrainingSet) -> dict[str, np.ndarray]:
    """The held-out predictions of a training run as arrays: predicted doc_type, the cross-group
    calibrated joint confidence, whether the item was right, and whether anything but confidence
    would already send it to review (rules or learned sensitive, emergent, injection)."""
    cf = clf.oof
    idx = cf.index
    pred_d = cf.doc_classes[cf.pd.argmax(1)]
    heads = {k: cf.heads[k] >= clf.thresholds.get(k, 0.5) for k in cf.heads}
    from tools.intake.injection import detect_injection

    inj_rules = np.asarray([detect_injection(ts.texts[i]).suspected for i in idx])
    flagged = cf.rules_sensitive | heads.get("sensitive", False) | (cf.final_urgency == "emergent") \
        | heads.get("injection", False) | inj_rules
    return {"group": cf.group, "pred_doc_type": pred_d, "confidence": cf.confidence_cross, "correct": cf.correct,
            "flagged": np.asarray(flagged, dtype=bool), "doc_type": np.asarray(ts.doc_types)[idx],
            "sensitive": np.asarray(ts.sensitive)[idx]}


@dataclass
class ThresholdChoice:
    thresholds: dict[str, float]  # "intake:<doc_type>" -> minimum confidence to auto-route
    report: dict[str, Any]


def choose_auto_thresholds(frame: dict[str, np.ndarray], *, bound: float = AUTO_ERROR_BOUND,
                           confidence: float = AUTO_BOUND_CONFIDENCE, floor: float = 0.5, min_n: int = 20,
                           grid: Sequence[float] = tuple(np.round(np.arange(0.0, 0.0501, 0.0025), 4))) -> ThresholdChoice:
    """Per-doc_type minimum confidences, chosen on cross-fitted predictions (learn-then-test style).

    One parameter `lam` indexes a nested family of threshold sets: for each doc_type, the lowest
    threshold (not below `floor`) above which the observed error of the eligible items predicted as
    that doc_type never exceeds `lam`. Going from the strictest `lam` up (fixed-sequence testing), the
    loosest `lam` whose pooled auto-routed set keeps the Clopper-Pearson upper `confidence` bound of
    its error <= `bound` is kept; a doc_type whose set would hold fewer than `min_n` items is never
    auto-routed (a few lucky top items say nothing). Per-doc_type bounds are reported beside it: with ~100 eligible items
    a doc_type, no single doc_type can show an upper bound <= 2% on its own (0 errors in 149 items
    are needed), so the bound is enforced on the pooled auto-routed set and each doc_type's own
    observed error is held to `lam` (<= `bound`)."""
    pred, conf = frame["pred_doc_type"], frame["confidence"]
    correct, eligible = frame["correct"].astype(bool), ~frame["flagged"].astype(bool)

    def thresholds_at(lam: float) -> dict[str, float]:
        out = {}
        for d in DOC_TYPES:
            m = eligible & (pred == d)
            c, ok = conf[m], correct[m]
            order = np.argsort(-c)
            c, ok = c[order], ok[order]
            rate = np.cumsum(~ok) / np.arange(1, len(c) + 1)
            within = np.nonzero(rate <= lam + 1e-12)[0]
            k = int(within[-1]) + 1 if len(within) else 0  # the largest top-k set whose error is <= lam
            k = k if k >= min_n else 0  # a handful of lucky top items says nothing about a doc_type
            threshold = max(floor, float(c[k - 1])) if k else 1.0
            out[f"intake:{d}"] = threshold
        return out

    def routed(th: dict[str, float]) -> np.ndarray:
        t = np.asarray([th[f"intake:{d}"] for d in pred])
        return eligible & (conf >= t) & (t < 1.0)

    chosen_lam, chosen = None, {f"intake:{d}": 1.0 for d in DOC_TYPES}
    steps = []
    for lam in grid:
        th = thresholds_at(float(lam))
        auto = routed(th)
        n, e = int(auto.sum()), int((auto & ~correct).sum())
        upper = clopper_pearson_upper(e, n, confidence=confidence)
        steps.append({"lam": float(lam), "auto_n": n, "errors": e, "upper": upper})
        if upper > bound:
            break  # fixed sequence: stop at the first set the bound does not hold for
        chosen_lam, chosen = float(lam), th
    auto = routed(chosen)
    non_sensitive = ~frame["sensitive"].astype(bool)
    per_type = {}
    for d in DOC_TYPES:
        m = auto & (pred == d)
        per_type[d] = {"threshold": chosen[f"intake:{d}"], "auto_n": int(m.sum()), "errors": int((m & ~correct).sum()),
                       "upper95": clopper_pearson_upper(int((m & ~correct).sum()), int(m.sum()), confidence=confidence),
                       "eligible_n": int((eligible & (pred == d)).sum())}
    n, e = int(auto.sum()), int((auto & ~correct).sum())
    report = {"lam": chosen_lam, "bound": bound, "confidence": confidence, "auto_n": n, "errors": e,
              "upper95": clopper_pearson_upper(e, n, confidence=confidence), "n": int(len(pred)),
              "auto_rate": float(auto.mean()) if len(pred) else 0.0,
              "auto_rate_non_sensitive": float(auto[non_sensitive].mean()) if non_sensitive.any() else 0.0,
              "per_doc_type": per_type, "steps": steps}
    return ThresholdChoice(thresholds=chosen, report=report)
