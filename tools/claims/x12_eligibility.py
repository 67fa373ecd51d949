"""X12 270/271 (005010X279A1) eligibility: read inquiries and responses, and write 270 files a
clearing-house takes (no network here: the files are the hand-off).

pyx12 4.0 ships no 5010 270/271 map, so the envelope, control numbers and HL numbering are checked
by pyx12's tokenizer (tools.claims.x12_edi) and the loops by the HL level codes the TR3 fixes:
20 information source (payer, 2100A), 21 receiver (provider, 2100B), 22 subscriber (2100C),
23 dependent (2100D). A file that cannot be read raises `X12Error` naming the segment.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pyx12.segment
import pyx12.x12file

from models.revenue import Benefit, EligibilityInquiry, EligibilityReject, EligibilityResponse
from tools.claims.x12_edi import X12Error, X12Issue, Seg, amount, d8, dtp_date, hl_levels, read_interchange

VERSIONS = ("005010X279A1", "005010X279")
ELIGIBILITY_CODES = {
    "1": "active coverage", "2": "active, full risk capitation", "3": "active, services capitated", "4": "active, services capitated to primary care physician",
    "5": "active, pending investigation", "6": "inactive", "7": "inactive, pending eligibility update", "8": "inactive, pending investigation",
    "A": "co-insurance", "B": "co-payment", "C": "deductible", "CB": "coverage basis", "D": "benefit description",
    "E": "exclusions", "F": "limitations", "G": "out of pocket (stop loss)", "H": "unlimited", "I": "non-covered",
    "J": "cost containment", "K": "reserve", "L": "primary care provider", "M": "pre-existing condition", "MC": "managed care coordinator",
    "N": "services restricted to following provider", "O": "not deemed a medical necessity", "P": "benefit disclaimer",
    "Q": "second surgical opinion required", "R": "other or additional payor", "S": "prior year(s) history",
    "T": "card(s) reported lost/stolen", "U": "contact following entity for eligibility or benefit information", "V": "cannot process",
    "W": "other source of data", "X": "health care facility", "Y": "spend down",
}
ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_CODES = frozenset({"6", "7", "8"})
# AAA03 reject reasons (the common ones; others keep their code).
REJECT_REASONS = {
    "04": "authorized quantity exceeded", "15": "required application data missing", "41": "authorization/access restrictions",
    "42": "unable to respond at current time", "43": "invalid/missing provider identification", "44": "invalid/missing provider name",
    "45": "invalid/missing provider specialty", "46": "invalid/missing provider phone number", "47": "invalid/missing provider state",
    "48": "invalid/missing referring provider identification number", "49": "provider is not primary care physician",
    "50": "provider ineligible for inquiries", "51": "provider not on file", "52": "service dates not within provider plan enrollment",
    "53": "inquired benefit inconsistent with provider type", "54": "inappropriate product/service id qualifier",
    "55": "inappropriate product/service id", "56": "inappropriate date", "57": "invalid/missing date(s) of service",
    "58": "invalid/missing date-of-birth", "60": "date of birth follows date(s) of service", "61": "date of death precedes date(s) of service",
    "62": "date of service not within allowable inquiry period", "63": "date of service in future", "64": "invalid/missing patient id",
    "65": "invalid/missing patient name", "66": "invalid/missing patient gender code", "67": "patient not found",
    "68": "duplicate patient id number", "69": "inconsistent with patient's age", "70": "inconsistent with patient's gender",
    "71": "patient birth date does not match that for the patient on the database", "72": "invalid/missing subscriber/insured id",
    "73": "invalid/missing subscriber/insured name", "74": "invalid/missing subscriber/insured gender code",
    "75": "subscriber/insured not found", "76": "duplicate subscriber/insured id number", "77": "subscriber found, patient not found",
    "78": "subscriber/insured not in group/plan identified", "79": "invalid participant identification",
}
_LEVEL_NAMES = {"20": "payer", "21": "receiver", "22": "subscriber", "23": "dependent"}


def _sex(value: str) -> str | None:
    return value if value in ("F", "M", "U") else None


def _reject(seg: Seg, loop: str) -> EligibilityReject:
    code = seg.el(3)
    if not code:
        raise seg.error("AAA03 (reject reason) missing", 3)
    return EligibilityReject(loop=loop, valid_request=seg.el(1) == "Y", reason_code=code,
                             reason=REJECT_REASONS.get(code), follow_up=seg.el(4) or None)


def _benefit(seg: Seg) -> Benefit:
    code = seg.el(1)
    if not code:
        raise seg.error("EB01 (eligibility or benefit information code) missing", 1)
    flag = {"Y": True, "N": False}
    return Benefit(code=code, meaning=ELIGIBILITY_CODES.get(code), service_types=seg.reps(3),
                   insurance_type=seg.el(4) or None, plan=seg.el(5) or None, time_period=seg.el(6) or None,
                   amount=amount(seg.el(7)), percent=amount(seg.el(8)), auth_required=flag.get(seg.el(11)),
                   in_network=flag.get(seg.el(12)))


def _require_hl(transaction_segments: list[Seg], set_id: str) -> None:
    if not any(s.id == "HL" for s in transaction_segments):
        st = transaction_segments[0]
        raise X12Error(f"{set_id} transaction {st.el(2)} has no HL loop (2000A payer level missing)",
                       [X12Issue("HL", st.line, None, None, "loop 2000A missing")])


def parse_271(source: Path | str | bytes) -> tuple[list[EligibilityResponse], list[X12Issue]]:
    """Every subscriber or dependent answered in a 271, plus the file's validation issues."""
    interchange = read_interchange(source, functional_id="HB", set_id="271", versions=VERSIONS)
    out: list[EligibilityResponse] = []
    for transaction in interchange.transactions:
        _require_hl(transaction.segments, "271")
        bht = next((s for s in transaction.segments if s.id == "BHT"), None)
        if bht is None:
            raise X12Error("BHT missing", [X12Issue("BHT", transaction.segments[0].line, 2, None, "missing")])
        response_date = d8(bht.el(4))
        payer: dict = {}
        provider_id = None
        subscriber: dict = {}
        orphan_rejects: list[EligibilityReject] = []
        for hl, segments in hl_levels(transaction):
            level = hl.el(3)
            if level not in _LEVEL_NAMES:
                raise hl.error(f"HL03 level code {level or 'empty'} is not 20, 21, 22 or 23", 3)
            name = next((s for s in segments if s.id == "NM1"), None)
            if name is None:
                raise hl.error(f"NM1 missing in the {_LEVEL_NAMES[level]} level (HL {hl.el(1)})")
            rejects = [_reject(s, _LEVEL_NAMES[level]) for s in segments if s.id == "AAA"]
            if level == "20":
                payer = {"payer_id": name.el(9) or None, "payer_name": name.el(3) or None}
                orphan_rejects = rejects
                continue
            if level == "21":
                provider_id = name.el(9) or None
                orphan_rejects += rejects
                if rejects and hl.el(4) == "0":
                    # No patient level follows: the payer refused the inquiry at the receiver level.
                    out.append(EligibilityResponse(response_date=response_date, provider_id=provider_id, status="rejected",
                                                   rejects=orphan_rejects, **payer))
                continue
            person = _person(segments, name)
            if level == "22":
                subscriber = person
            record = EligibilityResponse(
                response_date=response_date, provider_id=provider_id, **payer,
                member_id=subscriber.get("member_id") or person.get("member_id"),
                given_name=person.get("given_name"), family_name=person.get("family_name"),
                birth_date=person.get("birth_date"), sex=person.get("sex"), dependent=level == "23",
                relationship=person.get("relationship") or ("18" if level == "22" else "19"),
                trace_number=person.get("trace_number") or subscriber.get("trace_number"),
                status="unknown", plan=person.get("plan"), coverage_start=person.get("start"),
                coverage_end=person.get("end"), benefits=person["benefits"], rejects=orphan_rejects + rejects,
            )
            has_child = hl.el(4) == "1"
            if level == "22" and has_child and not record.benefits and not record.rejects:
                continue  # the answer is about the dependent under this subscriber
            record.status = _status(record)
            out.append(record)
    return out, interchange.issues


