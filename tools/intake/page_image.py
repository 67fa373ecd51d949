"""A fax page as a picture for reviewers: render one page of the stored file (PDF through pypdfium2,
TIFF/PNG/JPEG through Pillow) at screen resolution, and draw boxes around the words the agent's
evidence quotes, found among the page's OCR words (whose boxes are fractions of the page)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from PIL import Image, ImageDraw, ImageOps

from tools.intake.ocr import UnreadableDocument, detect_kind

MAX_WIDTH = 1100
_TOKEN = re.compile(r"[\W_]+", re.UNICODE)


def render_page(data: bytes, page: int, *, width: int = MAX_WIDTH) -> Image.Image:
    """Page `page` (1-based) of a stored fax as an RGB image about `width` pixels wide, upright as in
    the file, with square pixels (a 204x98 dpi fax is stretched back to its real proportions)."""
    kind = detect_kind(data)
    try:
        if kind == "pdf":
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(data)
            try:
                if not 1 <= page <= len(pdf):
                    raise IndexError(page)
                p = pdf[page - 1]
                w_pt, _ = p.get_size()
                image = p.render(scale=width / w_pt).to_pil().convert("RGB")
                p.close()
            finally:
                pdf.close()
            return image
        with Image.open(io.BytesIO(data)) as src:
            if page > getattr(src, "n_frames", 1) or page < 1:
                raise IndexError(page)
            src.seek(page - 1)
            src.load()
            dpi = src.info.get("dpi") or (1, 1)
            image = ImageOps.exif_transpose(src) if kind == "jpeg" else src.copy()
    except IndexError:
        raise
    except Exception as exc:  # a decoder failure: the file cannot be shown (it was kept and sent to review)
        raise UnreadableDocument(f"page {page} could not be decoded ({type(exc).__name__})") from None
    image = image.convert("RGB")
    try:
        xdpi, ydpi = float(dpi[0]), float(dpi[1])
        if xdpi > 0 and ydpi > 0 and abs(xdpi / ydpi - 1) > 0.05:
            image = image.resize((image.width, round(image.height * xdpi / ydpi)))
    except (TypeError, ValueError, IndexError):
        pass
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)))
    return image


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.split(text.lower()) if t]


def boxes_for(quotes: Iterable[str], words: list[dict]) -> list[dict]:
    """The boxes of the page words that spell each quote (compared word by word, ignoring case and
    punctuation); a quote not found on the page draws nothing.

    >>> w = [{"text": t, "box": {"left": i / 10, "top": 0.1, "width": 0.05, "height": 0.02}}
    ...      for i, t in enumerate(["Chest", "pain,", "since", "today."])]
    >>> [b["left"] for b in boxes_for(["chest pain since"], w)]
    [0.0, 0.1, 0.2]
    """
    page_tokens = [(_tokens(w.get("text", "")) or [""])[0] for w in words]
    out = []
    for quote in quotes:
        want = _tokens(quote)
        if not want:
            continue
        n = len(want)
        for i in range(len(page_tokens) - n + 1):
            if page_tokens[i:i + n] == want:
                out += [words[j]["box"] for j in range(i, i + n)]
                break
    return out


def draw_boxes(image: Image.Image, boxes: list[dict]) -> Image.Image:
    """`image` with a translucent highlight and an outline over each box (fractions of the page)."""
    if not boxes:
        return image
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    w, h = image.size
    for b in boxes:
        x0, y0 = b["left"] * w - 2, b["top"] * h - 2
        x1, y1 = (b["left"] + b["width"]) * w + 2, (b["top"] + b["height"]) * h + 2
        draw.rectangle([x0, y0, x1, y1], fill=(255, 191, 71, 90), outline=(180, 68, 26, 255), width=2)
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def png_bytes(image: Image.Image) -> bytes:
    """The image as PNG bytes."""
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
