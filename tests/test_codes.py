"""Code tables: loading from files and from rows, ICD edits, PTP by date, MUE, add-on codes."""

from __future__ import annotations

from datetime import date

import pytest

from tools.claims.codes import (
    ICD10CM_CSV,
    NCCI_PTP_PRAC,
    AddOnRow,
    CodeTables,
    IcdRow,
    MueRow,
    PtpRow,
    date_key,
    read_add_on_rows,
    read_adjustment_code_rows,
    read_mue_rows,
    read_ptp_rows,
)
from tests.conftest import SHARED_DATA as DEFAULT_DATA_DIR


@pytest.fixture(scope="module")
def file_tables() -> CodeTables:
    if not (DEFAULT_DATA_DIR / ICD10CM_CSV).exists() or not (DEFAULT_DATA_DIR / NCCI_PTP_PRAC).exists():
        pytest.skip(f"code tables not found at {DEFAULT_DATA_DIR}")
    return CodeTables.from_files(DEFAULT_DATA_DIR)


def test_small_tables_from_rows():
    tables = CodeTables.from_rows(
        icd10cm=[IcdRow("E119", True, None, None, None, None, None, None), IcdRow("E11", False, None, None, None, None, None, None),
                 IcdRow("N401", True, None, None, "M", "male genital", None, None)],
        ptp=[PtpRow("11102", "99213", None, date(9999, 12, 31), 1, "CPT"), PtpRow("A", "B", None, date(2024, 3, 31), 0, "x"),
             PtpRow("A", "B", None, date(9999, 12, 31), 9, "y")],
        mue=[MueRow("99213", 2, 3, "Clinical", "Practitioner", None), MueRow("99213", 5, 3, "x", "DME Supplier", None)],
        add_on=[AddOnRow("11102", "11103", 1), AddOnRow("CCCCC", "0054T", 2)],
    )
    assert tables.loaded() == {"icd10cm": True, "ptp": True, "mue": True, "add_on": True, "modifiers": False,
                               "place_of_service": False, "adjustment_codes": False}
    assert "E11" in tables.icd10cm.codes and "E11" not in tables.icd10cm.billable
    assert tables.icd10cm.sex_edits["N401"][0] == "M"
    assert tables.mue.limits["99213"][0] == 2  # practitioner row only
    assert tables.add_on.add_ons["11103"] == (1, frozenset({"11102"}))
    assert tables.add_on.add_ons["0054T"] == (2, frozenset())
    # the deleted A/B row applies before its deletion date only; the indicator-9 row always comes back
    before = tables.ptp.edits_for("A", "B", date_key(date(2024, 1, 15)))
    after = tables.ptp.edits_for("A", "B", date_key(date(2024, 4, 1)))
    assert sorted(h.modifier_indicator for h in before) == [0, 9]
    assert [h.modifier_indicator for h in after] == [9]
    assert tables.ptp.edits_for("B", "A", 20240101) == []  # direction matters
    assert tables.ptp.edits_for("11102", "99213", 20250101)[0].modifier_indicator == 1


def test_row_readers_match_files():
    if not (DEFAULT_DATA_DIR / NCCI_PTP_PRAC).exists():
        pytest.skip(f"NCCI files not found at {DEFAULT_DATA_DIR}")
    first = next(read_ptp_rows(DEFAULT_DATA_DIR / NCCI_PTP_PRAC))
    assert first.column1_code and isinstance(first.deletion_date, date) and first.modifier_indicator in (0, 1, 9)
    mue = list(read_mue_rows(DEFAULT_DATA_DIR / "ncci/ncci_mue_2024q3.csv"))
    assert len(mue) == 32233
    assert sum(1 for _ in read_add_on_rows(DEFAULT_DATA_DIR / "ncci/ncci_add_on_codes.csv")) == 7465
    carc = {r.code: r for r in read_adjustment_code_rows(DEFAULT_DATA_DIR / "codes/carc_rarc_adjustment_codes.csv")}
    assert carc["15"].end_date == date(2018, 5, 1) and carc["16"].end_date is None


def test_icd_table_from_files(file_tables):
    icd = file_tables.icd10cm
    assert len(icd) == 97584 and len(icd.billable) == 74260
    assert "E119" in icd.billable and "E11" in icd.codes and "E11" not in icd.billable
    # age/sex edits derived from the tabular XML
    assert icd.age_edits["Z6841"][:2] == (20, 124)  # BMI adult note
    assert icd.age_edits["Z6851"][:2] == (2, 19)  # BMI pediatric note
    assert icd.sex_edits["O80"][0] == "F" and icd.age_edits["O80"][:2] == (12, 55)
    assert icd.sex_edits["N401"][0] == "M" and icd.sex_edits["N800"][0] == "F"
    assert icd.sex_edits["C50111"][0] == "F" and icd.sex_edits["C50121"][0] == "M"
    assert "P0700" not in icd.age_edits  # chapter 16: conditions count even if morbidity occurs later
    assert "E119" not in icd.age_edits and "E119" not in icd.sex_edits


def test_ptp_table_from_file(file_tables):
    ptp = file_tables.ptp
    assert len(ptp) == 2546017
    # deleted 2023-12-31: in force for a 2023 date of service, not for 2024
    assert ptp.edits_for("0001A", "0591T", date_key(date(2023, 6, 1)))
    assert not ptp.edits_for("0001A", "0591T", date_key(date(2024, 8, 1)))
    hits = ptp.edits_for("80053", "80048", date_key(date(2025, 1, 1)))
    assert hits and hits[0].modifier_indicator == 0
    assert ptp.nbytes() < 60_000_000


def test_other_tables_from_files(file_tables):
    assert file_tables.mue.limits["99213"][0] == 2
    assert "25" in file_tables.modifiers and "XU" in file_tables.modifiers and "Z9" not in file_tables.modifiers
    assert file_tables.place_of_service["10"].startswith("Telehealth")
    assert file_tables.describe_adjustment("CO-197").startswith("Precertification")
    assert file_tables.add_on.add_ons["11103"][0] == 1 and "11102" in file_tables.add_on.add_ons["11103"][1]


def test_ptp_file_and_row_paths_agree(tmp_path):
    import gzip

    rows = ["column1_code,column2_code,deletion_date,modifier_indicator,rationale",
            "11102,99213,9999-12-31,1,CPT Manual or CMS manual coding instruction",
            "80053,80048,9999-12-31,0,Laboratory panel",
            "0001A,0591T,2023-12-31,1,CPT Manual or CMS manual coding instruction",
            "0001A,0591T,9999-12-31,9,Misuse of Column Two code with Column One code"]
    path = tmp_path / "ptp.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(rows) + "\n")
    from tools.claims.codes import PtpTable

    fast, slow = PtpTable.from_file(path), PtpTable.from_rows(read_ptp_rows(path))
    assert fast.codes == slow.codes and fast.keys.tolist() == slow.keys.tolist()
    assert fast.deletion.tolist() == slow.deletion.tolist() and fast.indicator.tolist() == slow.indicator.tolist()
    for table in (fast, slow):
        assert [h.modifier_indicator for h in table.edits_for("0001A", "0591T", 20230101)] == [1, 9]
        assert table.edits_for("80053", "80048", 20250101)[0].rationale == "Laboratory panel"
