"""The demo market: a seeded, synthetic BTC and ETH market that tells one story.

As of 2026-11-23T08:00Z, after three weeks in a range, BTC breaks out to a new all-time high
above $120,000 (it never closed above it before), shorts are liquidated and funding flips
positive; ETH clears $4,000 for the first time since February, with a bearish RSI divergence;
the dollar index closes under 98 for the first time since early October.

How the story survives any noise: prices follow *anchors* (a price at an instant) joined by
Brownian bridges of seeded noise, so every path hits its anchors exactly. Where the story needs
bounds ("the range", "never closed above $120,000"), daily closes are reflected into a band;
where it needs a shape (ETH's rally and fade), closes follow the line between two anchors with
one-sided noise. Daily closes are drawn first; hourly paths are bridged between them over the
whole history, and daily candles are the aggregates of the hourly ones, so the two agree.

Everything here is pure: ``build_scenario`` returns frames and touches no file. Writers
(``demo.snapshot`` for the CSV snapshot) render the same ``Scenario``. The noise comes from
``numpy.random.default_rng(SEED)`` drawn in a fixed order, so the same numpy gives the same
frames; to change the story, move anchors, then run ``python -m demo`` and the tests in
``tests/test_demo_snapshot.py``, which check every part of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SEED = 20261123
AS_OF = pd.Timestamp("2026-11-23T08:00:00Z")
"""The snapshot's moment: the close of the newest hourly candle (it opens at 07:00Z)."""
START = pd.Timestamp("2023-06-01T00:00:00Z")
"""Open of the first daily and hourly candle of the generated history."""
HOUR = pd.Timedelta(hours=1)
DAY = pd.Timedelta(days=1)
HOURLY_DAYS = 60
FUNDING_DAYS = 90
LONG_SHORT_DAYS = 30
SPIKE_FREE_DAYS = 31
"""No liquidation spike (an hour of $20M+ for BTC) in this many days before the as-of."""
DXY_LAST = pd.Timestamp("2026-11-20T00:00:00Z")
"""The newest DXY trading day (a Friday); the as-of falls on the following Monday."""

N_DAYS = (AS_OF.floor("D") - START).days
"""Closed daily candles: 2023-06-01 to 2026-11-22."""
N_HOURS = int((AS_OF - START) / HOUR)
"""Hourly candles of the whole history (only the last ``HOURLY_DAYS`` days are published)."""
PARTIAL_HOURS = N_HOURS - N_DAYS * 24
"""Hourly candles of the as-of's UTC day (00:00 to 07:00), which has no daily candle yet."""

RHO_DAILY = 0.8
"""Correlation of BTC and ETH daily noise."""
RHO_HOURLY = 0.75
WICK = 0.55
"""Wick length in units of the hour's volatility."""
NUDGE = 0.0004
"""Anchors are moved by up to this fraction, so that prices do not sit on round numbers."""

# Intraday volatility profile by UTC hour: quiet Asian night, busy US open. Mean square is 1.
_SEASON_RAW = np.array([0.85] * 7 + [0.95] * 6 + [1.30] * 4 + [1.10] * 5 + [0.90] * 2)
SEASON: FloatArray = _SEASON_RAW / np.sqrt(np.mean(_SEASON_RAW**2))

Anchor = tuple[str, float]
"""(ISO instant, value at that instant). For prices: the close of the candle ending then."""


@dataclass(frozen=True)
class Band:
    """Values of a path at instants in [start, end] are reflected into [low, high]."""

    start: str
    end: str
    low: float
    high: float


@dataclass(frozen=True)
class Calm:
    """Days in [start, end) have ``factor`` times the usual volatility, daily and intraday."""

    start: str
    end: str
    factor: float


@dataclass(frozen=True)
class Shape:
    """Daily closes strictly between two anchors follow the (log) line joining them.

    The noise is one-sided: ``sign`` +1 puts bumps above the line, -1 dips below it, each at
    most ``size`` (log units). A steady fade with upward bumps makes no new swing high.
    """

    start: str
    end: str
    sign: int
    size: float


