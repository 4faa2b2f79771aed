"""Derivatives charts: hourly liquidations with price, funding by sign, and the estimated
liquidation-level profile.

Colours follow the side that got (or would get) hurt: short liquidations come with a rise and
are drawn in ``PALETTE.up`` above the axis, long ones with a fall in ``PALETTE.down`` below it.
Each function takes datasets already cut at as-of and the note's facts keyed by ``Fact.key``;
every fact is optional.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from charts.facts import timestamp
from charts.marks import (
    DAY,
    Tag,
    boxes,
    date_axis,
    gutter_tags,
    hboxes,
    level_line,
    no_data,
    times_of,
    to_x,
    x_of,
)
from charts.style import (
    BOTTOM_IN,
    LIQUIDATIONS_HEIGHT_IN,
    PALETTE,
    PANEL_HEIGHT_IN,
    PROFILE_HEIGHT_IN,
    SMALL,
    decorate,
    new_figure,
    overlay_axes,
    padded,
    pct_tick,
    price_axis,
    stacked_axes,
    style,
    usd,
    usd_amount,
    when,
)
from models import Dataset, Fact, LevelProfile
from values import FundingFlip, LongClusterBelow, ShortClusterAbove, value_of

HOUR = pd.Timedelta(hours=1)
BAR_WIDTH = 0.8
"""Bar width as a share of the bucket or print interval."""
MIN_SIDE = 0.12
"""Either side of a two-sided bar axis keeps at least this share of the other's height."""
PROFILE_SPAN_PCT = 10.0
"""The level profile shows prices within this percent of the last price (or the clusters)."""
PROFILE_ROOM = 1.75
"""The profile's USD axis reaches this multiple of the longest bar: room for the labels."""
HEADROOM = 0.22
"""Share of a bar chart's height kept free above the bars for the legend."""


def share_tick(value: float, _pos: object = None) -> str:
    """A share (0-1) in percent for the relative level profile's ticks: ``12 %``, ``0.5 %``."""
    return f"{abs(value) * 100:.2g} %" if value else "0 %"


def liquidations_chart(
    liquidations: Dataset,
    hourly: Dataset | None,
    facts: Mapping[str, Fact],
    *,
    asset: str,
    hours: int = 72,
    demo: bool,
    as_of: pd.Timestamp | None = None,
) -> Figure:
    """Liquidations per bucket over the last ``hours`` hours: shorts above the axis, longs
    below, with hourly closes overlaid on a price axis on the right.

    A bucket still running at ``as_of`` (opened less than one bucket before it) is left out,
    as the facts leave it out; without ``as_of`` every row counts. ``facts`` keeps the
    signature of the other charts; no liquidation fact is marked (the bars are the facts).
    """
    shown, length = liquidation_window(liquidations, hours=hours, as_of=as_of)
    with style():
        fig = new_figure(LIQUIDATIONS_HEIGHT_IN)
        (ax,) = stacked_axes(fig, (1.0,))
        title = f"{asset} liquidations · {_bucket_name(length)}, last {hours} hours"
        decorate(
            fig, title=title, source=_liq_source(liquidations, hourly, shown, length), demo=demo
        )
        if shown.empty:
            no_data(ax, "No liquidation data")
            return fig
        x = to_x(times_of(shown) + length / 2)
        width = BAR_WIDTH * (length / DAY)
        shorts = shown["short_usd"].to_numpy(dtype="float64")
        longs = shown["long_usd"].to_numpy(dtype="float64")
        zero = np.zeros(len(x))
        boxes(ax, x, zero, shorts, width, PALETTE.up, alpha=0.85, gid="shorts")
        boxes(ax, x, -longs, zero, width, PALETTE.down, alpha=0.85, gid="longs")
        ax.axhline(0.0, color=PALETTE.spine, linewidth=0.8, zorder=3)
        ax.set_ylim(*_two_sided(float(np.nanmax(shorts)), float(np.nanmax(longs))))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_formatter(FuncFormatter(usd_amount))
        start = float(to_x(times_of(shown))[0])
        end = float(to_x(times_of(shown) + length)[-1])
        handles: list[Line2D | Patch] = [
            Patch(color=PALETTE.up, alpha=0.85),
            Patch(color=PALETTE.down, alpha=0.85),
        ]
        labels = ["shorts liquidated (above)", "longs liquidated (below)"]
        if hourly is not None and _price_overlay(ax, hourly, start, end):
            handles.append(Line2D([], [], color=PALETTE.price))
            labels.append(f"{asset} price (right)")
        _legend(ax, handles, labels)
        date_axis((ax,), start, end)
    return fig


