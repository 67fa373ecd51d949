"""A database migrated from zero has the schema the code expects, and migrating again is a no-op."""

from __future__ import annotations

import re

from store import db
from store.migrate import list_migrations, migrate, migration_status
from store.queries import SQL_DIR, load


def test_migrated_from_zero(pg_server):
    db.ensure_database(db.embedded_url(pg_server, "postgres"), "from_zero")
    url = db.embedded_url(pg_server, "from_zero")
    with db.connect(url, autocommit=True) as conn:
        applied = migrate(conn)
        assert applied == [m.version for m in list_migrations()]
        assert migrate(conn) == []
        st = migration_status(conn)
        assert st.pending == [] and st.changed == []
        tables = {r["tablename"] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        expected = {
            "organizations", "service_units", "users", "user_roles", "suggestions", "routes", "policy_versions",
            "review_events", "decisions", "phi_reads", "audit_events", "audit_head", "review_items",
            "inbound_items", "inbound_events", "schema_migrations", "procrastinate_jobs", "checkpoints",
        }
        assert expected <= tables, expected - tables
        ext = conn.execute("SELECT extname FROM pg_extension WHERE extname = 'vector'").fetchone()
        assert ext is not None


def test_every_named_query_parses(conn):
    # PREPARE checks each DML query against the real schema without running it.
    for path in sorted(SQL_DIR.glob("*.sql")):
        q = load(path.stem)
        for name in q.names():
            text = getattr(q, name)
            body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("--")).strip()
            if not body.upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")) or "PG_ADVISORY" in body.upper():
                continue
            if "{tbl}" in body:  # a template whose identifiers store/ fills in with psycopg.sql
                continue
            sql = body.replace("%%", "%")
            params = []
            def _sub(m, params=params):
                if m.group(1) not in params:
                    params.append(m.group(1))
                return f"${params.index(m.group(1)) + 1}"
            sql = re.sub(r"%\((\w+)\)s", _sub, sql)
            conn.execute(f"PREPARE q_{path.stem}_{name} AS {sql}")
            conn.execute(f"DEALLOCATE q_{path.stem}_{name}")
