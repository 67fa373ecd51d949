"""Local intake models: doc_type and urgency heads, a learned `sensitive` head with one head per
clinical category, an `emergent` head and an `injection` head, all logistic regressions on the same
features: domain-knowledge cue counts (tools.intake.cues), the rule detectors' findings, TF-IDF word
and character n-grams over accent-folded text (language-agnostic: they work for Vietnamese and
Chinese as well as English and Spanish) and, optionally, MiniLM sentence embeddings.

Calibration is cross-fitted: with author groups (the hand-written corpus), each author is held out
in turn and predicted by heads trained on the others, so the joint confidence and the learned heads'
thresholds are fitted on text by someone the heads never saw. The joint calibrator estimates
P(doc_type right and final urgency right), where the final urgency is the highest of the urgency
head, the rule detector's floor and the emergent head (`final_urgency_of`)."""

from __future__ import annotations

import hashlib
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Sequence

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from models.governance import PRIORITY_RANK, ClinicalCategory, Priority
from models.intake import SensitivityReport
from models.scheduling import ModelMeta
from tools.embed import EMBED_DIM, LOCAL_MODEL_VERSION, embed_texts
from tools.intake.cues import CUE_NAMES, cue_features, strip_boilerplate
from tools.intake.injection import detect_injection
from tools.intake.sensitivity import detect_sensitivity

MODEL_NAME = "intake"
MAX_CHARS = 2000  # the embedding sees about 256 tokens; TF-IDF sees the same head of the text
URGENCY_ORDER: tuple[str, ...] = tuple(PRIORITY_RANK)  # routine, urgent, emergent
_CATEGORIES = tuple(c.value for c in ClinicalCategory)
SENSITIVITY_NAMES: tuple[str, ...] = tuple(f"sens:{c}" for c in _CATEGORIES) + tuple(f"floor:{u}" for u in URGENCY_ORDER) \
    + ("sens:out_of_medicine",)
BINARY_HEADS = ("sensitive", "emergent", "injection")
# Recall the learned heads' thresholds are chosen for on cross-fitted predictions, together with the
# rules (either one flags): a missed sensitive or emergent item can reach a queue unseen.
DEFAULT_RECALL_TARGETS = {"sensitive": 0.99, "emergent": 0.99, "injection": 0.95}


@dataclass(frozen=True)
class FeatureWeights:
    """How much say each feature block has against the others (one shared L2 penalty, so a block's
    scale is its prior weight). Chosen by leave-one-author-out cross-validation."""

    cues: float = 1.0
    sensitivity: float = 1.0
    word: float = 1.0
    char: float = 1.0
    embedding: float = 2.0


def normalize_text(text: str) -> str:
    """Boilerplate stripped, lower case, accents folded, whitespace collapsed: one form for TF-IDF."""
    folded = unicodedata.normalize("NFKD", strip_boilerplate(text))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(folded.lower().split())[:MAX_CHARS]


def sensitivity_matrix(reports: Sequence[SensitivityReport]) -> np.ndarray:
    """The sensitivity detector's categories, urgency floor and out-of-medicine cue as 0/1 columns."""
    rows = []
    for report in reports:
        cats = {c.value for c in report.categories}
        row = [1.0 if c in cats else 0.0 for c in _CATEGORIES]
        row += [1.0 if report.urgency_floor.value == u else 0.0 for u in URGENCY_ORDER]
        row.append(1.0 if "out_of_medicine:urgent" in report.urgency_reasons else 0.0)
        rows.append(row)
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), len(SENSITIVITY_NAMES))


def sensitivity_features(texts: Sequence[str]) -> np.ndarray:
    """The rule detectors' features of each text (see `sensitivity_matrix`)."""
    return sensitivity_matrix([detect_sensitivity(t) for t in texts])


def final_urgency(predicted: str, floor: Priority | str) -> str:
    """The more urgent of the classifier's urgency and the sensitivity detector's floor."""
    floor_value = floor.value if isinstance(floor, Priority) else str(floor)
    return predicted if PRIORITY_RANK[predicted] >= PRIORITY_RANK[floor_value] else floor_value


