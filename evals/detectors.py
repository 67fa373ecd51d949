"""Measure the intake's rule detectors alone (no learned model): clinical sensitivity and emergent
cues, instructions to an automated reader, records sent to a new destination, and language detection,
on any labelled JSONL file or on the hand-written corpus by author.

Every rate carries its n and a Clopper-Pearson 95% interval. Authors are reported one by one
(generalisation across authorship), languages and categories separately; the synthetic held-out family
can be measured beside them but decides nothing.

    python -m evals.detectors --authors w1,w2,w3,w4,w5 --out out/detectors-dev
    python -m evals.detectors --data clinic.jsonl --out out/detectors-clinic
    python -m evals.detectors --synthetic --out out/detectors-synthetic

Writes detectors.json (all figures), detectors.md (the tables) and misses.csv (per item: what was
missed or over-called, for error analysis) in the output folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

from models.intake import CATEGORIES, InboundLabel

CORPUS_DIR = Path(__file__).with_name("corpus") / "written"
LANGS = ("en", "es", "vi", "zh")


def clopper_pearson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Exact binomial interval for k successes in n trials.

    >>> [round(x, 3) for x in clopper_pearson(0, 10)]
    [0.0, 0.308]
    """
    from scipy.stats import beta

    if n == 0:
        return (float("nan"), float("nan"))
    lo = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return (lo, hi)


def rate(k: int, n: int) -> dict:
    """k of n as a rate with its Clopper-Pearson 95% interval (None when n is 0)."""
    lo, hi = clopper_pearson(k, n)
    return {"k": k, "n": n, "rate": (k / n) if n else None, "ci95": [round(lo, 4), round(hi, 4)] if n else None}


