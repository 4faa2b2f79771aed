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
from analysis.price import change_24h
from models import Dataset

HOUR, DAY = pd.Timedelta(hours=1), pd.Timedelta(days=1)
YEAR = pd.Timedelta(days=365)
FLIP_WINDOW = pd.Timedelta(hours=72)
MEDIAN_WINDOW = pd.Timedelta(days=30)
MIN_HISTORY = pd.Timedelta(days=7)
"""A 30-day median needs at least this much history inside the 30 days."""


# --- funding -----------------------------------------------------------------------------------


def funding_rate(funding: Dataset) -> Reading | None:
    """The latest settled funding rate in percent per interval, annualised over a 365-day year.

    The interval is the time between the last two prints (8 h on Binance), so annualised =
    rate × (365 days / interval).
    """
    rate = funding.frame["rate"]
    if len(rate) < 2:
        return None
    interval = stamp(rate.index[-1]) - stamp(rate.index[-2])
    pct = float(rate.iloc[-1]) * 100.0
    value: dict[str, Any] = {"pct": pct, "annualised_pct": pct * (YEAR / interval)}
    value |= {"interval_hours": interval / HOUR}
    return Reading(value, "rate", (funding,), {"time": iso(stamp(rate.index[-1]))})


def funding_flip(
    funding: Dataset, as_of: pd.Timestamp, *, within: pd.Timedelta = FLIP_WINDOW
) -> Reading | None:
    """The latest change of sign of the settled funding rate, when it happened within 72 hours.

    ``at`` is the time of the first print of the new sign; ``prints_since`` counts the prints
    from that one on (it included); ``current_pct`` is the latest rate in percent. Prints of
    exactly zero have no sign and are skipped.
    """
    rate = funding.frame["rate"]
    signed = rate[rate != 0.0]
    sign = np.sign(signed.to_numpy())
    changes = np.flatnonzero(sign[1:] != sign[:-1]) + 1
    if not len(changes):
        return None
    at = stamp(signed.index[changes[-1]])
    if at < as_of - within:
        return None
    names = {1.0: "positive", -1.0: "negative"}
    value: dict[str, Any] = {"from": names[sign[changes[-1] - 1]], "to": names[sign[changes[-1]]]}
    value |= {"at": iso(at), "prints_since": int((rate.index >= at).sum())}
    value |= {"current_pct": float(rate.iloc[-1]) * 100.0}
    evidence: dict[str, Any] = {"previous_pct": float(signed.iloc[changes[-1] - 1]) * 100.0}
    evidence |= {"previous_time": iso(stamp(signed.index[changes[-1] - 1]))}
    return Reading(value, "state", (funding,), evidence)


# --- open interest -----------------------------------------------------------------------------


def open_interest_usd(open_interest: Dataset) -> Reading | None:
    """Open interest in USD at the newest row."""
    oi = open_interest.frame["oi_usd"]
    if oi.empty:
        return None
    return Reading(float(oi.iloc[-1]), "USD", (open_interest,), {"time": iso(stamp(oi.index[-1]))})


def open_interest_change_24h(
    open_interest: Dataset, *, tolerance: pd.Timedelta = HOUR
) -> Reading | None:
    """Percent change of open interest against the row 24 hours before the newest one.

    The reference is the last row at or before then, and at most ``tolerance`` older.
    """
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
) -> Reading | None:
    window = complete_buckets(liquidations, as_of, span)
    if window is None:
        return None
    usd = float(window[column].sum() if column else window.to_numpy().sum())
    evidence: dict[str, Any] = {"from": iso(stamp(window.index[0]) - bucket_length(liquidations))}
    evidence |= {"to": iso(stamp(window.index[-1])), "buckets": len(window)}
    return Reading(usd, "USD", (liquidations,), evidence)


def liquidations_1h(liquidations: Dataset, as_of: pd.Timestamp) -> Reading | None:
    """USD of long and short positions liquidated in the last complete hour."""
    return _liquidated(liquidations, as_of, HOUR, None)


def liquidations_24h(liquidations: Dataset, as_of: pd.Timestamp) -> Reading | None:
    """USD of long and short positions liquidated in the last 24 complete hours.

    The buckets counted are those ending in ``(as_of − 24 h, as_of]``: at 08:00Z, the hourly
    buckets opened 08:00Z yesterday to 07:00Z today (a bucket opened at ``as_of`` is still
    running). Absent when the data does not cover the whole window or is an hour stale.
    """
    return _liquidated(liquidations, as_of, DAY, None)


