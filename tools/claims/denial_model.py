"""Denial-risk model: gradient boosting on claim features (payer, CPT, modifiers, POS, units, charge
against the fee schedule, diagnosis chapters, rendering provider and the rule findings), calibrated
(isotonic) on a later slice of the claim history, stored with skops through tools.model_registry.

`train_denial_model(history, seed=...)` fits on the earlier 70% of a time-sorted history and
calibrates on the latest 30%; `DenialModel.predict_proba(claims, checks)` gives calibrated risks.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from threadpoolctl import threadpool_limits

from models.claims import Claim, ClaimCheck, ClaimContext, Severity
from models.scheduling import ModelMeta

MODEL_NAME = "denial"
# Small trees, strong leaf minimum: the history is a few thousand claims and most features are sparse
# indicators; chosen on the calibration slice of a synthetic history (never on a test slice).
DEFAULT_PARAMS: dict[str, Any] = {
    "learning_rate": 0.08,
    "max_iter": 250,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 10,
    "l2_regularization": 1.0,
    # Denials are the minority class: weighting them lets the trees spend splits on them; the raw
    # scores are then too high on purpose and the isotonic calibration maps them back to probabilities.
    "class_weight": "balanced",
}
MIN_FEATURE_COUNT = 5  # an indicator seen fewer times in training is dropped (it cannot be learned)
CALIBRATION_FRACTION = 0.3
FLAG_SEVERITIES = frozenset({Severity.high, Severity.medium})
NUMERIC_FEATURES = (
    "n_lines", "n_dx", "units_max", "units_total", "total_charge", "charge_ratio_min", "charge_ratio_max",
    "days_to_submit", "n_findings", "rules_incomplete", "modifier_count",
)  # fmt: skip


def rules_flag(check: ClaimCheck) -> bool:
    """The rules' own decision: flag the claim when any high- or medium-severity finding fired."""
    return any(f.severity in FLAG_SEVERITIES for f in check.findings)


def claim_features(claim: Claim, check: ClaimCheck, context: ClaimContext | None = None) -> dict[str, float]:
    """Named features of one claim: indicators ("cpt=99213", "payer|cpt=MCR01|83036") and numbers.

    Patient sex and age are deliberately not inputs (they are evaluation groups); the rules that use
    them (age/sex conflicts) enter only as their findings.
    """
    payer = claim.coverage.payer_id
    f: dict[str, float] = {f"payer={payer}": 1.0, f"unit={claim.service_unit}": 1.0}
    pos_values = {line.place_of_service or claim.place_of_service for line in claim.service_lines}
    for pos in pos_values:
        f[f"pos={pos}"] = 1.0
        f[f"payer|pos={payer}|{pos}"] = 1.0
    chapters = sorted({dx[:1] for dx in claim.diagnoses})
    for chapter in chapters:
        f[f"dx_chapter={chapter}"] = 1.0
        f[f"payer|dx_chapter={payer}|{chapter}"] = 1.0
    provider = claim.rendering_npi or claim.billing_npi
    f[f"provider={provider}"] = 1.0
    f[f"payer|provider={payer}|{provider}"] = 1.0
    fees = context.fee_schedule.charges if context is not None and context.fee_schedule is not None else {}
    ratios: list[float] = []
    total = Decimal(0)
    units = [float(line.units) for line in claim.service_lines]
    modifier_count = 0
    for line in claim.service_lines:
        f[f"cpt={line.code}"] = 1.0
        f[f"payer|cpt={payer}|{line.code}"] = 1.0
        for modifier in line.modifiers:
            f[f"mod={modifier}"] = 1.0
            modifier_count += 1
        if line.charge is not None:
            total += line.charge
            fee = fees.get(line.code)
            if fee is not None and fee > 0:
                ratios.append(float(line.charge / (fee * line.units)))
    for finding in check.findings:
        f[f"rule={finding.rule_id}"] = 1.0
        f[f"severity={finding.severity.value}"] = 1.0
    f.update({
        "n_lines": float(len(claim.service_lines)),
        "n_dx": float(len(claim.diagnoses)),
        "units_max": max(units),
        "units_total": float(sum(units)),
        "total_charge": float(total),
        "charge_ratio_min": min(ratios) if ratios else np.nan,
        "charge_ratio_max": max(ratios) if ratios else np.nan,
        "days_to_submit": float((claim.submission_date - claim.last_service_date).days),
        "n_findings": float(len(check.findings)),
        "rules_incomplete": float(check.incomplete),
        "modifier_count": float(modifier_count),
    })
    return f


