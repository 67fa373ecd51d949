"""The append-only audit log: writing events and PHI reads, verifying the hash chain, anchoring it.

Rows are chained by a trigger (migration 003); this module recomputes the chain independently of
the database's own functions, so a tampered function cannot vouch for tampered rows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from psycopg.types.json import Jsonb

from store.db import Conn, fetch_one
from store.queries import load

# Every table whose rows are in the chain; a test checks this against the triggers in the database.
LOG_TABLES = (
    "audit_events",
    "decisions",
    "phi_reads",
    "policy_versions",
    "review_events",
    "routes",
    "suggestions",
)
GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    table: str
    problem: str

    def __str__(self) -> str:
        return f"row seq={self.seq} in {self.table}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    rows: int
    head_seq: int
    head_hash: str
    first_problem: ChainProblem | None = None


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str

    def to_json(self) -> str:
        return json.dumps({"seq": self.seq, "hash": self.hash})

    @classmethod
    def from_json(cls, text: str) -> "Anchor":
        data = json.loads(text)
        return cls(seq=int(data["seq"]), hash=str(data["hash"]))


def row_hash(table: str, canonical: str) -> str:
    return hashlib.sha256(f"{table}:{canonical}".encode()).hexdigest()


def record_event(
    conn: Conn,
    *,
    actor: str,
    action: str,
    unit_id: UUID | None = None,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append an audit event (no PHI in `detail`); returns its chain sequence number."""
    row = fetch_one(conn.execute(
        load("audit").insert_audit_event,
        {
            "id": uuid4(),
            "actor": actor,
            "unit_id": unit_id,
            "action": action,
            "subject": subject,
            "detail": Jsonb(detail or {}),
        },
    ))
    return int(row["seq"])


def record_phi_read(
    conn: Conn,
    *,
    actor: str,
    subject: str,
    purpose: str,
    unit_id: UUID | None = None,
    fields: list[str] | None = None,
) -> int:
    row = fetch_one(conn.execute(
        load("audit").insert_phi_read,
        {"id": uuid4(), "actor": actor, "unit_id": unit_id, "subject": subject, "purpose": purpose, "fields": fields or []},
    ))
    return int(row["seq"])


def verify_chain(conn: Conn, *, anchor: Anchor | None = None) -> ChainReport:
    """Walk every log row in sequence order and recompute the chain.

    Detects an edited row (its hash no longer matches), a deleted row (a gap in seq, and the next
    row's prev_hash names a hash nobody has), an inserted row (its prev_hash or seq does not fit)
    and reordering (seq is inside the hashed content). A rewrite of the whole chain, or deleting
    its newest rows, is caught by comparing with an `anchor` taken earlier.
    """
    Q = load("audit")
    expected_prev = GENESIS_HASH
    expected_seq = 1
    rows = 0
    problem: ChainProblem | None = None
    anchor_seen = anchor is None
    with conn.transaction():
        conn.execute(Q.set_utc)
        with conn.cursor(name="audit_chain_walk") as cur:
            cur.itersize = 2000
            cur.execute(Q.chain_rows)
            for r in cur:
                rows += 1
                seq, table = r["seq"], r["tbl"]
                if problem is None:
                    if seq != expected_seq:
                        what = "missing" if seq > expected_seq else "duplicated or out of order"
                        problem = ChainProblem(seq, table, f"expected seq {expected_seq}: rows {what}")
                    elif r["prev_hash"] != expected_prev:
                        problem = ChainProblem(seq, table, "prev_hash does not match the previous row (a row was deleted, inserted or reordered)")
                    elif row_hash(table, r["canonical"]) != r["row_hash"]:
                        problem = ChainProblem(seq, table, "content does not match its hash (the row was edited)")
                if anchor is not None and seq == anchor.seq:
                    anchor_seen = True
                    if r["row_hash"] != anchor.hash and problem is None:
                        problem = ChainProblem(seq, table, "hash differs from the anchor (the chain was rewritten)")
                expected_prev = r["row_hash"]
                expected_seq = seq + 1
        head = fetch_one(conn.execute(Q.chain_head))
    last_seq = expected_seq - 1
    if problem is None and anchor is not None and not anchor_seen:
        problem = ChainProblem(anchor.seq, "?", f"the anchored row is gone (chain ends at seq {last_seq})")
    if problem is None and (head["seq"] != last_seq or head["hash"] != expected_prev):
        problem = ChainProblem(
            head["seq"], "audit_head", f"the chain head says seq {head['seq']} but the rows end at seq {last_seq}"
        )
    return ChainReport(ok=problem is None, rows=rows, head_seq=last_seq, head_hash=expected_prev, first_problem=problem)


def current_anchor(conn: Conn) -> Anchor:
    head = fetch_one(conn.execute(load("audit").chain_head))
    return Anchor(seq=head["seq"], hash=head["hash"])


def list_events(conn: Conn, *, action: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    return conn.execute(load("audit").list_audit_events, {"action": action, "limit": limit}).fetchall()


def protected_tables(conn: Conn) -> list[str]:
    return [r["tbl"] for r in conn.execute(load("audit").protected_tables).fetchall()]
