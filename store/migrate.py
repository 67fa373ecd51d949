"""Numbered plain-SQL migrations, applied in order at start and recorded in `schema_migrations`.

The job queue (procrastinate) and the LangGraph checkpointer keep their own schemas; `migrate`
installs those too so one command readies a database.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from store.db import Conn, fetch_one
from store.queries import load

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
# One lock id for "a migration is running", so that several processes starting at once do not race.
_MIGRATION_LOCK = 727_001


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class MigrationStatus:
    applied: list[int]
    pending: list[int]
    changed: list[int]  # applied files whose content changed since


def list_migrations() -> list[Migration]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise ValueError(f"migration file {path.name} is not named NNN_name.sql")
        found.append(Migration(int(m.group(1)), m.group(2), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError("two migration files share a number: " + ", ".join(p.path.name for p in found))
    return found


def migration_status(conn: Conn) -> MigrationStatus:
    Q = load("migrations")
    conn.execute(Q.create_migrations_table)
    applied = {r["version"]: r["sha256"] for r in conn.execute(Q.applied_migrations).fetchall()}
    files = list_migrations()
    return MigrationStatus(
        applied=sorted(applied),
        pending=[m.version for m in files if m.version not in applied],
        changed=[m.version for m in files if m.version in applied and applied[m.version] != m.sha256],
    )


def migrate(conn: Conn, *, with_jobs: bool = True, with_checkpointer: bool = True) -> list[int]:
    """Apply pending migrations; returns the versions applied. `conn` must be in autocommit mode."""
    Q = load("migrations")
    conn.execute(Q.lock_migrations, {"lock": _MIGRATION_LOCK})
    try:
        conn.execute(Q.create_migrations_table)
        applied = {r["version"] for r in conn.execute(Q.applied_migrations).fetchall()}
        done = []
        for m in list_migrations():
            if m.version in applied:
                continue
            with conn.transaction():
                conn.execute(m.path.read_text())
                conn.execute(Q.record_migration, {"version": m.version, "name": m.name, "sha256": m.sha256})
            done.append(m.version)
        if with_jobs:
            _install_job_schema(conn)
        if with_checkpointer:
            _install_checkpointer_schema(conn)
        return done
    finally:
        conn.execute(Q.unlock_migrations, {"lock": _MIGRATION_LOCK})


def _install_job_schema(conn: Conn) -> None:
    from procrastinate.schema import SchemaManager

    Q = load("migrations")
    if fetch_one(conn.execute(Q.job_schema_present))["present"]:
        return
    with conn.transaction():
        conn.execute(SchemaManager.get_schema())


def _install_checkpointer_schema(conn: Conn) -> None:
    from langgraph.checkpoint.postgres import PostgresSaver

    # PostgresSaver.setup() runs its own numbered migrations and needs autocommit.
    PostgresSaver(conn).setup()
