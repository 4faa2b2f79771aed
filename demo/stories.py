"""The stories the demo generator tells: the demo itself and named scenarios on its history.

The demo (``DEMO``): as of 2026-11-23T08:00Z, after three weeks in a range, BTC breaks out to a
new all-time high above $120,000 (it never closed above it before), shorts are liquidated and
funding flips positive; ETH clears $4,000 for the first time since February, with a bearish RSI
divergence; the dollar index closes under 98 for the first time since early October. To change
it, move anchors, then run ``python -m demo`` and the tests in ``tests/test_demo_snapshot.py``,
which check every part of it.

The named scenarios share the demo's history up to ``FORK`` and tell their own last weeks,
each a small ``Ending`` per asset and a ``MarketEnding`` (``tests/test_scenarios.py`` checks
each one's facts).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVar

from demo.generator import (
    NO_SQUEEZE,
    Anchor,
    AssetProfile,
    Band,
    Calm,
    MarketProfile,
    Shape,
    Squeeze,
    Story,
    ts,
)

FUNDING_SNAP_UNTIL = "2026-10-20T00:00"
"""Before this, prints near the baseline settle at exactly 0.0100 % (Binance's interest rate)."""
FUNDING_NEGATIVE = Band("2026-10-31T00:00", "2026-11-21T08:00", -0.000078, -0.000021)

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
    funding_snap_until=FUNDING_SNAP_UNTIL,
    funding_bands=(FUNDING_NEGATIVE,),
    liq_median_hour=2.1e6,
    liq_cap_hour=14e6,
    liq_spikes=(4, 21e6, 46e6),
    squeeze=Squeeze("short", ((48, 115e6), (24, 370e6)), other=22e6),
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
    funding_snap_until=FUNDING_SNAP_UNTIL,
    funding_bands=(FUNDING_NEGATIVE,),
    liq_median_hour=1.1e6,
    liq_cap_hour=7e6,
    liq_spikes=(3, 11e6, 24e6),
    squeeze=Squeeze("short", ((48, 60e6), (24, 185e6)), other=11e6),
)


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

DEMO = Story(
    "demo",
    (BTC, ETH),
    MarketProfile(
        FEAR_GREED_FROM,
        FEAR_GREED_ANCHORS,
        (FEAR_GREED_BAND,),
        FEAR_GREED_TAIL,
        DXY_ANCHORS,
        (DXY_BAND,),
    ),
)


# --- named scenarios --------------------------------------------------------------------------

FORK = "2026-10-30"
"""A scenario keeps the demo's anchors, bands, shapes and calm spells up to this instant."""
END = "2026-11-23T08:00"
"""The as-of, as an anchor instant."""
DEFAULT_FUNDING = 0.0001
"""Binance's default settled rate: 0.0100 % per 8 hours."""
SNAP_UNTIL = "2026-11-24T00:00"
"""In a scenario every print near the default settles at exactly the default, the as-of's too."""


@dataclass(frozen=True)
class Ending:
    """One asset's last weeks in a scenario, after ``FORK`` (anchors as in ``AssetProfile``)."""

    prices: tuple[Anchor, ...]
    """Daily closes (00:00Z) and hourly closes; the last one at the as-of."""
    oi: tuple[Anchor, ...]
    """Open interest (USD); the last one at the newest hour (07:00Z)."""
    long_pct: tuple[Anchor, ...]
    """Percent of accounts net long; the last one at the newest hour."""
    long_pct_band: tuple[float, float]
    funding: tuple[Anchor, ...] = (("2026-11-06T00:00", DEFAULT_FUNDING), (END, DEFAULT_FUNDING))
    """Settled rates; the last one at the print before ``funding_tail`` (else at the as-of)."""
    funding_tail: tuple[float, ...] = ()
    bands: tuple[Band, ...] = ()
    hourly_bands: tuple[Band, ...] = ()
    calm: tuple[Calm, ...] = ()
    ath_until: str = END
    """Every high before this stays under the demo's record (see ``AssetProfile``)."""
    squeeze: Squeeze = NO_SQUEEZE


@dataclass(frozen=True)
class MarketEnding:
    """Fear & Greed and the dollar index after ``FORK``."""

    fear_greed: tuple[Anchor, ...]
    fear_greed_tail: tuple[int, ...]
    """The last 7 days' values, 2026-11-17 to 2026-11-23."""
    dxy: tuple[Anchor, ...]
    """Trading-day closes; the last one on 2026-11-20."""
    fear_greed_bands: tuple[Band, ...] = ()
    dxy_bands: tuple[Band, ...] = ()


