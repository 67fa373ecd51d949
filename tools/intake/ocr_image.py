"""Image operations behind tools/intake/ocr.py: grayscale conversion, Otsu and Sauvola binarization, skew
estimation by projection profiles, and rotations that also return the matrix mapping the result's
pixels back to the input's (so word boxes can be drawn on the page as it is in the file). No I/O."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from PIL import Image

Binarization = Literal["otsu", "sauvola", "none"]


def to_gray(image: Image.Image) -> Image.Image:
    """8-bit grayscale; transparency over white, 16-bit and float images stretched to 0..255."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(image, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        scaled = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.full_like(arr, 255.0)
        return Image.fromarray(scaled.astype(np.uint8), "L")
    return image.convert("L")


def otsu_threshold(histogram: list[int] | np.ndarray) -> int:
    """Otsu's threshold from a 256-bin grey-level histogram: ink is <= the returned level."""
    hist = np.asarray(histogram[:256], dtype=np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256, dtype=np.float64)
    weight_bg = np.cumsum(hist)
    weight_fg = total - weight_bg
    mean_bg = np.cumsum(hist * levels)
    mean_all = mean_bg[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_all * weight_bg / total - mean_bg) ** 2 / (weight_bg * weight_fg)
    between = np.nan_to_num(between, nan=0.0, posinf=0.0)
    return int(np.argmax(between))


def sauvola_ink(gray: np.ndarray, *, window: int, k: float = 0.2) -> np.ndarray:
    """Sauvola's adaptive threshold with integral images (for uneven backgrounds); True = ink."""
    g = gray.astype(np.float64)
    pad = window // 2
    padded = np.pad(g, pad, mode="edge")
    s1 = np.pad(padded.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    s2 = np.pad((padded**2).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    h, w = g.shape

    def box(s: np.ndarray) -> np.ndarray:
        lo_y, hi_y, lo_x, hi_x = slice(0, h), slice(window, window + h), slice(0, w), slice(window, window + w)
        return s[hi_y, hi_x] - s[lo_y, hi_x] - s[hi_y, lo_x] + s[lo_y, lo_x]

    n = float(window * window)
    mean = box(s1) / n
    std = np.sqrt(np.maximum(box(s2) / n - mean**2, 0.0))
    return g < mean * (1 + k * (std / 128.0 - 1))


def binarize(gray: Image.Image, method: Binarization, dpi: float) -> Image.Image:
    """A 1-bit page (ink black) for Tesseract."""
    if method == "none":
        return gray
    if method == "sauvola":
        ink = sauvola_ink(np.asarray(gray), window=max(15, int(dpi / 10) | 1))
        return Image.fromarray(np.where(ink, 0, 255).astype(np.uint8), "L").convert("1", dither=Image.Dither.NONE)
    histogram = gray.histogram()
    if sum(1 for v in histogram if v) <= 2:
        threshold = 127  # already bilevel (fax, group-4 TIFF)
    else:
        threshold = otsu_threshold(histogram)
    return gray.point([0 if v <= threshold else 255 for v in range(256)], "1")


def ink_points(gray: Image.Image, *, max_side: int = 1000, max_points: int = 30_000) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (x, y) of dark pixels on a reduced copy of the page, for skew estimation."""
    factor = max(1, math.ceil(max(gray.size) / max_side))
    small_image = gray.reduce(factor) if factor > 1 else gray
    small = np.asarray(small_image)
    ink = small <= min(otsu_threshold(small_image.histogram()), 200)
    ys, xs = np.nonzero(ink)
    if xs.size > max_points:
        pick = np.random.default_rng(0).choice(xs.size, max_points, replace=False)
        xs, ys = xs[pick], ys[pick]
    return xs.astype(np.float64), ys.astype(np.float64)


def line_score(xs: np.ndarray, ys: np.ndarray, degrees: float) -> float:
    """How sharply ink falls into horizontal lines when the page is rotated by `degrees` (counter-
    clockwise): the sum of squares of the row profile, relative to a flat profile over its span."""
    a = math.radians(degrees)
    rows = ys * math.cos(a) + xs * math.sin(a)
    rows = (rows - rows.min()).astype(np.int64)
    hist = np.bincount(rows).astype(np.float64)
    return float((hist @ hist) * hist.size / hist.sum() ** 2)


def estimate_tilt(
    xs: np.ndarray, ys: np.ndarray, *, max_degrees: float, around: float = 0.0, step: float = 0.5, refine: bool = True
) -> tuple[float, float]:
    """How far (degrees, counter-clockwise) the text lines are tilted, and the alignment score there."""
    coarse = np.arange(-max_degrees, max_degrees + 1e-9, step) + around
    scores = [line_score(xs, ys, d) for d in coarse]
    best = float(coarse[int(np.argmax(scores))])
    if not refine:
        return best, float(max(scores))
    fine = np.arange(best - step, best + step + 1e-9, 0.05)
    fine_scores = [line_score(xs, ys, d) for d in fine]
    i = int(np.argmax(fine_scores))
    return float(fine[i]), float(fine_scores[i])


def rotate_by(image: Image.Image, degrees: float) -> tuple[Image.Image, np.ndarray]:
    """Rotate counter-clockwise by `degrees` with expansion; also return the 3x3 matrix mapping
    output pixel coordinates back to input pixel coordinates (as PIL's own rotate computes it)."""
    w, h = image.size
    a = -math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    # Forward map of input corners to the rotated frame (inverse of the output->input matrix).
    xx = [c * x - s * y for x, y in corners]
    yy = [s * x + c * y for x, y in corners]
    nw, nh = math.ceil(max(xx) - min(xx)), math.ceil(max(yy) - min(yy))
    # out (u, v) -> in: [c s; -s c] @ (u - nw/2, v - nh/2) + (w/2, h/2)
    m = np.array(
        [
            [c, s, -c * nw / 2 - s * nh / 2 + w / 2],
            [-s, c, s * nw / 2 - c * nh / 2 + h / 2],
            [0.0, 0.0, 1.0],
        ]
    )
    # Bilinear on grey, then threshold: nearest or bicubic read worse on our faxes (measured).
    out = image.transform(
        (nw, nh), Image.Transform.AFFINE, tuple(m[:2].ravel()), resample=Image.Resampling.BILINEAR, fillcolor=255
    )
    return out, m


_TRANSPOSE = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


def rotate_right_angle(image: Image.Image, clockwise: int) -> tuple[Image.Image, np.ndarray]:
    """Rotate clockwise by 0/90/180/270 (lossless); return the output->input matrix."""
    w, h = image.size
    if clockwise == 0:
        return image, np.eye(3)
    out = image.transpose(_TRANSPOSE[clockwise])
    if clockwise == 90:  # out (u, v) came from in (v, h - u)
        m = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, h], [0, 0, 1]])
    elif clockwise == 180:
        m = np.array([[-1.0, 0.0, w], [0.0, -1.0, h], [0, 0, 1]])
    else:  # 270 clockwise: out (u, v) came from in (w - v, u)
        m = np.array([[0.0, -1.0, w], [1.0, 0.0, 0.0], [0, 0, 1]])
    return out, m