@dataclass(frozen=True)
class AssetProfile:
    """Every number that makes one asset's part of the story."""

    code: str
    daily_vol: float
    """Daily volatility (log) of the noise bridged between price anchors."""
    calm: tuple[Calm, ...]
    price_anchors: tuple[Anchor, ...]
    """At 00:00Z instants: daily closes; at other hours: hourly closes (the final days)."""
    bands: tuple[Band, ...]
    """Daily closes kept inside these bands."""
    hourly_bands: tuple[Band, ...]
    """Hourly closes kept inside these bands (a broken level stays broken)."""
    shapes: tuple[Shape, ...]
    ath_until: str
    """Highs of candles opening before this instant stay below ``ath_high``..."""
    ath_high: float
    """...which one wick reaches: the record the breakout has to beat (or never beats)."""
    hourly_volume: float
    """Typical base-asset volume per hour."""
    oi_anchors: tuple[Anchor, ...]
    long_pct_anchors: tuple[Anchor, ...]
    long_pct_band: tuple[float, float]
    funding_anchors: tuple[Anchor, ...]
    funding_tail: tuple[float, ...]
    """Fixed prints from the first positive one to the as-of."""
    liq_median_hour: float
    """Median liquidated USD per hour, outside the squeeze."""
    liq_cap_hour: float
    """Soft ceiling of an ordinary hour (spikes are added on top, on purpose)."""
    liq_spikes: tuple[int, float, float]
    """(count, smallest, largest USD) of liquidation spikes more than 30 days before the as-of."""
    squeeze_shorts: tuple[float, float]
    """Shorts liquidated by the breakout: the day before the last 24 h, and the last 24 h."""
    squeeze_longs: float
    """Longs liquidated on the dips of the last 48 h, on top of the baseline."""


BTC = AssetProfile(
    code="BTC",
    daily_vol=0.022,
    calm=(Calm("2025-11-25", "2026-10-31", 0.9),),
    price_anchors=(
        ("2023-06-01", 27_100),
        ("2023-06-15", 25_200),
        ("2023-07-14", 31_300),
        ("2023-08-18", 26_600),
        ("2023-09-12", 25_200),
        ("2023-10-25", 34_400),
        ("2023-12-09", 44_100),
        ("2024-01-23", 39_600),
        ("2024-03-14", 72_800),
        ("2024-05-02", 57_300),
        ("2024-06-07", 71_100),
        ("2024-07-06", 56_700),
        ("2024-07-30", 69_500),
        ("2024-08-06", 54_100),
        ("2024-09-07", 53_800),
        ("2024-10-30", 72_300),
        ("2024-11-14", 90_100),
        ("2024-12-18", 106_200),
        ("2025-01-14", 94_500),
        ("2025-01-22", 105_900),
        ("2025-03-11", 78_600),
        ("2025-04-09", 76_300),
        ("2025-05-22", 109_700),
        ("2025-06-23", 100_900),
        ("2025-07-15", 110_900),
        ("2025-08-15", 112_300),
        ("2025-09-02", 107_400),
        ("2025-10-07", 112_800),
        ("2025-10-11", 104_500),
        ("2025-11-05", 101_000),
        ("2025-11-22", 84_500),
        ("2025-11-29", 88_000),
        ("2025-12-11", 92_500),
        ("2025-12-24", 89_000),
        ("2026-01-02", 91_500),
        ("2026-01-08", 92_800),
        ("2026-01-15", 96_800),
        ("2026-02-06", 89_500),
        ("2026-02-21", 80_000),
        ("2026-03-02", 76_800),
        ("2026-03-09", 90_300),
        ("2026-03-18", 86_800),
        ("2026-03-26", 87_500),
        ("2026-04-08", 90_800),
        ("2026-04-23", 94_800),
        ("2026-04-30", 97_400),
        ("2026-05-06", 99_600),
        ("2026-05-21", 104_300),
        ("2026-06-05", 101_200),
        ("2026-06-19", 98_200),
        ("2026-06-22", 97_900),
        ("2026-06-26", 100_800),
        ("2026-07-03", 105_300),
        ("2026-07-09", 110_000),
        ("2026-07-15", 116_300),
        ("2026-08-06", 106_800),
        ("2026-08-20", 103_000),
        ("2026-09-03", 99_600),
        ("2026-09-21", 103_400),
        ("2026-10-01", 107_000),
        ("2026-10-11", 111_600),
        ("2026-10-21", 104_900),
        ("2026-11-01", 110_800),
        ("2026-11-05", 108_900),
        ("2026-11-09", 112_700),
        ("2026-11-15", 108_700),
        ("2026-11-16T08:00", 112_200),
        ("2026-11-17", 112_600),
        ("2026-11-18", 112_900),
        ("2026-11-19", 112_400),
        ("2026-11-20", 113_100),
        ("2026-11-21", 112_900),
        ("2026-11-21T08:00", 113_600),
        ("2026-11-21T14:00", 116_200),
        ("2026-11-21T18:00", 117_300),
        ("2026-11-22", 117_900),
        ("2026-11-22T08:00", 118_100),
        ("2026-11-22T15:00", 121_300),
        ("2026-11-22T17:00", 122_600),
        ("2026-11-23", 122_200),
        ("2026-11-23T04:00", 123_900),
        ("2026-11-23T08:00", 123_650),
    ),
    bands=(
        Band("2023-06-01", "2026-06-20", 20_000, 112_000),
        Band("2026-06-20", "2026-11-20", 90_000, 117_500),
        Band("2026-11-01", "2026-11-21", 108_300, 113_900),
    ),
    hourly_bands=(Band("2026-11-22T15:00", "2026-11-23T08:00", 120_400, 130_000),),
    shapes=(),
    ath_until="2026-11-21",
    ath_high=118_412.56,
    hourly_volume=950.0,
    oi_anchors=(
        ("2026-09-24T00:00", 31.4e9),
        ("2026-10-10T00:00", 33.6e9),
        ("2026-10-21T00:00", 30.9e9),
        ("2026-10-31T00:00", 31.9e9),
        ("2026-11-21T10:00", 35.7e9),
        ("2026-11-21T20:00", 34.5e9),
        ("2026-11-22T08:00", 35.0e9),
        ("2026-11-22T19:00", 33.5e9),
        ("2026-11-23T07:00", 34.7e9),
    ),
    long_pct_anchors=(
        ("2026-10-24T00:00", 37.1),
        ("2026-11-04T00:00", 36.0),
        ("2026-11-14T00:00", 34.6),
        ("2026-11-21T08:00", 33.6),
        ("2026-11-23T07:00", 35.0),
    ),
    long_pct_band=(33.2, 37.8),
    funding_anchors=(
        ("2026-08-25T16:00", 0.00011),
        ("2026-09-04T00:00", 0.00009),
        ("2026-09-12T00:00", 0.00003),
        ("2026-09-20T00:00", 0.00006),
        ("2026-10-10T00:00", 0.00012),
        ("2026-10-20T00:00", 0.00001),
        ("2026-10-30T00:00", -0.00003),
        ("2026-11-10T00:00", -0.00006),
        ("2026-11-21T08:00", -0.00004),
    ),
    funding_tail=(0.00003121, 0.00005437, 0.00006290, 0.00008712, 0.00009583, 0.00010000),
    liq_median_hour=2.1e6,
    liq_cap_hour=14e6,
    liq_spikes=(4, 21e6, 46e6),
    squeeze_shorts=(115e6, 370e6),
    squeeze_longs=22e6,
)