def final_urgency_of(head: str, floor: str, emergent_flag: bool) -> tuple[str, list[str]]:
    """The final urgency (highest of the urgency head, the rules' floor and the emergent head) and
    which of them set it."""
    final = final_urgency(head, floor)
    if emergent_flag:
        final = "emergent"
    reasons = []
    if final == head:
        reasons.append("urgency_head")
    if final == floor and floor != "routine":
        reasons.append("rules_floor")
    if emergent_flag:
        reasons.append("emergent_head")
    return final, reasons


@dataclass(frozen=True)
class IntakePrediction:
    doc_type: str
    doc_type_p: float
    doc_type_probs: dict[str, float]
    urgency: str  # the urgency head's label
    urgency_p: float
    urgency_probs: dict[str, float]
    joint_p: float | None = None  # calibrated P(doc_type right and final urgency right)
    final_urgency: str | None = None  # urgency head, rules floor and emergent head combined
    urgency_reasons: tuple[str, ...] = ()
    head_probs: dict[str, float] = field(default_factory=dict)  # sensitive, emergent, injection
    head_flags: dict[str, bool] = field(default_factory=dict)  # each head's probability >= its threshold
    category_probs: dict[str, float] = field(default_factory=dict)

    @property
    def confidence(self) -> float:
        """Probability that both labels are right: the joint calibrator's when the model has one,
        else the product of the two heads' probabilities."""
        return self.joint_p if self.joint_p is not None else self.doc_type_p * self.urgency_p

    @property
    def learned_categories(self) -> list[str]:
        """The clinical category the learned heads name when the sensitive head fires (the category
        head's most probable one; a person sees the item and corrects it)."""
        if not self.head_flags.get("sensitive") or not self.category_probs:
            return []
        return [max(self.category_probs, key=self.category_probs.get)]


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def joint_features(top_d: np.ndarray, p_final_u: np.ndarray, raised: np.ndarray) -> np.ndarray:
    """What the joint calibrator sees: the doc_type head's top probability, the urgency head's
    probability of the final urgency (both as logits) and whether a rule or the emergent head raised
    the urgency above the head's own answer."""
    return np.column_stack([_logit(top_d), _logit(p_final_u), np.asarray(raised, dtype=float)])


