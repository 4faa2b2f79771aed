"""Reusable chart marks: time coordinates, candles, boxes, level lines, bands, value tags.

Everything is vectorised (one collection per mark kind, never one patch per candle) and
positioned with the fixed layout of :mod:`charts.style`, so no mark needs a draw to be placed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from charts.style import PALETTE, SMALL

DAY = pd.Timedelta(days=1)
EPOCH = pd.Timestamp("1970-01-01", tz="UTC")
"""Origin of x coordinates; matplotlib's default date epoch, so ``matplotlib.dates`` agrees."""


def to_x(times: pd.DatetimeIndex) -> np.ndarray:
    """X coordinates of tz-aware UTC times: days since 1970-01-01 (matplotlib's date numbers)."""
    return np.asarray((times - EPOCH) / DAY, dtype="float64")


def from_x(x: float) -> pd.Timestamp:
    """The UTC time of an x coordinate, to the second."""
    return (EPOCH + pd.Timedelta(days=float(x))).round("s")


def x_of(time: pd.Timestamp) -> float:
    """Matplotlib date number of one tz-aware UTC time."""
    return float(to_x(pd.DatetimeIndex([time]))[0])


def boxes(
    ax: Axes,
    x: np.ndarray,
    y0: np.ndarray,
    y1: np.ndarray,
    width: float,
    colors: Sequence[str],
    *,
    alpha: float = 1.0,
    gid: str | None = None,
) -> PolyCollection:
    """Rectangles centred on ``x`` from ``y0`` to ``y1``, ``width`` wide, as one collection."""
    left, right = x - width / 2, x + width / 2
    corners = ((left, y0), (left, y1), (right, y1), (right, y0))
    return _rectangles(ax, corners, colors, alpha, gid)


def hboxes(
    ax: Axes,
    y: np.ndarray,
    x0: np.ndarray,
    x1: np.ndarray,
    height: float,
    colors: Sequence[str] | str,
    *,
    alpha: float = 1.0,
    gid: str | None = None,
) -> PolyCollection:
    """Horizontal bars centred on ``y`` from ``x0`` to ``x1``, ``height`` tall: one collection."""
    low, high = y - height / 2, y + height / 2
    corners = ((x0, low), (x0, high), (x1, high), (x1, low))
    return _rectangles(ax, corners, colors, alpha, gid)


def _rectangles(
    ax: Axes,
    corners: tuple[tuple[np.ndarray, np.ndarray], ...],
    colors: Sequence[str] | str,
    alpha: float,
    gid: str | None,
) -> PolyCollection:
    """One PolyCollection of rectangles, given their four corners as (x, y) array pairs."""
    verts = np.stack([np.column_stack(c) for c in corners], axis=1)
    coll = PolyCollection(
        list(verts), facecolors=colors, edgecolors=colors, linewidths=0.4, alpha=alpha, zorder=2
    )
    coll.set_gid(gid)
    ax.add_collection(coll, autolim=False)
    return coll


def candles(
    ax: Axes, frame: pd.DataFrame, x: np.ndarray, width: float, *, alpha: float = 1.0
) -> tuple[LineCollection, PolyCollection]:
    """OHLC candles at ``x``: wicks as one line collection, bodies as one polygon collection.

    Bodies are filled in ``PALETTE.up`` (close >= open) or ``PALETTE.down``; a flat body gets
    a minimum height so it stays visible.
    """
    o, h, lo, c = (frame[k].to_numpy(dtype="float64") for k in ("open", "high", "low", "close"))
    colors = np.where(c >= o, PALETTE.up, PALETTE.down).tolist()
    span = float(np.nanmax(h) - np.nanmin(lo)) if len(h) else 0.0
    bottom, top = np.minimum(o, c), np.maximum(o, c)
    top = np.maximum(top, bottom + span * 0.003)
    wicks = LineCollection(
        list(np.stack([np.column_stack((x, lo)), np.column_stack((x, h))], axis=1)),
        colors=colors,
        linewidths=0.8,
        alpha=alpha,
        zorder=2,
        gid="wicks",
    )
    ax.add_collection(wicks, autolim=False)
    bodies = boxes(ax, x, bottom, top, width, colors, alpha=alpha, gid="bodies")
    return wicks, bodies


def level_line(ax: Axes, y: float, color: str, *, gid: str, dashed: bool = False) -> Line2D:
    """A horizontal line across the whole axes at ``y``."""
    style = (0, (5, 2.5)) if dashed else "-"
    return ax.axhline(y, color=color, linewidth=1.0, linestyle=style, zorder=3, gid=gid)


