"""Hand-made candles and price facts for the chart tests (no snapshot on disk)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models import Dataset, Fact, LevelProfile
from values import (
    DxyLevelBreak,
    FundingFlip,
    LongClusterBelow,
    PriceLevelBreak,
    PriorRange,
    ShortClusterAbove,
)

DAY, HOUR = pd.Timedelta(days=1), pd.Timedelta(hours=1)
AS_OF = pd.Timestamp("2025-06-29T10:00Z")
START = pd.Timestamp("2025-03-01", tz="UTC")
N_DAYS = 120
ATH = 140.5
LEVEL = 130.0
RANGE = PriorRange(low=120.0, high=125.0, start="2025-06-10", end="2025-06-16")


def dataset(closes: np.ndarray, start: pd.Timestamp, interval: pd.Timedelta) -> Dataset:
    """Candles from closes: open = previous close, high/low one unit beyond the body."""
    index = pd.date_range(start, periods=len(closes), freq=interval, name="time")
    close = pd.Series(closes, index=index, dtype="float64")
    open_ = close.shift(1).fillna(close.iloc[0] - 0.5)
    frame = pd.DataFrame(
        {
            "open": open_,
            "high": np.maximum(open_, close) + 1.0,
            "low": np.minimum(open_, close) - 1.0,
            "close": close,
            "volume": 1.0,
        }
    )
    name = "candles_1h" if interval == HOUR else "candles_1d"
    return Dataset(name, "BTC", "Test exchange", frame, interval)


@pytest.fixture
def daily() -> Dataset:
    """120 closed daily candles, 1 Mar to 28 Jun 2025: a ramp from 80 to 139.5 with a wiggle.

    The highest high is ``ATH`` (140.5, on the last day).
    """
    i = np.arange(N_DAYS, dtype="float64")
    closes = 80.0 + 0.5 * i + np.where(i % 2 == 0, 0.0, -0.25)
    closes[-1] = 139.5
    return dataset(closes, START, DAY)


@pytest.fixture
def hourly() -> Dataset:
    """Hourly candles from 19 Jun 00:00 to 29 Jun 09:00 (so today, 29 Jun, is unfinished)."""
    n = 10 * 24 + 10
    closes = np.linspace(125.0, 138.0, n) + np.sin(np.arange(n) / 5.0)
    return dataset(closes, pd.Timestamp("2025-06-19", tz="UTC"), HOUR)


def fact(fid: str, value: object, unit: str, asset: str | None = "BTC") -> Fact:
    return Fact(fid, asset, value, unit, AS_OF, ("Test exchange",))


@pytest.fixture
def facts() -> dict[str, Fact]:
    """ATH, broken level and prior range of BTC, keyed like the pipeline keys them."""
    items = [
        fact("price.ath", ATH, "USD"),
        fact("price.level_break", PriceLevelBreak(LEVEL, "up", None), "level"),
        fact("price.prior_range", RANGE, "range"),
    ]
    return {f.key: f for f in items}


# --- derivatives and market-wide datasets -------------------------------------------------------

LIQ_START = pd.Timestamp("2025-06-25T00:00Z")
"""First liquidation bucket; the last complete one opens at 09:00 on 29 Jun (AS_OF 10:00)."""
FLIP_AT = pd.Timestamp("2025-06-28T08:00Z")
"""First positive funding print after a month of negative ones."""
DXY_LEVEL = 98.0
LAST = 100.0
"""Last price of the hand-made level profile."""


@pytest.fixture
def liquidations() -> Dataset:
    """Hourly buckets from 25 Jun 00:00 to 29 Jun 10:00 (the last one still running at AS_OF):
    shorts 2 M USD and longs 1 M USD each hour, 10 M of shorts in the 09:00 bucket."""
    index = pd.date_range(LIQ_START, AS_OF, freq="h", name="time")
    shorts = np.full(len(index), 2e6)
    shorts[-2] = 10e6
    frame = pd.DataFrame({"long_usd": 1e6, "short_usd": shorts}, index=index)
    return Dataset("liquidations", "BTC", "Test liquidations", frame)


@pytest.fixture
def funding() -> Dataset:
    """8-hourly prints from 1 Jun to 29 Jun 08:00: -0.005 % until the flip, then +0.01 %."""
    index = pd.date_range("2025-06-01T00:00Z", "2025-06-29T08:00Z", freq="8h", name="time")
    rate = np.where(index >= FLIP_AT, 0.0001, -0.00005)
    return Dataset("funding", "BTC", "Test futures", pd.DataFrame({"rate": rate}, index=index))


@pytest.fixture
def profile() -> LevelProfile:
    """Bins of 1 USD from 80.5 to 119.5: longs below the last price of 100, shorts above."""
    price = np.arange(80.5, 120.0, 1.0)
    longs = np.where(price < LAST, 1e6 * (1 + (price == 96.5) * 4), 0.0)
    shorts = np.where(price > LAST, 2e6 * (1 + (price == 104.5) * 3), 0.0)
    return LevelProfile(
        asset="BTC",
        price=tuple(price.tolist()),
        long_usd=tuple(longs.tolist()),
        short_usd=tuple(shorts.tolist()),
        last=LAST,
        bin_usd=1.0,
        model="30 days of OI increases; test leverage",
        sources=("Test futures", "Test exchange"),
        to=AS_OF,
    )


@pytest.fixture
def dxy() -> Dataset:
    """Weekday closes from 1 Mar to 27 Jun 2025 falling from 101 to 97.6 (below 98 at the end)."""
    index = pd.bdate_range("2025-03-03", "2025-06-27", tz="UTC", name="time")
    close = np.linspace(101.0, 97.6, len(index))
    return Dataset("dxy", None, "Test index", pd.DataFrame({"close": close}, index=index))


@pytest.fixture
def fear_greed() -> Dataset:
    """One value a day from 1 Mar to 29 Jun 2025, 10 to 80 and back, without classifications."""
    index = pd.date_range("2025-03-01", "2025-06-29", freq="D", tz="UTC", name="time")
    value = np.round(45 + 35 * np.sin(np.arange(len(index)) / 12.0))
    return Dataset(
        "fear_greed", None, "Test sentiment", pd.DataFrame({"value": value}, index=index)
    )


def cluster(
    kind: type[ShortClusterAbove] | type[LongClusterBelow],
    price: float,
    usd: float | None,
    distance_pct: float,
    share: float = 0.25,
) -> ShortClusterAbove | LongClusterBelow:
    """A nearest-cluster value at ``price`` (a one-unit range around it); ``usd`` None: a
    cluster of relative size ``share`` only."""
    return kind(
        band_pct=2.0,
        band_usd=usd,
        band_share=share,
        low=price - 0.5,
        high=price + 0.5,
        price=price,
        usd=usd,
        share=share,
        distance_pct=distance_pct,
    )


@pytest.fixture
def market_facts() -> dict[str, Fact]:
    """The funding flip and nearest clusters of BTC and the DXY break, keyed like the pipeline."""
    flip = FundingFlip("negative", "positive", "2025-06-28T08:00:00Z", 4, current_pct=0.01)
    items = [
        fact("funding.flip", flip, "state"),
        fact("clusters.nearest_short_above", cluster(ShortClusterAbove, 104.6, 3e7, 4.6), "level"),
        fact("clusters.nearest_long_below", cluster(LongClusterBelow, 96.4, 1.5e7, -3.6), "level"),
        fact(
            "macro.dxy_level_break",
            DxyLevelBreak(DXY_LEVEL, "down", previous_close_beyond="2025-02-03"),
            "level",
            asset=None,
        ),
    ]
    return {f.key: f for f in items}
