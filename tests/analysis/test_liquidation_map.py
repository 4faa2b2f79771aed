"""The liquidation-level model on hand-made open-interest sequences with known answers.

One candle at a flat 100 (typical price 100) opens 100 USD of positions, half long and half
short, spread over the default leverage mix; later candles move the wicks and the open interest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis import liquidation_map as lm
from bench import levels as bench_levels
from models import Dataset
from tests.analysis.frames import HOUR, approx, at, candles
from tests.analysis.points import long_short, open_interest, times
from values import LongClusterBelow, ShortClusterAbove, Swept, SweptLevel

START = "2026-01-01 00:00"
MIX = {5: 0.10, 10: 0.25, 25: 0.30, 50: 0.20, 100: 0.15}
SHORTS = {lev: 100 * (1 + 1 / lev - 0.004) for lev in MIX}  # 119.6, 109.6, 103.6, 101.6, 100.6
LONGS = {lev: 100 * (1 - 1 / lev + 0.004) for lev in MIX}  # 80.4, 90.4, 96.4, 98.4, 99.4


def bars(
    highs: Sequence[float], lows: Sequence[float], closes: Sequence[float] | None = None
) -> Dataset:
    """Hourly candles from START closing at 100 unless told, with these wicks."""
    closes = closes or [100.0] * len(highs)
    return candles(
        closes, start=START, interval=HOUR, highs=highs, lows=lows, opens=[100.0] * len(highs)
    )


def oi(*usd: float) -> Dataset:
    """Open interest at each candle boundary: len(candles) + 1 rows from START."""
    return open_interest(usd, times(START, len(usd)))


def by_price(levels: lm.Levels, short: bool) -> dict[float, float]:
    pick = levels.short == short
    return {
        round(float(p), 6): float(u)
        for p, u in zip(levels.price[pick], levels.usd[pick], strict=True)
    }


def opened(levels: lm.Levels, short: bool) -> float:
    """USD opened on one side: still live plus consumed (no open interest fell here)."""
    pick = levels.short == short
    return float(levels.usd[pick].sum() + levels.consumed_usd[pick].sum())


def test_leverage_tiers_place_levels_at_their_exact_prices() -> None:
    levels = lm.estimate_levels(oi(1000, 1100, 1100), bars([100, 100.5], [100, 99.5]))
    assert levels is not None
    assert by_price(levels, short=True) == pytest.approx(
        {round(SHORTS[lev], 6): 50 * w for lev, w in MIX.items()}
    )
    assert by_price(levels, short=False) == pytest.approx(
        {round(LONGS[lev], 6): 50 * w for lev, w in MIX.items()}
    )
    assert levels.live.all() and levels.added_usd == 100 and levels.last == 100
    assert levels.live_usd == pytest.approx(100)


def test_a_level_is_consumed_when_a_later_wick_reaches_it() -> None:
    # Candle 2's high touches 101.6 exactly: the 100x and 50x shorts go, 103.6 stays; its low
    # (99.45) stops just short of the 100x long at 99.4.
    levels = lm.estimate_levels(
        oi(1000, 1100, 1100, 1100), bars([100, 100.5, 101.6], [100, 99.5, 99.45])
    )
    assert levels is not None
    gone = ~levels.live
    assert sorted(np.round(levels.price[gone], 6)) == [100.6, 101.6]
    assert set(levels.consumed[gone]) == {2}
    assert sorted(levels.consumed_usd[gone]) == pytest.approx([50 * 0.15, 50 * 0.20])
    assert levels.live_usd == pytest.approx(100 - 17.5)


def test_the_candle_that_opens_a_level_does_not_consume_it() -> None:
    # A wide candle: its own high (120) is beyond every short level it creates.
    levels = lm.estimate_levels(oi(1000, 1100, 1100), bars([120, 100.2], [80, 99.8]))
    assert levels is not None
    entry = (120 + 80 + 100) / 3
    assert levels.live.all()
    assert max(levels.price) == pytest.approx(entry * (1 + 1 / 5 - 0.004))


def test_a_fall_in_open_interest_removes_levels_pro_rata() -> None:
    # 100 USD of levels, then open interest falls by 40: every level keeps 60 %.
    levels = lm.estimate_levels(oi(1000, 1100, 1060), bars([100, 100.5], [100, 99.5]))
    assert levels is not None
    assert by_price(levels, short=True) == pytest.approx(
        {round(SHORTS[lev], 6): 50 * w * 0.6 for lev, w in MIX.items()}
    )
    assert levels.live_usd == pytest.approx(60)


def test_a_fall_larger_than_the_live_levels_removes_them_all() -> None:
    levels = lm.estimate_levels(oi(1000, 1100, 900), bars([100, 100.5], [100, 99.5]))
    assert levels is not None
    assert levels.live_usd == pytest.approx(0, abs=1e-12)
    found = lm.nearest_short_above(
        oi(1000, 1100, 900), bars([100, 100.5], [100, 99.5]), model=lm.LEVEL_MODEL
    )
    assert found is None


def test_a_fall_explained_by_consumed_levels_is_not_removed_twice() -> None:
    wicks = bars([100, 100.5, 101.6], [100, 99.5, 99.5])
    # Candle 2 consumes 17.5 USD of shorts; open interest falls by exactly that: nothing more goes.
    exact = lm.estimate_levels(oi(1000, 1100, 1100, 1082.5), wicks)
    assert exact is not None and exact.live_usd == pytest.approx(82.5)
    # A fall of 27.5: the 10 not explained is removed from the 82.5 still live.
    more = lm.estimate_levels(oi(1000, 1100, 1100, 1072.5), wicks)
    assert more is not None and more.live_usd == pytest.approx(72.5)
    assert by_price(more, short=True)[103.6] == pytest.approx(15 * (1 - 10 / 82.5))


def test_levels_opened_after_a_fall_keep_their_full_size() -> None:
    # 100 USD, halved by a fall of 50, then 100 USD more at candle 2: 50 + 100 live.
    levels = lm.estimate_levels(
        oi(1000, 1100, 1050, 1150), bars([100, 100.5, 100.5], [100, 99.5, 99.5])
    )
    assert levels is not None
    assert levels.live_usd == pytest.approx(150)
    created_late = levels.created == 2
    assert levels.usd[created_late].sum() == pytest.approx(100)


def test_long_share_comes_from_accounts_else_from_the_candle_direction() -> None:
    up = bars([101, 100.5], [100, 99.5], closes=[101, 101])  # candle 0 closes above its open
    ls = long_short([30.0], ["2026-01-01 01:00"])
    with_accounts = lm.estimate_levels(oi(1000, 1100, 1100), up, ls)
    guessed = lm.estimate_levels(oi(1000, 1100, 1100), up)
    assert with_accounts is not None and guessed is not None
    assert opened(with_accounts, short=False) == pytest.approx(30)
    assert opened(guessed, short=False) == pytest.approx(60)  # 0.5 + 0.1 for an up candle
    stale = long_short([30.0], ["2025-12-31 20:00"])  # 5 h before the candle closed
    fallback = lm.estimate_levels(oi(1000, 1100, 1100), up, stale)
    assert fallback is not None and opened(fallback, short=False) == pytest.approx(60)


def test_leverage_mix_and_mmr_are_parameters() -> None:
    model = replace(lm.LEVEL_MODEL, leverage={20: 1.0}, mmr=0.005)
    levels = lm.estimate_levels(oi(1000, 1100, 1100), bars([100, 100.5], [100, 99.5]), model=model)
    assert levels is not None
    assert sorted(np.round(levels.price, 6)) == [95.5, 104.5]


def test_only_the_window_counts() -> None:
    # Positions opened 3 hours before the last candle fall outside a 2-hour window.
    data = bars([100, 100.5, 100.5, 100.5], [100, 99.5, 99.5, 99.5])
    model = replace(lm.LEVEL_MODEL, window=pd.Timedelta(hours=2))
    assert lm.estimate_levels(oi(1000, 1100, 1100, 1100, 1100), data, model=model) is None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_first_reach_matches_a_plain_scan(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.normal(size=300)
    start = rng.integers(0, 301, size=500)
    threshold = rng.normal(1.0, 1.0, size=500)
    got = lm.first_reach(values, start, threshold)
    for s, t, g in zip(start, threshold, got, strict=True):
        hits = [j for j in range(s, len(values)) if values[j] >= t]
        assert g == (hits[0] if hits else len(values))


# --- clusters ----------------------------------------------------------------------------------

FIXED = replace(lm.LEVEL_MODEL, bin_step=1.0)


def test_nearest_short_cluster_is_the_first_significant_peak_above_price() -> None:
    # Shorts: 100.6 (7.5), 101.6 (10), 103.6 (15), 109.6 (12.5), 119.6 (5) in $1 bins; the
    # 3-bin sums peak at 102 (101.6 + 103.6 = 25), 109 (12.5) and 119 (5).
    r = lm.nearest_short_above(oi(1000, 1100, 1100), bars([100, 100.5], [100, 99.5]), model=FIXED)
    assert r is not None and r.unit == "level"
    price = (10 * 101.6 + 15 * 103.6) / 25
    assert r.value == ShortClusterAbove(
        price=approx(price), usd=approx(25.0), distance_pct=approx(price - 100)
    )
    assert r.evidence["model"] == "estimate"
    assert r.evidence["leverage_mix"] == {
        "5x": 0.1,
        "10x": 0.25,
        "25x": 0.3,
        "50x": 0.2,
        "100x": 0.15,
    }
    assert r.evidence["window_days"] == 30 and r.evidence["clusters_found"] == 3


def test_nearest_long_cluster_mirrors_it_below() -> None:
    r = lm.nearest_long_below(oi(1000, 1100, 1100), bars([100, 100.5], [100, 99.5]), model=FIXED)
    assert r is not None
    price = (15 * 96.4 + 10 * 98.4) / 25
    assert r.value == LongClusterBelow(
        price=approx(price), usd=approx(25.0), distance_pct=approx(price - 100)
    )


def test_a_consumed_cluster_hands_over_to_the_next_one() -> None:
    # Candle 2's wick reaches 105: 100.6, 101.6 and 103.6 are consumed; 109.6 is next.
    wicks = bars([100, 100.5, 105], [100, 99.5, 99.5])
    r = lm.nearest_short_above(oi(1000, 1100, 1100, 1100), wicks, model=FIXED)
    assert r is not None and r.value.price == pytest.approx(109.6)


def test_weak_peaks_are_not_clusters() -> None:
    # alpha above 1: no bin reaches alpha x the largest one.
    model = replace(lm.LEVEL_MODEL, bin_step=1.0, alpha=1.1)
    assert (
        lm.nearest_short_above(oi(1000, 1100, 1100), bars([100, 100.5], [100, 99.5]), model=model)
        is None
    )
    # beta: peaks must also hold a share of all live USD (100): 20 % keeps only the 25 USD one.
    model = replace(lm.LEVEL_MODEL, bin_step=1.0, beta=0.2)
    r = lm.nearest_short_above(oi(1000, 1100, 1100), bars([100, 100.5], [100, 99.5]), model=model)
    assert r is not None and r.evidence["clusters_found"] == 1


def test_bins_default_to_a_quarter_percent_of_the_last_close() -> None:
    levels = lm.estimate_levels(oi(1000, 1100, 1100), bars([100, 100.5], [100, 99.5]))
    assert levels is not None and lm.bin_step(levels, lm.LEVEL_MODEL) == pytest.approx(0.25)


# --- swept -------------------------------------------------------------------------------------


def test_swept_24h_lists_consumed_levels_with_their_usd() -> None:
    wicks = bars([100, 100.5, 101.6], [100, 99.5, 99.4])
    r = lm.swept_24h(oi(1000, 1100, 1100, 1100), wicks, at("2026-01-01 03:00"), model=FIXED)
    assert r is not None and r.unit == "levels"
    time = "2026-01-01T02:00:00Z"
    assert r.value == Swept(
        total_usd=approx(25.0),
        short_usd=approx(17.5),
        long_usd=approx(7.5),
        levels=(
            SweptLevel("short", price=approx(101.6), usd=approx(10.0), time=time),
            SweptLevel("short", price=approx(100.6), usd=approx(7.5), time=time),
            SweptLevel("long", price=approx(99.4), usd=approx(7.5), time=time),
        ),
    )
    assert r.evidence["levels_consumed"] == 3 and r.evidence["model"] == "estimate"


def test_swept_24h_absent_when_nothing_was_swept_in_the_last_day() -> None:
    quiet = [100.5] * 24
    wicks = bars([100, 101.6, *quiet], [100, 99.5, *[99.5] * 24])
    usd = [1000, 1100] + [1100] * 25
    assert lm.swept_24h(oi(*usd), wicks, at("2026-01-02 02:00"), model=lm.LEVEL_MODEL) is None
    # One hour earlier, the sweeping candle (01:00-02:00) still lies within the last 24 hours.
    earlier = bars([100, 101.6, *quiet[:-1]], [100, 99.5, *[99.5] * 23])
    swept = lm.swept_24h(oi(*usd[:-1]), earlier, at("2026-01-02 01:00"), model=lm.LEVEL_MODEL)
    assert swept is not None


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ([0, 1, 3, 1, 0], [2]),
        ([0, 2, 2, 0], [1]),  # a flat top counts once, at its middle
        ([0, 7.5, 17.5, 17.5, 25, 15, 15, 0], [4]),  # a shoulder on a slope is no peak
        ([0, 5, 0, 4, 0], [1, 3]),
    ],
)
def test_peaks(profile: list[float], expected: list[int]) -> None:
    assert list(lm._peaks(np.array(profile, dtype=np.float64))) == expected


def test_sixty_days_of_hourly_data_place_a_level_per_tier_and_side_of_each_rise() -> None:
    """The bench's data (``python -m bench.levels`` times it): the whole window is modelled."""
    oi_data, hourly = bench_levels.market(days=60)
    model = replace(lm.LEVEL_MODEL, window=pd.Timedelta(days=60))
    levels = lm.estimate_levels(oi_data, hourly, model=model)
    assert levels is not None and levels.opens.equals(pd.DatetimeIndex(hourly.frame.index))
    rises = int((np.diff(oi_data.frame["oi_usd"].to_numpy()) > 0).sum())
    assert len(levels.price) == 2 * len(model.leverage) * rises
    assert levels.added_usd == pytest.approx(np.diff(oi_data.frame["oi_usd"]).clip(0).sum())
