"""Repository for remittances (835), claim statuses (277) and the denial work list. Insert-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from psycopg.types.json import Jsonb

from models.revenue import ClaimStatusEntry, RemitClaim, RemittanceAdvice, StatusCode
from store.db import Conn
from store.queries import load


def insert_remittance(conn: Conn, *, unit_id: UUID, item_id: UUID | None, advice: RemittanceAdvice,
                      issues: int) -> UUID:
    rid = uuid4()
    conn.execute(load("remits").insert_remittance, {
        "id": rid, "unit_id": unit_id, "inbound_item_id": item_id, "payer_id": advice.payer_id,
        "payer_name": advice.payer_name, "payment_amount": advice.payment_amount, "payment_method": advice.payment_method,
        "payment_date": advice.payment_date, "trace_number": advice.trace_number,
        "production_date": advice.production_date, "issues": issues})
    return rid


def insert_remittance_claim(conn: Conn, *, remittance_id: UUID, unit_id: UUID, claim_row_id: UUID | None,
                            payer_id: str | None, claim: RemitClaim, outcome: str, denial_carcs: list[str]) -> UUID:
    cid = uuid4()
    conn.execute(load("remits").insert_remittance_claim, {
        "id": cid, "remittance_id": remittance_id, "unit_id": unit_id, "claim_row_id": claim_row_id,
        "claim_key": claim.patient_control_number, "payer_id": payer_id, "status_code": claim.status_code,
        "outcome": outcome, "charge": claim.charge, "paid": claim.paid,
        "patient_responsibility": claim.patient_responsibility, "payer_claim_number": claim.payer_claim_number,
        "denial_carcs": denial_carcs, "remarks": claim.all_remarks,
        "adjustments": Jsonb([a.model_dump(mode="json") for a in claim.adjustments]),
        "lines": Jsonb([ln.model_dump(mode="json", exclude_none=True) for ln in claim.lines]),
        "service_start": claim.service_start})
    return cid


def insert_claim_status(conn: Conn, *, unit_id: UUID, item_id: UUID | None, claim_row_id: UUID | None,
                        entry: ClaimStatusEntry, status: StatusCode) -> None:
    conn.execute(load("remits").insert_claim_status, {
        "id": uuid4(), "unit_id": unit_id, "inbound_item_id": item_id, "claim_row_id": claim_row_id,
        "claim_key": entry.patient_control_number, "payer_id": entry.payer_id, "level": entry.level,
        "category": status.category, "status_code": status.code, "entity": status.entity, "status_on": status.on,
        "charge": status.charge, "paid": status.paid, "payer_claim_number": entry.payer_claim_number})


def insert_denial(conn: Conn, **values: Any) -> UUID:
    did = values.pop("id", None) or uuid4()
    conn.execute(load("remits").insert_denial, {"id": did, **values})
    return did


def denial_worklist(conn: Conn, *, unit_ids: list[UUID], since: datetime | None = None,
                    open_only: bool = False, limit: int = 500) -> list[dict[str, Any]]:
    return conn.execute(load("remits").denial_worklist, {"unit_ids": unit_ids, "since": since, "open_only": open_only,
                                                         "limit": limit}).fetchall()


def remit_outcomes(conn: Conn, *, unit_ids: list[UUID]) -> list[dict[str, Any]]:
    """Each checked claim with the payer's first answer (outcome, denial CARCs, when)."""
    return conn.execute(load("remits").remit_outcomes, {"unit_ids": unit_ids}).fetchall()


def remittance_claims_of(conn: Conn, *, claim_row_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(load("remits").remittance_claims_of, {"claim_row_id": claim_row_id}).fetchall()
