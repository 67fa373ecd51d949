"""A seeded, reproducible synthetic clinic: a patient population and its appointments with outcomes.

The population (`generate_patients`) stands alone so later generators (inbound documents, claims)
can draw from the same patients: same seed and n give the same patients, byte for byte.

Group differences are in *access*, as in published US data, not in the groups themselves: payer
mix differs by race/ethnicity and age, transport by payer and age, distance by a rural share, and
waiting time (lead) by payer. No-show risk is driven by those access variables, lead time,
reminders, telehealth, visit type and a per-patient habit, so fairness figures are not flat, while
sex, race/ethnicity and language never enter the outcome directly (language only through reminder
comprehension for non-English speakers, a documented access barrier).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

import numpy as np

from models.patients import Patient
from models.scheduling import Appointment

RACE_ETHNICITY = ("white", "hispanic", "black", "asian", "other")
RACE_SHARE = (0.52, 0.22, 0.14, 0.07, 0.05)
SPECIALTIES = ("primary_care", "pediatrics", "behavioral_health", "cardiology", "ob_gyn", "endocrinology")
_GIVEN = (
    "Ana", "Luis", "Maria", "James", "Mary", "Wei", "Linh", "Aisha", "Omar", "Sofia", "Noah", "Emma",
    "Diego", "Grace", "Kwame", "Priya", "John", "Rosa", "Tomas", "Mei",
)  # fmt: skip
_FAMILY = (
    "Garcia", "Smith", "Nguyen", "Johnson", "Lopez", "Brown", "Chen", "Williams", "Martinez", "Davis",
    "Okafor", "Patel", "Miller", "Hernandez", "Kim", "Wilson",
)  # fmt: skip


def _rng(seed: int, stream: str) -> np.random.Generator:
    # Independent streams per purpose, so adding a draw in one does not shift another.
    digest = hashlib.sha256(f"{seed}:{stream}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def generate_patients(*, seed: int, n: int, as_of: date = date(2026, 1, 1)) -> list[Patient]:
    """Draw `n` synthetic patients; the same (seed, n, as_of) always gives the same list.

    Ages are set relative to `as_of`. Attributes and their access differences:
    payer depends on age (65+ mostly Medicare, children often Medicaid) and, for adults under 65,
    on race/ethnicity (higher Medicaid and self-pay shares for Black and Hispanic patients);
    `has_transport` is lower for Medicaid, self-pay, 75+ and far-away patients; about 15% live
    rurally (longer distance); preferred language is Spanish for many Hispanic patients and
    Chinese/Vietnamese for some Asian patients.

    >>> [p.id for p in generate_patients(seed=1, n=2)]
    ['P000001', 'P000002']
    """
    rng = _rng(seed, "patients")
    patients: list[Patient] = []
    for index in range(n):
        sex = str(rng.choice(["F", "M", "X"], p=[0.54, 0.45, 0.01]))
        band = rng.choice(4, p=[0.20, 0.36, 0.25, 0.19])
        age = int([rng.integers(0, 18), rng.integers(18, 45), rng.integers(45, 65), rng.integers(65, 95)][band])
        race = str(rng.choice(RACE_ETHNICITY, p=RACE_SHARE))
        race_or_unknown = None if rng.random() < 0.03 else race
        if race == "hispanic":
            language = "es" if rng.random() < 0.45 else "en"
        elif race == "asian":
            language = str(rng.choice(["en", "zh", "vi"], p=[0.7, 0.18, 0.12]))
        else:
            language = "en" if rng.random() < 0.98 else "other"
        if age >= 65:
            payer = str(rng.choice(["medicare", "medicaid", "commercial", "tricare"], p=[0.84, 0.08, 0.06, 0.02]))
        else:
            disadvantaged = race in ("black", "hispanic")
            medicaid = (0.42 if age < 18 else 0.18) + (0.17 if disadvantaged else 0.0)
            self_pay = 0.06 + (0.07 if disadvantaged else 0.0) + (0.03 if language != "en" else 0.0)
            tricare = 0.02
            payer = str(
                rng.choice(
                    ["medicaid", "self_pay", "tricare", "commercial"],
                    p=[medicaid, self_pay, tricare, 1.0 - medicaid - self_pay - tricare],
                )
            )
        rural = rng.random() < 0.15
        distance = float(np.round(rng.lognormal(np.log(35.0 if rural else 7.0), 0.6), 1))
        transport_logit = 2.2 - (1.3 if payer in ("medicaid", "self_pay") else 0.0) - (0.9 if age >= 75 else 0.0)
        transport_logit -= 0.6 * np.log1p(distance / 20.0)
        has_transport = bool(rng.random() < 1.0 / (1.0 + np.exp(-transport_logit)))
        birth = as_of - timedelta(days=int(age * 365.25 + rng.integers(1, 365)))
        patients.append(
            Patient(
                id=f"P{index + 1:06d}",
                given_name=str(rng.choice(_GIVEN)),
                family_name=str(rng.choice(_FAMILY)),
                birth_date=birth,
                sex=sex,  # type: ignore[arg-type]
                race_ethnicity=race_or_unknown,
                language=language,
                payer=payer,  # type: ignore[arg-type]
                member_id=None if payer == "self_pay" else f"M{rng.integers(10**8, 10**9)}",
                distance_km=distance,
                has_transport=has_transport,
                phone=f"555-01{rng.integers(0, 100):02d}",
            )
        )
    return patients


def _weekdays(start: date, days: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(days) if (start + timedelta(days=i)).weekday() < 5]


def generate_appointments(
    patients: list[Patient],
    *,
    seed: int,
    start: date,
    days: int,
    outcomes_until: date | None = None,
    unit_id: UUID | None = None,
    visits_per_month: float = 0.7,
) -> list[Appointment]:
    """Appointments on weekdays in [start, start + days) with no-show outcomes, sorted by day.

    Visits on days after `outcomes_until` (when given) have `no_show=None` and only include
    bookings made by then, as a clinic would see them that evening. Each patient carries a
    habit (a random effect) so prior no-shows predict later ones, as in real data.

    >>> pts = generate_patients(seed=3, n=50)
    >>> appts = generate_appointments(pts, seed=3, start=date(2026, 1, 5), days=28)
    >>> appts == generate_appointments(pts, seed=3, start=date(2026, 1, 5), days=28)
    True
    """
    rng = _rng(seed, "appointments")
    visit_days = _weekdays(start, days)
    if not visit_days:
        return []
    rows: list[Appointment] = []
    for patient in patients:
        habit = rng.normal(0.0, 0.8)
        age = patient.age_on(start)
        hypertension = rng.random() < (0.03 if age < 30 else 0.2 if age < 55 else 0.5)
        diabetes = rng.random() < (0.01 if age < 30 else 0.07 if age < 55 else 0.2)
        alcoholism = age >= 18 and rng.random() < 0.03
        handicap = int(rng.choice([0, 1, 2], p=[0.975, 0.022, 0.003]))
        rate = visits_per_month * (1.0 + 0.6 * hypertension + 0.8 * diabetes + (0.4 if age >= 65 else 0.0))
        n_visits = rng.poisson(rate * days / 30.0)
        for day in sorted(rng.choice(visit_days, size=n_visits)):
            specialty = _pick_specialty(rng, age=age, sex=patient.sex, diabetes=diabetes, hypertension=hypertension)
            lead = _draw_lead(rng, payer=patient.payer, specialty=specialty)
            booked_day = day - timedelta(days=lead)
            booked_at = datetime.combine(booked_day, time(7, 0)) + timedelta(minutes=int(rng.integers(0, 11 * 60)))
            telehealth = bool(rng.random() < (0.40 if specialty == "behavioral_health" else 0.12))
            sms = bool(lead >= 2 and patient.phone is not None and rng.random() < 0.75)
            logit = _no_show_logit(
                patient,
                age=age,
                day=day,
                lead=lead,
                sms=sms,
                telehealth=telehealth,
                specialty=specialty,
                habit=habit,
            )
            outcome = bool(rng.random() < 1.0 / (1.0 + np.exp(-logit)))
            if outcomes_until is not None and day > outcomes_until:
                if booked_day > outcomes_until:
                    continue  # not yet booked as of that evening
                outcome_or_none: bool | None = None
            else:
                outcome_or_none = outcome
            rows.append(
                Appointment(
                    id="",
                    patient_id=patient.id,
                    unit_id=unit_id,
                    scheduled_at=booked_at,
                    appointment_day=day,
                    specialty=specialty,
                    sms_reminder=sms,
                    telehealth=telehealth,
                    hypertension=hypertension,
                    diabetes=diabetes,
                    alcoholism=alcoholism,
                    handicap=handicap,
                    scholarship=patient.payer == "medicaid",
                    no_show=outcome_or_none,
                )
            )
    rows.sort(key=lambda a: (a.appointment_day, a.scheduled_at, a.patient_id))
    for index, appt in enumerate(rows):
        appt.id = f"A{index + 1:07d}"
    return rows


def _pick_specialty(rng: np.random.Generator, *, age: int, sex: str, diabetes: bool, hypertension: bool) -> str:
    if age < 18:
        return str(rng.choice(["pediatrics", "behavioral_health"], p=[0.85, 0.15]))
    weights = {"primary_care": 0.55, "behavioral_health": 0.17, "cardiology": 0.06 + 0.1 * hypertension,
               "ob_gyn": 0.12 if sex == "F" and age < 50 else 0.0, "endocrinology": 0.03 + 0.15 * diabetes}  # fmt: skip
    names = list(weights)
    p = np.array([weights[k] for k in names])
    return str(rng.choice(names, p=p / p.sum()))


def _draw_lead(rng: np.random.Generator, *, payer: str, specialty: str) -> int:
    if rng.random() < (0.30 if specialty in ("primary_care", "pediatrics") else 0.12):
        return 0
    # Medicaid and self-pay patients wait longer for a slot: an access difference seen in US audits.
    mean = 10.0 * (1.5 if payer in ("medicaid", "self_pay") else 1.0) * (1.6 if specialty in ("cardiology", "endocrinology") else 1.0)
    return int(min(120, 1 + rng.exponential(mean)))


def _no_show_logit(
    patient: Patient, *, age: int, day: date, lead: int, sms: bool, telehealth: bool, specialty: str, habit: float
) -> float:
    logit = -1.95 + habit
    logit += -1.4 if lead == 0 else (0.0 if lead <= 7 else 0.25 + 0.012 * min(lead, 60))
    if not telehealth:
        logit += 0.0 if patient.has_transport else 0.8
        logit += 0.3 * np.log1p((patient.distance_km or 0.0) / 10.0)
    else:
        logit -= 0.4
    logit += {"medicaid": 0.35, "self_pay": 0.55, "medicare": -0.1}.get(patient.payer, 0.0)
    logit += 0.35 if 18 <= age < 45 else (-0.3 if age >= 65 else 0.0)
    # A reminder helps less when it is not in the patient's language.
    logit -= (0.45 if patient.language == "en" else 0.15) if sms else 0.0
    logit += 0.3 if specialty == "behavioral_health" else 0.0
    logit += {0: 0.15, 4: 0.1}.get(day.weekday(), 0.0)
    return float(logit)


@dataclass(frozen=True)
class SyntheticClinic:
    patients: list[Patient]
    appointments: list[Appointment]


def generate_clinic(
    *,
    seed: int = 7,
    n_patients: int = 3000,
    start: date = date(2026, 1, 5),
    days: int = 120,
    today: date | None = None,
    unit_id: UUID | None = None,
) -> SyntheticClinic:
    """Population plus appointments; visits after `today` (if given) have no outcome yet."""
    patients = generate_patients(seed=seed, n=n_patients, as_of=start)
    appointments = generate_appointments(
        patients, seed=seed, start=start, days=days, outcomes_until=today, unit_id=unit_id
    )
    return SyntheticClinic(patients=patients, appointments=appointments)


def tomorrows_appointments(appointments: list[Appointment], *, today: date) -> list[Appointment]:
    """The visits of the day after `today` that were booked by `today` (what the demo scores)."""
    tomorrow = today + timedelta(days=1)
    return [a for a in appointments if a.appointment_day == tomorrow and a.scheduled_at.date() <= today]
