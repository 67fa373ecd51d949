"""Write constraints.txt: the exact versions, in the current environment, of every package that
`handoff[dev]` needs (its dependency closure), so `make` installs the set the tests passed with.
Run on purpose (`make constraints`) after a deliberate upgrade and a green `make test`."""

from __future__ import annotations

import re
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main() -> None:
    """Pin the dependency closure of handoff[dev] as installed now."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    todo = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]]
    pinned: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = _norm(req.name)
        if (name, frozenset(req.extras)) in seen:
            continue
        seen.add((name, frozenset(req.extras)))
        try:
            dist = distribution(req.name)
        except PackageNotFoundError:
            sys.exit(f"{req.name} is required but not installed: run `make deps` first")
        pinned[name] = dist.version.split("+")[0]  # torch's local "+cpu" tag: the CPU wheel has the same version
        for extra in req.extras:
            todo += [Requirement(str(r).split(";")[0]) for r in map(Requirement, dist.requires or [])
                     if r.marker and r.marker.evaluate({"extra": extra})]
        todo += [r for r in map(Requirement, dist.requires or []) if r.marker is None or r.marker.evaluate({"extra": ""})]
    lines = [f"{name}=={version}" for name, version in sorted(pinned.items())]
    header = ("# Exact versions `make` installs with (pip install -c constraints.txt): the set `make test` passed\n"
              "# with. Refresh on purpose with `make constraints` after a deliberate upgrade; never by hand.\n")
    (ROOT / "constraints.txt").write_text(header + "\n".join(lines) + "\n")
    print(f"wrote {len(lines)} pins to constraints.txt")


if __name__ == "__main__":
    main()