ETH = AssetProfile(
    code="ETH",
    daily_vol=0.031,
    calm=(
        Calm("2025-11-25", "2026-10-11", 0.9),
        Calm("2026-10-11", "2026-10-27", 0.55),
        Calm("2026-10-30", "2026-11-21", 0.55),
    ),
    price_anchors=(
        ("2023-06-01", 1_865),
        ("2023-07-14", 2_000),
        ("2023-08-18", 1_690),
        ("2023-10-12", 1_540),
        ("2023-12-29", 2_390),
        ("2024-01-23", 2_240),
        ("2024-03-13", 4_050),
        ("2024-05-02", 2_970),
        ("2024-05-28", 3_930),
        ("2024-08-06", 2_420),
        ("2024-09-07", 2_230),
        ("2024-10-30", 2_650),
        ("2024-12-17", 3_990),
        ("2025-01-07", 3_680),
        ("2025-02-04", 2_660),
        ("2025-04-09", 1_480),
        ("2025-05-14", 2_680),
        ("2025-06-23", 2_230),
        ("2025-07-22", 3_770),
        ("2025-08-24", 4_790),
        ("2025-09-26", 3_880),
        ("2025-10-07", 4_500),
        ("2025-10-11", 3_810),
        ("2025-11-05", 3_290),
        ("2025-11-22", 2_770),
        ("2025-12-11", 3_330),
        ("2026-01-15", 3_350),
        ("2026-02-11", 4_160),
        ("2026-02-18", 4_040),
        ("2026-02-25", 3_700),
        ("2026-03-02", 3_180),
        ("2026-03-09", 3_600),
        ("2026-04-23", 3_450),
        ("2026-05-21", 3_760),
        ("2026-06-19", 3_300),
        ("2026-07-15", 3_780),
        ("2026-08-06", 3_550),
        ("2026-09-03", 3_280),
        ("2026-09-21", 3_420),
        ("2026-10-11", 3_680),
        ("2026-10-27", 3_540),
        ("2026-10-30", 3_975),
        ("2026-11-03", 3_840),
        ("2026-11-21", 3_640),
        ("2026-11-21T08:00", 3_705),
        ("2026-11-21T15:00", 3_860),
        ("2026-11-22", 3_930),
        ("2026-11-22T08:00", 3_945),
        ("2026-11-22T13:00", 4_016),
        ("2026-11-22T16:00", 4_038),
        ("2026-11-23", 4_015),
        ("2026-11-23T08:00", 4_088),
    ),
    bands=(Band("2026-02-26", "2026-11-21", 2_400, 3_985),),
    hourly_bands=(Band("2026-11-22T13:00", "2026-11-23T08:00", 4_006, 4_200),),
    shapes=(
        Shape("2026-10-11", "2026-10-27", +1, 0.006),
        Shape("2026-10-27", "2026-10-30", -1, 0.010),
        Shape("2026-10-30", "2026-11-03", +1, 0.006),
        Shape("2026-11-03", "2026-11-21", +1, 0.009),
    ),
    ath_until="2026-11-23T08:00",
    ath_high=4_953.17,
    hourly_volume=15_500.0,
    oi_anchors=(
        ("2026-09-24T00:00", 14.6e9),
        ("2026-10-10T00:00", 15.5e9),
        ("2026-10-21T00:00", 14.1e9),
        ("2026-10-31T00:00", 14.8e9),
        ("2026-11-21T10:00", 17.2e9),
        ("2026-11-21T20:00", 16.7e9),
        ("2026-11-22T08:00", 16.9e9),
        ("2026-11-22T19:00", 16.2e9),
        ("2026-11-23T07:00", 16.8e9),
    ),
    long_pct_anchors=(
        ("2026-10-24T00:00", 45.2),
        ("2026-11-04T00:00", 44.1),
        ("2026-11-14T00:00", 42.6),
        ("2026-11-21T08:00", 41.0),
        ("2026-11-23T07:00", 42.4),
    ),
    long_pct_band=(40.2, 45.8),
    funding_anchors=(
        ("2026-08-25T16:00", 0.00010),
        ("2026-09-04T00:00", 0.00008),
        ("2026-09-12T00:00", 0.00002),
        ("2026-09-20T00:00", 0.00005),
        ("2026-10-10T00:00", 0.00011),
        ("2026-10-20T00:00", 0.00000),
        ("2026-10-30T00:00", -0.00004),
        ("2026-11-10T00:00", -0.00005),
        ("2026-11-21T08:00", -0.00003),
    ),
    funding_tail=(0.00001874, 0.00004102, 0.00005866, 0.00007935, 0.00010000, 0.00010000),
    liq_median_hour=1.1e6,
    liq_cap_hour=7e6,
    liq_spikes=(3, 11e6, 24e6),
    squeeze_shorts=(60e6, 185e6),
    squeeze_longs=11e6,
)

