"""What agents and jobs need at run time (settings, the pool, the LangGraph checkpointer), opened by
the CLI entry or the app lifespan and passed in — never opened at import."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from psycopg_pool import ConnectionPool

from models.scheduling import ModelMeta
from models.settings import Settings
from tools.model_registry import NoModelRegistered, latest_head, load_model

T = TypeVar("T")


@dataclass
class Runtime:
    settings: Settings
    pool: ConnectionPool
    database_url: str
    _checkpoint_pool: ConnectionPool | None = field(default=None, repr=False)
    _checkpointer: Any = field(default=None, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)
    _models: dict[str, tuple[tuple[str, str], Any]] = field(default_factory=dict, repr=False)
    _models_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def checkpointer(self):
        """LangGraph's Postgres checkpointer, on its own small autocommit pool (as it requires)."""
        if self._checkpointer is None:
            from langgraph.checkpoint.postgres import PostgresSaver
            from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
            from psycopg.rows import dict_row

            from models.graph_state import CHECKPOINTED_TYPES

            self._checkpoint_pool = ConnectionPool(
                self.database_url, min_size=1, max_size=4, open=False, name="handoff-checkpoints",
                kwargs={"autocommit": True, "row_factory": dict_row, "prepare_threshold": 0},
            )
            self._checkpoint_pool.open(wait=True, timeout=30)
            # Only our own state models are revived from a checkpoint (an explicit allowlist).
            serde = JsonPlusSerializer(allowed_msgpack_modules=CHECKPOINTED_TYPES)
            self._checkpointer = PostgresSaver(self._checkpoint_pool, serde=serde)
        return self._checkpointer

    @property
    def blobs(self):
        """Where accepted files are kept (HANDOFF_BLOB_STORE): a filesystem directory or Postgres."""
        from store.blobs import open_blob_store

        return self.cached("blob_store", lambda: open_blob_store(self.settings.blob_store, self.settings.blob_dir))

    def read_blob(self, digest: str) -> bytes:
        """The bytes of an accepted file, from whichever store holds them."""
        with self.pool.connection() as conn:
            return self.blobs.get(conn, digest)

    def cached(self, key: str, build):
        """Process-wide objects that are costly to build (trained models, code tables)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def current_model(self, name: str, build: Callable[[dict[str, Any], ModelMeta], T]) -> T:
        """The newest registered version of model `name`, built by `build(estimators, meta)` once per
        version. Every call asks the registry for the newest version (one indexed row, no bytes), so a
        version registered by another process is used from its next call on, without a restart.
        Raises tools.model_registry.NoModelRegistered."""
        with self.pool.connection() as conn:
            head = latest_head(conn, name=name)
            if head is None:
                raise NoModelRegistered(f"no model named {name!r} is registered")
            key = (head.version, head.sha256)
            with self._models_lock:
                loaded = self._models.get(name)
            if loaded is not None and loaded[0] == key:
                return loaded[1]
            estimators, record = load_model(conn, name=name, version=head.version)
        built = build(estimators, record.meta)
        with self._models_lock:
            self._models[name] = (key, built)
        return built

    def forget(self, key: str) -> None:
        self._cache.pop(key, None)

    def close(self) -> None:
        if self._checkpoint_pool is not None:
            self._checkpoint_pool.close()
        self.pool.close()


# Handoff's own loggers take HANDOFF_LOG_LEVEL; libraries that log request bodies at DEBUG (the
# openai SDK logs whole prompts, httpx/httpcore headers) never go below WARNING, whatever it says.
OWN_LOGGERS = ("api", "agents", "tools", "store", "models", "evals")
CHATTY_LOGGERS = ("openai", "httpx", "httpcore", "urllib3", "multipart", "python_multipart")


def configure_logging(settings: Settings) -> None:
    """Apply HANDOFF_LOG_LEVEL (handlers and format stay the entry point's: the CLI's, uvicorn's)."""
    import logging

    level = logging.getLevelName(settings.log_level)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


def open_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Resolve the database (starting the embedded server if needed), migrate it, open the pool."""
    from store import db

    configure_logging(settings)
    from store.migrate import migrate as apply_migrations

    url = db.database_url(settings)
    if migrate:
        with db.connect(url, autocommit=True) as conn:
            apply_migrations(conn)
    pool = db.open_pool(url, min_size=settings.pool_min_size, max_size=settings.pool_max_size,
                        lock_timeout_ms=settings.db_lock_timeout_ms)
    return Runtime(settings=settings, pool=pool, database_url=url)
