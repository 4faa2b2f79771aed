"""Reference cases for ``price.change_24h_rank``: hand-made histories whose larger moves are
known by construction, its gate and score, its phrasing cases, and real days recomputed from the
raw files of ../shared/marketdata with code of this module only."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from analysis import FACTS, compute_facts, price
from models import Dataset, Fact
from settings import NarrativeSettings
from sources import load_snapshot
from tests.analysis.frames import DAY, HOUR, approx, at, candles
from tests.conftest import SHARED
from tests.render.make import fact
from values import ChangeRank, LargerMove

SPEC = next(s for s in FACTS if s.id == "price.change_24h_rank")


def factors(*moves: float, days: int = 30) -> list[float]:
    """Daily closes from 100: flat for ``days`` days, then one day per move in ``moves`` (%)."""
    closes = [100.0] * days
    for m in moves:
        closes.append(closes[-1] * (1.0 + m / 100.0))
    return closes


def test_the_most_recent_larger_gain_not_a_larger_drop() -> None:
    # 2026-01-01 + 30 days flat; then +12 %, +2 %, −20 %, +1 %, and today +8 %.
    daily = candles(factors(12.0, 2.0, -20.0, 1.0, 8.0), start="2026-01-01")
    r = price.change_24h_rank(daily, daily)
    assert r is not None
    assert r.value == ChangeRank(
        pct=approx(8.0),
        direction="up",
        previous_larger=LargerMove("2026-01-31", approx(12.0), 5),
        history_start="2026-01-02",
        history_days=34,
    )
    assert r.evidence["moves_compared"] == 3  # the +12 %, +2 % and +1 % days
    assert r.evidence["history_end"] == "2026-02-03"


def test_a_drop_is_read_against_drops() -> None:
    daily = candles(factors(-15.0, 30.0, -5.0, -9.0), start="2026-01-01")
    r = price.change_24h_rank(daily, daily)
    assert r is not None and r.value.direction == "down"
    assert r.value.previous_larger == LargerMove("2026-01-31", approx(-15.0), 4)


def test_none_larger_reads_from_the_start_of_the_history() -> None:
    daily = candles(factors(5.0, -30.0, 9.0), start="2026-01-01")
    r = price.change_24h_rank(daily, daily)
    assert r is not None
    assert r.value.previous_larger is None
    assert (r.value.history_start, r.value.history_days) == ("2026-01-02", 32)


def test_an_equal_move_is_not_larger() -> None:
    daily = candles([100.0] * 30 + [200.0, 200.0, 400.0], start="2026-01-01")  # +100 % twice
    r = price.change_24h_rank(daily, daily)
    assert r is not None and r.value.pct == 100.0
    assert r.value.previous_larger is None


def test_a_daily_move_overlapping_the_24_hour_window_is_compared() -> None:
    # Daily: +20 % on 31 January, +1 % on 1 February, +30 % on 2 February (closing at
    # 3 February 00:00). Hourly: the 24 hours from 2 February 13:00 to 3 February 13:00, +10 %.
    daily = candles(factors(20.0, 1.0, 30.0), start="2026-01-01")
    hourly = candles([100.0] * 24 + [110.0], start="2026-02-02 12:00", interval=HOUR)
    r = price.change_24h_rank(hourly, daily)
    assert r is not None and r.value.pct == pytest.approx(10.0)
    # The +30 % day overlaps the window: a reader sees it on the daily chart, so the 10 % is
    # no "largest since 31 January"; it is the last larger gain (on 2024-05-21 the 18.4 % of
    # Ether's 24 hours was called its largest since May 2021 beside a +19.2 % 20 May).
    assert r.value.previous_larger == LargerMove("2026-02-02", approx(30.0), 1)
    assert r.evidence["history_end"] == "2026-02-02"


def test_a_move_across_a_gap_in_the_daily_candles_is_not_compared() -> None:
    first = candles([100.0] * 10, start="2026-01-01")
    second = candles([150.0, 151.0, 160.0], start="2026-01-15")  # 10 → 15 January: +50 %
    frame = pd.concat([first.frame, second.frame])
    daily = Dataset("candles_1d", "BTC", "x", frame, DAY)
    r = price.change_24h_rank(daily, daily)
    assert r is not None and r.value.previous_larger is None


def test_absent_without_a_move_or_a_history() -> None:
    flat = candles([100.0] * 40, start="2026-01-01")
    assert price.change_24h_rank(flat, flat) is None
    two = candles([100.0, 105.0], start="2026-01-01")
    assert price.change_24h_rank(two, two) is None  # the only daily move is the 24-hour move


def test_computed_from_data_known_at_as_of() -> None:
    """Later candles (a larger gain the day after) change nothing at an earlier as-of."""
    daily = candles(factors(12.0, 2.0, 8.0, 30.0), start="2026-01-01")
    before = daily.cut(at("2026-02-03"))
    known = price.change_24h_rank(before, before)
    assert known is not None and known.value.pct == pytest.approx(8.0)
    assert known.value.previous_larger == LargerMove("2026-01-31", approx(12.0), 3)


# -- gate and score ---------------------------------------------------------------------------


def rank(pct: float, days: int | None, history_days: int = 3000) -> Fact:
    larger = None if days is None else LargerMove("2026-01-01", pct * 1.5, days)
    value = ChangeRank(pct, "up" if pct > 0 else "down", larger, "2017-08-18", history_days)
    return fact("price.change_24h_rank", value, unit="rank")


DEFAULTS = NarrativeSettings()


def said(f: Fact, settings: NarrativeSettings = DEFAULTS) -> bool:
    return SPEC.worth(f, {f.key: f}, settings)


def test_said_on_a_move_of_3_pct_whose_last_larger_is_90_days_back() -> None:
    assert said(rank(3.0, 90)) and said(rank(-3.0, 400)) and said(rank(12.0, None))
    assert not said(rank(2.9, 400))  # too small a move
    assert not said(rank(5.0, 89))  # a larger one less than 90 days ago
    assert not said(rank(5.0, None, history_days=60))  # the largest, but of 60 days only
    assert said(rank(5.0, 30), NarrativeSettings(change_rank_min_days=30))
    assert said(rank(2.0, 400), NarrativeSettings(change_rank_min_pct=2.0))


def ranked_on(days_before: int) -> Fact:
    """A rank whose larger move came ``days_before`` days before the facts' as-of date."""
    date = (pd.Timestamp("2026-11-23") - pd.Timedelta(days=days_before)).strftime("%Y-%m-%d")
    value = ChangeRank(5.0, "up", LargerMove(date, 7.5, days_before), "2017-08-18", 3000)
    return fact("price.change_24h_rank", value, unit="rank")


