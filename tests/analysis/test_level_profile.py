"""level_profile: live levels summed into price bins, each side apart, for the levels chart."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis import liquidation_map as lm

OPENS = pd.date_range("2026-01-01", periods=4, freq="h", tz="UTC", name="time")
MODEL = replace(lm.LEVEL_MODEL, bin_step=10.0)


def hand_made(
    price: list[float], usd: list[float], short: list[bool], consumed: list[int]
) -> lm.Levels:
    """Levels as ``estimate_levels`` would return them, after four hourly candles closing at 100.

    ``consumed`` is the index of the candle that reached a level, 4 (``len(OPENS)``) when live.
    """
    n = len(price)
    return lm.Levels(
        price=np.array(price, dtype=np.float64),
        usd=np.array(usd, dtype=np.float64),
        short=np.array(short, dtype=np.bool_),
        created=np.zeros(n, dtype=np.int64),
        consumed=np.array(consumed, dtype=np.int64),
        consumed_usd=np.zeros(n, dtype=np.float64),
        opens=OPENS,
        interval=pd.Timedelta(hours=1),
        last=100.0,
        opened_usd=1000.0,
    )


def test_live_levels_are_binned_by_side_in_contiguous_bins() -> None:
    levels = hand_made(
        price=[81.0, 89.0, 84.0, 112.0, 118.0, 131.0],
        usd=[10.0, 20.0, 5.0, 40.0, 2.0, 8.0],
        short=[False, False, False, True, True, True],
        consumed=[4, 4, 4, 4, 4, 4],
    )
    profile = lm.level_profile(levels, MODEL, asset="BTC", sources=("OI", "Spot"), k=1.0)

    assert profile.asset == "BTC"
    assert profile.sources == ("OI", "Spot")
    assert profile.price == (85.0, 95.0, 105.0, 115.0, 125.0, 135.0)  # bin centres, 80 to 140
    assert profile.long_usd == (35.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert profile.short_usd == (0.0, 0.0, 0.0, 42.0, 0.0, 8.0)
    assert profile.last == 100.0
    assert profile.bin_usd == 10.0
    assert profile.to == pd.Timestamp("2026-01-01T04:00Z")


def test_consumed_and_negligible_levels_are_left_out() -> None:
    levels = hand_made(
        price=[90.0, 95.0, 110.0, 120.0],
        usd=[0.0, 1e-9, 30.0, 0.0],
        short=[False, False, True, True],
        consumed=[2, 4, 4, 3],  # the first and last were reached by candles 2 and 3
    )
    profile = lm.level_profile(levels, MODEL, k=1.0)
    assert profile.price == (115.0,)
    assert profile.short_usd == (30.0,)
    assert profile.long_usd == (0.0,)


def test_no_live_level_gives_an_empty_profile() -> None:
    levels = hand_made([90.0], [0.0], [False], [1])
    profile = lm.level_profile(levels, MODEL, asset="ETH")
    assert profile.price == profile.long_usd == profile.short_usd == ()
    assert profile.last == 100.0


def test_default_bins_are_a_quarter_percent_of_the_last_close() -> None:
    levels = hand_made([100.6, 101.0], [1.0, 2.0], [True, True], [4, 4])
    profile = lm.level_profile(levels, k=1.0)
    assert profile.bin_usd == pytest.approx(0.25)
    assert profile.price == pytest.approx((100.625, 100.875, 101.125))
    assert profile.short_usd == (1.0, 0.0, 2.0)


def test_the_profile_describes_the_model() -> None:
    text = lm.level_profile(hand_made([90.0], [1.0], [False], [4])).model
    assert "30 days" in text
    assert "leverage 5/10/25/50/100x at 10/25/30/20/15 %" in text
    assert "0.25 % bins" in text
    assert lm.describe(MODEL).endswith("$10 bins")


def test_k_scales_the_profile_and_without_it_the_bins_are_shares() -> None:
    levels = hand_made([90.0, 112.0, 118.0], [10.0, 30.0, 10.0], [False, True, True], [4, 4, 4])
    scaled = lm.level_profile(levels, MODEL, k=0.5)
    assert not scaled.relative
    assert scaled.long_usd[0] == 5.0 and sum(scaled.short_usd) == 20.0
    shares = lm.level_profile(levels, MODEL)
    assert shares.relative
    assert shares.long_usd[0] == pytest.approx(0.2) and sum(shares.short_usd) == pytest.approx(0.8)
    assert "30 days of OI rises + 2 %/h turnover" in shares.model
