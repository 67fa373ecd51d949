"""Local intake classifiers: doc_type and urgency from domain-knowledge cue features (tools.intake.cues),
the clinical-sensitivity detector's findings, TF-IDF word and character n-grams of the text with fax
boilerplate stripped and, optionally, MiniLM sentence embeddings; each head a logistic regression
with probabilities calibrated on held-out folds of the training data."""

from __future__ import annotations

import hashlib
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.isotonic import IsotonicRegression
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from models.governance import PRIORITY_RANK, ClinicalCategory, Priority
from models.scheduling import ModelMeta
from tools.embed import EMBED_DIM, LOCAL_MODEL_VERSION, embed_texts
from tools.intake.cues import CUE_NAMES, cue_features, strip_boilerplate
from tools.intake.sensitivity import detect_sensitivity

MODEL_NAME = "intake"
MAX_CHARS = 2000  # the embedding sees about 256 tokens; TF-IDF sees the same head of the text
URGENCY_ORDER: tuple[str, ...] = tuple(PRIORITY_RANK)  # routine, urgent, emergent
_CATEGORIES = tuple(c.value for c in ClinicalCategory)
SENSITIVITY_NAMES: tuple[str, ...] = tuple(f"sens:{c}" for c in _CATEGORIES) + tuple(f"floor:{u}" for u in URGENCY_ORDER) \
    + ("sens:out_of_medicine",)


@dataclass(frozen=True)
class FeatureWeights:
    """How much say each feature block has against the others (one shared L2 penalty, so a block's
    scale is its prior weight). Chosen by cross-validation on the training corpus."""

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


def sensitivity_features(texts: Sequence[str]) -> np.ndarray:
    """The sensitivity detector's categories, urgency floor and out-of-medicine cue as 0/1 columns."""
    rows = []
    for text in texts:
        report = detect_sensitivity(text)
        cats = {c.value for c in report.categories}
        row = [1.0 if c in cats else 0.0 for c in _CATEGORIES]
        row += [1.0 if report.urgency_floor.value == u else 0.0 for u in URGENCY_ORDER]
        row.append(1.0 if "out_of_medicine:urgent" in report.urgency_reasons else 0.0)
        rows.append(row)
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), len(SENSITIVITY_NAMES))


@dataclass(frozen=True)
class IntakePrediction:
    doc_type: str
    doc_type_p: float
    doc_type_probs: dict[str, float]
    urgency: str
    urgency_p: float
    urgency_probs: dict[str, float]
    joint_p: float | None = None  # calibrated P(doc_type right and final urgency right), when the model has one

    @property
    def confidence(self) -> float:
        """Probability that both labels are right: the joint calibrator's when the model has one
        (the heads' errors are correlated), else the product of the two heads' probabilities."""
        return self.joint_p if self.joint_p is not None else self.doc_type_p * self.urgency_p


def final_urgency(predicted: str, floor: Priority | str) -> str:
    """The more urgent of the classifier's urgency and the sensitivity detector's floor."""
    floor_value = floor.value if isinstance(floor, Priority) else str(floor)
    return predicted if PRIORITY_RANK[predicted] >= PRIORITY_RANK[floor_value] else floor_value


