"""OCR of inbound documents: PDF, multi-page TIFF, PNG or JPEG bytes in, an `OcrResult` out (text, words
with confidences and boxes, per-page offsets, a document confidence and a `degraded` verdict).

Pages are rasterized (PDF), made upright (90/180/270 via Tesseract's OSD when needed, then a small
skew correction), binarized, and read by Tesseract in a process pool, one Tesseract thread per
worker. The text is never logged.
"""

from __future__ import annotations

import io
import logging
import math
import multiprocessing
import os
import re
import resource
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
import numpy as np
import pytesseract
from PIL import Image, ImageOps

from models.documents import DocumentKind, DocumentLimits, OcrBox, OcrPage, OcrResult, OcrWord
from tools.intake import ocr_image
from tools.intake.ocr_image import Binarization
from tools import telemetry

log = logging.getLogger(__name__)

_DEFAULT_LIMITS = DocumentLimits()
# Below this tilt Tesseract copes by itself and resampling the page costs more than it gains; at 0.35
# degrees the two-column scan 8071_093.3B still went from 8.6% to 3.8% CER, so the bar is low.
_MIN_DESKEW_DEGREES = 0.3


# --- errors ---------------------------------------------------------------------------------------


class OcrError(Exception):
    """Base of every error this module raises on purpose."""

    def __reduce__(self):  # keep attributes when the error crosses the process pool
        return (self.__class__, self.args, self.__dict__)


class DocumentRejected(OcrError):
    """The document breaks a limit; the API answers 4xx and nothing is processed."""


class DocumentTooLarge(DocumentRejected):
    def __init__(self, message: str, *, limit: int = 0, actual: int = 0):
        super().__init__(message)
        self.limit, self.actual = limit, actual


class TooManyPages(DocumentRejected):
    def __init__(self, message: str, *, limit: int = 0, actual: int = 0):
        super().__init__(message)
        self.limit, self.actual = limit, actual


class UnreadableDocument(OcrError):
    """Corrupt, empty, truncated, encrypted or of an unknown type: keep the file, route it to review
    as `degraded_input`."""


class UnsupportedDocumentType(UnreadableDocument):
    """The bytes are not a PDF, TIFF, PNG or JPEG."""


class OcrUnavailable(OcrError):
    """Tesseract itself is missing or broken (an operations problem, not a property of the document)."""


# --- format detection -----------------------------------------------------------------------------


def detect_kind(data: bytes) -> DocumentKind:
    """The document type from its magic bytes (never from a file name).

    >>> detect_kind(b"%PDF-1.7 ...")
    'pdf'
    """
    head = bytes(data[:1024])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):  # classic and BigTIFF
        return "tiff"
    # The PDF header may legally follow some junk within the first 1024 bytes.
    if b"%PDF-" in head:
        return "pdf"
    raise UnsupportedDocumentType(
        "the file is not a PDF, TIFF, PNG or JPEG (its first bytes match none of their signatures)"
    )


# --- options and per-page work --------------------------------------------------------------------


@dataclass(frozen=True)
class _PageOptions:
    languages: str
    dpi: int
    min_dpi: int
    max_page_pixels: int
    deskew: bool
    max_skew_degrees: float
    binarization: Binarization
    detect_orientation: bool
    orientation_retry_below: float
    timeout_seconds: float
    psm: int


@dataclass(frozen=True)
class _PageJob:
    kind: DocumentKind
    source: bytes | str  # the document's bytes, or the path of a temporary copy for multi-page files
    index: int  # 0-based page index
    options: _PageOptions


@dataclass(frozen=True)
class _RunJob:
    """Consecutive pages one worker prepares and reads with a single Tesseract process, so the
    language models are loaded once per run rather than once per page."""

    kind: DocumentKind
    source: bytes | str
    indices: tuple[int, ...]
    options: _PageOptions
    tmp_dir: str | None = None  # where the run's page images go (None: the system's temp folder)


def _open_source(source: bytes | str):
    return io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source


