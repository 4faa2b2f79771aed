"""The size coefficient k of the liquidation-level model, fitted on realized liquidations.

The model's USD are not liquidations: it sees one venue set's open interest, netted over its
sampling interval, and assumes a leverage mix, so its scale depends on which open interest
feeds it and which venues the liquidation data cover. Each *day* here is a 24-hour period
ending at as-of minus a whole number of days (day 0: the last 24 hours), so a day's totals are
what the note would have said at its end:

- **swept**: model USD of the levels consumed by candles closing in the day, counting the
  levels the model's window held at the day's end (what ``clusters.swept_24h`` says then);
- **realized**: USD of the liquidation buckets ending in the day, when they cover all of it.

``k`` at day ``j`` is ``exp(median(log(realized / swept)))`` over days ``j + 1 … j + fit_days``
(60) that have both totals positive and a model warmed up for ``WARMUP`` before them; fewer
than ``fit_min_days`` (14) such days: no k, and the note gives relative sizes only. Only days
before ``j`` enter its k, so the note's k (``j = 0``) is known at as-of, and the accuracy is
measured walk-forward: each of days ``0 … fit_days − 1`` with a k and a realized total is
estimated as ``k_j · swept_j`` and counts as within 2× when that is ½-2 times the realized.

One fit uses the datasets the note receives, which have one open-interest source and sampling
interval and one set of liquidation venues (the evidence names them), so k is per (open-
interest source, interval) and carries the ratio between the venues the open interest covers
and those the liquidations do. Nothing here reads a store: the snapshot's history is what the
store accumulated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from models import Dataset

if TYPE_CHECKING:
    from analysis.liquidation_map import Replay

Floats = npt.NDArray[np.float64]

DAY = pd.Timedelta(days=1)
WARMUP = pd.Timedelta(days=7)
"""Candles the model must have replayed before a day enters a fit. With the turnover, levels
older than a few days are mostly closed: 7 days of replay give 97 % or more of a 30-day
window's swept total on the hourly and 4-hourly validation sets (``bench.liquidation_model``)."""
WITHIN = 2.0
"""The accuracy counted: an estimate within this factor of the realized total."""


@dataclass(frozen=True)
class DayTotals:
    """Swept (model USD) and realized liquidations of days ``0 … n − 1`` before as-of."""

    ends: pd.DatetimeIndex
    """End of each day: as-of, as-of − 1 day, ... (newest first)."""
    swept: Floats
    """Model USD consumed in the day; NaN before the model warmed up."""
    swept_short: Floats
    realized: Floats
    """USD liquidated in the day; NaN when the buckets do not cover it."""
    realized_short: Floats

    @property
    def log_ratio(self) -> Floats:
        """``log(realized / swept)`` where both are positive, else NaN."""
        ok = (self.swept > 0) & (self.realized > 0)
        ratio = np.where(ok, self.realized, np.nan) / np.where(ok, self.swept, np.nan)
        out: Floats = np.log(ratio)
        return out


@dataclass(frozen=True)
class Calibration:
    """The note's k and how the estimate scaled that way compared with realized liquidations."""

    k: float | None
    """Realized / model USD, fitted on days 1 to ``fit_days``; None: too few days."""
    fit_days: int
    """Days k was fitted on."""
    checked_days: int
    """Days of the last ``fit_days`` with a walk-forward k and a realized total."""
    within_2x_days: int
    """Of those, days whose estimate was within 2× of the realized total."""


def bucket_length(liquidations: Dataset) -> pd.Timedelta:
    """Length of a liquidation bucket: the median spacing of the rows (1 h for a single row)."""
    times = pd.DatetimeIndex(liquidations.frame.index).as_unit("ns").asi8
    if len(times) < 2:
        return pd.Timedelta(hours=1)
    return pd.Timedelta(int(np.median(np.diff(times))), unit="ns")


