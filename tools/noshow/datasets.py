"""Loaders for appointment data: the public Kaggle no-show CSV as it is, and Handoff's own CSV.

Both land in one DataFrame schema (`APPOINTMENT_COLUMNS`) that tools/noshow/features.py reads.

Handoff appointment CSV (one row per booked visit; header required; UTF-8; extra columns ignored):

======================  ========  ==========================================================
column                  required  meaning
======================  ========  ==========================================================
appointment_id          yes       unique id of the appointment
patient_id              yes       the patient's id (MRN) within the organization
scheduled_at            yes       when it was booked, ISO 8601 (``2026-03-02T14:05:00``)
appointment_day         yes       the visit day, ISO date (``2026-03-09``)
age                     yes       age in whole years on the visit day
sex                     no        F, M or X
unit_id                 no        service unit (UUID)
specialty               no        visit type, e.g. primary_care, behavioral_health
sms_reminder            no        a reminder text was sent (true/false/1/0/yes/no)
telehealth              no        the visit is by video or phone
hypertension            no        condition flags as in the public data (true/false)
diabetes                no
alcoholism              no
handicap                no        number of disabilities (0, 1, 2, ...)
scholarship             no        welfare enrolment; if absent it is taken as payer == medicaid
payer                   no        medicare, medicaid, commercial, self_pay, tricare
race_ethnicity          no        used only to evaluate fairness, never a model input by default
language                no        preferred language (en, es, ...); evaluation only by default
distance_km             no        distance from home to the clinic
has_transport           no        the patient has reliable transport
no_show                 no        outcome: true (missed), false (attended), blank (not yet known)
======================  ========  ==========================================================
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from models.settings import SHARED_DATA_DEFAULT
from tools.noshow.appointment_frame import APPOINTMENT_COLUMNS, appointments_to_frame, finish_frame  # noqa: F401 (re-exported)

DEFAULT_DATA_ROOT = SHARED_DATA_DEFAULT  # HANDOFF_DATA_DIR overrides it through Settings
KAGGLE_FILENAME = "noshowappointments-kagglev2-may-2016.csv"
KAGGLE_COLUMNS = (
    "PatientId", "AppointmentID", "Gender", "ScheduledDay", "AppointmentDay", "Age", "Neighbourhood",
    "Scholarship", "Hipertension", "Diabetes", "Alcoholism", "Handcap", "SMS_received", "No-show",
)  # fmt: skip

# The one schema both loaders return, in this order: tools.noshow.appointment_frame.APPOINTMENT_COLUMNS.
HANDOFF_REQUIRED = ("appointment_id", "patient_id", "scheduled_at", "appointment_day", "age")
HANDOFF_CSV_COLUMNS = tuple(c for c in APPOINTMENT_COLUMNS if c not in ("neighbourhood", "source", "data_issue"))
_BOOL_COLUMNS = ("sms_reminder", "telehealth", "hypertension", "diabetes", "alcoholism", "scholarship", "has_transport")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def default_kaggle_path(data_root: Path = DEFAULT_DATA_ROOT) -> Path:
    """Where the public Kaggle no-show CSV sits under the data root."""
    return data_root / "noshow" / KAGGLE_FILENAME


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def frame_sha256(frame: pd.DataFrame) -> str:
    """A content hash of an appointment frame (for synthetic data that has no file)."""
    hashed = pd.util.hash_pandas_object(frame.reset_index(drop=True), index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def is_kaggle_csv(path: Path) -> bool:
    """True when the file's header is the Kaggle no-show format."""
    with open(path, encoding="utf-8-sig") as fh:
        header = fh.readline()
    return "No-show" in header and "AppointmentID" in header


