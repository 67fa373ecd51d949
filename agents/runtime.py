"""What agents and jobs need at run time (settings, the pool), passed in — never opened at import."""

from __future__ import annotations

from dataclasses import dataclass

from psycopg_pool import ConnectionPool

from models.settings import Settings


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    pool: ConnectionPool
    database_url: str


def open_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Resolve the database (starting the embedded server if needed), migrate it, open the pool."""
    from store import db
    from store.migrate import migrate as apply_migrations

    url = db.database_url(settings)
    if migrate:
        with db.connect(url, autocommit=True) as conn:
            apply_migrations(conn)
    pool = db.open_pool(url, min_size=settings.pool_min_size, max_size=settings.pool_max_size)
    return Runtime(settings=settings, pool=pool, database_url=url)
