"""Split a faxed packet into documents: drop cover sheets, and start a new document where the
patient changes (a different date of birth, MRN or member ID than the pages before)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.intake.extract import extract_fields

_COVER = re.compile(
    r"\b(fax cover|cover sheet|cover page|facsimile( transmittal)?|pages?\s*\(?incl|number of pages|"
    r"portada de fax|hoja de portada|n[uú]mero de p[aá]ginas|transmittal)\b", re.IGNORECASE)
IDENTIFIERS = ("dob", "mrn", "member_id")


@dataclass
class PacketPart:
    page_start: int
    page_end: int
    texts: list[str] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)
    identity: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(t for t in self.texts if t.strip())

    @property
    def confidence(self) -> float | None:
        return min(self.confidences) if self.confidences else None


def is_cover_sheet(text: str) -> bool:
    """A short page that names itself a fax cover or transmittal sheet."""
    words = len(text.split())
    return bool(_COVER.search(text)) and words < 180


def _identity(text: str) -> dict[str, str]:
    found = extract_fields(text)
    return {name: f.value for name in IDENTIFIERS if (f := found.first(name)) is not None}


def _conflicts(a: dict[str, str], b: dict[str, str]) -> bool:
    return any(k in a and k in b and a[k] != b[k] for k in IDENTIFIERS)


def split_packet(pages: list[tuple[int, str, float | None]]) -> list[PacketPart]:
    """`pages` are (page number, text, confidence). Returns the documents in page order; a packet of
    only cover sheets (or blank pages) gives one part holding them all, so nothing is dropped."""
    parts: list[PacketPart] = []
    current: PacketPart | None = None
    for number, text, confidence in pages:
        if is_cover_sheet(text) and current is None:
            continue  # a leading cover sheet belongs to the transmission, not to a document
        ident = _identity(text)
        if current is None or (ident and _conflicts(current.identity, ident)):
            current = PacketPart(page_start=number, page_end=number)
            parts.append(current)
        current.page_end = number
        current.texts.append(text)
        if confidence is not None:
            current.confidences.append(confidence)
        for k, v in ident.items():
            current.identity.setdefault(k, v)
    if not parts and pages:
        whole = PacketPart(page_start=pages[0][0], page_end=pages[-1][0])
        for _, text, confidence in pages:
            whole.texts.append(text)
            if confidence is not None:
                whole.confidences.append(confidence)
        parts.append(whole)
    return parts
