"""Charts drawn on the server as inline SVG (no script, no third-party files)."""

from __future__ import annotations

from markupsafe import Markup, escape


def bar_chart(rows: list[tuple[str, float, str]], *, title: str, max_value: float | None = None,
              color: str = "#1d5fa8") -> Markup:
    """Horizontal bars as inline SVG drawn on the server: (label, value, value shown as text) per row."""
    # Sized to sit unscaled in half of a 1280-pixel-wide page, so the 14px text stays 14px.
    label_w, bar_w, row_h, text_w = 200, 260, 26, 110
    top = max_value if max_value else max((v for _, v, _ in rows), default=0) or 1
    height = row_h * max(len(rows), 1) + 8
    width = label_w + bar_w + text_w
    parts = [f'<svg class="chart" role="img" aria-labelledby="{_svg_id(title)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{_svg_id(title)}">{escape(title)}</title>']
    if not rows:
        parts.append('<text x="0" y="18" font-size="14" fill="#333">No data yet</text>')
    for i, (label, value, shown) in enumerate(rows):
        y = 4 + i * row_h
        w = 0 if top <= 0 else max(0.0, min(1.0, value / top)) * bar_w
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" font-size="14" text-anchor="end" fill="#1b1b1b">'
                     f'{escape(label if len(label) <= 26 else label[:25] + "…")}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="18" fill="#eef1f5"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="18" fill="{color}"/>')
        parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + 17}" font-size="14" fill="#1b1b1b">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _svg_id(title: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower())[:40]
