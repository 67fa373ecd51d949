"""Repository for the practice manager's KPIs: referral completion, eligibility exceptions,
remittance outcomes (denials, first pass, turnaround) and queue ageing, by unit and period."""

from __future__ import annotations

from typing import Any

from datetime import datetime
from uuid import UUID


from store.db import Conn
from store.queries import load


def _args(unit_ids: list[UUID], since: datetime | None, until: datetime | None) -> dict[str, Any]:
    return {"unit_ids": unit_ids, "since": since, "until": until}


def referral_completion(conn: Conn, *, unit_ids: list[UUID], since: datetime | None,
                        until: datetime | None) -> list[dict[str, Any]]:
    return conn.execute(load("kpis").referral_completion, _args(unit_ids, since, until)).fetchall()


def eligibility_exceptions(conn: Conn, *, unit_ids: list[UUID], since: datetime | None,
                           until: datetime | None) -> list[dict[str, Any]]:
    return conn.execute(load("kpis").eligibility_exceptions, _args(unit_ids, since, until)).fetchall()


def remittance_outcomes(conn: Conn, *, unit_ids: list[UUID], since: datetime | None,
                        until: datetime | None) -> list[dict[str, Any]]:
    return conn.execute(load("kpis").remittance_outcomes, _args(unit_ids, since, until)).fetchall()


def review_ageing(conn: Conn, *, unit_ids: list[UUID]) -> list[dict[str, Any]]:
    return conn.execute(load("kpis").review_ageing, {"unit_ids": unit_ids}).fetchall()


def case_ageing(conn: Conn, *, unit_ids: list[UUID]) -> list[dict[str, Any]]:
    return conn.execute(load("kpis").case_ageing, {"unit_ids": unit_ids}).fetchall()
