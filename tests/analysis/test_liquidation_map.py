"""The liquidation-level model on hand-made open-interest sequences with known answers.

One candle at a flat 100 (typical price 100) opens 100 USD of positions, half long and half
short, spread over the default leverage mix; later candles move the wicks and the open interest.
Most cases switch the turnover off (``STILL``) so that only the open-interest changes open
positions; the turnover has its own cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import numpy as np
import pandas as pd
import pytest

from analysis import liquidation_map as lm
from bench import levels as bench_levels
from models import Dataset
from tests.analysis.frames import HOUR, approx, at, candles
from tests.analysis.points import liquidations, long_short, open_interest, times
from values import LevelCalibration, LongClusterBelow, ShortClusterAbove, Swept

START = "2026-01-01 00:00"
MIX = {5: 0.10, 10: 0.25, 25: 0.30, 50: 0.20, 100: 0.15}
SHORTS = {lev: 100 * (1 + 1 / lev - 0.004) for lev in MIX}  # 119.6, 109.6, 103.6, 101.6, 100.6
LONGS = {lev: 100 * (1 - 1 / lev + 0.004) for lev in MIX}  # 80.4, 90.4, 96.4, 98.4, 99.4
STILL = replace(lm.LEVEL_MODEL, turnover=0.0)
"""The default model without turnover: positions open only when open interest rises."""


def bars(
    highs: Sequence[float],
    lows: Sequence[float],
    closes: Sequence[float] | None = None,
    volumes: Sequence[float] | None = None,
) -> Dataset:
    """Hourly candles from START closing at 100 unless told, with these wicks."""
    closes = closes or [100.0] * len(highs)
    data = candles(
        closes, start=START, interval=HOUR, highs=highs, lows=lows, opens=[100.0] * len(highs)
    )
    if volumes is None:
        return data
    return replace(data, frame=data.frame.assign(volume=list(map(float, volumes))))


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


def estimate(
    open_int: Dataset,
    hourly: Dataset,
    accounts: Dataset | None = None,
    model: lm.LevelModel = STILL,
) -> lm.Levels:
    levels = lm.estimate_levels(open_int, hourly, accounts, model)
    assert levels is not None
    return levels


def test_leverage_tiers_place_levels_at_their_exact_prices() -> None:
    levels = estimate(oi(1000, 1100, 1100), bars([100, 100.5], [100, 99.5]))
    assert by_price(levels, short=True) == pytest.approx(
        {round(SHORTS[lev], 6): 50 * w for lev, w in MIX.items()}
    )
    assert by_price(levels, short=False) == pytest.approx(
        {round(LONGS[lev], 6): 50 * w for lev, w in MIX.items()}
    )
    assert levels.live.all() and levels.opened_usd == 100 and levels.last == 100
    assert levels.live_usd == pytest.approx(100)


def test_a_level_is_consumed_when_a_later_wick_reaches_it() -> None:
    # Candle 2's high touches 101.6 exactly: the 100x and 50x shorts go, 103.6 stays; its low
    # (99.45) stops just short of the 100x long at 99.4.
    levels = estimate(oi(1000, 1100, 1100, 1100), bars([100, 100.5, 101.6], [100, 99.5, 99.45]))
    gone = ~levels.live
    assert sorted(np.round(levels.price[gone], 6)) == [100.6, 101.6]
    assert set(levels.consumed[gone]) == {2}
    assert sorted(levels.consumed_usd[gone]) == pytest.approx([50 * 0.15, 50 * 0.20])
    assert levels.live_usd == pytest.approx(100 - 17.5)


def test_the_candle_that_opens_a_level_does_not_consume_it() -> None:
    # A wide candle: its own high (120) is beyond every short level it creates.
    levels = estimate(oi(1000, 1100, 1100), bars([120, 100.2], [80, 99.8]))
    entry = (120 + 80 + 100) / 3
    assert levels.live.all()
    assert max(levels.price) == pytest.approx(entry * (1 + 1 / 5 - 0.004))


def test_closed_positions_are_removed_in_proportion_to_total_open_interest() -> None:
    # 100 USD of levels, then open interest falls from 1100 by 110: a tenth of all positions
    # closed, so every level keeps 90 % (not 100 − 110 of the model's own levels: none left).
    levels = estimate(oi(1000, 1100, 990), bars([100, 100.5], [100, 99.5]))
    assert by_price(levels, short=True) == pytest.approx(
        {round(SHORTS[lev], 6): 50 * w * 0.9 for lev, w in MIX.items()}
    )
    assert levels.live_usd == pytest.approx(90)


def test_closing_all_open_interest_removes_every_level() -> None:
    levels = estimate(oi(1000, 1100, 0), bars([100, 100.5], [100, 99.5]))
    assert levels.live_usd == pytest.approx(0, abs=1e-12)
    found = lm.nearest_short_above(
        oi(1000, 1100, 0), bars([100, 100.5], [100, 99.5]), at("2026-01-01 02:00"), model=STILL
    )
    assert found is None


def test_consumed_levels_keep_what_they_held_when_reached() -> None:
    # Candle 2 closes 10 % of open interest and candle 3 reaches the 101.6 shorts: they held
    # 10 USD x 0.9 then, and candle 3's own closing (none here) does not touch them.
    wicks = bars([100, 100.5, 100.5, 101.6], [100, 99.5, 99.5, 99.5])
    levels = estimate(oi(1000, 1100, 1100, 990, 990), wicks)
    reached = np.isclose(levels.price, 101.6) & levels.short
    assert levels.consumed[reached] == [3]
    assert levels.consumed_usd[reached] == pytest.approx([10 * 0.9])


def test_levels_opened_after_a_fall_keep_their_full_size() -> None:
    # 100 USD, then a fall of 110 (10 % of 1100) keeps 90, then 100 USD more at candle 2.
    levels = estimate(oi(1000, 1100, 990, 1090), bars([100, 100.5, 100.5], [100, 99.5, 99.5]))
    assert levels.live_usd == pytest.approx(190)
    created_late = levels.created == 2
    assert levels.usd[created_late].sum() == pytest.approx(100)


def test_long_share_comes_from_accounts_else_from_the_candle_direction() -> None:
    up = bars([101, 100.5], [100, 99.5], closes=[101, 101])  # candle 0 closes above its open
    ls = long_short([30.0], ["2026-01-01 01:00"])
    with_accounts = estimate(oi(1000, 1100, 1100), up, ls)
    guessed = estimate(oi(1000, 1100, 1100), up)
    assert opened(with_accounts, short=False) == pytest.approx(30)
    assert opened(guessed, short=False) == pytest.approx(60)  # 0.5 + 0.1 for an up candle
    stale = long_short([30.0], ["2025-12-31 20:00"])  # 5 h before the candle closed
    fallback = estimate(oi(1000, 1100, 1100), up, stale)
    assert opened(fallback, short=False) == pytest.approx(60)


def test_leverage_mix_and_mmr_are_parameters() -> None:
    model = replace(STILL, leverage={20: 1.0}, mmr=0.005)
    levels = estimate(oi(1000, 1100, 1100), bars([100, 100.5], [100, 99.5]), model=model)
    assert sorted(np.round(levels.price, 6)) == [95.5, 104.5]


def test_only_the_window_counts() -> None:
    # Positions opened 3 hours before the last candle fall outside a 2-hour window.
    data = bars([100, 100.5, 100.5, 100.5], [100, 99.5, 99.5, 99.5])
    model = replace(STILL, window=pd.Timedelta(hours=2))
    assert lm.estimate_levels(oi(1000, 1100, 1100, 1100, 1100), data, model=model) is None


# --- turnover ----------------------------------------------------------------------------------


def test_turnover_opens_and_closes_a_share_of_open_interest_every_hour() -> None:
    # Flat open interest of 1000: each candle opens 2 % of it (20 USD) and closes 2 % of every
    # level opened before it.
    model = replace(STILL, turnover=0.02)
    levels = estimate(oi(1000, 1000, 1000, 1000), bars([100] * 3, [100] * 3), model=model)
    assert levels.opened_usd == pytest.approx(60)
    assert [levels.usd[levels.created == c].sum() for c in range(3)] == pytest.approx(
        [20 * 0.98**2, 20 * 0.98, 20]
    )


def test_turnover_follows_the_volume_against_its_median() -> None:
    # 30 quiet hours of volume 1, then one of volume 3: it opens three times the usual turnover.
    n = 31
    model = replace(STILL, turnover=0.01)
    hourly = bars([100] * n, [100] * n, volumes=[1.0] * (n - 1) + [3.0])
    levels = estimate(oi(*[1000.0] * (n + 1)), hourly, model=model)
    assert levels.usd[levels.created == n - 1].sum() == pytest.approx(30)
    assert levels.usd[levels.created == n - 2].sum() == pytest.approx(10 * (1 - 0.03))
    assert lm.relative_volume(hourly.frame)[:24] == pytest.approx([1.0] * 24)  # no median yet


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


# --- one replay for every as-of ---------------------------------------------------------------


@pytest.mark.parametrize("unit", ["ns", "us", "s"])
def test_a_replay_gives_what_the_model_says_on_data_cut_at_any_candle(
    unit: Literal["s", "ms", "us", "ns"],
) -> None:
    """The backtest replays once; each state must equal the note's model at that as-of."""
    oi_data, hourly = bench_levels.market(days=45)
    hourly = replace(
        hourly, frame=hourly.frame.set_axis(pd.DatetimeIndex(hourly.frame.index).as_unit(unit))
    )
    run = lm.replay(oi_data, hourly, None, lm.LEVEL_MODEL)
    assert run is not None
    for t in (400, 721, 1079):
        as_of = run.opens[t] + HOUR
        cut = lm.estimate_levels(oi_data.cut(as_of), hourly.cut(as_of))
        state = run.levels_at(t, lm.LEVEL_MODEL.window)
        assert cut is not None and cut.opens.equals(state.opens)
        for field in ("price", "usd", "short", "created", "consumed", "consumed_usd"):
            np.testing.assert_allclose(getattr(state, field), getattr(cut, field), rtol=1e-9)
        assert state.opened_usd == pytest.approx(cut.opened_usd)


