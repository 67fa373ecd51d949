"""The practice manager's operations view: automation rates and tomorrow's no-show outlook for the
units they manage (compliance's figures are for auditors' units; this is the manager's own)."""

from __future__ import annotations

from datetime import date, datetime

import psycopg
from pydantic import BaseModel

from models.compliance import RateRow
from models.org import Role, User
from store import compliance as compliance_store
from store import operations as operations_store


class NoShowOutlook(BaseModel):
    unit_code: str
    appointments: int
    high_risk: int  # flagged with a no-show probability of 0.5 or more
    elevated_risk: int  # flagged between the agent's reminder floor and 0.5
    supportive_applied: int
    overbook_proposals: int
    mean_risk_flagged: float | None


def managed_units(user: User) -> list:
    return sorted({r.unit_id for r in user.roles if r.role == Role.practice_manager}, key=str)


def unit_rates(conn: psycopg.Connection, *, user: User, since: datetime | None) -> list[RateRow]:
    units = managed_units(user)
    if not units:
        return []
    return [RateRow(**r) for r in compliance_store.rates_by(conn, unit_ids=units, dimension="unit", since=since)]


def noshow_outlook(conn: psycopg.Connection, *, user: User, day: date) -> list[NoShowOutlook]:
    units = managed_units(user)
    if not units:
        return []
    return [NoShowOutlook(**r) for r in operations_store.noshow_outlook(conn, unit_ids=units, day=day)]