@dataclass
class IntakeClassifier:
    word: TfidfVectorizer | None
    char: TfidfVectorizer | None
    doc_type_model: Any
    urgency_model: Any
    meta: ModelMeta
    weights: FeatureWeights = field(default_factory=FeatureWeights)
    use_embeddings: bool = True
    doc_type_calibrator: Any = None
    urgency_calibrator: Any = None
    joint_calibrator: Any = None  # LogisticRegression on joint_features, or a legacy top-label calibrator
    binary_models: dict[str, Any] = field(default_factory=dict)  # sensitive, emergent, injection
    thresholds: dict[str, float] = field(default_factory=dict)
    category_model: Any = None  # which clinical category, fitted on the sensitive items only
    # Cross-fitted predictions of the training run (not stored in the registry): for threshold choice.
    oof: Any = None

    @property
    def version(self) -> str:
        return self.meta.version

    def features(self, texts: Sequence[str], *, embeddings: np.ndarray | None = None,
                 reports: Sequence[SensitivityReport] | None = None) -> sparse.csr_matrix:
        """The feature matrix the heads see. `embeddings` (n, 384) and the detector's `reports` may be
        passed when already computed; embeddings are ignored when the model was trained without them."""
        sens = sensitivity_matrix(reports) if reports is not None else None
        return build_features(texts, word=self.word, char=self.char, weights=self.weights,
                              use_embeddings=self.use_embeddings, embeddings=embeddings, sens=sens)

    def predict(self, texts: Sequence[str], *, embeddings: np.ndarray | None = None,
                reports: Sequence[SensitivityReport] | None = None) -> list[IntakePrediction]:
        reports = list(reports) if reports is not None else [detect_sensitivity(t) for t in texts]
        X = self.features(texts, embeddings=embeddings, reports=reports)
        pd, pu = self.doc_type_model.predict_proba(X), self.urgency_model.predict_proba(X)
        heads = {name: m.predict_proba(X)[:, 1] for name, m in self.binary_models.items()}
        cats = self.category_model.predict_proba(X) if self.category_model is not None else None
        top_d, top_u = pd.max(axis=1), pu.max(axis=1)
        cal_d = _apply_calibrator(self.doc_type_calibrator, top_d)
        cal_u = _apply_calibrator(self.urgency_calibrator, top_u)
        u_classes = [str(c) for c in self.urgency_model.classes_]
        out = []
        for i, (rd, ru) in enumerate(zip(pd, pu)):
            d, u = int(np.argmax(rd)), int(np.argmax(ru))
            head_probs = {k: float(v[i]) for k, v in heads.items()}
            flags = {k: p >= self.thresholds.get(k, 0.5) for k, p in head_probs.items()}
            head_u = u_classes[u]
            final, reasons = final_urgency_of(head_u, reports[i].urgency_floor.value, flags.get("emergent", False))
            p_final = float(ru[u_classes.index(final)])
            joint = self._joint(top_d[i], p_final, final != head_u, top_u[i])
            out.append(IntakePrediction(
                doc_type=str(self.doc_type_model.classes_[d]), doc_type_p=float(cal_d[i]),
                doc_type_probs={str(c): float(p) for c, p in zip(self.doc_type_model.classes_, rd)},
                urgency=head_u, urgency_p=float(cal_u[i]), urgency_probs={c: float(p) for c, p in zip(u_classes, ru)},
                joint_p=joint, final_urgency=final, urgency_reasons=tuple(reasons), head_probs=head_probs,
                head_flags=flags, category_probs={} if cats is None else
                {str(c): float(p) for c, p in zip(self.category_model.classes_, cats[i], strict=True)},
            ))
        return out

    def _joint(self, top_d: float, p_final_u: float, raised: bool, top_u: float) -> float | None:
        cal = self.joint_calibrator
        if cal is None:
            return None
        if isinstance(cal, LogisticRegression) and cal.n_features_in_ == 3:
            return float(cal.predict_proba(joint_features(np.array([top_d]), np.array([p_final_u]), np.array([raised])))[0, 1])
        return float(_apply_calibrator(cal, np.array([top_d * top_u]))[0])

    def to_estimators(self) -> dict[str, Any]:
        """Plain scikit-learn objects and arrays (for the skops registry); the settings ride along as
        float arrays so no custom class has to be trusted on load."""
        w = self.weights
        settings = np.asarray([w.cues, w.sensitivity, w.word, w.char, w.embedding, float(self.use_embeddings)])
        out: dict[str, Any] = {"doc_type": self.doc_type_model, "urgency": self.urgency_model, "settings": settings,
                               "thresholds": np.asarray([self.thresholds.get(h, 0.5) for h in BINARY_HEADS])}
        for key, value in (("word", self.word), ("char", self.char), ("doc_type_calibrator", self.doc_type_calibrator),
                           ("urgency_calibrator", self.urgency_calibrator), ("joint_calibrator", self.joint_calibrator)):
            if value is not None:
                out[key] = value
        for name, m in self.binary_models.items():
            out[f"head_{name}"] = m
        if self.category_model is not None:
            out["category"] = self.category_model
        return out

    @classmethod
    def from_estimators(cls, estimators: dict[str, Any], meta: ModelMeta) -> "IntakeClassifier":
        s = np.asarray(estimators.get("settings", [1.0, 1.0, 1.0, 1.0, 2.0, 1.0]), dtype=float)
        weights = FeatureWeights(cues=s[0], sensitivity=s[1], word=s[2], char=s[3], embedding=s[4])
        t = np.asarray(estimators.get("thresholds", [0.5] * len(BINARY_HEADS)), dtype=float)
        return cls(word=estimators.get("word"), char=estimators.get("char"), doc_type_model=estimators["doc_type"],
                   urgency_model=estimators["urgency"], meta=meta, weights=weights, use_embeddings=bool(s[5]),
                   doc_type_calibrator=estimators.get("doc_type_calibrator"),
                   urgency_calibrator=estimators.get("urgency_calibrator"),
                   joint_calibrator=estimators.get("joint_calibrator"),
                   binary_models={h: estimators[f"head_{h}"] for h in BINARY_HEADS if f"head_{h}" in estimators},
                   thresholds={h: float(v) for h, v in zip(BINARY_HEADS, t)},
                   category_model=estimators.get("category"))


