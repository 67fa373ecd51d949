"""Named SQL queries loaded from `store/sql/*.sql` files (`-- name: claim_next_item` headers).

Queries take bound parameters only (`%(name)s`); nothing builds SQL from strings.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).with_name("sql")
_HEADER = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


class Queries:
    """The queries of one .sql file, as attributes: `Q.claim_next_item`."""

    def __init__(self, path: Path):
        text = path.read_text()
        parts = _HEADER.split(text)
        self._path = path
        self._queries: dict[str, str] = {}
        for name, body in zip(parts[1::2], parts[2::2]):
            if name in self._queries:
                raise ValueError(f"{path.name}: query {name!r} is defined twice")
            self._queries[name] = body.strip()

    def __getattr__(self, name: str) -> str:
        try:
            return self._queries[name]
        except KeyError:
            raise AttributeError(f"{self._path.name} has no query named {name!r}") from None

    def names(self) -> list[str]:
        return sorted(self._queries)


@cache
def load(name: str) -> Queries:
    return Queries(SQL_DIR / f"{name}.sql")