def _day_of(ends_ns: npt.NDArray[np.int64], as_of: pd.Timestamp) -> npt.NDArray[np.int64]:
    """Day index of events at ``ends_ns``: ``j`` when the time is in ``(T_j − 1 day, T_j]``;
    negative for times after as-of."""
    before = as_of.value - ends_ns
    return np.where(before >= 0, before // DAY.value, -1).astype(np.int64)


def realized_by_day(
    liquidations: Dataset | None, as_of: pd.Timestamp, days: int
) -> tuple[Floats, Floats]:
    """(total, short) USD liquidated in each day, NaN where the buckets do not cover it."""
    empty = np.full(days, np.nan)
    if liquidations is None or liquidations.frame.empty:
        return empty, empty.copy()
    length = bucket_length(liquidations)
    frame = liquidations.frame
    ends = pd.DatetimeIndex(frame.index).as_unit("ns").asi8 + length.value
    j = _day_of(ends, as_of)
    ok = (j >= 0) & (j < days)
    j = j[ok]
    counts = np.bincount(j, minlength=days)
    shorts = frame["short_usd"].to_numpy(dtype=np.float64)[ok]
    total = frame["long_usd"].to_numpy(dtype=np.float64)[ok] + shorts
    full = counts == int(DAY / length)
    return (
        np.where(full, np.bincount(j, weights=total, minlength=days), np.nan),
        np.where(full, np.bincount(j, weights=shorts, minlength=days), np.nan),
    )


def swept_by_day(
    run: Replay, as_of: pd.Timestamp, days: int, window: pd.Timedelta
) -> tuple[Floats, Floats]:
    """(total, short) model USD consumed in each day by the levels of the window ending then;
    NaN for days starting less than ``WARMUP`` after the replay's first candle."""
    opens = run.opens.as_unit("ns").asi8
    n = len(opens)
    ends = as_of.value - np.arange(days) * DAY.value
    last = np.searchsorted(opens + run.interval.value, ends, side="right") - 1
    start = np.searchsorted(opens, opens[np.maximum(last, 0)] - window.value, side="right")
    reached = np.flatnonzero(run.consumed < n)
    j = _day_of(opens[run.consumed[reached]] + run.interval.value, as_of)
    ok = (j >= 0) & (j < days)
    idx, j = reached[ok], j[ok]
    ok = run.created[idx] >= start[j]
    idx, j = idx[ok], j[ok]
    usd = run.consumed_usd[idx]
    total = np.bincount(j, weights=usd, minlength=days)
    short = np.bincount(j, weights=usd * run.short[idx], minlength=days)
    warm = (last >= 0) & (ends - DAY.value - WARMUP.value >= opens[0])
    return np.where(warm, total, np.nan), np.where(warm, short, np.nan)


def day_totals(
    run: Replay, liquidations: Dataset | None, as_of: pd.Timestamp, days: int, window: pd.Timedelta
) -> DayTotals:
    """Swept and realized totals of days ``0 … days − 1`` before ``as_of``."""
    swept, swept_short = swept_by_day(run, as_of, days, window)
    realized, realized_short = realized_by_day(liquidations, as_of, days)
    ends = pd.DatetimeIndex([as_of - i * DAY for i in range(days)])
    return DayTotals(ends, swept, swept_short, realized, realized_short)


def fit_k(log_ratio: Floats, j: int, fit_days: int, min_days: int) -> float | None:
    """k of day ``j``: from the days ``j + 1 … j + fit_days`` with a log ratio, when there are
    at least ``min_days`` of them."""
    past = log_ratio[j + 1 : j + 1 + fit_days]
    past = past[np.isfinite(past)]
    return float(np.exp(np.median(past))) if len(past) >= max(min_days, 1) else None


def walk_forward(totals: DayTotals, fit_days: int, min_days: int) -> Floats:
    """k of every day, fitted on the days before it only (NaN where too few)."""
    ratio = totals.log_ratio
    ks = [fit_k(ratio, j, fit_days, min_days) for j in range(len(ratio))]
    return np.array([np.nan if k is None else k for k in ks], dtype=np.float64)


def calibrate(totals: DayTotals, fit_days: int, min_days: int) -> Calibration:
    """The note's k (day 0's) and the walk-forward accuracy over days ``0 … fit_days − 1``."""
    ratio = totals.log_ratio
    used = int(np.isfinite(ratio[1 : 1 + fit_days]).sum())
    k = fit_k(ratio, 0, fit_days, min_days)
    ks = walk_forward(totals, fit_days, min_days)[:fit_days]
    real = totals.realized[:fit_days]
    estimate = ks * np.nan_to_num(totals.swept[:fit_days])
    checked = np.isfinite(ks) & (real > 0) & np.isfinite(totals.swept[:fit_days])
    q = estimate[checked] / real[checked]
    within = int(((q >= 1.0 / WITHIN) & (q <= WITHIN)).sum())
    return Calibration(k, used if k is not None else 0, int(checked.sum()), within)
