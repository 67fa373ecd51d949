"""Generic evaluators for binary and multiclass agents: accuracy figures, calibration, risk–coverage.

Every function takes plain arrays and returns plain floats/dicts, so any suite (noshow, triage,
claims, summary) can reuse them. `bootstrap_interval` gives seeded 95% intervals for any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_fscore_support, roc_auc_score

from tools.calibration import (
    calibration_in_the_large,
    calibration_slope_intercept,
    expected_calibration_error,
)


def _nan_if_one_class(y: np.ndarray) -> bool:
    return y.size == 0 or np.unique(y).size < 2


def roc_auc(y_true, y_score) -> float:
    """ROC AUC, or NaN when only one class is present."""
    y = np.asarray(y_true)
    return float("nan") if _nan_if_one_class(y) else float(roc_auc_score(y, y_score))


def pr_auc(y_true, y_score) -> float:
    """Average precision (the step-wise area under the precision–recall curve)."""
    y = np.asarray(y_true)
    return float("nan") if _nan_if_one_class(y) else float(average_precision_score(y, y_score))


def brier_score(y_true, y_prob) -> float:
    """Mean squared difference between probability and outcome.

    >>> brier_score([0, 1], [0.2, 0.6])
    0.1
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    return float(np.round(np.mean((p - y) ** 2), 12)) if y.size else float("nan")


def rates(y_true, y_pred) -> dict[str, float]:
    """Selection rate, true-positive rate and false-positive rate of hard 0/1 decisions."""
    y = np.asarray(y_true).astype(bool)
    d = np.asarray(y_pred).astype(bool)
    pos, neg = y.sum(), (~y).sum()
    return {
        "selection_rate": float(d.mean()) if d.size else float("nan"),
        "tpr": float((d & y).sum() / pos) if pos else float("nan"),
        "fpr": float((d & ~y).sum() / neg) if neg else float("nan"),
    }