def funding_chart(
    funding: Dataset, facts: Mapping[str, Fact], *, asset: str, days: int = 30, demo: bool
) -> Figure:
    """Settled funding rates of the last ``days`` days in percent per interval, one bar per
    print coloured by sign, with the latest sign flip (``funding.flip``) marked by a line."""
    shown, interval = funding_window(funding, days=days)
    with style():
        fig = new_figure(PANEL_HEIGHT_IN)
        (ax,) = stacked_axes(fig, (1.0,))
        hours = interval / HOUR
        title = f"{asset} funding rate · per {hours:g} h, last {days} days"
        decorate(fig, title=title, source=_funding_source(funding, shown, hours), demo=demo)
        if shown.empty:
            no_data(ax, "No funding data")
            return fig
        pct = shown["rate"].to_numpy(dtype="float64") * 100.0
        x = to_x(times_of(shown))
        colors = np.where(pct > 0, PALETTE.up, np.where(pct < 0, PALETTE.down, PALETTE.muted))
        width = BAR_WIDTH * (interval / DAY)
        boxes(
            ax, x, np.minimum(pct, 0.0), np.maximum(pct, 0.0), width, colors.tolist(), gid="rates"
        )
        ax.axhline(0.0, color=PALETTE.spine, linewidth=0.8, zorder=3)
        lo, hi = min(float(pct.min()), 0.0), max(float(pct.max()), 0.0)
        ax.set_ylim(*padded(lo, hi, 0.12))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_formatter(FuncFormatter(pct_tick))
        start, end = float(x[0]) - interval / DAY, float(x[-1]) + interval / DAY
        flip = value_of(facts, asset, FundingFlip)
        if flip is not None and start <= x_of(timestamp(flip.at)) <= end:
            at = timestamp(flip.at)
            _flip_line(ax, x_of(at), flip.to, at, right=x_of(at) > (start + end) / 2)
        last = float(pct[-1])
        color = PALETTE.up if last > 0 else PALETTE.down if last < 0 else PALETTE.muted
        gutter_tags(ax, [Tag(last, f"{last:+.4f}%", color, "funding-tag")])
        date_axis((ax,), start, end)
    return fig


def level_profile_chart(
    profile: LevelProfile,
    facts: Mapping[str, Fact],
    *,
    asset: str,
    demo: bool,
    span_pct: float = PROFILE_SPAN_PCT,
) -> Figure:
    """The model's estimated liquidation levels: USD per price bin as horizontal bars, shorts
    above and longs below the last price (a line), the nearest clusters labelled.

    Prices within ``span_pct`` of the last price are shown, more when a nearest cluster lies
    farther (the alt text says how much the model holds beyond).
    """
    lo, hi = profile_window(profile, facts, asset=asset, span_pct=span_pct)
    price = np.asarray(profile.price, dtype="float64")
    shorts = np.asarray(profile.short_usd, dtype="float64")
    longs = np.asarray(profile.long_usd, dtype="float64")
    inside = (price >= lo) & (price <= hi)
    with style():
        fig = new_figure(PROFILE_HEIGHT_IN)
        (ax,) = stacked_axes(fig, (1.0,), bottom_in=BOTTOM_IN + 0.26)
        title = f"{asset} estimated liquidation levels · a model estimate, not data"
        decorate(fig, title=title, source=_profile_source(profile), demo=demo)
        if not inside.any() or not (shorts[inside].sum() + longs[inside].sum()) > 0:
            no_data(ax, "No live levels near the price")
            return fig
        y, short_x, long_x = price[inside], shorts[inside], longs[inside]
        height = 0.82 * profile.bin_usd
        for values, base, color, gid in (
            (short_x, np.zeros(len(y)), PALETTE.up, "short-levels"),
            (long_x, short_x, PALETTE.down, "long-levels"),
        ):
            keep = values > 0
            hboxes(ax, y[keep], base[keep], base[keep] + values[keep], height, color, gid=gid)
        ax.set_xlim(0.0, float(np.max(short_x + long_x)) * PROFILE_ROOM)
        ax.set_ylim(lo, hi)
        price_axis(ax)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(share_tick if profile.relative else usd_amount))
        ax.yaxis.grid(False)
        level_line(ax, profile.last, PALETTE.price, gid="last")
        tags = [Tag(profile.last, usd(profile.last), PALETTE.price, "last-tag")]
        for side, color in (("short", PALETTE.up), ("long", PALETTE.down)):
            tags += _cluster_mark(ax, facts, asset, side, color, lo, hi)
        gutter_tags(ax, tags)
        _side_labels(ax)
    return fig