PROFILES: tuple[AssetProfile, ...] = (BTC, ETH)

FUNDING_SNAP_UNTIL = "2026-10-20T00:00"
"""Before this, prints near the baseline settle at exactly 0.0100 % (Binance's interest rate)."""
FUNDING_NEGATIVE = Band("2026-10-31T00:00", "2026-11-21T08:00", -0.000078, -0.000021)

FEAR_GREED_FROM = "2026-08-15"
"""From here on the index follows anchors; before, it follows BTC's 30-day return."""
FEAR_GREED_ANCHORS: tuple[Anchor, ...] = (
    ("2026-09-02", 28),
    ("2026-09-06", 21),
    ("2026-09-20", 38),
    ("2026-10-10", 64),
    ("2026-10-20", 33),
    ("2026-10-31", 48),
    ("2026-11-05", 41),
    ("2026-11-12", 39),
    ("2026-11-16", 45),
)
FEAR_GREED_BAND = Band("2026-11-01", "2026-11-16", 37, 51)
FEAR_GREED_TAIL: tuple[int, ...] = (44, 47, 46, 49, 52, 61, 72)
"""2026-11-17 to 2026-11-23."""

DXY_ANCHORS: tuple[Anchor, ...] = (
    ("2023-06-01", 104.2),
    ("2023-07-14", 99.9),
    ("2023-10-03", 107.0),
    ("2023-12-27", 100.9),
    ("2024-02-14", 104.8),
    ("2024-03-08", 102.7),
    ("2024-04-16", 106.3),
    ("2024-09-27", 100.4),
    ("2024-11-22", 106.6),
    ("2024-12-31", 106.3),
    ("2025-01-13", 106.8),
    ("2025-05-12", 101.8),
    ("2025-07-01", 100.2),
    ("2025-09-17", 101.0),
    ("2025-11-05", 100.8),
    ("2026-01-27", 99.0),
    ("2026-03-10", 99.8),
    ("2026-05-12", 98.9),
    ("2026-07-14", 99.6),
    ("2026-08-25", 98.8),
    ("2026-09-15", 98.4),
    ("2026-09-29", 97.95),
    ("2026-10-02", 97.84),
    ("2026-10-05", 98.15),
    ("2026-10-16", 98.9),
    ("2026-10-30", 99.3),
    ("2026-11-10", 98.7),
    ("2026-11-17", 98.45),
    ("2026-11-18", 98.31),
    ("2026-11-19", 98.12),
    ("2026-11-20", 97.82),
)
DXY_BAND = Band("2026-10-05", "2026-11-19", 98.05, 110.0)
DXY_VOL = 0.0028


@dataclass(frozen=True)
class AssetFrames:
    """One asset's tables, each with a tz-aware UTC ``time`` column, in snapshot column order."""

    candles_1d: pd.DataFrame
    candles_1h: pd.DataFrame
    funding: pd.DataFrame
    open_interest: pd.DataFrame
    liquidations: pd.DataFrame
    long_short: pd.DataFrame


@dataclass(frozen=True)
class Scenario:
    """The whole demo market: per-asset tables and the market-wide ones."""

    seed: int
    as_of: pd.Timestamp
    assets: dict[str, AssetFrames]
    fear_greed: pd.DataFrame
    dxy: pd.DataFrame


