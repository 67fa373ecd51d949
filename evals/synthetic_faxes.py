"""Seeded synthetic faxes: clinic-like text (English and Spanish, invented people) rendered to 1-bit
pages at fax resolutions (204x196 "fine", 204x98 "standard"), with slight skew, speckle noise and an
optional cover sheet, saved as multi-page TIFF (Group 4) or PDF. `python -m evals.synthetic_faxes`
measures OCR character error rate on them against the rendered source text.
"""

from __future__ import annotations

import argparse
import io
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFont

Resolution = Literal["fine", "standard"]
FAX_DPI: dict[str, tuple[int, int]] = {"fine": (204, 196), "standard": (204, 98)}
FAX_WIDTH_PX = 1728  # the ITU-T T.4 scan line for A4/letter at 204 dpi
PAGE_INCHES = (1728 / 204, 11.0)  # letter height, fax-line width

# Fonts looked for, in order; Pillow's own built-in font is the last resort.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
)
_BOLD_CANDIDATES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",)

# Invented names and places; no real people.
_FIRST = ["Maria", "James", "Lucia", "Robert", "Ana", "David", "Sofia", "Michael", "Carmen", "Daniel",
          "Elena", "Thomas", "Rosa", "Kevin", "Isabel", "Brian", "Patricia", "Jorge", "Linda", "Miguel"]
_LAST = ["Alvarez", "Bennett", "Castillo", "Dawson", "Espinoza", "Fletcher", "Guerrero", "Hartley",
         "Ibarra", "Jennings", "Kowalski", "Lozano", "Mercer", "Navarro", "Olsen", "Paredes", "Quinlan"]
_CLINICS = ["Riverside Family Medicine", "Valley Cardiology Associates", "North Park Pediatrics",
            "Clinica Comunitaria del Sol", "Lakeview Orthopedics", "Harbor Imaging Center"]
_SPECIALTIES = ["cardiology", "orthopedics", "endocrinology", "gastroenterology", "neurology", "dermatology"]
_REASONS = [
    "Evaluation of intermittent palpitations and an abnormal ECG.",
    "Persistent right knee pain after a fall, not improved with physical therapy.",
    "Type 2 diabetes with rising A1c despite metformin 1000 mg twice daily.",
    "Chronic epigastric pain; requesting upper endoscopy.",
    "Recurrent migraines with aura, about four episodes per month.",
    "Suspicious pigmented lesion on the left shoulder, 7 mm, irregular border.",
]
_SPANISH = [
    "El paciente refiere dolor en la rodilla derecha desde hace tres semanas.",
    "Se solicita consulta con especialista para valoracion y tratamiento.",
    "Favor de comunicarse con nuestra oficina para programar la cita.",
    "Alergias: penicilina. Medicamentos actuales: losartan 50 mg diario.",
    "La paciente niega fiebre, nausea o vomito en los ultimos dias.",
]
_ENGLISH = [
    "Please see the attached office notes and most recent laboratory results.",
    "The patient has been informed of this referral and agrees with the plan.",
    "Insurance information is included on the following page for your records.",
    "Kindly contact our office to confirm receipt of this fax at your earliest convenience.",
    "Blood pressure 138/86, heart rate 78, temperature 98.4 F, weight 182 lb.",
    "Current medications include lisinopril 10 mg daily and atorvastatin 20 mg at bedtime.",
    "Prior authorization number PA-{auth} was approved through {date}.",
]
_NOTICE = (
    "CONFIDENTIALITY NOTICE: This facsimile contains privileged and confidential information "
    "intended only for the use of the addressee. If you received this fax in error, please "
    "notify the sender immediately and destroy all copies."
)