def _load_page(job: _PageJob) -> tuple[Image.Image, float, float]:
    """The page as a grayscale image with its horizontal and vertical resolution (dpi)."""
    opts = job.options
    try:
        if job.kind == "pdf":
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(job.source)
            try:
                page = pdf[job.index]
                w_pt, h_pt = page.get_size()
                dpi = _pdf_render_dpi(page, w_pt, h_pt, opts.dpi)
                # Bound the raster so an enormous page cannot exhaust memory.
                if (w_pt / 72 * dpi) * (h_pt / 72 * dpi) > opts.max_page_pixels:
                    dpi = math.sqrt(opts.max_page_pixels / ((w_pt / 72) * (h_pt / 72)))
                bitmap = page.render(scale=dpi / 72, grayscale=True)
                image = bitmap.to_pil().convert("L")
                page.close()
            finally:
                pdf.close()
            return image, dpi, dpi
        with Image.open(_open_source(job.source)) as image:
            if job.index:
                image.seek(job.index)
            xdpi, ydpi = _image_dpi(image)
            _check_page_pixels(image.width, image.height, job.index, opts.max_page_pixels)
            image.load()
            if job.kind == "jpeg":
                image = ImageOps.exif_transpose(image)  # phone photos carry their orientation in EXIF
            return ocr_image.to_gray(image), xdpi, ydpi
    except OcrError:
        raise
    except Exception as exc:  # any decoder failure means the file (or this page) is unreadable
        raise UnreadableDocument(
            f"page {job.index + 1} of the {job.kind.upper()} could not be decoded ({type(exc).__name__})"
        ) from None


def _pdf_render_dpi(page, w_pt: float, h_pt: float, dpi: int) -> float:
    """`dpi`, or the page's native resolution when it is a scanned image of lower resolution: a
    204x98 fax re-rendered at 300 dpi reads worse than at its own 204 (measured on our synthetic
    faxes). Never below 150 dpi."""
    import pypdfium2.raw as pdfium_raw

    try:
        best_area, native = 0.0, 0.0
        for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            left, bottom, right, top = obj.get_bounds()
            area = max(0.0, right - left) * max(0.0, top - bottom)
            if area > best_area:
                meta = obj.get_metadata()
                best_area, native = area, max(float(meta.horizontal_dpi), float(meta.vertical_dpi))
    except Exception:  # an odd image object must not stop the page from being read
        return float(dpi)
    if best_area < 0.5 * w_pt * h_pt or native <= 0:
        return float(dpi)  # text or vector page: render at the requested resolution
    return float(min(dpi, max(150.0, native)))


def _image_dpi(image: Image.Image) -> tuple[float, float]:
    dpi = image.info.get("dpi")
    try:
        xdpi, ydpi = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        return 300.0, 300.0  # no resolution recorded: assume a scan
    if xdpi < 50 or ydpi < 50 or xdpi > 2400 or ydpi > 2400:
        return 300.0, 300.0  # 72/96 dpi "screen" defaults and nonsense say nothing about the scan
    return xdpi, ydpi


def _osd_rotation(image: Image.Image, opts: _PageOptions) -> int | None:
    """Clockwise degrees Tesseract's orientation detection says make the page upright, or None when
    it is not sure (too little text, low orientation confidence)."""
    try:
        osd = pytesseract.image_to_osd(
            image, config="--psm 0", output_type=pytesseract.Output.DICT, timeout=opts.timeout_seconds
        )
    except pytesseract.TesseractNotFoundError:
        raise OcrUnavailable("the tesseract program is not installed or not on PATH") from None
    except (pytesseract.TesseractError, RuntimeError):
        return None  # "Too few characters", a timeout and the like: keep the page as it is
    rotate = int(osd.get("rotate", 0)) % 360
    if rotate not in (0, 90, 180, 270) or float(osd.get("orientation_conf", 0.0)) < 2.0:
        return None
    return rotate


@dataclass
class _Read:
    text: str
    words: list[OcrWord]
    confidence: float | None
    chars: int


