"""The bench suite behind `handoff bench run [--quick]`: runs every bench on a private embedded
PostgreSQL, writes bench.json (every figure with its goal, sizes and the load average when measured)
and report.md (a table of figure beside goal). `--quick` sizes are a smoke run (minutes, no goals
judged); full sizes are the issue's and are run by hand on a quiet machine."""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from bench.common import BenchServer, Figure


@dataclass(frozen=True)
class Sizes:
    appends_per_writer: int
    open_items: int
    log_rows: int
    new_rows: int
    review_iterations: int
    vectors: int
    vector_units: int
    vector_queries: int
    vector_global: bool
    ocr_pages: int
    ocr_repeats: int
    ocr_scans: bool
    faxes: int
    fax_interval_s: float
    day_scale: float
    intake_training: int


QUICK = Sizes(appends_per_writer=20, open_items=1_000, log_rows=5_000, new_rows=50, review_iterations=20,
              vectors=2_000, vector_units=3, vector_queries=30, vector_global=True, ocr_pages=1, ocr_repeats=1,
              ocr_scans=False, faxes=1, fax_interval_s=0, day_scale=0.002, intake_training=200)
FULL = Sizes(appends_per_writer=500, open_items=100_000, log_rows=1_000_000, new_rows=1_000, review_iterations=500,
             vectors=1_000_000, vector_units=10, vector_queries=200, vector_global=False, ocr_pages=8, ocr_repeats=2,
             ocr_scans=True, faxes=20, fax_interval_s=10, day_scale=1.0, intake_training=200)
BENCHES = ("log_appends", "audit_verify", "review_api", "pgvector", "ocr", "fax_turnaround", "clinic_day")


def bench_ocr(*, pages: int, repeats: int, scans: bool = True, workers: int = 2) -> list[Figure]:
    """Two OCR workers (tools/intake/ocr.py) against one single-threaded Tesseract on the same file."""
    from bench.bench_ocr import DATA, fax_tiff, run_tesseract, scans_tiff
    from tools.intake import ocr

    out = []
    workloads = [("faxes", fax_tiff(pages))]
    if scans and DATA.is_dir():
        workloads.insert(0, ("scans", scans_tiff(pages, DATA)))
    ocr.warm_up(workers)
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        for name, data in workloads:
            doc = Path(tmp) / f"{name}.tif"
            doc.write_bytes(data)
            single, tool = [], []
            for _ in range(repeats):
                single.append(run_tesseract(doc, omp_one_thread=True).wall)
                t0 = time.perf_counter()
                ocr.ocr_document(data, workers=workers, max_pages=1000)
                tool.append(time.perf_counter() - t0)
            out.append(Figure("ocr", f"{workers} workers vs one single-threaded Tesseract, {name}",
                              round(min(single) / min(tool), 2), "x", ">= 1.8",
                              sizes={"pages": pages, "repeats": repeats, "workers": workers},
                              note=f"single {min(single):.1f} s, tool {min(tool):.1f} s"))
    ocr.shutdown_ocr_pools()
    return out


