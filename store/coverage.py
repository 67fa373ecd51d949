"""Repository for coverage and authorizations as records: payer profiles, the coverage registry (271
and 834 observations), the 270 inquiries written, and prior authorizations. Insert-only tables;
the latest row wins."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from psycopg.types.json import Jsonb

from models.claims import PayerRules
from models.revenue import PayerProfile, PriorAuthorization, PriorAuthorizationIn
from store.db import Conn, fetch_one
from store.queries import load


def set_payer_profile(conn: Conn, *, org_id: UUID, profile: PayerProfile, changed_by: str) -> None:
    conn.execute(load("coverage").insert_payer_profile, {
        "id": uuid4(), "org_id": org_id, "payer_id": profile.payer_id, "name": profile.name,
        "category": profile.category, "rules": Jsonb(profile.rules.model_dump(mode="json")), "changed_by": changed_by})


def payer_profiles(conn: Conn, *, org_id: UUID) -> list[PayerProfile]:
    rows = conn.execute(load("coverage").latest_payer_profiles, {"org_id": org_id}).fetchall()
    return [PayerProfile(payer_id=r["payer_id"], name=r["name"], category=r["category"],
                         rules=PayerRules.model_validate(r["rules"])) for r in rows]


def payer_profile(conn: Conn, *, org_id: UUID, payer_id: str) -> PayerProfile | None:
    return next((p for p in payer_profiles(conn, org_id=org_id) if p.payer_id == payer_id), None)


def insert_coverage(conn: Conn, *, org_id: UUID, unit_id: UUID | None, payer_id: str, member_id: str,
                    status: str, source: str, plan: str | None = None, coverage_start: date | None = None,
                    coverage_end: date | None = None, given_name: str | None = None, family_name: str | None = None,
                    birth_date: date | None = None, sex: str | None = None, dependent: bool = False,
                    auth_required_service_types: list[str] | None = None, detail: dict[str, Any] | None = None,
                    source_item_id: UUID | None = None, trace_number: str | None = None,
                    as_of: date | None = None) -> UUID:
    cur = conn.execute(load("coverage").insert_coverage_record, {
        "id": uuid4(), "org_id": org_id, "unit_id": unit_id, "payer_id": payer_id, "member_id": member_id,
        "status": status, "plan": plan, "coverage_start": coverage_start, "coverage_end": coverage_end,
        "given_name": given_name, "family_name": family_name, "birth_date": birth_date, "sex": sex, "dependent": dependent,
        "auth_required_service_types": auth_required_service_types or [], "detail": Jsonb(detail or {}),
        "source": source, "source_item_id": source_item_id, "trace_number": trace_number, "as_of": as_of,
    })
    row = fetch_one(cur)
    new_id: UUID = row["id"]
    return new_id


def latest_coverage(conn: Conn, *, org_id: UUID, payer_id: str, member_id: str,
                    dependent: bool = False, birth_date: date | None = None) -> dict[str, Any] | None:
    """The latest observation of this person's coverage: the subscriber's own rows, or (for a
    dependent) the rows of the dependent with this birth date, falling back to the newest row."""
    rows = conn.execute(load("coverage").coverage_history,
                        {"org_id": org_id, "payer_id": payer_id, "member_id": member_id}).fetchall()
    if not rows:
        return None
    if dependent:
        mine = [r for r in rows if r["dependent"] and (birth_date is None or r["birth_date"] in (None, birth_date))]
    else:
        mine = [r for r in rows if not r["dependent"]]
    return (mine or rows)[0]


def coverage_of_members(conn: Conn, *, org_id: UUID, member_ids: list[str]) -> list[dict[str, Any]]:
    if not member_ids:
        return []
    return conn.execute(load("coverage").coverage_of_members, {"org_id": org_id, "member_ids": member_ids}).fetchall()


def list_coverage(conn: Conn, *, org_id: UUID, limit: int = 200) -> list[dict[str, Any]]:
    return conn.execute(load("coverage").list_coverage, {"org_id": org_id, "limit": limit}).fetchall()


def insert_eligibility_request(conn: Conn, *, unit_id: UUID, appointment_id: str, appointment_day: date,
                               patient_mrn: str, payer_id: str | None, member_id: str | None,
                               trace_number: str | None, problem: str | None, file_name: str | None,
                               created_by: str) -> None:
    conn.execute(load("coverage").insert_eligibility_request, {
        "id": uuid4(), "unit_id": unit_id, "appointment_id": appointment_id, "appointment_day": appointment_day,
        "patient_mrn": patient_mrn, "payer_id": payer_id, "member_id": member_id, "trace_number": trace_number,
        "problem": problem, "file_name": file_name, "created_by": created_by})


def eligibility_requests_for_day(conn: Conn, *, unit_id: UUID, day: date) -> list[dict[str, Any]]:
    return conn.execute(load("coverage").eligibility_requests_for_day, {"unit_id": unit_id, "day": day}).fetchall()


def appointments_for_eligibility(conn: Conn, *, org_id: UUID, unit_id: UUID, day: date) -> list[dict[str, Any]]:
    return conn.execute(load("coverage").appointments_for_eligibility,
                        {"org_id": org_id, "unit_id": unit_id, "day": day}).fetchall()


def _auth_sha(auth: PriorAuthorizationIn) -> str:
    canonical = json.dumps(auth.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def insert_prior_auth(conn: Conn, *, org_id: UUID, unit_id: UUID | None, auth: PriorAuthorizationIn,
                      source: str, source_ref: str | None, recorded_by: str) -> bool:
    """Keep an authorization; False when the same content was already recorded (idempotent import)."""
    row = conn.execute(load("coverage").insert_prior_auth, {
        "id": uuid4(), "org_id": org_id, "unit_id": unit_id, "number": auth.number, "payer_id": auth.payer_id,
        "member_id": auth.member_id, "codes": auth.codes, "units_authorized": auth.units_authorized,
        "start_date": auth.start, "end_date": auth.end, "provider_npi": auth.provider_npi,
        "patient_mrn": auth.patient_mrn, "source": source, "source_ref": source_ref,
        "content_sha256": _auth_sha(auth), "recorded_by": recorded_by}).fetchone()
    return row is not None


def prior_auths(conn: Conn, *, org_id: UUID, payer_id: str | None = None, member_id: str | None = None,
                limit: int = 500) -> list[PriorAuthorization]:
    """The latest version of each authorization, with the units already billed against it."""
    rows = conn.execute(load("coverage").prior_auths, {"org_id": org_id, "payer_id": payer_id, "member_id": member_id,
                                                       "limit": limit}).fetchall()
    return [PriorAuthorization(**r) for r in rows]


def eligibility_request_by_trace(conn: Conn, *, trace_number: str) -> dict[str, Any] | None:
    return conn.execute(load("coverage").eligibility_request_by_trace, {"trace_number": trace_number}).fetchone()


def lock_key(conn: Conn, *, key: str) -> None:
    """Hold a transaction-scoped advisory lock on `key` until the caller's transaction ends."""
    conn.execute(load("coverage").lock_key, {"key": key})
