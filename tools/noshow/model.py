"""The no-show model: gradient boosting calibrated on a later-in-time slice, beside a logistic baseline.

`train` fits on the earlier appointment days of the frame it is given and calibrates (isotonic) on
its latest days, so calibration is learned on data the booster never saw and that is closer in time
to the visits it will score. The operating threshold is chosen on that slice too, never on a test set.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from models.scheduling import ModelMeta, NoShowScore
from tools.noshow.features import build_features, categorical_columns

MODEL_NAME = "noshow"
# Chosen among four settings by ROC-AUC on the latest days of the *training* period of the public
# data (never on its test days): small, strongly regularised trees generalise best across time.
DEFAULT_GBM_PARAMS: dict = {
    "learning_rate": 0.03,
    "max_iter": 300,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 300,
    "l2_regularization": 1.0,
}


TIE_BREAK = 1e-6


@dataclass
class TrainedNoShowModel:
    """The booster, its isotonic calibrator, the logistic baseline and what describes them."""

    gbm: Pipeline
    calibrator: IsotonicRegression
    baseline: Pipeline
    meta: ModelMeta
    include_sensitive: bool = False
    extras: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.meta.version

    def to_estimators(self) -> dict[str, Any]:
        """Plain scikit-learn objects for the model registry (skops, allowlisted types only)."""
        return {"gbm": self.gbm, "calibrator": self.calibrator, "baseline": self.baseline}

    @classmethod
    def from_estimators(cls, estimators: dict[str, Any], meta: ModelMeta) -> TrainedNoShowModel:
        return cls(gbm=estimators["gbm"], calibrator=estimators["calibrator"], baseline=estimators["baseline"],
                   meta=meta, include_sensitive=bool(meta.params.get("include_sensitive", False)))

    @property
    def feature_columns(self) -> list[str]:
        return list(self.meta.features)

    @property
    def operating_threshold(self) -> float:
        return float(self.meta.operating_threshold if self.meta.operating_threshold is not None else 0.5)

    @property
    def baseline_operating_threshold(self) -> float:
        value = self.meta.baseline_operating_threshold
        return float(value if value is not None else 0.5)

    def features(self, frame: pd.DataFrame) -> pd.DataFrame:
        return build_features(frame, include_sensitive=self.include_sensitive, columns=self.feature_columns)

    def predict_proba(self, frame: pd.DataFrame, *, features: pd.DataFrame | None = None) -> np.ndarray:
        """Calibrated no-show probability for every row of `frame` (history from `frame` itself).

        Isotonic calibration is a step function: it gives whole ranges of scores one probability and so
        throws away the booster's ranking inside each step (ROC-AUC 0.7314 -> 0.7300 on the public
        data). A millionth of the raw score breaks those ties without moving any probability by more
        than 1e-6, so the calibration is the same and the ranking is the booster's."""
        x = self.features(frame) if features is None else features
        raw = self.gbm.predict_proba(x)[:, 1]
        calibrated = np.clip(self.calibrator.predict(raw), 0.0, 1.0)
        return (1.0 - TIE_BREAK) * calibrated + TIE_BREAK * raw

    def predict_proba_uncalibrated(self, frame: pd.DataFrame, *, features: pd.DataFrame | None = None) -> np.ndarray:
        x = self.features(frame) if features is None else features
        return self.gbm.predict_proba(x)[:, 1]

    def predict_proba_baseline(self, frame: pd.DataFrame, *, features: pd.DataFrame | None = None) -> np.ndarray:
        x = self.features(frame) if features is None else features
        return self.baseline.predict_proba(x)[:, 1]


def make_gbm(columns: list[str], *, seed: int, params: dict | None = None) -> Pipeline:
    """The gradient-boosting pipeline (imputation, encoding, booster) for these columns."""
    cats = categorical_columns(columns)
    nums = [c for c in columns if c not in cats]
    encode = ColumnTransformer(
        [
            (
                "cat",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                    min_frequency=20,
                    dtype=np.float64,
                ),
                cats,
            ),
            ("num", "passthrough", nums),
        ],
        verbose_feature_names_out=False,
    )
    booster = HistGradientBoostingClassifier(
        **{**DEFAULT_GBM_PARAMS, **(params or {})},
        categorical_features=[True] * len(cats) + [False] * len(nums),
        early_stopping=False,
        random_state=seed,
    )
    return Pipeline([("encode", encode), ("gbm", booster)])


def make_baseline(columns: list[str], *, seed: int) -> Pipeline:
    """The logistic-regression baseline pipeline for these columns."""
    cats = categorical_columns(columns)
    nums = [c for c in columns if c not in cats]
    encode = ColumnTransformer(
        [
            (
                "cat",
                Pipeline(
                    [
                        ("fill", SimpleImputer(strategy="constant", fill_value="missing")),
                        ("onehot", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=50)),
                    ]
                ),
                cats,
            ),
            (
                "num",
                Pipeline(
                    [("fill", SimpleImputer(strategy="median", add_indicator=True)), ("scale", StandardScaler())]
                ),
                nums,
            ),
        ]
    )
    return Pipeline([("encode", encode), ("logit", LogisticRegression(C=1.0, max_iter=2000, random_state=seed))])


