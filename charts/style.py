"""The one look of every marketnotes chart: palette, fonts, sizes, layout, number formats.

Charts are drawn on ``matplotlib.figure.Figure`` directly (never pyplot: no global figure
registry, no GUI backend); PNG export goes through Agg. Figures are sized for A4 width: 7.2 in
wide, printed at about 170 mm, so 8 pt type stays legible at roughly 7.5 pt on paper.

Layout is fixed, in inches (:func:`stacked_axes`): no ``tight_layout`` and no layout engine,
so a chart costs one draw and every chart of a kind has its plot area in the same place.
Price-like axes keep their tick labels on the left and put value tags (:mod:`charts.marks`)
in a gutter on the right.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.typing import RcKeyType


@dataclass(frozen=True)
class Palette:
    """Named colours; charts use these names, never raw colour strings."""

    up: str = "#1a9a6c"
    """Rising candles, positive bars."""
    down: str = "#d2453d"
    """Falling candles, negative bars."""
    price: str = "#1d3557"
    """Price lines and the last-price tag."""
    level: str = "#1f63c6"
    """Accent for a round level that price broke."""
    ath: str = "#b7770b"
    """Accent for the all-time high."""
    band: str = "#8796ab"
    """Shaded ranges (prior range, indicator bands)."""
    indicator: str = "#6a4c93"
    """Single-line indicators (RSI)."""
    signal: str = "#ef8a17"
    """Second line of an indicator (MACD signal)."""
    text: str = "#1f2328"
    muted: str = "#6b7280"
    """Source lines, guides, secondary labels."""
    grid: str = "#e6e8ec"
    spine: str = "#c4cad3"
    background: str = "#ffffff"
    demo: str = "#c0392b"
    """The DEMO DATA badge and watermark."""
    series: tuple[str, ...] = ("#1f63c6", "#ef8a17", "#1a9a6c", "#6a4c93", "#d2453d", "#8796ab")
    """Colours for several series in one chart (assets, sentiment bands...), in order."""


PALETTE = Palette()

FONT = "DejaVu Sans"
FALLBACK_FONT = "STIXGeneral"
"""Shipped with matplotlib; draws what DejaVu Sans lacks, such as the Ⓢ of "Binance USDⓈ-M".
Used only for a source line (they name datasets) that needs it: see :func:`families`."""
FONT_SIZE = 8.0
"""Body text and tick labels, in points."""
SMALL = 7.5
"""Tags, panel labels, source line."""
TITLE_SIZE = 10.0

WIDTH_IN = 7.2
"""Figure width for A4 (printed at about 170 mm)."""
DPI = 140
DAILY_HEIGHT_IN = 5.6
HOURLY_HEIGHT_IN = 2.8
PANEL_HEIGHT_IN = 2.8
"""One-panel charts of the derivatives and macro sections (funding, DXY, Fear & Greed...)."""
LIQUIDATIONS_HEIGHT_IN = 3.2
PROFILE_HEIGHT_IN = 3.8
"""The liquidation-level profile: price runs vertically, so it needs the height."""

LEFT_IN = 0.58
"""Left margin: room for y tick labels such as ``$118k``."""
RIGHT_IN = 1.04
"""Right gutter: room for value tags such as ``ATH $118,870``."""
TOP_IN = 0.40
"""Title line."""
BOTTOM_IN = 0.50
"""Date tick labels and the source line."""
GAP_IN = 0.10
"""Vertical gap between stacked panels."""

RC: dict[RcKeyType, Any] = {
    "font.family": FONT,
    "font.size": FONT_SIZE,
    "text.color": PALETTE.text,
    "axes.edgecolor": PALETTE.spine,
    "axes.labelcolor": PALETTE.text,
    "axes.linewidth": 0.7,
    "axes.facecolor": PALETTE.background,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": True,
    "axes.xmargin": 0.0,
    "grid.color": PALETTE.grid,
    "grid.linewidth": 0.6,
    "xtick.color": PALETTE.muted,
    "ytick.color": PALETTE.muted,
    "xtick.labelcolor": PALETTE.text,
    "ytick.labelcolor": PALETTE.text,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "xtick.major.size": 3.0,
    "ytick.major.size": 0.0,
    "ytick.major.pad": 3.0,
    "lines.linewidth": 1.2,
    "lines.solid_capstyle": "round",
    "legend.fontsize": SMALL,
    "legend.frameon": False,
    "figure.facecolor": PALETTE.background,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "savefig.facecolor": PALETTE.background,
    "path.simplify": True,
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Apply the marketnotes rc settings for the duration of the block (drawing and saving)."""
    with mpl.rc_context(RC):
        yield


