"""Writing charts to disk: the only module of ``charts`` that touches the file system."""

from __future__ import annotations

import os
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from charts.agg import Canvas
from charts.style import DPI, style
from models import ChartRef

SUBDIR = "charts"
COMPRESS_LEVEL = 1
"""zlib level of the PNGs: level 6 (the default) makes files 10 % smaller for 2.5× the time."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def save(fig: Figure, out_dir: Path, name: str, alt: str, *, section: str = "price") -> ChartRef:
    """Write ``fig`` as ``out_dir/charts/<name>.png`` at the house DPI, discard it, describe it.

    The figure is drawn once with Agg and written as opaque RGB (charts have a white
    background, so the alpha channel would only cost time and bytes), unfiltered: on these
    flat-coloured images zlib alone compresses better than PNG's per-row filters, in less than
    half Pillow's time. The PNG is written aside and renamed into place, so it appears whole
    or not at all. The returned path is relative to ``out_dir``; ``section`` is the note
    section the chart belongs to.
    """
    folder = out_dir / SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.png"
    partial = folder / f".{name}.png.partial"
    try:
        image = _rasterize(fig)
        partial.write_bytes(_png(image))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
        _discard(fig)
    height, width = image.shape[:2]
    return ChartRef(name, f"{SUBDIR}/{name}.png", alt, width, height, section)


def _rasterize(fig: Figure) -> np.ndarray:
    """The figure drawn by Agg at ``DPI``, as RGB pixels (rows top to bottom, uint8)."""
    fig.set_dpi(DPI)
    canvas = Canvas(fig)
    with style():
        canvas.draw()  # type: ignore[no-untyped-call]
    rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[no-untyped-call]
    return rgba[:, :, :3]


def _png(rgb: np.ndarray) -> bytes:
    """``rgb`` (height × width × 3, uint8) as an 8-bit RGB PNG, rows unfiltered."""
    height, width = rgb.shape[:2]
    rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # column 0: filter type 0
    rows[:, 1:] = rgb.reshape(height, 3 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(rows.tobytes(), COMPRESS_LEVEL)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _discard(fig: Figure) -> None:
    """Let the figure go: close it in pyplot if a caller made it there (charts never do).

    A bare ``Figure`` is freed with its last reference; ``fig.clear()`` would cost a re-init of
    every axes (about 10 ms each) for nothing.
    """
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)  # a no-op for figures pyplot does not manage