def build_scenario(seed: int = SEED) -> Scenario:
    """Build the demo market from ``seed``; the same seed always gives the same frames."""
    rng = np.random.default_rng(seed)
    (nudges,) = rng.spawn(1)  # a separate stream: nudging anchors leaves the noise alone
    common_daily = rng.standard_normal(N_DAYS)
    common_hourly = rng.standard_normal(N_HOURS)
    assets = {}
    for profile in PROFILES:
        nudged = replace(profile, price_anchors=_nudge(profile.price_anchors, nudges))
        assets[profile.code] = _asset(nudged, rng, common_daily, common_hourly)
    fear_greed = _fear_greed(assets["BTC"].candles_1d, rng)
    dxy = _dxy(rng, _nudge(DXY_ANCHORS, nudges))
    return Scenario(seed, AS_OF, assets, fear_greed, dxy)


def _nudge(anchors: tuple[Anchor, ...], rng: np.random.Generator) -> tuple[Anchor, ...]:
    """Anchors with each value moved by a random fraction of at most ``NUDGE``."""
    factors = np.exp(rng.uniform(-NUDGE, NUDGE, len(anchors)))
    return tuple((t, float(v * f)) for (t, v), f in zip(anchors, factors, strict=True))


# --- paths ----------------------------------------------------------------------------------


def _ts(instant: str) -> pd.Timestamp:
    """An anchor's instant as a UTC timestamp."""
    return pd.Timestamp(instant).tz_localize("UTC")


def _bridge(idx: IntArray, values: FloatArray, steps: FloatArray) -> FloatArray:
    """A path of ``len(steps) + 1`` points through ``values`` at ``idx``, shaped by ``steps``.

    Between two anchors the path is the straight line plus a Brownian bridge of the random walk
    ``cumsum(steps)``; ``idx`` must start at 0 and end at ``len(steps)``.
    """
    walk = np.concatenate([[0.0], np.cumsum(steps)])
    grid = np.arange(len(walk), dtype=np.float64)
    at = idx.astype(np.float64)
    line = np.interp(grid, at, values)
    return np.asarray(line + walk - np.interp(grid, at, walk[idx]), dtype=np.float64)


def _reflect(x: FloatArray, low: float, high: float) -> FloatArray:
    """Fold values that leave [low, high] back inside, as a bouncing path would."""
    for _ in range(4):
        x = np.where(x > high, 2.0 * high - x, x)
        x = np.where(x < low, 2.0 * low - x, x)
    return np.clip(x, low, high)


def _soft_cap(x: FloatArray, knee: float, cap: float) -> FloatArray:
    """Identity below ``knee``; above it, bends smoothly towards ``cap`` and never reaches it."""
    width = cap - knee
    bent = knee + width * np.tanh((x - knee) / width)
    return np.where(x > knee, bent, x)


def _grid_index(instants: list[str], start: pd.Timestamp, step: pd.Timedelta) -> IntArray:
    """Positions of instants on a regular grid starting at ``start``; raises off the grid."""
    out = []
    for instant in instants:
        offset = (_ts(instant) - start) / step
        if offset != int(offset):
            raise ValueError(f"{instant} is not on the {step} grid from {start}")
        out.append(int(offset))
    return np.array(out, dtype=np.int64)


def _anchored(anchors: tuple[Anchor, ...], start: pd.Timestamp, step: pd.Timedelta) -> IntArray:
    """Grid positions of anchors (see ``_grid_index``)."""
    return _grid_index([a[0] for a in anchors], start, step)


def _daily_log_closes(profile: AssetProfile, noise: FloatArray, vol: FloatArray) -> FloatArray:
    """Log prices at each 00:00Z instant from START (index 0) to the last daily close.

    ``noise`` is standard normal, one per day; ``vol`` is each day's volatility.
    """
    daily = [(t, v) for t, v in profile.price_anchors if _ts(t) == _ts(t).floor("D")]
    idx = _anchored(tuple(daily), START, DAY)
    path = _bridge(idx, np.log([v for _, v in daily]), noise * vol)
    for band in profile.bands:
        i, j = _grid_index([band.start, band.end], START, DAY)
        path[i : j + 1] = _reflect(path[i : j + 1], np.log(band.low), np.log(band.high))
    for shape in profile.shapes:
        i, j = _grid_index([shape.start, shape.end], START, DAY)
        line = np.linspace(path[i], path[j], j - i + 1)[1:-1]
        bumps = np.tanh(np.abs(noise[i : j - 1])) * shape.size
        path[i + 1 : j] = line + shape.sign * bumps
    return path


