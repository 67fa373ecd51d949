"""Read the facts of a prior-authorization approval letter (number, service codes, units, date
range) from its text, so a reviewed prior_auth intake item can become an authorization record.

Every value is a candidate for a person to confirm: the intake item is reviewed before anything is
kept, and the reviewer's corrections win over what is read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_DATE = (r"(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|"
         r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4})")
_NUMBER = re.compile(r"(?i)\b(?:prior\s+)?(?:authori[sz]ation|auth|approval|certification|reference)\s*"
                     r"(?:#|no\.?|number|id)?\s*[:#]?\s*(?=[A-Z0-9-]*\d)([A-Z0-9][A-Z0-9-]{4,24})\b")
_CODE_LINE = re.compile(r"(?i)\b(?:cpt|hcpcs|procedure|service\s+code|codes?)\b")
_CODE = re.compile(r"\b(\d{4}[0-9AFMTU]|[A-V]\d{4})\b")
_UNITS = re.compile(r"(?i)\b(\d{1,4})\s*(?:units?|visits?|sessions?|treatments?)\b")
_RANGE = re.compile(rf"(?i)(?:from|valid|effective|dates?(?:\s+of\s+service)?|period)?[^\n]{{0,30}}?({_DATE})"
                    rf"\s*(?:through|thru|to|until|-|–)\s*({_DATE})")
_MEMBER = re.compile(r"(?i)\b(?:member|subscriber|insurance|policy)\s*(?:id|#|no\.?|number)\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{3,24})\b")


def parse_date(text: str) -> date | None:
    """ISO, m/d/y or "Month d, yyyy" (None when it is not a real date).

    >>> parse_date("2025-03-01"), parse_date("3/1/25"), parse_date("March 1, 2025")
    (datetime.date(2025, 3, 1), datetime.date(2025, 3, 1), datetime.date(2025, 3, 1))
    """
    text = text.strip().rstrip(".,")
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2,4})", text)
        if m:
            year = int(m.group(3))
            return date(year + 2000 if year < 100 else year, int(m.group(1)), int(m.group(2)))
        m = re.fullmatch(r"(?i)([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", text)
        if m and m.group(1)[:3].lower() in _MONTHS:
            return date(int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2)))
    except ValueError:
        return None
    return None


@dataclass
class AuthLetterFacts:
    number: str | None = None
    member_id: str | None = None
    codes: list[str] = field(default_factory=list)
    units: int | None = None
    start: date | None = None
    end: date | None = None

    def as_dict(self) -> dict:
        return {"number": self.number, "member_id": self.member_id, "codes": self.codes, "units_authorized": self.units,
                "start": self.start.isoformat() if self.start else None, "end": self.end.isoformat() if self.end else None}


def read_auth_letter(text: str) -> AuthLetterFacts:
    """The authorization facts a letter states (any may be missing).

    >>> f = read_auth_letter("Authorization #: PA-20250112\\nCPT 72148 approved, 1 unit\\nValid 01/15/2025 through 04/15/2025")
    >>> f.number, f.codes, f.units, f.start.isoformat(), f.end.isoformat()
    ('PA-20250112', ['72148'], 1, '2025-01-15', '2025-04-15')
    """
    facts = AuthLetterFacts()
    if m := _NUMBER.search(text):
        facts.number = m.group(1).upper()
    if m := _MEMBER.search(text):
        facts.member_id = m.group(1).upper()
    codes: list[str] = []
    for line in text.splitlines():
        if _CODE_LINE.search(line):
            codes += [c for c in _CODE.findall(line) if c != facts.number]
    facts.codes = list(dict.fromkeys(codes))
    if m := _UNITS.search(text):
        facts.units = int(m.group(1))
    if m := _RANGE.search(text):
        facts.start, facts.end = parse_date(m.group(1)), parse_date(m.group(2))
    return facts
