"""Reference cases for ``context.market_base_rate``: Fear & Greed extremes and DXY level breaks,
made by hand, with the lead asset's cases and forward returns known by construction."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis import context
from models import Dataset, Fact, JSONValue
from settings import AnalysisSettings, NarrativeSettings
from tests.analysis.frames import DAY, approx, at, candles, levels
from tests.analysis.points import table, times
from tests.analysis.test_context import AS_OF, COUNTED, EVENTS, START, N, _factors
from tests.render.make import fact
from values import DxyLevelBreak, FearGreed, ForwardReturns, MarketBaseRate

CLOSE = 100.0 * np.cumprod(_factors())


def _daily(asset: str = "BTC", scale: float = 1.0) -> Dataset:
    return candles(list(CLOSE * scale), start=START, asset=asset)


def _options(**changes: Any) -> dict[str, Any]:
    s = AnalysisSettings()
    options: dict[str, Any] = {"base_rate_min_cases": s.base_rate_min_cases}
    options |= {"base_rate_fear_greed_extreme": s.base_rate_fear_greed_extreme}
    return options | dict(levels()) | changes


def _fng(extreme_days: dict[int, float], n: int = N + 1) -> Dataset:
    """Daily readings of 50 stamped 00:00 from ``START``, but ``extreme_days``' values."""
    values = [extreme_days.get(d, 50.0) for d in range(n)]
    return table("fear_greed", {"value": values}, times(START, n, DAY), asset=None)


def _week(anchors: list[int]) -> tuple[int, float]:
    """Cases higher 7 days on, and the median 7-day return, of cases anchored at the closes of
    the days ``anchors`` (computed from the closes, not by the code under test)."""
    rets = [(CLOSE[d + 7] / CLOSE[d] - 1.0) * 100.0 for d in anchors]
    return sum(r > 0 for r in rets), float(np.median(rets))


# A reading stamped 00:00 of day d is known at the close of day d - 1: the case starts there.
FEAR = {e + 1: 20.0 for e in EVENTS} | {N: 18.0}


def test_fear_readings_give_the_constructed_cases() -> None:
    """An extreme reading the day after each 10 % rise: the same cases as the rises (day
    121's overlaps day 101's window; day 391's and today's windows are not over)."""
    found = context.market_base_rate({"BTC": _daily()}, AS_OF, _fng(FEAR), None, **_options())
    assert found is not None
    assert (found.value.event, found.value.direction) == ("sentiment.fear_greed", "down")
    assert found.value.asset == "BTC" and found.value.cases == 6
    assert found.evidence["dates"] == [str((at(START) + e * DAY).date()) for e in COUNTED]
    assert found.evidence["rule"] == {"at_most": 25.0, "at_least": 75.0}
    higher, median = _week(COUNTED)
    assert found.value.horizons["7d"].higher == higher
    assert found.value.horizons["7d"].median_pct == approx(median)
    assert [d.name for d in found.used] == ["candles_1d", "fear_greed"]


def test_a_run_of_extreme_days_is_one_case_and_the_thresholds_count() -> None:
    """Five days in a row at 80 make one case (the first); 75 (day 210) is at the threshold
    and counts, which drops day 230's case (21 days later); 74 (day 21) is not extreme; fear
    readings (days 60, 260) do not count for greed. Mirrored (25 counts, 26 not), the same for
    fear."""
    greed = {d: 80.0 for e in COUNTED for d in range(e + 1, e + 6)}
    greed |= {210: 75.0, 21: 74.0, 60: 10.0, 260: 10.0, N: 90.0}
    kept = [40, 100, 170, 209, 290, 350]
    dates = [str((at(START) + e * DAY).date()) for e in kept]
    found = context.market_base_rate({"BTC": _daily()}, AS_OF, _fng(greed), None, **_options())
    assert found is not None and found.value.direction == "up"
    assert found.evidence["dates"] == dates
    fear = {d: 100.0 - v for d, v in greed.items() if d not in (60, 260)}
    found = context.market_base_rate({"BTC": _daily()}, AS_OF, _fng(fear), None, **_options())
    assert found is not None and found.value.direction == "down"
    assert found.evidence["dates"] == dates


def test_no_extreme_today_no_fact_and_the_minimum_cases() -> None:
    calm = {k: v for k, v in FEAR.items() if k != N}
    none = context.market_base_rate({"BTC": _daily()}, AS_OF, _fng(calm), None, **_options())
    assert none is None
    seven = _options(base_rate_min_cases=7)
    assert context.market_base_rate({"BTC": _daily()}, AS_OF, _fng(FEAR), None, **seven) is None


def test_the_lead_asset_is_the_first() -> None:
    both = {"ETH": _daily("ETH", 0.05), "BTC": _daily()}
    found = context.market_base_rate(both, AS_OF, _fng(FEAR), None, **_options())
    assert found is not None and found.value.asset == "ETH"


