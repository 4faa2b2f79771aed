"""Reference cases for ``context.base_rate``: hand-made histories whose cases and forward
returns are known by construction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
import pytest

from analysis import context
from analysis.base import closes
from analysis.derivatives import flip
from models import Dataset, Fact, JSONValue
from settings import AnalysisSettings
from tests.analysis.frames import DAY, approx, at, candles, levels
from tests.analysis.points import funding, times
from tests.render.make import fact
from values import BaseRate, ForwardReturns

HOUR = pd.Timedelta(hours=1)
START = "2024-01-01"
EVENTS = {40: 0.02, 100: -0.01, 120: 0.03, 170: 0.01, 230: -0.02, 290: 0.04, 350: 0.015, 390: 0.0}
"""Day of each 10 % rise, and the change of the next day (no other day moves 5 % or more).
120 lies 20 days after 100 (overlapping: not counted); 390 and the last day, 399, are too
recent for a 30-day window before the as-of, the close of day 399."""
N = 400


def _factors() -> np.ndarray:
    f = np.ones(N)
    for e, follow in EVENTS.items():
        f[e], f[e + 1] = 1.10, 1.0 + follow
    f[N - 1] = 1.10
    return f


def _daily() -> Dataset:
    return candles(list(100.0 * np.cumprod(_factors())), start=START)


AS_OF = at(START) + N * DAY
COUNTED = [40, 100, 170, 230, 290, 350]


def _options(**changes: Any) -> dict[str, Any]:
    s = AnalysisSettings()
    options: dict[str, Any] = {"base_rate_min_cases": s.base_rate_min_cases}
    options |= {"base_rate_ath_gap_days": s.base_rate_ath_gap_days}
    options |= {"base_rate_move_pct": s.base_rate_move_pct}
    options |= {"funding_flip_min_prints": 3, "funding_flip_min_pct": 0.001}
    options |= {"squeeze_min_move_pct": s.squeeze_min_move_pct}
    options |= {"squeeze_min_share": s.squeeze_min_share}
    options |= {"squeeze_min_multiple": s.squeeze_min_multiple}
    return options | dict(levels()) | changes


def test_moves_are_found_on_the_day_they_close() -> None:
    found = context.big_moves(_daily(), 5.0)
    days = [(t - at(START)).days - 1 for t in found.index]
    assert days == [*EVENTS, N - 1]
    assert (found == 1.0).all()


def test_cases_skip_overlapping_and_too_recent_events() -> None:
    daily = _daily()
    anchors = context.cases(context.big_moves(daily, 5.0), daily, AS_OF)
    assert anchors == [at(START) + (e + 1) * DAY for e in COUNTED]


def test_an_event_before_the_daily_history_is_no_case() -> None:
    """A market event of months before the asset's first candle (a DXY break of 2015 for an
    asset listed in 2017) has no close within a day of it: it must not become a case at the
    first candle. Found by the real-day checker (2024-06-27: 41 DXY cases, not 40)."""
    daily = _daily()
    first = pd.DatetimeIndex(daily.frame.index)[0] + DAY  # the first daily close
    early = pd.Series(1.0, index=pd.DatetimeIndex([first - 90 * DAY, first - 40 * DAY]))
    assert context.cases(early, daily, AS_OF) == []
    at_open = pd.Series(1.0, index=pd.DatetimeIndex([first - DAY]))  # a day before: counted
    assert context.cases(at_open, daily, AS_OF) == [first]
    moves = context.big_moves(daily, 5.0)
    assert context.cases(pd.concat([early, moves]), daily, AS_OF) == context.cases(
        moves, daily, AS_OF
    )


def test_forward_returns_and_drawdowns_are_the_constructed_ones() -> None:
    daily = _daily()
    anchors = context.cases(context.big_moves(daily, 5.0), daily, AS_OF)
    value = context.summarise("price.change_24h_pct", "up", anchors, daily)
    close = 100.0 * np.cumprod(_factors())
    assert value.cases == 6 and value.since == "2024-02-10"
    for h in (1, 7, 30):
        # Built independently: the product of the daily factors after each event.
        rets = [(np.prod(_factors()[e + 1 : e + h + 1]) - 1.0) * 100.0 for e in COUNTED]
        worst = [min(0.0, (close[e : e + h + 1].min() / close[e] - 1.0) * 100.0) for e in COUNTED]
        got = value.horizons[f"{h}d"]
        assert got.higher == sum(r > 0 for r in rets)
        assert got.median_pct == approx(float(np.median(rets)))
        assert (got.q1_pct, got.q3_pct) == (
            approx(float(np.percentile(rets, 25))),
            approx(float(np.percentile(rets, 75))),
        )
        assert got.drawdown_pct == approx(float(np.median(worst)))
    # By hand: the next-day changes +2, -1, +1, -2, +4, +1.5 % hold for 7 days.
    assert value.horizons["7d"].median_pct == approx(1.25)
    assert value.horizons["1d"].higher == 4
    # The overlapping rise 20 days after the second case is inside its 30-day window:
    # 0.99 × 1.10 × 1.03 → +12.167 %, the largest, and the third quartile moves up to +3.5 %.
    assert value.horizons["30d"].higher == 5
    assert value.horizons["30d"].median_pct == approx(1.75)
    assert value.horizons["30d"].q3_pct == approx(3.5)


def test_the_fact_fires_on_todays_move_with_enough_cases() -> None:
    daily = _daily()
    found = context.base_rate(daily, daily, AS_OF, None, **_options())
    assert found is not None
    assert found.value.event == "price.change_24h_pct" and found.value.direction == "up"
    assert found.value.cases == 6
    assert found.evidence["dates"] == [str((at(START) + e * DAY).date()) for e in COUNTED]
    assert found.evidence["rule"] == {"min_pct": 5.0}


def test_each_case_is_listed_with_what_followed_it() -> None:
    """Evidence ``returns``: per case (in ``dates`` order) the 1-, 7- and 30-day returns and
    the worst drawdown within 30 days, from the constructed factors and lows."""
    daily = _daily()
    found = context.base_rate(daily, daily, AS_OF, None, **_options())
    assert found is not None
    close = 100.0 * np.cumprod(_factors())
    expected = [
        {
            f"{h}d": approx((np.prod(_factors()[e + 1 : e + h + 1]) - 1.0) * 100.0)
            for h in (1, 7, 30)
        }
        | {"drawdown_pct": approx(min(0.0, (close[e : e + 31].min() / close[e] - 1.0) * 100.0))}
        for e in COUNTED
    ]
    assert found.evidence["returns"] == expected


def test_fewer_than_the_minimum_cases_and_the_fact_is_absent() -> None:
    daily = _daily()
    assert context.base_rate(daily, daily, AS_OF, None, **_options(base_rate_min_cases=6))
    assert context.base_rate(daily, daily, AS_OF, None, **_options(base_rate_min_cases=7)) is None


def test_no_event_today_no_fact() -> None:
    daily = candles(list(100.0 * np.cumprod(_factors()[:-1])), start=START)
    assert context.base_rate(daily, daily, AS_OF - DAY, None, **_options()) is None


def test_a_fall_counts_only_falls() -> None:
    f = 1.0 / _factors()
    daily = candles(list(100.0 * np.cumprod(f)), start=START)
    found = context.base_rate(daily, daily, AS_OF, None, **_options())
    assert found is not None and found.value.direction == "down" and found.value.cases == 6


def test_flip_times_are_the_flips_the_fact_reports() -> None:
    """At every print, ``funding.flip`` reports a flip there exactly when the scan lists it."""
    rng = np.random.default_rng(7)
    signs = np.repeat(rng.choice([-1.0, 1.0], 60), rng.integers(1, 7, 60))
    rates = signs * rng.uniform(0.000001, 0.0002, len(signs))
    rates[rng.integers(0, len(rates), 15)] = 0.0
    index = times("2025-01-01", len(rates), 8 * HOUR)
    full = funding(list(rates), index)
    scan = context.flip_times(full, funding_flip_min_prints=3, funding_flip_min_pct=0.001)
    reported: list[pd.Timestamp] = []
    for t in index:
        found = flip(full.cut(t), t, funding_flip_min_prints=3, funding_flip_min_pct=0.001)
        if found is not None and at(found.value.at) == t:
            reported.append(t)
            assert scan[t] == (1.0 if found.value.to == "positive" else -1.0)
    assert list(scan.index) == reported and len(reported) >= 5


def test_first_closes_beyond_a_major_level() -> None:
    prices = [98000.0] * 20 + [101000.0, 100500.0, 99000.0, 102000.0]
    prices += [101000.0] * 20 + [99500.0] + [99000.0] * 20 + [101500.0]
    daily = candles(prices, start=START)
    found = context.first_closes(daily, 5000.0, 14)
    # Day 20: first above 100,000; day 22 back below and day 23 above again are within 14
    # days of closes on the other side; day 44 the first below after 21 days above; day 65
    # the first above after 21 days below.
    days = [(t - at(START)).days - 1 for t in found.index]
    assert days == [20, 44, 65]
    assert list(found) == [1.0, -1.0, 1.0]


def test_the_first_days_of_history_are_no_first_close() -> None:
    daily = candles([98000.0] * 5 + [101000.0] * 30, start=START)
    assert context.first_closes(daily, 5000.0, 14).empty


@pytest.mark.parametrize("min_cases", [1, 2])
def test_a_flip_today_uses_earlier_flips_of_the_same_sign(min_cases: int) -> None:
    # Alternating regimes of 9 prints (3 days), 30 of them: 15 flips to each sign; flat price.
    signs = np.tile(np.repeat([-1.0, 1.0], 9), 15)
    index = times("2024-01-01", len(signs), 8 * HOUR)
    days = int(len(signs) / 3) + 2
    daily = candles([100.0 + (k % 9) for k in range(days)], start="2024-01-01")
    as_of = index[-9] + HOUR
    cut = funding(list(signs * 0.0001), index).cut(as_of)
    found = context.base_rate(
        daily.cut(as_of), daily.cut(as_of), as_of, cut, **_options(base_rate_min_cases=min_cases)
    )
    assert found is not None and found.value.event == "funding.flip"
    assert found.value.direction == "up"
    # Flips to positive every 6 days; cases at least 30 days apart, windows ended by the as-of.
    scan = context.flip_times(cut, funding_flip_min_prints=3, funding_flip_min_pct=0.001)
    ups = [t for t in scan.index[scan == 1.0]]
    expected: list[pd.Timestamp] = []
    for t in ups:
        anchor = t.ceil("D")
        if anchor + 30 * DAY <= as_of and (not expected or anchor - expected[-1] >= 30 * DAY):
            expected.append(anchor)
    assert found.value.cases == len(expected) >= 2


def test_records_after_a_gap() -> None:
    highs = [100.0, 101.0, 102.0] + [90.0] * 40 + [103.0, 104.0] + [95.0] * 10 + [105.0]
    highs += [80.0] * 35 + [105.0, 106.0]
    daily = candles([h - 1.0 for h in highs], start=START, highs=highs, lows=[50.0] * len(highs))
    found = context.ath_breaks(daily, 30)
    # Day 43 (41 days after the record of day 2), not 44 (a day after) nor 55 (11 days after
    # 44); day 91 ties day 55's 105 (no record), day 92 tops it 37 days after day 55.
    assert [(t - at(START)).days - 1 for t in found.index] == [43, 92]


def test_record_scan_is_the_fact_at_every_close() -> None:
    """At each daily close, today's record event fires exactly when the scan lists that close."""
    rng = np.random.default_rng(3)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.002, 0.03, 400)))
    daily = candles(list(close), start=START)
    scan = set(context.ath_breaks(daily, 30).index)
    fired = {
        t for t in closes(daily).index if context._ath_event(daily.cut(t), None, t, 30) is not None
    }
    assert fired == scan and len(scan) >= 3


