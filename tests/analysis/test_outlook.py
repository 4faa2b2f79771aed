"""Reference cases for the outlook levels of the closing scenario."""

from __future__ import annotations

from dataclasses import replace

import pytest

from analysis import outlook
from analysis.liquidation_map import LEVEL_MODEL
from tests.analysis.frames import HOUR, approx, candles, levels
from tests.analysis.points import open_interest, times
from values import OutlookLevels


@pytest.mark.parametrize(
    ("last", "up", "expected"),
    [
        (123_654.26, True, 125_000),  # 1-5 % above: 124,890-129,837; a 5 beats 126-129k
        (126_000.0, True, 130_000),  # 130k (one zero) beats 128k
        (123_654.26, False, 120_000),
        (51_200.0, False, 50_000),  # steps of 100: 50,000 beats 50,500
        (60_500.0, True, 62_000),  # 62k and 63k are as round: the nearer
        (4_089.22, True, 4_200),
        (108.7, True, 110),
    ],
)
def test_round_target(last: float, up: bool, expected: float) -> None:
    assert outlook.round_target(last, up) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("level", "step", "expected"),
    [(125_000, 1000, 0.5), (130_000, 1000, 1.0), (100_000, 1000, 2.0), (50_500, 100, 0.5)],
)
def test_roundness(level: float, step: float, expected: float) -> None:
    assert outlook.roundness(level, step) == expected


# A break of 100 within 48 hours (levels by the price's scale: 50 and 10 at 100).
DAILY = candles([95.0] * 9 + [100.5] + [97.0] * 50, start="2026-01-01")
HOURLY = candles([98.5] * 50 + [99.5, 100.2, 101.5], start="2026-03-01 00:00", interval=HOUR)


def test_outlook_supports_the_broken_level_and_targets_the_next_round_level() -> None:
    r = outlook.levels(HOURLY, DAILY, HOURLY, model=LEVEL_MODEL, **levels(scale=True))
    assert r is not None and r.unit == "levels"
    assert r.value == OutlookLevels(
        support=100.0,
        target=105.0,
        target_kind="round",
        direction="up",
        downside=95.0,  # no model: the roundest level 1-5 % below the support
        downside_kind="round",
    )
    assert r.evidence == {"support_kind": "level_break", "last": 101.5, "round_target": 105.0}


def test_outlook_targets_a_nearer_short_cluster() -> None:
    # Open interest grows by 100 in the last candle (high 101.5, low 100.2, close 101.5): its 100x
    # shorts sit at E x 1.006 = 101.67, nearer than 105 (no turnover: only that rise opens).
    n = len(HOURLY.frame)
    oi = open_interest([1000.0] * n + [1100.0], times("2026-03-01 00:00", n + 1))
    model = replace(LEVEL_MODEL, turnover=0.0)
    r = outlook.levels(HOURLY, DAILY, HOURLY, oi, model=model, **levels(scale=True))
    assert r is not None
    entry = (101.5 + 100.2 + 101.5) / 3
    assert r.value == OutlookLevels(
        support=100.0,
        target=approx(entry * 1.006),
        target_kind="cluster",
        direction="up",
        # The same added OI puts 50x longs at E x (1 - 0.02 + 0.004), the first below 100.
        downside=approx(entry * 0.984),
        downside_kind="cluster",
    )
    assert {d.name for d in r.used} == {"candles_1h", "candles_1d", "open_interest"}


def test_outlook_falls_back_to_the_prior_range_top() -> None:
    rng = [100, 104, 101, 103, 99, 102, 100, 103, 101, 102]
    daily = candles(
        [*rng, 108.2, 108.5, 108.7],
        start="2026-01-01",
        highs=[c + 1 for c in rng] + [109, 109, 109.2],
        lows=[c - 1 for c in rng] + [101, 107.5, 108],
    )
    r = outlook.levels(daily, daily, model=LEVEL_MODEL, **levels(scale=True))
    assert r is not None
    assert r.value == OutlookLevels(
        support=104.0,
        target=110.0,
        target_kind="round",
        direction="up",
        downside=100.0,
        downside_kind="round",
    )
    assert r.evidence["support_kind"] == "range_top"


def test_outlook_absent_inside_a_range() -> None:
    daily = candles([100, 104, 101, 103, 99, 102, 100, 103, 101, 102], start="2026-01-01")
    assert outlook.levels(daily, daily, model=LEVEL_MODEL, **levels(scale=True)) is None
