"""Derivatives facts: funding, open interest, liquidations and account positioning.

Every frame is already cut at ``as_of`` (rows stamped at or before it). Notes on time:

- Funding rows are *settled* prints: the rate paid at ``time``, as a fraction per interval.
- A liquidation row covers the bucket ``[time, time + length)`` and is complete at its end; the
  bucket length is the typical spacing of the rows (hourly, or coarser). "The last 24 hours" at
  ``as_of`` are the complete buckets ending in ``(as_of − 24 h, as_of]``: at 08:00Z the hourly
  buckets opened 08:00Z yesterday to 07:00Z today. A bucket opened at ``as_of`` itself (kept by
  the cut, since its row is stamped then) is still running and never counts.
- A window only counts when the data covers it: the history starts at or before the window's
  start and the newest complete bucket ended within one bucket length of ``as_of``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.base import Reading, iso, pct_change, stamp
from analysis.price import change_24h_pct as price_change_24h
from analysis.registry import Registry, fixed
from models import Dataset, Fact
from values import FundingFlip, FundingRate, Majority, Side, Squeeze, as_number, as_value

HOUR, DAY = pd.Timedelta(hours=1), pd.Timedelta(days=1)
YEAR = pd.Timedelta(days=365)
FLIP_WINDOW = pd.Timedelta(hours=72)
MEDIAN_WINDOW = pd.Timedelta(days=30)
MIN_HISTORY = pd.Timedelta(days=7)
"""A 30-day median needs at least this much history inside the 30 days."""
OI_TOLERANCE = HOUR
"""How much older than 24 hours the open-interest reference row may be."""

register = Registry(section="derivatives")


# --- funding -----------------------------------------------------------------------------------


def _score_rate(fact: Fact) -> float:
    """35 at 30 % a year or more either way, else 5."""
    return 35.0 if abs(as_value(fact, FundingRate).annualised_pct) >= 30.0 else 5.0


@register("funding.rate", score=_score_rate, topic="leverage", order=1)
def rate(funding: Dataset) -> Reading[FundingRate] | None:
    """The latest settled funding rate in percent per interval, annualised over a 365-day year.

    The interval is the time between the last two prints (8 h on Binance), so annualised =
    rate × (365 days / interval).
    """
    rates = funding.frame["rate"]
    if len(rates) < 2:
        return None
    interval = stamp(rates.index[-1]) - stamp(rates.index[-2])
    pct = float(rates.iloc[-1]) * 100.0
    value = FundingRate(pct, pct * (YEAR / interval), interval / HOUR)
    return Reading(value, "rate", (funding,), {"time": iso(stamp(rates.index[-1]))})


def _score_flip(fact: Fact) -> float:
    """50 plus 1 per 0.001 % of the current rate, at most 65."""
    return 50.0 + min(15.0, 1000.0 * abs(as_value(fact, FundingFlip).current_pct))


@register("funding.flip", score=_score_flip, topic="leverage", order=2)
def flip(funding: Dataset, as_of: pd.Timestamp) -> Reading[FundingFlip] | None:
    """The latest change of sign of the settled funding rate, when it happened within 72 hours.

    ``at`` is the time of the first print of the new sign; ``prints_since`` counts the prints
    from that one on (it included); ``current_pct`` is the latest rate in percent. Prints of
    exactly zero have no sign and are skipped.
    """
    rates = funding.frame["rate"]
    signed = rates[rates != 0.0]
    sign = np.sign(signed.to_numpy())
    changes = np.flatnonzero(sign[1:] != sign[:-1]) + 1
    if not len(changes):
        return None
    at = stamp(signed.index[changes[-1]])
    if at < as_of - FLIP_WINDOW:
        return None
    value = FundingFlip(
        from_="positive" if sign[changes[-1] - 1] > 0 else "negative",
        to="positive" if sign[changes[-1]] > 0 else "negative",
        at=iso(at),
        prints_since=int((rates.index >= at).sum()),
        current_pct=float(rates.iloc[-1]) * 100.0,
    )
    evidence: dict[str, Any] = {"previous_pct": float(signed.iloc[changes[-1] - 1]) * 100.0}
    evidence |= {"previous_time": iso(stamp(signed.index[changes[-1] - 1]))}
    return Reading(value, "state", (funding,), evidence)


# --- open interest -----------------------------------------------------------------------------


@register("open_interest.usd", topic="leverage", order=3)
def usd(open_interest: Dataset) -> Reading[float] | None:
    """Open interest in USD at the newest row."""
    oi = open_interest.frame["oi_usd"]
    if oi.empty:
        return None
    return Reading(float(oi.iloc[-1]), "USD", (open_interest,), {"time": iso(stamp(oi.index[-1]))})


def _score_oi_change(fact: Fact) -> float:
    """5 plus 4 per percent of change, at most 45."""
    return min(45.0, 5.0 + 4.0 * abs(as_number(fact)))


@register("open_interest.change_24h_pct", score=_score_oi_change, topic="leverage", order=4)
def change_24h_pct(open_interest: Dataset) -> Reading[float] | None:
    """Percent change of open interest against the row 24 hours before the newest one.

    The reference is the last row at or before then, and at most an hour older.
    """
    return oi_change_24h(open_interest, tolerance=OI_TOLERANCE)


def oi_change_24h(open_interest: Dataset, *, tolerance: pd.Timedelta) -> Reading[float] | None:
    """``open_interest.change_24h_pct`` with a reference row at most ``tolerance`` older than
    24 hours before the newest row."""
    oi = open_interest.frame["oi_usd"]
    if oi.empty:
        return None
    now = stamp(oi.index[-1])
    ref = oi[oi.index <= now - DAY]
    if ref.empty or now - DAY - stamp(ref.index[-1]) > tolerance or float(ref.iloc[-1]) <= 0:
        return None
    evidence = {"oi_usd": float(oi.iloc[-1]), "time": iso(now)}
    evidence |= {"previous_oi_usd": float(ref.iloc[-1]), "previous_time": iso(stamp(ref.index[-1]))}
    return Reading(
        pct_change(float(oi.iloc[-1]), float(ref.iloc[-1])), "pct", (open_interest,), evidence
    )


# --- liquidations ------------------------------------------------------------------------------


def bucket_length(liquidations: Dataset) -> pd.Timedelta:
    """The length of one liquidation bucket: the median spacing of the rows (1 h for one row)."""
    times = pd.DatetimeIndex(liquidations.frame.index).as_unit("ns")
    if len(times) < 2:
        return HOUR
    return pd.Timedelta(int(np.median(np.diff(times.asi8))), unit="ns")


def complete_buckets(
    liquidations: Dataset, as_of: pd.Timestamp, span: pd.Timedelta
) -> pd.DataFrame | None:
    """The complete buckets ending in ``(as_of − span, as_of]``, indexed by their end time.

    None when the history does not reach back to the window's start, when the newest complete
    bucket ended more than one bucket length before ``as_of``, or when a bucket is longer than
    the window.
    """
    length = bucket_length(liquidations)
    frame = liquidations.frame[["long_usd", "short_usd"]]
    frame = frame.set_axis(pd.DatetimeIndex(frame.index) + length)
    done = frame[frame.index <= as_of]
    if length > span or done.empty or done.index[-1] <= as_of - length:
        return None
    if stamp(liquidations.frame.index[0]) > as_of - span:
        return None
    return done[done.index > as_of - span]


def _liquidated(
    liquidations: Dataset, as_of: pd.Timestamp, span: pd.Timedelta, column: str | None
) -> Reading[float] | None:
    window = complete_buckets(liquidations, as_of, span)
    if window is None:
        return None
    usd = float(window[column].sum() if column else window.to_numpy().sum())
    evidence: dict[str, Any] = {"from": iso(stamp(window.index[0]) - bucket_length(liquidations))}
    evidence |= {"to": iso(stamp(window.index[-1])), "buckets": len(window)}
    return Reading(usd, "USD", (liquidations,), evidence)


@register("liquidations.total_1h_usd", order=11)
def total_1h_usd(liquidations: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """USD of long and short positions liquidated in the last complete hour."""
    return _liquidated(liquidations, as_of, HOUR, None)


@register("liquidations.total_24h_usd", score=fixed(10.0), order=5)
def total_24h_usd(liquidations: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """USD of long and short positions liquidated in the last 24 complete hours.

    The buckets counted are those ending in ``(as_of − 24 h, as_of]``: at 08:00Z, the hourly
    buckets opened 08:00Z yesterday to 07:00Z today (a bucket opened at ``as_of`` is still
    running). Absent when the data does not cover the whole window or is an hour stale.
    """
    return _liquidated(liquidations, as_of, DAY, None)


@register("liquidations.long_24h_usd", order=8)
def long_24h_usd(liquidations: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """USD of long positions liquidated in the last 24 complete hours."""
    return _liquidated(liquidations, as_of, DAY, "long_usd")


@register("liquidations.short_24h_usd", order=6, covered_by="liquidations.short_share_24h")
def short_24h_usd(liquidations: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """USD of short positions liquidated in the last 24 complete hours."""
    return _liquidated(liquidations, as_of, DAY, "short_usd")


@register("liquidations.short_share_24h", order=7)
def short_share_24h(liquidations: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """Shorts' share (0-1) of the USD liquidated in the last 24 complete hours."""
    window = complete_buckets(liquidations, as_of, DAY)
    if window is None or float(window.to_numpy().sum()) <= 0:
        return None
    shorts, total = float(window["short_usd"].sum()), float(window.to_numpy().sum())
    evidence = {"short_usd": shorts, "total_usd": total, "to": iso(stamp(window.index[-1]))}
    return Reading(shorts / total, "ratio", (liquidations,), evidence)


