"""Market-wide charts: the US Dollar Index, the Crypto Fear & Greed index, and each asset's
performance against BTC. They do not depend on one asset, so a run draws them once.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from charts.facts import timestamp
from charts.marks import (
    Tag,
    date_axis,
    fit_levels,
    gutter_tags,
    level_line,
    no_data,
    panel_label,
    times_of,
    to_x,
)
from charts.style import (
    PALETTE,
    PANEL_HEIGHT_IN,
    SMALL,
    date_text,
    decorate,
    new_figure,
    padded,
    stacked_axes,
    style,
    when,
)
from models import Dataset, Fact
from values import Direction, DxyLevelBreak, value_of

DAY = pd.Timedelta(days=1)
BASE = "BTC"
"""The asset the others are measured against."""

FEAR_GREED_BANDS: tuple[tuple[float, float, str, str, float], ...] = (
    (0.0, 24.5, "Extreme Fear", PALETTE.down, 0.22),
    (24.5, 44.5, "Fear", PALETTE.down, 0.09),
    (44.5, 55.5, "Neutral", PALETTE.band, 0.10),
    (55.5, 75.5, "Greed", PALETTE.up, 0.09),
    (75.5, 100.0, "Extreme Greed", PALETTE.up, 0.22),
)
"""Alternative.me's classes (0-24, 25-44, 45-55, 56-75, 76-100 on whole values) as
``(low, high, name, colour, shade alpha)``; edges fall half-way between the whole values."""


def dxy_chart(dxy: Dataset, facts: Mapping[str, Fact], *, days: int = 90, demo: bool) -> Figure:
    """Daily DXY closes of the last ``days`` days as a line, with the whole level it broke
    (``macro.dxy_level_break``) and the last close tagged."""
    shown = _last_days(dxy.frame, days)
    brk = value_of(facts, None, DxyLevelBreak)
    with style():
        fig = new_figure(PANEL_HEIGHT_IN)
        (ax,) = stacked_axes(fig, (1.0,))
        source = f"Source: {dxy.source}. Daily closes"
        if not shown.empty:
            source += f", to {date_text(times_of(shown)[-1])}"
        decorate(
            fig,
            title=f"US Dollar Index (DXY) · daily, last {days} days",
            source=source + ".",
            demo=demo,
        )
        if shown.empty:
            no_data(ax, "No DXY data")
            return fig
        x = to_x(times_of(shown))
        close = shown["close"].to_numpy(dtype="float64")
        levels = [brk.level] if brk is not None else []
        lo, hi = padded(*fit_levels(float(close.min()), float(close.max()), levels), 0.08)
        ax.set_ylim(lo, hi)
        ax.fill_between(x, close, lo, color=PALETTE.price, alpha=0.07, linewidth=0, zorder=1)
        ax.plot(x, close, color=PALETTE.price, linewidth=1.2, zorder=4, gid="dxy")
        ax.plot(x[-1:], close[-1:], "o", color=PALETTE.price, markersize=3.0, zorder=5)
        tags = [Tag(float(close[-1]), f"{close[-1]:.2f}", PALETTE.price, "dxy-tag")]
        if brk is not None:
            level = brk.level
            if lo <= level <= hi:
                level_line(ax, level, PALETTE.level, gid="dxy-level")
            arrow = {"up": " ↑", "down": " ↓"}[brk.direction]
            tags.append(Tag(level, f"{level:g} broken{arrow}", PALETTE.level, "dxy-level-tag"))
            beyond = brk.previous_close_beyond
            since = None if beyond is None else timestamp(beyond)
            _break_note(ax, level, brk.direction, since)
        gutter_tags(ax, tags)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_formatter(FuncFormatter(_points))
        date_axis((ax,), float(x[0]) - 0.5, float(x[-1]) + 0.5)
    return fig


def fear_greed_chart(fear_greed: Dataset, *, days: int = 90, demo: bool) -> Figure:
    """The daily Fear & Greed value of the last ``days`` days over its five shaded, labelled
    bands; the title gives the latest value and class."""
    shown = _last_days(fear_greed.frame, days)
    with style():
        fig = new_figure(PANEL_HEIGHT_IN)
        (ax,) = stacked_axes(fig, (1.0,))
        title = f"Crypto Fear & Greed Index · daily, last {days} days"
        if not shown.empty:
            last = float(shown["value"].iloc[-1])
            title += f": {last:.0f} ({fear_greed_class(shown, -1)})"
        source = f"Source: {fear_greed.source}. One value a day, 0 (extreme fear) to 100"
        source += " (extreme greed)"
        if not shown.empty:
            source += f", to {date_text(times_of(shown)[-1])}"
        decorate(fig, title=title, source=source + ".", demo=demo)
        ax.set_ylim(0.0, 100.0)
        ax.yaxis.set_major_locator(FixedLocator([0.0, 25.0, 50.0, 75.0, 100.0]))
        ax.yaxis.grid(False)
        _bands(ax)
        if shown.empty:
            no_data(ax, "No Fear & Greed data")
            return fig
        x = to_x(times_of(shown))
        values = shown["value"].to_numpy(dtype="float64")
        ax.plot(x, values, color=PALETTE.text, linewidth=1.2, zorder=4, gid="fear-greed")
        ax.plot(x[-1:], values[-1:], "o", color=PALETTE.text, markersize=3.5, zorder=5)
        date_axis((ax,), float(x[0]) - 0.5, float(x[-1]) + 0.5)
    return fig


def relative_chart(candles: Mapping[str, Dataset], *, days: int = 30, demo: bool) -> Figure:
    """Each asset's closes over the last ``days`` days rebased to 100 at the window's first
    common close, BTC (when present) drawn darker as the benchmark; end values tagged."""
    rebased, start = rebase(candles, days=days)
    with style():
        fig = new_figure(PANEL_HEIGHT_IN)
        (ax,) = stacked_axes(fig, (1.0,))
        against = f" against {BASE}" if BASE in rebased else ""
        title = f"Performance{against} · last {days} days, rebased to 100"
        decorate(fig, title=title, source=_relative_source(candles, rebased, start), demo=demo)
        if not rebased:
            no_data(ax, "No candles")
            return fig
        ax.axhline(100.0, color=PALETTE.muted, linewidth=0.8, linestyle=(0, (3, 2)), zorder=2)
        tags, lo, hi, first, last = [], 100.0, 100.0, np.inf, -np.inf
        others = (c for c in PALETTE.series if c != PALETTE.level)  # too close to BTC's
        for name, series in rebased.items():
            color = PALETTE.price if name == BASE else next(others, PALETTE.muted)
            x, y = to_x(times_of(series.to_frame())), series.to_numpy(dtype="float64")
            width = 1.6 if name == BASE else 1.2
            ax.plot(
                x,
                y,
                color=color,
                linewidth=width,
                zorder=5 if name == BASE else 4,
                gid=f"rel-{name}",
            )
            tags.append(Tag(float(y[-1]), f"{name} {y[-1]:.1f}", color, f"rel-{name}-tag"))
            lo, hi = min(lo, float(y.min())), max(hi, float(y.max()))
            first, last = min(first, float(x[0])), max(last, float(x[-1]))
        ax.set_ylim(*padded(lo, hi, 0.08))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_formatter(FuncFormatter(_points))
        gutter_tags(ax, tags)
        date_axis((ax,), first, last)
    return fig


def rebase(
    candles: Mapping[str, Dataset], *, days: int
) -> tuple[dict[str, pd.Series], pd.Timestamp | None]:
    """Each asset's closes (indexed by close time) from the window's start to the newest close,
    divided by its close at the start and times 100; BTC first.

    The start is the first close at or after ``days`` days before the newest close of all,
    that every asset has (the latest of their first closes in the window), so all lines start
    at 100 at the same moment. Assets without a close there are left out.
    """
    closes: dict[str, pd.Series] = {}
    for name in sorted(candles, key=lambda n: (n != BASE, list(candles).index(n))):
        data = candles[name]
        if data.frame.empty:
            continue
        series = data.frame["close"]
        closes[name] = series.set_axis(times_of(data.frame) + (data.interval or pd.Timedelta(0)))
    if not closes:
        return {}, None
    end = max(times_of(s.to_frame())[-1] for s in closes.values())
    window = {n: s[s.index >= end - pd.Timedelta(days=days)] for n, s in closes.items()}
    window = {n: s for n, s in window.items() if not s.empty}
    if not window:
        return {}, None
    start = max(times_of(s.to_frame())[0] for s in window.values())
    out = {}
    for name, series in window.items():
        series = series[series.index >= start]
        if series.empty or not series.iloc[0] > 0:
            continue
        out[name] = series / float(series.iloc[0]) * 100.0
    return out, start


def fear_greed_class(frame: pd.DataFrame, position: int) -> str:
    """The class of a row: the file's own classification, else the band its value falls in."""
    given = frame["classification"].iloc[position] if "classification" in frame else None
    if isinstance(given, str) and given.strip():
        return given.strip()
    value = round(float(frame["value"].iloc[position]))
    return next((band[2] for band in FEAR_GREED_BANDS if value <= band[1]), "Extreme Greed")


