"""The append-only audit log: writing events and PHI reads, verifying the hash chain, anchoring it.

Rows are chained by a trigger (migrations 003 and 080); this module recomputes the chain independently
of the database's own functions, so a tampered function cannot vouch for tampered rows.

The chain is one sequence up to the fork (migration 080), then `shards` chains that each start at the
fork's hash: a row's seq % shards names its chain. Verification walks every log table in seq order
and checks each row against the previous row of its own chain. An anchor is the head of every chain
at one instant with no append in flight; a later verify can start from it (incremental) instead of
from the first row, and an anchor kept off the database's machine catches a rewrite of the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from psycopg import sql
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row
from psycopg.types.json import Jsonb

from store.db import Conn, fetch_one
from store.queries import load

# Every table whose rows are in the chain; a test checks this against the triggers in the database.
# The verifier walks these and any other table the database has put in the chain (audit_protect), so
# adding a log table stays one line of migration: SELECT audit_protect('the_table');
LOG_TABLES = (
    "audit_events",
    "decisions",
    "phi_reads",
    "policy_versions",
    "referral_case_events",
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
    anchor: "Anchor | None" = None  # the heads this verification reached (None when it failed)
    incremental: bool = False


@dataclass(frozen=True)
class Anchor:
    """The chain's heads at one instant: `seq` is the highest seq covered, `heads` the (seq, hash)
    of every shard's last row, and `hash` a digest of them. An anchor written before the fork (or by
    an older Handoff) has no heads: `seq` and `hash` name one row."""

    seq: int
    hash: str
    heads: tuple[tuple[int, str], ...] = field(default=())

    def to_json(self) -> str:
        data: dict[str, Any] = {"seq": self.seq, "hash": self.hash}
        if self.heads:
            data["heads"] = [list(h) for h in self.heads]
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> "Anchor":
        data = json.loads(text)
        heads = tuple((int(s), str(h)) for s, h in data.get("heads", ()))
        return cls(seq=int(data["seq"]), hash=str(data["hash"]), heads=heads)

    @classmethod
    def of_heads(cls, heads: list[tuple[int, str]]) -> "Anchor":
        heads_t = tuple((int(s), str(h)) for s, h in heads)
        digest = hashlib.sha256(json.dumps([list(h) for h in heads_t]).encode()).hexdigest()
        return cls(seq=max(s for s, _ in heads_t), hash=digest, heads=heads_t)


@dataclass(frozen=True)
class ChainConfig:
    shards: int
    fork_seq: int
    fork_hash: str


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


def chain_config(conn: Conn) -> ChainConfig:
    r = fetch_one(conn.execute(load("audit").chain_config))
    return ChainConfig(shards=r["shards"], fork_seq=r["fork_seq"], fork_hash=r["fork_hash"])


def _commit_open_transaction(conn: Conn) -> None:
    # An anchor must be taken in a short transaction of its own: its locks hold appends off until
    # it ends. The caller's pending work (if any) is committed first.
    if conn.info.transaction_status != TransactionStatus.IDLE and not conn.autocommit:
        conn.commit()


def take_anchor(conn: Conn, *, record: bool = False, verified: bool = False) -> Anchor:
    """The heads of every chain shard, read after every append in flight has committed (a brief
    wait), so the anchor covers exactly the rows with seq <= anchor.seq. `record` keeps it in
    audit_anchors (the newest verified one is where `verify_chain(incremental=True)` starts)."""
    Q = load("audit")
    _commit_open_transaction(conn)
    with conn.transaction():
        heads = [(r["seq"], r["hash"]) for r in conn.execute(Q.lock_chain_heads).fetchall()]
    anchor = Anchor.of_heads(heads)
    if record:
        _record_anchor(conn, anchor, verified=verified)
    return anchor


def _record_anchor(conn: Conn, anchor: Anchor, *, verified: bool) -> None:
    _commit_open_transaction(conn)
    with conn.transaction():
        conn.execute(load("audit").insert_anchor, {
            "shards": len(anchor.heads), "max_seq": anchor.seq, "heads": Jsonb([list(h) for h in anchor.heads]),
            "verified": verified})


def current_anchor(conn: Conn) -> Anchor:
    """Print-and-keep form of `take_anchor` (`handoff audit anchor`)."""
    return take_anchor(conn, record=True, verified=False)


def last_verified_anchor(conn: Conn) -> Anchor | None:
    r = conn.execute(load("audit").last_verified_anchor).fetchone()
    if r is None:
        return None
    return Anchor.of_heads([(s, h) for s, h in r["heads"]])


def chain_tables(conn: Conn) -> list[str]:
    """The known log tables and any other table the database chains (so none can be left out)."""
    return sorted(set(LOG_TABLES) | set(protected_tables(conn)))


def _chain_rows_query(tables: list[str], template: str) -> sql.Composed:
    parts = [sql.SQL(template).format(name=sql.Literal(t), tbl=sql.Identifier(t)) for t in tables]
    return sql.SQL(" UNION ALL ").join(parts)


def verify_chain(conn: Conn, *, anchor: Anchor | None = None, incremental: bool = False,
                 since: Anchor | None = None, record: bool = True) -> ChainReport:
    """Walk the log rows in seq order and recompute the chain, up to a fresh anchor taken first.

    Detects an edited row (its hash no longer matches), a deleted row (the next row of its chain
    names a hash nobody has, or a chain ends short of its head), an inserted row (its prev_hash does
    not fit, or the row after it no longer fits) and reordering (seq is inside the hashed content).
    A rewrite of the whole chain, or deleting its newest rows, is caught by comparing with an
    `anchor` taken earlier and kept elsewhere.

    `incremental`: walk only the rows after `since` (default: the newest anchor this function
    recorded after a successful walk, else a full walk), after checking that anchor's head rows
    still hold their hashes. On success the reached heads are recorded as a verified anchor.
    """
    Q = load("audit")
    cfg = chain_config(conn)
    upto = take_anchor(conn)
    start: Anchor | None = None
    if incremental:
        start = since or last_verified_anchor(conn)
        if start is not None and (len(start.heads) != cfg.shards or start.seq > upto.seq):
            start = None  # from another shard layout or another database: walk everything
    tables = chain_tables(conn)
    n = cfg.shards
    problem: ChainProblem | None = None
    rows = 0
    seen_at: dict[int, str] = {}
    watch = {anchor.seq} | {s for s, _ in anchor.heads} if anchor is not None else set()
    if start is not None:
        problem = _check_head_rows(conn, tables, cfg, start, what="the anchor verify started from")
        tails = [h for _, h in start.heads]
        last = [s for s, _ in start.heads]
        after = start.seq
    else:
        tails = [cfg.fork_hash] * n
        last = [cfg.fork_seq] * n
        after = 0
    legacy_prev, legacy_next = GENESIS_HASH, 1
    with conn.transaction():
        conn.execute(Q.set_utc)
        with conn.cursor(name="audit_chain_walk", row_factory=tuple_row) as cur:
            cur.itersize = 5000
            query = _chain_rows_query(tables, Q.chain_rows_of_table) + sql.SQL(" ORDER BY seq")
            cur.execute(query, {"after": after, "upto": upto.seq})
            for seq, table, prev_hash, stored_hash, canonical in cur:
                if problem is not None:
                    break
                rows += 1
                if seq in watch:
                    seen_at[seq] = stored_hash
                if seq <= cfg.fork_seq:  # the single chain written before the fork
                    if seq != legacy_next:
                        what = "missing" if seq > legacy_next else "duplicated or out of order"
                        problem = ChainProblem(seq, table, f"expected seq {legacy_next}: rows {what}")
                    elif prev_hash != legacy_prev:
                        problem = ChainProblem(seq, table, "prev_hash does not match the previous row "
                                               "(a row was deleted, inserted or reordered)")
                    elif _hash(table, canonical) != stored_hash:
                        problem = ChainProblem(seq, table, "content does not match its hash (the row was edited)")
                    legacy_prev, legacy_next = stored_hash, seq + 1
                    if seq == cfg.fork_seq and problem is None and stored_hash != cfg.fork_hash:
                        problem = ChainProblem(seq, table, "the last row before the fork differs from the fork hash")
                    continue
                shard = seq % n
                if prev_hash != tails[shard]:
                    problem = ChainProblem(seq, table, f"prev_hash does not match the previous row of chain {shard}: "
                                           "a row is missing (deleted), or one was inserted or reordered")
                elif _hash(table, canonical) != stored_hash:
                    problem = ChainProblem(seq, table, "content does not match its hash (the row was edited)")
                tails[shard], last[shard] = stored_hash, seq
    if problem is None and start is None and cfg.fork_seq and legacy_next - 1 != cfg.fork_seq:
        problem = ChainProblem(cfg.fork_seq, "audit_chain_config",
                               f"the chain before the fork ends at seq {legacy_next - 1}, not at {cfg.fork_seq}")
    if problem is None:
        for shard, ((head_seq, head_hash), tail_seq, tail_hash) in enumerate(zip(upto.heads, last, tails, strict=True)):
            if (head_seq, head_hash) != (tail_seq, tail_hash):
                problem = ChainProblem(head_seq, "audit_heads", f"the head of chain {shard} says seq {head_seq} "
                                       f"but its rows end at seq {tail_seq} (rows were deleted or the head was changed)")
                break
    if problem is None and anchor is not None:
        problem = _compare_with_anchor(anchor, upto, seen_at, cfg, incremental=start is not None)
    ok = problem is None
    if ok and record:
        _record_anchor(conn, upto, verified=True)
    _commit_open_transaction(conn)  # a read-only walk: end it rather than leave it open
    return ChainReport(ok=ok, rows=rows, head_seq=upto.seq, head_hash=upto.hash, first_problem=problem,
                       anchor=upto if ok else None, incremental=start is not None)


def _hash(table: str, canonical: str) -> str:
    return hashlib.sha256(f"{table}:{canonical}".encode()).hexdigest()


def _check_head_rows(conn: Conn, tables: list[str], cfg: ChainConfig, start: Anchor,
                     *, what: str) -> ChainProblem | None:
    """Each head of `start` must still be a row with that hash (or the untouched fork)."""
    seqs = sorted({s for s, _ in start.heads if s > cfg.fork_seq})
    found: dict[int, str] = {}
    if seqs:
        query = _chain_rows_query(tables, load("audit").row_hash_at_seq_of_table)
        for r in conn.execute(query, {"seqs": seqs}).fetchall():
            found[r["seq"]] = r["row_hash"]
    for shard, (seq, h) in enumerate(start.heads):
        if seq <= cfg.fork_seq:
            if h != cfg.fork_hash:
                return ChainProblem(seq, "audit_anchors", f"{what} names a chain {shard} head before the fork")
        elif found.get(seq) != h:
            gone = "is gone" if seq not in found else "has a different hash (the row was edited)"
            return ChainProblem(seq, "?", f"the head of chain {shard} in {what} {gone}")
    return None


def _compare_with_anchor(anchor: Anchor, upto: Anchor, seen_at: dict[int, str], cfg: ChainConfig,
                         *, incremental: bool) -> ChainProblem | None:
    if anchor.seq > upto.seq:
        return ChainProblem(anchor.seq, "?", f"the anchored row is gone (chain ends at seq {upto.seq})")
    points = list(anchor.heads) if anchor.heads else [(anchor.seq, anchor.hash)]
    for seq, h in points:
        if seq == 0 or (anchor.heads and seq <= cfg.fork_seq and h == cfg.fork_hash):
            continue
        if seq not in seen_at:
            if incremental:
                continue  # before where this walk started: checked by a full verify
            return ChainProblem(seq, "?", f"the anchored row is gone (no row has seq {seq})")
        if seen_at[seq] != h:
            return ChainProblem(seq, "?", "hash differs from the anchor (the chain was rewritten)")
    return None


def set_shards(conn: Conn, *, shards: int) -> None:
    """Change how many chains appends spread over; only while nothing was appended since the fork
    (a fresh database: benchmarks compare one chain, as before migration 080, with many)."""
    Q = load("audit")
    if not 1 <= shards <= 256:
        raise ValueError("shards must be between 1 and 256")
    with conn.transaction():
        if fetch_one(conn.execute(Q.rows_since_fork))["moved"]:
            raise ValueError("rows were appended since the fork; the shard count can no longer change")
        conn.execute(Q.set_shards, {"shards": shards})
        conn.execute(Q.delete_heads)
        conn.execute(Q.insert_heads, {"shards": shards})
        conn.execute(Q.reset_seq, {"shards": shards})


def list_events(conn: Conn, *, action: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    return conn.execute(load("audit").list_audit_events, {"action": action, "limit": limit}).fetchall()


def protected_tables(conn: Conn) -> list[str]:
    return [r["tbl"] for r in conn.execute(load("audit").protected_tables).fetchall()]