def _kept(anchors: tuple[Anchor, ...]) -> tuple[Anchor, ...]:
    """The anchors up to ``FORK``."""
    return tuple(a for a in anchors if ts(a[0]) <= ts(FORK))


Span = TypeVar("Span", Band, Calm)


def _clipped(spans: tuple[Span, ...]) -> tuple[Span, ...]:
    """The parts of ``spans`` (bands, calm spells) before ``FORK``."""
    return tuple(replace(b, end=min(b.end, FORK, key=ts)) for b in spans if ts(b.start) < ts(FORK))


def fork(profile: AssetProfile, ending: Ending) -> AssetProfile:
    """``profile``'s history up to ``FORK``, then ``ending``."""
    return replace(
        profile,
        price_anchors=_kept(profile.price_anchors) + ending.prices,
        bands=_clipped(profile.bands) + ending.bands,
        hourly_bands=_clipped(profile.hourly_bands) + ending.hourly_bands,
        shapes=tuple(s for s in profile.shapes if ts(s.end) <= ts(FORK)),
        calm=_clipped(profile.calm) + ending.calm,
        ath_until=ending.ath_until,
        oi_anchors=_kept(profile.oi_anchors) + ending.oi,
        long_pct_anchors=_kept(profile.long_pct_anchors) + ending.long_pct,
        long_pct_band=ending.long_pct_band,
        funding_anchors=_kept(profile.funding_anchors) + ending.funding,
        funding_tail=ending.funding_tail,
        funding_snap_until=SNAP_UNTIL,
        funding_bands=_clipped(profile.funding_bands),
        squeeze=ending.squeeze,
    )


def scenario(name: str, btc: Ending, eth: Ending, market: MarketEnding) -> Story:
    """The demo's history up to ``FORK`` with these endings."""
    demo = DEMO.market
    return Story(
        name,
        (fork(BTC, btc), fork(ETH, eth)),
        MarketProfile(
            demo.fear_greed_from,
            _kept(demo.fear_greed_anchors) + market.fear_greed,
            _clipped(demo.fear_greed_bands) + market.fear_greed_bands,
            market.fear_greed_tail,
            _kept(demo.dxy_anchors) + market.dxy,
            _clipped(demo.dxy_bands) + market.dxy_bands,
        ),
    )


# Positioning and funding of an unremarkable month, shared by the scenarios unless they say so.
BTC_CALM = Ending(
    prices=(),
    oi=(("2026-11-10T00:00", 32.4e9), ("2026-11-23T07:00", 32.1e9)),
    long_pct=(("2026-11-08T00:00", 47.5), ("2026-11-23T07:00", 49.0)),
    long_pct_band=(35.0, 52.0),
)
ETH_CALM = Ending(
    prices=(),
    oi=(("2026-11-10T00:00", 15.0e9), ("2026-11-23T07:00", 14.8e9)),
    long_pct=(("2026-11-08T00:00", 48.5), ("2026-11-23T07:00", 50.5)),
    long_pct_band=(42.0, 54.0),
)
CALM_SPELL = (Calm("2026-10-31", "2026-11-23", 0.6),)
"""Three quiet weeks: 60 % of the usual volatility."""
FLAT_DXY: tuple[Anchor, ...] = (
    ("2026-11-06", 98.9),
    ("2026-11-13", 98.5),
    ("2026-11-18", 98.62),
    ("2026-11-19", 98.58),
    ("2026-11-20", 98.66),
)
FLAT_DXY_BANDS = (Band("2026-11-02", "2026-11-17", 98.15, 99.4),)
NEUTRAL_FEAR_GREED: tuple[Anchor, ...] = (("2026-11-05", 47), ("2026-11-12", 52))

