"""Price charts: daily candles with levels and RSI/MACD panels, and the 7-day hourly line.

Both charts take the candles (already cut at as-of) and the note's facts keyed by
``Fact.key``; every fact is optional and a chart draws the marks it has facts for (read as
typed values: ``values.value_of``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from charts.facts import timestamp
from charts.marks import (
    DAY,
    Tag,
    band,
    boxes,
    candles,
    date_axis,
    fit_levels,
    gutter_tags,
    level_line,
    no_data,
    panel_label,
    times_of,
    to_x,
    x_of,
)
from charts.style import (
    DAILY_HEIGHT_IN,
    HOURLY_HEIGHT_IN,
    PALETTE,
    SMALL,
    compact,
    date_text,
    decorate,
    new_figure,
    padded,
    price_axis,
    stacked_axes,
    style,
    usd,
    when,
)
from indicators import macd, rsi
from models import Dataset, Fact
from values import PriceLevelBreak, PriorRange, TradingRange, number_of, value_of

HOUR = pd.Timedelta(hours=1)
BODY_WIDTH = 0.64
"""Candle body width as a share of the candle interval."""
RSI_GUIDES = (30.0, 70.0)


@dataclass(frozen=True)
class PriceMarks:
    """The price facts a chart marks, each None when the note has no such fact."""

    ath: float | None = None
    level: float | None = None
    direction: str | None = None
    range_low: float | None = None
    range_high: float | None = None
    range_start: pd.Timestamp | None = None
    """Open of the range's first day (UTC midnight)."""
    range_end: pd.Timestamp | None = None
    """Close of the range's last day (the following UTC midnight)."""
    range_label: str = "prior range"
    """What the band is: the range a move broke out of, or the one the price trades in."""

    @classmethod
    def from_facts(cls, facts: Mapping[str, Fact], asset: str) -> PriceMarks:
        """Read ``price.ath``, ``price.level_break`` and ``price.prior_range`` (else
        ``price.trading_range``, drawn to the end of today) of ``asset``."""
        brk = value_of(facts, asset, PriceLevelBreak)
        prior, held = value_of(facts, asset, PriorRange), value_of(facts, asset, TradingRange)
        marks = cls(
            ath=number_of(facts, asset, "price.ath"),
            level=None if brk is None else brk.level,
            direction=None if brk is None else brk.direction,
        )
        if prior is not None:
            start, end = timestamp(prior.start), timestamp(prior.end) + DAY
            return replace(
                marks, range_low=prior.low, range_high=prior.high, range_start=start, range_end=end
            )
        if held is not None:
            start = timestamp(held.start)
            return replace(
                marks,
                range_low=held.low,
                range_high=held.high,
                range_start=start,
                range_end=start + (held.days + 1) * DAY,
                range_label=f"{held.days}-day range",
            )
        return marks

    def levels(self) -> list[float]:
        """The horizontal lines to show: the all-time high and the broken level."""
        return [v for v in (self.ath, self.level) if v is not None]

    def tags(self) -> list[Tag]:
        """Gutter tags for the lines."""
        tags = []
        if self.ath is not None:
            tags.append(Tag(self.ath, f"ATH {usd(self.ath)}", PALETTE.ath, "ath-tag"))
        if self.level is not None:
            tags.append(Tag(self.level, usd(self.level), PALETTE.level, "level-tag"))
        return tags


