"""Repository for claims as received and as corrected (insert-only versions), and what happened to each
version (claim events: ready to submit, waiting for a biller, held with a reason, corrected)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from psycopg.types.json import Jsonb

from models.claims import Claim, ClaimContext
from store.db import Conn
from store.queries import load

CLAIM_EVENTS = ("ready", "review", "held", "corrected")


def _insert(conn: Conn, *, unit_id: UUID, item_id: UUID, claim: Claim, context: ClaimContext,
            version: int, corrects: UUID | None, decision_id: UUID | None) -> None:
    conn.execute(load("claims").insert_claim, {
        "id": uuid4(), "unit_id": unit_id, "inbound_item_id": item_id, "claim_key": claim.id,
        "patient_id": claim.patient.id, "billing_npi": claim.billing_npi, "payer_id": claim.coverage.payer_id,
        "first_service_date": claim.first_service_date, "total_charge": claim.total_charge,
        "payload": Jsonb(claim.model_dump(mode="json")), "context": Jsonb(context.model_dump(mode="json")),
        "version": version, "corrects": corrects, "decision_id": decision_id,
    })


def insert_claims(conn: Conn, *, unit_id: UUID, item_id: UUID,
                  claims: list[tuple[Claim, ClaimContext]]) -> list[dict[str, Any]]:
    for claim, context in claims:
        _insert(conn, unit_id=unit_id, item_id=item_id, claim=claim, context=context, version=1, corrects=None,
                decision_id=None)
    return claims_of_item(conn, item_id=item_id)


def insert_corrected_version(conn: Conn, *, previous: dict[str, Any], claim: Claim,
                             decision_id: UUID) -> dict[str, Any]:
    """A biller's correction of `previous` (a claims row) as the next version of the same claim; the
    same decision applied twice gives the same version (idempotent)."""
    Q = load("claims")
    next_version = previous["version"] + 1
    _insert(conn, unit_id=previous["unit_id"], item_id=previous["inbound_item_id"], claim=claim,
            context=ClaimContext.model_validate(previous["context"]), version=next_version,
            corrects=previous["id"], decision_id=decision_id)
    row = conn.execute(Q.get_claim_version, {"inbound_item_id": previous["inbound_item_id"],
                                             "claim_key": previous["claim_key"], "version": next_version}).fetchone()
    stored = get_claim(conn, claim_id=row["id"]) if row is not None else None
    if stored is None:  # cannot happen: inserted (or there already) in this transaction
        raise RuntimeError(f"claim {previous['claim_key']} version {next_version} was not stored")
    return stored


def claims_of_item(conn: Conn, *, item_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(load("claims").claims_of_item, {"item_id": item_id}).fetchall()


def get_claim(conn: Conn, *, claim_id: UUID) -> dict[str, Any] | None:
    return conn.execute(load("claims").get_claim, {"id": claim_id}).fetchone()


def earlier_claims_of_patient(conn: Conn, *, claim_id: UUID, unit_id: UUID,
                              patient_id: str) -> list[Claim]:
    """The same patient's other claims that arrived before this one (in this unit), latest versions."""
    rows = conn.execute(load("claims").earlier_claims_of_patient,
                        {"id": claim_id, "unit_id": unit_id, "patient_id": patient_id}).fetchall()
    return [Claim.model_validate(r["payload"]) for r in rows]


def record_claim_event(conn: Conn, *, claim_id: UUID, unit_id: UUID, event: str, actor: str,
                       reason_code: str | None = None, note: str | None = None,
                       decision_id: UUID | None = None) -> None:
    if event not in CLAIM_EVENTS:
        raise ValueError(f"event: one of {', '.join(CLAIM_EVENTS)}")
    conn.execute(load("claims").insert_claim_event, {
        "id": uuid4(), "claim_id": claim_id, "unit_id": unit_id, "event": event, "reason_code": reason_code,
        "note": note, "decision_id": decision_id, "actor": actor})


def claim_history(conn: Conn, *, inbound_item_id: UUID, claim_key: str) -> list[dict[str, Any]]:
    return conn.execute(load("claims").claim_events_of,
                        {"inbound_item_id": inbound_item_id, "claim_key": claim_key}).fetchall()


def claim_worklist(conn: Conn, *, unit_ids: list[UUID], status: str | None = None,
                   limit: int = 200) -> list[dict[str, Any]]:
    return conn.execute(load("claims").claim_worklist,
                        {"unit_ids": unit_ids, "status": status, "limit": limit}).fetchall()


def effects_of_decision(conn: Conn, *, decision_id: UUID) -> tuple[int, UUID | None]:
    """(claim events the decision wrote, the version it made or None)."""
    row = conn.execute(load("claims").effects_of_decision, {"decision_id": decision_id}).fetchone()
    if row is None:
        return 0, None
    return int(row["events"]), row["corrected_id"]


def find_claims(conn: Conn, *, unit_id: UUID, claim_key: str) -> list[dict[str, Any]]:
    """The unit's stored claims with this claim id (patient control number), newest first."""
    return conn.execute(load("claims").find_claims, {"unit_id": unit_id, "claim_key": claim_key}).fetchall()
