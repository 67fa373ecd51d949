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


def _verify(runtime, anchor=None) -> audit.ChainReport:
    with runtime.pool.connection() as conn:
        return audit.verify_chain(conn, anchor=anchor)


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
    assert report.first_problem.table == "audit_head"


def test_inserted_row_is_detected(populated, settings):
    # A forged row slotted in at seq 5 with a correct-looking hash; later rows are shifted up.
    shift = [f"UPDATE {t} SET seq = seq + 1000000 WHERE seq >= 5" for t in audit.LOG_TABLES]
    unshift = [f"UPDATE {t} SET seq = seq - 999999 WHERE seq >= 1000000" for t in audit.LOG_TABLES]
    _tamper(settings.database_url, *shift, *unshift)
    with connect(settings.database_url, autocommit=True) as c:
        c.execute("SET session_replication_role = replica")
        c.execute("SET timezone TO 'UTC'")
        prev = [r for t in audit.LOG_TABLES for r in c.execute(
            psycopg.sql.SQL("SELECT row_hash FROM {} WHERE seq = 4").format(psycopg.sql.Identifier(t))).fetchall()][0]["row_hash"]
        c.execute("INSERT INTO audit_events (seq, prev_hash, row_hash, id, at, actor, action) "
                  "VALUES (5, %s, '', gen_random_uuid(), now(), 'mallory', 'user.created')", (prev,))
        canonical = c.execute("SELECT (to_jsonb(t) - 'row_hash')::text AS c FROM audit_events t WHERE seq = 5").fetchone()["c"]
        c.execute("UPDATE audit_events SET row_hash = %s WHERE seq = 5", (audit.row_hash("audit_events", canonical),))
    report = _verify(populated)
    assert not report.ok
    assert report.first_problem.seq == 6


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
    # Rewrite everything consistently: recompute every hash after an edit, as a careful attacker would.
    with connect(settings.database_url, autocommit=True) as c:
        c.execute("SET session_replication_role = replica")
        c.execute("SET timezone TO 'UTC'")
        c.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1")
        rows = c.execute(
            "SELECT seq, tbl FROM (SELECT seq, 'audit_events' tbl FROM audit_events UNION ALL "
            "SELECT seq, 'suggestions' FROM suggestions UNION ALL SELECT seq, 'routes' FROM routes UNION ALL "
            "SELECT seq, 'policy_versions' FROM policy_versions UNION ALL SELECT seq, 'review_events' FROM review_events "
            "UNION ALL SELECT seq, 'decisions' FROM decisions UNION ALL SELECT seq, 'phi_reads' FROM phi_reads) x ORDER BY seq"
        ).fetchall()
        prev = audit.GENESIS_HASH
        for r in rows:
            tbl = psycopg.sql.Identifier(r["tbl"])
            c.execute(psycopg.sql.SQL("UPDATE {} SET prev_hash = %s WHERE seq = %s").format(tbl), (prev, r["seq"]))
            canonical = c.execute(
                psycopg.sql.SQL("SELECT (to_jsonb(t) - 'row_hash')::text AS c FROM {} t WHERE seq = %s").format(tbl), (r["seq"],)
            ).fetchone()["c"]
            prev = audit.row_hash(r["tbl"], canonical)
            c.execute(psycopg.sql.SQL("UPDATE {} SET row_hash = %s WHERE seq = %s").format(tbl), (prev, r["seq"]))
        c.execute("UPDATE audit_head SET hash = %s", (prev,))
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
