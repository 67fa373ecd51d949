"""The append-only log: the application cannot change it, and `handoff audit verify` detects every
kind of tampering done as superuser with the protecting triggers switched off."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from agents.gate import route_suggestion
from store import audit
from store import org as org_store
from store.db import connect
from tests.conftest import cli_env
from tests.factories import make_suggestion


@pytest.fixture
def populated(runtime, demo_org):
    """A chain with suggestions, routes, review events, policy versions and audit events."""
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        for conf in (0.99, 0.5, 0.98, 0.4):
            route_suggestion(conn, make_suggestion(unit.id, confidence=conf))
        audit.record_phi_read(conn, actor="nurse", subject="inbound:x", purpose="review")
        report = audit.verify_chain(conn)
    assert report.ok, report.first_problem
    assert report.rows > 30
    return runtime


def _tamper(db_url: str, *statements: str) -> None:
    """Run statements as superuser with all triggers disabled (session_replication_role)."""
    with connect(db_url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        for s in statements:
            conn.execute(s)


def _verify(runtime, anchor=None, incremental=False) -> audit.ChainReport:
    with runtime.pool.connection() as conn:
        return audit.verify_chain(conn, anchor=anchor, incremental=incremental)


def test_untampered_chain_verifies_and_cli_exits_zero(populated, settings):
    out = subprocess.run([sys.executable, "-m", "api.cli", "audit", "verify"], env=cli_env(settings),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "audit chain OK" in out.stdout


def test_edited_row_is_named(populated, settings):
    _tamper(settings.database_url, "UPDATE suggestions SET confidence = 0.99 WHERE confidence = 0.5")
    with connect(settings.database_url) as c:
        seq = c.execute("SELECT seq FROM suggestions WHERE confidence = 0.99 ORDER BY seq LIMIT 1 OFFSET 1").fetchone()
    report = _verify(populated)
    assert not report.ok
    assert report.first_problem.table == "suggestions"
    assert "edited" in report.first_problem.problem
    out = subprocess.run([sys.executable, "-m", "api.cli", "audit", "verify"], env=cli_env(settings),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert f"seq={report.first_problem.seq} in suggestions" in out.stdout
    assert seq is not None


def test_deleted_middle_row_is_detected(populated, settings):
    _tamper(settings.database_url, "DELETE FROM routes WHERE seq = (SELECT min(seq) FROM routes)")
    report = _verify(populated)
    assert not report.ok
    assert "missing" in report.first_problem.problem


def test_deleted_newest_row_is_detected(populated, settings):
    _tamper(settings.database_url, "DELETE FROM phi_reads")
    report = _verify(populated)
    assert not report.ok
    assert report.first_problem.table == "audit_heads"


def _rows_in_chain_order(c) -> list[dict]:
    parts = " UNION ALL ".join(f"SELECT seq, '{t}' AS tbl, prev_hash, row_hash FROM {t}" for t in audit.LOG_TABLES)
    return c.execute(f"SELECT * FROM ({parts}) x ORDER BY seq").fetchall()


def test_inserted_row_is_detected(populated, settings):
    # A forged row slotted into one chain right after its row X, with X's hash as its prev_hash and
    # a correct-looking hash of its own; the chain's later rows are moved up one place to make room.
    with connect(settings.database_url, autocommit=True) as c:
        shards = c.execute("SELECT shards FROM audit_chain_config").fetchone()["shards"]
        by_shard: dict[int, list[dict]] = {}
        for r in _rows_in_chain_order(c):
            by_shard.setdefault(r["seq"] % shards, []).append(r)
        shard, chain = next((k, v) for k, v in by_shard.items() if len(v) >= 2)
        x, following = chain[0], chain[1]
        c.execute("SET session_replication_role = replica")
        c.execute("SET timezone TO 'UTC'")
        later = [r for r in chain if r["seq"] >= following["seq"]]
        for step in (10**9, shards - 10**9):
            for t in audit.LOG_TABLES:
                c.execute(psycopg.sql.SQL("UPDATE {} SET seq = seq + %s WHERE seq = ANY(%s)").format(
                    psycopg.sql.Identifier(t)), (step, [r["seq"] + (0 if step > 0 else 10**9) for r in later]))
        c.execute("UPDATE audit_heads SET seq = seq + %s WHERE shard = %s", (shards, shard))
        c.execute("INSERT INTO audit_events (seq, prev_hash, row_hash, id, at, actor, action) "
                  "VALUES (%s, %s, '', gen_random_uuid(), now(), 'mallory', 'user.created')",
                  (following["seq"], x["row_hash"]))
        canonical = c.execute("SELECT (to_jsonb(t) - 'row_hash')::text AS c FROM audit_events t WHERE seq = %s",
                              (following["seq"],)).fetchone()["c"]
        c.execute("UPDATE audit_events SET row_hash = %s WHERE seq = %s",
                  (audit.row_hash("audit_events", canonical), following["seq"]))
    report = _verify(populated)
    assert not report.ok
    assert report.first_problem.seq == following["seq"] + shards


def test_reordered_rows_are_detected(populated, settings):
    with connect(settings.database_url) as c:
        a, b = [r["seq"] for r in c.execute("SELECT seq FROM suggestions ORDER BY seq LIMIT 2").fetchall()]
    _tamper(
        settings.database_url,
        f"UPDATE suggestions SET seq = -1 WHERE seq = {a}",
        f"UPDATE suggestions SET seq = {a} WHERE seq = {b}",
        f"UPDATE suggestions SET seq = {b} WHERE seq = -1",
    )
    report = _verify(populated)
    assert not report.ok
    assert report.first_problem.seq == a


def test_rewritten_chain_is_caught_by_an_earlier_anchor(populated, settings, tmp_path):
    anchor_file = tmp_path / "anchor.json"
    out = subprocess.run([sys.executable, "-m", "api.cli", "audit", "anchor", "--out", str(anchor_file)],
                         env=cli_env(settings), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    anchor = audit.Anchor.from_json(anchor_file.read_text())
    # Rewrite everything consistently: recompute every hash after an edit, as a careful attacker would
    # (each chain from the fork, and the heads).
    with connect(settings.database_url, autocommit=True) as c:
        c.execute("SET session_replication_role = replica")
        c.execute("SET timezone TO 'UTC'")
        cfg = c.execute("SELECT shards, fork_hash FROM audit_chain_config").fetchone()
        c.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = (SELECT min(seq) FROM audit_events)")
        tails = {}
        for r in _rows_in_chain_order(c):
            shard = r["seq"] % cfg["shards"]
            prev = tails.get(shard, cfg["fork_hash"])
            tbl = psycopg.sql.Identifier(r["tbl"])
            c.execute(psycopg.sql.SQL("UPDATE {} SET prev_hash = %s WHERE seq = %s").format(tbl), (prev, r["seq"]))
            canonical = c.execute(
                psycopg.sql.SQL("SELECT (to_jsonb(t) - 'row_hash')::text AS c FROM {} t WHERE seq = %s").format(tbl), (r["seq"],)
            ).fetchone()["c"]
            tails[shard] = audit.row_hash(r["tbl"], canonical)
            c.execute(psycopg.sql.SQL("UPDATE {} SET row_hash = %s WHERE seq = %s").format(tbl), (tails[shard], r["seq"]))
        for shard, h in tails.items():
            c.execute("UPDATE audit_heads SET hash = %s WHERE shard = %s", (h, shard))
    assert _verify(populated).ok  # the rewrite is self-consistent...
    report = _verify(populated, anchor=anchor)  # ...but not against the anchor taken before it
    assert not report.ok
    assert "anchor" in report.first_problem.problem
    out = subprocess.run([sys.executable, "-m", "api.cli", "audit", "verify", "--anchor", str(anchor_file)],
                         env=cli_env(settings), capture_output=True, text=True, timeout=120)
    assert out.returncode == 1


@pytest.mark.parametrize("statement", [
    "UPDATE suggestions SET confidence = 1.0",
    "DELETE FROM routes",
    "TRUNCATE audit_events",
    "UPDATE policy_versions SET changed_by = 'x'",
    "DELETE FROM review_events",
    "UPDATE phi_reads SET actor = 'x'",
    "TRUNCATE phi_reads",
    "DELETE FROM suggestions WHERE confidence < 0.6",
])
def test_application_connection_cannot_update_or_delete(populated, statement):
    with populated.pool.connection() as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(statement)
        conn.rollback()


def test_log_table_list_matches_database_triggers(conn):
    assert sorted(audit.protected_tables(conn)) == sorted(audit.LOG_TABLES)


def test_concurrent_appends_keep_one_unbroken_chain(runtime, demo_org):
    import threading

    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")

    def append_many():
        with runtime.pool.connection() as c:
            for _ in range(10):
                route_suggestion(c, make_suggestion(unit.id, confidence=0.95))

    threads = [threading.Thread(target=append_many) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = _verify(runtime)
    assert report.ok, report.first_problem


def test_an_open_append_does_not_hold_up_other_writers(runtime, demo_org):
    """Issue 15: every log insert used to lock the one chain head until commit, so all log writes in
    the system waited for each other. Now a second writer appends while the first is still open."""
    with runtime.pool.connection() as first, runtime.pool.connection() as second:
        audit.record_event(first, actor="a", action="test.append")  # its transaction stays open
        second.execute("SET lock_timeout = '2s'")
        audit.record_event(second, actor="b", action="test.append")  # used to fail: lock not available
        second.commit()
        first.commit()
    assert _verify(runtime).ok


def test_incremental_verify_walks_only_new_rows_and_catches_their_tampering(populated, settings):
    full = _verify(populated)
    assert full.ok and not full.incremental
    with populated.pool.connection() as conn:
        for i in range(5):
            audit.record_event(conn, actor="nurse", action="test.after_anchor", detail={"i": i})
        conn.commit()
        report = audit.verify_chain(conn, incremental=True)
    assert report.ok, report.first_problem
    assert report.incremental and report.rows == 5
    out = subprocess.run([sys.executable, "-m", "api.cli", "audit", "verify", "--incremental"], env=cli_env(settings),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "0 rows since the last anchor" in out.stdout, out.stdout + out.stderr
    with populated.pool.connection() as conn:
        audit.record_event(conn, actor="nurse", action="test.after_second_anchor")
        conn.commit()
    _tamper(settings.database_url, "UPDATE audit_events SET actor = 'mallory' WHERE action = 'test.after_second_anchor'")
    report = _verify(populated, incremental=True)
    assert not report.ok and "edited" in report.first_problem.problem
    # Editing a row the last anchor ends on is caught too (its head no longer holds its hash).
    _tamper(settings.database_url, "UPDATE audit_events SET actor = 'x' WHERE action = 'test.after_second_anchor'")
    with populated.pool.connection() as conn:
        last = audit.last_verified_anchor(conn)
        head_seq = max(s for s, _ in last.heads)
    _tamper(settings.database_url, *[f"UPDATE {t} SET seq = seq WHERE seq = {head_seq}" for t in audit.LOG_TABLES])
    _tamper(settings.database_url, "UPDATE audit_events SET detail = '{\"i\": 99}' WHERE action = 'test.after_anchor' "
            "AND detail->>'i' = '4'")
    report = _verify(populated, incremental=True)
    assert not report.ok


def test_a_new_log_table_joins_the_chain_with_one_line(runtime, demo_org, settings):
    with runtime.pool.connection() as conn:
        conn.execute("CREATE TABLE case_events (seq bigint NOT NULL UNIQUE, prev_hash text NOT NULL, "
                     "row_hash text NOT NULL, id uuid PRIMARY KEY DEFAULT gen_random_uuid(), note text)")
        conn.execute("SELECT audit_protect('case_events')")  # the one line a migration needs
        conn.execute("INSERT INTO case_events (note) VALUES ('a'), ('b')")
        conn.commit()
    report = _verify(runtime)
    assert report.ok and report.rows >= 2
    _tamper(settings.database_url, "UPDATE case_events SET note = 'c' WHERE note = 'a'")
    report = _verify(runtime)
    assert not report.ok and report.first_problem.table == "case_events"
