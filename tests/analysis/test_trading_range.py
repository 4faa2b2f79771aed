"""Reference cases for ``price.trading_range``: hand-made histories whose ranges and narrower
windows are known by construction, its gate and score, and its phrasing cases (the real-day
checker, tests/real_claims.py, recomputes the note's range sentences from the raw files)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from analysis import FACTS, price
from models import Dataset, Fact
from settings import NarrativeSettings
from tests.analysis.frames import HOUR, approx, candles
from tests.render.make import fact
from values import NarrowerRange, TradingRange

SPEC = next(s for s in FACTS if s.id == "price.trading_range")
DAYS = 14


def days(*spans: tuple[int, float, float]) -> Dataset:
    """Daily candles from 2026-01-01: per span, ``n`` days with that high and low (closes at
    their middle)."""
    highs: list[float] = []
    lows: list[float] = []
    for n, high, low in spans:
        highs += [high] * n
        lows += [low] * n
    mids = [(h + lo) / 2 for h, lo in zip(highs, lows, strict=True)]
    return candles(mids, start="2026-01-01", highs=highs, lows=lows, opens=mids)


def test_the_last_fourteen_days_narrower_than_any_window_before() -> None:
    # 20 wide days (80-120), then 14 narrow ones (98-102): every earlier window holds a wide day.
    r = price.trading_range(days((20, 120.0, 80.0), (14, 102.0, 98.0)), range_days=DAYS)
    assert r is not None
    assert r.value == TradingRange(
        low=98.0,
        high=102.0,
        start="2026-01-21",
        days=14,
        width_pct=approx(100.0 * (102.0 / 98.0 - 1.0)),
        narrower=None,
        wider_share=None,  # less than a year of windows
        history_start="2026-01-14",  # the first window: 1-14 January
        history_days=20,  # to 3 February, the last full day
    )
    assert r.evidence["windows_compared"] == 20
    assert r.evidence["end"] == "2026-02-03"


def test_the_most_recent_window_as_narrow_is_named() -> None:
    # 14 narrower days (99-101) ending 14 January, 6 wide ones, then 14 days of 98-102.
    daily = days((14, 101.0, 99.0), (6, 120.0, 80.0), (14, 102.0, 98.0))
    r = price.trading_range(daily, range_days=DAYS)
    assert r is not None
    assert r.value.narrower == NarrowerRange("2026-01-14", approx(100.0 * (101 / 99 - 1)), 20)


def test_an_equal_window_counts_as_narrower() -> None:
    daily = days((14, 102.0, 98.0), (6, 120.0, 80.0), (14, 102.0, 98.0))
    r = price.trading_range(daily, range_days=DAYS)
    assert r is not None and r.value.narrower is not None
    assert r.value.narrower.end == "2026-01-14"


def test_todays_hours_widen_the_range() -> None:
    daily = days((20, 120.0, 80.0), (14, 102.0, 98.0))
    today = candles([101.0, 104.0, 103.0], start="2026-02-04 00:00", interval=HOUR)
    r = price.trading_range(daily, today, range_days=DAYS)
    assert r is not None
    assert (r.value.low, r.value.high) == (98.0, 104.0)  # the hourly high of today
    assert r.evidence["last"] == 103.0
    assert r.value.start == "2026-01-21"  # still the 14 full days, today added


def test_the_share_of_the_past_year_s_windows_that_were_wider() -> None:
    # 400 days: 300 of 80-120, 86 of 95-105, then 14 of 98-102. Each earlier window (the
    # latest covers days 385-398) holds a day of 95-105 or wider, so all are wider.
    daily = days((300, 120.0, 80.0), (86, 105.0, 95.0), (14, 102.0, 98.0))
    r = price.trading_range(daily, range_days=DAYS)
    assert r is not None
    assert r.value.wider_share == approx(1.0)  # every earlier window reaches 95 or 105
    assert r.value.narrower is None
    calm = days((300, 101.0, 99.0), (100, 102.0, 98.0))
    r = price.trading_range(calm, range_days=DAYS)
    assert r is not None and r.value.wider_share is not None
    # Windows ending on days 300-398 hold a 98-102 day: as wide, not wider; those before, no.
    assert r.value.wider_share == approx(0.0)


def test_absent_without_an_earlier_window() -> None:
    assert price.trading_range(days((14, 102.0, 98.0)), range_days=DAYS) is None
    assert price.trading_range(days((15, 102.0, 98.0)), range_days=DAYS) is not None


# -- the gate and the score ----------------------------------------------------------------------


def ranged(
    narrower: NarrowerRange | None = None,
    asset: str = "BTC",
    edges: tuple[float, float] = (105210.0, 112480.0),
) -> Fact:
    low, high = edges
    value = TradingRange(low, high, "2026-11-09", 14, 6.9, narrower, 0.8, "2017-08-30", 3371)
    evidence = {"last": 109687.0, "end": "2026-11-22", "windows_compared": 3357}
    return fact("price.trading_range", value, evidence, asset=asset, unit="range")


def said(subject: Fact, *others: Fact) -> bool:
    facts = {f.key: f for f in (subject, *others)}
    return SPEC.worth(subject, facts, NarrativeSettings())


def move(pct: float) -> Fact:
    return fact("price.change_24h_pct", pct, unit="pct")


def test_said_on_a_range_bound_day_only() -> None:
    rng = ranged()
    usual = replace(rng, value=replace(rng.value, wider_share=0.5))
    assert not said(usual, move(0.3))  # no narrower than half the year's windows
    young = replace(rng, value=replace(rng.value, wider_share=None))
    assert not said(young, move(0.3))  # under a year of history
    assert said(rng, move(0.3)) and said(rng, move(-2.9))
    assert not said(rng, move(3.0)) and not said(rng, move(-4.1))
    assert not said(rng)  # no 24-hour move known: nothing says the day was quiet
    assert said(rng, move(0.3), fact("price.new_ath", False, unit="bool"))
    assert not said(rng, move(0.3), fact("price.new_ath", True, unit="bool"))
    for brk in ("price.level_break", "price.prior_range"):
        assert not said(rng, move(0.3), fact(brk, {}))
    assert said(rng, move(0.3), fact("price.level_break", {}, asset="ETH"))  # another asset's


def test_the_score_grows_with_the_time_since_a_window_as_narrow() -> None:
    assert SPEC.score(ranged()) == 40.0
    week = NarrowerRange("2026-11-15", 5.0, 7)
    half_year = NarrowerRange("2026-05-27", 5.0, 179)
    assert SPEC.score(ranged(week)) < SPEC.score(ranged(half_year)) <= 40.0


# -- phrasing cases, rendered by tests/render/test_fact_partials.py --------------------------------


def _at(f: Fact, as_of: str) -> Fact:
    return replace(f, as_of=pd.Timestamp(as_of))


PHRASINGS: dict[str, Fact] = {
    "price.trading_range/none-narrower": ranged(),
    "price.trading_range/narrower-this-month": ranged(
        NarrowerRange("2026-11-03", 5.1, 19), edges=(106000.0, 111900.0)
    ),
    "price.trading_range/narrower-last-year": _at(
        ranged(NarrowerRange("2025-07-20", 4.2, 490), "ETH", (3645.0, 3986.0)), "2026-11-23T08:00Z"
    ),
}


@pytest.mark.parametrize(
    ("name", "macro", "text"),
    [
        (
            "price.trading_range/none-narrower",
            "sentence",
            "Bitcoin has traded between $105,210 and $112,480 over the past two weeks.",
        ),
        (
            "price.trading_range/none-narrower",
            "narrowest",
            "Bitcoin has traded between $105,210 and $112,480 over the past two weeks, its "
            "narrowest two-week range since at least August 2017.",
        ),
        (
            "price.trading_range/narrower-this-month",
            "narrowest",
            "Bitcoin has traded between $106,000 and $111,900 over the past two weeks, its "
            "narrowest two-week range since 3 November.",
        ),
        (
            "price.trading_range/narrower-last-year",
            "narrowest",
            "Ether has traded between $3,645 and $3,986 over the past two weeks, its "
            "narrowest two-week range since July 2025.",
        ),
        (
            "price.trading_range/none-narrower",
            "headline",
            "Bitcoin holds two-week range between $105,210 and $112,480",
        ),
    ],
)
def test_phrasings(name: str, macro: str, text: str) -> None:
    from tests.render.test_fact_partials import say

    if macro == "narrowest":
        from markupsafe import Markup

        from render.environment import make_environment

        module = make_environment().get_template("facts/price.trading_range.html").module
        narrowest = module.narrowest  # type: ignore[attr-defined]
        assert " ".join(Markup(narrowest(PHRASINGS[name])).striptags().split()) == text
    else:
        assert say(macro, PHRASINGS[name]) == text