def liquidations_alt(
    liquidations: Dataset,
    hourly: Dataset | None,
    facts: Mapping[str, Fact],
    *,
    asset: str,
    hours: int = 72,
    as_of: pd.Timestamp | None = None,
) -> str:
    """Alt text of :func:`liquidations_chart` (same arguments)."""
    shown, length = liquidation_window(liquidations, hours=hours, as_of=as_of)
    if shown.empty:
        return f"{asset} liquidations chart: no liquidation data."
    total = shown["long_usd"] + shown["short_usd"]
    top = times_of(shown)[int(np.argmax(total.to_numpy()))]
    end = times_of(shown)[-1] + length
    text = f"{asset} liquidations per {_bucket_name(length, plain=True)} for the {hours} hours "
    text += f"to {when(end)}: {usd_amount(float(shown['short_usd'].sum()))} of shorts (above the "
    text += f"axis) and {usd_amount(float(shown['long_usd'].sum()))} of longs (below); the "
    text += f"largest bucket, {usd_amount(float(total.max()))}, opened {when(top)}"
    return text + (", with the price overlaid." if hourly is not None else ".")


def funding_alt(funding: Dataset, facts: Mapping[str, Fact], *, asset: str, days: int = 30) -> str:
    """Alt text of :func:`funding_chart`."""
    shown, interval = funding_window(funding, days=days)
    if shown.empty:
        return f"{asset} funding chart: no funding data."
    pct = shown["rate"] * 100.0
    text = f"{asset} settled funding rates per {interval / HOUR:g} h for the last {days} days, "
    text += f"from {pct.min():+.4f} % to {pct.max():+.4f} %, last {pct.iloc[-1]:+.4f} %"
    flip = value_of(facts, asset, FundingFlip)
    if flip is not None:
        text += f"; marked: the flip to {flip.to} at {when(timestamp(flip.at))}"
    return text + "."


def level_profile_alt(
    profile: LevelProfile,
    facts: Mapping[str, Fact],
    *,
    asset: str,
    span_pct: float = PROFILE_SPAN_PCT,
) -> str:
    """Alt text of :func:`level_profile_chart`."""
    lo, hi = profile_window(profile, facts, asset=asset, span_pct=span_pct)
    unit = "shares of the estimated total" if profile.relative else "estimated USD"
    text = f"{asset} estimated liquidation levels (a model estimate, not data): "
    text += f"{unit} by price from {usd(lo)} to {usd(hi)}, shorts above and longs below the last "
    text += f"price of {usd(profile.last)}"
    price = np.asarray(profile.price, dtype="float64")
    total = np.asarray(profile.short_usd) + np.asarray(profile.long_usd)
    beyond = float(total[(price < lo) | (price > hi)].sum())
    if beyond > 0:
        more = share_tick(beyond) if profile.relative else usd_amount(beyond)
        text += f" ({more} more lies beyond these prices)"
    marks = []
    for side, where in (("short", "above"), ("long", "below")):
        cluster = _cluster(facts, asset, side)
        if cluster is not None:
            at, amount, _ = cluster
            marks.append(f"the nearest estimated {side} cluster {where}, {amount} at {usd(at)}")
    return text + (f"; labelled: {' and '.join(marks)}." if marks else ".")