def vectorize(rows: Sequence[dict[str, float]], names: Sequence[str]) -> np.ndarray:
    """Dense matrix of the named features (absent indicators 0, absent numbers NaN)."""
    index = {name: i for i, name in enumerate(names)}
    x = np.zeros((len(rows), len(names)), dtype=np.float64)
    numeric = [index[n] for n in NUMERIC_FEATURES if n in index]
    x[:, numeric] = np.nan
    for r, row in enumerate(rows):
        for name, value in row.items():
            j = index.get(name)
            if j is not None:
                x[r, j] = value
    return x


def choose_vocabulary(rows: Sequence[dict[str, float]], *, min_count: int = MIN_FEATURE_COUNT) -> list[str]:
    """Feature names seen at least `min_count` times, sorted."""
    counts = Counter(name for row in rows for name in row if name not in NUMERIC_FEATURES)
    return list(NUMERIC_FEATURES) + sorted(name for name, c in counts.items() if c >= min_count)


@dataclass
class DenialModel:
    """The booster, its isotonic calibrator, the feature names and the registry metadata."""

    booster: HistGradientBoostingClassifier
    calibrator: IsotonicRegression
    meta: ModelMeta
    extras: dict[str, Any] = field(default_factory=dict)
    n_threads: int = 1

    @property
    def version(self) -> str:
        return self.meta.version

    def to_estimators(self) -> dict[str, Any]:
        """Plain scikit-learn objects for the model registry (skops, allowlisted types only)."""
        return {"booster": self.booster, "calibrator": self.calibrator}

    @classmethod
    def from_estimators(cls, estimators: dict[str, Any], meta: ModelMeta) -> DenialModel:
        return cls(booster=estimators["booster"], calibrator=estimators["calibrator"], meta=meta)

    @property
    def feature_names(self) -> list[str]:
        return list(self.meta.features)

    def features(self, claims: Sequence[Claim], checks: Sequence[ClaimCheck],
                 contexts: Sequence[ClaimContext | None] | None = None) -> np.ndarray:
        contexts = contexts if contexts is not None else [None] * len(claims)
        rows = [claim_features(c, k, x) for c, k, x in zip(claims, checks, contexts, strict=True)]
        return vectorize(rows, self.feature_names)

    def predict_proba_uncalibrated(self, claims: Sequence[Claim], checks: Sequence[ClaimCheck],
                                   contexts: Sequence[ClaimContext | None] | None = None) -> np.ndarray:
        if not claims:
            return np.zeros(0)
        x = self.features(claims, checks, contexts)
        # OpenMP threads spin on a busy machine: a single thread predicted ~10x faster here.
        with threadpool_limits(self.n_threads):
            return self.booster.predict_proba(x)[:, 1]

    def predict_proba(self, claims: Sequence[Claim], checks: Sequence[ClaimCheck],
                      contexts: Sequence[ClaimContext | None] | None = None) -> np.ndarray:
        """Calibrated probability that each claim is denied, given its rule check (and context)."""
        raw = self.predict_proba_uncalibrated(claims, checks, contexts)
        return np.clip(self.calibrator.predict(raw), 0.0, 1.0) if raw.size else raw


def _history_parts(history) -> tuple[list[Claim], list[ClaimContext], list[int], list]:
    claims = [item.claim for item in history.items]
    contexts = [item.context for item in history.items]
    labels = [int(r.denied) for r in history.remits]
    dates = [c.submission_date for c in claims]
    return claims, contexts, labels, dates