def _apply_calibrator(calibrator: Any, p: np.ndarray) -> np.ndarray:
    """Map raw top-label probabilities through an isotonic or a Platt (logistic on the logit) calibrator."""
    if calibrator is None:
        return p
    if isinstance(calibrator, IsotonicRegression):
        return np.clip(calibrator.predict(p), 0.0, 1.0)
    return calibrator.predict_proba(_logit(p).reshape(-1, 1))[:, 1]


def fit_top_label_calibrator(p: np.ndarray, correct: np.ndarray) -> Any:
    """Platt scaling (a logistic regression on the logit) of a top-label probability; isotonic steps
    overfit a few thousand cross-fitted points from five authors."""
    correct = np.asarray(correct).astype(int)
    if correct.min() == correct.max():
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        return iso.fit(np.r_[p, 0.0, 1.0], np.r_[correct, correct[0], correct[0]])
    return LogisticRegression(C=1e4, max_iter=1000).fit(_logit(p).reshape(-1, 1), correct)


def fit_joint_calibrator(top_d: np.ndarray, p_final_u: np.ndarray, raised: np.ndarray, correct: np.ndarray) -> LogisticRegression:
    """P(doc_type right and final urgency right) from `joint_features`, a three-input Platt scaling."""
    correct = np.asarray(correct).astype(int)
    if correct.min() == correct.max():  # degenerate tiny sets: add one point of each class
        top_d, p_final_u = np.r_[top_d, 0.5, 0.5], np.r_[p_final_u, 0.5, 0.5]
        raised, correct = np.r_[raised, 0, 0], np.r_[correct, 0, 1]
    return LogisticRegression(C=100.0, max_iter=1000).fit(joint_features(top_d, p_final_u, raised), correct)


def build_features(texts: Sequence[str], *, word: TfidfVectorizer | None, char: TfidfVectorizer | None,
                   weights: FeatureWeights, use_embeddings: bool, embeddings: np.ndarray | None = None,
                   cues: np.ndarray | None = None, sens: np.ndarray | None = None) -> sparse.csr_matrix:
    """Stack the feature blocks, each scaled by its weight. Precomputed blocks may be passed (the
    suites and cross-validation reuse them)."""
    blocks = []
    norm = [normalize_text(t) for t in texts] if (word is not None or char is not None) else []
    if word is not None:
        blocks.append(word.transform(norm) * weights.word)
    if char is not None:
        blocks.append(char.transform(norm) * weights.char)
    c = cues if cues is not None else cue_features(texts)
    blocks.append(sparse.csr_matrix(c * weights.cues))
    s = sens if sens is not None else sensitivity_features(texts)
    blocks.append(sparse.csr_matrix(s * weights.sensitivity))
    if use_embeddings:
        emb = embeddings if embeddings is not None else embed_texts([t[:MAX_CHARS] for t in texts])
        if emb.shape != (len(texts), EMBED_DIM):
            raise ValueError(f"embeddings must have shape ({len(texts)}, {EMBED_DIM}), not {emb.shape}")
        blocks.append(sparse.csr_matrix(emb * weights.embedding))
    return sparse.hstack(blocks, format="csr")