def _run_tesseract(image: Image.Image | str, dpi: float, opts: _PageOptions, *, pages: int = 1) -> dict:
    """Tesseract's TSV (as a dict of columns) for one image, or for a list file of page images."""
    if isinstance(image, Image.Image) and image.mode == "1":
        image.format = "PPM"  # pytesseract hands Tesseract a raw PBM: ~3x cheaper to write than PNG
    timeout = opts.timeout_seconds * pages
    try:
        return pytesseract.image_to_data(
            image,
            lang=opts.languages,
            config=f"--psm {opts.psm} --dpi {max(70, int(round(dpi)))}",
            output_type=pytesseract.Output.DICT,
            timeout=timeout,
        )
    except pytesseract.TesseractNotFoundError:
        raise OcrUnavailable("the tesseract program is not installed or not on PATH") from None
    except RuntimeError as exc:  # pytesseract signals its timeout this way
        if "timeout" in str(exc).lower():
            raise UnreadableDocument(f"Tesseract gave up after {timeout:.0f} s on {pages} page(s)") from None
        raise
    except pytesseract.TesseractError as exc:
        raise OcrUnavailable(f"tesseract failed (status {exc.status})") from None


def _rows_by_page(data: dict) -> dict[int, list[int]]:
    rows: dict[int, list[int]] = {}
    for i, page_num in enumerate(data["page_num"]):
        rows.setdefault(int(page_num), []).append(i)
    return rows


def _read_rows(data: dict, rows: list[int], geometry: _Geometry) -> _Read:
    """Assemble one page's text from its TSV rows, with page-local word offsets, confidences and
    boxes mapped back onto the page as it is in the file."""
    parts: list[str] = []
    tokens: list[tuple[str, float, int, int, int]] = []  # text, confidence, start, line, row in data
    pos = 0
    last_line: tuple[int, int, int] | None = None
    line_index = -1
    weighted = 0.0
    chars = 0
    for i in rows:
        if int(data["level"][i]) != 5:
            continue
        token = str(data["text"][i]).strip()
        if not token:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        if last_line is not None:
            if key[:2] != last_line[:2]:
                sep = "\n\n"  # new paragraph or block
            elif key != last_line:
                sep = "\n"
            else:
                sep = " "
            parts.append(sep)
            pos += len(sep)
        if key != last_line:
            line_index += 1
        last_line = key
        conf = min(1.0, max(0.0, float(data["conf"][i]) / 100.0))
        tokens.append((token, conf, pos, line_index, i))
        parts.append(token)
        pos += len(token)
        weighted += conf * len(token)
        chars += len(token)
    boxes = _source_boxes(data, [t[4] for t in tokens], geometry.to_source, geometry.src_w, geometry.src_h)
    words = [
        OcrWord(text=token, confidence=conf, box=box, start=start, end=start + len(token), line=line)
        for (token, conf, start, line, _), box in zip(tokens, boxes)
    ]
    return _Read(text="".join(parts), words=words, confidence=(weighted / chars) if chars else None, chars=chars)


def _source_boxes(data: dict, rows: list[int], to_source: np.ndarray, src_w: int, src_h: int) -> list[OcrBox]:
    """Map Tesseract's pixel boxes back through the normalization onto the page as it is in the file,
    as fractions of its size (all words at once)."""
    if not rows:
        return []
    left = np.array([data["left"][i] for i in rows], dtype=np.float64)
    top = np.array([data["top"][i] for i in rows], dtype=np.float64)
    right = left + np.array([data["width"][i] for i in rows], dtype=np.float64)
    bottom = top + np.array([data["height"][i] for i in rows], dtype=np.float64)
    xs, ys = [], []
    for cx, cy in ((left, top), (right, top), (right, bottom), (left, bottom)):
        xs.append(to_source[0, 0] * cx + to_source[0, 1] * cy + to_source[0, 2])
        ys.append(to_source[1, 0] * cx + to_source[1, 1] * cy + to_source[1, 2])
    x0 = np.clip(np.min(xs, axis=0) / src_w, 0.0, 1.0)
    x1 = np.clip(np.max(xs, axis=0) / src_w, 0.0, 1.0)
    y0 = np.clip(np.min(ys, axis=0) / src_h, 0.0, 1.0)
    y1 = np.clip(np.max(ys, axis=0) / src_h, 0.0, 1.0)
    return [
        OcrBox(left=float(a), top=float(b), width=float(c - a), height=float(d - b))
        for a, b, c, d in zip(x0.tolist(), y0.tolist(), x1.tolist(), y1.tolist())
    ]


