"""Shared X12 reading for the revenue-cycle transactions (270/271, 276/277, 834, 835, 837P): pyx12's
tokenizer and envelope checks for every file, pyx12's implementation maps where pyx12 4.0 ships one
that places the TR3's own examples, and `X12Error` naming the segment of whatever cannot be read.

pyx12 4.0 ships 5010 maps for 834 (X220A1), 835 (X221A1) and 837P (X222A1); it has none for 270/271
(X279A1) or 276 (X212), and its 277 X212 map is not registered and rejects the first HL of every
TR3 example. Those transactions are read with pyx12's tokenizer (delimiters, ISA/GS/ST/SE/GE/IEA
control numbers and counts, HL numbering) and each reader checks the segments it needs itself.
Messages never quote element values (they may be PHI): they name segments, elements and lines.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyx12.errh_json
import pyx12.error_handler
import pyx12.errors
import pyx12.params
import pyx12.x12context
import pyx12.x12file

# pyx12 logs validation errors with the raw segment text (names, member ids): keep them out of
# application logs and stderr.
_pyx12_log = logging.getLogger("pyx12")
_pyx12_log.addHandler(logging.NullHandler())
_pyx12_log.propagate = False
_pyx12_log.setLevel(logging.CRITICAL + 1)  # not even created: a handler added later cannot see them

# What each GS01 (functional identifier) is, to say what a wrong file is.
FUNCTIONAL_IDS = {
    "HC": "837 claim", "HP": "835 remittance", "HS": "270 eligibility inquiry", "HB": "271 eligibility response",
    "HR": "276 claim status inquiry", "HN": "277 claim status response", "BE": "834 enrollment",
    "HI": "278 authorization", "FA": "999/997 acknowledgment", "RA": "820 payment",
}
# Maps pyx12 4.0 ships whose loops place the TR3 examples (version, map file, abbreviation).
PYX12_MAPS = {
    "BE": ("005010X220A1", "834.5010.X220.A1.xml", "834"),
    "HP": ("005010X221A1", "835.5010.X221.A1.xml", "835"),
    "HC": ("005010X222A2", "837.5010.X222.A1.xml", "837P"),
}

_SEGMENT_ERRORS = {
    "1": "unrecognized segment", "2": "unexpected segment", "3": "required segment or loop missing",
    "4": "loop occurs over maximum times", "5": "segment exceeds maximum use", "6": "segment not in defined transaction set",
    "7": "segment not in proper sequence", "8": "segment has data element errors",
    "HL1": "HL numbering out of order", "HL2": "HL parent is not an open level", "SEG1": "trailing element separators",
    "LX": "LX numbering out of order",
}
_ELEMENT_ERRORS = {
    "1": "required data element missing", "2": "conditional required data element missing", "3": "too many data elements",
    "4": "data element too short", "5": "data element too long", "6": "invalid character in data element",
    "7": "invalid code value", "8": "invalid date", "9": "invalid time", "10": "exclusion condition violated",
}
_ENVELOPE_ERRORS = {
    ("isa", "001"): "IEA control number does not match ISA13", ("isa", "021"): "IEA01 group count is wrong",
    ("isa", "023"): "IEA missing", ("isa", "024"): "a functional group is not closed", ("isa", "025"): "ISA13 repeated",
    ("gs", "3"): "GE missing", ("gs", "4"): "GE02 does not match GS06", ("gs", "5"): "GE01 transaction count is wrong",
    ("gs", "6"): "GS06 repeated", ("st", "2"): "SE missing", ("st", "3"): "SE02 does not match ST02",
    ("st", "4"): "SE01 segment count is wrong", ("st", "23"): "ST02 repeated",
}
_ENVELOPE_SEGMENT = {"isa": "IEA", "gs": "GE", "st": "SE"}


@dataclass
class X12Issue:
    segment: str
    line: int | None
    position: int | None  # segment count within the transaction set
    element: str | None
    problem: str

    def __str__(self) -> str:
        where = f"segment {self.segment}"
        if self.element:
            where += f" element {self.element}"
        if self.line is not None:
            where += f" at line {self.line}"
        if self.position is not None:
            where += f" (segment {self.position} of the transaction)"
        return f"{where}: {self.problem}"


class X12Error(ValueError):
    """A file that cannot be read as the expected transaction; `issues[0]` is the first problem found."""

    def __init__(self, message: str, issues: list[X12Issue] | None = None):
        super().__init__(message)
        self.issues = issues or []

    @property
    def segment(self) -> str | None:
        return self.issues[0].segment if self.issues else None


def fail(segment: str, problem: str, *, line: int | None = None, position: int | None = None,
         element: str | None = None, message: str | None = None) -> X12Error:
    """An X12Error about one segment (raise it)."""
    issue = X12Issue(segment, line, position, element, problem)
    if message is None:
        return X12Error(str(issue), [issue])
    where = f"segment {segment}" + (f" element {element}" if element else "") + (f" at line {line}" if line else "")
    return X12Error(f"{message} ({where})", [issue])


def text_of(source: Path | str | bytes) -> str:
    """The X12 text of a Path, bytes, or a str holding the text itself."""
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, Path):
        data = source.read_bytes()
    else:
        data = source.encode("utf-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise X12Error("not an X12 file: the bytes are not text (UTF-8/ASCII)") from None
    return text.lstrip("\ufeff")


@dataclass(frozen=True)
class Seg:
    """One segment: its id, its elements (element 01 first), where it sits, and the delimiters."""

    id: str
    elements: tuple[str, ...]
    line: int  # 1-based segment count in the file
    position: int | None  # 1-based position inside its transaction set (ST = 1)
    subele: str = ":"
    rep: str = "^"

    def el(self, n: int) -> str:
        return self.elements[n - 1].strip() if 0 < n <= len(self.elements) else ""

    def comp(self, n: int, k: int) -> str:
        parts = self.el(n).split(self.subele)
        return parts[k - 1].strip() if k <= len(parts) else ""

    def comps(self, n: int) -> list[str]:
        value = self.el(n)
        return [p.strip() for p in value.split(self.subele)] if value else []

    def reps(self, n: int) -> list[str]:
        value = self.el(n)
        return [p.strip() for p in value.split(self.rep) if p.strip()] if value else []

    def issue(self, problem: str, element: int | None = None) -> X12Issue:
        return X12Issue(self.id, self.line, self.position, f"{self.id}{element:02d}" if element else None, problem)

    def error(self, problem: str, element: int | None = None) -> X12Error:
        issue = self.issue(problem, element)
        return X12Error(str(issue), [issue])


@dataclass
class Transaction:
    set_id: str  # ST01
    control_number: str  # ST02
    version: str  # GS08 (or ST03)
    functional_id: str  # GS01
    segments: list[Seg] = field(default_factory=list)  # ST .. SE inclusive


@dataclass
class Interchange:
    control_number: str  # ISA13
    sender: str  # ISA06
    receiver: str  # ISA08
    usage: str  # ISA15: P production, T test
    transactions: list[Transaction]
    issues: list[X12Issue]
    validated_with: str | None  # the pyx12 map file, or None (tokenizer and envelope checks only)


def d8(value: str | None) -> date | None:
    """CCYYMMDD (or the first day of an RD8 range) as a date; None when empty or not a date."""
    if not value:
        return None
    value = value.split("-")[0].strip()
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def d8_range(value: str | None) -> tuple[date | None, date | None]:
    """An RD8 range CCYYMMDD-CCYYMMDD (or one D8 date for both ends)."""
    if not value:
        return None, None
    if "-" in value:
        first, last = value.split("-", 1)
        return d8(first), d8(last)
    one = d8(value)
    return one, one


def amount(value: str | None) -> Decimal | None:
    """An X12 amount element as a Decimal, or None when empty or not a number."""
    try:
        return Decimal(value) if value not in (None, "") else None
    except InvalidOperation:
        return None


def dtp_date(seg: Seg, element: int = 3, qualifier_element: int = 2) -> tuple[date | None, date | None]:
    """The date(s) of a DTP/DTM segment whose format qualifier says D8 or RD8."""
    qualifier = seg.el(qualifier_element)
    value = seg.el(element)
    if qualifier == "RD8":
        return d8_range(value)
    one = d8(value)
    return one, one


def _collect_map_issues(errh) -> list[X12Issue]:
    out = io.StringIO()
    errh.accept(pyx12.errh_json.errh_json_visitor(out, indent=None))
    doc = json.loads(out.getvalue())
    issues: list[X12Issue] = []
    for isa in doc.get("interchanges", []):
        for err in isa.get("errors", []):
            issues.append(X12Issue("ISA", isa.get("cur_line"), None, None, f"interchange error {err.get('err_cde')}"))
        for gs in isa.get("groups", []):
            for err in gs.get("errors", []):
                issues.append(X12Issue("GS", gs.get("cur_line"), None, None, f"functional group error {err.get('err_cde')}"))
            for st in gs.get("transactions", []):
                for err in st.get("errors", []):
                    issues.append(X12Issue("ST", st.get("cur_line"), None, None, f"transaction set error {err.get('err_cde')}"))
                for seg in st.get("segments", []):
                    for err in seg.get("errors", []):
                        issues.append(X12Issue(seg.get("seg_id") or "?", seg.get("cur_line"), seg.get("seg_count"), None,
                                               _SEGMENT_ERRORS.get(str(err.get("err_cde")), f"error {err.get('err_cde')}")
                                               + (f" ({seg.get('name')})" if seg.get("name") else "")))
                    for ele in seg.get("elements", []):
                        ref = f"{seg.get('seg_id')}{int(ele.get('ele_pos') or 0):02d}"
                        if ele.get("subele_pos"):
                            ref += f"-{int(ele['subele_pos']):02d}"
                        for err in ele.get("errors", []):
                            issues.append(X12Issue(seg.get("seg_id") or "?", seg.get("cur_line"), seg.get("seg_count"), ref,
                                                   _ELEMENT_ERRORS.get(str(err.get("err_cde")), f"error {err.get('err_cde')}")
                                                   + (f" ({ele.get('name')})" if ele.get("name") else "")))
    return issues


def map_issues(text: str, functional_id: str) -> tuple[list[X12Issue], str | None]:
    """Validate against pyx12's map for the transaction, when pyx12 ships one that works; else ([], None)."""
    entry = PYX12_MAPS.get(functional_id)
    if entry is None:
        return [], None
    version, map_file, abbreviation = entry
    errh = pyx12.error_handler.err_handler()
    try:
        reader = pyx12.x12context.X12ContextReader(pyx12.params.params(), errh, io.StringIO(text))
        reader.map_index_if.add_map("00501", version, functional_id, None, map_file, abbreviation)
        for _node in reader.iter_segments():
            pass
    except pyx12.errors.EngineError as exc:
        return [X12Issue("?", None, None, None, f"the {abbreviation} map could not place a segment ({exc.__class__.__name__})")], map_file
    except pyx12.errors.X12Error:
        return [], map_file  # the tokenizer pass already reports what is malformed
    return _collect_map_issues(errh), map_file