def daily_chart(
    daily: Dataset,
    facts: Mapping[str, Fact],
    *,
    asset: str,
    days: int = 90,
    demo: bool,
    hourly: Dataset | None = None,
) -> Figure:
    """Daily candles of the last ``days`` days with the ATH, the broken level and the prior
    range marked, above an RSI-14 panel and a MACD(12, 26, 9) panel.

    RSI and MACD are computed on the whole daily history, then cut to the window. When
    ``hourly`` is given, today's unfinished day is drawn from it as a paler last candle (price
    panel only; the indicators use closed days, as the facts do).
    """
    interval = daily.interval or DAY
    shown = _window(daily.frame, days, interval)
    today = _partial_day(daily.frame, hourly, interval)
    marks = PriceMarks.from_facts(facts, asset)
    with style():
        fig = new_figure(DAILY_HEIGHT_IN)
        price_ax, rsi_ax, macd_ax = stacked_axes(fig, (3.0, 1.0, 1.1))
        decorate(
            fig,
            title=f"{asset}/USD · daily, last {days} days",
            source=_daily_source(daily, today),
            demo=demo,
        )
        if shown.empty:
            no_data(price_ax, "No daily candles")
            return fig
        width = BODY_WIDTH * (interval / DAY)
        x = to_x(times_of(shown) + interval / 2)
        candles(price_ax, shown, x, width)
        both = shown if today is None else pd.concat([shown, today])
        if today is not None:
            candles(price_ax, today, to_x(times_of(today) + interval / 2), width, alpha=0.45)
        start = float(x[0]) - (interval / DAY) * 0.8
        end = float(to_x(times_of(both) + interval)[-1]) + (interval / DAY) * 0.3
        _price_panel(price_ax, both, marks, start, end)
        close = daily.frame["close"]
        _rsi_panel(rsi_ax, rsi(close, 14).reindex(shown.index), x)
        _macd_panel(macd_ax, macd(close).reindex(shown.index), x, width)
        date_axis((price_ax, rsi_ax, macd_ax), start, end)
    return fig


def hourly_chart(
    hourly: Dataset, facts: Mapping[str, Fact], *, asset: str, days: int = 7, demo: bool
) -> Figure:
    """Hourly closes of the last ``days`` days as a line, with the ATH and broken level."""
    interval = hourly.interval or HOUR
    shown = _window(hourly.frame, days * round(DAY / interval), interval)
    marks = PriceMarks.from_facts(facts, asset)
    with style():
        fig = new_figure(HOURLY_HEIGHT_IN)
        (ax,) = stacked_axes(fig, (1.0,))
        source = f"Source: {hourly.source}. Hourly closes, UTC"
        if not shown.empty:
            source += f", to {when(shown.index[-1] + interval)}."
        title = f"{asset}/USD · hourly, last {days} days"
        decorate(fig, title=title, source=source, demo=demo)
        if shown.empty:
            no_data(ax, "No hourly candles")
            return fig
        x, close = to_x(times_of(shown) + interval), shown["close"].to_numpy(dtype="float64")
        lo, hi = padded(*fit_levels(float(close.min()), float(close.max()), marks.levels()), 0.08)
        ax.set_ylim(lo, hi)
        ax.fill_between(x, close, lo, color=PALETTE.price, alpha=0.07, linewidth=0, zorder=1)
        ax.plot(x, close, color=PALETTE.price, linewidth=1.1, zorder=4, gid="close")
        ax.plot(x[-1:], close[-1:], "o", color=PALETTE.price, markersize=3.0, zorder=5)
        _level_lines(ax, marks)
        price_axis(ax, nbins=4)
        date_axis((ax,), float(to_x(times_of(shown))[0]), float(x[-1]))
    return fig


def daily_alt(
    daily: Dataset,
    facts: Mapping[str, Fact],
    *,
    asset: str,
    days: int = 90,
    hourly: Dataset | None = None,
) -> str:
    """Alt text of :func:`daily_chart` (same arguments): what it shows, with the marked values."""
    interval = daily.interval or DAY
    shown = _window(daily.frame, days, interval)
    if shown.empty:
        return f"{asset}/USD daily chart: no daily candles."
    today = _partial_day(daily.frame, hourly, interval)
    both = shown if today is None else pd.concat([shown, today])
    text = f"{asset}/USD daily candles for the {days} days to {date_text(shown.index[-1])}"
    if today is not None:
        until = today.attrs["until"]
        text += f", plus {until.day} {until:%b} so far (to {until:%H:%M} UTC)"
    marks = PriceMarks.from_facts(facts, asset)
    marked = _marks_text(marks, float(both["low"].min()), float(both["high"].max()))
    if marked:
        text += "; marked: " + marked
    value = rsi(daily.frame["close"], 14).iloc[-1]
    now = f" (last {value:.0f})" if pd.notna(value) else ""
    return text + f". Below: RSI 14{now} with 30 and 70 guides, and MACD 12/26/9."