def test_the_score_grows_with_the_time_since_a_larger_move() -> None:
    scores = [SPEC.score(ranked_on(n)) for n in (30, 180, 300, 900)]
    assert scores == [45.0, 70.0, 90.0, 90.0]
    assert SPEC.score(rank(5.0, None)) == 90.0


# -- phrasing cases: one hand-made fact per branch of templates/facts/price.change_24h_rank.html,
# rendered by tests/render/test_fact_partials.py (which collects every test module's PHRASINGS)


def _phrasing(
    asset: str, pct: float, larger: tuple[str, float] | None, as_of: str = "2025-05-09T00:00Z"
) -> Fact:
    previous = None if larger is None else LargerMove(larger[0], larger[1], 1446)
    value = ChangeRank(pct, "up" if pct > 0 else "down", previous, "2017-08-18", 2821)
    evidence = {"close": 2345.0, "time": "2025-05-09T00:00:00Z", "previous_close": 1924.0}
    evidence |= {"previous_time": "2025-05-08T00:00:00Z", "moves_compared": 1400}
    evidence |= {"history_end": "2025-05-07"}
    f = fact("price.change_24h_rank", value, evidence, asset=asset, unit="rank")
    return replace(f, as_of=pd.Timestamp(as_of))


PHRASINGS: dict[str, Fact] = {
    "price.change_24h_rank/gain-since": _phrasing("ETH", 21.88, ("2021-05-24", 26.3)),
    "price.change_24h_rank/drop-since": _phrasing("BTC", -12.8, ("2022-06-13", -15.6)),
    "price.change_24h_rank/gain-largest": _phrasing("BTC", 27.2, None),
    "price.change_24h_rank/drop-since-this-month": _phrasing(
        "ETH", -6.4, ("2025-05-02", -7.0), as_of="2025-05-20T00:00Z"
    ),
}


@pytest.mark.parametrize(
    ("name", "macro", "text"),
    [
        (
            "price.change_24h_rank/gain-since",
            "sentence",
            "Ether's 21.9% gain over the past 24 hours was its largest daily gain since May "
            "2021; the last larger one was 26.3% on 24 May 2021.",
        ),
        (
            "price.change_24h_rank/gain-since",
            "takeaway",
            "Ether's 21.9% gain was its largest daily gain since May 2021.",
        ),
        (
            "price.change_24h_rank/drop-since",
            "headline",
            "Bitcoin falls 12.8%, its largest daily drop since June 2022",
        ),
        (
            "price.change_24h_rank/gain-largest",
            "clause",
            "Bitcoin rose 27.2% in 24 hours, its largest daily gain since at least August 2017",
        ),
        (
            "price.change_24h_rank/drop-since-this-month",
            "takeaway",
            "Ether's 6.4% fall was its largest daily drop since 2 May.",
        ),
    ],
)
def test_phrasings(name: str, macro: str, text: str) -> None:
    from tests.render.test_fact_partials import say

    assert say(macro, PHRASINGS[name]) == text