def _score_spike(fact: Fact) -> float:
    """0 under 3 times the median hour, else 4 per multiple, at most 50."""
    multiple = as_number(fact)
    return 0.0 if multiple < 3.0 else min(50.0, 4.0 * multiple)


@register("liquidations.spike", score=_score_spike, order=10)
def spike(liquidations: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """The largest hour of liquidations of the last 24 hours, as a multiple of the median hour
    of the last 30 days (hourly buckets only).
    """
    if bucket_length(liquidations) != HOUR:
        return None
    day_ = complete_buckets(liquidations, as_of, DAY)
    month = _month(liquidations, as_of)
    if day_ is None or month is None:
        return None
    hours, median = day_.sum(axis=1), float(month.sum(axis=1).median())
    if median <= 0:
        return None
    top = stamp(hours.idxmax())
    evidence: dict[str, Any] = {"hour": iso(top - HOUR), "usd": float(hours.max())}
    evidence |= {"long_usd": float(day_["long_usd"].loc[top])}
    evidence |= {"short_usd": float(day_["short_usd"].loc[top]), "median_hour_usd": median}
    return Reading(float(hours.max()) / median, "ratio", (liquidations,), evidence)


def _month(liquidations: Dataset, as_of: pd.Timestamp) -> pd.DataFrame | None:
    """Complete buckets of the last 30 days, when at least ``MIN_HISTORY`` of them exist."""
    frame = complete_buckets(
        liquidations, as_of, min(MEDIAN_WINDOW, as_of - liquidations.frame.index[0])
    )
    if frame is None or frame.index[-1] - frame.index[0] < MIN_HISTORY - HOUR:
        return None
    return frame


def median_24h_total(liquidations: Dataset, as_of: pd.Timestamp) -> float | None:
    """Median of the 24-hour liquidation totals ending at each bucket of the last 30 days.

    Only totals whose 24 hours the history covers count.
    """
    month = _month(liquidations, as_of)
    if month is None:
        return None
    totals = liquidations.frame[["long_usd", "short_usd"]].sum(axis=1)
    totals = totals.set_axis(pd.DatetimeIndex(totals.index) + bucket_length(liquidations))
    rolling = totals[totals.index <= as_of].rolling(DAY).sum()
    first_full = stamp(liquidations.frame.index[0]) + DAY
    kept = rolling[(rolling.index >= first_full) & (rolling.index > as_of - MEDIAN_WINDOW)]
    return None if kept.empty else float(kept.median())


def _at_least(x: float, threshold: float) -> bool:
    """``x ≥ threshold``, forgiving the last bits of float rounding (a threshold hit exactly)."""
    return x >= threshold - 1e-9 * abs(threshold)


def _score_squeeze(fact: Fact) -> float:
    """65 plus 1 per $20M liquidated, at most 90."""
    return 65.0 + min(25.0, as_value(fact, Squeeze).liquidated_usd / 20e6)


@register("liquidations.squeeze", score=_score_squeeze, order=9)
def squeeze(
    liquidations: Dataset,
    candles: Dataset,
    as_of: pd.Timestamp,
    *,
    squeeze_min_move_pct: float,
    squeeze_min_share: float,
    squeeze_min_multiple: float,
) -> Reading[Squeeze] | None:
    """A short (long) squeeze: price up (down) at least 2 % in 24 h, the squeezed side at least
    70 % of the USD liquidated in 24 h, and that total at least 3× its 30-day median 24 h total
    (the ``[analysis]`` settings' defaults).

    ``liquidated_usd`` is the 24 h total of both sides; ``share`` the squeezed side's part (0-1).
    """
    move = price_change_24h(candles)
    window = complete_buckets(liquidations, as_of, DAY)
    median = median_24h_total(liquidations, as_of)
    if move is None or window is None or median is None:
        return None
    side: Side = "short" if move.value > 0 else "long"
    total, side_usd = float(window.to_numpy().sum()), float(window[f"{side}_usd"].sum())
    if total <= 0 or not _at_least(abs(move.value), squeeze_min_move_pct):
        return None
    enough = _at_least(side_usd, squeeze_min_share * total)
    if not (enough and _at_least(total, squeeze_min_multiple * median)):
        return None
    value = Squeeze(side, move.value, total, side_usd / total)
    evidence: dict[str, Any] = {
        "side_usd": side_usd,
        "median_24h_usd": median,
        "multiple": total / median,
    }
    evidence |= {"to": iso(stamp(window.index[-1]))}
    return Reading(value, "state", (liquidations, candles), evidence)


# --- positioning -------------------------------------------------------------------------------


@register("positioning.long_pct", topic="positioning", order=12, covered_by="positioning.majority")
def long_pct(long_short: Dataset) -> Reading[float] | None:
    """Percent (0-100) of accounts that are net long, at the newest row."""
    pct = long_short.frame["long_pct"]
    if pct.empty:
        return None
    return Reading(float(pct.iloc[-1]), "pct", (long_short,), {"time": iso(stamp(pct.index[-1]))})


def _score_majority(fact: Fact) -> float:
    """15 when 60 % of accounts or more are on one side, else 5."""
    return 15.0 if as_value(fact, Majority).pct >= 60.0 else 5.0


@register("positioning.majority", score=_score_majority, topic="positioning", order=13)
def majority(long_short: Dataset) -> Reading[Majority] | None:
    """The side most accounts are net on and its percent; absent at exactly 50/50.

    Evidence ``since``: the first row of the current majority's unbroken run (null when it
    held throughout the data).
    """
    pct = long_short.frame["long_pct"]
    if pct.empty or float(pct.iloc[-1]) == 50.0:
        return None
    last = float(pct.iloc[-1])
    side: Side
    side, share = ("long", last) if last > 50.0 else ("short", 100.0 - last)
    same = (pct > 50.0) if side == "long" else (pct < 50.0)
    broken = np.flatnonzero(~same.to_numpy())
    since = None if not len(broken) else iso(stamp(pct.index[broken[-1] + 1]))
    evidence = {"long_pct": last, "time": iso(stamp(pct.index[-1])), "since": since}
    return Reading(Majority(side, share), "state", (long_short,), evidence)
