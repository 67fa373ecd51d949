"""Code tables as data: import (COPY) -> load_code_tables -> the rules fire as with file-loaded tables;
re-import is a no-op, a new file is a new load, a never-imported table is reported missing."""

from __future__ import annotations

import gzip
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from evals.synthetic_claims import npi_with_check_digit
from models.claims import Claim, ClaimPatient, Coverage, RuleState, ServiceLine, Subscriber
from store import audit
from store.codes import latest_loads
from tools.claims.code_tables import effective_quarter, import_code_tables, load_code_tables
from tools.claims import codes as ct
from tools.claims.rules import check_claim

SMALL_TABLES = ["mue", "add_on", "modifiers", "place_of_service", "adjustment_codes"]


def _ptp_subset(source: Path, target: Path, *, first_rows: int = 3000, extra: list[str] | None = None) -> tuple[str, str]:
    """The first rows of the real PTP file (gzip, same layout) plus `extra` lines; returns an active
    indicator-0 pair among them, for a claim the edit must catch."""
    pair = None
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(source, "rt", encoding="utf-8") as src, gzip.open(target, "wt", encoding="utf-8") as dst:
        dst.write(next(src))
        for _ in range(first_rows):
            line = next(src)
            dst.write(line)
            col1, col2, deletion, indicator = line.split(",")[:4]
            if pair is None and deletion == "9999-12-31" and indicator == "0" and col1 != col2:
                pair = (col1, col2)
        for line in extra or []:
            dst.write(line)
    assert pair is not None
    return pair


@pytest.fixture
def mini_data(shared_data: Path, tmp_path: Path) -> tuple[Path, tuple[str, str]]:
    """A data folder laid out like shared/data: small tables in full, PTP and ICD-10-CM cut down."""
    root = tmp_path / "data"
    for relative in (ct.NCCI_MUE, ct.NCCI_ADD_ON, ct.MODIFIERS, ct.PLACE_OF_SERVICE, ct.CARC_RARC):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared_data / relative, root / relative)
    (root / ct.ICD10CM_CSV).parent.mkdir(parents=True, exist_ok=True)
    with open(shared_data / ct.ICD10CM_CSV, encoding="utf-8") as src, open(root / ct.ICD10CM_CSV, "w", encoding="utf-8") as dst:
        dst.write(next(src))
        for line in src:
            if line.startswith(("E1", "I1", "J0")):
                dst.write(line)
    pair = _ptp_subset(shared_data / ct.NCCI_PTP_PRAC, root / ct.NCCI_PTP_PRAC)
    return root, pair


def _claim(codes: list[str], diagnoses: list[str]) -> Claim:
    day = date(2025, 1, 15)
    npi = npi_with_check_digit("123456789")
    return Claim(
        id="CLM-T1", patient=ClaimPatient(id="MRN1", birth_date=date(1970, 5, 1), sex="F"),
        subscriber=Subscriber(member_id="M1", birth_date=date(1970, 5, 1), sex="F"),
        coverage=Coverage(payer_id="MCR01", member_id="M1", start=date(2024, 1, 1)),
        billing_npi=npi, rendering_npi=npi, diagnoses=diagnoses, submission_date=date(2025, 1, 20),
        service_lines=[ServiceLine(line_number=i, code=code, charge=Decimal("100"), diagnosis_pointers=[1], service_date=day)
                       for i, code in enumerate(codes, start=1)],
    )  # fmt: skip


def _view(check) -> list[tuple]:
    return sorted((f.rule_id, f.message, f.evidence.table_row) for f in check.findings)