def liquidation_window(
    liquidations: Dataset, *, hours: int, as_of: pd.Timestamp | None
) -> tuple[pd.DataFrame, pd.Timedelta]:
    """The complete buckets of the last ``hours`` hours, and the bucket length.

    The bucket length is the median spacing of the rows (1 h for a single row).
    """
    frame = liquidations.frame
    times = times_of(frame)
    length = HOUR
    if len(times) > 1:
        length = pd.Timedelta(int(np.median(np.diff(times.as_unit("ns").asi8))), unit="ns")
    if as_of is not None:
        frame = frame[times + length <= as_of]
        times = times_of(frame)
    if frame.empty:
        return frame, length
    end = times[-1] + length
    return frame[times >= end - pd.Timedelta(hours=hours)], length


def funding_window(funding: Dataset, *, days: int) -> tuple[pd.DataFrame, pd.Timedelta]:
    """The prints of the last ``days`` days and the funding interval (their median spacing)."""
    frame = funding.frame
    times = times_of(frame)
    interval = 8 * HOUR
    if len(times) > 1:
        interval = pd.Timedelta(int(np.median(np.diff(times.as_unit("ns").asi8))), unit="ns")
    if frame.empty:
        return frame, interval
    return frame[times > times[-1] - pd.Timedelta(days=days)], interval


def profile_window(
    profile: LevelProfile, facts: Mapping[str, Fact], *, asset: str, span_pct: float
) -> tuple[float, float]:
    """Price limits of the profile chart: ``span_pct`` around the last price, widened to show
    a nearest cluster lying farther (with a bin to spare)."""
    lo = profile.last * (1.0 - span_pct / 100.0)
    hi = profile.last * (1.0 + span_pct / 100.0)
    for side in ("short", "long"):
        cluster = _cluster(facts, asset, side)
        if cluster is not None:
            lo = min(lo, cluster[0] - 2 * profile.bin_usd)
            hi = max(hi, cluster[0] + 2 * profile.bin_usd)
    return lo, hi


def _cluster(facts: Mapping[str, Fact], asset: str, side: str) -> tuple[float, str, float] | None:
    """Price, estimated size (USD, or the share of the side without a fitted scale) and
    distance in percent of the nearest cluster fact of one side."""
    kind = ShortClusterAbove if side == "short" else LongClusterBelow
    value = value_of(facts, asset, kind)
    if value is None:
        return None
    size = f"{value.share * 100:.0f} %" if value.usd is None else f"≈{usd_amount(value.usd)}"
    return value.price, size, value.distance_pct


def _cluster_mark(
    ax: Axes, facts: Mapping[str, Fact], asset: str, side: str, color: str, lo: float, hi: float
) -> list[Tag]:
    """A dashed line behind the bars and a label at the nearest cluster of one side, and its
    gutter tag (the price)."""
    cluster = _cluster(facts, asset, side)
    if cluster is None or not lo <= cluster[0] <= hi:
        return []
    at, amount, distance = cluster
    ax.axhline(
        at, color=color, linewidth=0.9, linestyle=(0, (4, 2)), zorder=1, gid=f"{side}-cluster"
    )
    ax.text(
        0.99,
        at,
        f"nearest estimated {side} cluster {amount} ({distance:+.1f} %)",
        transform=ax.get_yaxis_transform(),
        ha="right",
        va="bottom" if side == "short" else "top",
        fontsize=SMALL,
        color=color,
        fontweight="bold",
        gid=f"{side}-cluster-label",
        zorder=5,
    )
    return [Tag(at, usd(at), color, f"{side}-cluster-tag")]


def _side_labels(ax: Axes) -> None:
    """Which side is which, in the top and bottom right corners (the bars keep left)."""
    for y, va, text in (
        (0.97, "top", "shorts ↑ (hit on a rise)"),
        (0.03, "bottom", "longs ↓ (hit on a fall)"),
    ):
        ax.text(
            0.99,
            y,
            text,
            transform=ax.transAxes,
            ha="right",
            va=va,
            fontsize=SMALL,
            color=PALETTE.muted,
            zorder=5,
        )


