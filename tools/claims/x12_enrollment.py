"""X12 834 (005010X220A1) benefit enrollment: each member's adds, changes, terminations and
reinstatements with their dates, for the coverage registry. Validated against pyx12's 834 map;
a file that cannot be read raises `X12Error` naming the segment."""

from __future__ import annotations

from pathlib import Path

from models.revenue import EnrollmentCoverage, EnrollmentMember
from tools.claims.x12_edi import X12Issue, Seg, d8, dtp_date, read_interchange

VERSIONS = ("005010X220A1", "005010X220")
MAINTENANCE = {"001": "change", "021": "addition", "024": "cancellation or termination", "025": "reinstatement",
               "026": "correction", "030": "audit or compare", "032": "employee information not applicable"}


def _member(ins: Seg, segments: list[Seg], sponsor_id: str | None, payer_id: str | None) -> EnrollmentMember:
    maintenance = ins.el(3)
    if not maintenance:
        raise ins.error("INS03 (maintenance type) missing", 3)
    data: dict = {"subscriber": ins.el(1) == "Y", "relationship": ins.el(2) or "18", "maintenance": maintenance,
                  "maintenance_meaning": MAINTENANCE.get(maintenance), "payer_id": payer_id, "sponsor_id": sponsor_id}
    coverages: list[EnrollmentCoverage] = []
    in_member_name = False
    for seg in segments:
        if seg.id == "REF" and seg.el(1) == "0F":
            data["subscriber_id"] = seg.el(2) or None
        elif seg.id == "REF" and seg.el(1) == "1L":
            data["group_number"] = seg.el(2) or None
        elif seg.id == "DTP" and not coverages and seg.el(1) in ("356", "357"):
            day = dtp_date(seg)[0]
            data["eligibility_start" if seg.el(1) == "356" else "eligibility_end"] = day
        elif seg.id == "NM1" and seg.el(1) == "IL":
            in_member_name = True
            # NM108 34 is a Social Security Number: not read at all (REF*0F names the member).
            data.update(family_name=seg.el(3) or None, given_name=seg.el(4) or None,
                        member_id=(seg.el(9) or None) if seg.el(8) != "34" else None)
        elif seg.id == "NM1":
            in_member_name = False  # 2100B incorrect member name, 2100C mailing address, ...
        elif seg.id == "DMG" and in_member_name:
            data["birth_date"] = d8(seg.el(2)) if seg.el(1) == "D8" else None
            data["sex"] = seg.el(3) if seg.el(3) in ("F", "M", "U") else None
        elif seg.id == "HD":
            coverages.append(EnrollmentCoverage(maintenance=seg.el(1) or None, insurance_line=seg.el(3) or None))
        elif seg.id == "DTP" and coverages and seg.el(1) in ("348", "349"):
            day = dtp_date(seg)[0]
            if seg.el(1) == "348":
                coverages[-1].start = day
            else:
                coverages[-1].end = day
    if not data.get("member_id"):
        data["member_id"] = data.get("subscriber_id")
    if not data.get("member_id"):
        raise ins.error("neither NM1*IL NM109 nor REF*0F names the member")
    return EnrollmentMember(**data, coverages=coverages)


def parse_834(source: Path | str | bytes) -> tuple[list[EnrollmentMember], list[X12Issue]]:
    """Every member (INS loop) of an 834, plus the file's validation issues."""
    interchange = read_interchange(source, functional_id="BE", set_id="834", versions=VERSIONS)
    out: list[EnrollmentMember] = []
    for transaction in interchange.transactions:
        segments = transaction.segments
        if not any(s.id == "BGN" for s in segments):
            raise segments[0].error("BGN (beginning segment) missing")
        sponsor_id = payer_id = None
        current: tuple[Seg, list[Seg]] | None = None
        for seg in segments[1:-1]:
            if seg.id == "N1" and current is None:
                if seg.el(1) == "P5":
                    sponsor_id = seg.el(4) or None
                elif seg.el(1) == "IN":
                    payer_id = seg.el(4) or None
            elif seg.id == "INS":
                if current is not None:
                    out.append(_member(*current, sponsor_id, payer_id))
                current = (seg, [])
            elif current is not None:
                current[1].append(seg)
        if current is None:
            raise segments[0].error("no member (INS loop 2000) in the transaction")
        out.append(_member(*current, sponsor_id, payer_id))
    return out, interchange.issues


def read_834(source: Path | str | bytes) -> list[EnrollmentMember]:
    """The members of an 834 file (parse_834 without its validation notes)."""
    return parse_834(source)[0]