def run(*, quick: bool, out_dir: Path, only: list[str] | None = None, progress=print, **overrides) -> Path:
    """Run the benches (all, or `only`), write bench.json and report.md into out_dir; returns the
    report's path. A bench that fails is reported as failed and the others still run. `overrides`
    replace single sizes (e.g. vectors=200_000, day_scale=0.1); the report shows the sizes used."""
    from dataclasses import replace

    from bench import database, pipeline, vectors

    sizes = replace(QUICK if quick else FULL, **{k: v for k, v in overrides.items() if v is not None})
    out_dir.mkdir(parents=True, exist_ok=True)
    figures: list[Figure] = []
    failures: dict[str, str] = {}
    selected = [b for b in BENCHES if not only or b in only]
    started = time.perf_counter()

    def write() -> Path:
        meta = {"mode": "quick" if quick else "full", "cpus": os.cpu_count(), "machine": platform.machine(),
                "python": platform.python_version(), "seconds": round(time.perf_counter() - started, 1),
                "load_avg_end": round(os.getloadavg()[0], 2), "sizes": sizes.__dict__}
        (out_dir / "bench.json").write_text(json.dumps({"meta": meta, "figures": [f.to_dict() for f in figures],
                                                        "failures": failures}, indent=2))
        report = out_dir / "report.md"
        report.write_text(render_report(meta, figures, failures, quick=quick))
        return report

    with BenchServer() as srv, tempfile.TemporaryDirectory(prefix="handoff-bench-home-") as home_dir:
        home = Path(home_dir)
        log_url = None

        def step(name: str, fn) -> None:
            if name not in selected:
                return
            progress(f"bench {name} ...")
            t0 = time.perf_counter()
            try:
                figures.extend(fn())
            except Exception as exc:  # keep going; the report says which bench failed and where
                failures[name] = f"{exc.__class__.__name__}: " + "".join(traceback.format_tb(exc.__traceback__)[-2:])
            progress(f"bench {name}: {time.perf_counter() - t0:.0f} s")
            write()  # after every bench: a long run stopped halfway keeps what it measured

        def log_db() -> str:
            nonlocal log_url
            if log_url is None:
                log_url = srv.fresh_database("log")
                database.seed_log(log_url, open_items=sizes.open_items, log_rows=sizes.log_rows)
            return log_url

        step("log_appends", lambda: database.bench_log_appends(srv, per_writer=sizes.appends_per_writer))
        step("audit_verify", lambda: database.bench_audit_verify(log_db(), rows=sizes.log_rows, new_rows=sizes.new_rows))
        step("review_api", lambda: database.bench_review_api(log_db(), iterations=sizes.review_iterations,
                                                             home=home / "api"))
        step("pgvector", lambda: vectors.bench_vectors(srv, n=sizes.vectors, units=sizes.vector_units,
                                                       n_queries=sizes.vector_queries, global_index=sizes.vector_global))
        step("ocr", lambda: bench_ocr(pages=sizes.ocr_pages, repeats=sizes.ocr_repeats, scans=sizes.ocr_scans))
        def prepared(prefix: str, *, noshow: bool) -> str:
            url = srv.fresh_database(prefix)
            pipeline.prepare_clinic(url, home / "clinic", training=sizes.intake_training, noshow=noshow)
            return url

        step("fax_turnaround", lambda: pipeline.bench_fax_turnaround(
            prepared("fax", noshow=False), home / "clinic", faxes=sizes.faxes, interval_s=sizes.fax_interval_s))
        step("clinic_day", lambda: pipeline.bench_clinic_day(
            prepared("day", noshow=not quick), home / "clinic", scale=sizes.day_scale, quick=quick))
    return write()


def render_report(meta: dict, figures: list[Figure], failures: dict[str, str], *, quick: bool) -> str:
    lines = [f"# Handoff bench ({meta['mode']})", "",
             f"{meta['cpus']} CPUs, Python {meta['python']}, {meta['seconds']} s in all; the load average beside each "
             "figure is the machine's (1 min) when it was measured: other work on these cores skews timings.", ""]
    if quick:
        lines += ["Quick sizes: a smoke run. Goals are shown but not judged at these sizes.", ""]
    lines += ["| bench | figure | value | goal | met | sizes | load | note |", "|---|---|---|---|---|---|---|---|"]
    for f in figures:
        met = "" if quick or f.met is None else ("yes" if f.met else "**no**")
        size = ", ".join(f"{k}={v}" for k, v in f.sizes.items())
        lines.append(f"| {f.bench} | {f.name} | {f.value} {f.unit} | {f.goal} | {met} | {size} | {f.load_avg} | {f.note} |")
    for name, why in failures.items():
        lines += ["", f"**{name} failed**: {why.splitlines()[0]}"]
    return "\n".join(lines) + "\n"