# --- clusters ----------------------------------------------------------------------------------

FIXED = replace(STILL, bin_step=1.0)
AS_OF = at("2026-01-01 02:00")


def test_nearest_short_cluster_is_the_first_significant_peak_above_price() -> None:
    # Shorts: 100.6 (7.5), 101.6 (10), 103.6 (15), 109.6 (12.5), 119.6 (5) in $1 bins; the
    # 3-bin sums peak at 102 (101.6 + 103.6 = 25), 109 (12.5) and 119 (5). Within 2 %: 17.5.
    hourly = bars([100, 100.5], [100, 99.5])
    r = lm.nearest_short_above(oi(1000, 1100, 1100), hourly, AS_OF, model=FIXED)
    assert r is not None and r.unit == "level"
    price = (10 * 101.6 + 15 * 103.6) / 25
    assert r.value == ShortClusterAbove(
        band_pct=2.0,
        band_usd=None,  # no liquidation history: relative sizes only
        band_share=approx(17.5 / 50),
        low=101.0,
        high=104.0,
        price=approx(price),
        usd=None,
        share=approx(25 / 50),
        distance_pct=approx(price - 100),
    )
    assert r.evidence["model"] == "estimate" and r.evidence["k"] is None
    assert r.evidence["leverage_mix"] == {
        "5x": 0.1,
        "10x": 0.25,
        "25x": 0.3,
        "50x": 0.2,
        "100x": 0.15,
    }
    assert r.evidence["window_days"] == 30 and r.evidence["clusters_found"] == 3
    assert r.evidence["oi_source"] == "Test source" and r.evidence["oi_interval_h"] == 1
    assert [d.name for d in r.used] == ["open_interest", "candles_1h"]


