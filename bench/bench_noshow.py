"""Benchmark of the no-show suite: figures of the calibrated booster beside the logistic baseline,
and wall time of the synthetic and (when present) real-data runs.

    .venv/bin/python bench/bench_noshow.py [--data PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from tools.noshow.datasets import default_kaggle_path
from evals.runner import run_suite

FIGURES = ("roc_auc", "roc_auc_random_split", "roc_auc_lead_ge_1", "pr_auc", "brier", "ece", "ece_max_group",
           "equalized_odds_difference", "coverage_at_target_precision")  # fmt: skip


def _run(label: str, data: Path | None, out: Path) -> None:
    started = time.perf_counter()
    result = run_suite("noshow", data=data, out=out, progress=False)
    wall = time.perf_counter() - started
    metrics = json.loads(result.metrics_path.read_text())["metrics"]
    print(f"\n{label}: wall {wall:.1f} s, n_test {int(metrics['n_test'])}, out {out}")
    print(f"{'figure':32s} {'gbm':>8s} {'baseline':>9s} {'gbm/base':>9s}")
    for name in FIGURES:
        gbm, base = metrics.get(name), metrics.get(f"baseline_{name}")
        ratio = f"{gbm / base:9.3f}" if gbm is not None and base not in (None, 0) else f"{'-':>9s}"
        print(f"{name:32s} {gbm if gbm is not None else float('nan'):8.4f} "
              f"{base if base is not None else float('nan'):9.4f} {ratio}")  # fmt: skip
    for gate in result.failed_gates:
        print("  gate failed: " + gate.describe())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=default_kaggle_path())
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="bench-noshow-")))
    args = parser.parse_args()
    _run("synthetic clinic", None, args.out / "synthetic")
    if args.data.is_file():
        _run(f"real data ({args.data.name})", args.data, args.out / "real")
    else:
        print(f"\nreal data not found at {args.data}; skipped")


if __name__ == "__main__":
    main()