def hourly_alt(hourly: Dataset, facts: Mapping[str, Fact], *, asset: str, days: int = 7) -> str:
    """Alt text of :func:`hourly_chart`."""
    interval = hourly.interval or HOUR
    shown = _window(hourly.frame, days * round(DAY / interval), interval)
    if shown.empty:
        return f"{asset}/USD hourly chart: no hourly candles."
    close = shown["close"]
    text = f"{asset}/USD hourly closes for the last {days} days, "
    text += f"from {usd(float(close.iloc[0]))} to {usd(float(close.iloc[-1]))} "
    text += f"at {when(shown.index[-1] + interval)}"
    marks = PriceMarks.from_facts(facts, asset)
    no_range = PriceMarks(ath=marks.ath, level=marks.level, direction=marks.direction)
    marked = _marks_text(no_range, float(close.min()), float(close.max()))
    return text + (f"; marked: {marked}." if marked else ".")


def _price_panel(
    ax: Axes, frame: pd.DataFrame, marks: PriceMarks, start: float, end: float
) -> None:
    """Limits, the prior-range band, level lines and their tags on the candle panel."""
    lo, hi = float(frame["low"].min()), float(frame["high"].max())
    ax.set_ylim(*padded(*fit_levels(lo, hi, marks.levels()), 0.06))
    price_axis(ax)
    if marks.range_start is not None and marks.range_end is not None:
        assert marks.range_low is not None and marks.range_high is not None
        x0, x1 = max(x_of(marks.range_start), start), min(x_of(marks.range_end), end)
        if x1 > x0:
            band(
                ax,
                x0,
                x1,
                marks.range_low,
                marks.range_high,
                label=marks.range_label,
                gid="prior-range",
            )
    _level_lines(ax, marks)


def _level_lines(ax: Axes, marks: PriceMarks) -> None:
    """The ATH and broken-level lines (when in view) and their gutter tags."""
    lo, hi = ax.get_ylim()
    if marks.ath is not None and lo <= marks.ath <= hi:
        level_line(ax, marks.ath, PALETTE.ath, gid="ath", dashed=True)
    if marks.level is not None and lo <= marks.level <= hi:
        level_line(ax, marks.level, PALETTE.level, gid="level")
    gutter_tags(ax, marks.tags())


def _rsi_panel(ax: Axes, values: pd.Series, x: np.ndarray) -> None:
    """RSI line on 0-100 with the 30/70 guides and a tag for the last value."""
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_locator(FixedLocator(list(RSI_GUIDES)))
    ax.yaxis.grid(False)
    ax.axhspan(*RSI_GUIDES, color=PALETTE.band, alpha=0.08, linewidth=0, zorder=0)
    for guide in RSI_GUIDES:
        ax.axhline(guide, color=PALETTE.muted, linewidth=0.6, linestyle=(0, (3, 2)), zorder=1)
    ax.plot(
        x,
        values.to_numpy(dtype="float64"),
        color=PALETTE.indicator,
        linewidth=1.1,
        zorder=3,
        gid="rsi",
    )
    panel_label(ax, "RSI 14")
    last = values.dropna()
    if not last.empty:
        value = float(last.iloc[-1])
        gutter_tags(ax, [Tag(value, f"{value:.0f}", PALETTE.indicator, "rsi-tag")])


