"""The claims suite end to end on small synthetic sets (generated, and a labeled JSONL file with
remittances), and the payer simulator's documented behaviour."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from evals.runner import list_suites, run_suite
from evals.synthetic_remits import (
    KIND_CARC,
    adjudicate,
    generate_claim_history,
    read_remits,
    write_claim_history,
)
from models.claims import Claim, ClaimPatient, Coverage, LabeledClaim, ServiceLine, Subscriber
from tools.claims.codes import ICD10CM_CSV, NCCI_PTP_PRAC, CodeTables
from tests.conftest import SHARED_DATA as DEFAULT_DATA_DIR

REQUIRED = {"rules_recall", "rules_precision", "model_roc_auc", "recall_at_95_precision_rules",
            "recall_at_95_precision_combined"}


@pytest.fixture(scope="module")
def tables() -> CodeTables:
    if not (DEFAULT_DATA_DIR / ICD10CM_CSV).exists() or not (DEFAULT_DATA_DIR / NCCI_PTP_PRAC).exists():
        pytest.skip(f"code tables not found at {DEFAULT_DATA_DIR}")
    return CodeTables.from_files(DEFAULT_DATA_DIR)


def _run(tmp_path: Path, tables: CodeTables, *, data: Path | None, n: int) -> dict:
    result = run_suite("claims", data=data, out=tmp_path, progress=False, n_boot=20, n_threads=1,
                       options={"tables": tables, "n": n})
    doc = json.loads(result.metrics_path.read_text())
    assert result.missing_card_attributes == []
    assert result.card_path.is_file() and result.report_path.is_file()
    return doc


def test_claims_suite_on_generated_history(tmp_path: Path, tables):
    assert "claims" in dict(list_suites())
    doc = _run(tmp_path, tables, data=None, n=2000)
    metrics = doc["metrics"]
    assert REQUIRED <= {k for k, v in metrics.items() if v is not None}
    assert doc["data"]["kind"] == "synthetic" and len(doc["data"]["sha256"]) == 64
    assert metrics["rules_recall"] == 1.0 and metrics["rules_clean_false_positives"] == 0
    assert metrics["recall[ncci_ptp]"] == 1.0 and metrics["support[ncci_ptp]"] > 0
    assert metrics["recall_at_95_precision_combined"] >= metrics["recall_at_95_precision_rules"] > 0
    assert {"sex", "age_band", "payer"} <= set(doc["by_group"])
    entry = next(iter(doc["by_group"]["payer"].values()))
    assert {"n", "insufficient", "selection_rate", "fpr"} <= set(entry) and set(entry["fpr"]) == {"value", "ci_low", "ci_high"}
    gates = {g["name"] for g in doc["gates"]}
    assert {"claims_rules_recall", "claims_rules_no_clean_false_positives", "claims_combined_recall_ratio"} <= gates
    card = (tmp_path / "model_card.md").read_text()
    assert "Medical necessity" in card and "NOT PROVIDED" not in card


def test_claims_suite_on_a_labeled_file_with_remits(tmp_path: Path, tables):
    history = generate_claim_history(tables, n=150, seed=9, error_rate=0.4, n_patients=100)
    path = tmp_path / "labeled.jsonl"
    write_claim_history(history, path)
    remits = read_remits(path)
    assert len(remits) == 150 and remits[history.items[0].id] == history.remits[0]
    # As a clinic would send it: 835 outcomes (no simulator truth) for most lines, none for 30.
    lines = []
    for number, text in enumerate(path.read_text().splitlines()):
        doc = json.loads(text)
        if number < 30:
            doc.pop("remit")
        else:
            doc["remit"].pop("p_denial")
        lines.append(json.dumps(doc))
    path.write_text("\n".join(lines) + "\n")
    doc = _run(tmp_path / "out", tables, data=path, n=1000)
    assert doc["data"]["kind"] == "external" and doc["n"] == 150
    assert REQUIRED <= set(doc["metrics"])
    assert doc["metrics"]["rules_recall"] == 1.0
    assert doc["metrics"].get("recall_at_95_precision_oracle") is None  # real outcomes: no oracle
    assert "30 of 150 items carry no `remit`" in (tmp_path / "out" / "report.html").read_text()


def _claim(payer: str, codes: list[str], diagnoses: list[str]) -> Claim:
    day = date(2025, 2, 3)
    return Claim(
        id="C1", patient=ClaimPatient(id="P1", birth_date=date(1960, 1, 1), sex="M"),
        subscriber=Subscriber(member_id="M1", birth_date=date(1960, 1, 1), sex="M"),
        coverage=Coverage(payer_id=payer, member_id="M1"), billing_npi="1234567893", diagnoses=diagnoses,
        submission_date=date(2025, 2, 10), service_lines=[
            ServiceLine(line_number=i, code=c, charge=Decimal(50), diagnosis_pointers=[1], service_date=day)
            for i, c in enumerate(codes, start=1)],
    )  # fmt: skip


def test_simulator_behaviour():
    # A rule-expressible error is always denied with its rule's CARC.
    err = LabeledClaim(id="x1", claim=_claim("MCR01", ["99213"], ["I10"]), expected=["timely_filing", "npi_invalid"])
    remit = adjudicate(err, seed=0)
    assert remit.denied and remit.p_denial == 1.0 and remit.carc == KIND_CARC["npi_invalid"] == "CO-16"
    assert set(remit.carcs) == {"CO-16", "CO-29"}
    # Medicare HbA1c without an endocrine diagnosis: medical-necessity risk on top of the base rate.
    unsupported = adjudicate(LabeledClaim(id="x2", claim=_claim("MCR01", ["83036"], ["I10"])), seed=0)
    supported = adjudicate(LabeledClaim(id="x2", claim=_claim("MCR01", ["83036"], ["E119"])), seed=0)
    assert unsupported.p_denial == pytest.approx(1 - 0.15 * 0.98)
    assert supported.p_denial == pytest.approx(0.02)
    # Seeded per claim id.
    assert adjudicate(LabeledClaim(id="x2", claim=_claim("MCR01", ["83036"], ["I10"])), seed=0) == unsupported


def test_claims_suite_reports_roc_auc_on_remittance_outcomes_beside_the_simulators(tmp_path: Path, tables):
    """Issue 13: outcomes read from 835 files (the simulated payer answers in X12, as a real one
    would) are matched to the file's claims; the suite reports the model's ROC-AUC on them beside
    the simulator's, and the remittance gates judge it."""
    from evals.synthetic_remits import write_835

    history = generate_claim_history(tables, n=240, seed=13, error_rate=0.3, n_patients=150)
    data = tmp_path / "labeled.jsonl"
    write_claim_history(history, data)
    data.write_text("\n".join(json.dumps({k: v for k, v in json.loads(line).items() if k != "remit"})
                              for line in data.read_text().splitlines()) + "\n")  # no outcomes in the file itself
    remits = tmp_path / "835"
    remits.mkdir()
    half = len(history) // 2
    pairs = [(i.claim, r) for i, r in zip(history.items, history.remits)]
    (remits / "a.835").write_text(write_835(pairs[:half], control_number=1))
    (remits / "b.835").write_text(write_835(pairs[half:], control_number=2))
    result = run_suite("claims", data=data, out=tmp_path / "out", progress=False, n_boot=20, n_threads=1,
                       options={"tables": tables, "n": 1000, "remits": remits})
    metrics = json.loads(result.metrics_path.read_text())["metrics"]
    assert metrics["n_outcomes_remits"] == 240 and metrics["n_outcomes_simulator"] > 0
    assert metrics["denial_rate_remits"] == pytest.approx(sum(history.denied) / 240)
    assert 0.5 < metrics["model_roc_auc_remits"] <= 1.0 and 0.5 < metrics["model_roc_auc_simulator"] <= 1.0
    gates = {g.name: g for g in result.gates}
    assert gates["claims_remit_outcomes"].passed and gates["claims_remit_model_roc_auc"].value == metrics["model_roc_auc_remits"]
    report = (tmp_path / "out" / "report.html").read_text()
    assert "model_roc_auc_remits" in report and "model_roc_auc_simulator" in report
