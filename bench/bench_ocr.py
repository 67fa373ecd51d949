"""OCR throughput and overhead: (a) pages/s of one Tesseract process over N pages against
tools/intake/ocr.py's parallel path on the same pages, and (b) the tool's time against the sum of raw
`tesseract` runs on the same rasterized pages. Prints figures; not part of the tests.

    .venv/bin/python bench/bench_ocr.py [--pages 8] [--workers 2] [--repeats 2]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evals.synthetic_faxes import make_synthetic_fax  # noqa: E402
from tools.intake import ocr  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ocr" / "testing"
SCANS = ("8071_093.3B.tif", "8087_054.3B.tif", "eurotext.tif", "phototest.tif")
LANGS = "eng+spa"


def scans_tiff(n_pages: int, data_dir: Path) -> bytes:
    """A multi-page TIFF cycling through the real 300-dpi test scans (Apache-2.0, tesseract-ocr/test)."""
    images = [Image.open(data_dir / name).convert("1") for name in SCANS]
    pages = [images[i % len(images)].copy() for i in range(n_pages)]
    buf = io.BytesIO()
    pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:], compression="group4", dpi=(300, 300))
    return buf.getvalue()


def fax_tiff(n_pages: int) -> bytes:
    return make_synthetic_fax(11, pages=n_pages, resolution="fine", cover_sheet=False).tiff_bytes()


def run_tesseract(path: Path, *, omp_one_thread: bool) -> Timing:
    env = dict(os.environ)  # a benchmark harness, not application code: it sets up the child's env
    if omp_one_thread:
        env["OMP_THREAD_LIMIT"] = "1"
    else:
        env.pop("OMP_THREAD_LIMIT", None)
    started, cpu0 = time.perf_counter(), _children_cpu()
    subprocess.run(["tesseract", str(path), "stdout", "-l", LANGS], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Timing(time.perf_counter() - started, _children_cpu() - cpu0)


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # user + system seconds of every process involved

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def rasterized_pages(data: bytes, tmp: Path) -> list[Path]:
    """Each page as the tool loads it (decoded, square pixels, before deskew and binarization),
    saved as PNG for raw Tesseract."""
    kind = ocr.detect_kind(data)
    n = ocr.count_pages(data, kind)
    opts = ocr._PageOptions(LANGS, 300, 0, 60_000_000, True, 10.0, "otsu", True, 0.75, 120.0, 3)
    paths = []
    for i in range(n):
        gray, dpi, *_ = ocr._square_page(ocr._PageJob(kind, data, i, opts))
        path = tmp / f"page-{i:03d}.png"
        gray.save(path, dpi=(dpi, dpi))
        paths.append(path)
    return paths


def best_of(repeats: int, fn) -> Timing:
    runs = [fn() for _ in range(repeats)]
    return Timing(min(r.wall for r in runs), min(r.cpu for r in runs))


def bench_workload(name: str, data: bytes, *, workers: int, repeats: int, openmp: bool = True) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp_dir:
        tmp = Path(tmp_dir)
        doc = tmp / "doc.tif"
        doc.write_bytes(data)
        pages = rasterized_pages(data, tmp)
        n = len(pages)

        ocr.warm_up(1)
        ocr.warm_up(workers)

        def tool(w: int) -> Timing:
            started, cpu0 = time.perf_counter(), time.process_time()
            result = ocr.ocr_document(data, workers=w, max_pages=1000)
            wall = time.perf_counter() - started
            return Timing(wall, time.process_time() - cpu0 + sum(p.cpu_seconds for p in result.pages))

        def raw_pages() -> Timing:
            total = Timing(0.0, 0.0)
            for p in pages:
                total = total + run_tesseract(p, omp_one_thread=True)
            return total

        # Interleave the runs so a burst of load from elsewhere hits baseline and tool alike.
        singles, singles_mt, raws, tool1s, toolns = [], [], [], [], []
        for r in range(repeats):
            singles.append(run_tesseract(doc, omp_one_thread=True))
            toolns.append(tool(workers))
            raws.append(raw_pages())
            tool1s.append(tool(1))
            if r == 0 and openmp:  # slow under load (OpenMP threads spin); once is enough
                singles_mt.append(run_tesseract(doc, omp_one_thread=False))
        if not singles_mt:
            singles_mt.append(Timing(float("nan"), float("nan")))
        single_1t, single_mt, raw_sum, tool_1, tool_n = (
            best_of(len(x), iter(x).__next__) for x in (singles, singles_mt, raws, tool1s, toolns)
        )

    print(f"\n== {name}: {n} pages (best of {repeats}) ==")
    print(f"single tesseract process, OMP_THREAD_LIMIT=1   {single_1t.wall:7.2f} s  {n / single_1t.wall:6.2f} pages/s")
    print(f"single tesseract process, default OpenMP       {single_mt.wall:7.2f} s  {n / single_mt.wall:6.2f} pages/s")
    print(f"tools/intake/ocr.py workers={workers}                         {tool_n.wall:7.2f} s  {n / tool_n.wall:6.2f} pages/s")
    print(f"  (a) speed-up vs single process (1 thread)    {single_1t.wall / tool_n.wall:6.2f}x   goal >= 1.8x")
    print(f"      speed-up vs single process (OpenMP)      {single_mt.wall / tool_n.wall:6.2f}x")
    print(f"      pool scaling, workers={workers} vs workers=1       {tool_1.wall / tool_n.wall:6.2f}x")
    bound = workers * single_1t.cpu / tool_n.cpu
    print(f"      CPU-bound estimate on {workers} idle cores       {bound:6.2f}x   ({workers} x single-process CPU / tool CPU)")
    print(f"raw tesseract per rasterized page, summed      {raw_sum.wall:7.2f} s wall  {raw_sum.cpu:7.2f} s CPU")
    print(f"tools/intake/ocr.py workers=1 (same pages)            {tool_1.wall:7.2f} s wall  {tool_1.cpu:7.2f} s CPU")
    print(f"  (b) pipeline overhead over raw tesseract     {100 * (tool_1.wall / raw_sum.wall - 1):+6.1f}% wall "
          f"{100 * (tool_1.cpu / raw_sum.cpu - 1):+6.1f}% CPU   goal < 10%")
    print(f"  CPU per page: single process {single_1t.cpu / n:.2f} s, tool (workers={workers}) {tool_n.cpu / n:.2f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--workers", type=int, default=ocr.default_workers())
    parser.add_argument("--repeats", type=int, default=2, help="best of this many runs per figure")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--no-openmp", action="store_true", help="skip the default-OpenMP Tesseract run")
    args = parser.parse_args(argv)
    print(f"cores available: {ocr.default_workers()}  load average (1 min): {os.getloadavg()[0]:.2f}  "
          f"engine: {ocr._engine_name()}  languages: {LANGS}")
    if args.data.is_dir():
        bench_workload("real 300-dpi scans (tesseract-ocr/test)", scans_tiff(args.pages, args.data),
                       workers=args.workers, repeats=args.repeats, openmp=not args.no_openmp)
    else:
        print(f"(real scans not found at {args.data}; skipping that workload)")
    bench_workload("synthetic fine-resolution fax (204x196 dpi)", fax_tiff(args.pages),
                   workers=args.workers, repeats=args.repeats, openmp=not args.no_openmp)
    print(f"\nload average at the end (1 min): {os.getloadavg()[0]:.2f} -- other work on these cores skews wall times")
    ocr.shutdown_ocr_pools()


if __name__ == "__main__":
    main()
