"""No-show features: nothing from the visit day or later, no sensitive attributes by default."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tools.noshow.datasets import appointments_to_frame
from evals.synthetic_clinic import generate_clinic
from tools.noshow.features import HISTORY_FEATURES, SENSITIVE_FEATURES, build_features, history_features


def _frame(rows):
    frame = pd.DataFrame(rows, columns=["patient_id", "scheduled_at", "appointment_day", "no_show"])
    frame["scheduled_at"] = pd.to_datetime(frame["scheduled_at"])
    frame["appointment_day"] = pd.to_datetime(frame["appointment_day"])
    return frame


def test_history_counts_only_earlier_days():
    frame = _frame(
        [
            ("a", "2026-01-01 09:00", "2026-01-05", 1.0),
            ("a", "2026-01-02 09:00", "2026-01-05", 0.0),  # same day as the first: must not see it
            ("a", "2026-01-06 09:00", "2026-01-06", 0.0),
            ("a", "2026-01-03 09:00", "2026-01-09", np.nan),  # tomorrow: outcome unknown
            ("b", "2026-01-03 09:00", "2026-01-09", 1.0),
        ]
    )
    h = history_features(frame)
    assert h["prior_appointments"].tolist() == [0, 0, 2, 3, 0]
    assert h["prior_no_shows"].tolist() == [0, 0, 1, 1, 0]
    assert h["prior_no_show_rate"].iloc[2] == 0.5
    assert np.isnan(h["prior_no_show_rate"].iloc[0])
    assert h["days_since_last_appointment"].iloc[2] == 1 and h["days_since_last_appointment"].iloc[3] == 3
    assert h["last_day_no_show"].iloc[2] == 1.0  # one of the two visits on 01-05 was missed
    assert h["last_day_no_show"].iloc[3] == 0.0
    # Both visits of 01-05 were booked before that day, so each knows of the other.
    assert h["other_appointments_same_day"].tolist()[:2] == [1.0, 1.0]


def test_same_day_booking_is_not_counted_as_known_the_day_before():
    frame = _frame([("a", "2026-01-01 09:00", "2026-01-05", 0.0), ("a", "2026-01-05 08:00", "2026-01-05", 0.0)])
    # The walk-in booked on the day was not known the evening before.
    assert history_features(frame)["other_appointments_same_day"].tolist() == [0.0, 1.0]


def test_future_outcomes_do_not_change_past_features():
    clinic = generate_clinic(seed=11, n_patients=300, days=60, start=date(2026, 2, 2))
    frame = appointments_to_frame(clinic.appointments, clinic.patients)
    cut = pd.Timestamp("2026-03-02")
    before = build_features(frame)
    changed = frame.copy()
    later = changed["appointment_day"] >= cut
    changed.loc[later, "no_show"] = 1.0 - changed.loc[later, "no_show"]  # flip every outcome from the cut on
    after = build_features(changed, columns=list(before.columns))
    earlier_rows = ~later
    pd.testing.assert_frame_equal(before.loc[earlier_rows], after.loc[earlier_rows])
    # ... while later rows did change (the test would be vacuous otherwise).
    assert not before.loc[later, "prior_no_shows"].equals(after.loc[later, "prior_no_shows"])


def test_dropping_the_visit_day_does_not_change_a_row_except_same_day_counts():
    clinic = generate_clinic(seed=12, n_patients=200, days=40)
    frame = appointments_to_frame(clinic.appointments, clinic.patients)
    full = build_features(frame)
    day = frame["appointment_day"].iloc[len(frame) // 2]
    # Rows of that day computed from the frame truncated to it (nothing from later days exists).
    truncated = frame[frame["appointment_day"] <= day]
    part = build_features(truncated, columns=list(full.columns))
    rows = truncated.index[truncated["appointment_day"] == day]
    pd.testing.assert_frame_equal(full.loc[rows, list(HISTORY_FEATURES)], part.loc[rows, list(HISTORY_FEATURES)])


def test_sensitive_attributes_only_on_request():
    clinic = generate_clinic(seed=13, n_patients=100, days=20)
    frame = appointments_to_frame(clinic.appointments, clinic.patients)
    default = build_features(frame)
    assert not set(SENSITIVE_FEATURES) & set(default.columns)
    assert "no_show" not in default.columns
    explicit = build_features(frame, include_sensitive=True)
    assert set(SENSITIVE_FEATURES) <= set(explicit.columns)


def test_lead_time_and_bad_rows():
    frame = _frame([("a", "2026-01-01 09:00", "2026-01-05", 0.0), ("b", "2026-01-07 09:00", "2026-01-05", 0.0)])
    for column in ("age", "hypertension", "diabetes", "alcoholism", "handicap", "scholarship", "sms_reminder",
                   "telehealth", "distance_km", "has_transport", "specialty", "payer"):  # fmt: skip
        frame[column] = np.nan
    feats = build_features(frame)
    assert feats["lead_days"].iloc[0] == 4
    assert np.isnan(feats["lead_days"].iloc[1])  # booked after the visit: unknown, not negative
    assert feats["weekday"].iloc[0] == "d0"


def test_docstring_examples():
    import doctest

    import tools.noshow.features
    import tools.noshow.model

    for module in (tools.noshow.features, tools.noshow.model):
        failures, _ = doctest.testmod(module)
        assert failures == 0, module.__name__
