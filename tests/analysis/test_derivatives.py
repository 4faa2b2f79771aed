"""Reference cases for funding, open interest, liquidation and positioning facts."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal, TypedDict

import pandas as pd
import pytest

from analysis import derivatives
from models import Dataset
from settings import AnalysisSettings
from tests.analysis.frames import HOUR, approx, at, candles
from tests.analysis.points import DAY, funding, liquidations, long_short, open_interest, times
from values import FundingFlip, FundingRate, Majority, Squeeze

# --- funding -------------------------------------------------------------------------------


def test_funding_rate_is_percent_per_interval_and_annualised_over_the_last_interval() -> None:
    f = funding([0.0001, -0.0002, 0.0001], times("2026-01-01", 3, 8 * HOUR))
    r = derivatives.rate(f)
    assert r is not None and r.unit == "rate"
    assert r.value == FundingRate(
        pct=approx(0.01), annualised_pct=approx(0.01 * 3 * 365), interval_hours=8.0
    )
    assert r.evidence == {"time": "2026-01-01T16:00:00Z", "venues": []}
    # Hourly funding (some venues): the interval comes from the last two prints.
    hourly = funding([0.0001, 0.00005], times("2026-01-01", 2, HOUR))
    r = derivatives.rate(hourly)
    assert r is not None and r.value.annualised_pct == pytest.approx(0.005 * 24 * 365)


def test_funding_rate_needs_two_prints() -> None:
    assert derivatives.rate(funding([0.0001], ["2026-01-01"])) is None


class FlipRule(TypedDict):
    funding_flip_min_prints: int
    funding_flip_min_pct: float


FLIP_RULE: FlipRule = {"funding_flip_min_prints": 3, "funding_flip_min_pct": 0.001}
"""The funding-flip thresholds of the default ``[analysis]`` settings."""


def test_the_flip_thresholds_are_the_default_settings() -> None:
    assert {k: getattr(AnalysisSettings(), k) for k in FLIP_RULE} == FLIP_RULE


def _flipped(hours_ago: float) -> tuple[Dataset, pd.Timestamp]:
    """Negative prints, then positive ones from ``hours_ago`` before the as-of on."""
    as_of = at("2026-03-10 12:00")
    first_positive = as_of - pd.Timedelta(hours=hours_ago)
    index = pd.DatetimeIndex(
        [first_positive - k * 8 * HOUR for k in (3, 2, 1)]
        + [first_positive + k * 8 * HOUR for k in range(9) if k * 8 <= hours_ago],
        name="time",
    )
    rates = [-0.0001, -0.00005, -0.00002] + [0.00003] * (len(index) - 4) + [0.0001]
    return funding(rates, index), as_of


@pytest.mark.parametrize(("hours_ago", "fires"), [(71, True), (72, True), (73, False)])
def test_funding_flip_only_within_72_hours(hours_ago: float, fires: bool) -> None:
    f, as_of = _flipped(hours_ago)
    r = derivatives.flip(f, as_of, **FLIP_RULE)
    if not fires:
        assert r is None
        return
    assert r is not None
    first_positive = as_of - pd.Timedelta(hours=hours_ago)
    assert r.value == FundingFlip(
        from_="negative",
        to="positive",
        at=first_positive.strftime("%Y-%m-%dT%H:%M:%SZ"),
        prints_since=9,  # 71 h and 72 h: prints at +0, +8 ... +64 h
        current_pct=approx(0.01),
    )
    assert r.evidence["previous_pct"] == pytest.approx(-0.002)
    # the regime it ended: three negative prints reaching back to the first row
    assert r.evidence["prior_prints"] == 3 and r.evidence["prior_since"] is None
    assert r.evidence["prior_mean_pct"] == pytest.approx(-0.17 / 3 * 0.1)


def test_no_flip_when_the_sign_never_changed() -> None:
    f = funding([0.0001, 0.0002, 0.00005], times("2026-01-01", 3, 8 * HOUR))
    assert derivatives.flip(f, at("2026-01-01 16:00"), **FLIP_RULE) is None


def test_funding_flip_to_negative_reports_the_latest_flip_and_skips_zero_prints() -> None:
    # - + + + - (flip) 0 - : the zero print has no sign and does not end the run.
    rates = [-0.0001, 0.0001, 0.0001, 0.0001, -0.0001, 0.0, -0.0003]
    f = funding(rates, times("2026-01-01", 7, 8 * HOUR))
    r = derivatives.flip(f, at("2026-01-03 00:00"), **FLIP_RULE)
    assert r is not None
    assert r.value == FundingFlip(
        from_="positive",
        to="negative",
        at="2026-01-02T08:00:00Z",
        prints_since=3,
        current_pct=approx(-0.03),
    )
    assert r.evidence["prior_prints"] == 3
    assert r.evidence["prior_since"] == "2026-01-01T08:00:00Z"  # the run's first print
    assert r.evidence["prior_mean_pct"] == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("before", "fires"),
    [
        ([0.0001] * 6 + [-0.00000025], False),  # one print just below zero: no regime
        ([0.0001] * 6 + [-0.00000025] * 3, False),  # three, but averaging ~0.0000 %
        ([0.0001] * 6 + [-0.00001] * 2, False),  # two prints of -0.001 %: too few
        ([0.0001] * 6 + [-0.00001] * 3, True),  # three of -0.001 %: a regime
    ],
)
def test_a_flip_needs_a_prior_regime(before: list[float], fires: bool) -> None:
    rates = [*before, 0.00005, 0.00006]
    f = funding(rates, times("2026-01-01", len(rates), 8 * HOUR))
    as_of = at("2026-01-01") + (len(rates) - 1) * 8 * HOUR
    r = derivatives.flip(f, as_of, **FLIP_RULE)
    assert (r is not None) == fires
    if r is not None:
        assert r.value.from_ == "negative" and r.evidence["prior_mean_pct"] == approx(-0.001)


# --- open interest ---------------------------------------------------------------------------


def test_open_interest_usd_is_the_newest_row() -> None:
    oi = open_interest([1e9, 1.1e9], times("2026-01-01", 2))
    r = derivatives.usd(oi)
    assert r is not None and r.value == 1.1e9
    assert r.evidence == {"time": "2026-01-01T01:00:00Z", "venues": []}
    named = replace(oi, venues=("Binance",))
    r = derivatives.usd(named)
    assert r is not None and r.evidence["venues"] == ["Binance"]


@pytest.mark.parametrize(
    ("n_rows", "step", "expected"),
    [
        (25, HOUR, 10.0),  # a row exactly 24 h before the newest
        (24, HOUR, None),  # history starts 23 h before
        (5, 6 * HOUR, 10.0),  # 6-hourly rows: still exact
    ],
)
def test_open_interest_change_24h(n_rows: int, step: pd.Timedelta, expected: float | None) -> None:
    usd = [100.0] + [105.0] * (n_rows - 2) + [110.0]
    r = derivatives.change_24h_pct(open_interest(usd, times("2026-01-01", n_rows, step)))
    if expected is None:
        assert r is None
    else:
        assert r is not None and r.value == pytest.approx(expected)
        assert r.evidence["previous_time"] == "2026-01-01T00:00:00Z"
        assert r.evidence["hours"] == 24.0


def test_open_interest_change_refuses_a_reference_older_than_the_tolerance() -> None:
    index = pd.DatetimeIndex(
        [at("2026-01-01 00:00"), at("2026-01-01 22:00"), at("2026-01-02 02:00")], name="time"
    )
    oi = open_interest([100.0, 104.0, 110.0], index)
    # 24 h before 02:00 is 02:00 yesterday; the last row by then (00:00) is 2 hours older.
    assert derivatives.change_24h_pct(oi) is None
    r = derivatives.oi_change_24h(oi, tolerance=pd.Timedelta(hours=4))
    assert r is not None and r.value == pytest.approx(10.0)
    assert r.evidence["hours"] == 26.0  # the note then says the reference's time


# --- liquidations: windows -------------------------------------------------------------------

AS_OF = at("2026-02-01 08:00")


def test_liquidation_totals_count_complete_buckets_of_the_last_24_hours() -> None:
    # Buckets from 2026-01-31 07:00 to 2026-02-01 08:00: the one at 08:00 is still running and
    # the one at 07:00 yesterday ended at 08:00 yesterday, outside the window: 24 remain.
    index = times("2026-01-31 07:00", 26)
    longs = [1000.0] + [1.0] * 24 + [1000.0]
    shorts = [1000.0] + [3.0] * 23 + [7.0] + [1000.0]
    liq = liquidations(longs, shorts, index)
    total = derivatives.total_24h_usd(liq, AS_OF)
    assert total is not None and total.value == pytest.approx(24 + 23 * 3 + 7)
    assert total.evidence == {
        "from": "2026-01-31T08:00:00Z",
        "to": "2026-02-01T08:00:00Z",
        "buckets": 24,
        "bucket_hours": 1.0,
        "ends_at_as_of": True,
        "venues": [],
    }
    long_ = derivatives.long_24h_usd(liq, AS_OF)
    short = derivatives.short_24h_usd(liq, AS_OF)
    assert long_ is not None and long_.value == 24.0
    assert short is not None and short.value == 23 * 3 + 7.0
    one = derivatives.total_1h_usd(liq, AS_OF)
    assert one is not None and one.value == 8.0  # the 07:00 bucket: 1 long + 7 short
    assert (one.evidence["from"], one.evidence["to"], one.evidence["buckets"]) == (
        "2026-02-01T07:00:00Z",
        "2026-02-01T08:00:00Z",
        1,
    )
    share = derivatives.short_share_24h(liq, AS_OF)
    assert share is not None and share.value == pytest.approx(76 / 100) and share.unit == "ratio"


def test_liquidation_totals_absent_when_data_is_stale_or_too_short() -> None:
    stale = liquidations([1.0] * 30, [1.0] * 30, times("2026-01-31 00:00", 30))  # ends 06:00
    assert derivatives.total_1h_usd(stale, AS_OF) is None
    assert derivatives.total_24h_usd(stale, AS_OF) is None
    short_history = liquidations([1.0] * 10, [1.0] * 10, times("2026-01-31 22:00", 10))
    assert derivatives.total_1h_usd(short_history, AS_OF) is not None
    assert derivatives.total_24h_usd(short_history, AS_OF) is None
    assert derivatives.short_share_24h(short_history, AS_OF) is None


def test_four_hourly_buckets_give_a_24h_total_but_no_1h_total() -> None:
    liq = liquidations([1.0] * 8, [2.0] * 8, times("2026-01-31 00:00", 8, 4 * HOUR))
    as_of = at("2026-02-01 04:00")  # buckets 2026-01-31 04:00 ... 2026-02-01 00:00 count
    total = derivatives.total_24h_usd(liq, as_of)
    assert total is not None and total.value == 6 * 3.0
    assert total.evidence["ends_at_as_of"] is True and total.evidence["bucket_hours"] == 4.0
    assert derivatives.total_1h_usd(liq, as_of) is None
    assert derivatives.spike(liq, as_of) is None  # hourly buckets only


def test_four_hourly_buckets_between_their_ends_name_their_real_window() -> None:
    # At 07:00 the newest complete 4-hour bucket ended at 04:00: the 24 hours end there.
    liq = liquidations([1.0] * 9, [2.0] * 9, times("2026-01-31 00:00", 9, 4 * HOUR))
    total = derivatives.total_24h_usd(liq, at("2026-02-01 07:00"))
    assert total is not None and total.value == 6 * 3.0
    assert total.evidence["from"] == "2026-01-31T04:00:00Z"
    assert total.evidence["to"] == "2026-02-01T04:00:00Z"
    assert total.evidence["ends_at_as_of"] is False


def test_daily_buckets_tile_a_day_at_midnight_only_once_complete() -> None:
    liq = liquidations([5.0, 6.0, 7.0], [1.0, 1.0, 1.0], times("2026-01-29", 3, DAY))
    total = derivatives.total_24h_usd(liq, at("2026-02-01 00:00"))  # the 31 January bucket
    assert total is not None and total.value == 8.0 and total.evidence["ends_at_as_of"] is True
    later = derivatives.total_24h_usd(liq, at("2026-02-01 14:00"))
    assert later is not None and later.evidence["to"] == "2026-02-01T00:00:00Z"
    assert later.evidence["ends_at_as_of"] is False


def test_a_missing_hour_makes_the_24h_total_absent_not_shorter() -> None:
    # 2026-02-06 19:00 is missing (as in CoinGlass's hourly file): no 23-hour "24-hour" total.
    index = times("2026-02-06 00:00", 46)
    gappy = index[index != at("2026-02-06 19:00")]
    liq = liquidations([1.0] * len(gappy), [1.0] * len(gappy), gappy)
    as_of = at("2026-02-07 08:00")
    assert derivatives.total_24h_usd(liq, as_of) is None
    assert derivatives.long_24h_usd(liq, as_of) is None
    assert derivatives.short_share_24h(liq, as_of) is None
    assert derivatives.spike(liq, as_of) is None
    assert derivatives.total_1h_usd(liq, as_of) is not None  # the latest hour is whole
    assert derivatives.total_24h_usd(liq, at("2026-02-07 19:00")) is None  # from 19:00 yesterday
    back = derivatives.total_24h_usd(liq, at("2026-02-07 20:00"))  # from 20:00: whole again
    assert back is not None and back.value == 48.0 and back.evidence["buckets"] == 24


def test_no_short_share_without_liquidations() -> None:
    liq = liquidations([0.0] * 25, [0.0] * 25, times("2026-01-31 08:00", 25))
    assert derivatives.short_share_24h(liq, AS_OF) is None


# --- liquidations: spike and squeeze ---------------------------------------------------------


def _month(last_day: tuple[float, float], *, top: float | None = None) -> Dataset:
    """31 days of hourly buckets of 0.5 + 0.5 USD, then 24 complete hours of ``last_day``
    (long, short) each; ``top`` replaces the short USD of the bucket opened at 03:00 today.
    """
    n = 31 * 24 + 1
    index = times(str((AS_OF - (n - 1) * HOUR).tz_localize(None)), n)
    longs, shorts = [0.5] * n, [0.5] * n
    for i in range(n - 25, n - 1):
        longs[i], shorts[i] = last_day
    if top is not None:
        shorts[n - 6] = top
    return liquidations(longs, shorts, index)


def test_spike_is_the_largest_hour_over_the_30_day_median_hour() -> None:
    liq = _month((0.5, 0.5), top=9.5)
    r = derivatives.spike(liq, AS_OF)
    assert r is not None and r.value == pytest.approx(10.0)
    assert r.evidence == {
        "hour": "2026-02-01T03:00:00Z",
        "usd": 10.0,
        "long_usd": 0.5,
        "short_usd": 9.5,
        "median_hour_usd": 1.0,
    }


def test_spike_needs_a_week_of_history() -> None:
    liq = liquidations([1.0] * 100, [1.0] * 100, times("2026-01-28 05:00", 100))
    assert derivatives.spike(liq, AS_OF) is None


THRESHOLDS = {"squeeze_min_move_pct": 2.0, "squeeze_min_share": 0.70, "squeeze_min_multiple": 3.0}
"""The squeeze thresholds of the default ``[analysis]`` settings."""


def test_the_thresholds_are_the_default_settings() -> None:
    assert {k: getattr(AnalysisSettings(), k) for k in THRESHOLDS} == THRESHOLDS


def _rising(change_pct: float) -> Dataset:
    """Hourly candles whose last close is ``change_pct`` % above the close 24 hours before it."""
    return candles([100.0] * 24 + [100.0 + change_pct], start="2026-01-31 07:00", interval=HOUR)


@pytest.mark.parametrize(
    ("move", "hour", "fires"),
    [
        (2.0, (0.75, 2.25), True),  # all at the thresholds: +2 %, 75 % shorts, 3.0x
        (1.99, (0.75, 2.25), False),  # price +1.99 %
        (2.0, (0.9, 2.1), True),  # share exactly 0.70
        (2.0, (0.903, 2.097), False),  # share 0.699
        (2.0, (0.7475, 2.2425), False),  # total 2.99x its median
        (-2.0, (2.25, 0.75), True),  # a long squeeze
        (-2.0, (0.75, 2.25), False),  # price down but shorts liquidated: no squeeze
    ],
)
def test_squeeze_thresholds(move: float, hour: tuple[float, float], fires: bool) -> None:
    liq = _month(hour)
    r = derivatives.squeeze(liq, _rising(move), AS_OF, **THRESHOLDS)
    if not fires:
        assert r is None
        return
    assert r is not None
    side: Literal["long", "short"] = "short" if move > 0 else "long"
    share = hour[1] / 3 if move > 0 else hour[0] / 3
    assert r.value == Squeeze(
        side=side,
        price_change_pct=approx(move),
        liquidated_usd=approx(72.0),
        share=approx(share),
    )
    assert r.evidence["median_24h_usd"] == 24.0 and r.evidence["multiple"] == pytest.approx(3.0)


def test_squeeze_thresholds_are_settings() -> None:
    liq = _month((0.75, 2.25))
    assert derivatives.squeeze(liq, _rising(1.5), AS_OF, **THRESHOLDS) is None
    r = derivatives.squeeze(liq, _rising(1.5), AS_OF, **THRESHOLDS | {"squeeze_min_move_pct": 1.5})
    assert r is not None


def test_squeeze_measures_the_price_over_the_liquidations_window() -> None:
    # 4-hour buckets: at 07:00 the 24 hours end at 04:00. Price rose 2 % from 04:00 yesterday
    # to 04:00 today, then fell back: over the same 24 hours it is a squeeze, though the price
    # is up only 0.5 % on 07:00 yesterday.
    as_of = at("2026-02-01 07:00")
    n = 31 * 6
    index = times(str((at("2026-02-01 04:00") - n * 4 * HOUR).tz_localize(None)), n, 4 * HOUR)
    longs, shorts = [0.5] * n, [0.5] * n
    longs[-6:], shorts[-6:] = [0.9] * 6, [2.1] * 6
    liq = liquidations(longs, shorts, index)
    closes = [100.0] * 31  # hourly candles from 00:00 on 31 January: close i at 01:00 + i h
    closes[27], closes[30] = 102.0, 100.5  # closes at 04:00 and 07:00 on 1 February
    prices = candles(closes, start="2026-01-31 00:00", interval=HOUR)
    r = derivatives.squeeze(liq, prices, as_of, **THRESHOLDS)
    assert r is not None and r.value.side == "short"
    assert r.value.price_change_pct == pytest.approx((102.0 / 100.0 - 1) * 100)
    assert (r.evidence["from"], r.evidence["to"]) == (
        "2026-01-31T04:00:00Z",
        "2026-02-01T04:00:00Z",
    )
    assert r.evidence["ends_at_as_of"] is False


# --- positioning -----------------------------------------------------------------------------


def test_long_pct_is_the_newest_row() -> None:
    ls = long_short([48.0, 35.0], times("2026-01-01", 2))
    r = derivatives.long_pct(ls)
    assert r is not None and r.value == 35.0 and r.unit == "pct"


@pytest.mark.parametrize(
    ("pcts", "expected", "since"),
    [
        ([40.0, 36.0, 35.0], Majority("short", 65.0), None),
        ([52.0, 45.0, 35.0], Majority("short", 65.0), "2026-01-01T01:00:00Z"),
        ([45.0, 55.0, 60.5], Majority("long", 60.5), "2026-01-01T01:00:00Z"),
        ([45.0, 55.0, 50.0], None, None),
    ],
)
def test_majority(pcts: list[float], expected: Majority | None, since: str | None) -> None:
    r = derivatives.majority(long_short(pcts, times("2026-01-01", 3)))
    if expected is None:
        assert r is None
        return
    assert r is not None and r.value == expected
    assert r.evidence["since"] == since


def test_bucket_length_is_the_typical_spacing() -> None:
    liq = liquidations([1.0] * 3, [1.0] * 3, times("2026-01-01", 3, 4 * HOUR))
    assert derivatives.bucket_length(liq) == 4 * HOUR
    assert derivatives.bucket_length(liquidations([1.0], [1.0], times("2026-01-01", 1))) == HOUR
    assert DAY == 24 * HOUR