def _dxy(drops: list[int], n: int = N) -> Dataset:
    """Business-day DXY closes of 100.5, but 99.5 on the three trading days from each of
    ``drops`` (calendar days from ``START``, a Monday; each a business day)."""
    days = [d for d in range(n) if d % 7 < 5]
    low = {x for d in drops for x in days[days.index(d) : days.index(d) + 3]}
    closes = [99.5 if d in low else 100.5 for d in days]
    index = pd.DatetimeIndex([at(START) + d * DAY for d in days], name="time")
    return table("dxy", {"close": closes}, index, asset=None, interval=DAY)


DROPS = [36, 72, 92, 150, 200, 253, 302, 350, 380, 399]
"""First closes below 100 (each after 14 days or more above): 92 is 18 days after 72's run
(an event) but inside its 30-day window; 380's window and today's (399) are not over."""
DXY_COUNTED = [36, 72, 150, 200, 253, 302, 350]


def test_dxy_first_closes_give_the_constructed_cases() -> None:
    dxy = _dxy(DROPS)
    scan = context.first_closes(dxy, 1.0, 14)
    assert [(t - at(START)).days - 1 for t in scan.index] == DROPS and (scan == -1.0).all()
    found = context.market_base_rate({"BTC": _daily()}, AS_OF, None, dxy, **_options())
    assert found is not None
    assert (found.value.event, found.value.direction) == ("macro.dxy_level_break", "down")
    assert found.evidence["dates"] == [str((at(START) + d * DAY).date()) for d in DXY_COUNTED]
    assert found.evidence["rule"] == {"step": 1.0, "min_age_days": 14}
    higher, median = _week(DXY_COUNTED)
    assert found.value.horizons["7d"].higher == higher
    assert found.value.horizons["7d"].median_pct == approx(median)


def test_fear_and_greed_comes_before_the_dollar() -> None:
    both = context.market_base_rate({"BTC": _daily()}, AS_OF, _fng(FEAR), _dxy(DROPS), **_options())
    assert both is not None and both.value.event == "sentiment.fear_greed"
    few = _fng({d: v for d, v in FEAR.items() if d > 200})
    dxy = context.market_base_rate({"BTC": _daily()}, AS_OF, few, _dxy(DROPS), **_options())
    assert dxy is not None and dxy.value.event == "macro.dxy_level_break"


def test_the_dxy_event_fires_only_on_a_break_today() -> None:
    dxy = _dxy(DROPS[:-1])
    assert context.market_base_rate({"BTC": _daily()}, AS_OF, None, dxy, **_options()) is None


def test_the_extreme_is_the_narrative_one() -> None:
    """The event's extreme is ``sentiment.fear_greed``'s (the gate's ``fear_greed_extreme``)."""
    assert AnalysisSettings().base_rate_fear_greed_extreme == NarrativeSettings().fear_greed_extreme


def test_said_only_beside_its_event_said() -> None:
    """The gate: a DXY base rate is said when the break is (last beyond 20 days or more
    before), a Fear & Greed one when the reading is (extreme); never without its event."""
    from tests.analysis.test_gate import said

    base = PHRASINGS["context.market_base_rate/dxy-below"]
    old = fact("macro.dxy_level_break", DxyLevelBreak(98.0, "down", "2026-10-02"), asset=None)
    recent = fact("macro.dxy_level_break", DxyLevelBreak(98.0, "down", "2026-11-16"), asset=None)
    assert said(base, old) and not said(base, recent) and not said(base)
    fear = PHRASINGS["context.market_base_rate/extreme-fear"]
    reading = fact("sentiment.fear_greed", FearGreed(18.0, "Extreme Fear", -2.0, -5.0), asset=None)
    assert said(fear, reading) and not said(fear, old)


# -- phrasing cases, rendered by tests/render/test_fact_partials.py


def _market(event: str, direction: Literal["up", "down"], rule: dict[str, JSONValue]) -> Fact:
    week = ForwardReturns(8, 4.2, -1.1, 7.9, -3.4)
    horizons = {"1d": ForwardReturns(6, 0.4, -0.9, 1.2, -1.5), "7d": week}
    horizons["30d"] = ForwardReturns(7, 6.5, -5.0, 15.25, -8.0)
    value = MarketBaseRate(event, direction, 11, "2018-02-01", horizons, "BTC")
    evidence: dict[str, JSONValue] = {"dates": ["2018-02-01"], "rule": rule}
    return fact("context.market_base_rate", value, evidence, asset=None, unit="history")


PHRASINGS: dict[str, Fact] = {
    "context.market_base_rate/extreme-fear": _market(
        "sentiment.fear_greed", "down", {"at_most": 25.0, "at_least": 75.0}
    ),
    "context.market_base_rate/extreme-greed": _market(
        "sentiment.fear_greed", "up", {"at_most": 25.0, "at_least": 75.0}
    ),
    "context.market_base_rate/dxy-below": _market(
        "macro.dxy_level_break", "down", {"step": 1.0, "min_age_days": 14}
    ),
}
