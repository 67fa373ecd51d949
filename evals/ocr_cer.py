"""Character error rate of tools/intake/ocr.py on Tesseract's ground-truth test scans (Apache-2.0, from
tesseract-ocr/test, in `../shared/data/ocr/testing/`). `python -m evals.ocr_cer` prints a table.

CER = Levenshtein distance(normalized OCR text, normalized reference) / len(normalized reference).
Normalization (applied to both sides): Unicode NFKC; typographic quotes, apostrophes and dashes
folded to ASCII (unless `fold_punctuation=False`); every run of whitespace (spaces, newlines, form
feeds) becomes one space; leading and trailing whitespace removed. Case is kept. A page read in a
different column order than the reference pays for it, as CER does.
"""

from __future__ import annotations

import argparse
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ocr" / "testing"

_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    }
)


def normalize_text(text: str, *, fold_punctuation: bool = True) -> str:
    """The normalization CER is computed on.

    >>> normalize_text("  “It’s  nothing.”\\n\\nShe —\\fsighed ")
    '"It\\'s nothing." She - sighed'
    """
    text = unicodedata.normalize("NFKC", text)
    if fold_punctuation:
        text = text.translate(_FOLD)
    return " ".join(text.split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (unit costs), one numpy row at a time.

    >>> edit_distance("kitten", "sitting")
    3
    """
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    bv = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    cols = np.arange(len(b) + 1, dtype=np.int64)
    prev = cols.copy()
    for i, ch in enumerate(a, start=1):
        cost = (bv != ord(ch)).astype(np.int64)
        # Substitution and deletion need only the previous row ...
        row = np.empty_like(prev)
        row[0] = i
        row[1:] = np.minimum(prev[:-1] + cost, prev[1:] + 1)
        # ... insertion runs along the row: row[j] = min_k<=j (row[k] + j - k), a running minimum.
        row = np.minimum.accumulate(row - cols) + cols
        prev = row
    return int(prev[-1])


def character_error_rate(hypothesis: str, reference: str, *, fold_punctuation: bool = True) -> float:
    """CER of `hypothesis` against `reference` after `normalize_text`.

    >>> round(character_error_rate("Tbe  quick\\nfox", "The quick fox"), 3)
    0.077
    """
    ref = normalize_text(reference, fold_punctuation=fold_punctuation)
    hyp = normalize_text(hypothesis, fold_punctuation=fold_punctuation)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(hyp, ref) / len(ref)


@dataclass(frozen=True)
class CerRow:
    file: str
    reference: str
    ref_chars: int
    errors: int
    cer: float
    cer_unfolded: float  # without folding typographic punctuation
    confidence: float
    degraded: bool
    seconds: float
    plain_cer: float | None = None  # Tesseract alone on the file as it is (no deskew, binarization, OSD)


def ground_truth_pairs(data_dir: Path = DEFAULT_DATA) -> list[tuple[Path, Path]]:
    """(image, reference text) pairs: every .tif with a .txt beside it, and the phototest rotations
    (which share phototest.txt)."""
    pairs = []
    for image in sorted(data_dir.glob("*.tif")):
        ref = image.with_suffix(".txt")
        if ref.exists():
            pairs.append((image, ref))
    for image in sorted(data_dir.glob("phototest-rotated-*.png")):
        pairs.append((image, data_dir / "phototest.txt"))
    return pairs


def evaluate_ocr_cer(
    data_dir: Path = DEFAULT_DATA, *, workers: int | None = None, baseline: bool = False, **ocr_options
) -> tuple[list[CerRow], float]:
    """OCR every ground-truth scan; return per-file rows and the total CER (all errors over all
    reference characters, so long pages weigh more). With `baseline`, also the CER of plain
    Tesseract (same languages) on the unprocessed image, to show what the pipeline adds."""
    from tools.intake.ocr import ocr_document

    if not data_dir.is_dir():
        raise FileNotFoundError(f"OCR ground truth not found at {data_dir}")
    rows: list[CerRow] = []
    for image, ref_path in ground_truth_pairs(data_dir):
        reference = ref_path.read_text(encoding="utf-8")
        result = ocr_document(image.read_bytes(), workers=workers, **ocr_options)
        ref_norm = normalize_text(reference)
        errors = edit_distance(normalize_text(result.text), ref_norm)
        rows.append(
            CerRow(
                file=image.name,
                reference=ref_path.name,
                ref_chars=len(ref_norm),
                errors=errors,
                cer=errors / max(1, len(ref_norm)),
                cer_unfolded=character_error_rate(result.text, reference, fold_punctuation=False),
                confidence=result.confidence,
                degraded=result.degraded,
                seconds=result.seconds,
                plain_cer=_plain_tesseract_cer(image, reference, ocr_options.get("languages", "eng+spa"))
                if baseline
                else None,
            )
        )
    total = sum(r.errors for r in rows) / max(1, sum(r.ref_chars for r in rows))
    return rows, total


def _plain_tesseract_cer(image: Path, reference: str, languages: str) -> float:
    import pytesseract
    from PIL import Image

    with Image.open(image) as im:
        return character_error_rate(pytesseract.image_to_string(im, lang=languages), reference)


def format_table(rows: list[CerRow], total: float) -> str:
    """A plain-text table of character error rates per file, with the total."""
    lines = [
        f"{'file':<28} {'reference':<18} {'chars':>6} {'errors':>6} {'CER':>7} {'CER raw':>8} "
        f"{'conf':>5} {'degr':>5} {'sec':>6} {'plain':>7}",
    ]
    for r in rows:
        lines.append(
            f"{r.file:<28} {r.reference:<18} {r.ref_chars:>6} {r.errors:>6} {r.cer:>7.2%} {r.cer_unfolded:>8.2%} "
            f"{r.confidence:>5.2f} {str(r.degraded):>5} {r.seconds:>6.2f} "
            + (f"{r.plain_cer:>7.2%}" if r.plain_cer is not None else f"{'-':>7}")
        )
    chars, errors = sum(r.ref_chars for r in rows), sum(r.errors for r in rows)
    lines.append(f"{'TOTAL':<28} {'':<18} {chars:>6} {errors:>6} {total:>7.2%}")
    if rows and all(r.plain_cer is not None for r in rows):
        plain = sum(r.plain_cer * r.ref_chars for r in rows) / max(1, sum(r.ref_chars for r in rows))
        lines.append(f"{'TOTAL plain Tesseract':<28} {'':<18} {'':>6} {'':>6} {plain:>7.2%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command line: OCR character error rate of scans against their transcripts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of .tif + .txt ground truth")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--no-baseline", action="store_true", help="skip plain Tesseract on the raw files")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        raise SystemExit(f"OCR ground truth not found at {args.data}")
    rows, total = evaluate_ocr_cer(args.data, workers=args.workers, baseline=not args.no_baseline)
    print(format_table(rows, total))
    print("CER: Levenshtein / reference length after NFKC, quote/dash folding and whitespace runs -> one space."
          " 'CER raw' skips the folding; 'plain' is Tesseract alone on the unprocessed file (eng+spa, psm 3).")
    print("Data: tesseract-ocr/test testing/ (Apache-2.0).")


if __name__ == "__main__":
    main()
