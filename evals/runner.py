"""The evaluation harness: a registry of suites, and `run_suite`, which writes metrics.json,
report.html (PNG plots beside it) and model_card.md and judges the gates of tools/gates.toml.

A suite is a function `fn(ctx: SuiteContext) -> SuiteOutput`, registered with `register_suite`.
Modules named `evals/suite_*.py` are imported on first use, so a new suite only needs its module.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import pkgutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from tqdm import tqdm

import evals
from tools.gates import DEFAULT_GATES_PATH, GateResult, evaluate_gates, load_gates
from evals.model_card import NotApplicable, missing_attributes, render_model_card
from evals.report import render_report


@dataclass
class SuiteContext:
    """What a suite is given: the data path (None = synthetic), the output folder and options."""

    data: Path | None
    out: Path
    progress: bool = True
    seed: int = 0
    min_group_n: int = 500
    n_boot: int = 200
    n_threads: int | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def bar(self, *, total: int, desc: str) -> tqdm:
        """A progress bar on stderr (silent when progress is off)."""
        return tqdm(total=total, desc=desc, disable=not self.progress, file=sys.stderr, leave=False)


@dataclass
class SuiteOutput:
    """What a suite returns; the runner turns it into the three files."""

    data_path: str | None
    data_sha256: str
    data_kind: Literal["external", "synthetic"]
    n: int
    model_version: str
    metrics: dict[str, float | None]
    by_group: dict[str, dict[str, dict]]
    card_title: str
    card_attributes: dict[str, str | NotApplicable]
    card_headline: list[str] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    key_metrics: list[str] = field(default_factory=list)
    group_figures: list[str] | None = None
    sections: dict[str, str] = field(default_factory=dict)
    card_sections: dict[str, str] = field(default_factory=dict)


class SuiteResult(BaseModel):
    suite: str
    out: Path
    metrics_path: Path
    report_path: Path
    card_path: Path
    gates: list[GateResult]
    failed_gates: list[GateResult]
    missing_card_attributes: list[str]
    seconds: float

    @property
    def passed(self) -> bool:
        return not self.failed_gates


SuiteFn = Callable[[SuiteContext], SuiteOutput]
_SUITES: dict[str, tuple[SuiteFn, str]] = {}
_DISCOVERED = False


def register_suite(name: str, fn: SuiteFn, *, description: str = "") -> SuiteFn:
    """Make `fn` runnable as suite `name` (re-registering the same name replaces it)."""
    summary = ((fn.__doc__ or "").strip().splitlines() or [""])[0]
    _SUITES[name] = (fn, description or summary)
    return fn


def _discover() -> None:
    global _DISCOVERED
    if _DISCOVERED:
        return
    _DISCOVERED = True
    for module in pkgutil.iter_modules(evals.__path__):
        if module.name.startswith("suite_"):
            importlib.import_module(f"evals.{module.name}")


def list_suites() -> list[tuple[str, str]]:
    """(name, one-line description) of every registered suite, sorted by name."""
    _discover()
    return sorted((name, desc) for name, (_, desc) in _SUITES.items())


def _json_safe(value: Any) -> Any:
    """NaN and infinities become null; numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run_suite(
    name: str,
    *,
    data: Path | None,
    out: Path,
    progress: bool = True,
    seed: int = 0,
    gates_path: Path = DEFAULT_GATES_PATH,
    min_group_n: int = 500,
    n_boot: int = 200,
    n_threads: int | None = None,
    options: dict[str, Any] | None = None,
) -> SuiteResult:
    """Run suite `name` and write out/metrics.json, out/report.html (+ PNGs) and out/model_card.md.

    Returns the gates and which failed; the CLI prints `failed_gates` and exits 1 when any did.
    """
    _discover()
    if name not in _SUITES:
        known = ", ".join(sorted(_SUITES)) or "none"
        raise KeyError(f"unknown suite {name!r}; known suites: {known}")
    gates = load_gates(gates_path)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ctx = SuiteContext(
        data=Path(data) if data is not None else None,
        out=out,
        progress=progress,
        seed=seed,
        min_group_n=min_group_n,
        n_boot=n_boot,
        n_threads=n_threads,
        options=options or {},
    )
    started = time.perf_counter()
    fn, _ = _SUITES[name]
    result = fn(ctx)
    metrics = _json_safe(result.metrics)
    gate_results = evaluate_gates(gates, suite=name, metrics=metrics, data_kind=result.data_kind)
    seconds = time.perf_counter() - started
    doc = {
        "suite": name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": {"path": result.data_path, "sha256": result.data_sha256, "kind": result.data_kind},
        "n": int(result.n),
        "model_version": result.model_version,
        "seed": seed,
        "min_group_n": min_group_n,
        "bootstrap_resamples": n_boot,
        "seconds": round(seconds, 2),
        "metrics": metrics,
        "by_group": _json_safe(result.by_group),
        "gates": [g.model_dump() for g in gate_results],
        "details": _json_safe(result.details),
    }
    metrics_path = out / "metrics.json"
    metrics_path.write_text(json.dumps(doc, indent=2, allow_nan=False), encoding="utf-8")
    missing = missing_attributes(result.card_attributes)
    card = render_model_card(
        title=result.card_title,
        model_version=result.model_version,
        attributes=result.card_attributes,
        headline={k: metrics.get(k) for k in result.card_headline},
        gates=doc["gates"],
        extra_sections=result.card_sections,
    )
    card_path = out / "model_card.md"
    card_path.write_text(card, encoding="utf-8")
    report_path = out / "report.html"
    report_path.write_text(
        render_report(
            doc,
            images=result.images,
            notes=result.notes,
            key_metrics=result.key_metrics,
            group_figures=result.group_figures,
            sections=result.sections,
        ),
        encoding="utf-8",
    )
    failed = [g for g in gate_results if not g.passed]
    return SuiteResult(
        suite=name,
        out=out,
        metrics_path=metrics_path,
        report_path=report_path,
        card_path=card_path,
        gates=gate_results,
        failed_gates=failed,
        missing_card_attributes=missing,
        seconds=seconds,
    )


def main(argv: list[str] | None = None) -> int:
    """`python -m evals.runner SUITE [--data PATH] --out DIR` (the CLI's `handoff evals run` does the same)."""
    parser = argparse.ArgumentParser(prog="python -m evals.runner", description=__doc__)
    parser.add_argument("suite", nargs="?", help="suite name; omit with --list")
    parser.add_argument("--list", action="store_true", help="list the registered suites")
    parser.add_argument("--data", type=Path, default=None, help="labeled data; omit for the synthetic clinic")
    parser.add_argument("--out", type=Path, default=Path("eval-out"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if args.list or not args.suite:
        for name, desc in list_suites():
            print(f"{name}\t{desc}")
        return 0
    result = run_suite(args.suite, data=args.data, out=args.out, progress=not args.no_progress, seed=args.seed)
    print(f"wrote {result.metrics_path}, {result.report_path}, {result.card_path} in {result.seconds:.1f} s")
    if result.missing_card_attributes:
        print("model card attributes not provided: " + ", ".join(result.missing_card_attributes))
    for gate in result.failed_gates:
        print("GATE FAILED " + gate.describe())
    return 1 if result.failed_gates else 0


if __name__ == "__main__":
    # Run through the importable module so suites register into the same registry `main` reads.
    from evals.runner import main as _main

    sys.exit(_main())