def dxy_alt(dxy: Dataset, facts: Mapping[str, Fact], *, days: int = 90) -> str:
    """Alt text of :func:`dxy_chart`."""
    shown = _last_days(dxy.frame, days)
    if shown.empty:
        return "US Dollar Index chart: no data."
    close = shown["close"]
    text = f"US Dollar Index (DXY) daily closes for the last {days} days, from "
    text += f"{close.iloc[0]:.2f} to {close.iloc[-1]:.2f} on {date_text(times_of(shown)[-1])}"
    brk = value_of(facts, None, DxyLevelBreak)
    if brk is not None:
        text += f"; marked: the {brk.level:g} level broken {brk.direction}"
    return text + "."


def fear_greed_alt(fear_greed: Dataset, *, days: int = 90) -> str:
    """Alt text of :func:`fear_greed_chart`."""
    shown = _last_days(fear_greed.frame, days)
    if shown.empty:
        return "Crypto Fear & Greed chart: no data."
    values = shown["value"]
    text = f"Crypto Fear & Greed Index for the last {days} days, between {values.min():.0f} and "
    text += f"{values.max():.0f}, last {values.iloc[-1]:.0f} ({fear_greed_class(shown, -1)}) on "
    text += f"{date_text(times_of(shown)[-1])}; shaded: the five bands from Extreme Fear (0-24) "
    return text + "to Extreme Greed (76-100)."