def _macd_panel(ax: Axes, values: pd.DataFrame, x: np.ndarray, width: float) -> None:
    """MACD and signal lines over the histogram bars."""
    line, signal, hist = (values[k].to_numpy(dtype="float64") for k in ("macd", "signal", "hist"))
    colors = np.where(hist >= 0, PALETTE.up, PALETTE.down).tolist()
    bars = np.nan_to_num(hist)
    boxes(
        ax,
        x,
        np.minimum(bars, 0.0),
        np.maximum(bars, 0.0),
        width,
        colors,
        alpha=0.5,
        gid="macd-hist",
    )
    ax.axhline(0.0, color=PALETTE.spine, linewidth=0.7, zorder=1)
    ax.plot(x, line, color=PALETTE.level, linewidth=1.1, zorder=3, gid="macd")
    ax.plot(x, signal, color=PALETTE.signal, linewidth=1.0, zorder=3, gid="macd-signal")
    finite = np.concatenate([a[np.isfinite(a)] for a in (line, signal, bars)] + [np.zeros(1)])
    ax.set_ylim(*padded(float(finite.min()), float(finite.max()), 0.12))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(compact))
    handles = [Line2D([], [], color=PALETTE.level), Line2D([], [], color=PALETTE.signal)]
    ax.legend(
        handles,
        ["MACD 12/26/9", "signal"],
        loc="upper left",
        ncol=2,
        fontsize=SMALL,
        handlelength=1.4,
        borderaxespad=0.25,
        frameon=True,
        framealpha=0.8,
        edgecolor="none",
        labelcolor=PALETTE.muted,
    )


def _window(frame: pd.DataFrame, count: int, interval: pd.Timedelta) -> pd.DataFrame:
    """The candles of the last ``count`` intervals (by time, so gaps are not filled in)."""
    if frame.empty:
        return frame
    times = times_of(frame)
    return frame.loc[times > times[-1] - count * interval]


def _partial_day(
    daily: pd.DataFrame, hourly: Dataset | None, interval: pd.Timedelta
) -> pd.DataFrame | None:
    """Today's unfinished daily candle built from hourly candles after the last daily one."""
    if hourly is None or daily.empty or interval != DAY:
        return None
    after = hourly.frame[hourly.frame.index >= daily.index[-1] + interval]
    if after.empty:
        return None
    row = {
        "open": float(after["open"].iloc[0]),
        "high": float(after["high"].max()),
        "low": float(after["low"].min()),
        "close": float(after["close"].iloc[-1]),
    }
    index = pd.DatetimeIndex([daily.index[-1] + interval], name=daily.index.name)
    out = pd.DataFrame([row], index=index)
    out.attrs["until"] = after.index[-1] + (hourly.interval or HOUR)
    return out


def _daily_source(daily: Dataset, today: pd.DataFrame | None) -> str:
    text = f"Source: {daily.source}. Daily candles, UTC"
    if today is not None:
        until = today.attrs["until"]
        text += f"; pale last candle: {until.day} {until:%b} so far (to {until:%H:%M})"
    return text + ". RSI and MACD on daily closes."


def _marks_text(marks: PriceMarks, lo: float, hi: float) -> str:
    parts = []
    if marks.ath is not None:
        where = " (above the range shown)" if marks.ath > fit_levels(lo, hi, [marks.ath])[1] else ""
        parts.append(f"the all-time high at {usd(marks.ath)}{where}")
    if marks.level is not None:
        verb = {"up": " broken upward", "down": " broken downward"}.get(marks.direction or "", "")
        parts.append(f"the {usd(marks.level)} level{verb}")
    if marks.range_start is not None and marks.range_end is not None:
        assert marks.range_low is not None and marks.range_high is not None
        dates = f"{date_text(marks.range_start)} to {date_text(marks.range_end - DAY)}"
        span = f"{usd(marks.range_low)} to {usd(marks.range_high)}"
        parts.append(f"the {marks.range_label}, {span} from {dates}")
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return "".join(parts)
