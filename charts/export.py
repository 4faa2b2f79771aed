"""Writing charts to disk: the only module of ``charts`` that touches the file system."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from charts.style import DPI, style
from models import ChartRef

SUBDIR = "charts"
COMPRESS_LEVEL = 1
"""zlib level of the PNGs: level 6 (the default) makes files 10 % smaller for 2.5× the time."""


def save(fig: Figure, out_dir: Path, name: str, alt: str, *, section: str = "price") -> ChartRef:
    """Write ``fig`` as ``out_dir/charts/<name>.png`` at the house DPI, discard it, describe it.

    The figure is drawn once with Agg and written as opaque RGB (charts have a white
    background, so the alpha channel would only cost time and bytes). The PNG is written aside
    and renamed into place, so it appears whole or not at all. The returned path is relative
    to ``out_dir``; ``section`` is the note section the chart belongs to.
    """
    folder = out_dir / SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.png"
    partial = folder / f".{name}.png.partial"
    try:
        image = _rasterize(fig)
        image.save(partial, format="PNG", compress_level=COMPRESS_LEVEL)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
        _discard(fig)
    width, height = image.size
    return ChartRef(name, f"{SUBDIR}/{name}.png", alt, width, height, section)


def _rasterize(fig: Figure) -> Image.Image:
    """The figure drawn by Agg at ``DPI``, as an RGB image."""
    fig.set_dpi(DPI)
    canvas = FigureCanvasAgg(fig)
    with style():
        canvas.draw()  # type: ignore[no-untyped-call]
    width, height = canvas.get_width_height()
    buffer = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    rgba = Image.frombuffer("RGBA", (width, height), buffer, "raw", "RGBA", 0, 1)
    return rgba.convert("RGB")


def _discard(fig: Figure) -> None:
    """Let the figure go: close it in pyplot if a caller made it there (charts never do).

    A bare ``Figure`` is freed with its last reference; ``fig.clear()`` would cost a re-init of
    every axes (about 10 ms each) for nothing.
    """
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)  # a no-op for figures pyplot does not manage