def _hourly_log_path(
    profile: AssetProfile, daily: FloatArray, noise: FloatArray, sigma: FloatArray
) -> FloatArray:
    """Log prices at every hour from START to AS_OF, through the daily closes and hour anchors."""
    intraday = [(t, v) for t, v in profile.price_anchors if _ts(t) != _ts(t).floor("D")]
    idx = np.concatenate([np.arange(N_DAYS + 1) * 24, _anchored(tuple(intraday), START, HOUR)])
    values = np.concatenate([daily, np.log([v for _, v in intraday])])
    order = np.argsort(idx, kind="stable")
    if idx[order][-1] != N_HOURS:
        raise ValueError(f"{profile.code}: the last price anchor must be at the as-of")
    path = _bridge(idx[order], values[order], sigma * noise)
    for band in profile.hourly_bands:
        i, j = _grid_index([band.start, band.end], START, HOUR)
        path[i : j + 1] = _reflect(path[i : j + 1], np.log(band.low), np.log(band.high))
    return path


# --- one asset ------------------------------------------------------------------------------


def _asset(
    profile: AssetProfile,
    rng: np.random.Generator,
    common_daily: FloatArray,
    common_hourly: FloatArray,
) -> AssetFrames:
    """All tables of one asset."""
    daily_noise = _correlated(common_daily, rng, RHO_DAILY)
    hourly_noise = _correlated(common_hourly, rng, RHO_HOURLY)
    vol = np.full(N_DAYS, profile.daily_vol)
    for calm in profile.calm:
        i, j = _grid_index([calm.start, calm.end], START, DAY)
        vol[i:j] *= calm.factor
    hours = pd.date_range(START, periods=N_HOURS, freq=HOUR)
    day_vol = np.concatenate([np.repeat(vol, 24), np.full(PARTIAL_HOURS, vol[-1])])
    sigma = day_vol / np.sqrt(24.0) * SEASON[hours.hour.to_numpy()]

    daily = _daily_log_closes(profile, daily_noise, vol)
    path = _hourly_log_path(profile, daily, hourly_noise, sigma)
    hourly = _hourly_candles(profile, rng, path, sigma, hours)
    first_hour = N_HOURS - (HOURLY_DAYS * 24 + PARTIAL_HOURS)
    recent = hourly.iloc[first_hour:].reset_index(drop=True)
    return AssetFrames(
        candles_1d=_daily_from_hourly(hourly),
        candles_1h=recent,
        funding=_funding(profile, rng),
        open_interest=_open_interest(profile, rng, recent),
        liquidations=_liquidations(profile, rng, recent),
        long_short=_long_short(profile, rng),
    )


def _correlated(common: FloatArray, rng: np.random.Generator, rho: float) -> FloatArray:
    """Standard normal noise with correlation ``rho`` to ``common`` (shared by all assets)."""
    own = rng.standard_normal(len(common))
    return np.asarray(rho * common + np.sqrt(1.0 - rho**2) * own, dtype=np.float64)


def _hourly_candles(
    profile: AssetProfile,
    rng: np.random.Generator,
    path: FloatArray,
    sigma: FloatArray,
    hours: pd.DatetimeIndex,
) -> pd.DataFrame:
    """Hourly OHLCV of the whole history from the log path of closes, with wicks and volume."""
    up = np.abs(rng.standard_normal(N_HOURS)) * sigma * WICK
    down = np.abs(rng.standard_normal(N_HOURS)) * sigma * WICK
    volume_noise = rng.standard_normal(N_HOURS)
    regime_noise = rng.standard_normal(N_DAYS)

    # Keep every price before ``ath_until`` under the record (bending from 0.8 % below it, never
    # reaching 0.15 % below it), then let the highest wick of that time set the record exactly.
    until = int((_ts(profile.ath_until) - START) / HOUR)
    knee, cap = np.log(profile.ath_high * 0.992), np.log(profile.ath_high * 0.9985)
    capped = path.copy()
    capped[: until + 1] = _soft_cap(path[: until + 1], knee, cap)
    o, c = capped[:-1], capped[1:]
    high = np.maximum(o, c) + up
    raw_high = np.maximum(path[:-1], path[1:]) + up
    high[:until] = _soft_cap(raw_high[:until], knee, cap)
    low = np.minimum(o, c) - down
    record = int(np.argmax(high[:until]))
    high[record] = np.log(profile.ath_high)

    # Volume: busier when price moves, in busy hours and in busy weeks.
    z = np.abs(c - o) / sigma
    regime = np.exp(np.repeat(_ar1(regime_noise, 0.95, 0.08), 24))
    regime = np.concatenate([regime, np.full(N_HOURS - len(regime), regime[-1])])
    volume = profile.hourly_volume * regime * SEASON[hours.hour.to_numpy()]
    volume = volume * np.exp(0.3 * volume_noise) * (0.55 + 0.45 * z)
    return pd.DataFrame(
        {
            "time": hours,
            "open": np.round(np.exp(o), 2),
            "high": np.round(np.exp(high), 2),
            "low": np.round(np.exp(low), 2),
            "close": np.round(np.exp(c), 2),
            "volume": np.round(volume, 4),
        }
    )