def test_import_round_trip_matches_file_tables(conn, mini_data):
    root, (col1, col2) = mini_data
    reports = import_code_tables(conn, data_dir=root, tables=["icd10cm", *SMALL_TABLES], actor="tester")
    conn.commit()
    assert {r.table: r.status for r in reports} == {name: "imported" for name in ["icd10cm", *SMALL_TABLES]}
    assert all(len(r.sha256) == 64 and r.rows > 0 for r in reports)
    assert {r.table: r.effective_quarter for r in reports}["mue"] == "2024Q3"

    # PTP never imported: the rules that need it say so instead of passing the claim.
    claim = _claim([col1, col2], ["E119", "E11999Z"])
    partial = load_code_tables(conn)
    assert partial.ptp is None and partial.icd10cm is not None and partial.mue is not None
    statuses = {s.rule_id: s.state for s in check_claim(claim, tables=partial).statuses}
    assert statuses["NCCI-001"] == RuleState.table_not_loaded and statuses["MOD-002"] == RuleState.table_not_loaded
    assert statuses["DX-001"] == RuleState.ran

    ptp_report = import_code_tables(conn, data_dir=root, tables=["ptp"], actor="tester")[0]
    conn.commit()
    assert ptp_report.status == "imported" and ptp_report.rows == 3000

    from_db = load_code_tables(conn)
    from_files = ct.CodeTables.from_files(root)
    assert from_db.loaded() == from_files.loaded() == {name: True for name in from_files.loaded()}
    db_check, file_check = check_claim(claim, tables=from_db), check_claim(claim, tables=from_files)
    assert {"NCCI-001", "DX-001"} <= {f.rule_id for f in db_check.findings}
    assert _view(db_check) == _view(file_check)
    assert not any(s.state == RuleState.table_not_loaded for s in db_check.statuses)
    assert len(from_db.ptp) == len(from_files.ptp) and from_db.icd10cm.billable == from_files.icd10cm.billable
    assert from_db.mue.limits == from_files.mue.limits and from_db.add_on.add_ons == from_files.add_on.add_ons

    events = audit.list_events(conn, action="codes.imported")
    assert {e["detail"]["table"] for e in events} == {"icd10cm", "ptp", *SMALL_TABLES}
    assert all("sha256" in e["detail"] and e["actor"] == "tester" for e in events)
    assert audit.verify_chain(conn).ok


def test_reimport_is_a_no_op_and_a_new_file_is_a_new_load(conn, mini_data, shared_data):
    root, (col1, col2) = mini_data
    first = import_code_tables(conn, data_dir=root, tables=["ptp", "mue"])
    conn.commit()
    events_before = len(audit.list_events(conn, action="codes.imported"))
    again = import_code_tables(conn, data_dir=root, tables=["ptp", "mue"])
    conn.commit()
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    assert [r.load_id for r in again] == [r.load_id for r in first]
    assert len(audit.list_events(conn, action="codes.imported")) == events_before

    # Next quarter's file (here: one more edit) is a new load; the rules use the newest.
    _ptp_subset(shared_data / ct.NCCI_PTP_PRAC, root / ct.NCCI_PTP_PRAC,
                extra=["ZZ001,ZZ002,9999-12-31,0,Test edit\n"])
    newer = import_code_tables(conn, data_dir=root, tables=["ptp"])[0]
    conn.commit()
    assert newer.status == "imported" and newer.rows == 3001 and newer.load_id != first[0].load_id
    assert latest_loads(conn)["ptp"].id == newer.load_id
    tables = load_code_tables(conn, include=["ptp"])
    assert tables.ptp.edits_for("ZZ001", "ZZ002", 20250101)[0].rationale == "Test edit"
    assert tables.icd10cm is None  # include= limits what loads


def test_missing_file_is_reported_not_raised(conn, tmp_path):
    reports = import_code_tables(conn, data_dir=tmp_path, tables=["ptp", "icd10cm"])
    assert [r.status for r in reports] == ["file_missing", "file_missing"]
    assert load_code_tables(conn).loaded() == {name: False for name in ct.CodeTables().loaded()}
    with pytest.raises(ValueError, match="unknown code tables"):
        import_code_tables(conn, data_dir=tmp_path, tables=["cpt"])


def test_effective_quarter_from_file_names():
    assert effective_quarter([Path("ncci_ptp_prac_2024q3.csv.gz")]) == "2024Q3"
    assert effective_quarter([Path("icd10cm_fy2025_codes.csv")]) == "FY2025"
    assert effective_quarter([Path("modifiers.csv")]) is None