def band(
    ax: Axes, x0: float, x1: float, lo: float, hi: float, *, label: str, gid: str
) -> Rectangle:
    """A shaded box from ``x0`` to ``x1`` and ``lo`` to ``hi``, labelled just below its centre.

    Below, because a range box is drawn around candles that stay inside it: under its low
    there is nothing of those days. The label gets a light backing in case neighbours reach.
    """
    rect = Rectangle(
        (x0, lo),
        x1 - x0,
        hi - lo,
        facecolor=PALETTE.band,
        edgecolor=PALETTE.band,
        alpha=0.22,
        linewidth=0.8,
        zorder=1,
        gid=gid,
    )
    ax.add_patch(rect)
    backing = {"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75}
    ax.annotate(
        label,
        ((x0 + x1) / 2, lo),
        xytext=(0, -2.5),
        textcoords="offset points",
        ha="center",
        va="top",
        fontsize=SMALL,
        color=PALETTE.muted,
        zorder=4,
        bbox=backing,
        gid=f"{gid}-label",
    )
    return rect


@dataclass(frozen=True)
class Tag:
    """A value tag in the right gutter, level with ``y`` (pinned to an edge when off scale)."""

    y: float
    text: str
    color: str
    gid: str


def gutter_tags(ax: Axes, tags: Sequence[Tag], *, height_pt: float = 11.5) -> None:
    """Place ``tags`` right of the axes at their values, pushed apart so none overlap.

    A tag whose value lies outside the y limits is pinned to that edge, drawn outlined instead
    of filled, and gets an arrow (``↑``/``↓``): the line itself is not in view.
    """
    lo, hi = ax.get_ylim()
    fig = ax.get_figure(root=True)
    assert fig is not None
    axes_pt = ax.get_position().height * fig.get_size_inches()[1] * 72.0
    gap = height_pt / axes_pt
    placed: list[tuple[float, Tag, bool]] = []
    for tag in tags:
        frac = (tag.y - lo) / (hi - lo)
        off = frac > 1.0 or frac < 0.0
        placed.append((min(max(frac, 0.0), 1.0), tag, off))
    placed.sort(key=lambda p: p[0])
    ys = _spread([p[0] for p in placed], gap)
    for y, (_, tag, off) in zip(ys, placed, strict=True):
        text = f"{tag.text} {'↑' if tag.y > hi else '↓'}" if off else tag.text
        box = {
            "boxstyle": "round,pad=0.25",
            "fc": "white" if off else tag.color,
            "ec": tag.color,
            "lw": 0.7,
        }
        ax.text(
            1.012,
            y,
            text,
            transform=ax.transAxes,
            ha="left",
            va="center",
            fontsize=SMALL,
            color=tag.color if off else "white",
            fontweight="bold",
            bbox=box,
            clip_on=False,
            gid=tag.gid,
        )


def _spread(ys: Sequence[float], gap: float) -> list[float]:
    """Sorted positions in [0, 1] moved apart to at least ``gap``, as little as possible."""
    if not ys:
        return []
    half = min(gap / 2, 0.5)
    out = [min(max(y, half), 1.0 - half) for y in ys]
    for i in range(1, len(out)):
        out[i] = max(out[i], out[i - 1] + gap)
    overflow = out[-1] - (1.0 - half)
    if overflow > 0:
        out[-1] -= overflow
        for i in range(len(out) - 2, -1, -1):
            out[i] = min(out[i], out[i + 1] - gap)
    return out


def panel_label(ax: Axes, text: str, *, color: str | None = None, gid: str | None = None) -> None:
    """A small label in the top left corner of a panel (RSI 14, MACD...)."""
    ax.text(
        0.008,
        0.96,
        text,
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=SMALL,
        color=color or PALETTE.muted,
        gid=gid,
        zorder=5,
        bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
    )


def date_axis(axes: Sequence[Axes], start: float, end: float) -> None:
    """One time axis for panels stacked top to bottom, from ``start`` to ``end`` (x values).

    Ticks fall on days, on the 1st and 15th, or on months, by span; only the bottom panel has
    tick marks and labels, the others get the same vertical grid lines drawn as one collection.
    """
    t0, t1 = from_x(start), from_x(end)
    days = pd.date_range(t0.ceil("D"), t1, freq="D")
    if end - start <= 12:
        major, label = days, _weekday
    elif end - start <= 150:
        major, label = days[days.day.isin([1, 15])], _day_month
    else:
        months = days[days.day == 1]
        step = max(1, -(-len(months) // 7))
        major, label = months[::step], _month
    ticks = to_x(major).tolist()
    *upper, bottom = axes
    bottom.xaxis.set_major_locator(FixedLocator(ticks))
    bottom.xaxis.set_major_formatter(FuncFormatter(label))
    for ax in axes:
        ax.set_xlim(start, end)
    for ax in upper:
        ax.xaxis.set_major_locator(NullLocator())
        ax.tick_params(axis="x", bottom=False, labelbottom=False)
        ax.vlines(
            ticks,
            0.0,
            1.0,
            transform=ax.get_xaxis_transform(),
            colors=PALETTE.grid,
            linewidth=0.6,
            zorder=0,
        )


def _day_month(x: float, _pos: object = None) -> str:
    d = from_x(x)
    return f"{d.day} {d:%b %Y}" if d.month == 1 and d.day == 1 else f"{d.day} {d:%b}"


def _weekday(x: float, _pos: object = None) -> str:
    d = from_x(x)
    return f"{d:%a} {d.day} {d:%b}"


def _month(x: float, _pos: object = None) -> str:
    return f"{from_x(x):%b %Y}"


def fit_levels(
    lo: float, hi: float, levels: Sequence[float], *, grow: float = 0.35
) -> tuple[float, float]:
    """Y limits around the data ``lo``..``hi`` that also show each level that fits.

    A level is brought into view when that widens the data span by at most ``grow`` of it;
    farther levels stay off scale (their gutter tags pin to the edge).
    """
    span = (hi - lo) or abs(hi) * 0.02 or 1.0
    for level in levels:
        if hi < level <= hi + span * grow:
            hi = level
        elif lo - span * grow <= level < lo:
            lo = level
    return lo, hi


def times_of(frame: pd.DataFrame) -> pd.DatetimeIndex:
    """The frame's time index (always a UTC ``DatetimeIndex`` for snapshot datasets)."""
    index = frame.index
    assert isinstance(index, pd.DatetimeIndex)
    return index


def no_data(ax: Axes, text: str) -> None:
    """An empty panel saying why it is empty."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color=PALETTE.muted)
    ax.set_xticks([])
    ax.set_yticks([])