def _person(segments: list[Seg], name: Seg) -> dict:
    """The 2100C/D and 2110C/D segments of one level: name, ids, dates and benefits."""
    out: dict = {"given_name": name.el(4) or None, "family_name": name.el(3) or None,
                 "member_id": name.el(9) or None if name.el(8) in ("MI", "II", "") else None, "benefits": []}
    in_benefits = False
    for seg in segments:
        if seg.id == "TRN" and seg.el(1) == "2" and "trace_number" not in out:
            out["trace_number"] = seg.el(2) or None
        elif seg.id == "REF" and seg.el(1) in ("1L", "18") and not in_benefits:
            out.setdefault("group", seg.el(2))
        elif seg.id == "DMG":
            out["birth_date"] = d8(seg.el(2)) if seg.el(1) == "D8" else None
            out["sex"] = _sex(seg.el(3))
        elif seg.id == "INS":
            out["relationship"] = seg.el(2) or None
        elif seg.id == "DTP" and not in_benefits:
            first, last = dtp_date(seg)
            if seg.el(1) in ("346", "356", "307", "291") and first:
                out.setdefault("start", first)
                if seg.el(1) == "307" and last and last != first:
                    out["end"] = last
            elif seg.el(1) in ("347", "357") and first:
                out["end"] = first
        elif seg.id == "EB":
            in_benefits = True
            benefit = _benefit(seg)
            out["benefits"].append(benefit)
            if benefit.plan and benefit.code in ACTIVE_CODES | INACTIVE_CODES:
                out.setdefault("plan", benefit.plan)
        elif seg.id == "DTP" and in_benefits and out["benefits"]:
            first, last = dtp_date(seg)
            # 2110 dates of the active-coverage benefit are the coverage dates when 2100 has none.
            if out["benefits"][-1].code in ACTIVE_CODES and seg.el(1) in ("346", "356", "307", "291") and first:
                out.setdefault("start", first)
            elif out["benefits"][-1].code in ACTIVE_CODES | INACTIVE_CODES and seg.el(1) in ("347", "357") and first:
                out.setdefault("end", first)
    return out


