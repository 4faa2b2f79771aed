"""Reference cases for the price facts: one hand-made frame per branch."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import price
from models import Dataset
from tests.analysis.frames import HOUR, at, candles, levels
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


@pytest.mark.parametrize(
    ("asset", "last", "major", "minor"),
    [
        ("BTC", 89_559.0, 5000.0, 1000.0),  # the settings' steps, whatever the price
        ("BTC", 123_000.0, 5000.0, 1000.0),
        ("ETH", 2_955.0, 500.0, 100.0),
        ("DXY", 97.6, 1.0, None),  # a major step but no minor one: none
        ("SOL", 150.0, 50.0, 10.0),  # others by the price's scale
        ("XRP", 2.3, 0.5, 0.1),
        ("NEW", 12_000.0, 5000.0, 1000.0),
    ],
)
def test_level_rule_steps(asset: str, last: float, major: float, minor: float | None) -> None:
    rule = price.level_rule(
        asset,
        last,
        major_steps={"BTC": 5000.0, "ETH": 500.0, "DXY": 1.0},
        minor_steps={"BTC": 1000.0, "ETH": 100.0},
        min_age_days=14,
        minor_unseen_days=30,
    )
    assert (rule.major, rule.minor) == (major, minor)


# Level breaks: daily closes from 1 January 2026 (60 days: the last is 1 March), hourly closes
# of 27 February on (so the 48 hours before the last hourly close start on 27 or 28 February).
START, HOURLY_START = "2026-01-01", "2026-02-27 00:00"


def daily(*runs: tuple[float, int]) -> Dataset:
    """Daily candles of 60 days: (close, days) runs, in order."""
    closes = [c for close, n in runs for c in [close] * n]
    assert len(closes) == 60
    return candles(closes, start=START)


def hourly(*runs: tuple[float, int]) -> Dataset:
    """Hourly candles from 27 February 00:00: (close, hours) runs, in order."""
    return candles([c for close, n in runs for c in [close] * n], start=HOURLY_START, interval=HOUR)


# Above $95,000 until 10 January; below it, at 93,000, through 27 February.
ABOVE_THEN_BELOW = ((97_000.0, 10), (93_000.0, 48))


def test_level_break_first_daily_close_beyond_since_a_date() -> None:
    # 28 Feb closes at 93,000 too, 1 Mar at 96,000: the 1 Mar close is the first above 95,000
    # since 10 January. 94k and 96k (minor, unseen 50 days) also qualify; the major one wins.
    d = daily(*ABOVE_THEN_BELOW, (93_000.0, 1), (96_000.0, 1))
    h = hourly((93_000.0, 48), (96_000.0, 24), (96_100.0, 3))
    r = price.level_break(h, d, **levels())
    assert r is not None
    assert r.value == PriceLevelBreak(95_000, "up", previous_close_beyond="2026-01-10")
    assert r.evidence["closes_beyond"] == 1
    assert r.evidence["crossed_at"] == "2026-03-01T00:00:00Z"  # the last hourly close below
    assert r.evidence["beyond_since"] == "2026-03-01T01:00:00Z"
    assert r.evidence["candle"] == "1h" and r.evidence["history_start"] == "2026-01-01"


def test_level_break_never_dates_the_latest_close_itself() -> None:
    # The hourly series (another market's) closes below 95,000 at 00:00 on 2 March, when the
    # daily close of 1 March is above it: the run is that close, the date before it 10 January.
    d = daily(*ABOVE_THEN_BELOW, (93_000.0, 1), (96_000.0, 1))
    h = hourly((93_000.0, 48), (96_000.0, 23), (94_900.0, 1), (96_100.0, 3))
    r = price.level_break(h, d, **levels())
    assert r is not None and r.value.previous_close_beyond == "2026-01-10"
    assert r.evidence["closes_beyond"] == 1


def test_level_break_with_two_closes_beyond_dates_the_close_before_them() -> None:
    # Crossed on 28 Feb at 06:00, after the reference (28 Feb 03:00): 28 Feb and 1 Mar closed
    # below 90,000; the last close below it before them was 10 January.
    d = daily((88_000.0, 10), (92_000.0, 48), (89_000.0, 1), (88_500.0, 1))
    h = hourly((92_000.0, 30), (89_000.0, 18), (88_500.0, 24), (88_400.0, 3))
    r = price.level_break(h, d, **levels())
    assert r is not None
    assert r.value == PriceLevelBreak(90_000, "down", previous_close_beyond="2026-01-10")
    assert r.evidence["closes_beyond"] == 2


def test_level_break_today_has_no_daily_close_beyond_yet() -> None:
    # Crossed, lost and crossed again today: it counts by where price stands, timed by the
    # last hourly close below; no daily close is above 95,000 since 10 January.
    d = daily(*ABOVE_THEN_BELOW, (93_000.0, 2))
    h = hourly((93_000.0, 72), (95_500.0, 1), (94_500.0, 1), (95_500.0, 1), (95_600.0, 1))
    r = price.level_break(h, d, **levels())
    assert r is not None
    assert r.value == PriceLevelBreak(95_000, "up", previous_close_beyond="2026-01-10")
    assert r.evidence["closes_beyond"] == 0
    assert r.evidence["crossed_at"] == "2026-03-02T02:00:00Z"
    assert r.evidence["beyond_since"] == "2026-03-02T03:00:00Z"


def test_level_crossed_and_recrossed_from_beyond_is_no_break() -> None:
    # Above 95,000 48 hours ago, a dip below and back: price is where it was, nothing crossed.
    d = daily(*ABOVE_THEN_BELOW, (96_000.0, 2))
    h = hourly((96_000.0, 72), (94_500.0, 2), (95_500.0, 2))
    assert price.level_break(h, d, **levels()) is None


def test_level_break_needs_its_run_of_closes_to_start_after_the_reference() -> None:
    # Daily closes above 95,000 since 26 Feb, an hourly dip below it 48 hours ago: the closes
    # were beyond it before the reference, so it was not crossed in the window.
    d = daily((97_000.0, 10), (93_000.0, 46), (96_000.0, 4))
    h = hourly((96_000.0, 27), (94_000.0, 1), (96_000.0, 47), (96_100.0, 3))
    assert price.level_break(h, d, **levels()) is None


@pytest.mark.parametrize(
    ("below_days", "level"),
    [
        (13, None),  # closed below 95,000 13 days before: too recent for any level
        (14, 95_000),  # 14 days: the major level counts
        (29, 95_000),
    ],
)
def test_level_break_minimum_age(below_days: int, level: float | None) -> None:
    # Closes above 95,000, except ``below_days`` before 1 Mar at 94,500; 1 Mar closes below
    # 95,000 (94,800), crossed within 48 hours.
    d = candles([97_000.0] * 40 + [96_000.0] * 20, start=START)
    closes = list(d.frame["close"])
    closes[59 - below_days] = 94_500.0
    closes[59] = 94_800.0
    d = candles(closes, start=START)
    h = hourly((96_000.0, 48), (94_800.0, 24), (94_700.0, 3))
    r = price.level_break(h, d, **levels())
    assert (r and r.value.level) == level


@pytest.mark.parametrize(("unseen_days", "level"), [(29, None), (30, 96_000)])
def test_minor_levels_need_30_days_unseen(unseen_days: int, level: float | None) -> None:
    # 96,000 (a minor level) crossed up from 95,500; last closed above it ``unseen_days`` back.
    closes = [95_500.0] * 60
    closes[59 - unseen_days] = 96_500.0
    closes[59] = 96_200.0
    h = hourly((95_500.0, 48), (96_200.0, 24), (96_300.0, 3))
    r = price.level_break(h, candles(closes, start=START), **levels())
    assert (r and r.value.level) == level


def test_level_break_never_before_gives_null() -> None:
    d = daily((90_000.0, 59), (100_400.0, 1))
    h = hourly((90_000.0, 48), (100_400.0, 27))
    r = price.level_break(h, d, **levels())
    assert r is not None
    # 100k has the most trailing zeros of the major levels crossed (90-100k).
    assert r.value == PriceLevelBreak(100_000, "up", previous_close_beyond=None)


def test_level_break_ties_go_to_the_larger_level() -> None:
    # 104k and 106k have as many trailing zeros (in $1,000 steps) as each other; with no major
    # level crossed, the larger wins.
    d = daily((110_000.0, 59), (103_500.0, 1))
    h = hourly((106_500.0, 48), (103_500.0, 27))
    r = price.level_break(h, d, **levels(level_major_steps={"BTC": 50_000.0}))
    assert r is not None
    assert r.value == PriceLevelBreak(106_000, "down", previous_close_beyond=None)


def test_level_break_needs_a_level_between_then_and_now() -> None:
    d = daily((100_000.0, 60))
    flat = hourly((100_100.0, 50), (100_300.0, 1))
    assert price.level_break(flat, d, **levels()) is None
    short = candles([99_000, 101_000], start="2026-03-01 00:00", interval=HOUR)
    assert price.level_break(short, d, **levels()) is None  # no close 48 h earlier


def test_level_break_on_daily_candles_only() -> None:
    d = daily(*ABOVE_THEN_BELOW, (93_000.0, 1), (96_000.0, 1))
    r = price.level_break(d, d, **levels())
    assert r is not None and r.value.previous_close_beyond == "2026-01-10"
    assert r.evidence["candle"] == "1d" and r.evidence["closes_beyond"] == 1


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
    assert r.evidence["closes_since"] == 2  # the closes of 11 and 12 January


def test_prior_range_broken_today_has_no_daily_close_since() -> None:
    # Daily closes inside the range (highs up to 104 in 6-12 January); today's hours close above.
    rng = [100, 104, 101, 103, 99, 102, 100, 103, 101, 102, 101, 103]
    daily = candles(rng, start="2026-01-01", highs=[c + 1 for c in rng])
    today = candles([103.0, 106.0, 107.0], start="2026-01-13 00:00", interval=HOUR)
    r = price.prior_range(daily, today)
    assert r is not None
    assert r.evidence["move_start"] == "2026-01-13" and r.evidence["closes_since"] == 0
    assert r.value.high == 104.0


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


def _hours_with_volume(volumes: list[float]) -> Dataset:
    hourly = candles([100.0] * len(volumes), start="2026-01-01 00:00", interval=HOUR)
    frame = hourly.frame.assign(volume=volumes)
    return Dataset("candles_1h", "BTC", "x", frame, HOUR)


def test_the_day_s_volume_is_read_against_the_median_of_30_earlier_days() -> None:
    # 31 days of hours: day k (k = 0..29) trades 10 + k per hour, the last day 30 per hour.
    volumes = [10.0 + k for k in range(30) for _ in range(24)] + [30.0] * 24
    r = price.volume_24h_pct(_hours_with_volume(volumes), at("2026-02-01 00:00"))
    median_day = 24 * (10.0 + 14.5)  # the median of 240, 264, ..., 936
    assert r is not None and r.unit == "pct"
    assert r.value == pytest.approx((24 * 30.0 / median_day - 1) * 100)
    assert r.evidence["volume"] == 720.0 and r.evidence["median_volume"] == median_day
    assert r.evidence["to"] == "2026-02-01T00:00:00Z" and r.evidence["ends_at_as_of"] is True
    assert r.evidence["times"] is None  # 1.22 times the median: said as a percent
    heavy = price.volume_24h_pct(
        _hours_with_volume([*volumes[:-24], *[60.0] * 24]), at("2026-02-01")
    )
    assert heavy is not None and heavy.evidence["times"] == 2.4  # 1,440 / 588
    late = price.volume_24h_pct(_hours_with_volume(volumes), at("2026-02-01 03:00"))
    assert late is not None and late.evidence["ends_at_as_of"] is False
    assert price.volume_24h_pct(_hours_with_volume(volumes[24:]), at("2026-02-01")) is None
    gappy = _hours_with_volume(volumes)
    gappy = Dataset("candles_1h", "BTC", "x", gappy.frame.drop(gappy.frame.index[-3]), HOUR)
    assert price.volume_24h_pct(gappy, at("2026-02-01 00:00")) is None  # 23 hours in the day