@dataclass
class IntakeClassifier:
    word: TfidfVectorizer | None
    char: TfidfVectorizer | None
    doc_type_model: Any
    urgency_model: Any
    meta: ModelMeta
    weights: FeatureWeights = field(default_factory=FeatureWeights)
    use_embeddings: bool = True
    # Top-label calibrators fitted on cross-fitted predictions (None: the heads calibrate themselves).
    doc_type_calibrator: Any = None
    urgency_calibrator: Any = None
    joint_calibrator: Any = None

    @property
    def version(self) -> str:
        return self.meta.version

    def features(self, texts: Sequence[str], *, embeddings: np.ndarray | None = None) -> sparse.csr_matrix:
        """The feature matrix the heads see. `embeddings` (n, 384) may be passed when already computed;
        they are ignored when the model was trained without them."""
        return build_features(texts, word=self.word, char=self.char, weights=self.weights,
                              use_embeddings=self.use_embeddings, embeddings=embeddings)

    def predict(self, texts: Sequence[str], *, embeddings: np.ndarray | None = None) -> list[IntakePrediction]:
        X = self.features(texts, embeddings=embeddings)
        pd, pu = self.doc_type_model.predict_proba(X), self.urgency_model.predict_proba(X)
        top_d, top_u = pd.max(axis=1), pu.max(axis=1)
        cal_d = _apply_calibrator(self.doc_type_calibrator, top_d)
        cal_u = _apply_calibrator(self.urgency_calibrator, top_u)
        joint = _apply_calibrator(self.joint_calibrator, top_d * top_u) if self.joint_calibrator is not None else None
        out = []
        for i, (rd, ru) in enumerate(zip(pd, pu)):
            d, u = int(np.argmax(rd)), int(np.argmax(ru))
            out.append(IntakePrediction(
                doc_type=str(self.doc_type_model.classes_[d]), doc_type_p=float(cal_d[i]),
                doc_type_probs={str(c): float(p) for c, p in zip(self.doc_type_model.classes_, rd)},
                urgency=str(self.urgency_model.classes_[u]), urgency_p=float(cal_u[i]),
                urgency_probs={str(c): float(p) for c, p in zip(self.urgency_model.classes_, ru)},
                joint_p=None if joint is None else float(joint[i]),
            ))
        return out

    def to_estimators(self) -> dict[str, Any]:
        """Plain scikit-learn objects and arrays (for the skops registry); the settings ride along as
        a float array so no custom class has to be trusted on load."""
        w = self.weights
        settings = np.asarray([w.cues, w.sensitivity, w.word, w.char, w.embedding, float(self.use_embeddings)])
        out: dict[str, Any] = {"doc_type": self.doc_type_model, "urgency": self.urgency_model, "settings": settings}
        if self.word is not None:
            out["word"] = self.word
        if self.char is not None:
            out["char"] = self.char
        for key, cal in (("doc_type_calibrator", self.doc_type_calibrator), ("urgency_calibrator", self.urgency_calibrator),
                         ("joint_calibrator", self.joint_calibrator)):
            if cal is not None:
                out[key] = cal
        return out

    @classmethod
    def from_estimators(cls, estimators: dict[str, Any], meta: ModelMeta) -> "IntakeClassifier":
        s = np.asarray(estimators.get("settings", [1.0, 1.0, 1.0, 1.0, 2.0, 1.0]), dtype=float)
        weights = FeatureWeights(cues=s[0], sensitivity=s[1], word=s[2], char=s[3], embedding=s[4])
        return cls(word=estimators.get("word"), char=estimators.get("char"), doc_type_model=estimators["doc_type"],
                   urgency_model=estimators["urgency"], meta=meta, weights=weights, use_embeddings=bool(s[5]),
                   doc_type_calibrator=estimators.get("doc_type_calibrator"),
                   urgency_calibrator=estimators.get("urgency_calibrator"),
                   joint_calibrator=estimators.get("joint_calibrator"))


def _apply_calibrator(calibrator: Any, p: np.ndarray) -> np.ndarray:
    """Map raw top-label probabilities through an isotonic or a Platt (logistic on the logit) calibrator."""
    if calibrator is None:
        return p
    if isinstance(calibrator, IsotonicRegression):
        return np.clip(calibrator.predict(p), 0.0, 1.0)
    return calibrator.predict_proba(_logit_column(p))[:, 1]


def _logit_column(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q)).reshape(-1, 1)


def fit_top_label_calibrator(p: np.ndarray, correct: np.ndarray) -> Any:
    """Isotonic when there are enough cross-fitted points (>= 1000), else Platt scaling: isotonic
    steps overfit a few hundred points."""
    correct = np.asarray(correct).astype(int)
    if correct.min() == correct.max():
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        return iso.fit(np.r_[p, 0.0, 1.0], np.r_[correct, correct[0], correct[0]])
    if len(p) >= 1000:
        return IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(p, correct)
    return LogisticRegression(C=1e4, max_iter=1000).fit(_logit_column(p), correct)


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


def make_vectorizers(*, min_df: int = 2) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """The word and character TF-IDF vectorizers of the classifier."""
    word = TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, max_features=40000, sublinear_tf=True)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=min_df, max_features=60000, sublinear_tf=True)
    return word, char