@dataclass
class SyntheticFax:
    """Rendered fax pages and the exact text drawn on each (the OCR ground truth)."""

    pages: list[Image.Image]  # mode "1", FAX_WIDTH_PX wide, at `dpi`
    texts: list[str]
    dpi: tuple[int, int]
    resolution: Resolution
    seed: int
    meta: dict = field(default_factory=dict)

    @property
    def reference_text(self) -> str:
        return "\f".join(self.texts)

    def tiff_bytes(self) -> bytes:
        buf = io.BytesIO()
        # Fresh copies: an image saved before (e.g. as PNG) keeps encoder settings that break
        # Pillow's multi-page TIFF writer.
        pages = [p.copy() for p in self.pages]
        pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:], compression="group4", dpi=self.dpi)
        return buf.getvalue()

    def pdf_bytes(self) -> bytes:
        buf = io.BytesIO()
        pages = [p.copy() for p in self.pages]
        pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:], dpi=self.dpi)
        return buf.getvalue()


def find_font_path(candidates: tuple[str, ...] = FONT_CANDIDATES) -> str | None:
    """The first TrueType font present on this machine, or None (then Pillow's built-in font)."""
    for path in candidates:
        if Path(path).is_file():
            return path
    return None


def _font(size_px: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = find_font_path(_BOLD_CANDIDATES) if bold else None
    path = path or find_font_path()
    if path:
        return ImageFont.truetype(path, size_px)
    return ImageFont.load_default(size=size_px)  # Pillow >= 10.1 ships a scalable default font


def synthetic_fax_text(seed: int, *, pages: int = 1, spanish_share: float = 0.3) -> list[str]:
    """Page texts of an invented referral-like fax, reproducible from `seed` (no real PHI)."""
    rng = random.Random(seed)
    name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    dob = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(1935, 2015)}"
    mrn = f"{rng.randint(1000000, 9999999)}"
    out: list[str] = []
    for p in range(pages):
        lines = [
            f"{rng.choice(_CLINICS)}",
            f"{rng.randint(100, 9999)} {rng.choice(['Oak', 'Main', 'Pine', 'Mission', 'Elm'])} Street, "
            f"Suite {rng.randint(1, 400)}",
            f"Phone ({rng.randint(200, 989)}) {rng.randint(200, 989)}-{rng.randint(1000, 9999)}",
            "",
            f"Patient: {name}    DOB: {dob}    MRN: {mrn}",
            f"Referral to {rng.choice(_SPECIALTIES)}, page {p + 1} of {pages}",
            "",
            f"Reason: {rng.choice(_REASONS)}",
        ]
        english = rng.sample(_ENGLISH, len(_ENGLISH))  # shuffled, so a page repeats no sentence
        spanish = rng.sample(_SPANISH, len(_SPANISH))
        for _ in range(rng.randint(6, 9)):
            pool = spanish if (rng.random() < spanish_share and spanish) or not english else english
            sentence = pool.pop().format(
                auth=rng.randint(100000, 999999),
                date=f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/2026",
            )
            lines.append(sentence)
        lines += ["", f"Dr. {rng.choice(_FIRST)} {rng.choice(_LAST)}, MD    NPI {rng.randint(1000000000, 1999999999)}"]
        out.append("\n".join(lines))
    return out