def test_nearest_long_cluster_mirrors_it_below() -> None:
    hourly = bars([100, 100.5], [100, 99.5])
    r = lm.nearest_long_below(oi(1000, 1100, 1100), hourly, AS_OF, model=FIXED)
    assert r is not None
    price = (15 * 96.4 + 10 * 98.4) / 25
    assert r.value == LongClusterBelow(
        band_pct=2.0,
        band_usd=None,
        band_share=approx(17.5 / 50),
        low=96.0,
        high=99.0,
        price=approx(price),
        usd=None,
        share=approx(0.5),
        distance_pct=approx(price - 100),
    )


def test_a_consumed_cluster_hands_over_to_the_next_one() -> None:
    # Candle 2's wick reaches 105: 100.6, 101.6 and 103.6 are consumed; 109.6 is next.
    wicks = bars([100, 100.5, 105], [100, 99.5, 99.5])
    r = lm.nearest_short_above(
        oi(1000, 1100, 1100, 1100), wicks, at("2026-01-01 03:00"), model=FIXED
    )
    assert r is not None and r.value.price == pytest.approx(109.6)


def test_weak_peaks_are_not_clusters() -> None:
    hourly = bars([100, 100.5], [100, 99.5])
    # alpha above 1: no bin reaches alpha x the largest one.
    model = replace(FIXED, alpha=1.1)
    assert lm.nearest_short_above(oi(1000, 1100, 1100), hourly, AS_OF, model=model) is None
    # beta: peaks must also hold a share of the side's live USD (50): 30 % keeps only the 25.
    model = replace(FIXED, beta=0.3)
    r = lm.nearest_short_above(oi(1000, 1100, 1100), hourly, AS_OF, model=model)
    assert r is not None and r.evidence["clusters_found"] == 1