def split_by_days(days: pd.Series, *, last_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Masks (earlier, later): the later part is the latest whole days holding ~`last_fraction` of rows.

    >>> d = pd.Series(pd.to_datetime(["2026-01-01"] * 3 + ["2026-01-02"] * 1))
    >>> [m.tolist() for m in split_by_days(d, last_fraction=0.25)]
    [[True, True, True, False], [False, False, False, True]]
    """
    counts = days.value_counts().sort_index()
    share_from_end = counts[::-1].cumsum()[::-1] / counts.sum()
    later_days = share_from_end.index[share_from_end <= last_fraction + 1e-9]
    if len(later_days) == 0:
        later_days = counts.index[-1:]
    if len(later_days) == len(counts):
        later_days = counts.index[1:]
    later = days.isin(set(later_days)).to_numpy()
    return ~later, later


def choose_operating_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability cut that maximises F1 for "will not come" on the slice given."""
    order = np.argsort(-p, kind="mergesort")
    ys, ps = y[order], p[order]
    tp = np.cumsum(ys)
    fp = np.cumsum(1 - ys)
    f1 = 2 * tp / (tp + fp + ys.sum())
    # Only cut between distinct scores, so the threshold reproduces the same selection.
    distinct = np.r_[ps[1:] != ps[:-1], True]
    best = int(np.argmax(np.where(distinct, f1, -1)))
    return float(ps[best])


def data_fingerprint(frame: pd.DataFrame) -> str:
    """A content hash of the rows that identify a training set (ids, times, outcomes)."""
    cols = ["appointment_id", "patient_id", "scheduled_at", "appointment_day", "no_show"]
    hashed = pd.util.hash_pandas_object(frame[cols].reset_index(drop=True), index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def train(
    frame: pd.DataFrame,
    *,
    seed: int = 0,
    calibration_fraction: float = 0.2,
    include_sensitive: bool = False,
    gbm_params: dict | None = None,
    data_sha256: str | None = None,
    data_source: str | None = None,
    n_threads: int | None = None,
    features: pd.DataFrame | None = None,
    refit_on_all: bool = True,
) -> TrainedNoShowModel:
    """Fit on the earlier days of `frame` (rows with a known outcome), calibrate on its latest days.

    `features` may be passed when already built over a larger frame (so history reaches back
    further than the training rows); it must share `frame`'s index.

    With `refit_on_all` (the default) the booster that scores is then fitted again on every training
    day, calibration days included, and keeps the calibrator learned from the first fit's scores on
    days it had not seen: the latest days matter most for what comes next (temporal-split ROC-AUC on
    the public data 0.7314 -> 0.7345), and the eval suite measures the calibration that results on
    later days the model never saw.
    """
    if features is None:
        features = build_features(frame, include_sensitive=include_sensitive)
    labeled = frame["no_show"].notna().to_numpy()
    frame, features = frame.loc[labeled], features.loc[labeled]
    if frame.empty:
        raise ValueError("no appointments with a known outcome to train on")
    columns = [c for c in features.columns if features[c].notna().any()]
    features = features.loc[:, columns]
    y = frame["no_show"].astype(int).to_numpy()
    fit_mask, cal_mask = split_by_days(frame["appointment_day"], last_fraction=calibration_fraction)
    if len(np.unique(y[fit_mask])) < 2 or len(np.unique(y[cal_mask])) < 2:
        raise ValueError("both the training and calibration days need shows and no-shows")
    with threadpool_limits(limits=n_threads):
        gbm = make_gbm(columns, seed=seed, params=gbm_params).fit(features.loc[fit_mask], y[fit_mask])
        raw_cal = gbm.predict_proba(features.loc[cal_mask])[:, 1]
        calibrator = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw_cal, y[cal_mask])
        baseline = make_baseline(columns, seed=seed).fit(features.loc[fit_mask], y[fit_mask])
        p_cal = np.clip(calibrator.predict(raw_cal), 0, 1)
        p_base = baseline.predict_proba(features.loc[cal_mask])[:, 1]
        if refit_on_all:
            gbm = make_gbm(columns, seed=seed, params=gbm_params).fit(features, y)
    threshold = choose_operating_threshold(y[cal_mask], p_cal)
    baseline_threshold = choose_operating_threshold(y[cal_mask], p_base)
    rows_hash = data_fingerprint(frame)
    data_hash = data_sha256 or rows_hash
    params = {"seed": seed, "calibration_fraction": calibration_fraction, "include_sensitive": include_sensitive,
              "gbm": {**DEFAULT_GBM_PARAMS, **(gbm_params or {})}, "refit_on_all": refit_on_all}  # fmt: skip
    days = frame["appointment_day"]
    train_end = days[fit_mask].max().date()
    digest = hashlib.sha256(
        json.dumps({"data": data_hash, "rows": rows_hash, "params": params, "features": columns}, sort_keys=True).encode()
    ).hexdigest()
    meta = ModelMeta(
        name=MODEL_NAME,
        version=f"{train_end:%Y%m%d}-{digest[:10]}",
        created_at=datetime.now(UTC),
        data_sha256=data_hash,
        data_source=data_source,
        train_start=days[fit_mask].min().date(),
        train_end=train_end,
        calibration_start=days[cal_mask].min().date(),
        calibration_end=days[cal_mask].max().date(),
        n_train=int(fit_mask.sum()),
        n_calibration=int(cal_mask.sum()),
        features=columns,
        operating_threshold=threshold,
        baseline_operating_threshold=baseline_threshold,
        metrics={
            "calibration_slice_roc_auc": float(roc_auc_score(y[cal_mask], raw_cal)),
            "calibration_slice_brier": float(brier_score_loss(y[cal_mask], p_cal)),
            "calibration_slice_baseline_roc_auc": float(roc_auc_score(y[cal_mask], p_base)),
            "calibration_slice_no_show_rate": float(y[cal_mask].mean()),
        },
        params=params,
    )
    meta.model_card = training_card(meta)
    return TrainedNoShowModel(
        gbm=gbm, calibrator=calibrator, baseline=baseline, meta=meta, include_sensitive=include_sensitive
    )


def training_card(meta: ModelMeta) -> str:
    """A short card stored with the model; the full HTI-1 card comes from the noshow eval suite."""
    lines = [
        f"# No-show model {meta.version}",
        "",
        "Calibrated gradient boosting (HistGradientBoostingClassifier + isotonic calibration on the latest",
        "training days) beside a logistic-regression baseline. Predicts the probability that a booked visit",
        "is missed, from what is known the evening before.",
        "",
        f"- Data sha256: `{meta.data_sha256}`" + (f" ({meta.data_source})" if meta.data_source else ""),
        f"- Trained on appointment days {meta.train_start}..{meta.train_end} (n={meta.n_train}); calibrated on "
        f"{meta.calibration_start}..{meta.calibration_end} (n={meta.n_calibration})"
        + ("; the booster was then refitted on all of those days, keeping that calibrator"
           if meta.params.get("refit_on_all") else ""),
        f"- Features: {', '.join(meta.features)}",
        "- Sex, race/ethnicity and language are not inputs" if not meta.params.get("include_sensitive") else
        "- SENSITIVE ATTRIBUTES INCLUDED AS INPUTS (explicit option)",
        f"- Operating threshold (F1 on the calibration days): {meta.operating_threshold:.4f}",
        "- Calibration-slice figures: " + ", ".join(f"{k} {v:.4f}" for k, v in meta.metrics.items() if v is not None),
        "",
        "Performance and fairness on held-out later days: run `handoff evals run --suite noshow --data PATH`",
        "(metrics.json, report.html and the full model card with the ONC HTI-1 source attributes).",
    ]
    return "\n".join(lines) + "\n"


def scores_for_day(model: TrainedNoShowModel, frame: pd.DataFrame, *, day: date) -> list[NoShowScore]:
    """`score_day` as pydantic `NoShowScore`s (what agents/noshow.py turns into suggestions)."""
    table = score_day(model, frame, day=day)
    scores = []
    for _, row in table.iterrows():
        features = {c: _plain(row[c]) for c in model.feature_columns}
        scores.append(
            NoShowScore(
                appointment_id=str(row["appointment_id"]),
                patient_id=str(row["patient_id"]),
                appointment_day=row["appointment_day"].date(),
                probability=float(row["probability"]),
                baseline_probability=float(row["baseline_probability"]),
                model_version=model.version,
                features=features,
            )
        )
    return scores


def _plain(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def score_day(model: TrainedNoShowModel, frame: pd.DataFrame, *, day: date) -> pd.DataFrame:
    """Probabilities for the visits on `day`, with history taken from the other rows of `frame`.

    Returns appointment_id, patient_id, probability, baseline_probability and the feature values.
    """
    features = model.features(frame)
    mask = (frame["appointment_day"].dt.date == day).to_numpy()
    x = features.loc[mask]
    out = frame.loc[mask, ["appointment_id", "patient_id", "appointment_day"]].copy()
    out["probability"] = model.predict_proba(frame.loc[mask], features=x)
    out["baseline_probability"] = model.predict_proba_baseline(frame.loc[mask], features=x)
    return out.join(x)
