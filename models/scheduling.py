"""Scheduling vocabulary: appointments, their no-show outcome and no-show risk scores.

Shapes only (no I/O); loaders live in tools/noshow/datasets.py, features in tools/noshow/features.py.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Appointment(BaseModel):
    """One booked visit. `scheduled_at` is when it was booked; `appointment_day` is the visit day.

    The condition flags mirror the public "Medical Appointment No Shows" data (Hipertension,
    Diabetes, Alcoholism, Handcap, Scholarship) so both sources share one schema. `no_show` is the
    outcome: True (missed), False (attended), None (not yet known, e.g. tomorrow's visits).
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    patient_id: str
    unit_id: UUID | None = None
    scheduled_at: datetime
    appointment_day: date
    specialty: str | None = None  # visit type, e.g. "primary_care", "behavioral_health"
    sms_reminder: bool = False
    telehealth: bool = False
    hypertension: bool = False
    diabetes: bool = False
    alcoholism: bool = False
    handicap: int = Field(0, ge=0)  # a count of disabilities in the public data, not a flag
    scholarship: bool = False  # welfare enrolment (Bolsa Família in the public data; Medicaid here)
    no_show: bool | None = None

    @property
    def lead_days(self) -> int:
        """Whole days between the booking day and the visit day (0 = booked the same day)."""
        return (self.appointment_day - self.scheduled_at.date()).days

    @model_validator(mode="after")
    def _booked_before_visit(self) -> "Appointment":
        if self.scheduled_at.date() > self.appointment_day:
            raise ValueError("scheduled_at: an appointment cannot be booked after its day")
        return self


class NoShowScore(BaseModel):
    """A calibrated no-show probability for one appointment, with the features that produced it."""

    model_config = ConfigDict(extra="forbid")

    appointment_id: str
    patient_id: str
    appointment_day: date
    probability: float = Field(ge=0.0, le=1.0)
    baseline_probability: float | None = Field(None, ge=0.0, le=1.0)
    model_version: str
    features: dict[str, Any] = Field(default_factory=dict)


class ModelMeta(BaseModel):
    """What the model registry stores beside a trained model (meta.json)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    created_at: datetime
    data_sha256: str
    data_source: str | None = None
    train_start: date | None = None
    train_end: date | None = None
    calibration_start: date | None = None
    calibration_end: date | None = None
    n_train: int = 0
    n_calibration: int = 0
    features: list[str] = Field(default_factory=list)
    operating_threshold: float | None = None
    baseline_operating_threshold: float | None = None
    metrics: dict[str, float | None] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    model_card: str = ""
