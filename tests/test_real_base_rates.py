"""``context.base_rate`` and ``context.market_base_rate`` on real data, against a
recomputation from the raw files of ../shared/marketdata that shares no code with them: Bitcoin
funding flips (Binance USDⓈ-M funding, 2023-2026), first daily closes above a multiple of
$5,000 ($100,000 among them) after at least 14 days (Binance spot daily candles since 2017)
and Crypto Fear & Greed readings of 25 or below (Alternative.me, since 2018) followed by
Bitcoin, on several as-of dates; and squeezes, whose liquidation history is too short."""

from __future__ import annotations

import csv
import itertools
import math
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis import context
from settings import AnalysisSettings
from sources import load_snapshot
from tests.conftest import SHARED

DAY = timedelta(days=1)
STEP, MIN_AGE, SPACING = 5000.0, 14, 30


@dataclass(frozen=True)
class Candle:
    """One raw daily candle; ``closed`` is its close time (its date + 1 day)."""

    closed: datetime
    close: float
    low: float


def _daily() -> dict[datetime, Candle]:
    with open(SHARED / "binance_spot_daily_btctree" / "btc_daily.csv") as f:
        rows = list(csv.DictReader(f))
    out: dict[datetime, Candle] = {}
    for row in rows:
        closed = datetime.fromisoformat(row["date"]).replace(tzinfo=UTC) + DAY
        out[closed] = Candle(closed, float(row["close"]), float(row["low"]))
    return out


def _flips() -> list[tuple[datetime, int]]:
    """Each flip after a run of at least 3 prints of the old sign averaging 0.001 % either
    way: (first print of the new sign, to the second as the snapshot stores it; new sign)."""
    path = SHARED / "binance_usdm_perp_luckys4900" / "BTC_USDT_USDT_funding.csv"
    with open(path) as f:
        prints = [
            (
                datetime.fromisoformat(r["timestamp"]).replace(microsecond=0, tzinfo=UTC),
                float(r["rate"]),
            )
            for r in csv.DictReader(f)
            if float(r["rate"]) != 0.0
        ]
    return flip_times(prints)


def flip_times(prints: list[tuple[datetime, float]]) -> list[tuple[datetime, int]]:
    """The flips among non-zero ``prints`` (time, rate), oldest first: each first print of a
    new sign after a run of 3 or more of the old one averaging 0.001 % either way."""
    runs: list[list[tuple[datetime, float]]] = []
    for when, rate in prints:
        if runs and (runs[-1][0][1] > 0) == (rate > 0):
            runs[-1].append((when, rate))
        else:
            runs.append([(when, rate)])
    found = []
    for before, run in itertools.pairwise(runs):
        mean_pct = sum(r for _, r in before) / len(before) * 100.0
        if len(before) >= 3 and abs(mean_pct) >= 0.001:
            found.append((run[0][0], 1 if run[0][1] > 0 else -1))
    return found


