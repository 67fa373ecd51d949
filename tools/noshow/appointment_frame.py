"""The one table schema of appointments that no-show features and models read, built from
pydantic appointments and patients (the store's, or the synthetic clinic's)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from models.patients import Patient
from models.scheduling import Appointment

APPOINTMENT_COLUMNS = (
    "appointment_id", "patient_id", "unit_id", "scheduled_at", "appointment_day", "age", "sex",
    "specialty", "sms_reminder", "telehealth", "hypertension", "diabetes", "alcoholism", "handicap",
    "scholarship", "payer", "race_ethnicity", "language", "distance_km", "has_transport",
    "neighbourhood", "no_show", "source", "data_issue",
)  # fmt: skip


def appointments_to_frame(appointments: Iterable[Appointment], patients: Iterable[Patient]) -> pd.DataFrame:
    """Build the schema from pydantic objects (the synthetic clinic, or appointments from the store)."""
    by_id = {p.id: p for p in patients}
    rows = []
    for appt in appointments:
        patient = by_id[appt.patient_id]
        rows.append(
            {
                "appointment_id": appt.id,
                "patient_id": appt.patient_id,
                "unit_id": str(appt.unit_id) if appt.unit_id else None,
                "scheduled_at": pd.Timestamp(appt.scheduled_at),
                "appointment_day": pd.Timestamp(appt.appointment_day),
                "age": float(patient.age_on(appt.appointment_day)),
                "sex": patient.sex,
                "specialty": appt.specialty,
                "sms_reminder": float(appt.sms_reminder),
                "telehealth": float(appt.telehealth),
                "hypertension": float(appt.hypertension),
                "diabetes": float(appt.diabetes),
                "alcoholism": float(appt.alcoholism),
                "handicap": float(appt.handicap),
                "scholarship": float(appt.scholarship),
                "payer": patient.payer,
                "race_ethnicity": patient.race_ethnicity,
                "language": patient.language,
                "distance_km": patient.distance_km if patient.distance_km is not None else np.nan,
                "has_transport": float(patient.has_transport),
                "neighbourhood": None,
                "no_show": np.nan if appt.no_show is None else float(appt.no_show),
                "source": "handoff",
                "data_issue": "",
            }
        )
    return finish_frame(pd.DataFrame(rows, columns=list(APPOINTMENT_COLUMNS)))


def finish_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns in APPOINTMENT_COLUMNS order, ids as text, rows in a stable order (day, booking time, id)."""
    frame = frame.loc[:, list(APPOINTMENT_COLUMNS)]
    for column in ("appointment_id", "patient_id"):
        frame[column] = frame[column].astype(str)
    # A stable order makes every downstream split and hash reproducible.
    return frame.sort_values(["appointment_day", "scheduled_at", "appointment_id"], kind="mergesort").reset_index(
        drop=True
    )
