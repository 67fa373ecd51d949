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