def new_figure(height_in: float, *, width_in: float = WIDTH_IN) -> Figure:
    """A bare figure (no pyplot) of the given size at the house DPI; call inside ``style()``."""
    return Figure(figsize=(width_in, height_in), dpi=DPI, facecolor=PALETTE.background)


def stacked_axes(
    fig: Figure, weights: Sequence[float], *, bottom_in: float = BOTTOM_IN
) -> list[Axes]:
    """Panels stacked top to bottom with fixed margins, heights in proportion to ``weights``.

    Panels are not matplotlib-shared (shared tickers make every panel build its own tick
    artists, the dearest part of a draw); give them one time axis with
    :func:`charts.marks.date_axis`, which labels only the bottom panel. ``bottom_in`` makes
    room for a source line of two lines.
    """
    width_in, height_in = fig.get_size_inches()
    usable = height_in - TOP_IN - bottom_in - GAP_IN * (len(weights) - 1)
    left, width = LEFT_IN / width_in, (width_in - LEFT_IN - RIGHT_IN) / width_in
    top = 1.0 - TOP_IN / height_in
    axes: list[Axes] = []
    for weight in weights:
        h = usable * weight / sum(weights) / height_in
        axes.append(fig.add_axes((left, top - h, width, h)))
        top -= h + GAP_IN / height_in
    return axes


def families(text: str) -> list[str]:
    """The font families for ``text``: ``FONT`` alone when it has every character, else
    ``FONT`` then ``FALLBACK_FONT``.

    A fallback font makes matplotlib draw each glyph of the text about twice as slowly, so it
    is asked for only where a glyph is missing.
    """
    font = _main_font()
    if all(c in "\n\t" or font.get_char_index(ord(c)) for c in set(text)):
        return [FONT]
    return [FONT, FALLBACK_FONT]


@functools.cache
def _main_font() -> FT2Font:
    return get_font(findfont(FontProperties(family=FONT)))


def overlay_axes(ax: Axes) -> Axes:
    """A second y axis over ``ax``, ticks on the right, transparent, without an x axis.

    A twin without matplotlib's shared x axis (see :func:`stacked_axes`): set its x limits to
    those of ``ax``. Its tick labels take the right gutter, so a chart with one has no tags.
    """
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    over = fig.add_axes(ax.get_position().bounds, frameon=False)
    over.patch.set_visible(False)
    over.grid(False)
    over.xaxis.set_visible(False)
    over.yaxis.tick_right()
    over.yaxis.set_label_position("right")
    return over