def long_liquidations_24h(liquidations: Dataset, as_of: pd.Timestamp) -> Reading | None:
    """USD of long positions liquidated in the last 24 complete hours."""
    return _liquidated(liquidations, as_of, DAY, "long_usd")


def short_liquidations_24h(liquidations: Dataset, as_of: pd.Timestamp) -> Reading | None:
    """USD of short positions liquidated in the last 24 complete hours."""
    return _liquidated(liquidations, as_of, DAY, "short_usd")


def short_share_24h(liquidations: Dataset, as_of: pd.Timestamp) -> Reading | None:
    """Shorts' share (0-1) of the USD liquidated in the last 24 complete hours."""
    window = complete_buckets(liquidations, as_of, DAY)
    if window is None or float(window.to_numpy().sum()) <= 0:
        return None
    shorts, total = float(window["short_usd"].sum()), float(window.to_numpy().sum())
    evidence = {"short_usd": shorts, "total_usd": total, "to": iso(stamp(window.index[-1]))}
    return Reading(shorts / total, "ratio", (liquidations,), evidence)


def liquidation_spike(liquidations: Dataset, as_of: pd.Timestamp) -> Reading | None:
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


def squeeze(
    liquidations: Dataset,
    candles: Dataset,
    as_of: pd.Timestamp,
    *,
    min_move_pct: float = 2.0,
    min_share: float = 0.70,
    min_multiple: float = 3.0,
) -> Reading | None:
    """A short (long) squeeze: price up (down) at least 2 % in 24 h, the squeezed side at least
    70 % of the USD liquidated in 24 h, and that total at least 3× its 30-day median 24 h total.

    ``liquidated_usd`` is the 24 h total of both sides; ``share`` the squeezed side's part (0-1).
    """
    move = change_24h(candles)
    window = complete_buckets(liquidations, as_of, DAY)
    median = median_24h_total(liquidations, as_of)
    if move is None or window is None or median is None or not isinstance(move.value, float):
        return None
    side = "short" if move.value > 0 else "long"
    total, side_usd = float(window.to_numpy().sum()), float(window[f"{side}_usd"].sum())
    if total <= 0 or not _at_least(abs(move.value), min_move_pct):
        return None
    if not (_at_least(side_usd, min_share * total) and _at_least(total, min_multiple * median)):
        return None
    value: dict[str, Any] = {"side": side, "price_change_pct": move.value}
    value |= {"liquidated_usd": total}
    value |= {"share": side_usd / total}
    evidence: dict[str, Any] = {
        "side_usd": side_usd,
        "median_24h_usd": median,
        "multiple": total / median,
    }
    evidence |= {"to": iso(stamp(window.index[-1]))}
    return Reading(value, "state", (liquidations, candles), evidence)


# --- positioning -------------------------------------------------------------------------------


def long_account_pct(long_short: Dataset) -> Reading | None:
    """Percent (0-100) of accounts that are net long, at the newest row."""
    pct = long_short.frame["long_pct"]
    if pct.empty:
        return None
    return Reading(float(pct.iloc[-1]), "pct", (long_short,), {"time": iso(stamp(pct.index[-1]))})


def majority(long_short: Dataset) -> Reading | None:
    """The side most accounts are net on and its percent; absent at exactly 50/50.

    Evidence ``since``: the first row of the current majority's unbroken run (null when it
    held throughout the data).
    """
    pct = long_short.frame["long_pct"]
    if pct.empty or float(pct.iloc[-1]) == 50.0:
        return None
    last = float(pct.iloc[-1])
    side, share = ("long", last) if last > 50.0 else ("short", 100.0 - last)
    same = (pct > 50.0) if side == "long" else (pct < 50.0)
    broken = np.flatnonzero(~same.to_numpy())
    since = None if not len(broken) else iso(stamp(pct.index[broken[-1] + 1]))
    evidence = {"long_pct": last, "time": iso(stamp(pct.index[-1])), "since": since}
    return Reading({"side": side, "pct": share}, "state", (long_short,), evidence)
