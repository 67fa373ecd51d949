"""Letters a person checks and sends (appeals, requests for missing referral information, report
covers): drafted from templates in prompts/ (string.Template: values cannot reach the template's
own syntax), versioned by the template's hash, exportable as text or as a fax-ready PDF."""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

from prompts import load_prompt

TEMPLATES = {"appeal": "letter_appeal", "info_request": "letter_info_request", "report_cover": "letter_report_cover"}


@dataclass(frozen=True)
class Draft:
    kind: str
    template: str
    template_sha256: str
    body: str


def draft_letter(kind: str, **values: str) -> Draft:
    """Fill the template of `kind` (every placeholder must be given; a missing one raises KeyError).

    >>> d = draft_letter("report_cover", today="2026-03-02", recipient="Dr. A", patient_name="B C",
    ...                  patient_dob="1970-01-01", case_ref="R-1", unit_name="Cardiology", service="a consult",
    ...                  seen_on="2026-02-27")
    >>> d.template, "Cardiology" in d.body, len(d.template_sha256)
    ('letter_report_cover', True, 64)
    """
    prompt = load_prompt(TEMPLATES[kind])
    clean = {k: " ".join(str(v).split("\x00")) for k, v in values.items()}
    return Draft(kind=kind, template=prompt.name, template_sha256=prompt.sha256, body=prompt.render(**clean))


def letter_pdf(body: str, *, title: str = "") -> bytes:
    """The letter as a one- or multi-page PDF (Letter size at 100 dpi, monospaced text), ready to fax."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default()
    width, height, margin, line_height = 850, 1100, 60, 16
    lines: list[str] = []
    for paragraph in body.splitlines():
        lines += textwrap.wrap(paragraph, width=95) or [""]
    per_page = (height - 2 * margin) // line_height
    pages = []
    for start in range(0, max(len(lines), 1), per_page):
        page = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(page)
        for n, line in enumerate(lines[start:start + per_page]):
            draw.text((margin, margin + n * line_height), line, fill=0, font=font)
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=100.0, title=title or "letter")
    return out.getvalue()