def load_appointments(path: Path) -> pd.DataFrame:
    """Load either format, recognised by its header."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"appointment data not found at {path}")
    return load_kaggle_noshow(path) if is_kaggle_csv(path) else load_handoff_appointments(path)


def load_kaggle_noshow(path: Path) -> pd.DataFrame:
    """Read the public Kaggle CSV exactly as published and map it to `APPOINTMENT_COLUMNS`.

    Quirks kept visible rather than silently fixed (`data_issue` names them):
    a negative age becomes unknown (NaN, ``negative_age``); an appointment day before its booking
    day keeps its row but gets ``booked_after_visit`` (its lead time is unknown to the features);
    `Handcap` stays a count; `No-show` "Yes" means the patient did not come.
    """
    raw = pd.read_csv(path, dtype={"PatientId": str, "AppointmentID": str, "Gender": str, "Neighbourhood": str})
    missing = [c for c in KAGGLE_COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: not the Kaggle no-show format, missing columns {missing}")
    scheduled = pd.to_datetime(raw["ScheduledDay"], utc=True).dt.tz_convert(None)
    day = pd.to_datetime(raw["AppointmentDay"], utc=True).dt.tz_convert(None).dt.normalize()
    age = raw["Age"].astype(float)
    issue = np.where(age < 0, "negative_age", "")
    issue = np.where(scheduled.dt.normalize() > day, "booked_after_visit", issue)
    outcome = raw["No-show"].str.strip().str.lower().map({"yes": 1.0, "no": 0.0})
    if outcome.isna().any():
        bad = int(outcome.isna().idxmax()) + 2
        raise ValueError(f"{path}: line {bad}: No-show must be Yes or No")
    frame = pd.DataFrame(
        {
            "appointment_id": raw["AppointmentID"],
            # Some PatientIds are printed as floats in the file; keep the text as the id.
            "patient_id": raw["PatientId"].str.strip(),
            "unit_id": None,
            "scheduled_at": scheduled,
            "appointment_day": day,
            "age": age.where(age >= 0),
            "sex": raw["Gender"].str.strip().str.upper(),
            "specialty": None,
            "sms_reminder": raw["SMS_received"].astype(float),
            "telehealth": np.nan,
            "hypertension": raw["Hipertension"].astype(float),
            "diabetes": raw["Diabetes"].astype(float),
            "alcoholism": raw["Alcoholism"].astype(float),
            "handicap": raw["Handcap"].astype(float),
            "scholarship": raw["Scholarship"].astype(float),
            "payer": None,
            "race_ethnicity": None,
            "language": None,
            "distance_km": np.nan,
            "has_transport": np.nan,
            "neighbourhood": raw["Neighbourhood"],
            "no_show": outcome,
            "source": "kaggle",
            "data_issue": issue,
        }
    )
    return finish_frame(frame)


def _parse_bool(series: pd.Series, *, column: str, path: Path) -> pd.Series:
    text = series.astype("string").str.strip().str.lower()
    out = pd.Series(np.nan, index=series.index, dtype=float)
    out[text.isin(_TRUE)] = 1.0
    out[text.isin(_FALSE)] = 0.0
    bad = text.notna() & (text != "") & ~text.isin(_TRUE | _FALSE)
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise ValueError(f"{path}: line {line}: {column} must be true/false, got {series[bad].iloc[0]!r}")
    return out


def load_handoff_appointments(path: Path) -> pd.DataFrame:
    """Read Handoff's appointment CSV (columns in the module docstring) into `APPOINTMENT_COLUMNS`."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in HANDOFF_REQUIRED if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: Handoff appointment CSV is missing required columns {missing}")
    frame = pd.DataFrame(index=raw.index)
    for column in APPOINTMENT_COLUMNS:
        frame[column] = raw[column].replace("", None) if column in raw.columns else None
    for column in ("scheduled_at", "appointment_day"):
        parsed = pd.to_datetime(frame[column], errors="coerce", format="ISO8601")
        if parsed.isna().any():
            line = int(np.flatnonzero(parsed.isna().to_numpy())[0]) + 2
            raise ValueError(f"{path}: line {line}: {column} is not an ISO date/time: {raw[column].iloc[line - 2]!r}")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert(None)
        frame[column] = parsed
    frame["appointment_day"] = frame["appointment_day"].dt.normalize()
    for column in ("age", "handicap", "distance_km"):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = frame[column].notna() & values.isna()
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise ValueError(f"{path}: line {line}: {column} must be a number")
        frame[column] = values.astype(float)
    for column in (*_BOOL_COLUMNS, "no_show"):
        frame[column] = _parse_bool(frame[column], column=column, path=path)
    if "scholarship" not in raw.columns:
        frame["scholarship"] = np.where(frame["payer"].isna(), np.nan, (frame["payer"] == "medicaid").astype(float))
    for column in ("sms_reminder", "telehealth", "hypertension", "diabetes", "alcoholism", "handicap"):
        if column in raw.columns:
            frame[column] = frame[column].fillna(0.0)
    issue = np.where(frame["age"] < 0, "negative_age", "")
    issue = np.where(frame["scheduled_at"].dt.normalize() > frame["appointment_day"], "booked_after_visit", issue)
    frame["age"] = frame["age"].where(frame["age"] >= 0)
    frame["source"] = "handoff"
    frame["data_issue"] = issue
    return finish_frame(frame)




def write_handoff_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write an appointment frame as Handoff's CSV (the inverse of `load_handoff_appointments`)."""
    out = frame.loc[:, list(HANDOFF_CSV_COLUMNS)].copy()
    out["scheduled_at"] = out["scheduled_at"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    out["appointment_day"] = out["appointment_day"].dt.strftime("%Y-%m-%d")
    for column in (*_BOOL_COLUMNS, "no_show"):
        out[column] = out[column].map({1.0: "true", 0.0: "false"}).fillna("")
    out["age"] = out["age"].map(lambda a: "" if pd.isna(a) else str(int(a)))
    out["handicap"] = out["handicap"].map(lambda a: "" if pd.isna(a) else str(int(a)))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False)
    return path