QUIET = scenario(
    "quiet",
    replace(
        BTC_CALM,
        prices=(
            ("2026-10-31", 107_800),
            ("2026-11-06", 110_600),
            ("2026-11-12", 109_400),
            ("2026-11-18", 108_600),
            ("2026-11-22", 109_500),
            ("2026-11-22T08:00", 109_350),
            ("2026-11-23", 109_800),
            (END, 109_700),
        ),
        bands=(Band("2026-10-31", "2026-11-22", 107_300, 111_700),),
        hourly_bands=(Band("2026-11-21T00:00", END, 108_700, 109_950),),
        calm=CALM_SPELL,
    ),
    replace(
        ETH_CALM,
        prices=(
            ("2026-10-31", 3_880),
            ("2026-11-06", 3_760),
            ("2026-11-12", 3_900),
            ("2026-11-18", 3_780),
            ("2026-11-21", 3_850),
            ("2026-11-22", 3_820),
            ("2026-11-22T08:00", 3_835),
            ("2026-11-23", 3_848),
            (END, 3_856),
        ),
        bands=(Band("2026-10-31", "2026-11-22", 3_700, 3_960),),
        hourly_bands=(Band("2026-11-21T00:00", END, 3_805, 3_895),),
        calm=CALM_SPELL,
    ),
    MarketEnding(
        NEUTRAL_FEAR_GREED,
        (51, 49, 52, 50, 48, 51, 50),
        FLAT_DXY,
        fear_greed_bands=(Band("2026-11-01", "2026-11-16", 45, 55),),
        dxy_bands=FLAT_DXY_BANDS,
    ),
)
"""A range day: both assets move under 1 %, nothing breaks, funding at the default."""

CRASH = scenario(
    "crash",
    replace(
        BTC_CALM,
        prices=(
            ("2026-10-31", 110_200),
            ("2026-11-08", 113_400),
            ("2026-11-14", 111_000),
            ("2026-11-20", 113_900),
            ("2026-11-21", 112_800),
            ("2026-11-22", 113_300),
            ("2026-11-22T08:00", 112_900),
            ("2026-11-22T14:00", 111_800),
            ("2026-11-22T18:00", 104_600),
            ("2026-11-22T21:00", 101_900),
            ("2026-11-23", 98_700),
            ("2026-11-23T04:00", 96_400),
            (END, 98_100),
        ),
        bands=(Band("2026-10-22", "2026-11-22", 104_000, 116_000),),
        oi=(
            ("2026-11-15T00:00", 33.5e9),
            ("2026-11-22T12:00", 34.2e9),
            ("2026-11-23T07:00", 29.8e9),
        ),
        long_pct=(
            ("2026-11-10T00:00", 58.0),
            ("2026-11-22T12:00", 62.0),
            ("2026-11-23T07:00", 57.0),
        ),
        long_pct_band=(35.0, 65.0),
        funding=(("2026-11-06T00:00", DEFAULT_FUNDING), ("2026-11-22T08:00", DEFAULT_FUNDING)),
        funding_tail=(-0.00004, -0.00012, -0.00021),
        squeeze=Squeeze("long", ((24, 1.05e9),), other=40e6),
    ),
    replace(
        ETH_CALM,
        prices=(
            ("2026-10-31", 3_900),
            ("2026-11-08", 3_780),
            ("2026-11-14", 3_880),
            ("2026-11-20", 3_760),
            ("2026-11-21", 3_820),
            ("2026-11-22", 3_800),
            ("2026-11-22T08:00", 3_790),
            ("2026-11-22T14:00", 3_720),
            ("2026-11-22T18:00", 3_420),
            ("2026-11-22T21:00", 3_300),
            ("2026-11-23", 3_190),
            ("2026-11-23T04:00", 3_080),
            (END, 3_160),
        ),
        bands=(Band("2026-10-31", "2026-11-22", 3_650, 3_980),),
        oi=(
            ("2026-11-15T00:00", 15.6e9),
            ("2026-11-22T12:00", 16.0e9),
            ("2026-11-23T07:00", 13.6e9),
        ),
        long_pct=(
            ("2026-11-10T00:00", 57.0),
            ("2026-11-22T12:00", 60.0),
            ("2026-11-23T07:00", 55.0),
        ),
        long_pct_band=(42.0, 63.0),
        funding=(("2026-11-06T00:00", DEFAULT_FUNDING), ("2026-11-22T08:00", DEFAULT_FUNDING)),
        funding_tail=(-0.00006, -0.00015, -0.00028),
        squeeze=Squeeze("long", ((24, 480e6),), other=15e6),
    ),
    MarketEnding(
        (("2026-11-05", 52), ("2026-11-12", 58)),
        (60, 57, 55, 54, 52, 38, 14),
        (
            ("2026-11-06", 99.1),
            ("2026-11-13", 99.4),
            ("2026-11-18", 99.25),
            ("2026-11-19", 99.31),
            ("2026-11-20", 99.52),
        ),
        dxy_bands=(Band("2026-11-02", "2026-11-17", 98.6, 99.8),),
    ),
)
"""A crash: BTC -13 % and ETH -17 % in 24 h, longs liquidated, back under $100,000 and $3,500,
funding turning negative, Extreme Fear."""