def classification_report(y_true, y_pred, *, labels: Sequence) -> dict[str, float]:
    """Per-class precision, recall, F1 and support, macro-F1 and accuracy, as flat names.

    Names are `precision[<label>]`, `recall[<label>]`, `f1[<label>]`, `support[<label>]`.
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=list(labels), zero_division=0
    )
    out: dict[str, float] = {}
    for i, label in enumerate(labels):
        out[f"precision[{label}]"] = float(precision[i])
        out[f"recall[{label}]"] = float(recall[i])
        out[f"f1[{label}]"] = float(f1[i])
        out[f"support[{label}]"] = float(support[i])
    present = support > 0
    out["macro_f1"] = float(np.mean(f1[present])) if present.any() else float("nan")
    out["accuracy"] = float(np.mean(y_true == y_pred)) if y_true.size else float("nan")
    return out


def risk_coverage_curve(correct, confidence) -> dict[str, np.ndarray]:
    """Auto-apply the items whose confidence is at least t, for every distinct t (highest first).

    Returns arrays: threshold, coverage (share auto-applied) and risk (error rate among them).

    >>> c = risk_coverage_curve([1, 1, 0, 1], [0.9, 0.8, 0.7, 0.6])
    >>> c["coverage"].tolist(), c["risk"].round(3).tolist()
    ([0.25, 0.5, 0.75, 1.0], [0.0, 0.0, 0.333, 0.25])
    """
    ok = np.asarray(correct, dtype=float).ravel()
    conf = np.asarray(confidence, dtype=float).ravel()
    order = np.argsort(-conf, kind="mergesort")
    ok, conf = ok[order], conf[order]
    errors = np.cumsum(1 - ok)
    counts = np.arange(1, ok.size + 1)
    last_of_tie = np.r_[conf[1:] != conf[:-1], True]  # a threshold takes every tie at once
    return {
        "threshold": conf[last_of_tie],
        "coverage": counts[last_of_tie] / max(ok.size, 1),
        "risk": errors[last_of_tie] / counts[last_of_tie],
    }


def area_under_risk_coverage(correct, confidence) -> float:
    """Mean risk over coverage (lower is better): how much error auto-applying costs on average."""
    curve = risk_coverage_curve(correct, confidence)
    if curve["coverage"].size == 0:
        return float("nan")
    widths = np.diff(np.r_[0.0, curve["coverage"]])
    return float(np.sum(widths * curve["risk"]))


def coverage_at_precision(correct, confidence, *, target: float) -> tuple[float, float]:
    """(coverage, threshold): the largest share that can be auto-applied with precision >= target.

    Precision here is the share of auto-applied items that are right. (0.0, inf) when no threshold
    reaches the target.

    >>> coverage_at_precision([1, 1, 0, 1], [0.9, 0.8, 0.7, 0.6], target=0.75)
    (1.0, 0.6)
    """
    curve = risk_coverage_curve(correct, confidence)
    good = (1.0 - curve["risk"]) >= target - 1e-12
    if not good.any():
        return 0.0, float("inf")
    best = int(np.flatnonzero(good)[-1])
    return float(curve["coverage"][best]), float(curve["threshold"][best])


def decision_confidence(y_prob, y_pred) -> np.ndarray:
    """Probability that a binary decision is right: p when the decision is 1, 1 - p when it is 0."""
    p = np.asarray(y_prob, dtype=float)
    return np.where(np.asarray(y_pred).astype(bool), p, 1.0 - p)


def binary_metrics(
    y_true,
    y_prob,
    *,
    threshold: float,
    target_precision: float = 0.9,
    n_bins: int = 10,
    positive_label: str = "1",
    negative_label: str = "0",
) -> dict[str, float]:
    """Every figure a binary probabilistic agent is judged by, as flat names.

    The decision is `y_prob >= threshold`; risk–coverage treats the decision as auto-applied when
    its confidence (see `decision_confidence`) is at least the gate's threshold.
    """
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_prob, dtype=float)
    decision = (p >= threshold).astype(int)
    slope, intercept = calibration_slope_intercept(y, p)
    correct = (decision == y).astype(int)
    confidence = decision_confidence(p, decision)
    coverage, coverage_threshold = coverage_at_precision(correct, confidence, target=target_precision)
    out = {
        "n": float(y.size),
        "prevalence": float(y.mean()) if y.size else float("nan"),
        "mean_predicted": float(p.mean()) if p.size else float("nan"),
        "roc_auc": roc_auc(y, p),
        "pr_auc": pr_auc(y, p),
        "brier": brier_score(y, p),
        "ece": expected_calibration_error(y, p, n_bins=n_bins),
        "ece_quantile_bins": expected_calibration_error(y, p, n_bins=n_bins, strategy="quantile"),
        "calibration_slope": slope,
        "calibration_intercept": intercept,
        "calibration_in_the_large": calibration_in_the_large(y, p),
        "threshold": float(threshold),
        **rates(y, decision),
        "decision_ece": expected_calibration_error(correct, confidence, n_bins=n_bins),
        "aurc": area_under_risk_coverage(correct, confidence),
        "coverage_at_target_precision": coverage,
        "confidence_threshold_at_target_precision": coverage_threshold,
        "target_precision": float(target_precision),
    }
    report = classification_report(y, decision, labels=[1, 0])
    for key, value in report.items():
        out[key.replace("[1]", f"[{positive_label}]").replace("[0]", f"[{negative_label}]")] = value
    return out


def multiclass_metrics(
    y_true, y_pred, *, labels: Sequence[str], confidence=None, target_precision: float = 0.9, n_bins: int = 10
) -> dict[str, float]:
    """Per-class precision/recall/F1, macro-F1, accuracy and, with confidences, ECE and risk–coverage."""
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    out = {"n": float(y_true.size), **classification_report(y_true, y_pred, labels=labels)}
    if confidence is not None:
        correct = (y_true == y_pred).astype(int)
        conf = np.asarray(confidence, dtype=float)
        coverage, coverage_threshold = coverage_at_precision(correct, conf, target=target_precision)
        out.update(
            {
                "ece": expected_calibration_error(correct, conf, n_bins=n_bins),
                "brier_top_label": brier_score(correct, conf),
                "aurc": area_under_risk_coverage(correct, conf),
                "coverage_at_target_precision": coverage,
                "confidence_threshold_at_target_precision": coverage_threshold,
                "target_precision": float(target_precision),
            }
        )
    return out


def bootstrap_interval(
    statistic: Callable[..., float],
    *arrays,
    n_boot: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of `statistic(*arrays)`, resampling rows with a seeded RNG.

    Resamples where the statistic is undefined (NaN, e.g. one class only) are skipped.
    """
    arrays = tuple(np.asarray(a) for a in arrays)
    n = arrays[0].shape[0]
    if n == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        value = statistic(*(a[idx] for a in arrays))
        if np.isfinite(value):
            values.append(value)
    if not values:
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return float(low), float(high)
