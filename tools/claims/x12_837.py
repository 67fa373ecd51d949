"""Read X12 837P (005010X222A1/A2) professional claim files into `models.claims.Claim`s with pyx12.

pyx12 tokenizes, places every segment in its loop and validates it against the 837P map; a file
that is not an 837P, is truncated, or fails validation raises `X12Error`, which names the segment,
its line and its position. Messages never quote element values (they may be PHI).
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pydantic
import pyx12.error_handler
import pyx12.errors
import pyx12.params
import pyx12.x12context
import pyx12.x12file

from models.claims import Claim, ClaimPatient, Coverage, ServiceLine, Subscriber
from tools.claims.x12_edi import X12Error, X12Issue
from tools.claims.x12_edi import _collect_map_issues as _collect_issues
from tools.claims.x12_edi import text_of as _text_of

# pyx12 4.0 ships the 005010X222A1 map; A2 (the 2010 errata) changes no loop or segment layout,
# so the A1 map validates A2 files.
_A1_MAP = "837.5010.X222.A1.xml"
_SUPPORTED = ("005010X222A1", "005010X222A2")
_ICD10_QUALIFIERS = {"ABK", "ABF"}
_ICD9_QUALIFIERS = {"BK", "BF"}

__all__ = ["X12Error", "X12Issue", "parse_837p", "read_837p"]


def _check_envelope(text: str) -> None:
    """Reject non-837P files before mapping (pyx12 would only say "map not found")."""
    if not text.strip():
        raise X12Error("empty file: an 837P starts with an ISA segment", [X12Issue("ISA", 1, 1, None, "missing")])
    if not text.startswith("ISA"):
        raise X12Error("not an X12 interchange: segment ISA must come first", [X12Issue("ISA", 1, 1, None, "missing")])
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
        for count, seg in enumerate(reader, start=1):
            seg_id = seg.get_seg_id()
            if seg_id == "GS":
                version, function = seg.get_value("GS08") or "", seg.get_value("GS01") or ""
                if function != "HC" or version not in _SUPPORTED:
                    kind = {"HP": "835 remittance", "HS": "270 eligibility inquiry", "HB": "271 eligibility response",
                            "HR": "276 claim status inquiry", "HN": "277 claim status response", "BE": "834 enrollment"}.get(function)
                    if function == "HC":
                        kind = "837I institutional" if "X223" in version else "837D dental" if "X224" in version else f"837 version {version}"
                    raise X12Error(f"not an 837P (005010X222A2) file: GS01={function} GS08={version} ({kind or 'unknown transaction'})",
                                   [X12Issue("GS", reader.get_cur_line(), count, "GS08", "not 005010X222A1/A2")])
            elif seg_id == "ST" and seg.get_value("ST01") != "837":
                raise X12Error(f"not an 837 transaction: ST01={seg.get_value('ST01')}",
                               [X12Issue("ST", reader.get_cur_line(), count, "ST01", "not 837")])
    except pyx12.errors.X12Error as exc:
        raise X12Error(f"malformed interchange header: {exc.__class__.__name__}",
                       [X12Issue("ISA", 1, 1, None, "malformed ISA header (fixed-width fields and delimiters)")]) from None


def _d8(value: str | None) -> date | None:
    if not value:
        return None
    value = value.split("-")[0]  # RD8 ranges: the first day
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None  # pyx12 reports the element as an invalid date, with its position


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _sex(value: str | None) -> str:
    return value if value in ("F", "M") else "U"


class _ClaimBuilder:
    """Collects the segments of one 2300 loop with the hierarchy above it."""

    def __init__(self, header: dict, seg, line: int):
        self.header = header
        self.start_line = line
        self.id = seg.get_value("CLM01") or ""
        self.total = _decimal(seg.get_value("CLM02"))
        self.pos = seg.get_value("CLM05-1") or "11"
        self.frequency = seg.get_value("CLM05-3") or "1"
        self.diagnoses: list[str] = []
        self.auth: str | None = None
        self.rendering: str | None = None
        self.claim_dos: date | None = None
        self.lines: list[dict] = []

    def build(self, submission: date) -> Claim:
        h = self.header
        lines = []
        for number, raw in enumerate(self.lines, start=1):
            day = raw.get("date") or self.claim_dos
            if day is None:
                raise X12Error(f"claim {self.id}: service line {number} has no date of service",
                               [X12Issue("DTP", raw.get("line"), None, "DTP03", "DTP*472 (service date) missing")])
            lines.append(ServiceLine(line_number=number, code=raw["code"], modifiers=raw["modifiers"],
                                     units=raw["units"] or Decimal(1), charge=raw["charge"],
                                     diagnosis_pointers=raw["pointers"], service_date=day, place_of_service=raw["pos"]))
        if not lines:
            raise X12Error(f"claim {self.id} has no service lines", [X12Issue("LX", self.start_line, None, None, "loop 2400 missing")])
        dependent = h.get("patient_id") is not None
        member = h.get("member_id") or ""
        patient = ClaimPatient(
            id=h["patient_id"] if dependent else member,
            birth_date=h.get("patient_dob") if dependent else h.get("subscriber_dob"),
            sex=_sex(h.get("patient_sex") if dependent else h.get("subscriber_sex")),
            relationship_to_subscriber=h.get("relationship") or ("19" if dependent else "18"),
        )
        return Claim(
            id=self.id, patient=patient,
            subscriber=Subscriber(member_id=member, birth_date=h.get("subscriber_dob"), sex=_sex(h.get("subscriber_sex"))),
            coverage=Coverage(payer_id=h.get("payer_id") or "", member_id=member, plan=h.get("plan")),
            billing_npi=h.get("billing_npi") or "", rendering_npi=self.rendering,
            place_of_service=self.pos, frequency_code=self.frequency, diagnoses=self.diagnoses[:12],
            service_lines=lines, prior_auth_number=self.auth, submission_date=submission, total_charge=self.total,
        )


def read_837p(source: Path | str | bytes, *, strict: bool = True) -> list[Claim]:
    """Parse an 837P file (a Path, or its text or bytes) into claims.

    strict=True (the default) rejects a file with any validation error; strict=False keeps what
    parses (structural problems such as truncation or a wrong transaction still raise). Use
    `parse_837p` to get the validation issues beside the claims.
    """
    claims, issues = parse_837p(source)
    if issues and strict:
        raise X12Error(f"{len(issues)} validation error(s); first: {issues[0]}", issues)
    return claims


def parse_837p(source: Path | str | bytes) -> tuple[list[Claim], list[X12Issue]]:
    """Claims plus pyx12's validation issues (segment, line, position, element, problem).

    Raises `X12Error` for what cannot be read at all: not X12, not an 837P, truncated, or a claim
    missing what a `Claim` needs.
    """
    text = _text_of(source)
    _check_envelope(text)
    errh = pyx12.error_handler.err_handler()
    param = pyx12.params.params()
    claims: list[Claim] = []
    header: dict = {}
    current: _ClaimBuilder | None = None
    submission: date | None = None
    last_segment = None
    open_st = 0
    try:
        reader = pyx12.x12context.X12ContextReader(param, errh, io.StringIO(text))
        reader.map_index_if.add_map("00501", "005010X222A2", "HC", None, _A1_MAP, "837P")
        for node in reader.iter_segments():
            seg = node.seg_data
            seg_id = seg.get_seg_id()
            last_segment = seg_id
            path = node.cur_path
            loops = path.split("/")
            if seg_id == "ST":
                open_st += 1
            elif seg_id == "SE":
                open_st -= 1
            elif seg_id == "BHT":
                submission = _d8(seg.get_value("BHT04"))
            elif seg_id == "NM1" and "2010AA" in loops and seg.get_value("NM108") == "XX":
                header = {"billing_npi": seg.get_value("NM109")}
            elif seg_id == "HL" and seg.get_value("HL03") == "22":
                header = {"billing_npi": header.get("billing_npi")}
            elif seg_id == "HL" and seg.get_value("HL03") == "23":
                header = {k: v for k, v in header.items() if not k.startswith("patient") and k != "relationship"}
            elif seg_id == "SBR":
                header["plan"] = seg.get_value("SBR03") or seg.get_value("SBR04")
                if seg.get_value("SBR02"):
                    header["relationship"] = seg.get_value("SBR02")
            elif seg_id == "NM1" and "2010BA" in loops:
                header["member_id"] = seg.get_value("NM109")
            elif seg_id == "DMG" and "2010BA" in loops:
                header["subscriber_dob"], header["subscriber_sex"] = _d8(seg.get_value("DMG02")), seg.get_value("DMG03")
            elif seg_id == "NM1" and "2010BB" in loops:
                header["payer_id"] = seg.get_value("NM109")
            elif seg_id == "PAT":
                header["relationship"] = seg.get_value("PAT01")
            elif seg_id == "NM1" and "2010CA" in loops:
                header["patient_id"] = seg.get_value("NM109") or f"{header.get('member_id')}-dependent"
            elif seg_id == "DMG" and "2010CA" in loops:
                header["patient_dob"], header["patient_sex"] = _d8(seg.get_value("DMG02")), seg.get_value("DMG03")
            elif seg_id == "CLM":
                if current is not None:
                    claims.append(current)
                current = _ClaimBuilder(dict(header), seg, node.cur_line_number)
            elif current is not None and "2300" in loops:
                if seg_id == "HI":
                    for i in range(1, 13):
                        qualifier = seg.get_value(f"HI{i:02d}-1")
                        code = seg.get_value(f"HI{i:02d}-2")
                        if code and qualifier in _ICD10_QUALIFIERS | _ICD9_QUALIFIERS:
                            current.diagnoses.append(code.replace(".", ""))
                elif seg_id == "REF" and seg.get_value("REF01") == "G1":
                    current.auth = seg.get_value("REF02")
                elif seg_id == "NM1" and seg.get_value("NM101") == "82" and seg.get_value("NM108") == "XX" and "2400" not in loops:
                    current.rendering = seg.get_value("NM109")
                elif seg_id == "DTP" and seg.get_value("DTP01") == "472" and "2400" not in loops:
                    current.claim_dos = _d8(seg.get_value("DTP03"))
                elif seg_id == "SV1":
                    pointers = [int(p) for p in (seg.get_value(f"SV107-{i}") for i in range(1, 5)) if p and p.isdigit()]
                    current.lines.append({
                        "code": seg.get_value("SV101-2") or "",
                        "modifiers": [m for m in (seg.get_value(f"SV101-{i}") for i in range(3, 7)) if m],
                        "charge": _decimal(seg.get_value("SV102")),
                        "units": _decimal(seg.get_value("SV104")),
                        "pos": seg.get_value("SV105") or None,
                        "pointers": pointers, "date": None, "line": node.cur_line_number,
                    })
                elif seg_id == "DTP" and seg.get_value("DTP01") == "472" and current.lines:
                    current.lines[-1]["date"] = _d8(seg.get_value("DTP03"))
    except pyx12.errors.X12Error as exc:
        raise X12Error(f"malformed X12: {exc.__class__.__name__}", [X12Issue(last_segment or "ISA", None, None, None, "malformed")]) from None
    except pyx12.errors.EngineError as exc:
        raise X12Error(f"the 837P map could not place a segment after {last_segment}",
                       [X12Issue(last_segment or "?", None, None, None, exc.__class__.__name__)]) from None
    except ValueError as exc:  # a date that does not exist, etc.
        raise X12Error(f"invalid value after segment {last_segment}: {exc.__class__.__name__}",
                       [X12Issue(last_segment or "?", None, None, None, "invalid value")]) from None
    if current is not None:
        claims.append(current)
    if last_segment != "IEA" or open_st != 0:
        missing = "SE" if open_st else "IEA"
        raise X12Error(f"truncated file: segment {missing} missing after the last segment ({last_segment})",
                       [X12Issue(missing, None, None, None, f"missing; the file ends after {last_segment}")])
    issues = _collect_issues(errh)
    if submission is None:
        raise X12Error("BHT04 (transaction creation date) missing", [X12Issue("BHT", None, None, "BHT04", "missing")])
    out = []
    for builder in claims:
        try:
            out.append(builder.build(submission))
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise X12Error(f"claim {builder.id} (CLM at line {builder.start_line}): {where}: {first['msg']}",
                           [*issues, X12Issue("CLM", builder.start_line, None, None, f"{where}: {first['msg']}")]) from None
        except X12Error as exc:
            if issues:  # the validation issues explain the missing piece better
                raise X12Error(f"{len(issues)} validation error(s); first: {issues[0]}", issues) from None
            raise exc
    return out, issues
