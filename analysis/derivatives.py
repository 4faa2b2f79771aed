"""Derivatives facts: funding, open interest, liquidations and account positioning.

Every frame is already cut at ``as_of`` (rows stamped at or before it). Notes on time:

- Funding rows are *settled* prints: the rate paid at ``time``, as a fraction per interval.
- A liquidation row covers the bucket ``[time, time + length)`` and is complete at its end; the
  bucket length is the typical spacing of the rows (hourly, or coarser). A 24-hour total covers
  the 24 hours ending where the newest complete bucket ends (``to``): at 08:00Z the hourly
  buckets opened 08:00Z yesterday to 07:00Z today; with 4-hour buckets at 07:00Z, the six
  opened 04:00Z yesterday to 00:00Z today (``to`` 04:00Z, before ``as_of``: evidence
  ``ends_at_as_of`` false, and the note names the window). A bucket opened at ``as_of`` itself
  (kept by the cut, since its row is stamped then) is still running and never counts.
- A window only counts when its buckets tile it: every bucket of it present (a missing hour
  makes the total absent, never a total of fewer hours), the window a whole number of
  buckets, and the newest complete bucket ended within one bucket length of ``as_of``.
- Evidence ``venues`` names the exchanges a dataset covers (``Dataset.venues``, from the
  snapshot's manifest; empty when it does not say), for the sentences that name them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.base import Reading, closes, iso, pct_change, stamp
from analysis.registry import Registry, fixed
from models import Dataset, Fact
from settings import NarrativeSettings
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


@register("funding.rate", score=_score_rate)
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
    evidence = {"time": iso(stamp(rates.index[-1])), "venues": list(funding.venues)}
    return Reading(value, "rate", (funding,), evidence)


def _score_flip(fact: Fact) -> float:
    """50 plus 1 per 0.001 % of the current rate, at most 65."""
    return 50.0 + min(15.0, 1000.0 * abs(as_value(fact, FundingFlip).current_pct))


@register("funding.flip", score=_score_flip)
def flip(
    funding: Dataset,
    as_of: pd.Timestamp,
    *,
    funding_flip_min_prints: int,
    funding_flip_min_pct: float,
) -> Reading[FundingFlip] | None:
    """The latest change of sign of the settled funding rate, when it happened within 72 hours
    and ended a regime: at least ``funding_flip_min_prints`` (3) prints of the old sign in a
    row before it, averaging at least ``funding_flip_min_pct`` (0.001 %) either way.

    ``at`` is the time of the first print of the new sign; ``prints_since`` counts the prints
    from that one on (it included); ``current_pct`` is the latest rate in percent. Prints of
    exactly zero have no sign and are skipped. Evidence: ``prior_prints``, ``prior_mean_pct``
    and ``prior_since`` (its first print; null when the run reaches back to the first row, so
    it may be longer), and ``previous_pct``/``previous_time``, the last print of the old sign.
    """
    rates = funding.frame["rate"]
    signed = rates[rates != 0.0]
    sign = np.sign(signed.to_numpy())
    changes = np.flatnonzero(sign[1:] != sign[:-1]) + 1
    if not len(changes):
        return None
    i = int(changes[-1])
    at = stamp(signed.index[i])
    start = int(changes[-2]) if len(changes) > 1 else 0
    prior = signed.iloc[start:i]
    mean_pct = float(prior.mean()) * 100.0
    regime = len(prior) >= funding_flip_min_prints and abs(mean_pct) >= funding_flip_min_pct
    if at < as_of - FLIP_WINDOW or not regime:
        return None
    value = FundingFlip(
        from_="positive" if sign[i - 1] > 0 else "negative",
        to="positive" if sign[i] > 0 else "negative",
        at=iso(at),
        prints_since=int((rates.index >= at).sum()),
        current_pct=float(rates.iloc[-1]) * 100.0,
    )
    evidence: dict[str, Any] = {"previous_pct": float(signed.iloc[i - 1]) * 100.0}
    evidence |= {"previous_time": iso(stamp(signed.index[i - 1]))}
    evidence |= {"prior_prints": len(prior), "prior_mean_pct": mean_pct}
    evidence |= {"prior_since": iso(stamp(prior.index[0])) if start else None}
    return Reading(value, "state", (funding,), evidence)


# --- open interest -----------------------------------------------------------------------------


@register("open_interest.usd")
def usd(open_interest: Dataset) -> Reading[float] | None:
    """Open interest in USD at the newest row, summed over the venues of evidence ``venues``."""
    oi = open_interest.frame["oi_usd"]
    if oi.empty:
        return None
    evidence = {"time": iso(stamp(oi.index[-1])), "venues": list(open_interest.venues)}
    return Reading(float(oi.iloc[-1]), "USD", (open_interest,), evidence)


def _score_oi_change(fact: Fact) -> float:
    """5 plus 4 per percent of change, at most 45."""
    return min(45.0, 5.0 + 4.0 * abs(as_number(fact)))


@register("open_interest.change_24h_pct", score=_score_oi_change)
def change_24h_pct(open_interest: Dataset) -> Reading[float] | None:
    """Percent change of open interest against the row 24 hours before the newest one.

    The reference is the last row at or before then, and at most an hour older (evidence
    ``hours``: how long before the newest row it is, 24 when exactly a day).
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
    evidence |= {"hours": (now - stamp(ref.index[-1])) / HOUR}
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