@dataclass
class _Geometry:
    """How the image Tesseract reads relates to the page in the file."""

    to_source: np.ndarray  # 3x3: Tesseract pixel -> source pixel
    src_w: int
    src_h: int
    width: int  # of the image Tesseract reads
    height: int
    dpi: float
    clockwise: int
    skew: float


def _prepare(
    gray: Image.Image, dpi: float, opts: _PageOptions, clockwise: int, to_source: np.ndarray, tilt: float | None = None
):
    """Rotate by `clockwise`, correct small skew (`tilt` when already measured on the rotated page),
    binarize. Returns (binary, to_source, skew correction applied)."""
    rotated, m_rot = ocr_image.rotate_right_angle(gray, clockwise)
    to_source = to_source @ m_rot
    skew = 0.0
    if opts.deskew:
        if tilt is None:
            xs, ys = ocr_image.ink_points(rotated)
            tilt = ocr_image.estimate_tilt(xs, ys, max_degrees=opts.max_skew_degrees)[0] if xs.size >= 200 else 0.0
        if abs(tilt) >= _MIN_DESKEW_DEGREES:
            skew = -tilt
            rotated, m_skew = ocr_image.rotate_by(rotated, skew)
            to_source = to_source @ m_skew
    binary = ocr_image.binarize(rotated, opts.binarization, dpi)
    return binary, to_source, skew


def _square_page(job: _PageJob) -> tuple[Image.Image, float, np.ndarray, int, int]:
    """The page in grayscale with square pixels at its higher resolution (a "standard" fax is
    204x98 dpi), at least min_dpi: (image, dpi, matrix to source pixels, source width, height)."""
    opts = job.options
    gray, xdpi, ydpi = _load_page(job)
    src_w, src_h = gray.size
    target = max(xdpi, ydpi, float(opts.min_dpi))
    sx, sy = target / xdpi, target / ydpi
    if abs(sx - 1) > 0.05 or abs(sy - 1) > 0.05:  # a fine fax (204x196) is square enough as it is
        new_size = (max(1, round(src_w * sx)), max(1, round(src_h * sy)))
        if new_size[0] * new_size[1] > opts.max_page_pixels:
            scale = math.sqrt(opts.max_page_pixels / (new_size[0] * new_size[1]))
            new_size = (max(1, int(new_size[0] * scale)), max(1, int(new_size[1] * scale)))
            target *= scale
        gray = gray.resize(new_size, Image.Resampling.BILINEAR)
    return gray, target, np.diag([src_w / gray.width, src_h / gray.height, 1.0]), src_w, src_h


def _normalize_page(job: _PageJob) -> tuple[Image.Image, _Geometry]:
    """Load a page and make it ready for Tesseract: square pixels, upright, deskewed, binarized."""
    opts = job.options
    gray, dpi, to_source, src_w, src_h = _square_page(job)
    clockwise = 0
    tilt: float | None = None
    if opts.detect_orientation or opts.deskew:
        xs, ys = ocr_image.ink_points(gray)
        tilt, upright = (
            ocr_image.estimate_tilt(xs, ys, max_degrees=opts.max_skew_degrees) if xs.size >= 200 else (0.0, 0.0)
        )
        if opts.detect_orientation and xs.size >= 200:
            # Text lines run vertically on a sideways page: ask OSD which way round before reading.
            _, sideways = ocr_image.estimate_tilt(
                xs, ys, max_degrees=opts.max_skew_degrees, around=90.0, step=1.0, refine=False
            )
            if sideways > upright * 1.15:
                clockwise = _osd_rotation(gray, opts) or 0
                if clockwise:
                    tilt = None  # measure again on the turned page
    binary, page_to_source, skew = _prepare(gray, dpi, opts, clockwise, to_source, tilt)
    return binary, _Geometry(page_to_source, src_w, src_h, binary.width, binary.height, dpi, clockwise, skew)


