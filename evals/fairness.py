"""Results by patient group, through fairlearn's MetricFrame, with n and seeded bootstrap intervals.

Groups smaller than `min_n` are reported and marked `insufficient`; they never count as passing a
group gate (the gate looks only at sufficient groups and the report lists the others by name).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate

from tools.calibration import expected_calibration_error
from evals.metrics import brier_score, roc_auc

INTERSECTION_SEP = " × "


def _ece(y_true, y_pred, *, y_prob, n_bins: int = 10) -> float:
    return expected_calibration_error(y_true, y_prob, n_bins=n_bins)


def _brier(y_true, y_pred, *, y_prob) -> float:
    return brier_score(y_true, y_prob)


def _auc(y_true, y_pred, *, y_prob) -> float:
    return roc_auc(y_true, y_prob)


def _review_rate(y_true, y_pred, *, review) -> float:
    return float(np.mean(review)) if len(review) else float("nan")


def _observed_rate(y_true, y_pred) -> float:
    return float(np.mean(y_true)) if len(y_true) else float("nan")


def _mean_predicted(y_true, y_pred, *, y_prob) -> float:
    return float(np.mean(y_prob)) if len(y_prob) else float("nan")


def group_metric_frame(
    y_true, y_prob, y_pred, sensitive: pd.Series, *, review=None, n_bins: int = 10
) -> MetricFrame:
    """A fairlearn MetricFrame of the figures reported per group for one attribute.

    Metrics: selection_rate, tpr, fpr (of the hard decisions), ece, brier, roc_auc, observed rate,
    mean predicted probability and review_rate (share of the group's items the gate sent to review).
    """
    y_true = np.asarray(y_true).astype(int)
    y_prob = np.asarray(y_prob, dtype=float)
    y_pred = np.asarray(y_pred).astype(int)
    review = np.zeros(y_true.size, dtype=bool) if review is None else np.asarray(review).astype(bool)
    metrics: dict[str, Callable] = {
        "selection_rate": selection_rate,
        "tpr": lambda yt, yp: true_positive_rate(yt, yp, pos_label=1) if np.any(yt == 1) else np.nan,
        "fpr": lambda yt, yp: false_positive_rate(yt, yp, pos_label=1) if np.any(yt == 0) else np.nan,
        "ece": lambda yt, yp, y_prob: _ece(yt, yp, y_prob=y_prob, n_bins=n_bins),
        "brier": _brier,
        "roc_auc": _auc,
        "observed_rate": _observed_rate,
        "mean_predicted": _mean_predicted,
        "review_rate": _review_rate,
    }
    params = {name: {"y_prob": y_prob} for name in ("ece", "brier", "roc_auc", "mean_predicted")}
    params["review_rate"] = {"review": review}
    return MetricFrame(
        metrics=metrics,
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=pd.Series(np.asarray(sensitive, dtype=object), name=sensitive.name),
        sample_params=params,
    )


def bootstrap_binary_figures(
    y: np.ndarray, p: np.ndarray, d: np.ndarray, r: np.ndarray, *, n_boot: int, seed: int, n_bins: int = 10,
    chunk: int = 50,
) -> dict[str, tuple[float, float]]:
    """Percentile 95% intervals of the per-group figures, resampling rows with a seeded RNG.

    Vectorised: each resample is a row of counts (how often each item was drawn), so every figure
    is a weighted sum; ROC-AUC is computed over the distinct scores with ties counted half.
    """
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    d = np.asarray(d, dtype=float)
    r = np.asarray(r, dtype=float)
    n = y.size
    names = ("selection_rate", "tpr", "fpr", "ece", "brier", "roc_auc", "observed_rate", "mean_predicted", "review_rate")
    if n == 0 or n_boot <= 0:
        return {k: (np.nan, np.nan) for k in names}
    rng = np.random.default_rng(seed)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which_bin = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, n_bins - 1)
    levels, level_of = np.unique(p, return_inverse=True)
    draws: dict[str, list[np.ndarray]] = {k: [] for k in names}
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        idx = rng.integers(0, n, (b, n))
        counts = np.bincount((idx + np.arange(b)[:, None] * n).ravel(), minlength=b * n).reshape(b, n).astype(float)
        done += b
        pos = counts @ y
        neg = n - pos
        with np.errstate(invalid="ignore", divide="ignore"):
            draws["selection_rate"].append(counts @ d / n)
            draws["tpr"].append(np.where(pos > 0, counts @ (d * y) / pos, np.nan))
            draws["fpr"].append(np.where(neg > 0, counts @ (d * (1 - y)) / neg, np.nan))
            draws["brier"].append(counts @ ((p - y) ** 2) / n)
            draws["observed_rate"].append(pos / n)
            draws["mean_predicted"].append(counts @ p / n)
            draws["review_rate"].append(counts @ r / n)
            # ECE = sum over bins |sum of p - sum of y| / n
            gap = np.zeros((b, n_bins))
            for k in range(n_bins):
                in_bin = which_bin == k
                if in_bin.any():
                    gap[:, k] = counts[:, in_bin] @ (p[in_bin] - y[in_bin])
            draws["ece"].append(np.abs(gap).sum(axis=1) / n)
            # AUC over distinct score levels: P(score of a positive > a negative) + half the ties.
            pos_w = np.zeros((b, levels.size))
            neg_w = np.zeros((b, levels.size))
            for row in range(b):
                pos_w[row] = np.bincount(level_of, weights=counts[row] * y, minlength=levels.size)
                neg_w[row] = np.bincount(level_of, weights=counts[row] * (1 - y), minlength=levels.size)
            neg_below = np.cumsum(neg_w, axis=1) - neg_w
            auc = (pos_w * (neg_below + 0.5 * neg_w)).sum(axis=1) / (pos * neg)
            draws["roc_auc"].append(np.where((pos > 0) & (neg > 0), auc, np.nan))
    out = {}
    for name, parts in draws.items():
        values = np.concatenate(parts)
        values = values[np.isfinite(values)]
        out[name] = (
            (float(np.quantile(values, 0.025)), float(np.quantile(values, 0.975))) if values.size else (np.nan, np.nan)
        )
    return out


def calibrated_ece_reference(p, *, n_sim: int = 200, seed: int = 0, n_bins: int = 10) -> tuple[float, float, float]:
    """(mean, 2.5th, 97.5th percentile) of the ECE a *perfectly calibrated* model would show on these
    predictions: outcomes are drawn as Bernoulli(p). Binned ECE is never 0 on finite data; an observed
    ECE inside this range cannot be told apart from sampling noise.
    """
    p = np.asarray(p, dtype=float)
    n = p.size
    if n == 0 or n_sim <= 0:
        return float("nan"), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which_bin = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, n_bins - 1)
    values = np.zeros(n_sim)
    for start in range(0, n_sim, 50):
        b = min(50, n_sim - start)
        outcomes = (rng.random((b, n)) < p).astype(float)
        total = np.zeros(b)
        for k in range(n_bins):
            in_bin = which_bin == k
            if in_bin.any():
                total += np.abs(outcomes[:, in_bin].sum(axis=1) - p[in_bin].sum())
        values[start : start + b] = total / n
    return float(values.mean()), float(np.quantile(values, 0.025)), float(np.quantile(values, 0.975))


def _stable_seed(seed: int, *parts: str) -> int:
    digest = hashlib.sha256("|".join([str(seed), *parts]).encode()).digest()
    return int.from_bytes(digest[:4], "little")


def intersect(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One label per row joining several attributes, e.g. "F × 18-44 × 0"; missing parts -> "unknown"."""
    parts = [frame[c].astype(object).where(frame[c].notna(), "unknown").astype(str) for c in columns]
    label = parts[0]
    for part in parts[1:]:
        label = label + INTERSECTION_SEP + part
    return label.rename(INTERSECTION_SEP.join(columns))


def by_group(
    y_true,
    y_prob,
    y_pred,
    groups: pd.DataFrame,
    *,
    review=None,
    min_n: int = 500,
    n_boot: int = 200,
    seed: int = 0,
    n_bins: int = 10,
    progress: Callable | None = None,
) -> dict[str, dict[str, dict]]:
    """attribute -> group -> {"n", "insufficient", figure: {"value", "ci_low", "ci_high"}}.

    Besides the MetricFrame figures, `ece_if_calibrated` is the ECE a perfectly calibrated model
    would show on the group's predictions (see `calibrated_ece_reference`), to read `ece` against.

    `groups` has one column per attribute (intersections included as their own column, see
    `intersect`). Missing attribute values are grouped as "unknown".
    """
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_prob, dtype=float)
    d = np.asarray(y_pred).astype(int)
    r = np.zeros(y.size, dtype=bool) if review is None else np.asarray(review).astype(bool)
    result: dict[str, dict[str, dict]] = {}
    for attribute in groups.columns:
        labels = groups[attribute].astype(object).where(groups[attribute].notna(), "unknown").astype(str)
        labels = labels.rename(attribute).reset_index(drop=True)
        frame = group_metric_frame(y, p, d, labels, review=r, n_bins=n_bins)
        table = frame.by_group
        result[attribute] = {}
        for group in sorted(table.index, key=str):
            mask = (labels == group).to_numpy()
            n = int(mask.sum())
            cis = bootstrap_binary_figures(
                y[mask], p[mask], d[mask], r[mask], n_boot=n_boot, seed=_stable_seed(seed, attribute, str(group)),
                n_bins=n_bins,
            )  # fmt: skip
            entry: dict = {"n": n, "insufficient": n < min_n, "positives": int(y[mask].sum())}
            for name in table.columns:
                value = table.loc[group, name]
                low, high = cis.get(name, (np.nan, np.nan))
                entry[name] = {"value": _clean(value), "ci_low": _clean(low), "ci_high": _clean(high)}
            ref_mean, ref_low, ref_high = calibrated_ece_reference(
                p[mask], n_sim=n_boot, seed=_stable_seed(seed, "ece-ref", attribute, str(group)), n_bins=n_bins
            )
            entry["ece_if_calibrated"] = {"value": _clean(ref_mean), "ci_low": _clean(ref_low), "ci_high": _clean(ref_high)}
            result[attribute][str(group)] = entry
            if progress is not None:
                progress()
    return result