RECORD = scenario(
    "record",
    replace(
        BTC_CALM,
        prices=(
            ("2026-10-31", 106_200),
            ("2026-11-05", 109_100),
            ("2026-11-10", 111_300),
            ("2026-11-14", 112_600),
            ("2026-11-17", 114_300),
            ("2026-11-19", 115_400),
            ("2026-11-21", 116_300),
            ("2026-11-22", 116_800),
            ("2026-11-22T08:00", 116_900),
            ("2026-11-22T16:00", 117_300),
            ("2026-11-23", 117_700),
            ("2026-11-23T05:00", 121_600),
            (END, 121_200),
        ),
        calm=(Calm("2026-10-31", "2026-11-23", 0.55),),
        ath_until="2026-11-23T00:00",
        oi=(
            ("2026-11-10T00:00", 32.8e9),
            ("2026-11-22T08:00", 36.1e9),
            ("2026-11-23T07:00", 37.6e9),
        ),
        long_pct=(("2026-11-10T00:00", 52.0), ("2026-11-23T07:00", 56.0)),
        long_pct_band=(35.0, 60.0),
        funding=(
            ("2026-11-06T00:00", DEFAULT_FUNDING),
            ("2026-11-14T00:00", 0.00016),
            (END, 0.00031),
        ),
    ),
    replace(
        ETH_CALM,
        prices=(
            ("2026-10-31", 3_890),
            ("2026-11-08", 3_950),
            ("2026-11-16", 4_080),
            ("2026-11-21", 4_150),
            ("2026-11-22", 4_190),
            ("2026-11-22T08:00", 4_200),
            ("2026-11-23", 4_255),
            (END, 4_270),
        ),
        calm=(Calm("2026-10-31", "2026-11-23", 0.55),),
        oi=(
            ("2026-11-10T00:00", 15.2e9),
            ("2026-11-22T08:00", 16.4e9),
            ("2026-11-23T07:00", 16.9e9),
        ),
        funding=(
            ("2026-11-06T00:00", DEFAULT_FUNDING),
            ("2026-11-14T00:00", 0.00014),
            (END, 0.00018),
        ),
    ),
    MarketEnding(
        (("2026-11-05", 55), ("2026-11-12", 63)),
        (64, 66, 69, 68, 70, 72, 74),
        FLAT_DXY,
        dxy_bands=FLAT_DXY_BANDS,
    ),
)
"""A record: after a steady climb, BTC's first all-time high since July in the as-of's morning
(the first day of records), longs paying up, open interest rising with the price; no squeeze."""

FIZZLED_SQUEEZE = scenario(
    "fizzled_squeeze",
    replace(
        BTC_CALM,
        prices=(
            ("2026-10-31", 109_800),
            ("2026-11-06", 112_900),
            ("2026-11-12", 110_400),
            ("2026-11-17", 113_300),
            ("2026-11-20", 112_100),
            ("2026-11-21", 113_000),
            ("2026-11-22", 113_400),
            ("2026-11-22T08:00", 113_600),
            ("2026-11-22T20:00", 113_900),
            ("2026-11-23", 114_200),
            ("2026-11-23T01:00", 114_500),
            ("2026-11-23T02:00", 115_900),
            ("2026-11-23T03:00", 115_600),
            ("2026-11-23T05:00", 114_300),
            (END, 113_950),
        ),
        bands=(Band("2026-10-31", "2026-11-22", 108_500, 114_300),),
        hourly_bands=(
            Band("2026-11-21T00:00", "2026-11-23T01:00", 111_800, 114_700),
            Band("2026-11-23T05:00", END, 113_000, 114_700),
        ),
        squeeze=Squeeze("short", ((8, 75e6),), other=6e6),
    ),
    replace(
        ETH_CALM,
        prices=(
            ("2026-10-31", 3_880),
            ("2026-11-06", 3_930),
            ("2026-11-12", 3_760),
            ("2026-11-17", 3_900),
            ("2026-11-20", 3_800),
            ("2026-11-21", 3_830),
            ("2026-11-22", 3_845),
            ("2026-11-22T08:00", 3_850),
            ("2026-11-23", 3_862),
            ("2026-11-23T02:00", 3_905),
            (END, 3_868),
        ),
        bands=(Band("2026-10-31", "2026-11-22", 3_720, 3_965),),
    ),
    MarketEnding(
        NEUTRAL_FEAR_GREED,
        (48, 50, 49, 51, 53, 52, 54),
        FLAT_DXY,
        dxy_bands=FLAT_DXY_BANDS,
    ),
)
"""A squeeze that fizzled: shorts liquidated in one hour push BTC above $115,000 for the first
time since July, and by the as-of it is back below, up 0.3 % on the day."""