def _status(record: EligibilityResponse) -> str:
    codes = [b.code for b in record.benefits]
    if any(c in ACTIVE_CODES for c in codes):
        return "active"
    if any(c in INACTIVE_CODES for c in codes):
        return "inactive"
    if record.rejects:
        return "rejected"
    return "unknown"


def read_271(source: Path | str | bytes) -> list[EligibilityResponse]:
    """The eligibility answers of a 271 file (parse_271 without its validation notes)."""
    return parse_271(source)[0]


def parse_270(source: Path | str | bytes) -> tuple[list[EligibilityInquiry], list[X12Issue]]:
    """Every patient asked about in a 270, plus the file's validation issues."""
    interchange = read_interchange(source, functional_id="HS", set_id="270", versions=VERSIONS)
    out: list[EligibilityInquiry] = []
    for transaction in interchange.transactions:
        _require_hl(transaction.segments, "270")
        payer: dict = {}
        provider: dict = {}
        subscriber: dict = {}
        for hl, segments in hl_levels(transaction):
            level = hl.el(3)
            name = next((s for s in segments if s.id == "NM1"), None)
            if level not in _LEVEL_NAMES:
                raise hl.error(f"HL03 level code {level or 'empty'} is not 20, 21, 22 or 23", 3)
            if name is None:
                raise hl.error(f"NM1 missing in the {_LEVEL_NAMES[level]} level (HL {hl.el(1)})")
            if level == "20":
                payer = {"payer_id": name.el(9), "payer_name": name.el(3) or None}
                continue
            if level == "21":
                provider = {"provider_npi": name.el(9) if name.el(8) == "XX" else None, "provider_name": name.el(3) or None}
                continue
            trn = next((s for s in segments if s.id == "TRN"), None)
            dmg = next((s for s in segments if s.id == "DMG"), None)
            dtp = next((s for s in segments if s.id == "DTP" and s.el(1) == "291"), None)
            service_types = [st for s in segments if s.id == "EQ" for st in s.reps(1)]
            person = {"given_name": name.el(4) or None, "family_name": name.el(3) or None,
                      "birth_date": d8(dmg.el(2)) if dmg is not None else None,
                      "sex": _sex(dmg.el(3)) if dmg is not None else None,
                      "trace_number": trn.el(2) if trn is not None else None,
                      "service_date": dtp_date(dtp)[0] if dtp is not None else None}
            if level == "22":
                subscriber = {**person, "member_id": name.el(9)}
                if hl.el(4) == "1":
                    continue  # the inquiry is about the dependent below
            if not payer.get("payer_id"):
                raise hl.error("the payer (2100A NM109) is missing above this patient")
            member = subscriber.get("member_id")
            if not member:
                raise name.error("NM109 (subscriber member id) missing", 9)
            trace = person["trace_number"] or subscriber.get("trace_number")
            if not trace:
                raise hl.error("TRN (trace number) missing for this patient")
            out.append(EligibilityInquiry(
                trace_number=trace, member_id=member, given_name=person["given_name"], family_name=person["family_name"],
                birth_date=person["birth_date"], sex=person["sex"],
                service_date=person["service_date"] or subscriber.get("service_date"),
                service_types=service_types or ["30"], **payer, **provider))
    return out, interchange.issues


