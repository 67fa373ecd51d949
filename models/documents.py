"""Shapes of inbound documents: what OCR read from a fax, scan or PDF (words with confidences and
boxes, pages with character offsets into the document text) and the limits a document must respect.
No I/O here."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# ---------------------------------------------------------------------------------------------
# OCR results (owned by tools/intake/ocr.py). Offsets are half-open [start, end) into OcrResult.text, so an
# evidence span found in the document text maps back to its page and to the words that made it.
# ---------------------------------------------------------------------------------------------

DocumentKind = Literal["pdf", "tiff", "png", "jpeg"]


class DocumentLimits(BaseModel):
    """What a document may be before OCR refuses it (the API turns a refusal into a 4xx)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    max_pages: int = Field(default=100, gt=0)
    # A page larger than this (after rasterizing) is scaled down; it also bounds decompression bombs.
    max_page_pixels: int = Field(default=60_000_000, gt=0)


class OcrBox(BaseModel):
    """An axis-aligned box as fractions (0..1) of the page as it appears in the file, so it can be
    drawn over any rendering of that page whatever its resolution."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    left: float = Field(ge=0.0, le=1.0)
    top: float = Field(ge=0.0, le=1.0)
    width: float = Field(ge=0.0, le=1.0)
    height: float = Field(ge=0.0, le=1.0)


class OcrWord(BaseModel):
    """One word Tesseract read, where it sits in the document text and on its page."""

    model_config = ConfigDict(extra="forbid")

    text: str
    confidence: float = Field(ge=0.0, le=1.0)
    box: OcrBox
    start: int = Field(ge=0)  # offset into OcrResult.text
    end: int = Field(ge=0)
    line: int = Field(ge=0)  # line index within its page, in reading order


class OcrPage(BaseModel):
    """One page: its text, words and the normalization applied before Tesseract read it."""

    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1)  # 1-based, in file order
    text: str
    start: int = Field(ge=0)  # this page's text is OcrResult.text[start:end]
    end: int = Field(ge=0)
    words: list[OcrWord] = Field(default_factory=list)
    # Character-weighted mean word confidence (0..1); None when the page has no words (blank page).
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    width_px: int = Field(gt=0)  # size of the image Tesseract read
    height_px: int = Field(gt=0)
    dpi: float = Field(gt=0)
    rotation: Literal[0, 90, 180, 270] = 0  # clockwise degrees applied to make the page upright
    skew_degrees: float = 0.0  # counter-clockwise small-angle correction applied after the rotation
    # Wall and CPU time attributed to this page (worker + its Tesseract); a run of pages read by one
    # Tesseract process shares its time evenly.
    seconds: float = Field(default=0.0, ge=0.0)
    cpu_seconds: float = Field(default=0.0, ge=0.0)

    @property
    def char_count(self) -> int:
        return sum(len(w.text) for w in self.words)


class OcrResult(BaseModel):
    """The whole document: its text (pages joined by a form feed), per-page detail, confidence,
    and whether it is too poor to trust (which the intake graph turns into `degraded_input`)."""

    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind
    text: str
    pages: list[OcrPage]
    # Character-weighted mean word confidence over all pages (0..1); 0.0 when no text was found.
    confidence: float = Field(ge=0.0, le=1.0)
    degraded: bool = False
    degraded_reasons: list[str] = Field(default_factory=list)
    languages: str
    engine: str  # e.g. "tesseract 5.3.0"
    seconds: float = Field(default=0.0, ge=0.0)

    @model_validator(mode="after")
    def _pages_in_order(self) -> OcrResult:
        if [p.number for p in self.pages] != list(range(1, len(self.pages) + 1)):
            raise ValueError("pages must be numbered 1..n in file order")
        return self

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def page_at(self, offset: int) -> OcrPage | None:
        """The page whose text contains the character at `offset` of the document text."""
        for page in self.pages:
            if page.start <= offset < page.end:
                return page
        return None

    def words_in(self, start: int, end: int) -> list[OcrWord]:
        """The words overlapping the document-text span [start, end), for highlighting evidence."""
        return [w for p in self.pages for w in p.words if w.start < end and w.end > start]


# ---------------------------------------------------------------------------------------------
# (end of OCR shapes)
# ---------------------------------------------------------------------------------------------
