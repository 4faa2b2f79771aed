"""The base-rate chart, for the appendix only: the 30 days that followed every earlier case of
the day's event (``context.base_rate``, ``context.market_base_rate``), rebased to 100 at each
case's start, with the median path and today's start marked.

A case's start is the daily close of its date (evidence ``dates``, as the fact counts it);
its path is the 30 daily closes after it. The story never chooses this chart for the note
body: it is saved in the ``appendix`` section, which no note section shows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from charts.marks import Tag, gutter_tags, no_data
from charts.style import (
    PALETTE,
    PANEL_HEIGHT_IN,
    date_text,
    decorate,
    new_figure,
    padded,
    stacked_axes,
    style,
)
from models import Dataset, Fact
from values import BaseRate

DAY = pd.Timedelta(days=1)
DAYS = 30
"""How far each path runs, in days (the facts' longest horizon)."""
SECTION = "appendix"
"""The chart's section: none of the note's, so only the appendix shows it."""


def paths(daily: Dataset, dates: Sequence[str], days: int = DAYS) -> np.ndarray:
    """One row per case with its whole path in ``daily``: the daily closes from the close of
    its date to ``days`` days later, divided by the first and times 100."""
    assert daily.interval is not None
    close = daily.frame["close"].to_numpy(dtype=float)
    closed = (pd.DatetimeIndex(daily.frame.index) + daily.interval).as_unit("ns").asi8
    wanted = pd.DatetimeIndex([pd.Timestamp(d, tz="UTC") + DAY for d in dates]).as_unit("ns")
    starts = np.searchsorted(closed, wanted.asi8)
    span = (days * DAY).value
    whole = [
        int(i)
        for i, t in zip(starts, wanted.asi8, strict=True)
        if i + days < len(close) and closed[i] == t and closed[i + days] - t == span
    ]
    if not whole:
        return np.empty((0, days + 1))
    rows = np.array([close[i : i + days + 1] for i in whole], dtype=float)
    rebased: np.ndarray = rows / rows[:, :1] * 100.0
    return rebased


def base_rate_chart(daily: Dataset, fact: Fact, *, demo: bool) -> Figure:
    """The 30-day path of every earlier case of ``fact``'s event for its asset (the lead asset
    of a market-wide one), thin; the median of each day across them, bold; and today's start
    at 100 on day 0, marked with the as-of date."""
    value = fact.value
    assert isinstance(value, BaseRate)
    rows = paths(daily, list(_dates(fact)))
    asset = _asset(fact)
    with style():
        fig = new_figure(PANEL_HEIGHT_IN)
        (ax,) = stacked_axes(fig, (1.0,))
        title = f"{asset} after the {value.cases} earlier cases, rebased to 100"
        source = (
            f"Source: {daily.source}. Daily closes, UTC, for {DAYS} days after each case "
            f"since {date_text(pd.Timestamp(value.since, tz='UTC'))}; bold: the median day by day."
        )
        decorate(fig, title=title, source=source, demo=demo)
        if not len(rows):
            no_data(ax, "No complete case")
            return fig
        x = np.arange(DAYS + 1)
        for k, row in enumerate(rows):
            ax.plot(x, row, color=PALETTE.band, linewidth=0.8, alpha=0.6, gid=f"case-{k}")
        median = np.median(rows, axis=0)
        ax.plot(x, median, color=PALETTE.price, linewidth=2.0, zorder=5, gid="median")
        ax.axhline(100.0, color=PALETTE.muted, linewidth=0.8, linestyle=(0, (3, 2)), zorder=2)
        ax.plot([0], [100.0], marker="o", color=PALETTE.ath, markersize=6, zorder=6, gid="today")
        today = f"today, {date_text(fact.as_of)}"
        ax.annotate(
            today,
            (0, 100.0),
            xytext=(6, 6),
            textcoords="offset points",
            color=PALETTE.ath,
            gid="today-label",
        )
        tags = [Tag(float(median[-1]), f"median {median[-1]:.1f}", PALETTE.price, "median-tag")]
        ax.set_ylim(*padded(float(rows.min()), float(rows.max()), 0.08))
        ax.set_xlim(0, DAYS)
        ax.xaxis.set_major_locator(FixedLocator([0, 7, 14, 21, 30]))
        ax.xaxis.set_major_formatter(FuncFormatter(_day))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        gutter_tags(ax, tags)
    return fig


def base_rate_alt(daily: Dataset, fact: Fact) -> str:
    """Alt text of :func:`base_rate_chart`."""
    rows = paths(daily, list(_dates(fact)))
    asset = _asset(fact)
    if not len(rows):
        return f"Base-rate chart of {asset}: no complete case."
    median = float(np.median(rows[:, -1]))
    higher = int((rows[:, -1] > 100.0).sum())
    return (
        f"{asset} closes over the {DAYS} days after each of the {len(rows)} earlier cases, "
        f"rebased to 100: {higher} ended higher, the median path at {median:.1f}; today's "
        f"case starts at 100 on {date_text(fact.as_of)}."
    )


def _day(x: float, _pos: object = None) -> str:
    """An x tick: ``event`` at 0, else ``day 7``."""
    return "event" if x == 0 else f"day {x:.0f}"


def _dates(fact: Fact) -> Sequence[str]:
    dates = fact.evidence.get("dates")
    return [str(d) for d in dates] if isinstance(dates, list) else []


def _asset(fact: Fact) -> str:
    """The asset whose path it is: the fact's, or the lead asset of a market-wide one."""
    lead = fact.value.get("asset") if isinstance(fact.value, dict) else None
    return str(fact.asset or lead or "")
