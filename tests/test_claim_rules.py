"""Claim rules: each fires on its error and stays silent on clean claims; NPI, PTP and statuses by hand."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from evals.synthetic_claims import generate_labeled_claims, make_patients, npi_with_check_digit
from models.claims import (
    EXCEPTION_KINDS,
    Authorization,
    Claim,
    ClaimContext,
    ClaimPatient,
    Coverage,
    FeeSchedule,
    PayerRules,
    PriorClaim,
    RuleState,
    ServiceLine,
    Subscriber,
)
from tools.claims.rules import RULES, check_claim, npi_check_digit_valid
from tools.claims.codes import ICD10CM_CSV, NCCI_PTP_PRAC, CodeTables, IcdRow, ModifierRow, MueRow, PtpRow, AddOnRow
from tests.conftest import SHARED_DATA as DEFAULT_DATA_DIR

DOS = date(2025, 1, 15)
HANDWRITTEN_CLAIMS = Path(__file__).with_name("data") / "claims_handwritten.jsonl"


@pytest.fixture(scope="module")
def real_tables() -> CodeTables:
    if not (DEFAULT_DATA_DIR / ICD10CM_CSV).exists() or not (DEFAULT_DATA_DIR / NCCI_PTP_PRAC).exists():
        pytest.skip(f"code tables not found at {DEFAULT_DATA_DIR}")
    return CodeTables.from_files(DEFAULT_DATA_DIR)


@pytest.fixture(scope="module")
def small_tables() -> CodeTables:
    """Tiny tables built from rows, the way Postgres-loaded tables are."""
    return CodeTables.from_rows(
        icd10cm=[IcdRow("E119", True, None, None, None, None, None, None), IcdRow("I10", True, None, None, None, None, None, None),
                 IcdRow("E11", False, None, None, None, None, None, None)],
        ptp=[PtpRow("11102", "99213", None, date(9999, 12, 31), 1, "CPT"),
             PtpRow("80053", "80048", None, date(9999, 12, 31), 0, "panel"),
             PtpRow("20610", "96372", None, date(9999, 12, 31), 1, "std"),
             PtpRow("20610", "96372", None, date(2024, 12, 31), 0, "old row, deleted")],
        mue=[MueRow("99213", 2, 3, "Clinical", "Practitioner", None), MueRow("96372", 4, 3, "Clinical", "Practitioner", None)],
        add_on=[AddOnRow("11102", "11103", 1)],
        modifiers=[ModifierRow(m, "CPT", "") for m in ("25", "59", "95", "GT", "XS", "LT")],
    )


def make_claim(codes: list[tuple[str, list[str]]], **overrides) -> Claim:
    lines = [ServiceLine(line_number=i, code=code, modifiers=mods, units=Decimal(1), charge=Decimal("100"),
                         diagnosis_pointers=[1], service_date=DOS) for i, (code, mods) in enumerate(codes, start=1)]
    fields = dict(
        id="C1", patient=ClaimPatient(id="P1", birth_date=date(1970, 5, 1), sex="F"),
        subscriber=Subscriber(member_id="M1", birth_date=date(1970, 5, 1), sex="F"),
        coverage=Coverage(payer_id="COM01", member_id="M1", start=date(2024, 1, 1)),
        billing_npi="1234567893", rendering_npi=None, diagnoses=["E119"], service_lines=lines,
        submission_date=date(2025, 1, 20),
    )
    fields.update(overrides)
    return Claim(**fields)


def kinds_of(claim, tables, context=None) -> set[str]:
    return check_claim(claim, tables=tables, context=context or ClaimContext()).kinds


def test_npi_check_digit_by_hand():
    # 1234567893: doubled digits 9,7,5,3,1 -> 9,5,1,6,2 (=23); others 8,6,4,2 (=20); 23+20+24 = 67 -> check 3
    assert npi_check_digit_valid("1234567893")
    assert not npi_check_digit_valid("1234567890")
    assert not npi_check_digit_valid("123456789")  # 9 digits
    assert not npi_check_digit_valid("3234567893")  # must start with 1 or 2
    assert npi_with_check_digit("123456789") == "1234567893"


def test_clean_small_claim_has_no_findings(small_tables):
    check = check_claim(make_claim([("99213", [])]), tables=small_tables, context=ClaimContext())
    assert check.findings == []


def test_ptp_honours_date_and_modifier_indicator(small_tables):
    # indicator 0: no modifier bypasses
    assert "ncci_ptp" in kinds_of(make_claim([("80053", []), ("80048", ["59"])]), small_tables)
    # indicator 1: 59 / XS bypass; without a modifier it fires
    assert "ncci_ptp" in kinds_of(make_claim([("20610", []), ("96372", [])]), small_tables)
    assert "ncci_ptp" not in kinds_of(make_claim([("20610", []), ("96372", ["XS"])]), small_tables)
    # 25 is not a bypass on a procedure (it is an E/M modifier)
    assert "ncci_ptp" in kinds_of(make_claim([("20610", []), ("96372", ["25"])]), small_tables)
    # the deleted indicator-0 row applies only to dates before its deletion date
    early = make_claim([("20610", []), ("96372", ["XS"])])
    for line in early.service_lines:
        line.service_date = date(2024, 6, 1)
    assert "ncci_ptp" in kinds_of(early, small_tables)
    # the order on the claim does not matter, the direction of the pair does
    assert "ncci_ptp" in kinds_of(make_claim([("96372", []), ("20610", [])]), small_tables)


def test_modifier_25_and_addon(small_tables):
    # 11102 (col. 1) + 99213 (col. 2) is an active indicator-1 pair: the E/M needs 25, and the PTP
    # edit it hits is reported beside the missing modifier.
    assert kinds_of(make_claim([("99213", []), ("11102", [])]), small_tables) == {"modifier_25_missing", "ncci_ptp"}
    assert kinds_of(make_claim([("99213", ["25"]), ("11102", [])]), small_tables) == set()
    assert "addon_without_primary" in kinds_of(make_claim([("11103", [])]), small_tables)
    assert "addon_without_primary" not in kinds_of(make_claim([("11102", []), ("11103", [])]), small_tables)
    assert "modifier_invalid" in kinds_of(make_claim([("96372", ["25"])]), small_tables)
    assert "modifier_invalid" in kinds_of(make_claim([("96372", ["Z9"])]), small_tables)


def test_telehealth_and_icd(small_tables):
    assert "pos_telehealth_mismatch" in kinds_of(make_claim([("99213", [])], place_of_service="10"), small_tables)
    assert "pos_telehealth_mismatch" not in kinds_of(make_claim([("99213", ["95"])], place_of_service="10"), small_tables)
    assert "pos_telehealth_mismatch" in kinds_of(make_claim([("99213", ["95"])], place_of_service="11"), small_tables)
    assert "icd_not_billable" in kinds_of(make_claim([("99213", [])], diagnoses=["E11"]), small_tables)
    assert "icd_invalid" in kinds_of(make_claim([("99213", [])], diagnoses=["25000"]), small_tables)
    assert "dx_pointer_invalid" in kinds_of(make_claim([("99213", [])], diagnoses=[]), small_tables)


def test_context_rules(small_tables):
    payer = PayerRules(payer_id="COM01", codes_requiring_auth=["99213"], timely_filing_days=90)
    auth = Authorization(number="PA1", member_id="M1", codes=["99213"], start=date(2025, 1, 1), end=date(2025, 3, 31))
    context = ClaimContext(payer_rules=payer, authorizations=[auth], prior_claims=[],
                           fee_schedule=FeeSchedule(service_unit="fm", charges={"99213": Decimal("100")}))
    clean = make_claim([("99213", [])], prior_auth_number="PA1")
    assert kinds_of(clean, small_tables, context) == set()
    assert "auth_missing" in kinds_of(make_claim([("99213", [])]), small_tables, context.model_copy(update={"authorizations": []}))
    expired = context.model_copy(update={"authorizations": [auth.model_copy(update={"end": date(2025, 1, 10)})]})
    assert "auth_expired" in kinds_of(clean, small_tables, expired)
    assert "timely_filing" in kinds_of(make_claim([("99213", [])], prior_auth_number="PA1", submission_date=date(2025, 5, 1)), small_tables, context)
    assert "coverage_inactive" in kinds_of(make_claim([("99213", [])], prior_auth_number="PA1",
                                                      coverage=Coverage(payer_id="COM01", member_id="M1", start=date(2023, 1, 1), end=date(2024, 12, 31))),
                                           small_tables, context)
    dup = context.model_copy(update={"prior_claims": [PriorClaim(claim_id="C0", patient_id="P1", billing_npi="1234567893", lines=[("99213", DOS, ())])]})
    assert "duplicate_claim" in kinds_of(clean, small_tables, dup)
    assert "duplicate_claim" not in kinds_of(clean.model_copy(update={"frequency_code": "7"}), small_tables, dup)
    off = clean.model_copy(deep=True)
    off.service_lines[0].charge = Decimal("150")
    assert kinds_of(off, small_tables, context) == {"charge_off_schedule"}
    off.service_lines[0].charge = None
    assert kinds_of(off, small_tables, context) == {"charge_missing"}
    demo = make_claim([("99213", [])], prior_auth_number="PA1", subscriber=Subscriber(member_id="M1", birth_date=date(1971, 5, 1), sex="F"))
    assert kinds_of(demo, small_tables, context) == {"demographic_mismatch"}


def test_missing_tables_and_context_are_reported():
    check = check_claim(make_claim([("99213", [])]), tables=CodeTables(), context=ClaimContext())
    states = {s.rule_id: s.state for s in check.statuses}
    assert len(check.statuses) == len(RULES)
    assert states["DX-001"] == RuleState.table_not_loaded and states["NCCI-001"] == RuleState.table_not_loaded
    assert states["PAY-001"] == RuleState.context_missing and states["PAY-005"] == RuleState.context_missing
    assert states["PRV-001"] == RuleState.ran
    assert check.incomplete
    assert "ptp" in next(s.detail for s in check.statuses if s.rule_id == "NCCI-001")


def test_findings_carry_carc_evidence_and_fix(real_tables):
    check = check_claim(make_claim([("80053", []), ("80048", [])]), tables=real_tables, context=ClaimContext())
    finding = next(f for f in check.findings if f.kind == "ncci_ptp")
    assert finding.carc == "CO-236" and finding.carc_description
    assert finding.evidence.line_number == 2 and finding.evidence.table == "ncci_ptp_prac"
    assert "80053,80048" in finding.evidence.table_row and finding.suggested_fix


def test_generated_claims_recall_and_clean_false_positives(real_tables):
    items = generate_labeled_claims(make_patients(150, seed=3), tables=real_tables, n=400, seed=11)
    tp, fp, fn = Counter(), Counter(), Counter()
    clean_false_positives = 0
    for item in items:
        got = check_claim(item.claim, tables=real_tables, context=item.context).kinds
        expected = {k.value for k in item.expected}
        tp.update(got & expected)
        fp.update(got - expected)
        fn.update(expected - got)
        clean_false_positives += bool(not expected and got)
    assert set(tp) == set(EXCEPTION_KINDS), f"kinds never exercised: {set(EXCEPTION_KINDS) - set(tp)}"
    assert sum(fn.values()) == 0, f"missed: {dict(fn)}"
    assert clean_false_positives == 0
    assert sum(fp.values()) == 0, f"false positives: {dict(fp)}"


def test_rules_on_a_parsed_837p(real_tables):
    from tools.claims.x12_837 import read_837p

    path = DEFAULT_DATA_DIR / "x12" / "837_005010X222A2" / "demo.example1.837"
    if not path.exists():
        pytest.skip(f"{path} not found")
    (claim,) = read_837p(path)
    check = check_claim(claim, tables=real_tables, context=ClaimContext())
    # the 2006 TR3 example carries ICD-9 codes (qualifier BK/BF): both are flagged
    invalid = [f for f in check.findings if f.kind == "icd_invalid"]
    assert [f.evidence.code for f in invalid] == ["0340", "V7389"]
    assert "coverage dates unknown" in next(s.detail for s in check.statuses if s.kind == "coverage_inactive")


# Office E/M levels, and the venipuncture / lab codes billed with them at most visits; none of the
# labs has a global period, and the 2024Q3 practitioner PTP file has no active pair between them.
OFFICE_EM = ("99202", "99203", "99204", "99205", "99212", "99213", "99214", "99215")
VENIPUNCTURE_AND_LABS = ("36415", "36416", "80048", "80053", "80061", "80069", "80076", "83036", "84443", "85025",
                         "85027", "81002", "81003", "87880", "82947")


def test_modifier_25_never_for_an_em_with_venipuncture_or_lab_panels_alone(real_tables):
    """Issue 13: codes with no global period need no modifier 25; the rule follows the PTP data."""
    false_flags = []
    for em in OFFICE_EM:
        for lab in VENIPUNCTURE_AND_LABS:
            for codes in ([(em, []), (lab, [])], [(em, []), ("36415", []), (lab, [])]):
                if len({c for c, _ in codes}) < len(codes):
                    continue
                got = kinds_of(make_claim(codes), real_tables)
                if got & {"modifier_25_missing", "ncci_ptp"}:
                    false_flags.append((tuple(c for c, _ in codes), sorted(got)))
    assert false_flags == []


def test_modifier_25_fires_where_the_ptp_data_says_so_with_the_ptp_finding_beside_it(real_tables):
    # 20610 (arthrocentesis, 0-day global) + 99213 and 96372 (injection) + 99214: active pairs with
    # modifier indicator 1 in the 2024Q3 file, the E/M in column 2.
    for procedure, em in (("20610", "99213"), ("96372", "99214"), ("17110", "99212")):
        check = check_claim(make_claim([(em, []), (procedure, [])]), tables=real_tables, context=ClaimContext())
        assert check.kinds == {"modifier_25_missing", "ncci_ptp"}, (procedure, em, check.kinds)
        m25 = next(f for f in check.findings if f.kind == "modifier_25_missing")
        ptp = next(f for f in check.findings if f.kind == "ncci_ptp")
        assert m25.evidence.line_number == ptp.evidence.line_number == 1  # both about the E/M line
        assert ptp.evidence.table_row.startswith(f"{procedure},{em},") and "modifier_indicator=1" in ptp.evidence.table_row
        assert "25" in ptp.suggested_fix
        # With 25 on the E/M both are resolved.
        assert kinds_of(make_claim([(em, ["25"]), (procedure, [])]), real_tables) == set()
    # A procedure with no active pair with the E/M needs no 25, whatever its CPT range.
    assert kinds_of(make_claim([("99213", []), ("93000", [])]), real_tables) == set()


def test_handwritten_claims_rules_match_a_billers_labels(real_tables):
    """Claims written by hand from the CMS tables (not by the generator): the rules agree with the labels."""
    from evals.synthetic_claims import read_labeled_claims

    items = read_labeled_claims(HANDWRITTEN_CLAIMS)
    assert len(items) >= 20
    wrong = []
    for item in items:
        got = check_claim(item.claim, tables=real_tables, context=item.context).kinds
        if got != {k.value for k in item.expected}:
            wrong.append((item.id, sorted(got), sorted(k.value for k in item.expected)))
    assert wrong == []
