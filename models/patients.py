"""Patients and the group attributes used to evaluate fairness (never model inputs by default)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Sex = Literal["F", "M", "X"]
Payer = Literal["medicare", "medicaid", "commercial", "self_pay", "tricare"]


def whole_years(birth: date, day: date) -> int:
    """Age in completed years on `day`.

    >>> whole_years(date(2000, 3, 5), date(2026, 3, 4)), whole_years(date(2000, 3, 5), date(2026, 3, 5))
    (25, 26)
    """
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def age_band(age: int) -> str:
    """The age bands every report uses.

    >>> age_band(7), age_band(30), age_band(70)
    ('0-17', '18-44', '65+')
    """
    if age < 18:
        return "0-17"
    if age < 45:
        return "18-44"
    if age < 65:
        return "45-64"
    return "65+"


class PatientGroup(BaseModel):
    """Attributes by which results are broken down; any may be unknown."""

    model_config = ConfigDict(extra="allow")

    sex: str | None = None
    age_band: str | None = None
    race_ethnicity: str | None = None
    language: str | None = None
    payer: str | None = None


class Patient(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str  # MRN within the organization
    given_name: str
    family_name: str
    birth_date: date
    sex: Sex
    race_ethnicity: str | None = None
    language: str = "en"
    payer: Payer = "commercial"
    member_id: str | None = None
    distance_km: float | None = Field(None, ge=0)
    has_transport: bool = True
    phone: str | None = None

    def age_on(self, day: date) -> int:
        return whole_years(self.birth_date, day)

    def group_on(self, day: date) -> PatientGroup:
        return PatientGroup(
            sex=self.sex,
            age_band=age_band(self.age_on(day)),
            race_ethnicity=self.race_ethnicity,
            language=self.language,
            payer=self.payer,
        )


class RegistryRecord(BaseModel):
    """One patient as a registry import reads it (a CSV row or a FHIR Patient); what the source does
    not say stays unknown (None) rather than defaulted."""

    model_config = ConfigDict(extra="forbid")

    mrn: str = Field(min_length=1, max_length=80)
    given_name: str = ""
    family_name: str = ""
    birth_date: date
    sex: Sex
    member_id: str | None = None
    payer: Payer | None = None
    language: str | None = None
    race_ethnicity: str | None = None
    phone: str | None = None
    distance_km: float | None = Field(None, ge=0)
    has_transport: bool | None = None


class ImportReport(BaseModel):
    """What a registry import did: counts, and each problem by its place in the file (never its
    content: a report may be printed)."""

    source: str
    format: str
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[str] = Field(default_factory=list)  # e.g. "entry 14: birth date differs from the registry"
    skipped: list[str] = Field(default_factory=list)  # unreadable rows or entries, with why