def equalized_odds(y_true, y_pred, sensitive: pd.Series, *, min_n: int = 500) -> dict[str, object]:
    """Equalized-odds difference (max of the TPR gap and the FPR gap) over groups with n >= min_n.

    Returns the difference, the two gaps, and which groups were included and excluded.
    """
    y = np.asarray(y_true).astype(int)
    d = np.asarray(y_pred).astype(int)
    labels = sensitive.astype(object).where(sensitive.notna(), "unknown").astype(str).reset_index(drop=True)
    sizes = labels.value_counts()
    included = sorted(sizes.index[sizes >= min_n])
    excluded = sorted(sizes.index[sizes < min_n])
    keep = labels.isin(included).to_numpy()
    if len(included) < 2:
        return {"difference": float("nan"), "tpr_difference": float("nan"), "fpr_difference": float("nan"),
                "included": included, "excluded": excluded}  # fmt: skip
    frame = MetricFrame(
        metrics={"tpr": true_positive_rate, "fpr": false_positive_rate},
        y_true=y[keep],
        y_pred=d[keep],
        sensitive_features=labels[keep].reset_index(drop=True),
    )
    gaps = frame.difference(method="between_groups")
    return {
        "difference": float(max(gaps["tpr"], gaps["fpr"])),
        "tpr_difference": float(gaps["tpr"]),
        "fpr_difference": float(gaps["fpr"]),
        "included": included,
        "excluded": excluded,
    }


def max_over_sufficient(table: dict[str, dict], figure: str) -> tuple[float, str | None]:
    """The largest value of `figure` over the sufficient groups of one attribute, and which group."""
    best, where = float("nan"), None
    for group, entry in table.items():
        if entry["insufficient"]:
            continue
        value = entry[figure]["value"]
        if value is not None and (where is None or value > best):
            best, where = value, group
    return best, where


def _clean(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None
