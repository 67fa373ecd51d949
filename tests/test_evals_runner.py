"""The harness end to end: a suite run writes metrics.json, report.html with its PNGs and model_card.md."""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

import pandas as pd
import pytest

from tools.noshow.datasets import KAGGLE_COLUMNS, appointments_to_frame, default_kaggle_path, frame_sha256
from evals.model_card import HTI1_SOURCE_ATTRIBUTES
from evals.runner import SuiteOutput, list_suites, main, register_suite, run_suite
from evals.synthetic_clinic import generate_clinic

REQUIRED_METRICS = {
    "roc_auc", "roc_auc_random_split", "pr_auc", "brier", "ece", "equalized_odds_difference",
    "baseline_roc_auc", "baseline_roc_auc_random_split", "baseline_pr_auc", "baseline_brier", "baseline_ece",
    "baseline_equalized_odds_difference", "calibration_slope", "calibration_in_the_large", "macro_f1",
    "coverage_at_target_precision", "ece_max_group",
}  # fmt: skip


def _check_run(out: Path, doc: dict) -> None:
    for key in ("suite", "data", "n", "model_version", "metrics", "by_group", "gates"):
        assert key in doc
    assert set(doc["data"]) >= {"path", "sha256"} and len(doc["data"]["sha256"]) == 64
    assert REQUIRED_METRICS <= set(doc["metrics"])
    assert all(v is None or isinstance(v, int | float) for v in doc["metrics"].values())
    for groups in doc["by_group"].values():
        for entry in groups.values():
            assert isinstance(entry["n"], int) and isinstance(entry["insufficient"], bool)
            assert entry["insufficient"] == (entry["n"] < doc["min_group_n"])
            assert set(entry["ece"]) == {"value", "ci_low", "ci_high"}
    for gate in doc["gates"]:
        assert set(gate) >= {"name", "value", "threshold", "passed"}
    html = (out / "report.html").read_text()
    images = re.findall(r"<img src='([^']+)'", html)
    assert len(images) >= 5 and all((out / name).is_file() for name in images)
    assert "http://" not in html and "https://" not in html  # readable offline
    card = (out / "model_card.md").read_text()
    assert "NOT PROVIDED" not in card
    for _, _, wording in HTI1_SOURCE_ATTRIBUTES:
        assert wording in card


def test_noshow_suite_on_synthetic_clinic(tmp_path: Path):
    assert "noshow" in dict(list_suites())
    result = run_suite(
        "noshow", data=None, out=tmp_path, progress=False, n_boot=30, n_threads=1,
        options={"n_patients": 1000, "days": 70},
    )  # fmt: skip
    doc = json.loads(result.metrics_path.read_text())
    _check_run(tmp_path, doc)
    assert doc["data"]["kind"] == "synthetic"
    assert {"sex", "age_band", "scholarship", "race_ethnicity", "language", "payer"} <= set(doc["by_group"])
    assert result.missing_card_attributes == []
    assert {g.name for g in result.gates} == {"noshow_synthetic_roc_auc", "noshow_synthetic_ece"}
    assert doc["metrics"]["roc_auc"] > 0.6
    # The synthetic data is identified by its content hash, and regenerating it gives the same hash.
    clinic = generate_clinic(seed=7, n_patients=1000, days=70)
    assert doc["data"]["sha256"] == frame_sha256(appointments_to_frame(clinic.appointments, clinic.patients))


def test_registry_of_suites_and_gate_failure_exit_code(tmp_path: Path, capsys):
    def tiny_suite(ctx):
        """A suite whose gate cannot pass."""
        return SuiteOutput(
            data_path=None, data_sha256="0" * 64, data_kind="synthetic", n=1, model_version="none",
            metrics={"anything": 1.0}, by_group={}, card_title="tiny", card_attributes={},
        )  # fmt: skip

    register_suite("tiny_test_suite", tiny_suite)
    gates = tmp_path / "gates.toml"
    gates.write_text(
        '[[gate]]\nname = "needs_auc"\nsuite = "tiny_test_suite"\nmetric = "roc_auc"\nthreshold = 0.5\n'
        'direction = ">="\nwhy = "a missing figure must fail"\n'
    )
    result = run_suite("tiny_test_suite", data=None, out=tmp_path / "o", progress=False, gates_path=gates)
    assert [g.name for g in result.failed_gates] == ["needs_auc"]
    assert result.missing_card_attributes  # an empty card is reported, not silently accepted
    assert "NOT PROVIDED" in result.card_path.read_text()
    with pytest.raises(KeyError, match="unknown suite"):
        run_suite("no_such_suite", data=None, out=tmp_path / "x", progress=False)
    assert main(["--list"]) == 0
    assert "noshow" in capsys.readouterr().out


def test_noshow_suite_on_a_sample_of_the_public_csv(tmp_path: Path):
    source = default_kaggle_path()
    if not source.is_file():
        pytest.skip(f"public no-show CSV not found at {source}")
    raw = pd.read_csv(source, dtype=str)
    # Whole patients (so history stays intact), about a tenth of the file.
    keep = raw["PatientId"].map(lambda pid: zlib.crc32(pid.encode()) % 10 == 0)
    sample = tmp_path / "sample.csv"
    raw.loc[keep, list(KAGGLE_COLUMNS)].to_csv(sample, index=False)
    result = run_suite("noshow", data=sample, out=tmp_path / "out", progress=False, n_boot=30, n_threads=1)
    doc = json.loads(result.metrics_path.read_text())
    _check_run(tmp_path / "out", doc)
    assert doc["data"]["kind"] == "external"
    assert {g.name for g in result.gates} >= {"noshow_roc_auc", "noshow_ece", "noshow_equalized_odds"}
    assert 0.6 < doc["metrics"]["roc_auc"] < 0.8
    assert "sex × age_band × scholarship" in doc["by_group"]