def test_bins_default_to_a_quarter_percent_of_the_last_close() -> None:
    levels = estimate(oi(1000, 1100, 1100), bars([100, 100.5], [100, 99.5]))
    assert lm.bin_step(levels, lm.LEVEL_MODEL) == pytest.approx(0.25)


# --- sizes scaled by k -------------------------------------------------------------------------

DAYS = 20
"""Days of the calibration cases: 20 days of hourly candles."""


def calm_market(short_every: int = 0) -> tuple[Dataset, Dataset, Dataset]:
    """(open interest, candles, liquidations) of 20 days: open interest rising 1 USD an hour
    from 1000 and each day's 01:00 candle wicking to 101.6 (the 100x and 50x shorts of the
    day's earlier rises); liquidations of 2 USD of shorts at 01:00 every day."""
    n = DAYS * 24
    highs = [101.6 if i % 24 == 1 else 100.5 for i in range(n)]
    hourly = bars(highs, [99.5] * n)
    open_int = oi(*[1000.0 + i for i in range(n + 1)])
    index = times(START, n)
    shorts = [2.0 if i % 24 == 1 else 0.0 for i in range(n)]
    liq = liquidations([0.0] * n, shorts, index)
    return open_int, hourly, liq


def test_sizes_are_scaled_by_k_once_enough_days_have_realized_liquidations() -> None:
    open_int, hourly, liq = calm_market()
    model = replace(STILL, fit_min_days=5)
    as_of = at("2026-01-21 00:00")
    r = lm.swept_24h(open_int, hourly, as_of, liquidations=liq, model=model)
    assert r is not None
    swept = r.evidence["swept_model_usd"]
    k = r.evidence["k"]
    # Each day the 01:00 wick (to 101.6) consumes the 100x and 50x shorts of the 23 rises
    # since the last one (0.5 USD of shorts a rise, 35 % of them at those tiers) and the 100x
    # shorts of the last wick's own rise (at 100.97); the candle after a wick takes that rise's
    # 100x longs (at 99.76): 4.1 USD of shorts and 0.075 of longs, against 2 USD realized.
    shorts = 23 * 0.5 * 0.35 + 0.5 * 0.15
    assert swept == pytest.approx(shorts + 0.5 * 0.15)
    assert k == pytest.approx(2 / swept)
    assert r.value == Swept(
        total_usd=approx(k * swept),
        short_share=approx(shorts / swept),
        realized_usd=approx(2.0),
        realized_short_share=1.0,
        # days before 9 January come less than 7 days after the first candle: 12 fit days;
        # 8 days each have 5 or more earlier ones to fit on, all estimated exactly
        calibration=LevelCalibration(k=k, fit_days=12, checked_days=8, within_2x_days=8),
    )
    assert [d.name for d in r.used] == ["open_interest", "candles_1h", "liquidations"]
    near = lm.nearest_short_above(open_int, hourly, as_of, liquidations=liq, model=model)
    raw = lm.clusters(estimate(open_int, hourly, model=model), model, short=True)[0]
    assert near is not None and near.value.usd == pytest.approx(k * raw.usd)