def _retry_orientation(job: _PageJob, first: _Read, geometry: _Geometry) -> tuple[_Read, _Geometry]:
    """A poor reading may be an upside-down (or undetected sideways) page: ask OSD on the prepared
    page and, if it says turn, read the turned page once more and keep the better reading."""
    opts = job.options
    gray, dpi, to_source, _, _ = _square_page(job)
    turned, _ = ocr_image.rotate_right_angle(gray, geometry.clockwise)
    rotate = _osd_rotation(turned, opts)
    if not rotate:
        return first, geometry
    clockwise = (geometry.clockwise + rotate) % 360
    binary, to_source2, skew = _prepare(gray, dpi, opts, clockwise, to_source)
    second_geometry = _Geometry(
        to_source2, geometry.src_w, geometry.src_h, binary.width, binary.height, dpi, clockwise, skew
    )
    data = _run_tesseract(binary, dpi, opts)
    second = _read_rows(data, list(range(len(data["text"]))), second_geometry)
    if (second.confidence or 0.0) > (first.confidence or 0.0):
        return second, second_geometry
    return first, geometry


def _ocr_run(job: _RunJob) -> list[OcrPage]:
    """Prepare a run of pages, read them with one Tesseract process (one per resolution within the
    run), retry orientation on poor pages. Runs inside a pool worker; offsets are page-local."""
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    opts = job.options
    jobs = [_PageJob(job.kind, job.source, i, opts) for i in job.indices]
    geometries: list[_Geometry] = []
    reads: list[_Read] = []
    with tempfile.TemporaryDirectory(prefix=_tmp_prefix("run"), dir=job.tmp_dir) as tmp:
        paths: list[str] = []
        for page_job in jobs:
            binary, geometry = _normalize_page(page_job)
            path = os.path.join(tmp, f"page-{page_job.index:05d}.pnm")
            binary.save(path, format="PPM")  # raw PBM/PGM: the cheapest format Tesseract reads
            paths.append(path)
            geometries.append(geometry)
            del binary
        # One Tesseract per group of consecutive pages at the same resolution (--dpi is per run).
        start = 0
        while start < len(jobs):
            end = start
            while end < len(jobs) and abs(geometries[end].dpi - geometries[start].dpi) < 0.5:
                end += 1
            if end - start == 1:
                source: str = paths[start]
            else:
                source = os.path.join(tmp, f"run-{start:05d}.txt")
                Path(source).write_text("\n".join(paths[start:end]) + "\n", encoding="utf-8")
            data = _run_tesseract(source, geometries[start].dpi, opts, pages=end - start)
            by_page = _rows_by_page(data)
            for offset in range(end - start):
                reads.append(_read_rows(data, by_page.get(offset + 1, []), geometries[start + offset]))
            start = end
    for k, page_job in enumerate(jobs):
        read = reads[k]
        if opts.detect_orientation and read.chars >= 20 and (read.confidence or 0.0) < opts.orientation_retry_below:
            reads[k], geometries[k] = _retry_orientation(page_job, read, geometries[k])
    # A run's time is shared evenly by its pages (one Tesseract process read them together).
    seconds = (time.perf_counter() - started) / len(jobs)
    cpu = max(0.0, _cpu_seconds() - cpu_started) / len(jobs)
    return [
        OcrPage(
            number=page_job.index + 1,
            text=read.text,
            start=0,
            end=len(read.text),
            words=read.words,
            confidence=read.confidence,
            width_px=geometry.width,
            height_px=geometry.height,
            dpi=round(geometry.dpi, 2),
            rotation=geometry.clockwise,  # type: ignore[arg-type]
            skew_degrees=round(geometry.skew, 2),
            seconds=round(seconds, 4),
            cpu_seconds=round(cpu, 4),
        )
        for page_job, read, geometry in zip(jobs, reads, geometries)
    ]