def read_interchange(source: Path | str | bytes, *, functional_id: str, set_id: str,
                     versions: tuple[str, ...], validate: bool = True) -> Interchange:
    """Tokenize an X12 file and check it is the expected transaction (GS01, ST01, GS08 in `versions`).

    Raises `X12Error` naming the segment when the file is empty, not X12, another transaction or
    version, or truncated; envelope and map validation problems come back as `issues`.
    """
    text = text_of(source)
    kind = FUNCTIONAL_IDS.get(functional_id, set_id)
    if not text.strip():
        raise fail("ISA", "missing", line=1, message=f"empty file: a {kind} file starts with an ISA segment")
    if not text.startswith("ISA"):
        raise fail("ISA", "missing", line=1, message="not an X12 interchange: segment ISA must come first")
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
    except pyx12.errors.X12Error:
        raise fail("ISA", "malformed ISA header (fixed-width fields and delimiters)", line=1,
                   message="malformed ISA segment: it must be 106 characters with the delimiters in place") from None
    subele = reader.subele_term or ":"
    rep = reader.repetition_term or "^"
    ele = reader.ele_term or "*"
    seg_term = reader.seg_term or "~"
    isa: Seg | None = None
    group_fic = group_version = ""
    transactions: list[Transaction] = []
    current: Transaction | None = None
    last: Seg | None = None
    count = 0
    try:
        for raw in reader:
            count += 1
            text_seg = raw.format()
            if text_seg.endswith(seg_term):
                text_seg = text_seg[: -len(seg_term)]
            seg_id, *elements = text_seg.split(ele)
            seg = Seg(seg_id.strip(), tuple(elements), count,
                      (len(current.segments) + 1) if current is not None else (1 if seg_id == "ST" else None), subele, rep)
            last = seg
            if seg.id == "ISA":
                isa = seg
            elif seg.id == "GS":
                group_fic, group_version = seg.el(1), seg.el(8)
                if group_fic != functional_id:
                    what = FUNCTIONAL_IDS.get(group_fic, "an unknown transaction")
                    raise fail("GS", f"GS01 is {group_fic or 'empty'} ({what}), not {functional_id}", line=count, element="GS01",
                               message=f"not a {kind} file: GS01 says {what}")
                if group_version not in versions:
                    raise fail("GS", f"version {group_version or 'empty'} is not {' or '.join(versions)}", line=count,
                               element="GS08", message=f"not a {kind} in version {'/'.join(versions)}: GS08 is {group_version or 'empty'}")
            elif seg.id == "ST":
                if seg.el(1) != set_id:
                    raise fail("ST", f"ST01 is {seg.el(1) or 'empty'}, not {set_id}", line=count, position=1, element="ST01",
                               message=f"not a {set_id} transaction: ST01 is {seg.el(1) or 'empty'}")
                current = Transaction(set_id=set_id, control_number=seg.el(2), version=group_version or seg.el(3),
                                      functional_id=group_fic, segments=[seg])
            elif seg.id == "SE":
                if current is None:
                    raise fail("SE", "SE without an open ST", line=count)
                current.segments.append(seg)
                transactions.append(current)
                current = None
            elif current is not None:
                current.segments.append(seg)
            elif seg.id not in ("GE", "IEA"):
                raise fail(seg.id, "segment outside a transaction set (ST..SE)", line=count)
    except pyx12.errors.X12Error:
        where = last.id if last else "ISA"
        raise fail(where, "malformed segment", line=count, message=f"malformed X12 after segment {where} (line {count})") from None
    if current is not None or last is None or last.id != "IEA":
        missing = "SE" if current is not None else "IEA"
        raise fail(missing, f"missing; the file ends after {last.id if last else 'nothing'}",
                   message=f"truncated file: segment {missing} missing after the last segment ({last.id if last else 'none'})")
    if not transactions:
        raise fail("ST", "no transaction set in the file", message=f"no {set_id} transaction (ST..SE) in the file")
    reader.cleanup()
    issues = []
    for level, code, _message, _value, src_line in reader.pop_errors():
        if level == "seg":
            issues.append(X12Issue("?", src_line, None, None, _SEGMENT_ERRORS.get(str(code), f"segment error {code}")))
        else:
            issues.append(X12Issue(_ENVELOPE_SEGMENT.get(level, level.upper()), None, None, None,
                                   _ENVELOPE_ERRORS.get((level, str(code)), f"{level} error {code}")))
    validated_with = None
    if validate:
        extra, validated_with = map_issues(text, functional_id)
        issues += extra
    assert isa is not None
    return Interchange(control_number=isa.el(13), sender=isa.el(6), receiver=isa.el(8), usage=isa.el(15),
                       transactions=transactions, issues=issues, validated_with=validated_with)


def hl_levels(transaction: Transaction) -> list[tuple[Seg, list[Seg]]]:
    """The transaction's HL levels in order: each HL segment with the segments up to the next HL
    (the trailing SE excluded). Segments before the first HL (BHT, ...) are not included."""
    out: list[tuple[Seg, list[Seg]]] = []
    for seg in transaction.segments:
        if seg.id == "HL":
            out.append((seg, []))
        elif out and seg.id != "SE":
            out[-1][1].append(seg)
    return out