def test_too_little_liquidation_history_gives_relative_sizes_only() -> None:
    open_int, hourly, liq = calm_market()
    as_of = at("2026-01-21 00:00")
    r = lm.swept_24h(open_int, hourly, as_of, liquidations=liq, model=STILL)  # needs 14 days
    assert r is not None and r.value.total_usd is None and r.value.calibration.k is None
    assert r.value.realized_usd == pytest.approx(2.0)  # the day itself is still reported
    assert [d.name for d in r.used] == ["open_interest", "candles_1h"]
    near = lm.nearest_short_above(open_int, hourly, as_of, liquidations=liq, model=STILL)
    assert near is not None and near.value.usd is None and near.value.band_usd is None


# --- swept -------------------------------------------------------------------------------------


def test_swept_24h_is_the_model_usd_consumed_in_the_last_day() -> None:
    wicks = bars([100, 100.5, 101.6], [100, 99.5, 99.4])
    r = lm.swept_24h(oi(1000, 1100, 1100, 1100), wicks, at("2026-01-01 03:00"), model=FIXED)
    assert r is not None and r.unit == "levels"
    # 100x and 50x shorts (7.5 + 10) and the 100x long (7.5); no liquidations: no k.
    assert r.evidence["swept_model_usd"] == pytest.approx(25.0)
    assert r.value == Swept(
        total_usd=None,
        short_share=approx(17.5 / 25),
        realized_usd=None,
        realized_short_share=None,
        calibration=LevelCalibration(k=None, fit_days=0, checked_days=0, within_2x_days=0),
    )
    assert r.evidence["model"] == "estimate"
    assert (r.evidence["from"], r.evidence["to"]) == (
        "2025-12-31T03:00:00Z",
        "2026-01-01T03:00:00Z",
    )


def test_swept_24h_absent_when_nothing_was_swept_in_the_last_day() -> None:
    quiet = [100.5] * 24
    wicks = bars([100, 101.6, *quiet], [100, 99.5, *[99.5] * 24])
    usd = [1000, 1100] + [1100] * 25
    assert lm.swept_24h(oi(*usd), wicks, at("2026-01-02 02:00"), model=STILL) is None
    # One hour earlier, the sweeping candle (01:00-02:00) still lies within the last 24 hours.
    earlier = bars([100, 101.6, *quiet[:-1]], [100, 99.5, *[99.5] * 23])
    swept = lm.swept_24h(oi(*usd[:-1]), earlier, at("2026-01-02 01:00"), model=STILL)
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


def test_sixty_days_of_hourly_data_place_a_level_per_tier_and_side_of_each_candle() -> None:
    """The bench's data (``python -m bench.levels`` times it): the whole window is modelled,
    and with the turnover every candle opens positions."""
    oi_data, hourly = bench_levels.market(days=60)
    model = replace(lm.LEVEL_MODEL, window=pd.Timedelta(days=60))
    levels = lm.estimate_levels(oi_data, hourly, model=model)
    assert levels is not None and levels.opens.equals(pd.DatetimeIndex(hourly.frame.index))
    assert len(levels.price) == 2 * len(model.leverage) * len(hourly.frame)
    rises = np.diff(oi_data.frame["oi_usd"].to_numpy()).clip(0).sum()
    assert levels.opened_usd > rises
