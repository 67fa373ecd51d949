"""837P reader: the TR3 samples parse into claims; other transactions and corrupt files give clear errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA as DEFAULT_DATA_DIR
from tools.claims.x12_837 import X12Error, read_837p

X12_DIR = DEFAULT_DATA_DIR / "x12"
EXAMPLE1 = X12_DIR / "837_005010X222A2" / "demo.example1.837"


@pytest.fixture(scope="module")
def example1_text() -> str:
    if not EXAMPLE1.exists():
        pytest.skip(f"X12 samples not found at {X12_DIR}")
    return EXAMPLE1.read_text()


def test_example1_parses(example1_text):
    (claim,) = read_837p(EXAMPLE1)
    assert claim.id == "26463774"
    assert claim.billing_npi == "1912301953"
    assert claim.place_of_service == "11" and claim.frequency_code == "1"
    assert claim.diagnoses == ["0340", "V7389"]  # ICD-9 (BK/BF) in this 2006 example: the rules flag them
    assert [line.code for line in claim.service_lines] == ["99213", "87070", "99214", "86663"]
    assert claim.service_lines[0].charge == Decimal("40.00") and claim.service_lines[0].units == Decimal("1.00")
    assert claim.service_lines[2].diagnosis_pointers == [2]
    assert claim.service_lines[2].service_date == date(2006, 10, 10)
    assert claim.patient.relationship_to_subscriber == "19" and claim.patient.sex == "M"
    assert claim.patient.birth_date == date(1973, 5, 1)
    assert claim.subscriber.member_id == "JS00111223333" and claim.coverage.payer_id == "999996666"
    assert claim.submission_date == date(2006, 10, 15)


def test_valid_samples_parse_with_modifiers():
    if not X12_DIR.exists():
        pytest.skip(f"X12 samples not found at {X12_DIR}")
    (claim,) = read_837p(X12_DIR / "837_005010X222A2" / "demo.example8.837")
    assert claim.service_lines[0].modifiers == ["RR", "KH", "BR"]
    (claim,) = read_837p(X12_DIR / "837_005010X222A2" / "demo.autoaccident.837")
    assert claim.service_lines[0].code == "99201"


@pytest.mark.parametrize("relative, named", [
    ("835_005010X221A1/managed-care.835", "835"),
    ("837_005010X223A3/institutional-claim.837i", "837I"),
    ("270_005010X279A1/subscriber-health-benefit-check.270", "270"),
    ("837_004010X098A1/patient-is-subscriber.837", "004010X098A1"),
])
def test_other_transactions_are_rejected(relative, named):
    path = X12_DIR / relative
    if not path.exists():
        pytest.skip(f"{path} not found")
    with pytest.raises(X12Error, match="not an 837P") as info:
        read_837p(path)
    assert named in str(info.value) and info.value.segment == "GS"


def test_corrupted_segment_is_named(example1_text):
    with pytest.raises(X12Error) as info:
        read_837p(example1_text.replace("SV1*HC:87070", "SVX*HC:87070"))
    assert info.value.segment == "SVX"
    assert "segment SVX at line 34" in str(info.value)


def test_invalid_date_names_segment_and_element(example1_text):
    with pytest.raises(X12Error) as info:
        read_837p(example1_text.replace("DTP*472*D8*20061010", "DTP*472*D8*2006XX10"))
    issue = info.value.issues[0]
    assert (issue.segment, issue.element, issue.line) == ("DTP", "DTP03", 38)
    assert "2006XX10" not in str(info.value)  # values are not echoed (they may be PHI)


def test_truncated_empty_and_garbage(example1_text, tmp_path: Path):
    with pytest.raises(X12Error, match="truncated") as info:
        read_837p(example1_text[:600])
    assert info.value.segment == "SE"
    empty = tmp_path / "empty.837"
    empty.write_text("")
    with pytest.raises(X12Error, match="empty"):
        read_837p(empty)
    with pytest.raises(X12Error, match="ISA"):
        read_837p(b"hello world")


def test_two_claims_in_one_transaction(example1_text):
    segments = [s for s in example1_text.replace("\n", "").split("~") if s]
    clm = next(i for i, s in enumerate(segments) if s.startswith("CLM*"))
    se = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    second = [s.replace("CLM*26463774", "CLM*SECOND01") for s in segments[clm:se]]
    segments[se:se] = second
    se = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    st = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    segments[se] = f"SE*{se - st + 1}*0021"
    claims = read_837p("~\n".join(segments) + "~\n")
    assert [c.id for c in claims] == ["26463774", "SECOND01"]
    assert len(claims[1].service_lines) == 4 and claims[1].patient.birth_date == claims[0].patient.birth_date


def test_lenient_parse_returns_issues():
    path = X12_DIR / "837_005010X222A2" / "demo.cob.example4.837"
    if not path.exists():
        pytest.skip(f"{path} not found")
    from tools.claims.x12_837 import parse_837p

    claims, issues = parse_837p(path)
    assert len(claims) == 1 and issues and issues[0].segment == "AMT"
    with pytest.raises(X12Error, match="segment AMT at line 31"):
        read_837p(path)
