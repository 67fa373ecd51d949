"""The KPIs a practice manager is judged by, computed from the records (issue 13), per unit and for a
selectable period, each with its definition (the operations page shows both): referral completion
rate and median days to completion, eligibility exceptions per 100 appointments, denial rate by
payer, rule and source, first-pass acceptance, remittance turnaround, queue ageing buckets."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any

import psycopg
from pydantic import BaseModel, Field

from models.org import Role, User
from store import kpis as kpi_store
from store import org as org_store

DEFINITIONS: dict[str, str] = {
    "referral_completion_rate": "Referral cases opened in the period that reached \"report sent back\", divided by all "
                                "cases opened in the period (cancelled cases count as not completed).",
    "median_days_to_completion": "Median days from a case's opening to its \"report sent back\" event, over the cases "
                                 "of the period that reached it.",
    "eligibility_exceptions_per_100": "Per 100 appointments of the period (by appointment day): appointments whose 270 "
                                      "could not be written (no member id, payer unknown) or whose 271 answer is not "
                                      "active coverage on the appointment day (inactive, rejected, unknown, terminated, "
                                      "or dates that do not cover the day). Appointments never asked about are not "
                                      "exceptions; `checked` says how many were.",
    "denial_rate": "Claims whose first 835 answer in the period denied or underpaid them, divided by all claims with a "
                   "first answer in the period; broken down by payer, by root cause (the rule that would have caught "
                   "it, or payer-only) and by source (the claim arrived as an X12 837P or as Handoff JSON).",
    "first_pass_acceptance": "Claims whose first 835 answer in the period paid them (in full, or with only the "
                             "patient's share owed), divided by all claims with a first answer in the period.",
    "remittance_turnaround_days": "Median days from a claim's submission date to the day its first 835 answer was "
                                  "received, over the claims answered in the period.",
    "queue_ageing": "Open review items per queue, and open referral cases, by age: under 1 day, 1-3, 3-7 and over 7 days "
                    "since they were opened (now, whatever the period).",
}


class UnitKpis(BaseModel):
    unit_code: str
    referrals_opened: int = 0
    referrals_completed: int = 0
    referral_completion_rate: float | None = None
    median_days_to_completion: float | None = None
    appointments: int = 0
    appointments_checked: int = 0
    eligibility_exceptions: int = 0
    eligibility_exceptions_per_100: float | None = None
    claims_answered: int = 0
    claims_denied: int = 0
    denial_rate: float | None = None
    first_pass_acceptance: float | None = None
    remittance_turnaround_days: float | None = None
    denial_rate_by_payer: dict[str, dict[str, Any]] = Field(default_factory=dict)
    denials_by_rule: dict[str, int] = Field(default_factory=dict)
    denial_rate_by_source: dict[str, dict[str, Any]] = Field(default_factory=dict)
    ageing: list[dict[str, Any]] = Field(default_factory=list)


class KpiReport(BaseModel):
    since: datetime | None
    until: datetime | None
    units: list[UnitKpis]
    definitions: dict[str, str] = Field(default_factory=lambda: dict(DEFINITIONS))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _unit_ids(conn: psycopg.Connection, user: User | None, unit_code: str | None) -> list:
    if user is None:
        units = org_store.list_units(conn)
        return [u.id for u in units if unit_code in (None, u.code)]
    managed = {r.unit_id: r.unit_code for r in user.roles if r.role == Role.practice_manager}
    return sorted((uid for uid, code in managed.items() if unit_code in (None, code)), key=str)


def kpis(conn: psycopg.Connection, *, user: User | None, since: datetime | None, until: datetime | None = None,
         unit_code: str | None = None) -> KpiReport:
    """The KPIs of the units the user manages (all units for the CLI), for [since, until)."""
    unit_ids = _unit_ids(conn, user, unit_code)
    report: dict[str, UnitKpis] = {}

    def unit(code: str) -> UnitKpis:
        return report.setdefault(code, UnitKpis(unit_code=code))

    if not unit_ids:
        return KpiReport(since=since, until=until, units=[])
    for r in kpi_store.referral_completion(conn, unit_ids=unit_ids, since=since, until=until):
        u = unit(r["unit_code"])
        u.referrals_opened, u.referrals_completed = r["opened"], r["completed"]
        u.referral_completion_rate = _rate(r["completed"], r["opened"])
        u.median_days_to_completion = round(r["median_days_to_completion"], 2) if r["median_days_to_completion"] is not None else None
    for r in kpi_store.eligibility_exceptions(conn, unit_ids=unit_ids, since=since, until=until):
        u = unit(r["unit_code"])
        u.appointments, u.appointments_checked, u.eligibility_exceptions = r["appointments"], r["checked"], r["exceptions"]
        u.eligibility_exceptions_per_100 = round(100 * r["exceptions"] / r["appointments"], 2) if r["appointments"] else None
    outcomes: dict[str, list[dict]] = defaultdict(list)
    for r in kpi_store.remittance_outcomes(conn, unit_ids=unit_ids, since=since, until=until):
        outcomes[r["unit_code"]].append(r)
    for code, rows in outcomes.items():
        u = unit(code)
        denied = [r for r in rows if r["outcome"] in ("denied", "underpaid")]
        u.claims_answered, u.claims_denied = len(rows), len(denied)
        u.denial_rate = _rate(len(denied), len(rows))
        u.first_pass_acceptance = _rate(sum(r["outcome"] in ("paid", "patient_responsibility") for r in rows), len(rows))
        days = [r["turnaround_days"] for r in rows if r["turnaround_days"] is not None]
        u.remittance_turnaround_days = float(statistics.median(days)) if days else None
        for key, field in (("payer_id", "denial_rate_by_payer"), ("source", "denial_rate_by_source")):
            groups: dict[str, list[dict]] = defaultdict(list)
            for r in rows:
                groups[r[key] or "unknown"].append(r)
            setattr(u, field, {g: {"answered": len(rs), "denied": sum(x["outcome"] in ("denied", "underpaid") for x in rs),
                                   "rate": _rate(sum(x["outcome"] in ("denied", "underpaid") for x in rs), len(rs))}
                               for g, rs in sorted(groups.items())})
        by_rule: dict[str, int] = defaultdict(int)
        for r in denied:
            by_rule[r["root_cause"] or "not classified"] += 1
        u.denials_by_rule = dict(sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])))
    for r in [*kpi_store.review_ageing(conn, unit_ids=unit_ids), *kpi_store.case_ageing(conn, unit_ids=unit_ids)]:
        unit(r["unit_code"]).ageing.append({k: v for k, v in r.items() if k != "unit_code"})
    return KpiReport(since=since, until=until, units=sorted(report.values(), key=lambda u: u.unit_code))
