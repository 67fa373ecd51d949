"""What the benches share: a private embedded PostgreSQL with fresh migrated databases, the figure
record (value beside goal), percentiles, and the machine's load at measuring time."""

from __future__ import annotations

import itertools
import math
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from store.queries import Queries

SQL = Queries(Path(__file__).with_name("sql") / "seed.sql")
_counter = itertools.count()


@dataclass
class Figure:
    bench: str
    name: str
    value: float | None
    unit: str
    goal: str = ""  # e.g. "<= 50" or ">= 0.95"; empty: a figure without a goal
    sizes: dict = field(default_factory=dict)
    note: str = ""
    load_avg: float = field(default_factory=lambda: round(os.getloadavg()[0], 2))

    @property
    def met(self) -> bool | None:
        if not self.goal or self.value is None or (isinstance(self.value, float) and math.isnan(self.value)):
            return None
        op, target = self.goal.split()
        return self.value <= float(target) if op == "<=" else self.value >= float(target)

    def to_dict(self) -> dict:
        return {**asdict(self), "met": self.met}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100). >>> percentile([1, 2, 3, 4], 50) -> 2"""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


class BenchServer:
    """A private embedded PostgreSQL for one bench run (never the user's own data)."""

    def __init__(self, root: Path | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix="handoff-bench-pg-", dir=root))
        self.server = None

    def __enter__(self) -> "BenchServer":
        from store.db import start_embedded_server

        self.server = start_embedded_server(self.dir)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.server.cleanup()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def fresh_database(self, prefix: str) -> str:
        """A new database, migrated, with its URL."""
        from store.db import connect, embedded_url, ensure_database
        from store.migrate import migrate

        name = f"{prefix}_{os.getpid()}_{next(_counter)}"
        ensure_database(embedded_url(self.server, "postgres"), name)
        url = embedded_url(self.server, name)
        with connect(url, autocommit=True) as conn:
            migrate(conn)
        return url


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - started, out