def load_items(path: Path) -> list[InboundLabel]:
    """Labelled items of one JSONL file (a line that breaks the format stops with its line number)."""
    items = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                items.append(InboundLabel.model_validate_json(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{i}: {exc}") from exc
    return items


def load_authors(authors: list[str], corpus_dir: Path = CORPUS_DIR) -> list[InboundLabel]:
    """Every batch of the given authors of the hand-written corpus."""
    items: list[InboundLabel] = []
    for author in authors:
        files = sorted((corpus_dir / author).glob("b*.jsonl"))
        if not files:
            raise FileNotFoundError(f"no batches for author {author!r} under {corpus_dir}")
        for f in files:
            items.extend(load_items(f))
    return items


def injection_placement(item: InboundLabel) -> str:
    """Where an item's instruction to an automated reader sits (from its text and meta.why)."""
    text, why = item.text, str(item.meta.get("why", "")).lower()
    if "<!--" in text:
        return "html_comment"
    if any(ch in text for ch in "\u200b\u200c\u200d\u2060\ufeff"):
        return "zero_width"
    low = text.lower()
    if any(m in low for m in ("[white", "[hidden", "[texto", "[chữ trắng", "[chu trang", "白色", "白字", "隐藏")) or "white" in why or "hidden" in why:
        return "hidden_text"
    if "footer" in why:
        return "footer"
    if "header" in why or "cover" in why or "banner" in why:
        return "header"
    return "body"


def measure(items: list[InboundLabel], *, author_of=lambda it: it.meta.get("author", "-")) -> tuple[dict, list[dict]]:
    """All detector figures on `items`, and one row per item with a miss or an over-call."""
    from tools.intake.injection import detect_injection
    from tools.intake.language import detect_language
    from tools.intake.sensitivity import detect_sensitivity

    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # key -> [k, n]
    rows: list[dict] = []

    def add(key: str, ok: bool) -> None:
        counts[key][0] += int(ok)
        counts[key][1] += 1

    for it in items:
        lang_true = (it.group or {}).get("language") or "-"
        author = author_of(it)
        lang = detect_language(it.text)
        sens = detect_sensitivity(it.text, language=lang)
        inj = detect_injection(it.text)
        got = {c.value for c in sens.categories}
        emergent_floor = sens.urgency_floor.value == "emergent"
        injected = bool(getattr(it, "injection", None) or it.meta.get("injected"))
        for g in ("all", f"lang={lang_true}", f"author={author}"):
            if it.sensitive:
                add(f"sensitive_recall|{g}", sens.sensitive)
            else:
                add(f"nonsensitive_flagged|{g}", sens.sensitive)
            if sens.sensitive:
                add(f"sensitive_precision|{g}", it.sensitive)
            if it.urgency == "emergent":
                add(f"emergent_floor_recall|{g}", emergent_floor)
            else:
                add(f"emergent_overcall|{g}", emergent_floor)
            if injected:
                add(f"injection_recall|{g}", inj.suspected)
            else:
                add(f"injection_false_alarm|{g}", inj.suspected)
            add(f"language_correct|{g}", lang.language == lang_true or (lang_true == "-" and lang.supported))
            add(f"language_called_unsupported|{g}", not lang.supported)
        for c in CATEGORIES:
            for g in ("all", f"lang={lang_true}"):
                if c in it.categories:
                    add(f"category_recall|{c}|{g}", c in got)
                if c in got:
                    add(f"category_precision|{c}|{g}", c in it.categories)
        if injected:
            add(f"injection_recall|placement={injection_placement(it)}", inj.suspected)
        if inj.destination_change:
            add("destination_change_on_records_request|all", it.doc_type == "records_request")
        missed = sorted(set(it.categories) - got)
        extra = sorted(got - set(it.categories))
        problems = []
        if it.sensitive and not sens.sensitive:
            problems.append("sensitive_missed")
        if not it.sensitive and sens.sensitive:
            problems.append("sensitive_overcalled")
        if it.urgency == "emergent" and not emergent_floor:
            problems.append("emergent_missed")
        if injected != inj.suspected:
            problems.append("injection_missed" if injected else "injection_false_alarm")
        if lang.language != lang_true and lang_true != "-":
            problems.append("language_wrong")
        if problems or missed or extra:
            rows.append({"id": it.id, "author": author, "language": lang_true, "detected_language": lang.language,
                         "doc_type": it.doc_type, "urgency": it.urgency, "categories": "|".join(it.categories),
                         "detected": "|".join(sorted(got)), "missed": "|".join(missed), "extra": "|".join(extra),
                         "floor": sens.urgency_floor.value, "injection": injected, "injection_score": inj.score,
                         "problems": "|".join(problems), "why": str(it.meta.get("why", ""))[:200]})
    figures = {k: rate(*v) for k, v in sorted(counts.items())}
    return {"n": len(items), "figures": figures}, rows


def _cell(fig: dict | None) -> str:
    if not fig or not fig["n"]:
        return "-"
    return f"{fig['rate']:.3f} ({fig['k']}/{fig['n']}; {fig['ci95'][0]:.2f}-{fig['ci95'][1]:.2f})"


def render_markdown(result: dict, title: str) -> str:
    """The figures as a Markdown table: one row per metric, one column per group."""
    f = result["figures"]
    groups = ["all", *[f"lang={lang}" for lang in LANGS], *sorted({k.split("|")[1] for k in f if "|author=" in k and not k.endswith("=-")})]
    metrics = ["sensitive_recall", "sensitive_precision", "nonsensitive_flagged", "emergent_floor_recall", "emergent_overcall",
               "injection_recall", "injection_false_alarm", "language_correct", "language_called_unsupported"]
    out = [f"## {title}", "", f"n = {result['n']}; each cell: rate (k/n; Clopper-Pearson 95%).", "",
           "| measure | " + " | ".join(groups) + " |", "|---" * (len(groups) + 1) + "|"]
    for m in metrics:
        out.append(f"| {m} | " + " | ".join(_cell(f.get(f"{m}|{g}")) for g in groups) + " |")
    out += ["", "Category recall / precision by language:", "",
            "| category | " + " | ".join(["all", *LANGS]) + " |", "|---" * (len(LANGS) + 2) + "|"]
    for c in CATEGORIES:
        cells = []
        for g in ["all", *[f"lang={lang}" for lang in LANGS]]:
            r, p = f.get(f"category_recall|{c}|{g}"), f.get(f"category_precision|{c}|{g}")
            cells.append(f"R {_cell(r).split(' ')[0]} ({r['k']}/{r['n']}) P {_cell(p).split(' ')[0]}" if r and r["n"] else
                         (f"P {_cell(p).split(' ')[0]}" if p else "-"))
        out.append(f"| {c} | " + " | ".join(cells) + " |")
    placements = sorted(k.split("=", 1)[1] for k in f if k.startswith("injection_recall|placement="))
    if placements:
        out += ["", "Injection recall by placement:", "", "| placement | recall |", "|---|---|"]
        out += [f"| {p} | {_cell(f[f'injection_recall|placement={p}'])} |" for p in placements]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: measure the rule detectors on a file, on authors of the corpus, or on synthetic data."""
    ap = argparse.ArgumentParser(prog="python -m evals.detectors", description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", type=Path, help="a labelled JSONL file (DESIGN.md format)")
    src.add_argument("--authors", help="comma-separated authors of the hand-written corpus (w1,...)")
    src.add_argument("--synthetic", action="store_true", help="the synthetic held-out family (decides nothing)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.data:
        if not args.data.exists():
            print(f"--data: {args.data} does not exist", file=sys.stderr)
            return 2
        items, title = load_items(args.data), f"detectors on {args.data.name}"
    elif args.authors:
        authors = [a.strip() for a in args.authors.split(",") if a.strip()]
        items, title = load_authors(authors), f"detectors on hand-written authors {','.join(authors)}"
    else:
        from tools.intake.synthetic_corpus import generate_heldout_corpus, make_patients

        items, title = generate_heldout_corpus(7, 1000, make_patients(seed=7, n=200), injected_share=0.1), "detectors on synthetic held-out"
    result, rows = measure(items)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "detectors.json").write_text(json.dumps({"title": title, **result}, indent=1), encoding="utf-8")
    md = render_markdown(result, title)
    (args.out / "detectors.md").write_text(md, encoding="utf-8")
    with open(args.out / "misses.csv", "w", newline="", encoding="utf-8") as fh:
        fields = ["id", "author", "language", "detected_language", "doc_type", "urgency", "categories", "detected", "missed", "extra",
                  "floor", "injection", "injection_score", "problems", "why"]
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
