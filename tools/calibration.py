"""Calibration figures: reliability table, expected calibration error, calibration slope and in-the-large.

A confidence is a promise (DESIGN promise 3); these functions measure how well it is kept. They take
binary outcomes and probabilities; for a classifier's confidence in its own answer, pass
`correct` (1 when the answer was right) as `y_true` and the confidence as `y_prob`.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-6


def _as_arrays(y_true, y_prob) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(y_prob, dtype=float).ravel()
    if y.shape != p.shape:
        raise ValueError(f"y_true has {y.size} items but y_prob has {p.size}")
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError("probabilities must lie in [0, 1]")
    return y, p


def bin_edges(y_prob, *, n_bins: int = 10, strategy: str = "uniform") -> np.ndarray:
    """Edges of the bins: equal width on [0, 1] ("uniform") or equal counts ("quantile")."""
    if strategy == "uniform":
        return np.linspace(0.0, 1.0, n_bins + 1)
    if strategy == "quantile":
        edges = np.quantile(np.asarray(y_prob, dtype=float), np.linspace(0, 1, n_bins + 1))
        edges[0], edges[-1] = 0.0, 1.0
        return np.unique(edges)
    raise ValueError(f"strategy must be 'uniform' or 'quantile', not {strategy!r}")


def reliability_table(y_true, y_prob, *, n_bins: int = 10, strategy: str = "uniform") -> dict[str, np.ndarray]:
    """Per bin: lower and upper edge, count, mean predicted probability and observed frequency.

    Bins are [lo, hi) except the last, which includes 1.0. Empty bins have count 0 and NaN means.
    """
    y, p = _as_arrays(y_true, y_prob)
    edges = bin_edges(p, n_bins=n_bins, strategy=strategy)
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    nb = len(edges) - 1
    count = np.bincount(which, minlength=nb).astype(float)
    sum_p = np.bincount(which, weights=p, minlength=nb)
    sum_y = np.bincount(which, weights=y, minlength=nb)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "lower": edges[:-1],
            "upper": edges[1:],
            "count": count,
            "mean_predicted": sum_p / count,
            "observed": sum_y / count,
        }


def expected_calibration_error(y_true, y_prob, *, n_bins: int = 10, strategy: str = "uniform") -> float:
    """ECE = sum over bins of (bin share) * |mean predicted - observed frequency|.

    >>> round(expected_calibration_error([0, 1, 1, 1], [0.05, 0.05, 0.95, 0.95]), 3)
    0.25
    """
    y, p = _as_arrays(y_true, y_prob)
    if y.size == 0:
        return float("nan")
    table = reliability_table(y, p, n_bins=n_bins, strategy=strategy)
    filled = table["count"] > 0
    gaps = np.abs(table["mean_predicted"][filled] - table["observed"][filled])
    return float(np.sum(table["count"][filled] / y.size * gaps))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def _newton_logistic(x: np.ndarray, y: np.ndarray, offset: np.ndarray, *, iterations: int = 50) -> np.ndarray:
    """Unpenalised logistic regression of y on the columns of x with a fixed offset (IRLS)."""
    beta = np.zeros(x.shape[1])
    for _ in range(iterations):
        eta = x @ beta + offset
        mu = 1.0 / (1.0 + np.exp(-eta))
        w = np.maximum(mu * (1 - mu), 1e-12)
        grad = x.T @ (y - mu)
        hess = x.T @ (x * w[:, None])
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return np.full(x.shape[1], np.nan)
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def calibration_slope_intercept(y_true, y_prob) -> tuple[float, float]:
    """(slope, intercept) of logit P(y=1) = intercept + slope * logit(p). Ideal: (1, 0).

    A slope under 1 means predictions are too extreme (overfitting); over 1, too timid.
    """
    y, p = _as_arrays(y_true, y_prob)
    if y.size == 0 or y.min() == y.max():
        return float("nan"), float("nan")
    x = np.column_stack([np.ones_like(p), _logit(p)])
    intercept, slope = _newton_logistic(x, y, np.zeros_like(p))
    return float(slope), float(intercept)


def calibration_in_the_large(y_true, y_prob) -> float:
    """The intercept a of logit P(y=1) = a + logit(p) with the slope fixed at 1. Ideal: 0.

    Positive means risk is underestimated on average; negative, overestimated.
    """
    y, p = _as_arrays(y_true, y_prob)
    if y.size == 0 or y.min() == y.max():
        return float("nan")
    (a,) = _newton_logistic(np.ones((p.size, 1)), y, _logit(p))
    return float(a)
