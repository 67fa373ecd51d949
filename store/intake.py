"""Repository for intake: the patient registry, document parts, embeddings (pgvector) and filings."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import numpy as np
from psycopg.types.json import Jsonb

from models.patients import Patient, RegistryRecord
from store.db import Conn, fetch_one
from store.queries import load


def _vector(v: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.6f}" for x in v.tolist()) + "]"


def register_patients(conn: Conn, *, org_id: UUID, patients: list[Patient],
                      source: str | None = None) -> int:
    """Add patients the registry does not know (by MRN); known ones are left as they are."""
    Q = load("intake")
    with conn.cursor() as cur:
        cur.executemany(Q.upsert_patient, [{
            "id": uuid4(), "org_id": org_id, "mrn": p.id, "given_name": p.given_name, "family_name": p.family_name,
            "birth_date": p.birth_date, "sex": p.sex, "member_id": p.member_id, "payer": p.payer,
            "language": p.language, "race_ethnicity": p.race_ethnicity, "distance_km": p.distance_km,
            "has_transport": p.has_transport, "phone": p.phone, "source": source,
        } for p in patients])
    return len(patients)


# Fields an import may fill or change without a conflict; birth date and sex identify the person, so a
# different value there is a conflict (unless the registry only had a placeholder from appointments).
_IMPORT_FIELDS = ("given_name", "family_name", "member_id", "payer", "language", "race_ethnicity", "phone",
                  "distance_km", "has_transport")
PLACEHOLDER_SOURCE = "appointments"


def import_registry_records(conn: Conn, *, org_id: UUID, records: list[tuple[str, RegistryRecord]],
                            source: str) -> tuple[int, int, int, list[str]]:
    """Insert new patients and update known ones from an import (idempotent: the same file twice
    changes nothing). Returns (new, updated, unchanged, conflicts by place in the file)."""
    Q = load("intake")
    existing = {r["mrn"]: r for r in conn.execute(
        Q.patients_for_import, {"org_id": org_id, "mrns": sorted({r.mrn for _, r in records})}).fetchall()}
    new = updated = unchanged = 0
    conflicts: list[str] = []
    seen: dict[str, RegistryRecord] = {}
    for where, rec in records:
        if rec.mrn in seen:
            if seen[rec.mrn] != rec:
                conflicts.append(f"{where}: the same MRN appears earlier in the file with other details")
            continue
        seen[rec.mrn] = rec
        old = existing.get(rec.mrn)
        fields = rec.model_dump()
        if old is None:
            conn.execute(Q.upsert_patient, {**fields, "id": uuid4(), "org_id": org_id, "source": source})
            new += 1
            continue
        placeholder = (old["source"] or "").startswith(PLACEHOLDER_SOURCE) and not old["given_name"]
        if not placeholder and (old["birth_date"] != rec.birth_date or old["sex"] != rec.sex):
            what = "birth date" if old["birth_date"] != rec.birth_date else "sex"
            conflicts.append(f"{where}: {what} differs from the registry's record with that MRN (not changed)")
            continue
        merged = {k: fields[k] if fields[k] not in (None, "") else old[k] for k in _IMPORT_FIELDS}
        merged.update(birth_date=rec.birth_date, sex=rec.sex)
        if all(merged[k] == old[k] for k in merged) and not placeholder:
            unchanged += 1
            continue
        conn.execute(Q.update_registry_patient, {**merged, "mrn": rec.mrn, "org_id": org_id, "source": source})
        updated += 1
    return new, updated, unchanged, conflicts


def patients_by_mrn(conn: Conn, *, org_id: UUID, mrns: list[str]) -> list[Patient]:
    rows = conn.execute(load("intake").patients_by_mrn, {"org_id": org_id, "mrns": mrns}).fetchall()
    return [Patient(id=r.pop("mrn"), **{k: v for k, v in r.items() if v is not None}) for r in rows]


MAX_CANDIDATES = 5000


def patient_candidates(conn: Conn, *, org_id: UUID, birth_date: str | date | None = None, mrn: str | None = None,
                       member_id: str | None = None) -> list[dict[str, Any]]:
    """Every registered patient sharing a date of birth, an MRN or a member ID with the document:
    identifier matches first, then by name (bounded by MAX_CANDIDATES only as a safety net)."""
    return conn.execute(load("intake").patient_candidates,
                        {"org_id": org_id, "birth_date": birth_date, "mrn": mrn, "member_id": member_id,
                         "limit": MAX_CANDIDATES}).fetchall()


def get_patient(conn: Conn, *, patient_id: UUID) -> dict[str, Any] | None:
    return conn.execute(load("intake").get_patient, {"id": patient_id}).fetchone()


def insert_part(conn: Conn, *, item_id: UUID, part_no: int, text: str, page_start: int | None,
                page_end: int | None, ocr_confidence: float | None, degraded: bool, degraded_reason: str | None) -> UUID:
    """Store a document part once; re-running the same item returns the part stored first."""
    Q = load("intake")
    conn.execute(Q.insert_part, {"id": uuid4(), "item_id": item_id, "part_no": part_no, "page_start": page_start,
                                 "page_end": page_end, "text": text, "ocr_confidence": ocr_confidence,
                                 "degraded": degraded, "degraded_reason": degraded_reason})
    part_id: UUID = next(p["id"] for p in parts_of_item(conn, item_id=item_id) if p["part_no"] == part_no)
    return part_id


def parts_of_item(conn: Conn, *, item_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(load("intake").parts_of_item, {"item_id": item_id}).fetchall()


def get_part(conn: Conn, *, part_id: UUID) -> dict[str, Any] | None:
    return conn.execute(load("intake").get_part, {"id": part_id}).fetchone()


def insert_embedding(conn: Conn, *, part_id: UUID, unit_id: UUID, patient_id: UUID | None,
                     doc_type: str | None, embedding: np.ndarray) -> None:
    conn.execute(load("intake").insert_embedding, {"part_id": part_id, "unit_id": unit_id, "patient_id": patient_id,
                                                   "doc_type": doc_type, "embedding": _vector(embedding)})


def similar_parts_of_patient(conn: Conn, *, part_id: UUID, patient_id: UUID, embedding: np.ndarray,
                             days: int = 30) -> list[dict[str, Any]]:
    return conn.execute(load("intake").similar_parts_of_patient,
                        {"part_id": part_id, "patient_id": patient_id, "embedding": _vector(embedding), "days": days}).fetchall()


def similar_resolved(conn: Conn, *, part_id: UUID, unit_id: UUID, embedding: np.ndarray | str,
                     limit: int = 3) -> list[dict[str, Any]]:
    """The `limit` resolved cases of `unit_id` nearest to `embedding` (never fewer while the unit has
    that many): through the unit's own HNSW index, exact when the index comes back short."""
    Q = load("intake")
    vec = embedding if isinstance(embedding, str) else _vector(embedding)
    params = {"part_id": part_id, "unit_id": unit_id, "embedding": vec, "limit": limit}
    rows = conn.execute(Q.similar_resolved, params).fetchall()
    if len(rows) < limit and fetch_one(conn.execute(Q.resolved_count, params))["n"] > len(rows):
        rows = conn.execute(Q.similar_resolved_exact, params).fetchall()
    return rows


