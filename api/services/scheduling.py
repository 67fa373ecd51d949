"""Loading a clinic's appointments (Handoff's appointment CSV, evals/README_appointments_csv.md)
into the store, so that `handoff noshow score` works on its real bookings."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import psycopg
from pydantic import BaseModel

from api.errors import BadInput, NotFound
from models.patients import Patient
from models.scheduling import Appointment
from store import intake as patient_store
from store import org as org_store
from store import scheduling as scheduling_store


class AppointmentsLoaded(BaseModel):
    appointments: int
    new_patients: int
    days: list[str]


def _known(value):
    """None for pandas' missing values (None or NaN), else the value."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _flag(value) -> bool:
    return bool(_known(value))


def load_appointments_csv(conn: psycopg.Connection, *, unit_code: str, path: Path) -> AppointmentsLoaded:
    """Upsert the file's appointments (outcomes fill in when later files carry them). Patients the
    registry does not know are added with what the file says; the file has an age, not a birth date,
    so the birth date is estimated as the visit day minus that age (a year's precision), and names
    stay empty until the registry learns them."""
    from tools.noshow.datasets import is_kaggle_csv, load_handoff_appointments

    try:
        unit = org_store.get_unit_by_code(conn, code=unit_code)
    except org_store.UnknownUnit:
        raise NotFound(f"no service unit {unit_code!r}", field="unit") from None
    if is_kaggle_csv(path):
        raise BadInput("file: the public Kaggle file is for training and evaluation, not a clinic's bookings",
                       field="file")
    try:
        frame = load_handoff_appointments(path)
    except ValueError as exc:
        raise BadInput(f"file: {exc}", field="file") from None
    appointments, patients = [], {}
    for row in frame.itertuples(index=False):
        day = row.appointment_day.date()
        appointments.append(Appointment(
            id=str(row.appointment_id), patient_id=str(row.patient_id), unit_id=unit.id,
            scheduled_at=row.scheduled_at.to_pydatetime(), appointment_day=day, specialty=_known(row.specialty),
            sms_reminder=_flag(row.sms_reminder), telehealth=_flag(row.telehealth),
            hypertension=_flag(row.hypertension), diabetes=_flag(row.diabetes), alcoholism=_flag(row.alcoholism),
            handicap=int(row.handicap) if _flag(row.handicap) else 0, scholarship=_flag(row.scholarship),
            no_show=None if _known(row.no_show) is None else bool(row.no_show)))
        if str(row.patient_id) not in patients and row.age == row.age:  # age known (not NaN)
            patients[str(row.patient_id)] = Patient(
                id=str(row.patient_id), given_name="", family_name="",
                birth_date=day - timedelta(days=int(round(row.age * 365.25))),
                sex=row.sex if row.sex in ("F", "M", "X") else "X", payer=_known(row.payer) or "commercial",
                language=_known(row.language) or "en", race_ethnicity=_known(row.race_ethnicity),
                distance_km=_known(row.distance_km),
                has_transport=True if _known(row.has_transport) is None else bool(row.has_transport))
    with conn.transaction():
        known = {p.id for p in patient_store.patients_by_mrn(conn, org_id=unit.org_id, mrns=list(patients))}
        new = [p for mrn, p in patients.items() if mrn not in known]
        patient_store.register_patients(conn, org_id=unit.org_id, patients=new,
                                        source=patient_store.PLACEHOLDER_SOURCE)
        scheduling_store.upsert_appointments(conn, unit_id=unit.id, appointments=appointments)
    days = sorted({a.appointment_day.isoformat() for a in appointments})
    return AppointmentsLoaded(appointments=len(appointments), new_patients=len(new),
                              days=[days[0], days[-1]] if days else [])