def _ended(liquidations: Dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    """The buckets complete at ``as_of``, long and short USD, indexed by their end time."""
    frame = liquidations.frame[["long_usd", "short_usd"]]
    frame = frame.set_axis(pd.DatetimeIndex(frame.index) + bucket_length(liquidations))
    return frame[frame.index <= as_of]


def complete_buckets(
    liquidations: Dataset, as_of: pd.Timestamp, span: pd.Timedelta
) -> pd.DataFrame | None:
    """The buckets tiling the ``span`` that ends where the newest complete bucket ends, indexed
    by their end time.

    None when the newest complete bucket ended a bucket length or more before ``as_of``, when
    ``span`` is not a whole number of buckets, or when any bucket of the span is missing (the
    history starts later, or a gap): never a shorter window.
    """
    length = bucket_length(liquidations)
    done = _ended(liquidations, as_of)
    if done.empty or done.index[-1] <= as_of - length or span % length:
        return None
    end = stamp(done.index[-1])
    window = done[done.index > end - span]
    tiles = pd.date_range(end - span + length, end, freq=length)
    return window if window.index.equals(tiles) else None


def _window(liquidations: Dataset, window: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, Any]:
    """The evidence of a window of ``complete_buckets``: ``from``, ``to``, ``buckets``,
    ``bucket_hours``, ``ends_at_as_of`` (whether ``to`` is ``as_of``: the note then says "the
    past 24 hours", else names the window) and the ``venues`` of the data."""
    length = bucket_length(liquidations)
    to = stamp(window.index[-1])
    evidence: dict[str, Any] = {"from": iso(stamp(window.index[0]) - length), "to": iso(to)}
    evidence |= {"buckets": len(window), "bucket_hours": length / HOUR}
    evidence |= {"ends_at_as_of": bool(to == as_of), "venues": list(liquidations.venues)}
    return evidence


def _liquidated(
    liquidations: Dataset, as_of: pd.Timestamp, span: pd.Timedelta, column: str | None
) -> Reading[float] | None:
    window = complete_buckets(liquidations, as_of, span)
    if window is None:
        return None
    usd = float(window[column].sum() if column else window.to_numpy().sum())
    return Reading(usd, "USD", (liquidations,), _window(liquidations, window, as_of))


@register("liquidations.total_1h_usd")
def total_1h_usd(liquidations: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """USD of long and short positions liquidated in the last complete hour (hourly buckets)."""
    return _liquidated(liquidations, as_of, HOUR, None)


@register("liquidations.total_24h_usd", score=fixed(10.0))
def total_24h_usd(liquidations: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """USD of long and short positions liquidated in the 24 hours to the end of the newest
    complete bucket.

    With hourly buckets at 08:00Z, those opened 08:00Z yesterday to 07:00Z today (a bucket
    opened at ``as_of`` is still running); with coarser ones the window may end before
    ``as_of`` (evidence ``to``, ``ends_at_as_of``). Absent unless the buckets tile the 24 hours
    (one missing makes it absent) and the newest ended within a bucket length of ``as_of``.
    """
    return _liquidated(liquidations, as_of, DAY, None)


@register("liquidations.long_24h_usd")
def long_24h_usd(liquidations: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """USD of long positions liquidated in ``liquidations.total_24h_usd``'s 24 hours."""
    return _liquidated(liquidations, as_of, DAY, "long_usd")


@register("liquidations.short_24h_usd")
def short_24h_usd(liquidations: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """USD of short positions liquidated in ``liquidations.total_24h_usd``'s 24 hours."""
    return _liquidated(liquidations, as_of, DAY, "short_usd")


@register("liquidations.short_share_24h")
def short_share_24h(liquidations: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """Shorts' share (0-1) of the USD liquidated in ``liquidations.total_24h_usd``'s 24 hours."""
    window = complete_buckets(liquidations, as_of, DAY)
    if window is None or float(window.to_numpy().sum()) <= 0:
        return None
    shorts, total = float(window["short_usd"].sum()), float(window.to_numpy().sum())
    evidence = {"short_usd": shorts, "total_usd": total} | _window(liquidations, window, as_of)
    return Reading(shorts / total, "ratio", (liquidations,), evidence)


def _score_spike(fact: Fact) -> float:
    """0 under 3 times the median hour, else 4 per multiple, at most 50."""
    multiple = as_number(fact)
    return 0.0 if multiple < 3.0 else min(50.0, 4.0 * multiple)


def _worth_spike(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when at least ``spike_min_multiple`` (10) times the median hour."""
    return as_number(fact) >= narrative.spike_min_multiple


@register("liquidations.spike", score=_score_spike, worth=_worth_spike)
def spike(liquidations: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """The largest hour of liquidations of ``liquidations.total_24h_usd``'s 24 hours, as a
    multiple of the median hour of the 30 days to its end (the hours present; hourly buckets
    only).
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
    """The complete buckets of the 30 days to the newest one's end (a missing bucket is left
    out, not filled), when they span at least ``MIN_HISTORY``."""
    done = _ended(liquidations, as_of)
    if done.empty:
        return None
    frame: pd.DataFrame = done[done.index > done.index[-1] - MEDIAN_WINDOW]
    length = bucket_length(liquidations)
    if frame.index[-1] - frame.index[0] < MIN_HISTORY - length:
        return None
    return frame


def median_24h_total(liquidations: Dataset, as_of: pd.Timestamp) -> float | None:
    """Median of the 24-hour liquidation totals ending at each bucket of the last 30 days.

    Only totals whose 24 hours the buckets tile count (none missing, the history reaching back).
    """
    month = _month(liquidations, as_of)
    if month is None:
        return None
    length = bucket_length(liquidations)
    totals = _ended(liquidations, as_of).sum(axis=1)
    rolling = totals.rolling(DAY)
    whole = rolling.count() == DAY / length
    first_full = stamp(liquidations.frame.index[0]) + DAY
    kept = rolling.sum()[whole & (totals.index >= first_full)]
    kept = kept[kept.index > month.index[-1] - MEDIAN_WINDOW]
    return None if kept.empty else float(kept.median())


def _at_least(x: float, threshold: float) -> bool:
    """``x ≥ threshold``, forgiving the last bits of float rounding (a threshold hit exactly)."""
    return x >= threshold - 1e-9 * abs(threshold)


def _score_squeeze(fact: Fact) -> float:
    """65 plus 1 per $20M liquidated, at most 90."""
    return 65.0 + min(25.0, as_value(fact, Squeeze).liquidated_usd / 20e6)


@register("liquidations.squeeze", score=_score_squeeze)
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

    The 24 hours are ``liquidations.total_24h_usd``'s, and the price move is measured over the
    same 24 hours (closes at its start and end; absent when the candles have none there).
    ``liquidated_usd`` is the 24 h total of both sides; ``share`` the squeezed side's part (0-1).
    """
    window = complete_buckets(liquidations, as_of, DAY)
    median = median_24h_total(liquidations, as_of)
    if window is None or median is None:
        return None
    span = _window(liquidations, window, as_of)
    move = _move(candles, pd.Timestamp(span["from"]), pd.Timestamp(span["to"]))
    if move is None:
        return None
    side: Side = "short" if move > 0 else "long"
    total, side_usd = float(window.to_numpy().sum()), float(window[f"{side}_usd"].sum())
    if total <= 0 or not _at_least(abs(move), squeeze_min_move_pct):
        return None
    enough = _at_least(side_usd, squeeze_min_share * total)
    if not (enough and _at_least(total, squeeze_min_multiple * median)):
        return None
    value = Squeeze(side, move, total, side_usd / total)
    evidence: dict[str, Any] = {
        "side_usd": side_usd,
        "median_24h_usd": median,
        "multiple": total / median,
    }
    evidence |= span
    return Reading(value, "state", (liquidations, candles), evidence)


def _move(candles: Dataset, start: pd.Timestamp, end: pd.Timestamp) -> float | None:
    """Percent change of the close at ``end`` on the close at ``start`` (closes at exactly
    those times), or None."""
    c = closes(candles)
    if start not in c.index or end not in c.index:
        return None
    return pct_change(float(c[end]), float(c[start]))


# --- positioning -------------------------------------------------------------------------------


@register("positioning.long_pct")
def long_pct(long_short: Dataset) -> Reading[float] | None:
    """Percent (0-100) of accounts that are net long, at the newest row."""
    pct = long_short.frame["long_pct"]
    if pct.empty:
        return None
    return Reading(float(pct.iloc[-1]), "pct", (long_short,), {"time": iso(stamp(pct.index[-1]))})


def _score_majority(fact: Fact) -> float:
    """15 when 60 % of accounts or more are on one side, else 5."""
    return 15.0 if as_value(fact, Majority).pct >= 60.0 else 5.0


@register("positioning.majority", score=_score_majority)
def majority(long_short: Dataset) -> Reading[Majority] | None:
    """The side most accounts are net on and its percent; absent at exactly 50/50.

    Evidence ``since``: the first row of the current majority's unbroken run (null when it
    held throughout the data); ``venues``: whose accounts.
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
    evidence |= {"venues": list(long_short.venues)}
    return Reading(Majority(side, share), "state", (long_short,), evidence)