def _two_sided(up: float, down: float) -> tuple[float, float]:
    """Y limits for bars above (``up``) and below (``-down``) zero, each side kept visible,
    with ``HEADROOM`` above for the legend."""
    up, down = max(up, 0.0), max(down, 0.0)
    big = max(up, down) or 1.0
    up, down = max(up, MIN_SIDE * big), max(down, MIN_SIDE * big)
    span = up + down
    return -down - 0.05 * span, up + HEADROOM * span


def _price_overlay(ax: Axes, hourly: Dataset, start: float, end: float) -> bool:
    """Hourly closes between ``start`` and ``end`` on a right-hand price axis; False if none."""
    interval = hourly.interval or HOUR
    x = to_x(times_of(hourly.frame) + interval)
    keep = (x >= start) & (x <= end)
    if not keep.any():
        return False
    close = hourly.frame["close"].to_numpy(dtype="float64")[keep]
    over = overlay_axes(ax)
    over.plot(x[keep], close, color=PALETTE.price, linewidth=1.2, zorder=4, gid="price")
    over.plot(x[keep][-1:], close[-1:], "o", color=PALETTE.price, markersize=3.0, clip_on=False)
    over.set_xlim(start, end)
    low, high = float(close.min()), float(close.max())
    span = (high - low) or abs(high) * 0.02 or 1.0
    over.set_ylim(low - 0.06 * span, high + (HEADROOM + 0.08) * span)
    price_axis(over, nbins=5)
    over.tick_params(axis="y", labelcolor=PALETTE.price)
    return True


def _legend(ax: Axes, handles: list[Line2D | Patch], labels: list[str]) -> None:
    ax.legend(
        handles,
        labels,
        loc="upper left",
        ncol=len(labels),
        fontsize=SMALL,
        handlelength=1.4,
        borderaxespad=0.25,
        frameon=True,
        framealpha=0.85,
        edgecolor="none",
        labelcolor=PALETTE.muted,
    )


def _flip_line(ax: Axes, x: float, to: str, at: pd.Timestamp, *, right: bool) -> None:
    """The vertical flip line and its label, on the side of the line with more room."""
    ax.axvline(x, color=PALETTE.level, linewidth=1.0, linestyle=(0, (4, 2)), zorder=4, gid="flip")
    ax.annotate(
        f"flipped {to} · {at.day} {at:%b %H:%M}",
        xy=(x, 0.97),
        xycoords=("data", "axes fraction"),
        xytext=(-4 if right else 4, 0),
        textcoords="offset points",
        ha="right" if right else "left",
        va="top",
        fontsize=SMALL,
        color=PALETTE.level,
        fontweight="bold",
        bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        zorder=6,
        gid="flip-label",
    )


def _bucket_name(length: pd.Timedelta, *, plain: bool = False) -> str:
    if length == HOUR:
        return "hour" if plain else "hourly"
    return f"{length / HOUR:g} h"


def _liq_source(
    liquidations: Dataset, hourly: Dataset | None, shown: pd.DataFrame, length: pd.Timedelta
) -> str:
    text = f"Source: {liquidations.source} (liquidations)"
    if hourly is not None and hourly.source != liquidations.source:
        text += f", {hourly.source} (price)"
    text += f". {_bucket_name(length, plain=True).capitalize()} buckets, UTC"
    if not shown.empty:
        text += f", to {when(times_of(shown)[-1] + length)}"
    return text + "."


def _funding_source(funding: Dataset, shown: pd.DataFrame, hours: float) -> str:
    text = f"Source: {funding.source}. Settled funding rate in % per {hours:g} h interval, UTC"
    if not shown.empty:
        text += f"; last print {when(times_of(shown)[-1])}"
    return text + "."


def _profile_source(profile: LevelProfile) -> str:
    names = ", ".join(profile.sources) or "open interest and candles"
    to = f", to {when(profile.to)}" if profile.to is not None else ""
    text = f"Model estimate (not data) from {names}{to}.\n"
    text += f"Model: {profile.model}.\n"
    step = usd_amount(profile.bin_usd)
    if profile.relative:
        return text + (
            f"Bars: share of the estimated total per {step} bin (too little liquidation "
            "history to scale them); dark line: last price."
        )
    return text + (
        f"Bars: estimated USD per {step} bin, scaled to realized liquidations; clusters sum "
        "3 bins; dark line: last price."
    )
