"""A self-contained HTML report of one suite run (no scripts, no remote assets; PNGs sit beside it)."""

from __future__ import annotations

from html import escape

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.fail{color:#b00020;font-weight:bold}
.pass{color:#1b5e20}.insufficient{color:#888}img{max-width:100%;border:1px solid #eee;margin:.5em 0}
.note{background:#fff8e1;border-left:4px solid #f9a825;padding:.5em 1em;margin:.5em 0}
"""


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}"
    return escape(str(value))


def _group_table(attribute: str, groups: dict[str, dict], figures: list[str]) -> str:
    head = "".join(f"<th>{escape(f)} [95% CI]</th>" for f in figures)
    rows = []
    for group, entry in groups.items():
        cls = ' class="insufficient"' if entry["insufficient"] else ""
        status = "insufficient (not judged)" if entry["insufficient"] else "ok"
        cells = []
        for figure in figures:
            fig = entry.get(figure, {})
            cells.append(f"<td>{_fmt(fig.get('value'))} [{_fmt(fig.get('ci_low'))}, {_fmt(fig.get('ci_high'))}]</td>")
        rows.append(f"<tr{cls}><td>{escape(group)}</td><td>{entry['n']}</td><td>{status}</td>{''.join(cells)}</tr>")
    return (
        f"<h3>{escape(attribute)}</h3><table><tr><th>group</th><th>n</th><th>status</th>{head}</tr>"
        + "".join(rows)
        + "</table>"
    )


def render_report(
    doc: dict,
    *,
    images: list[tuple[str, str]],
    notes: list[str],
    key_metrics: list[str] | None = None,
    group_figures: list[str] | None = None,
    sections: dict[str, str] | None = None,
) -> str:
    """HTML for a metrics document (the content of metrics.json), its plots and notes.

    `images` are (file name relative to the report, caption); `notes` are plain-text paragraphs;
    `sections` are extra (title -> plain text) blocks.
    """
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Evaluation: {escape(doc['suite'])}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Evaluation report: {escape(doc['suite'])}</h1>",
        "<table>",
        f"<tr><td>data</td><td>{escape(str(doc['data'].get('path')))}</td></tr>",
        f"<tr><td>data sha256</td><td><code>{escape(str(doc['data'].get('sha256')))}</code></td></tr>",
        f"<tr><td>n (evaluated)</td><td>{doc['n']}</td></tr>",
        f"<tr><td>model version</td><td><code>{escape(str(doc['model_version']))}</code></td></tr>",
        f"<tr><td>created</td><td>{escape(str(doc.get('created_at')))}</td></tr>",
        "</table>",
    ]
    failed = [g for g in doc["gates"] if not g["passed"]]
    parts.append("<h2>Gates</h2>")
    parts.append(
        f"<p class='{'fail' if failed else 'pass'}'>"
        + (f"{len(failed)} of {len(doc['gates'])} gates FAILED." if failed else f"All {len(doc['gates'])} gates passed.")
        + "</p>"
    )
    parts.append("<table><tr><th>gate</th><th>metric</th><th>value</th><th>needs</th><th>result</th><th>why</th></tr>")
    for g in doc["gates"]:
        result = "<span class='pass'>pass</span>" if g["passed"] else "<span class='fail'>FAIL</span>"
        parts.append(
            f"<tr><td>{escape(g['name'])}</td><td>{escape(g['metric'])}</td><td>{_fmt(g['value'])}</td>"
            f"<td>{escape(g['direction'])} {g['threshold']}</td><td>{result}</td>"
            f"<td style='text-align:left'>{escape(g['why'])}</td></tr>"
        )
    parts.append("</table>")
    if notes:
        parts.append("<h2>Notes</h2>")
        parts += [f"<div class='note'>{escape(n)}</div>" for n in notes]
    for title, body in (sections or {}).items():
        parts.append(f"<h2>{escape(title)}</h2>")
        parts += [f"<p>{escape(p)}</p>" for p in body.split("\n\n") if p.strip()]
    metrics = doc["metrics"]
    names = [k for k in (key_metrics or []) if k in metrics] + sorted(k for k in metrics if k not in (key_metrics or []))
    parts.append("<h2>Metrics</h2><table><tr><th>metric</th><th>value</th></tr>")
    parts += [f"<tr><td>{escape(k)}</td><td>{_fmt(metrics[k])}</td></tr>" for k in names]
    parts.append("</table>")
    parts.append("<h2>Plots</h2>")
    for file_name, caption in images:
        parts.append(f"<figure><img src='{escape(file_name)}' alt='{escape(caption)}'><figcaption>{escape(caption)}</figcaption></figure>")
    parts.append(f"<h2>By group</h2><p>Minimum group size: {doc.get('min_group_n')}. "
                 "Groups below it are shown but marked insufficient and never counted as passing.</p>")  # fmt: skip
    for attribute, groups in doc["by_group"].items():
        figures = group_figures or sorted({f for e in groups.values() for f in e if isinstance(e[f], dict)})
        parts.append(_group_table(attribute, groups, figures))
    parts.append("</body></html>")
    return "\n".join(parts)