def relative_alt(candles: Mapping[str, Dataset], *, days: int = 30) -> str:
    """Alt text of :func:`relative_chart`."""
    rebased, start = rebase(candles, days=days)
    if not rebased or start is None:
        return "Performance chart: no candles."
    ends = ", ".join(f"{n} {s.iloc[-1]:.1f}" for n, s in rebased.items())
    text = f"Closes of {', '.join(rebased)} rebased to 100 at {when(start)}, "
    return text + f"for the last {days} days; now {ends}."


def _last_days(frame: pd.DataFrame, days: int) -> pd.DataFrame:
    """The rows of the last ``days`` days (by time, to the newest row)."""
    if frame.empty:
        return frame
    times = times_of(frame)
    return frame[times > times[-1] - pd.Timedelta(days=days)]


def _points(value: float, _pos: object = None) -> str:
    """Index points for ticks: ``98``, ``97.5``."""
    return f"{value:g}"


def _bands(ax: Axes) -> None:
    """The five Fear & Greed bands, shaded across the axes and named in the right gutter."""
    for low, high, name, color, alpha in FEAR_GREED_BANDS:
        ax.axhspan(low, high, color=color, alpha=alpha, linewidth=0, zorder=0, gid=f"band-{name}")
        ax.text(
            1.012,
            (low + high) / 2,
            name,
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="center",
            fontsize=SMALL,
            color=PALETTE.text,
            clip_on=False,
            gid=f"band-{name}-label",
        )


def _break_note(ax: Axes, level: float, direction: Direction, since: pd.Timestamp | None) -> None:
    """A one-line note in the top left corner: which way the level broke, and since when."""
    text = f"closed {'above' if direction == 'up' else 'below'} {level:g}"
    text += f" for the first time since {date_text(since)}" if since is not None else ""
    panel_label(ax, text, color=PALETTE.level, gid="dxy-note")


def _relative_source(
    candles: Mapping[str, Dataset], rebased: Mapping[str, pd.Series], start: pd.Timestamp | None
) -> str:
    names = ", ".join(dict.fromkeys(candles[n].source for n in rebased)) or "none"
    intervals = {candles[n].interval for n in rebased}
    kind = (
        "Hourly"
        if intervals == {pd.Timedelta(hours=1)}
        else "Daily"
        if intervals == {DAY}
        else "Candle"
    )
    text = f"Source: {names}. {kind} closes, UTC"
    if start is not None:
        text += f"; each divided by its close at {when(start)}"
    return text + "."