def train_denial_model(
    history,
    *,
    seed: int,
    checks: Sequence[ClaimCheck] | None = None,
    tables=None,
    params: dict[str, Any] | None = None,
    calibration_fraction: float = CALIBRATION_FRACTION,
    n_threads: int = 1,
    data_source: str | None = None,
) -> DenialModel:
    """Fit on the earlier part of a time-sorted `history` (evals.synthetic_remits.ClaimHistory or any
    object with aligned `.items` (LabeledClaim) and `.remits` (with `.denied`)) and calibrate
    (isotonic) on its latest `calibration_fraction`.

    `checks` are the rule results of the items (computed with `tables` when not given).
    """
    claims, contexts, labels, dates = _history_parts(history)
    if checks is None:
        if tables is None:
            raise ValueError("pass either the rule checks of the history or the code tables to compute them")
        from tools.claims.rules import check_claim

        checks = [check_claim(c, tables=tables, context=x) for c, x in zip(claims, contexts, strict=True)]
    order = np.argsort(np.array([d.toordinal() for d in dates]), kind="stable")
    n = len(order)
    n_cal = max(int(round(n * calibration_fraction)), 1)
    fit_idx, cal_idx = order[: n - n_cal], order[n - n_cal :]
    y = np.asarray(labels, dtype=int)
    if len(set(y[fit_idx])) < 2 or len(set(y[cal_idx])) < 2:
        raise ValueError("the training and calibration slices both need denied and paid claims")
    rows = [claim_features(c, k, x) for c, k, x in zip(claims, checks, contexts, strict=True)]
    names = choose_vocabulary([rows[i] for i in fit_idx])
    x = vectorize(rows, names)
    booster = HistGradientBoostingClassifier(**{**DEFAULT_PARAMS, **(params or {})}, early_stopping=False,
                                             random_state=seed)
    with threadpool_limits(n_threads):
        booster.fit(x[fit_idx], y[fit_idx])
        raw_cal = booster.predict_proba(x[cal_idx])[:, 1]
    calibrator = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw_cal, y[cal_idx])
    data_sha = history.sha256() if hasattr(history, "sha256") else hashlib.sha256(
        json.dumps([[c.id, lab] for c, lab in zip(claims, labels)]).encode()).hexdigest()
    used = {**DEFAULT_PARAMS, **(params or {})}
    version = "denial-" + hashlib.sha256(json.dumps([data_sha, seed, used, names], sort_keys=True).encode()).hexdigest()[:12]
    fit_dates = [dates[i] for i in fit_idx]
    cal_dates = [dates[i] for i in cal_idx]
    metrics = {
        "calibration_slice_roc_auc": float(roc_auc_score(y[cal_idx], raw_cal)),
        "calibration_slice_brier_raw": float(brier_score_loss(y[cal_idx], raw_cal)),
        "train_denial_rate": float(y[fit_idx].mean()),
        "calibration_denial_rate": float(y[cal_idx].mean()),
    }
    meta = ModelMeta(
        name=MODEL_NAME, version=version, created_at=datetime.now(UTC), data_sha256=data_sha, data_source=data_source,
        train_start=min(fit_dates), train_end=max(fit_dates), calibration_start=min(cal_dates),
        calibration_end=max(cal_dates), n_train=len(fit_idx), n_calibration=len(cal_idx), features=names,
        metrics=metrics, params={"gbm": used, "seed": seed, "calibration": "isotonic",
                                 "split": "by submission date: earliest 70% fit, latest 30% calibrate"},
    )
    return DenialModel(booster=booster, calibrator=calibrator, meta=meta)


# ---------------------------------------------------------------------------------------------
# Operating point: rules OR model
# ---------------------------------------------------------------------------------------------


def combined_flags(rule_flags, risk, threshold: float) -> np.ndarray:
    """"Rules + model": flag a claim when a high/medium rule fired OR its denial risk >= threshold."""
    return np.asarray(rule_flags, dtype=bool) | (np.asarray(risk, dtype=float) >= threshold)


def choose_combined_threshold(rule_flags, risk, denied, *, target_precision: float = 0.95) -> float:
    """The lowest risk threshold at which rules-OR-model keeps precision >= target on this (validation) set.

    Returns +inf when no threshold adds any claim without breaking the target (rules alone then).

    >>> choose_combined_threshold([1, 0, 0, 0], [0.9, 0.8, 0.6, 0.3], [1, 1, 0, 0], target_precision=0.95)
    0.8
    """
    rules = np.asarray(rule_flags, dtype=bool)
    p = np.asarray(risk, dtype=float)
    y = np.asarray(denied, dtype=bool)
    base_tp = float((rules & y).sum())
    base_n = float(rules.sum())
    extra = ~rules
    order = np.argsort(-p[extra], kind="mergesort")
    ps, ys = p[extra][order], y[extra][order]
    tp = base_tp + np.cumsum(ys)
    flagged = base_n + np.arange(1, ps.size + 1)
    last_of_tie = np.r_[ps[1:] != ps[:-1], True] if ps.size else np.zeros(0, dtype=bool)
    ok = (tp / flagged >= target_precision - 1e-12) & last_of_tie
    if not ok.any():
        return float("inf")
    return float(ps[int(np.flatnonzero(ok)[-1])])


def recall_at_precision(denied, flags, *, target_precision: float = 0.95) -> float:
    """Recall of hard flags when their precision reaches the target, else 0 (they cannot be used)."""
    y = np.asarray(denied, dtype=bool)
    d = np.asarray(flags, dtype=bool)
    if not y.any():
        return float("nan")
    precision = (d & y).sum() / d.sum() if d.any() else 0.0
    return float((d & y).sum() / y.sum()) if precision >= target_precision - 1e-12 else 0.0


def best_recall_at_precision(denied, rule_flags, risk, *, target_precision: float = 0.95) -> float:
    """The recall rules-OR-model would reach at the best threshold chosen on this very set (optimistic)."""
    threshold = choose_combined_threshold(rule_flags, risk, denied, target_precision=target_precision)
    return recall_at_precision(denied, combined_flags(rule_flags, risk, threshold), target_precision=target_precision)

