"""Repository for claims as received (insert-only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from psycopg.types.json import Jsonb

from models.claims import Claim, ClaimContext
from store.db import Conn
from store.queries import load


def insert_claims(conn: Conn, *, unit_id: UUID, item_id: UUID,
                  claims: list[tuple[Claim, ClaimContext]]) -> list[dict[str, Any]]:
    Q = load("claims")
    for claim, context in claims:
        conn.execute(Q.insert_claim, {
            "id": uuid4(), "unit_id": unit_id, "inbound_item_id": item_id, "claim_key": claim.id,
            "patient_id": claim.patient.id, "billing_npi": claim.billing_npi, "payer_id": claim.coverage.payer_id,
            "first_service_date": claim.first_service_date, "total_charge": claim.total_charge,
            "payload": Jsonb(claim.model_dump(mode="json")), "context": Jsonb(context.model_dump(mode="json")),
        })
    return claims_of_item(conn, item_id=item_id)


def claims_of_item(conn: Conn, *, item_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(load("claims").claims_of_item, {"item_id": item_id}).fetchall()


def get_claim(conn: Conn, *, claim_id: UUID) -> dict[str, Any] | None:
    return conn.execute(load("claims").get_claim, {"id": claim_id}).fetchone()


def earlier_claims_of_patient(conn: Conn, *, claim_id: UUID, unit_id: UUID,
                              patient_id: str) -> list[Claim]:
    """The same patient's claims that arrived before this one (in this unit)."""
    rows = conn.execute(load("claims").earlier_claims_of_patient,
                        {"id": claim_id, "unit_id": unit_id, "patient_id": patient_id}).fetchall()
    return [Claim.model_validate(r["payload"]) for r in rows]


def find_claims(conn: Conn, *, unit_id: UUID, claim_key: str) -> list[dict[str, Any]]:
    """The unit's stored claims with this claim id (patient control number), newest first."""
    return conn.execute(load("claims").find_claims, {"unit_id": unit_id, "claim_key": claim_key}).fetchall()