def decorate(fig: Figure, *, title: str, source: str, demo: bool) -> None:
    """Title top left, source line bottom left, and a DEMO DATA badge and watermark if ``demo``."""
    width_in, height_in = fig.get_size_inches()
    x = LEFT_IN / width_in
    fig.text(
        x,
        1.0 - 0.13 / height_in,
        title,
        ha="left",
        va="top",
        fontsize=TITLE_SIZE,
        fontweight="bold",
        gid="title",
        parse_math=False,  # titles and sources hold data text: a "$" is a dollar, never TeX
    )
    fig.text(
        x,
        0.07 / height_in,
        source,
        ha="left",
        va="bottom",
        fontsize=SMALL,
        fontfamily=families(source),
        color=PALETTE.muted,
        gid="source",
        parse_math=False,
    )
    if demo:
        badge = {"boxstyle": "round,pad=0.3", "fc": PALETTE.demo, "ec": PALETTE.demo}
        fig.text(
            1.0 - 0.12 / width_in,
            1.0 - 0.12 / height_in,
            "DEMO DATA",
            ha="right",
            va="top",
            fontsize=SMALL + 0.5,
            fontweight="bold",
            color="white",
            bbox=badge,
            gid="demo",
        )
        fig.text(
            0.5,
            0.5,
            "DEMO DATA",
            ha="center",
            va="center",
            rotation=18,
            fontsize=min(54.0, 13.0 * height_in),
            fontweight="bold",
            color=PALETTE.demo,
            alpha=0.09,
            zorder=10,
            gid="demo-watermark",
        )


def usd(value: float) -> str:
    """A price in full for labels: ``$118,870``, ``$4,868``, ``$1.23``, ``$0.0456``."""
    if abs(value) >= 1000:
        return f"${value:,.0f}"
    if abs(value) >= 1:
        return f"${value:,.2f}"
    return f"${value:.3g}"


def date_text(ts: pd.Timestamp) -> str:
    """A calendar date as ``2 Oct 2026``."""
    return f"{ts.day} {ts:%b %Y}"


def when(ts: pd.Timestamp) -> str:
    """A moment as ``21 Nov 16:00 UTC``."""
    return f"{ts.day} {ts:%b %H:%M} UTC"


def usd_tick(value: float, _pos: object = None) -> str:
    """A compact price for axis ticks: ``$118k``, ``$117.5k``, ``$4,000``, ``$2.50``."""
    if abs(value) >= 10_000:
        return f"${_trim(value / 1000)}k"
    if abs(value) >= 100:
        return f"${value:,.0f}"
    return f"${_trim(value, 2)}"


def usd_amount(value: float, _pos: object = None) -> str:
    """A USD amount, unsigned, in short scale: ``$54M``, ``$1.2B``, ``$350k``, ``$0``.

    Unsigned because amounts drawn below an axis (long liquidations) are still positive.
    """
    value = abs(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"${_trim(value / size)}{suffix}"
    return f"${value:,.0f}"


def pct_tick(value: float, _pos: object = None) -> str:
    """A signed rate in percent for axis ticks, to four decimals trimmed: ``+0.01%``, ``0%``."""
    text = _trim(value, 4)
    if text == "0":
        return "0%"
    return ("+" if value > 0 else "\u2212") + text.lstrip("-") + "%"


def compact(value: float, _pos: object = None) -> str:
    """A compact signed number for indicator ticks: ``1.5k``, ``−250``, ``0``, ``0.02``."""
    if abs(value) >= 1000:
        text = f"{_trim(value / 1000)}k"
    elif abs(value) >= 10 or value == 0:
        text = f"{value:.0f}"
    else:
        text = f"{value:.2g}"
    return text.replace("-", "\u2212")


def _trim(value: float, digits: int = 1) -> str:
    """``value`` with up to ``digits`` decimals and thousands separators, trailing zeros cut."""
    text = f"{value:,.{digits}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def price_axis(ax: Axes, *, nbins: int = 6) -> None:
    """Round price ticks (1, 2, 2.5, 5 steps) formatted with :func:`usd_tick`."""
    ax.yaxis.set_major_locator(MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(usd_tick))


def padded(lo: float, hi: float, frac: float = 0.05) -> tuple[float, float]:
    """``(lo, hi)`` widened by ``frac`` of the span on both sides (never a zero span)."""
    span = hi - lo
    if not math.isfinite(span) or span <= 0:
        span = abs(hi) * 0.02 or 1.0
    return lo - span * frac, hi + span * frac