# -- phrasing cases: one hand-made fact per branch of templates/facts/context.base_rate.html,
# rendered by tests/render/test_fact_partials.py (which collects every test module's PHRASINGS)


def _base_rate(
    event: str, direction: Literal["up", "down"], rule: Mapping[str, JSONValue], asset: str
) -> Fact:
    week = ForwardReturns(8, 4.2, -1.1, 7.9, -3.4)
    horizons = {"1d": ForwardReturns(6, 0.4, -0.9, 1.2, -1.5), "7d": week}
    horizons["30d"] = ForwardReturns(7, 6.5, -5.0, 15.25, -8.0)
    value = BaseRate(event, direction, 11, "2019-10-02", horizons)
    evidence: dict[str, JSONValue] = {"dates": ["2019-10-02"], "rule": dict(rule)}
    return fact("context.base_rate", value, evidence, asset=asset, unit="history")


PHRASINGS: dict[str, Fact] = {
    "context.base_rate/flip-negative": _base_rate(
        "funding.flip", "down", {"min_prints": 3, "min_pct": 0.001}, "BTC"
    ),
    "context.base_rate/record-after-gap": _base_rate(
        "price.new_ath", "up", {"gap_days": 30}, "BTC"
    ),
    "context.base_rate/first-close-above": _base_rate(
        "price.level_break", "up", {"step": 5000.0, "min_age_days": 14, "step_decimals": 0}, "BTC"
    ),
    "context.base_rate/first-close-below-cents": _base_rate(
        "price.level_break", "down", {"step": 0.5, "min_age_days": 14, "step_decimals": 2}, "XRP"
    ),
    "context.base_rate/short-squeeze": _base_rate(
        "liquidations.squeeze",
        "up",
        {"min_move_pct": 2.0, "min_share": 0.7, "min_multiple": 3.0},
        "BTC",
    ),
    "context.base_rate/long-squeeze": _base_rate(
        "liquidations.squeeze",
        "down",
        {"min_move_pct": 2.0, "min_share": 0.7, "min_multiple": 3.0},
        "ETH",
    ),
    "context.base_rate/daily-fall": _base_rate(
        "price.change_24h_pct", "down", {"min_pct": 5.0}, "ETH"
    ),
}