def read_270(source: Path | str | bytes) -> list[EligibilityInquiry]:
    """The inquiries of a 270 file (parse_270 without its validation notes)."""
    return parse_270(source)[0]


# ---------------------------------------------------------------------------------------------
# Writing 270s
# ---------------------------------------------------------------------------------------------


def _clean(value: str | None, limit: int = 60) -> str:
    """Element text without the delimiters we write with (a name with '*' cannot break the file)."""
    text = "".join(c for c in (value or "") if c not in "*~:^\r\n").strip().upper()
    return text[:limit]


def write_270(inquiries: Iterable[EligibilityInquiry], *, sender_id: str, receiver_id: str, provider_npi: str,
              provider_name: str, control_number: int, now: datetime | None = None, usage: str = "P") -> str:
    """One 270 interchange (005010X279A1) asking about every inquiry, one transaction per payer.

    `control_number` (1..999999999) makes ISA13/GS06; ST02 counts from 0001. pyx12's writer computes
    the SE/GE/IEA counts, so the trailers always match what was written.
    """
    inquiries = list(inquiries)
    if not inquiries:
        raise ValueError("no inquiries to write")
    if not 0 < control_number < 10**9:
        raise ValueError("control_number must be 1..999999999")
    now = now or datetime.now()
    out = io.StringIO()
    writer = pyx12.x12file.X12Writer(out, seg_term="~", ele_term="*", subele_term=":", eol="\n", repetition_term="^")

    def put(*elements: str) -> None:
        writer.Write(pyx12.segment.Segment("*".join(elements), "~", "*", ":"))

    isa13 = f"{control_number:09d}"
    put("ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{_clean(sender_id, 15):<15}", "ZZ", f"{_clean(receiver_id, 15):<15}",
        now.strftime("%y%m%d"), now.strftime("%H%M"), "^", "00501", isa13, "0", usage, ":")
    put("GS", "HS", _clean(sender_id, 15), _clean(receiver_id, 15), now.strftime("%Y%m%d"), now.strftime("%H%M"),
        str(control_number), "X", VERSIONS[0])
    by_payer: dict[str, list[EligibilityInquiry]] = {}
    for inquiry in inquiries:
        by_payer.setdefault(inquiry.payer_id, []).append(inquiry)
    for st_number, (payer_id, group) in enumerate(sorted(by_payer.items()), start=1):
        put("ST", "270", f"{st_number:04d}", VERSIONS[0])
        put("BHT", "0022", "13", f"{isa13}{st_number:04d}", now.strftime("%Y%m%d"), now.strftime("%H%M"))
        put("HL", "1", "", "20", "1")
        put("NM1", "PR", "2", _clean(group[0].payer_name or payer_id), "", "", "", "", "PI", _clean(payer_id, 80))
        put("HL", "2", "1", "21", "1")
        put("NM1", "1P", "2", _clean(provider_name), "", "", "", "", "XX", _clean(provider_npi, 80))
        for n, inquiry in enumerate(group, start=3):
            put("HL", str(n), "2", "22", "0")
            put("TRN", "1", _clean(inquiry.trace_number, 50), f"9{_clean(sender_id, 9):0>9}")
            put("NM1", "IL", "1", _clean(inquiry.family_name), _clean(inquiry.given_name, 35), "", "", "", "MI",
                _clean(inquiry.member_id, 80))
            if inquiry.birth_date is not None:
                dmg = ["DMG", "D8", inquiry.birth_date.strftime("%Y%m%d")]
                if inquiry.sex in ("F", "M"):
                    dmg.append(inquiry.sex)
                put(*dmg)
            if inquiry.service_date is not None:
                put("DTP", "291", "D8", inquiry.service_date.strftime("%Y%m%d"))
            put("EQ", "^".join(inquiry.service_types or ["30"]))
        put("SE", "0", f"{st_number:04d}")
    put("GE", "0", str(control_number))
    put("IEA", "0", isa13)
    writer.close()
    return out.getvalue()