# -- real days: the raw files read here with pandas alone ----------------------------------------

REAL_DAYS = ("2024-03-05T00:00Z", "2024-08-05T12:00Z", "2025-05-09T00:00Z", "2025-07-20T08:00Z")
"""Daily candles only (before the hourly files begin), the August 2024 crash mid-day, Ether's
+22 % day, and a quiet Sunday."""
RAW = {
    "BTC": ("btc_daily.csv", "BTCUSDT_1h.csv"),
    "ETH": ("ETHUSDT.csv", "ETHUSDT_1h.csv"),
}


def raw_closes(asset: str) -> tuple[pd.Series, pd.Series]:
    """Daily and hourly closes of Binance spot, indexed by candle open time (UTC, naive)."""
    daily_file, hourly_file = RAW[asset]
    d = pd.read_csv(SHARED / "binance_spot_daily_btctree" / daily_file, parse_dates=["date"])
    h = pd.read_csv(SHARED / "binance_spot_1h_wanglz111" / hourly_file, parse_dates=["datetime"])
    return d.set_index("date")["close"], h.set_index("datetime")["close"]


def expected_larger(asset: str, as_of: pd.Timestamp) -> tuple[float, str | None]:
    """The 24-hour move at ``as_of`` and the trading date of the last larger daily move."""
    daily, hourly = raw_closes(asset)
    t = as_of.tz_convert(None)
    known_hours = hourly[hourly.index <= t - pd.Timedelta(hours=1)]
    if len(known_hours) > 24:  # hourly candles cover it: the hour closing at t against 24 h back
        last, start = known_hours.index[-1], known_hours.index[-1] - pd.Timedelta(hours=24)
        move = (known_hours[last] / known_hours[start] - 1) * 100
        window_start = start + pd.Timedelta(hours=1)  # close time of the reference hour
    else:  # daily candles only: the last closed day against the day before
        known_days = daily[daily.index <= t - pd.Timedelta(days=1)]
        move = (known_days.iloc[-1] / known_days.iloc[-2] - 1) * 100
        window_start = known_days.index[-2] + pd.Timedelta(days=1)
    history = [
        (day, (daily[day] / daily[prev] - 1) * 100)
        for prev, day in zip(daily.index[:-1], daily.index[1:], strict=True)
        if day - prev == pd.Timedelta(days=1) and day + pd.Timedelta(days=1) <= window_start
    ]
    larger = [d for d, m in history if (m > move if move > 0 else m < move)]
    return move, None if not larger else larger[-1].strftime("%Y-%m-%d")


@pytest.fixture(scope="module")
def real_facts(real_snapshot: Path) -> dict[str, dict[str, Fact]]:
    snapshot = load_snapshot(real_snapshot)
    found = {}
    for as_of in REAL_DAYS:
        facts = compute_facts(snapshot, pd.Timestamp(as_of))
        found[as_of] = {f.key: f for f in facts}
    return found


@pytest.mark.parametrize("asset", ["BTC", "ETH"])
@pytest.mark.parametrize("as_of", REAL_DAYS)
def test_real_days_match_an_independent_count(
    real_facts: dict[str, dict[str, Fact]], as_of: str, asset: str
) -> None:
    move, larger = expected_larger(asset, pd.Timestamp(as_of))
    f = real_facts[as_of][f"{asset}:price.change_24h_rank"]
    assert isinstance(f.value, ChangeRank)
    assert f.value.pct == pytest.approx(move)
    found = f.value.previous_larger
    assert (None if found is None else found.date) == larger
    assert f.value.history_start == "2017-08-18"


def test_ethers_day_in_may_2025_is_said(real_facts: dict[str, dict[str, Fact]]) -> None:
    """Ether's +22 % of 8 May 2025 clears the gate; the quiet Sunday's moves do not."""
    facts = real_facts["2025-05-09T00:00Z"]
    eth = facts["ETH:price.change_24h_rank"]
    assert SPEC.worth(eth, facts, NarrativeSettings())
    quiet = real_facts["2025-07-20T08:00Z"]
    assert not any(SPEC.worth(quiet[f"{a}:price.change_24h_rank"], quiet, DEFAULTS) for a in RAW)