def _wrap(text: str, font: ImageFont.FreeTypeFont, width_px: float) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        words = para.split(" ")
        current = ""
        for word in words:
            trial = f"{current} {word}" if current else word
            if font.getlength(trial) <= width_px or not current:
                current = trial
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def _render_page(
    text: str,
    *,
    dpi: tuple[int, int],
    rng: np.random.Generator,
    font_pt: float,
    skew_degrees: float,
    noise: float,
    cover: bool,
    supersample: int = 2,
) -> tuple[Image.Image, str]:
    """Draw `text` at `supersample` x the horizontal fax resolution, tilt it, reduce to the fax grid
    (anisotropic for "standard"), threshold to 1 bit and add speckle. Returns the page and the text
    as wrapped (line breaks where the page has them)."""
    hi = dpi[0] * supersample  # isotropic drawing resolution
    w, h = int(PAGE_INCHES[0] * hi), int(PAGE_INCHES[1] * hi)
    canvas = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(canvas)
    margin = int(0.6 * hi)
    font = _font(int(round(font_pt / 72 * hi)))
    y = margin
    drawn: list[str] = []
    if cover:
        big = _font(int(round(28 / 72 * hi)), bold=True)
        draw.text((margin, y), "FAX", font=big, fill=0)
        drawn.append("FAX")
        y += int(big.size * 1.6)
        draw.rectangle([margin, y, w - margin, y + 4 * supersample], fill=0)
        y += int(0.25 * hi)
    line_h = int(font.size * 1.35)
    for line in _wrap(text, font, w - 2 * margin):
        if y + line_h > h - margin:
            break
        if line:
            draw.text((margin, y), line, font=font, fill=0)
        drawn.append(line)
        y += line_h
    if cover:
        draw.rectangle([margin, y + line_h // 2, w - margin, y + line_h // 2 + 2 * supersample], fill=0)
    if skew_degrees:
        canvas = canvas.rotate(skew_degrees, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)
    out_h = int(PAGE_INCHES[1] * dpi[1])
    small = np.asarray(canvas.resize((FAX_WIDTH_PX, out_h), Image.Resampling.LANCZOS), dtype=np.float64)
    # A fax modem thresholds the scan; jitter the threshold a little so strokes are not perfect.
    ink = small < (128 + rng.normal(0, 12, size=small.shape))
    if noise:
        ink ^= rng.random(small.shape) < noise  # salt-and-pepper speckle
        for row in rng.choice(out_h, size=max(1, out_h // 400), replace=False):
            ink[row, :] &= rng.random(FAX_WIDTH_PX) < 0.7  # a scan line partly dropped
    page = Image.fromarray(np.where(ink, 0, 255).astype(np.uint8), "L").convert("1", dither=Image.Dither.NONE)
    return page, "\n".join(drawn)


def render_fax(
    page_texts: list[str],
    *,
    resolution: Resolution = "fine",
    seed: int = 0,
    cover_sheet: bool = False,
    max_skew_degrees: float = 1.5,
    noise: float = 0.001,
    font_pt: float = 11.0,
) -> SyntheticFax:
    """Render pages of text as a fax. The cover sheet (when asked) is page 1 with To/From/Re
    fields and a confidentiality notice."""
    dpi = FAX_DPI[resolution]
    rng = np.random.default_rng(seed)
    pyrng = random.Random(seed)
    pages: list[Image.Image] = []
    texts: list[str] = []
    sources = list(page_texts)
    covers = [False] * len(sources)
    if cover_sheet:
        cover = "\n".join(
            [
                f"To: {pyrng.choice(_CLINICS)}",
                f"Fax: ({pyrng.randint(200, 989)}) {pyrng.randint(200, 989)}-{pyrng.randint(1000, 9999)}",
                f"From: {pyrng.choice(_CLINICS)}",
                f"Date: {pyrng.randint(1, 12):02d}/{pyrng.randint(1, 28):02d}/2026    Pages: {len(sources) + 1}",
                "Re: Referral",
                "",
                _NOTICE,
            ]
        )
        sources.insert(0, cover)
        covers.insert(0, True)
    for text, is_cover in zip(sources, covers):
        skew = float(rng.uniform(-max_skew_degrees, max_skew_degrees)) if max_skew_degrees else 0.0
        page, drawn = _render_page(
            text, dpi=dpi, rng=rng, font_pt=font_pt, skew_degrees=skew, noise=noise, cover=is_cover
        )
        pages.append(page)
        texts.append(drawn)
    return SyntheticFax(pages=pages, texts=texts, dpi=dpi, resolution=resolution, seed=seed,
                        meta={"font": find_font_path() or "pillow-default", "font_pt": font_pt})


def make_synthetic_fax(
    seed: int, *, pages: int = 1, resolution: Resolution = "fine", cover_sheet: bool = False, **render_options
) -> SyntheticFax:
    """Text and rendering from one seed.

    >>> fax = make_synthetic_fax(7, pages=2, resolution="standard", cover_sheet=True)
    >>> len(fax.pages), fax.dpi, fax.pages[0].mode
    (3, (204, 98), '1')
    """
    texts = synthetic_fax_text(seed, pages=pages)
    return render_fax(texts, resolution=resolution, seed=seed, cover_sheet=cover_sheet, **render_options)


@dataclass(frozen=True)
class FaxCerRow:
    seed: int
    resolution: str
    fmt: str
    pages: int
    ref_chars: int
    errors: int
    cer: float
    confidence: float
    degraded: bool
    seconds: float


def evaluate_synthetic_fax_cer(
    *,
    n_faxes: int = 4,
    seed: int = 2026,
    pages: int = 2,
    resolutions: tuple[Resolution, ...] = ("fine", "standard"),
    formats: tuple[str, ...] = ("tiff", "pdf"),
    cover_sheet: bool = True,
    workers: int | None = None,
    **ocr_options,
) -> list[FaxCerRow]:
    """OCR each rendered fax and compare with the text drawn on it."""
    from evals.ocr_cer import edit_distance, normalize_text
    from tools.intake.ocr import ocr_document

    rows: list[FaxCerRow] = []
    for i in range(n_faxes):
        for resolution in resolutions:
            fax = make_synthetic_fax(seed + i, pages=pages, resolution=resolution, cover_sheet=cover_sheet)
            ref = normalize_text(fax.reference_text)
            for fmt in formats:
                data = fax.tiff_bytes() if fmt == "tiff" else fax.pdf_bytes()
                result = ocr_document(data, workers=workers, **ocr_options)
                errors = edit_distance(normalize_text(result.text), ref)
                rows.append(FaxCerRow(seed + i, resolution, fmt, len(fax.pages), len(ref), errors,
                                      errors / max(1, len(ref)), result.confidence, result.degraded, result.seconds))
    return rows


def summarize(rows: list[FaxCerRow]) -> str:
    """A plain-text summary of OCR error rates on rendered faxes."""
    lines = [
        f"{'seed':>5} {'resolution':<9} {'fmt':<5} {'pages':>5} {'chars':>6} {'errors':>6} {'CER':>7} "
        f"{'conf':>5} {'degr':>5} {'sec':>6}"
    ]
    for r in rows:
        lines.append(f"{r.seed:>5} {r.resolution:<9} {r.fmt:<5} {r.pages:>5} {r.ref_chars:>6} {r.errors:>6} "
                     f"{r.cer:>7.2%} {r.confidence:>5.2f} {str(r.degraded):>5} {r.seconds:>6.2f}")
    for key in sorted({(r.resolution, r.fmt) for r in rows}):
        sel = [r for r in rows if (r.resolution, r.fmt) == key]
        total = sum(r.errors for r in sel) / max(1, sum(r.ref_chars for r in sel))
        chars = sum(r.ref_chars for r in sel)
        lines.append(f"TOTAL {key[0]:<9} {key[1]:<5} n={len(sel)} faxes, {chars} chars: CER {total:.2%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command line: render synthetic faxes and measure OCR on them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4, help="faxes per resolution")
    parser.add_argument("--pages", type=int, default=2, help="text pages per fax (plus a cover sheet)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--write", type=Path, default=None, help="also save the faxes (TIFF, PDF, .txt) here")
    args = parser.parse_args(argv)
    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        for i in range(args.n):
            for res in ("fine", "standard"):
                fax = make_synthetic_fax(args.seed + i, pages=args.pages, resolution=res, cover_sheet=True)
                stem = args.write / f"fax-{args.seed + i}-{res}"
                stem.with_suffix(".tif").write_bytes(fax.tiff_bytes())
                stem.with_suffix(".pdf").write_bytes(fax.pdf_bytes())
                stem.with_suffix(".txt").write_text(fax.reference_text, encoding="utf-8")
    rows = evaluate_synthetic_fax_cer(n_faxes=args.n, seed=args.seed, pages=args.pages, workers=args.workers)
    print(summarize(rows))


if __name__ == "__main__":
    main()