def insert_filing(conn: Conn, *, part_id: UUID, suggestion_id: UUID, decision_id: UUID | None,
                  value: dict[str, Any], queue: str, filed_by: str) -> None:
    conn.execute(load("intake").insert_filing, {"id": uuid4(), "part_id": part_id, "suggestion_id": suggestion_id,
                                                "decision_id": decision_id, "value": Jsonb(value), "queue": queue,
                                                "filed_by": filed_by})


def filings_of_part(conn: Conn, *, part_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(load("intake").filings_of_part, {"part_id": part_id}).fetchall()


def get_decision(conn: Conn, *, decision_id: UUID) -> dict[str, Any] | None:
    return conn.execute(load("intake").get_decision, {"id": decision_id}).fetchone()


def reviewed_parts(conn: Conn) -> list[tuple[str, str, str]]:
    """(text, doc_type, urgency) as reviewers finally decided them."""
    out = []
    for r in conn.execute(load("intake").reviewed_parts).fetchall():
        new = r["new_value"] or {}
        doc_type = new.get("doc_type") or r["suggested_doc_type"]
        urgency = new.get("urgency") or r["suggested_urgency"]
        if doc_type and urgency:
            out.append((r["text"], doc_type, urgency))
    return out


def similar_resolved_to_part(conn: Conn, *, part_id: UUID, limit: int = 3) -> list[dict[str, Any]]:
    """Resolved cases of the part's unit nearest to it (by its stored embedding)."""
    me = conn.execute(load("intake").embedding_of_part, {"part_id": part_id}).fetchone()
    if me is None:
        return []
    return similar_resolved(conn, part_id=part_id, unit_id=me["unit_id"], embedding=me["embedding"], limit=limit)


def insert_page_words(conn: Conn, *, item_id: UUID, page_no: int, words: list[dict[str, Any]]) -> None:
    """The OCR words of a fax page with their boxes (fractions of the page), once."""
    conn.execute(load("intake").insert_page_words, {"item_id": item_id, "page_no": page_no, "words": Jsonb(words)})


def page_words(conn: Conn, *, item_id: UUID, page_no: int) -> list[dict[str, Any]] | None:
    row = conn.execute(load("intake").page_words, {"item_id": item_id, "page_no": page_no}).fetchone()
    return row["words"] if row else None
