"""`handoff bench run --quick` runs every bench end to end as a smoke check: each writes its figures
beside its goal (no timing is asserted: sizes this small say nothing about speed)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, cli_env


@pytest.mark.timeout(2400)  # a few minutes on a quiet machine; far more when its cores are shared
def test_quick_bench_writes_every_figure_beside_its_goal(settings, tmp_path):
    out = tmp_path / "bench"
    env = cli_env(settings)
    env.pop("DATABASE_URL", None)  # the suite runs its own private embedded PostgreSQL
    env.update({"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"})
    run = subprocess.run([sys.executable, "-m", "api.cli", "bench", "run", "--quick", "--out", str(out)], env=env,
                         capture_output=True, text=True, timeout=2300, cwd=REPO)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads((out / "bench.json").read_text())
    assert result["failures"] == {}, result["failures"]
    benches = {f["bench"] for f in result["figures"]}
    assert benches == {"log_appends", "audit_verify", "review_api", "pgvector", "ocr", "fax_turnaround", "clinic_day"}
    with_goals = [f for f in result["figures"] if f["goal"]]
    assert {f["bench"] for f in with_goals} == benches - {"log_appends"}
    assert all(f["value"] is not None for f in result["figures"])
    report = (out / "report.md").read_text()
    assert "| bench | figure | value | goal |" in report and "p99" in report


def test_bench_refuses_an_unknown_bench(settings):
    env = cli_env(settings)
    env.update({"PYTHONPATH": str(REPO)})
    run = subprocess.run([sys.executable, "-m", "api.cli", "bench", "run", "--quick", "--only", "nope"], env=env,
                         capture_output=True, text=True, timeout=120, cwd=REPO)
    assert run.returncode == 2 and "--only" in run.stderr