def first_closes_beyond(
    daily: dict[datetime, Candle], step: float, side: str, min_age: int
) -> list[datetime]:
    """Close times of daily closes beyond (``above`` or ``below``) a multiple of ``step``
    that no close of the ``min_age - 1`` days before reached (and at least ``min_age`` days
    into the history)."""
    times = sorted(daily)
    found = []
    for i, t in enumerate(times):
        if t < times[0] + timedelta(days=min_age):
            continue
        c = daily[t].close
        if side == "above":
            level = (c // step) * step if c % step else c - step
        else:
            level = math.ceil(c / step) * step if c % step else c + step
        window = [
            daily[s].close
            for s in times[max(0, i - min_age) : i]
            if s > t - timedelta(days=min_age)
        ]
        if level > 0 and all((w <= level) if side == "above" else (w >= level) for w in window):
            found.append(t)
    return found


def _expected(
    events: list[datetime], daily: dict[datetime, Candle], as_of: datetime
) -> dict[str, Any]:
    """Cases (first daily close at or after each event, 30 days apart, windows ended by the
    as-of) and what followed them, in plain Python."""
    anchors: list[datetime] = []
    for when in sorted(events):
        midnight = when.replace(hour=0, minute=0, second=0)
        anchor = midnight if midnight == when else midnight + DAY
        if anchor + timedelta(days=SPACING) > as_of:
            continue
        if anchors and anchor - anchors[-1] < timedelta(days=SPACING):
            continue
        if all(anchor + k * DAY in daily for k in range(SPACING + 1)):
            anchors.append(anchor)
    out: dict[str, Any] = {"cases": len(anchors), "since": (anchors[0] - DAY).date().isoformat()}
    for h in (1, 7, 30):
        rets, worst = [], []
        for a in anchors:
            base = daily[a].close
            rets.append((daily[a + h * DAY].close / base - 1.0) * 100.0)
            low = min(daily[a + k * DAY].low for k in range(1, h + 1))
            worst.append(min(0.0, (low / base - 1.0) * 100.0))
        q1, median, q3 = statistics.quantiles(rets, n=4, method="inclusive")
        out[f"{h}d"] = (sum(r > 0 for r in rets), median, q1, q3, statistics.median(worst))
    return out


def _compare(found: Any, expected: dict[str, Any]) -> None:
    assert found is not None
    value = found.value
    assert (value.cases, value.since) == (expected["cases"], expected["since"])
    for h in ("1d", "7d", "30d"):
        got = value.horizons[h]
        higher, median, q1, q3, worst = expected[h]
        assert got.higher == higher
        assert (got.median_pct, got.q1_pct, got.q3_pct, got.drawdown_pct) == pytest.approx(
            (median, q1, q3, worst)
        )


def _options() -> dict[str, Any]:
    s = AnalysisSettings()
    names = [
        "base_rate_min_cases",
        "base_rate_ath_gap_days",
        "base_rate_move_pct",
        "funding_flip_min_prints",
        "funding_flip_min_pct",
        "level_major_steps",
        "level_minor_steps",
        "level_min_age_days",
        "level_minor_unseen_days",
        "squeeze_min_move_pct",
        "squeeze_min_share",
        "squeeze_min_multiple",
    ]
    return {n: getattr(s, n) for n in names}


def _at(snapshot: Path, as_of: datetime, funding: bool) -> Any:
    when = pd.Timestamp(as_of)
    btc = load_snapshot(snapshot).cut(when).assets["BTC"]
    candles = (
        btc.candles_1h if btc.candles_1h is not None and not btc.candles_1h.frame.empty else None
    )
    daily = btc.candles_1d
    assert daily is not None
    return context.base_rate(
        candles or daily, daily, when, btc.funding if funding else None, **_options()
    )


def test_bitcoin_funding_flips_match_the_raw_files(real_snapshot: Path) -> None:
    daily, flips = _daily(), _flips()
    recent = [
        f
        for f in flips
        if datetime(2025, 6, 1, tzinfo=UTC) <= f[0] < datetime(2026, 4, 1, tzinfo=UTC)
    ]
    assert len(recent) >= 6, "the raw funding should hold several recent flips"
    compared = 0
    for when, sign in recent[-6:]:
        as_of = when + timedelta(hours=1)
        same = [t for t, s in flips if s == sign and t < as_of]
        found = _at(real_snapshot, as_of, funding=True)
        assert found is not None and found.value.event == "funding.flip"
        assert found.value.direction == ("up" if sign > 0 else "down")
        _compare(found, _expected(same, daily, as_of))
        compared += 1
    print(f"compared {compared} funding-flip base rates")


def test_bitcoin_first_closes_above_a_major_level_match_the_raw_files(real_snapshot: Path) -> None:
    daily = _daily()
    events = first_closes_beyond(daily, STEP, "above", MIN_AGE)
    hundred = datetime(2024, 12, 9, tzinfo=UTC)
    assert hundred in events, "the first close above $100,000 (8 December 2024) is an event"
    window = [
        t
        for t in events
        if datetime(2024, 6, 1, tzinfo=UTC) <= t <= datetime(2025, 10, 30, tzinfo=UTC)
    ]
    compared = []
    for t in window:
        as_of = t  # at the daily close itself (the last hourly close is the same)
        found = _at(real_snapshot, as_of, funding=False)
        if found is None or found.value.event != "price.level_break":
            continue  # the 48-hour crossing of price.level_break did not fire at this as-of
        assert found.value.direction == "up"
        _compare(found, _expected([e for e in events if e < t], daily, as_of))
        compared.append(t)
    assert hundred in compared and len(compared) >= 4, compared
    print(f"compared {len(compared)} first-close base rates of {len(window)} events")


def test_bitcoin_squeezes_have_too_short_a_history(real_snapshot: Path) -> None:
    """Six months of hourly liquidations (CoinGlass, from November 2025): every squeeze of the
    scan has fewer than 6 complete earlier cases, so no base rate of squeezes is reported (the
    minimum-cases rule, on real data)."""
    btc = load_snapshot(real_snapshot).assets["BTC"]
    liq, daily = btc.liquidations, btc.candles_1d
    assert liq is not None
    rule = {k: v for k, v in _options().items() if k.startswith("squeeze_")}
    found = context.squeeze_times(liq, daily, **rule)
    assert len(found) >= 3, "the real liquidations hold a few squeezes"
    for when in found.index:
        as_of = pd.Timestamp(when)
        cut = btc.cut(as_of)
        assert cut.liquidations is not None
        fact = context.base_rate(
            cut.candles_1d, cut.candles_1d, as_of, None, None, cut.liquidations, **_options()
        )
        assert fact is None or fact.value.event != "liquidations.squeeze"
        assert len(context.cases(found[found.index < as_of], daily, as_of)) < 6
    print(f"{len(found)} real squeezes, none with 6 earlier cases")


def _extreme_fear() -> list[datetime]:
    """Times (00:00 UTC of the date) of the raw Fear & Greed readings of 25 or below."""
    with open(SHARED / "fear_greed_alternative_me" / "fng.csv") as f:
        return [
            datetime.fromtimestamp(int(r["timestamp"]), tz=UTC)
            for r in csv.DictReader(f)
            if float(r["value"]) <= 25.0
        ]


def test_extreme_fear_followed_by_bitcoin_matches_the_raw_files(real_snapshot: Path) -> None:
    daily, fear = _daily(), _extreme_fear()
    chosen = [t for t in fear if t.year >= 2019][::90][:8]
    assert len(chosen) >= 6, "the raw index should hold extreme fear in several years"
    s = AnalysisSettings()
    options = {k: v for k, v in _options().items() if k.startswith("level_")}
    options |= {"base_rate_min_cases": s.base_rate_min_cases}
    options |= {"base_rate_fear_greed_extreme": s.base_rate_fear_greed_extreme}
    compared = 0
    for when in chosen:
        as_of = pd.Timestamp(when + timedelta(hours=1))  # the reading is known from 00:00
        snapshot = load_snapshot(real_snapshot).cut(as_of)
        all_daily = {a: d.candles_1d for a, d in snapshot.assets.items()}
        found = context.market_base_rate(all_daily, as_of, snapshot.fear_greed, None, **options)
        earlier = [t for t in fear if t < when + timedelta(hours=1)]
        expected = _expected(earlier, daily, when + timedelta(hours=1))
        if expected["cases"] < 6:
            assert found is None
            continue
        assert found is not None and found.value.event == "sentiment.fear_greed"
        assert (found.value.direction, found.value.asset) == ("down", "BTC")
        _compare(found, expected)
        compared += 1
    assert compared >= 5, compared
    print(f"compared {compared} extreme-fear base rates of {len(chosen)} as-of dates")