DOLLAR_DAY = scenario(
    "dollar_day",
    replace(
        BTC_CALM,
        prices=(
            ("2026-10-31", 109_500),
            ("2026-11-06", 112_600),
            ("2026-11-12", 109_300),
            ("2026-11-17", 112_900),
            ("2026-11-20", 110_600),
            ("2026-11-21", 110_200),
            ("2026-11-22", 110_400),
            ("2026-11-22T08:00", 110_300),
            ("2026-11-23", 111_400),
            (END, 112_050),
        ),
        bands=(Band("2026-10-31", "2026-11-22", 108_400, 113_500),),
    ),
    replace(
        ETH_CALM,
        prices=(
            ("2026-10-31", 3_880),
            ("2026-11-06", 3_950),
            ("2026-11-12", 3_760),
            ("2026-11-17", 3_930),
            ("2026-11-20", 3_800),
            ("2026-11-21", 3_790),
            ("2026-11-22", 3_810),
            ("2026-11-22T08:00", 3_800),
            ("2026-11-23", 3_860),
            (END, 3_892),
        ),
        bands=(Band("2026-10-31", "2026-11-22", 3_720, 3_975),),
    ),
    MarketEnding(
        NEUTRAL_FEAR_GREED,
        (50, 52, 51, 53, 52, 54, 57),
        (
            ("2026-11-06", 98.6),
            ("2026-11-12", 98.1),
            ("2026-11-16", 97.7),
            ("2026-11-17", 97.62),
            ("2026-11-18", 97.5),
            ("2026-11-19", 97.55),
            ("2026-11-20", 96.94),
        ),
        dxy_bands=(Band("2026-11-02", "2026-11-19", 97.15, 99.5),),
    ),
)
"""A dollar day: the DXY falls 0.6 % to its first close under 97; BTC and ETH rise 1-3 %."""

ETH_BIG_DAY = scenario(
    "eth_big_day",
    replace(
        BTC_CALM,
        prices=(
            ("2026-10-31", 109_500),
            ("2026-11-06", 112_400),
            ("2026-11-12", 109_100),
            ("2026-11-17", 113_600),
            ("2026-11-20", 110_900),
            ("2026-11-21", 110_500),
            ("2026-11-22", 110_700),
            ("2026-11-22T08:00", 110_800),
            ("2026-11-23", 112_100),
            (END, 113_650),
        ),
        bands=(Band("2026-10-31", "2026-11-22", 108_500, 113_900),),
    ),
    replace(
        ETH_CALM,
        prices=(
            ("2026-10-31", 3_760),
            ("2026-11-06", 3_640),
            ("2026-11-12", 3_540),
            ("2026-11-17", 3_660),
            ("2026-11-20", 3_580),
            ("2026-11-21", 3_610),
            ("2026-11-22", 3_590),
            ("2026-11-22T08:00", 3_600),
            ("2026-11-22T14:00", 3_720),
            ("2026-11-22T19:00", 3_980),
            ("2026-11-23", 4_080),
            ("2026-11-23T03:00", 4_290),
            (END, 4_245),
        ),
        bands=(Band("2026-10-31", "2026-11-22", 3_480, 3_790),),
        long_pct=(
            ("2026-11-08T00:00", 44.0),
            ("2026-11-22T08:00", 41.0),
            ("2026-11-23T07:00", 45.0),
        ),
        squeeze=Squeeze("short", ((24, 320e6),), other=18e6),
    ),
    MarketEnding(
        NEUTRAL_FEAR_GREED,
        (52, 53, 51, 54, 55, 56, 62),
        FLAT_DXY,
        dxy_bands=FLAT_DXY_BANDS,
    ),
)
"""Ether's big day: ETH +18 % in 24 h through $4,000 on a short squeeze, BTC +2.6 %."""

STORIES: dict[str, Story] = {
    story.name: story
    for story in (DEMO, QUIET, CRASH, RECORD, FIZZLED_SQUEEZE, DOLLAR_DAY, ETH_BIG_DAY)
}
"""Every story by name; ``demo`` is the bundled snapshot's."""
