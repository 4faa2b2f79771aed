"""Reference cases for squeezes as a base-rate event (``context.base_rate`` of
``liquidations.squeeze``): hourly liquidations and prices made by hand, the squeezes, cases and
forward returns known by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import context
from analysis.derivatives import squeeze
from models import Dataset
from tests.analysis.frames import DAY, HOUR, approx, at, candles
from tests.analysis.points import liquidations, times
from tests.analysis.test_context import AS_OF, COUNTED, EVENTS, START, N, _factors, _options

RULE = {"squeeze_min_move_pct": 2.0, "squeeze_min_share": 0.70, "squeeze_min_multiple": 3.0}


def _prices(factors: np.ndarray) -> tuple[Dataset, Dataset]:
    """Daily and hourly candles of the daily closes ``100 × cumprod(factors)``: each day's
    price is set in its first hour and held (so every 24 hours ending in a day move by its
    factor)."""
    close = 100.0 * np.cumprod(factors)
    hourly = candles(list(np.repeat(close, 24)), start=START, interval=HOUR)
    return candles(list(close), start=START), hourly


def _liquidations(days: dict[int, str], n: int = N, first: int = 0) -> Dataset:
    """A USD 1 long and 1 short every hour, except on ``days``: the squeezed side ("short" or
    "long") 6 an hour, the other 0.5, all that day. Buckets from day ``first``."""
    longs, shorts = np.ones(24 * n), np.ones(24 * n)
    for d, side in days.items():
        hot, cold = (shorts, longs) if side == "short" else (longs, shorts)
        hot[24 * d : 24 * d + 24], cold[24 * d : 24 * d + 24] = 6.0, 0.5
    index = times(START, 24 * n)
    return liquidations(list(longs[24 * first :]), list(shorts[24 * first :]), index[24 * first :])


SQUEEZED = {e: "short" for e in EVENTS} | {N - 1: "short"}


def test_a_squeeze_day_fires_in_its_last_three_hours() -> None:
    """On a squeeze day the 24 h total reaches 3× the median (48) from 22 squeezed hours on
    (48 + 4.5 × 22 = 147), while the price is 10 % up on 24 hours before: 22:00, 23:00 and
    midnight. Later windows start after the rise and move by the next day's change: when that
    is 2 % or more, 01:00 and 02:00 (23 and 22 squeezed hours) fire too, then no more."""
    _, hourly = _prices(_factors())
    found = context.squeeze_times(_liquidations(SQUEEZED), hourly, **RULE)
    later = {d: (1, 2) if EVENTS.get(d, 0.0) >= 0.02 else () for d in SQUEEZED}
    ends = [at(START) + (d + 1) * DAY + k * HOUR for d in SQUEEZED for k in (-2, -1, 0, *later[d])]
    assert list(found.index) == ends
    assert (found == 1.0).all()


def test_squeezes_give_the_constructed_cases_and_returns() -> None:
    """Day 120's squeeze overlaps day 100's window, 390's window and today's are not over."""
    daily, hourly = _prices(_factors())
    liq = _liquidations(SQUEEZED)
    found = context.base_rate(hourly, daily, AS_OF, None, hourly, liq, **_options())
    assert found is not None
    assert (found.value.event, found.value.direction) == ("liquidations.squeeze", "up")
    assert found.value.cases == 6
    assert found.evidence["dates"] == [str((at(START) + e * DAY).date()) for e in COUNTED]
    assert found.evidence["rule"] == {"min_move_pct": 2.0, "min_share": 0.7, "min_multiple": 3.0}
    # The days after each squeeze hold the next day's change (+2, -1, +1, -2, +4, +1.5 %).
    assert found.value.horizons["7d"].median_pct == approx(1.25)
    assert found.value.horizons["1d"].higher == 4
    assert [d.name for d in found.used] == ["candles_1d", "liquidations", "candles_1h"]


def test_a_long_squeeze_counts_only_long_squeezes() -> None:
    f = 1.0 / _factors()
    daily, hourly = _prices(f)
    sides: dict[int, str] = {e: "long" for e in SQUEEZED}
    sides[170] = "short"  # a fall with shorts liquidated is no squeeze at all: 5 cases left
    liq = _liquidations(sides)
    five = _options(base_rate_min_cases=5)
    found = context.base_rate(hourly, daily, AS_OF, None, hourly, liq, **five)
    assert found is not None and found.value.event == "liquidations.squeeze"
    assert found.value.direction == "down"
    assert found.evidence["dates"] == [
        str((at(START) + e * DAY).date()) for e in COUNTED if e != 170
    ]


def test_a_short_liquidation_history_has_too_few_cases() -> None:
    """Liquidations from day 250 only (as real data: months, not years): two complete squeeze
    cases, under the minimum of 6, so the base rate is of the 24 h move instead, whose daily
    candles reach back."""
    daily, hourly = _prices(_factors())
    liq = _liquidations(SQUEEZED, first=250)
    found = context.base_rate(hourly, daily, AS_OF, None, hourly, liq, **_options())
    assert found is not None and found.value.event == "price.change_24h_pct"
    short = context.cases(context.squeeze_times(liq, hourly, **RULE), daily, AS_OF)
    assert [(a - at(START)).days - 1 for a in short] == [290, 350]
    two = _options(base_rate_min_cases=2)
    found = context.base_rate(hourly, daily, AS_OF, None, hourly, liq, **two)
    assert found is not None and found.value.event == "liquidations.squeeze"
    assert found.value.cases == 2


def _random(seed: int, days: int, gap: bool) -> tuple[Dataset, Dataset]:
    """Hourly liquidations and candles with a few one-sided bursts, as the scan test's input."""
    rng = np.random.default_rng(seed)
    n = 24 * days
    longs, shorts = rng.lognormal(0.0, 0.4, n), rng.lognormal(0.0, 0.4, n)
    steps = rng.normal(0.0, 0.002, n)
    for start in rng.choice(np.arange(8 * 24, n - 30, 17), 12, replace=False):
        length = int(rng.integers(6, 30))
        up = bool(rng.integers(0, 2))
        (shorts if up else longs)[start : start + length] *= rng.uniform(3.0, 12.0)
        steps[start : start + length] += (1.0 if up else -1.0) * rng.uniform(0.0005, 0.002)
    index = times("2025-03-01", n)
    liq = liquidations(list(longs), list(shorts), index)
    if gap:  # a missing hour: no 24 h window containing it is whole
        liq = Dataset(
            liq.name, liq.asset, liq.source, liq.frame.drop(index[300]), liq.interval, liq.venues
        )
    prices = candles(list(100.0 * np.exp(np.cumsum(steps))), start="2025-03-01", interval=HOUR)
    return liq, prices