def augment_text(text: str, rng: random.Random, *, drop_line: float = 0.2, drop_word: float = 0.12) -> str:
    """A template-breaking copy of a training text: about a fifth of the lines dropped, the rest
    rotated so a random line comes first (real senders put body, fields and headers in any order),
    and about an eighth of the words dropped, so no single template word or position carries a label."""
    lines = [line for line in text.splitlines() if line.strip()]
    keep = [line for line in lines if rng.random() > drop_line] or lines
    if len(keep) > 3:
        k = rng.randrange(1, len(keep))
        keep = keep[k:] + keep[:k]
    return "\n".join(" ".join(w for w in line.split(" ") if rng.random() > drop_word) for line in keep)


def shift_calibration_splits(n: int, labels: Sequence[str], *, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-fitting splits over [originals (0..n-1), augmented copies (n..2n-1)]: each fold fits on
    both versions of the other folds' items and calibrates on the *augmented* copies of its own items
    only, so an item never helps calibrate itself and calibration sees text unlike the templates."""
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    out = []
    for fit_idx, held_idx in skf.split(np.zeros(n), list(labels)):
        out.append((np.concatenate([fit_idx, fit_idx + n]), held_idx + n))
    return out


def group_splits(groups: Sequence[str], held_groups: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Leave-one-group-out splits: each of `held_groups` (the corpus's authors) is held out in turn;
    items of other groups (template augmentation, reviewers' labels) are always in the fitting part."""
    g = np.asarray(groups)
    idx = np.arange(len(g))
    return [(idx[g != h], idx[g == h]) for h in held_groups]


def make_vectorizers(*, min_df: int = 2) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """The word and character TF-IDF vectorizers of the classifier."""
    word = TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, max_features=20000, sublinear_tf=True)
    # Plain character n-grams (not word-bounded): Chinese has no spaces between words, and 2-character
    # grams are most of its words; for the alphabetic languages 2-4 grams catch stems and typos.
    # 30,000 of them keep a cross-fitted training run within minutes on two cores.
    char = TfidfVectorizer(analyzer="char", ngram_range=(2, 4), min_df=min_df, max_features=30000, sublinear_tf=True)
    return word, char


def _threshold_for_recall(p: np.ndarray, truth: np.ndarray, already: np.ndarray, target: float) -> float:
    """The highest threshold on `p` such that (already OR p >= threshold) recalls `target` of truth;
    never above 0.5 (a head that says "more likely than not" always counts)."""
    truth, already = np.asarray(truth, bool), np.asarray(already, bool)
    n_pos = int(truth.sum())
    if n_pos == 0:
        return 0.5
    allowed_misses = int(np.floor((1.0 - target) * n_pos))
    need = np.sort(p[truth & ~already])  # positives only the head can catch
    if len(need) <= allowed_misses:
        return 0.5
    return float(min(0.5, need[allowed_misses] - 1e-9 if allowed_misses < len(need) else 0.5))


@dataclass
class CrossFitted:
    """Cross-fitted (held-out) predictions of a training run, one row per held item."""

    index: np.ndarray  # positions in the training arrays
    group: np.ndarray
    pd: np.ndarray
    pu: np.ndarray
    doc_classes: np.ndarray
    urg_classes: np.ndarray
    heads: dict[str, np.ndarray]
    floor: np.ndarray
    rules_sensitive: np.ndarray
    final_urgency: np.ndarray = None  # filled once thresholds are chosen
    raised: np.ndarray = None
    joint_raw_features: np.ndarray = None
    correct: np.ndarray = None
    confidence_cross: np.ndarray = None  # joint confidence from calibrators fitted on the other groups