def _ar1(noise: FloatArray, phi: float, sigma: float) -> FloatArray:
    """A stationary AR(1) series driven by ``noise``, started at 0."""
    out = np.empty_like(noise)
    level = 0.0
    for i, e in enumerate(noise):
        level = phi * level + sigma * e
        out[i] = level
    return out


def _daily_from_hourly(hourly: pd.DataFrame) -> pd.DataFrame:
    """Daily candles of every full UTC day: first open, highest high, lowest low, last close."""
    full = hourly.iloc[: N_DAYS * 24]

    def by_day(column: str) -> npt.NDArray[np.float64]:
        return full[column].to_numpy(dtype=np.float64).reshape(N_DAYS, 24)

    return pd.DataFrame(
        {
            "time": pd.date_range(START, periods=N_DAYS, freq=DAY),
            "open": by_day("open")[:, 0],
            "high": by_day("high").max(axis=1),
            "low": by_day("low").min(axis=1),
            "close": by_day("close")[:, -1],
            "volume": np.round(by_day("volume").sum(axis=1), 4),
        }
    )


# --- derivatives ----------------------------------------------------------------------------


def _funding(profile: AssetProfile, rng: np.random.Generator) -> pd.DataFrame:
    """8-hourly settled funding for the last 90 days, up to the print at the as-of."""
    step = pd.Timedelta(hours=8)
    first = AS_OF - FUNDING_DAYS * DAY + step
    times = pd.date_range(first, AS_OF, freq=step)
    n = len(times) - len(profile.funding_tail)
    walk = rng.standard_normal(n - 1) * 0.000012
    jitter = rng.standard_normal(n) * 0.000004
    idx = _anchored(profile.funding_anchors, first, step)
    rates = _bridge(idx, np.array([v for _, v in profile.funding_anchors]), walk) + jitter

    snap = times[:n] < _ts(FUNDING_SNAP_UNTIL)
    rates = np.where(snap & (rates > 0.00008) & (rates < 0.00013), 0.0001, rates)
    i, j = _grid_index([FUNDING_NEGATIVE.start, FUNDING_NEGATIVE.end], first, step)
    band = FUNDING_NEGATIVE
    rates[i : j + 1] = _reflect(rates[i : j + 1], band.low, band.high)
    # A settled rate of exactly zero has no sign; real prints rarely sit there either.
    rates = np.where(np.abs(rates) < 5e-7, np.copysign(5e-7, rates), rates)
    rates = np.concatenate([rates, profile.funding_tail])
    return pd.DataFrame({"time": times, "rate": np.round(rates, 8)})


def _open_interest(
    profile: AssetProfile, rng: np.random.Generator, candles: pd.DataFrame
) -> pd.DataFrame:
    """Hourly open interest in USD on the hourly candles' times."""
    times = pd.DatetimeIndex(candles["time"])
    walk = rng.standard_normal(len(times) - 1) * 0.0018
    jitter = rng.standard_normal(len(times)) * 0.0006
    idx = _anchored(profile.oi_anchors, times[0], HOUR)
    log_oi = _bridge(idx, np.log([v for _, v in profile.oi_anchors]), walk) + jitter
    return pd.DataFrame({"time": times, "oi_usd": np.round(np.exp(log_oi), 2)})


def _long_short(profile: AssetProfile, rng: np.random.Generator) -> pd.DataFrame:
    """Hourly percent of accounts net long over the last 30 days: a smooth, bounded drift."""
    first = AS_OF.floor("D") - LONG_SHORT_DAYS * DAY
    times = pd.date_range(first, AS_OF - HOUR, freq=HOUR)
    walk = rng.standard_normal(len(times) - 1) * 0.1
    idx = _anchored(profile.long_pct_anchors, first, HOUR)
    pct = _bridge(idx, np.array([v for _, v in profile.long_pct_anchors]), walk)
    pct = _reflect(pct, *profile.long_pct_band)
    return pd.DataFrame({"time": times, "long_pct": np.round(pct, 2)})