def _cpu_seconds() -> float:
    """User + system CPU of this process and of its finished children (the Tesseract runs)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# --- the process pool ---------------------------------------------------------------------------


def _init_worker() -> None:
    # One Tesseract thread per worker: parallelism comes from the pool, and OpenMP threads inside
    # each Tesseract only fight over the same cores.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    # A pool worker ends with the process that started it, even when that one was killed (SIGKILL
    # runs no clean-up): on Linux the kernel sends it SIGKILL when its parent dies (the pool's
    # processes are all started by one long-lived thread, see _start_pool, so a thread ending cannot
    # trigger it); elsewhere, and as a second line, a thread watches for the parent to change.
    started_by = multiprocessing.parent_process()
    parent = started_by.pid if started_by is not None else os.getppid()
    _die_with_parent()
    if os.getppid() != parent:  # it died before the line above took effect (even during start-up)
        os._exit(1)

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch_parent, name="ocr-parent-watch", daemon=True).start()


def _tmp_prefix(what: str) -> str:
    """Temporary folders are named by the process that owns them, so a sweep can tell the ones a
    dead process left behind (sweep_stale_tmp) from the ones in use."""
    return f"handoff-ocr-{what}-{os.getpid()}-"


_TMP_OWNER = re.compile(r"^handoff-ocr-(?:doc|run)-(\d+)-")


def sweep_stale_tmp(root: str | Path) -> int:
    """Remove temporary OCR folders under `root` whose owning process is gone (killed mid-OCR);
    returns how many. Workers call this when they start."""
    import shutil

    removed = 0
    root = Path(root)
    if not root.is_dir():
        return 0
    for entry in root.iterdir():
        m = _TMP_OWNER.match(entry.name)
        if not m:
            continue
        try:
            os.kill(int(m.group(1)), 0)
            continue  # its process is alive
        except ProcessLookupError:
            pass
        except PermissionError:
            continue  # alive, someone else's
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watching thread still ends it


_POOLS: dict[int, ProcessPoolExecutor] = {}
_OWNERS: dict[int, threading.Event] = {}
_POOLS_LOCK = threading.Lock()


def _pool(workers: int) -> ProcessPoolExecutor:
    with _POOLS_LOCK:
        pool = _POOLS.get(workers)
        if pool is None:
            pool, _OWNERS[workers] = _start_pool(workers)
            _POOLS[workers] = pool
        return pool


def _start_pool(workers: int) -> tuple[ProcessPoolExecutor, threading.Event]:
    """A pool whose processes are all started at once by one thread that lives as long as the pool
    (a parent-death signal follows the thread that started a process, not the process)."""
    # spawn: safe in a multi-threaded server process (fork is not).
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker)
    started, stop = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def own() -> None:
        try:
            list(pool.map(_started, range(workers)))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            failure.append(exc)
        finally:
            started.set()
        stop.wait()

    threading.Thread(target=own, name=f"ocr-pool-owner-{workers}", daemon=True).start()
    started.wait()
    if failure:
        pool.shutdown(wait=False, cancel_futures=True)
        stop.set()
        raise failure[0]
    return pool, stop


def _started(_: int) -> int:
    time.sleep(0.05)  # long enough that each task lands on a new process, so all of them start now
    return os.getpid()


def _discard_pool(workers: int) -> None:
    with _POOLS_LOCK:
        pool = _POOLS.pop(workers, None)
        owner = _OWNERS.pop(workers, None)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
    if owner is not None:
        owner.set()


def shutdown_ocr_pools() -> None:
    """Stop the worker processes (they are kept between calls so each document does not pay the
    start-up of a pool)."""
    for workers in list(_POOLS):
        _discard_pool(workers)


def default_workers() -> int:
    """How many OCR worker processes to use by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def warm_up(workers: int | None = None) -> None:
    """Start the pool's processes now (a service calls this at start-up; benchmarks before timing)."""
    n = workers or default_workers()
    pool = _pool(n)
    list(pool.map(_noop, range(n)))


def _noop(_: int) -> None:
    import pytesseract  # noqa: F401  (import in the worker so the first page does not pay for it)
    import pypdfium2  # noqa: F401


# --- document level -----------------------------------------------------------------------------


def count_pages(data: bytes, kind: DocumentKind, *, max_page_pixels: int = _DEFAULT_LIMITS.max_page_pixels) -> int:
    """Pages in the document, read from its structure without decoding any pixels. For raster
    files each page's size is checked against `max_page_pixels` here too (a decompression bomb is
    refused before anything is decoded); PDF pages are instead rendered at a bounded resolution."""
    try:
        if kind == "pdf":
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(bytes(data))
            try:
                return len(pdf)
            finally:
                pdf.close()
        with Image.open(io.BytesIO(data)) as image:
            n = int(getattr(image, "n_frames", 1))
            for index in range(n):
                if index:
                    image.seek(index)
                _check_page_pixels(image.width, image.height, index, max_page_pixels)
            return n
    except OcrError:
        raise
    except Image.DecompressionBombError:
        raise DocumentTooLarge(
            f"a page has more pixels than Pillow will decode; the limit is {max_page_pixels:,} pixels a page",
            limit=max_page_pixels,
        ) from None
    except Exception as exc:
        message = str(exc).lower()
        if "password" in message:
            raise UnreadableDocument("the PDF is password-protected") from None
        raise UnreadableDocument(f"the {kind.upper()} is corrupt or truncated ({type(exc).__name__})") from None


