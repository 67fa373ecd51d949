"""The synthetic clinic: reproducible from its seed, with access differences between groups."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tools.noshow.datasets import appointments_to_frame
from evals.synthetic_clinic import generate_appointments, generate_clinic, generate_patients, tomorrows_appointments


def test_patients_are_reproducible_and_seed_dependent():
    a = generate_patients(seed=5, n=300)
    b = generate_patients(seed=5, n=300)
    assert [p.model_dump() for p in a] == [p.model_dump() for p in b]
    c = generate_patients(seed=6, n=300)
    assert [p.model_dump() for p in a] != [p.model_dump() for p in c]
    # A larger population starts with the same patients.
    assert [p.model_dump() for p in generate_patients(seed=5, n=301)[:300]] == [p.model_dump() for p in a]


def test_appointments_are_reproducible():
    patients = generate_patients(seed=5, n=200)
    first = generate_appointments(patients, seed=5, start=date(2026, 1, 5), days=30)
    second = generate_appointments(patients, seed=5, start=date(2026, 1, 5), days=30)
    assert [x.model_dump() for x in first] == [x.model_dump() for x in second]
    assert all(a.appointment_day.weekday() < 5 for a in first)
    assert all(a.scheduled_at.date() <= a.appointment_day for a in first)
    assert len({a.id for a in first}) == len(first)


def test_access_differences_drive_no_show_rates():
    clinic = generate_clinic(seed=7, n_patients=3000, days=90)
    frame = appointments_to_frame(clinic.appointments, clinic.patients)
    by_transport = frame.groupby("has_transport")["no_show"].mean()
    assert by_transport[0.0] > by_transport[1.0] + 0.05
    by_payer = frame.groupby("payer")["no_show"].mean()
    assert by_payer["medicaid"] > by_payer["commercial"]
    patients = pd.DataFrame([p.model_dump() for p in clinic.patients])
    medicaid_share = patients.groupby("race_ethnicity")["payer"].apply(lambda s: (s == "medicaid").mean())
    assert medicaid_share["black"] > medicaid_share["white"]
    assert set(patients["language"]) >= {"en", "es"}
    assert 0.12 < frame["no_show"].mean() < 0.3


def test_tomorrow_has_no_outcomes_and_only_known_bookings():
    today = date(2026, 2, 10)
    clinic = generate_clinic(seed=8, n_patients=500, days=60, today=today)
    tomorrow = tomorrows_appointments(clinic.appointments, today=today)
    assert tomorrow
    assert all(a.no_show is None and a.scheduled_at.date() <= today for a in tomorrow)
    assert all(a.no_show is not None for a in clinic.appointments if a.appointment_day <= today)