def _liquidations(
    profile: AssetProfile, rng: np.random.Generator, candles: pd.DataFrame
) -> pd.DataFrame:
    """Hourly USD liquidated per side: a heavy-tailed baseline, old spikes, the short squeeze."""
    times = pd.DatetimeIndex(candles["time"])
    n = len(times)
    ret = np.log(candles["close"].to_numpy() / candles["open"].to_numpy())
    z = ret / (profile.daily_vol / np.sqrt(24.0))
    size_noise, side_noise = rng.standard_normal(n), rng.standard_normal(n)

    # Baseline: heavy-tailed, bigger when price moves; longs go when price falls.
    total = np.exp(0.8 * size_noise) * (0.5 + 0.5 * np.abs(z))
    total = total * profile.liq_median_hour / np.median(total)
    knee = profile.liq_cap_hour * 0.6
    total = np.where(total > knee, _soft_cap(total, knee, profile.liq_cap_hour), total)
    long_share = 1.0 / (1.0 + np.exp(1.0 * z - 0.8 * side_noise))
    longs, shorts = total * long_share, total * (1.0 - long_share)

    # Spikes on the sharpest hours more than 30 days back, at least two days apart.
    count, smallest, largest = profile.liq_spikes
    sizes = rng.uniform(smallest, largest, count)
    old = times < AS_OF - SPIKE_FREE_DAYS * DAY
    chosen: list[int] = []
    for i in np.argsort(-np.abs(z) * old, kind="stable"):
        if len(chosen) == count:
            break
        if all(abs(int(i) - k) >= 48 for k in chosen):
            chosen.append(int(i))
    for i, size in zip(chosen, sizes, strict=True):
        share = 0.85 if z[i] < 0 else 0.15
        longs[i] += size * share
        shorts[i] += size * (1.0 - share)

    # The squeeze: shorts liquidated in proportion to each hour's rise, longs on its dips.
    day_before = (times >= AS_OF - 48 * HOUR) & (times < AS_OF - 24 * HOUR)
    last_day = times >= AS_OF - 24 * HOUR
    for window, amount in zip((day_before, last_day), profile.squeeze_shorts, strict=True):
        weight = np.where(window, np.maximum(ret, 0.0) ** 1.5, 0.0)
        shorts += amount * weight / weight.sum()
    window = day_before | last_day
    weight = np.where(window, np.maximum(-ret, 0.0) + 0.0005, 0.0)
    longs += profile.squeeze_longs * weight / weight.sum()
    return pd.DataFrame(
        {"time": times, "long_usd": np.round(longs, 2), "short_usd": np.round(shorts, 2)}
    )


# --- market-wide ----------------------------------------------------------------------------


def _fear_greed(btc_daily: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Daily Fear & Greed from START to the as-of day, with its classification."""
    times = pd.date_range(START, periods=N_DAYS + 1, freq=DAY)
    closes = btc_daily["close"].to_numpy()
    known = np.concatenate([[btc_daily["open"].iloc[0]], closes])  # price at each 00:00Z
    logs = np.log(known)
    month = logs - np.concatenate([np.full(30, logs[0]), logs[:-30]])
    mood = _ar1(rng.standard_normal(len(times)), 0.8, 6.0)
    value = 50.0 + 44.0 * np.tanh((120.0 * month + mood) / 45.0)

    start = int((_ts(FEAR_GREED_FROM) - START) / DAY)
    tail_start = len(times) - len(FEAR_GREED_TAIL)
    anchors = ((FEAR_GREED_FROM, float(value[start])), *FEAR_GREED_ANCHORS)
    anchors = (*anchors, (str(times[tail_start].date()), float(FEAR_GREED_TAIL[0])))
    idx = _anchored(anchors, times[start], DAY)
    walk = rng.standard_normal(idx[-1]) * 3.5
    recent = _bridge(idx, np.array([v for _, v in anchors], dtype=np.float64), walk)
    value[start : tail_start + 1] = recent
    i, j = _grid_index([FEAR_GREED_BAND.start, FEAR_GREED_BAND.end], START, DAY)
    value[i : j + 1] = _reflect(value[i : j + 1], FEAR_GREED_BAND.low, FEAR_GREED_BAND.high)
    value[tail_start:] = FEAR_GREED_TAIL
    values = np.clip(np.round(value), 0, 100).astype(np.int64)
    return pd.DataFrame(
        {"time": times, "value": values, "classification": [classify(int(v)) for v in values]}
    )


def classify(value: int) -> str:
    """Alternative.me's class of a Fear & Greed value."""
    if value <= 24:
        return "Extreme Fear"
    if value <= 44:
        return "Fear"
    if value <= 55:
        return "Neutral"
    if value <= 75:
        return "Greed"
    return "Extreme Greed"


def _dxy(rng: np.random.Generator, anchors: tuple[Anchor, ...]) -> pd.DataFrame:
    """Business-day closes of the US Dollar Index, the trading date at 00:00Z."""
    times = pd.bdate_range(START, DXY_LAST)
    walk = rng.standard_normal(len(times) - 1) * DXY_VOL
    idx = _trading_days(times, [t for t, _ in anchors])
    path = _bridge(idx, np.log([v for _, v in anchors]), walk)
    i, j = _trading_days(times, [DXY_BAND.start, DXY_BAND.end])
    path[i : j + 1] = _reflect(path[i : j + 1], np.log(DXY_BAND.low), np.log(DXY_BAND.high))
    return pd.DataFrame({"time": times, "close": np.round(np.exp(path), 3)})


def _trading_days(times: pd.DatetimeIndex, days: list[str]) -> IntArray:
    """Positions of dates among the business days ``times``; raises for a weekend date."""
    idx = times.get_indexer(pd.DatetimeIndex([_ts(d) for d in days]))
    if (idx < 0).any():
        raise ValueError(f"not a business day in the DXY calendar: {days}")
    return idx.astype(np.int64)
