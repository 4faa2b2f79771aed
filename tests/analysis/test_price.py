"""Reference cases for the price facts: one hand-made frame per branch."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import price
from tests.analysis.frames import HOUR, at, candles
from values import PriceLevelBreak, PriorRange


def test_last_price_is_close_of_newest_candle_with_its_close_time() -> None:
    hourly = candles([100, 101, 102.5], start="2026-01-01 00:00", interval=HOUR)
    r = price.last(hourly)
    assert r is not None
    assert r.value == 102.5 and r.unit == "USD"
    assert r.evidence["time"] == "2026-01-01T03:00:00Z"
    assert r.used == (hourly,)


@pytest.mark.parametrize(
    ("n_hours", "expected"),
    [
        (25, (124.0 / 100.0 - 1) * 100),  # close at 24h earlier exists: 100 -> 124
        (24, None),  # the first close is only 23 hours earlier
    ],
)
def test_change_24h(n_hours: int, expected: float | None) -> None:
    closes = [100.0 + i for i in range(n_hours)]
    r = price.change_24h_pct(candles(closes, start="2026-01-01", interval=HOUR))
    if expected is None:
        assert r is None
    else:
        assert r is not None
        assert r.value == pytest.approx(expected)
        assert r.evidence["previous_close"] == 100.0


def test_change_24h_refuses_a_reference_from_across_a_gap() -> None:
    # Hours 0..5, then a gap, then hours 30..40: no close 24 h before the last one.
    first = candles([100.0] * 6, start="2026-01-01 00:00", interval=HOUR)
    second = candles([110.0] * 11, start="2026-01-02 06:00", interval=HOUR)
    frame = pd.concat([first.frame, second.frame])
    gappy = type(first)("candles_1h", "BTC", "x", frame, HOUR)
    assert price.change_24h_pct(gappy) is None


def test_change_7d_on_daily_candles() -> None:
    r = price.change_7d_pct(candles([50, 51, 52, 53, 54, 55, 56, 60], start="2026-01-01"))
    assert r is not None and r.value == pytest.approx(20.0)


def test_intraday_measures_from_the_utc_day_open() -> None:
    hourly = candles(
        [99, 100, 102, 103], start="2026-01-01 22:00", interval=HOUR, opens=[98, 99, 101, 102]
    )
    # Candles of 2026-01-02 open at 101 (00:00) and the last close is 103.
    r = price.intraday_pct(hourly, at("2026-01-02 02:00"))
    assert r is not None
    assert r.value == pytest.approx((103 / 101 - 1) * 100)
    assert r.evidence == {"day": "2026-01-02", "open": 101.0, "close": 103.0}
    assert (
        price.intraday_pct(
            candles([1.0], start="2026-01-01 22:00", interval=HOUR), at("2026-01-02 00:00")
        )
        is None
    )


def test_ath_prefers_hourly_time_when_an_hour_holds_the_high() -> None:
    daily = candles([10, 20, 15], start="2026-01-01", highs=[11, 25, 16])
    r = price.ath(daily)
    assert r is not None and r.value == 25.0 and r.evidence["time"] == "2026-01-02T00:00:00Z"
    hourly = candles([15, 18], start="2026-01-04 00:00", interval=HOUR, highs=[16, 26])
    r = price.ath(daily, hourly)
    assert r is not None and r.value == 26.0
    assert r.evidence["time"] == "2026-01-04T01:00:00Z" and r.evidence["candle"] == "1h"
    assert r.evidence["history_start"] == "2026-01-01"


def test_pct_below_ath() -> None:
    daily = candles([100, 200, 150], start="2026-01-01", highs=[100, 250, 150])
    r = price.pct_below_ath(daily, daily)
    assert r is not None and r.value == pytest.approx(40.0)
    assert r.evidence == {"ath": 250.0, "ath_time": "2026-01-02T00:00:00Z", "last": 150.0}


@pytest.mark.parametrize(
    ("as_of", "is_new"), [("2026-01-21 02:00", True), ("2026-01-22 02:00", False)]
)
def test_new_ath_only_within_24_hours(as_of: str, is_new: bool) -> None:
    # A record of 125 on 2 Jan stands for weeks; the run up to it set records on the way.
    highs = [101, 125] + [111] * 16 + [124, 127]
    daily = candles([100, 120] + [110] * 16 + [123, 126], start="2026-01-01", highs=highs)
    hourly = candles([126, 129], start="2026-01-21 00:00", interval=HOUR, highs=[127, 130])
    r = price.new_ath(daily, at(as_of), hourly)
    if not is_new:
        assert r is None
        return
    assert r is not None and r.value is True
    # 127 (20 Jan) was a record for only a day: the run broke 125 from 2 January.
    assert r.evidence == {
        "ath": 130.0,
        "time": "2026-01-21T01:00:00Z",
        "candle": "1h",
        "previous_ath": 125.0,
        "previous_ath_date": "2026-01-02",
    }


def test_new_ath_without_a_standing_earlier_record() -> None:
    daily = candles([100, 110, 120], start="2026-01-01", highs=[101, 111, 121])
    r = price.new_ath(daily, at("2026-01-04 00:00"))
    assert r is not None and "previous_ath" not in r.evidence


@pytest.mark.parametrize(
    ("level", "step", "key"),
    [
        (100_000, 1000, (2, 100_000)),
        (120_000, 1000, (1, 120_000)),
        (4_000, 10, (2, 4_000)),
        (98.0, 1.0, (0, 98.0)),
    ],
)
def test_significance_counts_trailing_zeros_in_steps(
    level: float, step: float, key: tuple[int, float]
) -> None:
    assert price.significance(level, step) == key


def test_round_step_is_one_percent_rounded_down_to_a_power_of_ten() -> None:
    assert price.round_step(123_000) == 1000
    assert price.round_step(4_080) == 10
    assert price.round_step(97.8) == 0.1


def test_level_break_up_picks_most_trailing_zeros_and_dates_the_last_close_beyond() -> None:
    # Daily history: above 100k on 2026-01-10 (index 9), below since; hourly from 98.5k to 101.5k.
    daily = candles([95_000] * 9 + [100_500] + [97_000] * 50, start="2026-01-01")
    hourly = candles(
        [98_500] * 50 + [99_500, 100_200, 101_500], start="2026-03-01 00:00", interval=HOUR
    )
    r = price.level_break(hourly, daily)
    assert r is not None
    assert r.value == PriceLevelBreak(100_000, "up", previous_close_beyond="2026-01-10")
    assert r.evidence["crossed_at"] == "2026-03-03T03:00:00Z"  # last close below the level
    assert r.evidence["reference_close"] == 98_500
    assert r.evidence["daily_close_beyond"] is False  # the daily closes are all below 100k
    assert r.evidence["history_start"] == "2026-01-01"


def test_level_break_never_before_gives_null() -> None:
    daily = candles([90_000] * 30, start="2026-01-01")
    hourly = candles([99_000] * 50 + [100_400], start="2026-03-01 00:00", interval=HOUR)
    r = price.level_break(hourly, daily)
    assert r is not None and r.value.previous_close_beyond is None


def test_level_break_down_and_tie_goes_to_the_larger_level() -> None:
    daily = candles([110_000] * 30, start="2026-01-01")
    hourly = candles([106_500] * 50 + [103_500], start="2026-03-01 00:00", interval=HOUR)
    r = price.level_break(hourly, daily)
    assert r is not None
    # 104k, 105k and 106k all have the same trailing zeros: the larger wins.
    assert r.value == PriceLevelBreak(106_000, "down", previous_close_beyond=None)


def test_level_break_needs_a_level_between_then_and_now() -> None:
    daily = candles([100_000] * 30, start="2026-01-01")
    flat = candles([100_100] * 50 + [100_300], start="2026-03-01 00:00", interval=HOUR)
    assert price.level_break(flat, daily) is None
    short = candles([99_000, 101_000], start="2026-03-01 00:00", interval=HOUR)
    assert price.level_break(short, daily) is None  # no close 48 h earlier


def test_level_break_ignores_a_level_crossed_and_lost_again() -> None:
    daily = candles([99_000] * 30, start="2026-01-01")
    hourly = candles([99_000] * 50 + [100_500, 99_300], start="2026-03-01 00:00", interval=HOUR)
    r = price.level_break(hourly, daily)
    # 100,000 was crossed and lost again; of the levels price is still beyond, 99,200 is larger.
    assert r is not None and r.value.level == 99_200


def test_prior_range_is_the_week_before_the_breakout() -> None:
    rng = [100, 104, 101, 103, 99, 102, 100, 103, 101, 102]
    daily = candles(
        [*rng, 108, 112],
        start="2026-01-01",
        highs=[c + 1 for c in rng] + [109, 113],
        lows=[c - 1 for c in rng] + [101, 107],
    )
    r = price.prior_range(daily)
    assert r is not None
    # Closes of days 11 and 12 are above the high of days 4-10 (104): the move began on day 11.
    assert r.value == PriorRange(low=98.0, high=104.0, start="2026-01-04", end="2026-01-10")
    assert r.evidence["direction"] == "up" and r.evidence["move_start"] == "2026-01-11"


def test_prior_range_none_when_price_is_inside_its_range() -> None:
    daily = candles([100, 104, 101, 103, 99, 102, 100, 103, 101, 102], start="2026-01-01")
    assert price.prior_range(daily) is None


def test_weekly_gain_rank_counts_larger_peaks_seven_days_apart() -> None:
    closes = [100.0] * 400
    closes[100:107] = [100, 103, 106, 109, 112, 115, 125]  # +25 % week ending day 106
    closes[107:] = [125.0] * 293
    closes[200:207] = [125, 126, 127, 128, 129, 130, 131.25]  # +5 %
    closes[207:] = [131.25] * 193
    closes[392:] = [131.25 * (1 + 0.015 * i) for i in range(1, 9)]  # this week: ~ +12 %
    daily = candles(closes, start="2025-01-01")
    r = price.weekly_gain_rank(daily, daily)
    assert r is not None
    value = r.value
    assert isinstance(value, dict)
    assert value["rank"] == 2
    assert value["previous_larger"] == {"date": "2025-04-17", "gain_pct": pytest.approx(25.0)}


def test_weekly_gain_rank_absent_for_a_loss() -> None:
    daily = candles([100.0 - i * 0.1 for i in range(60)], start="2026-01-01")
    assert price.weekly_gain_rank(daily, daily) is None
