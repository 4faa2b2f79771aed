"""Finding and reading a figure's artists by gid, for the chart tests."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text


def by_gid(fig: Figure, gid: str) -> list[object]:
    """Every artist of the figure with this gid."""
    return list(fig.findobj(lambda a: a.get_gid() == gid))


def line(fig: Figure, gid: str) -> Line2D:
    (found,) = by_gid(fig, gid)
    assert isinstance(found, Line2D)
    return found


def text(fig: Figure, gid: str) -> Text:
    (found,) = by_gid(fig, gid)
    assert isinstance(found, Text)
    return found


def polys(fig: Figure, gid: str) -> list[np.ndarray]:
    """The vertices of each polygon of the one collection with this gid."""
    (found,) = by_gid(fig, gid)
    assert isinstance(found, PolyCollection)
    return [np.asarray(p.vertices) for p in found.get_paths()]


def ys(artist: Line2D) -> list[float]:
    return [float(v) for v in np.asarray(artist.get_ydata(), dtype=float)]


def xs(artist: Line2D) -> list[float]:
    return [float(v) for v in np.asarray(artist.get_xdata(), dtype=float)]


def draw(fig: Figure) -> None:
    """Render to memory, as export does: any drawing error shows up here."""
    FigureCanvasAgg(fig).draw()  # type: ignore[no-untyped-call]