def train_intake_classifier(texts: Sequence[str], doc_types: Sequence[str], urgencies: Sequence[str], *,
                            sensitive: Sequence[bool] | None = None, categories: Sequence[Sequence[str]] | None = None,
                            injection: Sequence[bool] | None = None, groups: Sequence[str] | None = None,
                            held_groups: Sequence[str] | None = None, sample_weight: Sequence[float] | None = None,
                            seed: int = 0, data_source: str = "synthetic", embeddings: np.ndarray | None = None,
                            reports: Sequence[SensitivityReport] | None = None,
                            use_embeddings: bool = True, use_tfidf: bool = True, C: float = 1.0,
                            weights: FeatureWeights | None = None, augment: bool = True, folds: int = 3,
                            urgency_class_weight: str | None = None, recall_targets: dict[str, float] | None = None,
                            n_jobs: int = 1) -> IntakeClassifier:
    """Fit every head, cross-fit them to calibrate, choose the learned heads' thresholds.

    With `groups` and `held_groups` (authors of a hand-written corpus), cross-fitting leaves one held
    group out at a time; other groups (e.g. "templates", "reviews") only ever train. Without them,
    `augment` adds a template-breaking copy of every text and calibrates on the copies
    (`shift_calibration_splits`), else plain stratified folds. `sensitive`, `categories` and
    `injection` labels add the learned sensitive/category, emergent and injection heads (the emergent
    head needs only the urgency labels, and is trained whenever `sensitive` is given).
    `embeddings` and the detector `reports` may be passed when already computed (they are the slow part)."""
    weights = weights or FeatureWeights()
    targets = {**DEFAULT_RECALL_TARGETS, **(recall_targets or {})}
    texts, doc_types, urgencies = list(texts), list(doc_types), list(urgencies)
    n = len(texts)
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    if use_embeddings and embeddings is None:
        embeddings = embed_texts([t[:MAX_CHARS] for t in texts])
    reports = list(reports) if reports is not None else detect_all(texts, n_jobs=n_jobs)
    labels: dict[str, np.ndarray] = {}
    if sensitive is not None:
        labels["sensitive"] = np.asarray(sensitive, dtype=bool)
        labels["emergent"] = np.asarray([u == "emergent" for u in urgencies])
    if injection is not None:
        labels["injection"] = np.asarray(injection, dtype=bool)
    # The primary (first-named) category of each sensitive item; "" for the others.
    primary = np.asarray([(list(cs)[0] if cs else "") for cs in categories]) if categories is not None else None
    grp = np.asarray(groups) if groups is not None else np.asarray(["all"] * n)
    if groups is not None and held_groups:
        splits = group_splits(grp, list(held_groups))
    elif augment:
        rng = random.Random(seed)
        texts = texts + [augment_text(t, rng) for t in texts]
        splits = shift_calibration_splits(n, doc_types, folds=folds, seed=seed)
        doc_types, urgencies = doc_types * 2, urgencies * 2
        reports = reports + [detect_sensitivity(t) for t in texts[n:]]
        sw = np.r_[sw, sw]
        grp = np.r_[grp, grp]
        labels = {k: np.r_[v, v] for k, v in labels.items()}
        primary = np.r_[primary, primary] if primary is not None else None
        if use_embeddings:
            embeddings = np.vstack([embeddings, embeddings])
    else:
        splits = [(a, b) for a, b in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
                  .split(np.zeros(n), doc_types)]
    word, char = make_vectorizers() if use_tfidf else (None, None)
    if use_tfidf:
        norm = [normalize_text(t) for t in texts]
        word.fit(norm)
        char.fit(norm)
    sens_all = sensitivity_matrix(reports)
    X = build_features(texts, word=word, char=char, weights=weights, use_embeddings=use_embeddings,
                       embeddings=embeddings, sens=sens_all)
    # tol 1e-3: the heads' rankings settle long before lbfgs's default tolerance; liblinear is the
    # fast solver for the binary heads on sparse n-grams.
    base = LogisticRegression(C=C, max_iter=1000, tol=1e-3, class_weight="balanced", random_state=seed)
    base_urg = LogisticRegression(C=C, max_iter=1000, tol=1e-3, class_weight=urgency_class_weight, random_state=seed)
    base_bin = LogisticRegression(C=C, solver="liblinear", class_weight="balanced", random_state=seed)
    y_doc, y_urg = np.asarray(doc_types), np.asarray(urgencies)
    floor_all = np.asarray([r.urgency_floor.value for r in reports])
    rules_sens = np.asarray([r.sensitive for r in reports])
    # The injection head only has to catch what the rule detector misses, as the sensitive head does.
    rules_inj = np.asarray([detect_injection(t).suspected for t in texts]) if "injection" in labels \
        else np.zeros(len(texts), dtype=bool)

    def fit_all(idx: np.ndarray) -> tuple[Any, Any, dict[str, Any]]:
        d = clone(base).fit(X[idx], y_doc[idx], sample_weight=sw[idx])
        u = clone(base_urg).fit(X[idx], y_urg[idx], sample_weight=sw[idx])
        b = {k: clone(base_bin).fit(X[idx], v[idx], sample_weight=sw[idx]) for k, v in labels.items()
             if 0 < v[idx].sum() < len(idx)}
        return d, u, b

    # The final heads and every fold's heads are independent fits: run them side by side.
    jobs = [np.arange(len(texts))] + [fit_idx for fit_idx, held_idx in splits if len(held_idx)]
    fitted = Parallel(n_jobs=min(n_jobs, len(jobs)))(delayed(fit_all)(idx) for idx in jobs)
    doc_model, urg_model, bin_models = fitted[0]
    cat_model = None
    if primary is not None and len(set(primary[primary != ""])) >= 2:
        sel = np.nonzero(primary != "")[0]
        cat_model = clone(base).fit(X[sel], primary[sel], sample_weight=sw[sel])
    # Cross-fitted predictions: each held part is predicted by heads that never saw it (nor its author).
    parts = []
    for (d, u, b), held_idx in zip(fitted[1:], [h for _, h in splits if len(h)], strict=True):
        Xh = X[held_idx]
        pd = _aligned_proba(d, Xh, doc_model.classes_)
        pu = _aligned_proba(u, Xh, urg_model.classes_)
        heads = {k: (b[k].predict_proba(Xh)[:, 1] if k in b else np.zeros(len(held_idx))) for k in labels}
        parts.append((held_idx, pd, pu, heads))
    held = np.concatenate([p[0] for p in parts])
    cf = CrossFitted(index=held, group=grp[held], pd=np.vstack([p[1] for p in parts]), pu=np.vstack([p[2] for p in parts]),
                     doc_classes=doc_model.classes_, urg_classes=urg_model.classes_,
                     heads={k: np.concatenate([p[3][k] for p in parts]) for k in labels},
                     floor=floor_all[held], rules_sensitive=rules_sens[held])
    # Learned heads' thresholds: the recall target together with the rules.
    thresholds = {}
    head_u = cf.urg_classes[cf.pu.argmax(1)]
    already = {"sensitive": cf.rules_sensitive,
               "emergent": (cf.floor == "emergent") | (head_u == "emergent"),
               "injection": rules_inj[held]}
    for k in labels:
        thresholds[k] = _threshold_for_recall(cf.heads[k], labels[k][held], already[k], targets[k])
    emergent_flag = cf.heads["emergent"] >= thresholds["emergent"] if "emergent" in cf.heads else np.zeros(len(held), bool)
    finals = [final_urgency_of(h, f, e) for h, f, e in zip(head_u, cf.floor, emergent_flag)]
    cf.final_urgency = np.asarray([f for f, _ in finals])
    cf.raised = cf.final_urgency != head_u
    pred_d = cf.doc_classes[cf.pd.argmax(1)]
    cf.correct = (pred_d == y_doc[held]) & (cf.final_urgency == y_urg[held])
    top_d = cf.pd.max(1)
    p_final = cf.pu[np.arange(len(held)), [list(cf.urg_classes).index(f) for f in cf.final_urgency]]
    doc_cal = fit_top_label_calibrator(top_d, pred_d == y_doc[held])
    urg_cal = fit_top_label_calibrator(cf.pu.max(1), head_u == y_urg[held])
    joint_cal = fit_joint_calibrator(top_d, p_final, cf.raised, cf.correct)
    # Each held group's joint confidence from a calibrator fitted on the other groups only, so the
    # thresholds chosen on it (evals.intake_training) are not tuned on calibrated-in-sample values.
    cf.confidence_cross = np.zeros(len(held))
    for g in np.unique(cf.group):
        m = cf.group == g
        if (~m).sum() and len(np.unique(cf.correct[~m])) > 1:
            cal = fit_joint_calibrator(top_d[~m], p_final[~m], cf.raised[~m], cf.correct[~m])
        else:
            cal = joint_cal
        cf.confidence_cross[m] = cal.predict_proba(joint_features(top_d[m], p_final[m], cf.raised[m]))[:, 1]
    n_orig = n
    digest = hashlib.sha256("\n".join(f"{d}|{u}|{t}" for t, d, u in zip(texts[:n_orig], doc_types[:n_orig],
                                                                          urgencies[:n_orig])).encode()).hexdigest()
    now = datetime.now(timezone.utc)
    features = [f"intake_cues ({len(CUE_NAMES)})", f"sensitivity ({len(SENSITIVITY_NAMES)})"]
    if use_tfidf:
        features += ["tfidf word 1-2 (accent-folded, boilerplate stripped)", "tfidf char 2-4 (accent-folded)"]
    if use_embeddings:
        features.append(LOCAL_MODEL_VERSION)
    meta = ModelMeta(
        name=MODEL_NAME, version=f"intake-{now:%Y%m%d%H%M%S}-{digest[:8]}", created_at=now, data_sha256=digest,
        data_source=data_source, n_train=n_orig, features=features,
        params={"seed": seed, "calibration": "Platt top-label and three-input joint calibrators on cross-fitted predictions"
                + (f" (leave one of {sorted(set(held_groups))} out)" if groups is not None and held_groups
                   else " of the augmented copies" if augment else " of held-out folds"),
                "folds": len(splits), "C": C, "weights": weights.__dict__, "use_embeddings": use_embeddings,
                "use_tfidf": use_tfidf, "augment": augment and not (groups is not None and held_groups),
                "urgency_class_weight": urgency_class_weight, "head_thresholds": thresholds,
                "recall_targets": {k: targets[k] for k in labels},
                "groups": sorted(set(grp.tolist())), "held_groups": sorted(set(held_groups or []))},
    )
    clf = IntakeClassifier(word=word, char=char, doc_type_model=doc_model, urgency_model=urg_model, meta=meta,
                           weights=weights, use_embeddings=use_embeddings, doc_type_calibrator=doc_cal,
                           urgency_calibrator=urg_cal, joint_calibrator=joint_cal, binary_models=bin_models,
                           thresholds=thresholds, category_model=cat_model)
    clf.oof = cf
    return clf


def detect_all(texts: Sequence[str], *, n_jobs: int = 1) -> list[SensitivityReport]:
    """The sensitivity detector's report of every text (in chunks across processes when n_jobs > 1)."""
    texts = list(texts)
    if n_jobs <= 1 or len(texts) < 200:
        return [detect_sensitivity(t) for t in texts]
    size = -(-len(texts) // n_jobs)
    chunks = Parallel(n_jobs=n_jobs)(delayed(_detect_chunk)(texts[i:i + size]) for i in range(0, len(texts), size))
    return [r for chunk in chunks for r in chunk]


def _detect_chunk(texts: list[str]) -> list[SensitivityReport]:
    return [detect_sensitivity(t) for t in texts]


def _aligned_proba(model: Any, X: Any, classes: np.ndarray) -> np.ndarray:
    """predict_proba with columns in `classes` order (a fold may miss a rare class)."""
    p = model.predict_proba(X)
    out = np.zeros((X.shape[0], len(classes)))
    for j, c in enumerate(model.classes_):
        out[:, list(classes).index(c)] = p[:, j]
    return out
