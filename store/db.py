"""Connections to PostgreSQL: the embedded pgserver (default) or any server named by DATABASE_URL.

Nothing here runs at import; the CLI entry and the app lifespan call `database_url` and `open_pool`.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, TypeAlias
from urllib.parse import urlencode

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from models.settings import Settings

# A connection whose rows are dicts (every connection and pool here uses dict_row).
Conn: TypeAlias = "psycopg.Connection[dict[str, Any]]"

log = logging.getLogger(__name__)

EMBEDDED_DBNAME = "handoff"
_servers: dict[Path, object] = {}
_lock = threading.Lock()


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or started; the message says what to do."""


def start_embedded_server(pg_dir: Path) -> Any:
    """Start (or attach to) the embedded PostgreSQL 16 + pgvector in `pg_dir`."""
    import warnings

    # pgserver asks platformdirs for a runtime dir it does not need; the warning is noise.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import pgserver  # imported here: starting a server is I/O and never happens at import

    pg_dir = pg_dir.resolve()
    with _lock:
        if pg_dir not in _servers:
            pg_dir.mkdir(parents=True, exist_ok=True)
            try:
                server = pgserver.get_server(pg_dir, cleanup_mode="stop")  # type: ignore[attr-defined]
                quiet_server_log(embedded_url(server, "postgres"))
                _servers[pg_dir] = server
            except Exception as exc:  # pgserver raises plain exceptions with its log inside
                raise DatabaseUnavailable(
                    f"could not start the embedded PostgreSQL in {pg_dir}: {exc.__class__.__name__}; "
                    "check the folder is writable, or set DATABASE_URL to a PostgreSQL 16 server with pgvector"
                ) from None
        return _servers[pg_dir]


# The embedded server's log never holds data: PostgreSQL's ERROR lines can quote a value (a JSON
# document's CONTEXT, an invalid input) and its statement lines the query; only FATAL and PANIC
# (server trouble) are written, tersely. A DATABASE_URL server is the operator's to set the same way.
QUIET_SERVER_LOG = {"log_min_messages": "fatal", "log_min_error_statement": "panic",
                    "log_error_verbosity": "terse", "log_parameter_max_length_on_error": "0",
                    "log_parameter_max_length": "0"}


def quiet_server_log(admin_url: str) -> None:
    """Apply QUIET_SERVER_LOG to the embedded server (it runs as our superuser) and reload it."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        current: dict[str, str] = dict(conn.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
                                    (list(QUIET_SERVER_LOG),)).fetchall())
        changed = False
        for name, value in QUIET_SERVER_LOG.items():
            if current.get(name) != value:
                conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value)))
                changed = True
        if changed:
            conn.execute("SELECT pg_reload_conf()")


def embedded_url(server: Any, dbname: str) -> str:
    """A libpq URL for `dbname` on the embedded server (it listens on a Unix socket)."""
    base = server.get_uri()  # postgresql://postgres:@/postgres?host=/tmp/...
    host = base.split("host=", 1)[1]
    return f"postgresql://postgres@/{dbname}?" + urlencode({"host": host})


def ensure_database(admin_url: str, dbname: str, *, template: str | None = None) -> None:
    """Create `dbname` when it does not exist (CREATE DATABASE cannot run in a transaction)."""
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if exists:
            return
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname))
        if template:
            stmt = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(dbname), sql.Identifier(template))
        conn.execute(stmt)


def database_url(settings: Settings) -> str:
    """The URL to use: DATABASE_URL when set, else the embedded server's `handoff` database."""
    if settings.database_url:
        return settings.database_url
    server = start_embedded_server(settings.pg_dir)
    ensure_database(embedded_url(server, "postgres"), EMBEDDED_DBNAME)
    return embedded_url(server, EMBEDDED_DBNAME)


def fetch_one(cursor: psycopg.Cursor[dict[str, Any]]) -> dict[str, Any]:
    """The row a statement always returns (INSERT ... RETURNING, an aggregate); an error if it returned none."""
    row = cursor.fetchone()
    if row is None:
        raise LookupError("the statement returned no row")
    return row


def connect(url: str, *, autocommit: bool = False) -> Conn:
    try:
        return psycopg.connect(url, autocommit=autocommit, row_factory=dict_row)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            "could not connect to PostgreSQL; check DATABASE_URL (or unset it to use the embedded server)"
        ) from exc


def open_pool(url: str, *, min_size: int = 1, max_size: int = 10, lock_timeout_ms: int = 5000) -> ConnectionPool:
    """The application's pool. Every connection gets a lock timeout: a statement waiting on a row
    lock fails after it (LockNotAvailable) instead of waiting as long as the holder likes."""
    kwargs: dict[str, Any] = {"row_factory": dict_row}
    if lock_timeout_ms:
        kwargs["options"] = f"-c lock_timeout={int(lock_timeout_ms)}"
    pool = ConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        kwargs=kwargs,
        open=False,
        name="handoff",
    )
    pool.open(wait=True, timeout=30)
    return pool


@contextmanager
def transaction(pool: ConnectionPool) -> Iterator[psycopg.Connection]:
    """A connection from the pool inside one transaction, committed on success."""
    with pool.connection() as conn:
        with conn.transaction():
            yield conn
