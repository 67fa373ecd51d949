"""Release gates: read tools/gates.toml and judge an evaluation suite's metrics against it (the suites,
and retraining that registers a model only behind the same gates, share this file).

A gate whose metric is missing or undefined fails: nothing passes silently.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

DEFAULT_GATES_PATH = Path(__file__).resolve().parent / "gates.toml"
DataKind = Literal["external", "synthetic"]


class Gate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    suite: str
    metric: str
    threshold: float
    direction: Literal[">=", "<="]
    why: str
    applies_to: Literal["any", "external", "synthetic"] = "any"
    # The gate applies only to runs where this metric is present and above zero (e.g. the remittance
    # gates judge only runs given remittance outcomes); None: always.
    only_if: str | None = None


class GateResult(BaseModel):
    name: str
    metric: str
    value: float | None
    threshold: float
    direction: str
    passed: bool
    why: str
    note: str | None = None

    def describe(self) -> str:
        shown = "missing" if self.value is None else f"{self.value:.4f}"
        return f"{self.name}: {self.metric} = {shown}, needs {self.direction} {self.threshold} ({self.why})"


def load_gates(path: Path = DEFAULT_GATES_PATH) -> list[Gate]:
    """The release gates of gates.toml, each with its threshold, direction and reason."""
    with open(path, "rb") as fh:
        doc = tomllib.load(fh)
    gates = [Gate.model_validate(item) for item in doc.get("gate", [])]
    names = [g.name for g in gates]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{path}: gate names must be unique; repeated: {duplicates}")
    return gates


def evaluate_gates(
    gates: list[Gate], *, suite: str, metrics: dict[str, float | None], data_kind: DataKind
) -> list[GateResult]:
    """Results of the gates of `suite` that apply to this kind of data.

    >>> g = Gate(name="g", suite="s", metric="auc", threshold=0.7, direction=">=", why="w")
    >>> [r.passed for r in evaluate_gates([g], suite="s", metrics={"auc": 0.69}, data_kind="external")]
    [False]
    """
    results = []
    for gate in gates:
        if gate.suite != suite or gate.applies_to not in ("any", data_kind):
            continue
        if gate.only_if is not None and not (metrics.get(gate.only_if) or 0) > 0:
            continue
        raw = metrics.get(gate.metric)
        value = None if raw is None or (isinstance(raw, float) and math.isnan(raw)) else float(raw)
        if value is None:
            passed, note = False, "metric missing or undefined in this run"
        else:
            passed = value >= gate.threshold if gate.direction == ">=" else value <= gate.threshold
            note = None
        results.append(
            GateResult(
                name=gate.name,
                metric=gate.metric,
                value=value,
                threshold=gate.threshold,
                direction=gate.direction,
                passed=passed,
                why=gate.why,
                note=note,
            )
        )
    return results