def _check_page_pixels(width: int, height: int, index: int, max_page_pixels: int) -> None:
    if width * height > max_page_pixels:
        raise DocumentTooLarge(
            f"page {index + 1} is {width}x{height} pixels; the limit is {max_page_pixels:,} pixels a page",
            limit=max_page_pixels,
            actual=width * height,
        )


def _ocr_document(
    data: bytes,
    *,
    languages: str = "eng+spa",
    workers: int | None = None,
    max_bytes: int = _DEFAULT_LIMITS.max_bytes,
    max_pages: int = _DEFAULT_LIMITS.max_pages,
    max_page_pixels: int = _DEFAULT_LIMITS.max_page_pixels,
    min_confidence: float = 0.60,
    dpi: int = 300,
    min_dpi: int = 0,
    deskew: bool = True,
    max_skew_degrees: float = 10.0,
    binarization: Binarization = "otsu",
    detect_orientation: bool = True,
    orientation_retry_below: float = 0.75,
    page_timeout_seconds: float = 120.0,
    psm: int = 3,
    tmp_dir: str | Path | None = None,
) -> OcrResult:
    """Read a PDF, TIFF, PNG or JPEG (detected from its bytes) into an `OcrResult`.

    Confidence: a word's is Tesseract's (0..1); a page's and the document's are the mean word
    confidence weighted by characters. The result is `degraded` when the document confidence or any
    page with text is below `min_confidence`, or no text was found at all.
    `workers` is the number of pages read at once (default: the cores this process may use).
    Raises DocumentTooLarge / TooManyPages (a limit was broken; nothing processed),
    UnreadableDocument (empty, corrupt, encrypted, unknown type) and OcrUnavailable (no Tesseract).
    """
    started = time.perf_counter()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("ocr_document takes the document's bytes")
    data = bytes(data)
    if not data:
        raise UnreadableDocument("the file is empty (0 bytes)")
    if len(data) > max_bytes:
        raise DocumentTooLarge(
            f"the file is {len(data):,} bytes; the limit is {max_bytes:,} bytes", limit=max_bytes, actual=len(data)
        )
    kind = detect_kind(data)
    n_pages = count_pages(data, kind, max_page_pixels=max_page_pixels)
    if n_pages == 0:
        raise UnreadableDocument(f"the {kind.upper()} has no pages")
    if n_pages > max_pages:
        raise TooManyPages(
            f"the document has {n_pages} pages; the limit is {max_pages} pages", limit=max_pages, actual=n_pages
        )
    options = _PageOptions(
        languages=languages,
        dpi=dpi,
        min_dpi=min_dpi,
        max_page_pixels=max_page_pixels,
        deskew=deskew,
        max_skew_degrees=max_skew_degrees,
        binarization=binarization,
        detect_orientation=detect_orientation,
        orientation_retry_below=orientation_retry_below,
        timeout_seconds=page_timeout_seconds,
        psm=psm,
    )
    n_workers = max(1, workers if workers is not None else default_workers())
    pages = _read_pages(data, kind, n_pages, options, n_workers, tmp_dir)
    result = _assemble(kind, pages, languages=languages, min_confidence=min_confidence)
    result.seconds = round(time.perf_counter() - started, 4)
    # Figures only: the text is PHI and never goes to a log.
    log.info(
        "ocr kind=%s pages=%d confidence=%.3f degraded=%s seconds=%.2f",
        kind, n_pages, result.confidence, result.degraded, result.seconds,
    )
    return result


