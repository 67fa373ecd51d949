"""No-show features built only from what is known the day before the visit.

Input is an appointment frame in the schema of tools/noshow/datasets.py (`APPOINTMENT_COLUMNS`).
Patient history counts only appointments on days strictly before the visit day, so visits on the
same day never see each other's outcome and a later outcome never changes an earlier feature.
Sex, race/ethnicity and language are not features unless `include_sensitive=True`.
Nothing here is fitted on outcomes (no target encoding), so there is nothing to leak from a test set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Numeric features, in order; a column that is absent (all unknown) in the data is left out at
# training time and the trained model remembers its list (`feature_columns`).
NUMERIC_FEATURES = (
    "lead_days", "lead_log", "same_day_booking", "age",
    "hypertension", "diabetes", "alcoholism", "handicap", "scholarship", "sms_reminder", "telehealth",
    "distance_km", "has_transport",
    "prior_appointments", "prior_no_shows", "prior_no_show_rate", "days_since_last_appointment",
    "last_day_no_show", "other_appointments_same_day",
)  # fmt: skip
# Neighbourhood (public data only) and booking hour were tried and left out: on the validation
# days of the training period they lowered ROC-AUC (0.743 -> 0.739 and -> 0.737), i.e. they overfit.
CATEGORICAL_FEATURES = ("weekday", "specialty", "payer")
SENSITIVE_FEATURES = ("sex", "race_ethnicity", "language")
HISTORY_FEATURES = (
    "prior_appointments", "prior_no_shows", "prior_no_show_rate", "days_since_last_appointment",
    "last_day_no_show", "other_appointments_same_day",
)  # fmt: skip


def lead_days(frame: pd.DataFrame) -> pd.Series:
    """Whole days from the booking day to the visit day; unknown (NaN) when booked after the visit."""
    lead = (frame["appointment_day"] - frame["scheduled_at"].dt.normalize()).dt.days.astype(float)
    return lead.where(lead >= 0)


def history_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-row patient history from the patient's appointments on days strictly before this one.

    - prior_appointments / prior_no_shows: visits with a known outcome on earlier days, and how many were missed
    - prior_no_show_rate: their ratio (NaN without history; the model sees "no history" as such)
    - days_since_last_appointment: days since the patient's latest earlier appointment day
    - last_day_no_show: 1 if any visit on that latest earlier day with a known outcome was missed
    - other_appointments_same_day: the patient's other visits that day, booked before that day
      (known the evening before; visits booked on the day itself are not counted)

    >>> import pandas as pd
    >>> f = pd.DataFrame({"patient_id": ["a", "a", "a"],
    ...     "appointment_day": pd.to_datetime(["2026-01-05", "2026-01-05", "2026-01-07"]),
    ...     "scheduled_at": pd.to_datetime(["2026-01-01", "2026-01-05", "2026-01-02"]),
    ...     "no_show": [1.0, 0.0, 0.0]})
    >>> history_features(f)[["prior_appointments", "prior_no_shows"]].to_numpy().tolist()
    [[0, 0], [0, 0], [2, 1]]
    """
    known = frame["no_show"].notna()
    work = pd.DataFrame(
        {
            "patient_id": frame["patient_id"].to_numpy(),
            "day": frame["appointment_day"].to_numpy(),
            "known": known.astype(int).to_numpy(),
            "missed": frame["no_show"].fillna(0.0).astype(int).to_numpy(),
        }
    )
    daily = work.groupby(["patient_id", "day"], sort=True).agg(known=("known", "sum"), missed=("missed", "sum"))
    daily = daily.reset_index()
    by_patient = daily.groupby("patient_id", sort=False)
    # Cumulative sums minus the day itself = strictly earlier days only.
    daily["prior_appointments"] = by_patient["known"].cumsum() - daily["known"]
    daily["prior_no_shows"] = by_patient["missed"].cumsum() - daily["missed"]
    daily["previous_day"] = by_patient["day"].shift(1)
    # Whether anything was missed on the latest earlier day with a known outcome (shift, then carry forward).
    missed_on_known = (daily["missed"] > 0).astype(float).where(daily["known"] > 0)
    daily["last_day_no_show"] = missed_on_known.groupby(daily["patient_id"]).shift(1)
    daily["last_day_no_show"] = daily.groupby("patient_id")["last_day_no_show"].ffill()
    merged = work[["patient_id", "day"]].merge(daily, on=["patient_id", "day"], how="left", validate="many_to_one")
    out = pd.DataFrame(index=frame.index)
    out["prior_appointments"] = merged["prior_appointments"].to_numpy()
    out["prior_no_shows"] = merged["prior_no_shows"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = out["prior_no_shows"] / out["prior_appointments"]
    out["prior_no_show_rate"] = rate.where(out["prior_appointments"] > 0)
    since = (merged["day"] - merged["previous_day"]).dt.days
    out["days_since_last_appointment"] = since.astype(float).to_numpy()
    out["last_day_no_show"] = merged["last_day_no_show"].astype(float).to_numpy()
    booked_before = (frame["scheduled_at"].dt.normalize() < frame["appointment_day"]).astype(int)
    same_day_known = booked_before.groupby([frame["patient_id"], frame["appointment_day"]]).transform("sum")
    out["other_appointments_same_day"] = (same_day_known - booked_before).astype(float)
    return out


def build_features(
    frame: pd.DataFrame, *, include_sensitive: bool = False, columns: list[str] | None = None
) -> pd.DataFrame:
    """The feature table for every row of `frame` (same index).

    History comes from the rows of `frame` itself: to score tomorrow, pass the past appointments
    together with tomorrow's (whose `no_show` is unknown) and keep tomorrow's rows of the result.
    `columns` (a trained model's `feature_columns`) fixes the output columns; otherwise columns that
    are entirely unknown in `frame` are left out.
    """
    lead = lead_days(frame)
    feats = pd.DataFrame(index=frame.index)
    feats["lead_days"] = lead
    feats["lead_log"] = np.log1p(lead)
    feats["same_day_booking"] = (lead == 0).astype(float).where(lead.notna())
    for column in ("age", "hypertension", "diabetes", "alcoholism", "handicap", "scholarship", "sms_reminder",
                   "telehealth", "distance_km", "has_transport"):  # fmt: skip
        feats[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    feats = feats.join(history_features(frame))
    feats["weekday"] = frame["appointment_day"].dt.day_of_week.map(lambda d: f"d{d}").astype(object)
    for column in ("specialty", "payer"):
        feats[column] = frame[column].astype(object).where(frame[column].notna(), None)
    if include_sensitive:
        for column in SENSITIVE_FEATURES:
            feats[column] = frame[column].astype(object).where(frame[column].notna(), None)
    if columns is not None:
        for column in columns:
            if column not in feats.columns:
                feats[column] = np.nan if column in NUMERIC_FEATURES else None
        return feats.loc[:, list(columns)]
    present = [c for c in feats.columns if feats[c].notna().any()]
    return feats.loc[:, present]


def categorical_columns(columns: list[str]) -> list[str]:
    """The categorical ones among feature columns."""
    return [c for c in columns if c in CATEGORICAL_FEATURES or c in SENSITIVE_FEATURES]
