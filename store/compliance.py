"""Read-only queries over the log for compliance: outputs, decisions, rates, QA outcomes, exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from store.db import Conn
from store.queries import load

RATE_DIMENSIONS = ("agent", "model_version", "label", "unit", "group")


def outputs_log(conn: Conn, *, unit_ids: list[UUID], agent: str | None = None,
                model_version: str | None = None, label: str | None = None, route: str | None = None,
                group_attr: str | None = None, group_value: str | None = None, since: datetime | None = None,
                until: datetime | None = None, before_seq: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
    return conn.execute(load("compliance").outputs_log, dict(
        unit_ids=unit_ids, agent=agent, model_version=model_version, label=label, route=route,
        group_attr=group_attr, group_value=group_value, since=since, until=until, before_seq=before_seq, limit=limit,
    )).fetchall()


def decisions_log(conn: Conn, *, unit_ids: list[UUID], agent: str | None = None,
                  model_version: str | None = None, label: str | None = None, reviewer: str | None = None,
                  action: str | None = None, group_attr: str | None = None, group_value: str | None = None,
                  since: datetime | None = None, until: datetime | None = None, before_seq: int | None = None,
                  limit: int = 50) -> list[dict[str, Any]]:
    return conn.execute(load("compliance").decisions_log, dict(
        unit_ids=unit_ids, agent=agent, model_version=model_version, label=label, reviewer=reviewer, action=action,
        group_attr=group_attr, group_value=group_value, since=since, until=until, before_seq=before_seq, limit=limit,
    )).fetchall()


def rates_by(conn: Conn, *, unit_ids: list[UUID], dimension: str, group_attr: str | None = None,
             since: datetime | None = None, until: datetime | None = None) -> list[dict[str, Any]]:
    if dimension not in RATE_DIMENSIONS:
        raise ValueError(f"dimension must be one of {RATE_DIMENSIONS}")
    return conn.execute(load("compliance").rates_by, dict(
        unit_ids=unit_ids, dimension=dimension, group_attr=group_attr, since=since, until=until,
    )).fetchall()


def qa_outcomes(conn: Conn, *, unit_ids: list[UUID], since: datetime | None = None) -> list[dict[str, Any]]:
    return conn.execute(load("compliance").qa_outcomes, {"unit_ids": unit_ids, "since": since}).fetchall()


def items_for_export(conn: Conn, *, unit_ids: list[UUID], since: datetime | None,
                     until: datetime | None, limit: int) -> list[dict[str, Any]]:
    return conn.execute(load("compliance").items_for_export,
                        {"unit_ids": unit_ids, "since": since, "until": until, "limit": limit}).fetchall()


def events_for_items(conn: Conn, *, item_ids: list[UUID]) -> list[dict[str, Any]]:
    return conn.execute(load("compliance").events_for_items, {"item_ids": item_ids}).fetchall()


def phi_reads_log(conn: Conn, *, unit_ids: list[UUID], since: datetime | None,
                  until: datetime | None, limit: int) -> list[dict[str, Any]]:
    return conn.execute(load("compliance").phi_reads_log,
                        {"unit_ids": unit_ids, "since": since, "until": until, "limit": limit}).fetchall()