def _fired(liq: Dataset, prices: Dataset, t: pd.Timestamp) -> float:
    found = squeeze(liq.cut(t), prices.cut(t), t, **RULE)
    return 0.0 if found is None else (1.0 if found.value.side == "short" else -1.0)


def test_the_scan_is_the_fact_at_every_bucket_end() -> None:
    """At each hour, ``liquidations.squeeze`` on the data known then fires exactly when (and
    on the side) the scan says: the median, the 7-day minimum, the tiling (a missing hour) and
    the thresholds included."""
    liq, prices = _random(11, 40, gap=True)
    scan = context.squeeze_times(liq, prices, **RULE)
    ends = pd.DatetimeIndex(liq.frame.index) + HOUR
    fired = pd.Series([_fired(liq, prices, t) for t in ends], index=ends)
    fired = fired[fired != 0.0]
    assert list(scan.index) == list(fired.index) and list(scan) == list(fired)
    assert (scan == 1.0).sum() >= 2 and (scan == -1.0).sum() >= 2


def test_a_history_whose_bucket_length_changed_counts_only_its_own_length() -> None:
    """Four-hour buckets for 15 days, then hourly ones: while the rows known had 4-hour
    spacing the fact read 4-hour buckets, and squeezes it saw then are left out of the scan
    (of hourly buckets, the whole history's spacing); each one the scan lists, it reported."""
    liq, prices = _random(6, 45, gap=False)
    coarse = liq.frame.iloc[: 24 * 15].resample("4h").sum()
    mixed = pd.concat([coarse, liq.frame.iloc[24 * 15 :]])
    kept = Dataset(liq.name, liq.asset, liq.source, mixed, liq.interval, liq.venues)
    scan = context.squeeze_times(kept, prices, **RULE)
    assert len(scan) >= 5 and all(_fired(kept, prices, t) == scan[t] for t in scan.index)
    early = pd.DatetimeIndex(coarse.index) + 4 * HOUR
    seen = [t for t in early if _fired(kept, prices, t) != 0.0]
    assert seen and not set(seen) & set(scan.index)