def train_intake_classifier(texts: Sequence[str], doc_types: Sequence[str], urgencies: Sequence[str], *,
                            seed: int = 0, data_source: str = "synthetic", embeddings: np.ndarray | None = None,
                            use_embeddings: bool = True, use_tfidf: bool = True, C: float = 1.0,
                            weights: FeatureWeights | None = None, augment: bool = True, folds: int = 3,
                            urgency_class_weight: str | None = None, n_jobs: int = 1) -> IntakeClassifier:
    """Fit both heads. `embeddings` may be passed when already computed (they are the slow part);
    `use_embeddings=False` leaves them out of the model altogether (the tests, and the ablation).

    With `augment`, every text gets a template-breaking copy (`augment_text`; its embedding is the
    original's, as re-embedding doubles the slow part) and calibration is cross-fitted on the copies
    (`shift_calibration_splits`); without it, plain stratified folds calibrate.

    The doc_type head weighs classes equally ("balanced"); the urgency head by default does not:
    up-weighting the rare urgent class made it over-call urgent on unseen phrasings (precision 0.48),
    and the recall that matters is carried by the sensitivity detector's urgency floor instead."""
    weights = weights or FeatureWeights()
    texts, doc_types, urgencies = list(texts), list(doc_types), list(urgencies)
    n = len(texts)
    if use_embeddings and embeddings is None:
        embeddings = embed_texts([t[:MAX_CHARS] for t in texts])
    cv: Any = folds
    if augment:
        rng = random.Random(seed)
        texts = texts + [augment_text(t, rng) for t in texts]
        cv = shift_calibration_splits(n, doc_types, folds=folds, seed=seed)
        doc_types, urgencies = doc_types * 2, urgencies * 2
        if use_embeddings:
            embeddings = np.vstack([embeddings, embeddings])
    word, char = make_vectorizers() if use_tfidf else (None, None)
    if use_tfidf:
        norm = [normalize_text(t) for t in texts]
        word.fit(norm)
        char.fit(norm)
    sens_all = sensitivity_features(texts)
    X = build_features(texts, word=word, char=char, weights=weights, use_embeddings=use_embeddings,
                       embeddings=embeddings, sens=sens_all)
    base = LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=seed)
    base_urg = LogisticRegression(C=C, max_iter=3000, class_weight=urgency_class_weight, random_state=seed)
    y_doc, y_urg = np.asarray(doc_types), np.asarray(urgencies)
    doc_model = clone(base).fit(X, y_doc)
    urg_model = clone(base_urg).fit(X, y_urg)
    # Cross-fitted predictions: each held part is predicted by heads that never saw it (nor, with
    # augmentation, its original), then top-label and joint calibrators are fitted on them.
    splits = cv if isinstance(cv, list) else [
        (a, b) for a, b in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(n), y_doc[:n])]
    held_all = np.concatenate([b for _, b in splits])
    top_d, top_u, ok_d, ok_u, ok_joint = (np.zeros(len(held_all)) for _ in range(5))
    pos = 0
    for fit_idx, held_idx in splits:
        d = clone(base).fit(X[fit_idx], y_doc[fit_idx])
        u = clone(base_urg).fit(X[fit_idx], y_urg[fit_idx])
        pd, pu = d.predict_proba(X[held_idx]), u.predict_proba(X[held_idx])
        pred_d, pred_u = d.classes_[pd.argmax(1)], u.classes_[pu.argmax(1)]
        floor = np.asarray(URGENCY_ORDER)[sens_all[held_idx, len(_CATEGORIES):len(_CATEGORIES) + 3].argmax(1)]
        final_u = np.asarray([final_urgency(a, b) for a, b in zip(pred_u, floor)])
        k = len(held_idx)
        top_d[pos:pos + k], top_u[pos:pos + k] = pd.max(1), pu.max(1)
        ok_d[pos:pos + k] = pred_d == y_doc[held_idx]
        ok_u[pos:pos + k] = pred_u == y_urg[held_idx]
        ok_joint[pos:pos + k] = (pred_d == y_doc[held_idx]) & (final_u == y_urg[held_idx])
        pos += k
    doc_cal = fit_top_label_calibrator(top_d, ok_d)
    urg_cal = fit_top_label_calibrator(top_u, ok_u)
    # One pooled joint calibrator: calibrators conditional on the predicted urgency were tried and
    # made held-out calibration worse (ECE 0.064 -> 0.108), as urgent predictions look reliable in-family.
    joint_cal = fit_top_label_calibrator(top_d * top_u, ok_joint)
    digest = hashlib.sha256("\n".join(f"{d}|{u}|{t}" for t, d, u in zip(texts[:n], doc_types[:n], urgencies[:n])).encode()).hexdigest()
    now = datetime.now(timezone.utc)
    features = [f"intake_cues ({len(CUE_NAMES)})", f"sensitivity ({len(SENSITIVITY_NAMES)})"]
    if use_tfidf:
        features += ["tfidf word 1-2 (boilerplate stripped)", "tfidf char_wb 3-5 (boilerplate stripped)"]
    if use_embeddings:
        features.append(LOCAL_MODEL_VERSION)
    meta = ModelMeta(
        name=MODEL_NAME, version=f"intake-{now:%Y%m%d%H%M%S}-{digest[:8]}", created_at=now, data_sha256=digest,
        data_source=data_source, n_train=n, features=features,
        params={"seed": seed, "calibration": ("isotonic" if n >= 1000 else "platt")
                + " top-label and joint calibrators on cross-fitted predictions"
                + (" of the augmented copies" if augment else " of held-out folds"), "folds": folds, "C": C,
                "weights": weights.__dict__, "use_embeddings": use_embeddings, "use_tfidf": use_tfidf, "augment": augment,
                "urgency_class_weight": urgency_class_weight},
    )
    return IntakeClassifier(word=word, char=char, doc_type_model=doc_model, urgency_model=urg_model, meta=meta,
                            weights=weights, use_embeddings=use_embeddings, doc_type_calibrator=doc_cal,
                            urgency_calibrator=urg_cal, joint_calibrator=joint_cal)
