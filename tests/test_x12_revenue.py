"""X12 270/271, 276/277, 834 and 835: every public sample is read with the values the TR3 example
holds; bad files name their segment; a 270 we write reads back with matching control counts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from models.revenue import EligibilityInquiry
from tests.conftest import SHARED_DATA
from tools.claims.x12_edi import X12Error
from tools.claims.x12_eligibility import parse_270, parse_271, write_270
from tools.claims.x12_enrollment import parse_834
from tools.claims.x12_remit import parse_835
from tools.claims.x12_status import parse_276, parse_277

X12 = SHARED_DATA / "x12"
READERS = {"270": parse_270, "271": parse_271, "276": parse_276, "277": parse_277, "834": parse_834, "835": parse_835}
FOLDERS = {"270": "270_005010X279A1", "271": "271_005010X279A1", "276": "276_005010X212", "277": "277_005010X212",
           "834": "834_005010X220A1", "835": "835_005010X221A1"}
EXPECTED_SAMPLES = {"270": 2, "271": 3, "276": 4, "277": 4, "834": 10, "835": 5}


def samples(kind: str) -> list[Path]:
    return sorted((X12 / FOLDERS[kind]).glob(f"*.{kind}"))


def _all_samples():
    if not X12.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"{X12} not found"))]
    return [pytest.param(kind, path, id=f"{kind}:{path.name}") for kind in READERS for path in samples(kind)]


@pytest.mark.parametrize("kind,path", _all_samples())
def test_every_sample_is_read(kind, path):
    records, issues = READERS[kind](path.read_bytes())
    assert records, f"{path.name}: nothing read"
    for issue in issues:  # problems of the TR3 examples are reported, each naming its segment
        assert issue.segment and issue.problem


def test_sample_counts_per_type(shared_data):
    counts = {kind: len(samples(kind)) for kind in READERS}
    assert counts == EXPECTED_SAMPLES


def test_271_values(shared_data):
    (subscriber,), issues = parse_271((X12 / FOLDERS["271"] / "subscriber-health-benefit-check.271").read_bytes())
    assert issues == []
    assert (subscriber.status, subscriber.member_id, subscriber.payer_id) == ("active", "123456789", "841610001")
    assert (subscriber.birth_date, subscriber.sex, subscriber.coverage_start) == (date(1963, 5, 19), "M", date(2006, 1, 1))
    assert subscriber.plan == "GOLD 123 PLAN" and subscriber.trace_number == "93175-012547"
    copays = [b for b in subscriber.benefits if b.code == "B"]
    assert [b.amount for b in copays] == [Decimal("10.00"), Decimal("30.00")] and copays[0].in_network is True
    assert "98" in copays[0].service_types  # EB03 repeats with ^
    (dependent,), _ = parse_271((X12 / FOLDERS["271"] / "dependent-health-benefit-check.271").read_bytes())
    assert dependent.dependent and dependent.relationship == "19" and dependent.member_id == "123456789"
    assert (dependent.given_name, dependent.birth_date, dependent.status) == ("MARY", date(1998, 10, 14), "active")
    (error,), issues = parse_271((X12 / FOLDERS["271"] / "subscriber-health-benefit-check-error.271").read_bytes())
    assert error.status == "rejected" and error.rejects[0].reason_code == "50"
    # The example's SE02 (4323) does not match its ST02 (4321): read, and said.
    assert [(i.segment, i.problem) for i in issues] == [("SE", "SE02 does not match ST02")]


def test_270_835_277_834_values(shared_data):
    (inquiry,), _ = parse_270((X12 / FOLDERS["270"] / "dependent-health-benefit-check.270").read_bytes())
    assert (inquiry.member_id, inquiry.given_name, inquiry.service_date) == ("11122333301", "MARY", date(2006, 5, 1))
    (advice,), _ = parse_835((X12 / FOLDERS["835"] / "managed-care.835").read_bytes())
    assert advice.payment_amount == Decimal("945.00") and [c.patient_control_number for c in advice.claims] == ["5554555444", "8765432112"]
    second = advice.claims[1]
    assert (second.charge, second.paid, second.patient_responsibility) == (Decimal("1200.00"), Decimal("495.00"), Decimal("600.00"))
    assert [a.code for a in second.all_adjustments] == ["CO-A2", "PR-1", "CO-45"]
    assert second.lines[0].code == "93555" and second.lines[0].service_date == date(2002, 3, 10)
    (cob,), _ = parse_835((X12 / FOLDERS["835"] / "cob-contractural-adjustment.835").read_bytes())
    assert cob.claims[0].lines[0].code == "55669"  # SVC01 written with '>' in the TR3 example
    (medicare,), _ = parse_835((X12 / FOLDERS["835"] / "medicare-part-a.835").read_bytes())
    assert medicare.payer_id == "999" and medicare.claims[1].remarks == ["MA02"]
    assert medicare.provider_adjustments[0].reason == "CV" and medicare.provider_adjustments[0].amount == Decimal("-1.27")
    statuses, _ = parse_277((X12 / FOLDERS["277"] / "claim-level-status.277").read_bytes())
    by_pcn = {s.patient_control_number: s for s in statuses}
    assert set(by_pcn) == {"SM123456", "J0234567", "MA345678"}
    assert by_pcn["MA345678"].dependent and by_pcn["MA345678"].statuses[0].category == "F2"
    assert by_pcn["J0234567"].statuses[0].paid == Decimal("7599.00")
    asked, _ = parse_276((X12 / FOLDERS["276"] / "claim-level-status.276").read_bytes())
    assert [a.patient_control_number for a in asked] == ["SM123456", "J0234567", "MA345678"]
    (term,), _ = parse_834((X12 / FOLDERS["834"] / "terminate-subscriber-eligibility.834").read_bytes())
    assert term.maintenance == "024" and term.eligibility_end == date(1996, 8, 1) and term.payer_id == "654456654"
    (added,), _ = parse_834((X12 / FOLDERS["834"] / "enroll-employee-multiple-products.834").read_bytes())
    assert [(c.insurance_line, c.start) for c in added.coverages] == [("HLT", date(1996, 6, 1)), ("VIS", date(1996, 6, 1))]


def _sample_text(kind: str, name: str) -> str:
    return (X12 / FOLDERS[kind] / name).read_text()


@pytest.mark.parametrize("reader,kind,name,breaker,segment", [
    (parse_835, "835", "managed-care.835", lambda t: "", "ISA"),
    (parse_835, "835", "managed-care.835", lambda t: "hello, not x12", "ISA"),
    (parse_835, "835", "managed-care.835", lambda t: t[:40], "ISA"),
    (parse_835, "271", "subscriber-health-benefit-check.271", lambda t: t, "GS"),  # a 271 is not an 835
    (parse_835, "835", "managed-care.835", lambda t: t.split("SE*26")[0], "SE"),  # truncated
    (parse_835, "835", "managed-care.835", lambda t: t.replace("CLP*5554555444*1", "CLP**1"), "CLP"),
    (parse_835, "835", "managed-care.835", lambda t: t.replace("CAS*CO*A2*50.00", "CAS*CO*A2*"), "CAS"),
    (parse_271, "271", "subscriber-health-benefit-check.271", lambda t: t.replace("EB*1**30", "EB***30"), "EB"),
    (parse_271, "271", "subscriber-health-benefit-check-error.271", lambda t: t.replace("AAA*Y**50*N", "AAA*Y***N"), "AAA"),
    (parse_271, "271", "subscriber-health-benefit-check.271", lambda t: t.replace("HL*3*2*22*0", "HL*3*2*99*0"), "HL"),
    (parse_277, "277", "claim-level-status.277", lambda t: t.replace("STC*P3:317", "STC*:317"), "STC"),
    (parse_834, "834", "add-dependent.834", lambda t: t.replace("INS*N*19*021", "INS*N*19*"), "INS"),
    (parse_270, "270", "subscriber-health-benefit-check.270", lambda t: t.replace("*MI*11122333301", "*MI*"), "NM1"),
])
def test_bad_files_name_their_segment(shared_data, reader, kind, name, breaker, segment):
    text = breaker(_sample_text(kind, name))
    with pytest.raises(X12Error) as caught:
        reader(text.encode())
    assert caught.value.segment == segment, str(caught.value)
    assert f"segment {segment}" in str(caught.value) or segment in str(caught.value)
    # Messages name segments, never the values (names, member ids are PHI).
    for value in ("BUDD", "WILLIAM", "SMITH", "33344555510", "123456789"):
        assert value not in str(caught.value)


def test_written_270_reads_back_with_matching_counts():
    inquiries = [
        EligibilityInquiry(trace_number="T-0001", payer_id="COM01", payer_name="Commercial PPO", member_id="W100200300",
                           given_name="Ana", family_name="Ruiz*Diaz~", birth_date=date(1968, 4, 2), sex="F",
                           service_date=date(2025, 3, 2)),
        EligibilityInquiry(trace_number="T-0002", payer_id="MCR01", member_id="1EG4TE5MK73", given_name="Ben",
                           family_name="Baker", birth_date=date(1950, 1, 9), service_date=date(2025, 3, 2),
                           service_types=["30", "98"]),
        EligibilityInquiry(trace_number="T-0003", payer_id="COM01", member_id="W555", family_name="Chu",
                           service_date=date(2025, 3, 2)),
    ]
    text = write_270(inquiries, sender_id="HANDOFF01", receiver_id="CLEARINGHS", provider_npi="1234567893",
                     provider_name="Family Medicine", control_number=17, now=datetime(2025, 3, 1, 16, 5))
    back, issues = parse_270(text)
    assert issues == []  # pyx12's tokenizer recounted SE01, GE01, IEA01 and the control numbers
    assert len(text.split("~")[0]) == 105  # ISA is fixed-width (106 with its terminator)
    assert sorted(b.trace_number for b in back) == ["T-0001", "T-0002", "T-0003"]
    by_trace = {b.trace_number: b for b in back}
    assert by_trace["T-0001"].family_name == "RUIZDIAZ"  # delimiters in a value cannot break the file
    assert (by_trace["T-0002"].payer_id, by_trace["T-0002"].service_types) == ("MCR01", ["30", "98"])
    assert by_trace["T-0001"].birth_date == date(1968, 4, 2) and by_trace["T-0003"].birth_date is None
    assert text.count("ST*270*") == 2  # one transaction per payer
    with pytest.raises(ValueError):
        write_270([], sender_id="A", receiver_id="B", provider_npi="1234567893", provider_name="x", control_number=1)