def ocr_document(data: bytes, **options) -> OcrResult:
    """Read a PDF, TIFF, PNG or JPEG into an `OcrResult` (options and errors: `_ocr_document`),
    inside an `ocr.document` span and timed into the OCR metrics (figures only, never text)."""
    started = time.perf_counter()
    with telemetry.span("ocr.document", **{"ocr.bytes": len(data) if isinstance(data, (bytes, bytearray)) else 0}) as s:
        try:
            result = _ocr_document(data, **options)
        except Exception as exc:
            s.set_attribute("ocr.error", exc.__class__.__name__)
            telemetry.OCR_SECONDS.labels(outcome="error").observe(time.perf_counter() - started)
            raise
        s.set_attribute("ocr.pages", len(result.pages))
        s.set_attribute("ocr.degraded", bool(result.degraded))
        telemetry.OCR_PAGES.inc(len(result.pages))
        telemetry.OCR_SECONDS.labels(outcome="degraded" if result.degraded else "ok").observe(time.perf_counter() - started)
        return result


def _read_pages(
    data: bytes, kind: DocumentKind, n_pages: int, options: _PageOptions, workers: int, tmp_dir: str | Path | None
) -> list[OcrPage]:
    if tmp_dir is not None:
        Path(tmp_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix=_tmp_prefix("doc"), dir=tmp_dir) as tmp:
        if n_pages > 1:
            # Workers open one private copy by path instead of receiving the bytes once per page.
            path = Path(tmp) / f"document.{kind}"
            path.write_bytes(data)
            os.chmod(path, 0o600)
            source: bytes | str = str(path)
        else:
            source = data
        pool = _pool(workers)
        futures: list[Future] = []
        try:
            futures = [pool.submit(_ocr_run, _RunJob(kind, source, run, options, str(tmp_dir) if tmp_dir else None))
                       for run in _runs(n_pages, workers)]
            return [page for f in futures for page in f.result()]
        except BrokenProcessPool:
            _discard_pool(workers)
            raise UnreadableDocument("the document crashed the OCR worker (a malformed page?)") from None
        finally:
            for f in futures:
                f.cancel()


MAX_PAGES_PER_RUN = 8  # long documents still spread over the workers as runs finish


def _runs(n_pages: int, workers: int) -> list[tuple[int, ...]]:
    """Consecutive page runs, about one per worker (so each Tesseract loads its models once), none
    longer than MAX_PAGES_PER_RUN.

    >>> _runs(5, 2)
    [(0, 1, 2), (3, 4)]
    """
    size = max(1, min(MAX_PAGES_PER_RUN, math.ceil(n_pages / workers)))
    return [tuple(range(i, min(i + size, n_pages))) for i in range(0, n_pages, size)]


def _assemble(kind: DocumentKind, pages: list[OcrPage], *, languages: str, min_confidence: float) -> OcrResult:
    """Join page texts with form feeds and rebase every offset onto the document text."""
    texts: list[str] = []
    pos = 0
    weighted = 0.0
    chars = 0
    reasons: list[str] = []
    for i, page in enumerate(pages):
        if i:
            texts.append("\f")
            pos += 1
        page.start, page.end = pos, pos + len(page.text)
        for word in page.words:
            word.start += pos
            word.end += pos
        texts.append(page.text)
        pos += len(page.text)
        n = page.char_count
        if n and page.confidence is not None:
            weighted += page.confidence * n
            chars += n
            if page.confidence < min_confidence:
                reasons.append(f"page {page.number} OCR confidence {page.confidence:.2f} is below {min_confidence:.2f}")
    confidence = weighted / chars if chars else 0.0
    if not chars:
        reasons.insert(0, "no text was found on any page")
    elif confidence < min_confidence:
        reasons.insert(0, f"document OCR confidence {confidence:.2f} is below {min_confidence:.2f}")
    return OcrResult(
        kind=kind,
        text="".join(texts),
        pages=pages,
        confidence=round(min(1.0, max(0.0, confidence)), 4),
        degraded=bool(reasons),
        degraded_reasons=reasons,
        languages=languages,
        engine=_engine_name(),
    )


_ENGINE: str | None = None


def _engine_name() -> str:
    global _ENGINE
    if _ENGINE is None:
        try:
            _ENGINE = f"tesseract {pytesseract.get_tesseract_version()}"
        except Exception:
            _ENGINE = "tesseract"
    return _ENGINE
