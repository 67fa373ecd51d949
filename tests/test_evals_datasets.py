"""Appointment loaders: the public Kaggle CSV as it is, and Handoff's own CSV, into one schema."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tools.noshow.datasets import (
    APPOINTMENT_COLUMNS,
    appointments_to_frame,
    default_kaggle_path,
    load_appointments,
    load_handoff_appointments,
    write_handoff_csv,
)
from evals.synthetic_clinic import generate_clinic

KAGGLE = default_kaggle_path()


@pytest.fixture(scope="module")
def kaggle() -> pd.DataFrame:
    if not KAGGLE.is_file():
        pytest.skip(f"public no-show CSV not found at {KAGGLE}")
    return load_appointments(KAGGLE)


def test_kaggle_file_loads_with_its_quirks_flagged(kaggle):
    assert list(kaggle.columns) == list(APPOINTMENT_COLUMNS)
    assert len(kaggle) == 110527
    assert kaggle["no_show"].mean() == pytest.approx(0.2019, abs=0.001)
    assert (kaggle["data_issue"] == "negative_age").sum() == 1
    assert (kaggle["data_issue"] == "booked_after_visit").sum() == 5
    assert kaggle["age"].min() >= 0
    assert kaggle["handicap"].max() == 4  # a count, kept as such
    assert kaggle["appointment_day"].min() == pd.Timestamp("2016-04-29")
    assert kaggle["source"].eq("kaggle").all()


def test_handoff_csv_round_trip(tmp_path: Path):
    clinic = generate_clinic(seed=3, n_patients=150, days=30)
    frame = appointments_to_frame(clinic.appointments, clinic.patients)
    path = write_handoff_csv(frame, tmp_path / "appointments.csv")
    back = load_appointments(path)
    assert list(back.columns) == list(APPOINTMENT_COLUMNS)
    columns = ["appointment_id", "patient_id", "scheduled_at", "appointment_day", "age", "sex", "no_show",
               "sms_reminder", "payer", "scholarship", "distance_km"]  # fmt: skip
    pd.testing.assert_frame_equal(
        frame[columns].reset_index(drop=True), back[columns].reset_index(drop=True), check_dtype=False
    )


def test_handoff_csv_errors_name_the_line(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "appointment_id,patient_id,scheduled_at,appointment_day,age,no_show\n"
        "a1,p1,2026-01-02T09:00:00,2026-01-05,40,false\n"
        "a2,p1,2026-01-02T09:00:00,2026-01-06,40,maybe\n"
    )
    with pytest.raises(ValueError, match="line 3: no_show"):
        load_handoff_appointments(path)
    path.write_text("appointment_id,patient_id,age\na1,p1,3\n")
    with pytest.raises(ValueError, match="missing required columns"):
        load_handoff_appointments(path)
    path.write_text(
        "appointment_id,patient_id,scheduled_at,appointment_day,age\na1,p1,yesterday,2026-01-05,40\n"
    )
    with pytest.raises(ValueError, match="line 2: scheduled_at"):
        load_handoff_appointments(path)


def test_blank_outcome_means_unknown_and_scholarship_from_payer(tmp_path: Path):
    path = tmp_path / "a.csv"
    path.write_text(
        "appointment_id,patient_id,scheduled_at,appointment_day,age,payer,no_show\n"
        "a1,p1,2026-01-02T09:00:00,2026-01-05,40,medicaid,\n"
        "a2,p2,2026-01-02T09:00:00,2026-01-05,30,commercial,yes\n"
    )
    frame = load_handoff_appointments(path)
    assert frame["no_show"].isna().tolist() == [True, False]
    assert frame["scholarship"].tolist() == [1.0, 0.0]
