"""Hand-made facts, stories and contexts for the render tests (no snapshot needed)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal

import pandas as pd

from analysis import FACTS
from models import Block, ChartRef, DataGap, Fact, JSONValue, Line, Story
from render import NoteContext
from values import (
    Divergence,
    Dxy,
    DxyLevelBreak,
    FearGreed,
    FundingFlip,
    FundingRate,
    LargerGain,
    LevelCalibration,
    LongClusterBelow,
    Macd,
    Majority,
    NextFomc,
    OutlookLevels,
    PriceLevelBreak,
    PriorRange,
    Relative24h,
    ShortClusterAbove,
    Squeeze,
    Swept,
    SwingPoint,
    WeeklyGainRank,
)

AS_OF = pd.Timestamp("2026-11-23T08:00:00Z")
SECTIONS = {spec.id: spec.section for spec in FACTS}
"""The section of each registered fact id, as the pipeline tells the story."""
FUTURES = ("Binance USD\u24c8-M futures",)
COINGLASS = ("CoinGlass",)
MODEL = ("Binance USD\u24c8-M futures", "Binance spot")
SCALED = (*MODEL, "CoinGlass")
"""The level model's sources when its sizes were scaled to CoinGlass's liquidations."""


def fact(
    id: str,
    value: object,
    evidence: Mapping[str, JSONValue] | None = None,
    *,
    asset: str | None = "BTC",
    unit: str = "state",
    sources: tuple[str, ...] = ("Binance spot",),
) -> Fact:
    """A Fact as analysis would make it, at AS_OF."""
    return Fact(id, asset, value, unit, AS_OF, sources, dict(evidence or {}))


BLOCK_OF = {"price": "markets", "momentum": "markets", "derivatives": "leverage"}
"""The note section a fact's spec section is said in, by these stories (else its own)."""


def story(facts: Sequence[Fact], headline: Sequence[Fact] = (), lede: Sequence[Fact] = ()) -> Story:
    """A Story that says every fact plainly, in its own sentence: the ``lede`` facts in the
    lede's first sentence, the outlook's in What to watch, each other one in the section of
    its spec (``BLOCK_OF``), in input order; ``headline``: the title's facts."""
    rest = [f for f in facts if f not in lede]
    blocks: dict[str, list[Line]] = {}
    for f in rest:
        section = SECTIONS[f.id]
        if section != "outlook":
            blocks.setdefault(BLOCK_OF.get(section, section), []).append(Line("fact", (f,)))
    return Story(
        headline=tuple(Line("headline", (f,)) for f in headline),
        lede=(Line("what", tuple(lede)),) if lede else (),
        blocks=tuple(Block(b, (tuple(lines),)) for b, lines in blocks.items()),
        watch=tuple(Line("watch", (f,)) for f in rest if SECTIONS[f.id] == "outlook"),
        scores={f.key: 1.0 for f in facts},
    )


def context(
    facts: Sequence[Fact],
    *,
    headline: Sequence[Fact] = (),
    lede: Sequence[Fact] = (),
    charts: Mapping[str, tuple[ChartRef, ...]] | None = None,
    demo: bool = True,
    assets: tuple[str, ...] = ("BTC", "ETH"),
    gaps: tuple[DataGap, ...] = (),
) -> NoteContext:
    """A NoteContext over ``facts`` with everything else filled in plausibly."""
    return NoteContext(
        as_of=AS_OF,
        demo=demo,
        assets=assets,
        story=story(facts, headline, lede),
        facts={f.key: f for f in facts},
        charts=charts or {},
        sources=tuple(dict.fromkeys(s for f in facts for s in f.sources)),
        gaps=gaps,
        snapshot_created_at=pd.Timestamp("2026-11-23T08:05:00Z"),
        generator="marketnotes 0.1.0",
    )


def png(path: Path, width: int = 40, height: int = 20) -> Path:
    """Write a small grey PNG (no image library needed) and return its path."""
    raw = b"".join(b"\x00" + b"\x99\x99\x99" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


# One Fact per value branch of every fact id, named "<id>/<branch>".
LAST = fact("price.last", 123456.78, {"time": "2026-11-23T08:00:00Z"}, unit="USD")
ATH_NEW = fact(
    "price.new_ath",
    True,
    {
        "ath": 123890.0,
        "time": "2026-11-23T05:00:00Z",
        "previous_ath": 119500.0,
        "previous_ath_date": "2026-10-06",
    },
    unit="bool",
)


def _break(
    level: float,
    direction: Literal["up", "down"],
    since: str | None,
    closes: int,
    *,
    asset: str = "BTC",
    candle: str = "1h",
) -> Fact:
    """A ``price.level_break`` with ``closes`` daily closes beyond the level (0: trading)."""
    evidence = {
        "crossed_at": "2026-11-22T19:00:00Z",
        "beyond_since": "2026-11-22T20:00:00Z",
        "reference_close": 118000.0,
        "reference_time": "2026-11-21T08:00:00Z",
        "last": 123456.78,
        "closes_beyond": closes,
        "candle": candle,
        "last_daily_close": 0.0,
        "history_start": "2017-08-17",
    }
    return fact(
        "price.level_break",
        PriceLevelBreak(level, direction, since),
        evidence,
        asset=asset,
        unit="level",
    )


BREAK_UP_FIRST = _break(120000.0, "up", None, 1)
BREAK_UP_SINCE = _break(4000.0, "up", "2026-02-10", 0, asset="ETH")


def phrasings() -> dict[str, Fact]:
    """Every phrasing case: ``BRANCHES`` below plus the ``PHRASINGS`` that a fact's own test
    module (``tests/analysis/test_<topic>.py``) declares beside its reference cases, so that a
    new fact's tests can live in one file."""
    import importlib

    found = dict(BRANCHES)
    for path in sorted((Path(__file__).parents[1] / "analysis").glob("test_*.py")):
        module = importlib.import_module(f"tests.analysis.{path.stem}")
        found |= getattr(module, "PHRASINGS", {})
    return found


BRANCHES: dict[str, Fact] = {
    "price.last/one": LAST,
    "price.change_24h_pct/up": fact(
        "price.change_24h_pct", 2.345, {"close": 123456.78, "previous_close": 120627.0}, unit="pct"
    ),
    "price.change_24h_pct/down": fact(
        "price.change_24h_pct",
        -1.25,
        {"close": 4.08, "previous_close": 4.13},
        asset="XRP",
        unit="pct",
    ),
    "price.change_24h_pct/flat": fact(
        "price.change_24h_pct", 0.04, {"close": 100.0, "previous_close": 99.96}, unit="pct"
    ),
    "price.change_7d_pct/up": fact(
        "price.change_7d_pct", 9.28, {"close": 117989.18, "previous_close": 107970.23}, unit="pct"
    ),
    "price.change_7d_pct/down": fact(
        "price.change_7d_pct", -3.0, {"close": 97000.0, "previous_close": 100000.0}, unit="pct"
    ),
    "price.change_7d_pct/flat": fact(
        "price.change_7d_pct", -0.01, {"close": 97000.0, "previous_close": 97010.0}, unit="pct"
    ),
    "price.intraday_pct/up": fact(
        "price.intraday_pct",
        1.706,
        {"day": "2026-11-23", "open": 116010.01, "close": 117989.18},
        unit="pct",
    ),
    "price.intraday_pct/down": fact(
        "price.intraday_pct",
        -0.6,
        {"day": "2026-11-23", "open": 3000.0, "close": 2982.0},
        asset="ETH",
        unit="pct",
    ),
    "price.intraday_pct/flat": fact(
        "price.intraday_pct",
        0.0,
        {"day": "2026-11-23", "open": 3000.0, "close": 3000.0},
        unit="pct",
    ),
    "price.volume_24h_pct/thin": fact(
        "price.volume_24h_pct",
        -52.4,
        {
            "volume": 9520.5,
            "median_volume": 20001.0,
            "to": "2026-11-23T08:00:00Z",
            "days": 30,
            "ends_at_as_of": True,
            "times": None,
        },
        unit="pct",
    ),
    "price.volume_24h_pct/heavy-earlier": fact(
        "price.volume_24h_pct",
        140.6,
        {
            "volume": 48120.0,
            "median_volume": 20001.0,
            "to": "2026-11-23T05:00:00Z",
            "days": 30,
            "ends_at_as_of": False,
            "times": 2.4,
        },
        asset="ETH",
        unit="pct",
    ),
    "price.ath/hourly": fact(
        "price.ath",
        123890.0,
        {"time": "2026-11-23T05:00:00Z", "candle": "1h", "history_start": "2017-08-17"},
        unit="USD",
    ),
    "price.ath/daily": fact(
        "price.ath",
        4868.0,
        {"time": "2021-11-10T00:00:00Z", "candle": "1d", "history_start": "2017-08-17"},
        asset="ETH",
        unit="USD",
    ),
    "price.pct_below_ath/below": fact(
        "price.pct_below_ath",
        38.31,
        {"ath": 4868.0, "ath_time": "2021-11-10T00:00:00Z", "last": 3002.85},
        asset="ETH",
        unit="pct",
    ),
    "price.pct_below_ath/at": fact(
        "price.pct_below_ath",
        0.0,
        {"ath": 123890.0, "ath_time": "2026-11-23T05:00:00Z", "last": 123890.0},
        unit="pct",
    ),
    "price.new_ath/previous": ATH_NEW,
    "price.new_ath/first": fact(
        "price.new_ath",
        True,
        {"ath": 1.5, "time": "2026-11-23T05:00:00Z"},
        asset="NEW",
        unit="bool",
    ),
    "price.new_ath/hourly": fact(
        "price.new_ath",
        True,
        {
            "ath": 123890.0,
            "time": "2026-11-23T05:00:00Z",
            "candle": "1h",
            "previous_ath": 119500.0,
            "previous_ath_date": "2026-10-06",
        },
        unit="bool",
    ),
    "price.level_break/up-first": BREAK_UP_FIRST,
    "price.level_break/up-since": BREAK_UP_SINCE,
    "price.level_break/up-since-this-month": _break(100000.0, "up", "2026-11-03", 1),
    "price.level_break/down-first": _break(0.5, "down", None, 1, asset="NEW", candle="1d"),
    "price.level_break/down-since": _break(100000.0, "down", "2025-05-07", 0),
    "price.level_break/up-first-trading": _break(125000.0, "up", None, 0),
    "price.level_break/up-first-two-closes": _break(80000.0, "up", None, 2),
    "price.level_break/down-since-two-closes": _break(2200.0, "down", "2023-12-19", 2, asset="ETH"),
    "price.prior_range/up": fact(
        "price.prior_range",
        PriorRange(low=105100.19, high=110529.18, start="2026-11-13", end="2026-11-19"),
        {"direction": "up", "move_start": "2026-11-20", "last": 123456.78, "closes_since": 3},
        unit="range",
    ),
    "price.prior_range/up-today": fact(
        "price.prior_range",
        PriorRange(low=93578.0, high=99000.0, start="2026-11-16", end="2026-11-22"),
        {"direction": "up", "move_start": "2026-11-23", "last": 102236.0, "closes_since": 0},
        unit="range",
    ),
    "price.prior_range/down-one-close": fact(
        "price.prior_range",
        PriorRange(low=2373.0, high=2635.5, start="2026-11-15", end="2026-11-21"),
        {"direction": "down", "move_start": "2026-11-22", "last": 2200.0, "closes_since": 1},
        asset="ETH",
        unit="range",
    ),
    "price.prior_range/down": fact(
        "price.prior_range",
        PriorRange(low=2373.0, high=2635.5, start="2026-10-28", end="2026-11-03"),
        {"direction": "down", "move_start": "2026-11-04", "last": 2200.0, "closes_since": 19},
        asset="ETH",
        unit="range",
    ),
    "price.weekly_gain_rank/largest": fact(
        "price.weekly_gain_rank",
        WeeklyGainRank(gain_pct=18.88, rank=1, previous_larger=None),
        {"peaks_considered": 38, "window_days": 365},
        unit="rank",
    ),
    "price.weekly_gain_rank/ranked": fact(
        "price.weekly_gain_rank",
        WeeklyGainRank(gain_pct=9.28, rank=2, previous_larger=LargerGain("2026-05-11", 10.44)),
        {"peaks_considered": 38, "window_days": 365},
        unit="rank",
    ),
    "momentum.rsi_14/overbought": fact(
        "momentum.rsi_14",
        70.96,
        {"date": "2026-11-22", "zone": "overbought", "close": 1.0},
        unit="index",
    ),
    "momentum.rsi_14/oversold": fact(
        "momentum.rsi_14",
        24.04,
        {"date": "2026-11-22", "zone": "oversold", "close": 1.0},
        unit="index",
    ),
    "momentum.rsi_14/neutral": fact(
        "momentum.rsi_14",
        55.0,
        {"date": "2026-11-22", "zone": "neutral", "close": 1.0},
        unit="index",
    ),
    "momentum.macd/bullish-days": fact(
        "momentum.macd",
        Macd(1647.618, 1003.279, 644.339, "bullish", 14, "2026-11-08"),
        {"date": "2026-11-22"},
    ),
    "momentum.macd/bearish-today": fact(
        "momentum.macd",
        Macd(-12.5, -3.25, -9.25, "bearish", 0, "2026-11-22"),
        {"date": "2026-11-22"},
        asset="ETH",
    ),
    "momentum.macd/bearish-yesterday": fact(
        "momentum.macd",
        Macd(-12.5, -3.25, -9.25, "bearish", 1, "2026-11-21"),
        {"date": "2026-11-22"},
        asset="ETH",
    ),
    "momentum.macd/bullish-always": fact(
        "momentum.macd",
        Macd(5.0, 4.0, 1.0, "bullish", None, None),
        {"date": "2026-11-22"},
    ),
    "momentum.divergence/bearish": fact(
        "momentum.divergence",
        Divergence(
            "bearish",
            SwingPoint("2026-11-02", 3950.0, 72.14),
            SwingPoint("2026-11-21", 4080.5, 65.2),
        ),
        {"order": 3, "lookback_days": 60},
        asset="ETH",
    ),
    "momentum.divergence/bullish": fact(
        "momentum.divergence",
        Divergence(
            "bullish",
            SwingPoint("2026-10-30", 90000.0, 28.1),
            SwingPoint("2026-11-20", 88000.0, 35.25),
        ),
        {"order": 3, "lookback_days": 60},
    ),
}

# --- derivatives, macro, sentiment, cross-asset and outlook facts ------------------------------

MODEL_EVIDENCE: dict[str, JSONValue] = {
    "model": "estimate",
    "leverage_mix": {"5x": 0.1, "10x": 0.25, "25x": 0.3, "50x": 0.2, "100x": 0.15},
    "mmr": 0.004,
    "window_days": 30.0,
    "turnover": 0.02,
    "last": 123654.26,
    "clusters_found": 5,
    "k": 0.0178,
    "fit_days": 52,
}
SWEPT_EVIDENCE = MODEL_EVIDENCE | {
    "swept_model_usd": 9703975122.1,
    "from": "2026-11-22T08:00:00Z",
    "to": "2026-11-23T08:00:00Z",
}
VENUES = ["Binance", "OKX", "Bybit"]
HOUR_1 = {
    "from": "2026-11-23T07:00:00Z",
    "to": "2026-11-23T08:00:00Z",
    "buckets": 1,
    "bucket_hours": 1.0,
    "ends_at_as_of": True,
    "venues": VENUES,
}
DAY_24 = HOUR_1 | {"from": "2026-11-22T08:00:00Z", "buckets": 24}
DAY_4H = DAY_24 | {"from": "2026-11-22T04:00:00Z", "to": "2026-11-23T04:00:00Z", "buckets": 6}
DAY_4H |= {"bucket_hours": 4.0, "ends_at_as_of": False, "venues": ["Binance"]}


def _funding_flip(
    to: Literal["positive", "negative"], prints: int, current: float, previous: float
) -> Fact:
    value = FundingFlip(
        from_="negative" if to == "positive" else "positive",
        to=to,
        at="2026-11-21T16:00:00Z" if prints > 1 else "2026-11-23T08:00:00Z",
        prints_since=prints,
        current_pct=current,
    )
    evidence = {"previous_pct": previous, "previous_time": "2026-11-21T08:00:00Z"}
    evidence |= {"prior_prints": 9, "prior_mean_pct": 3 * previous}
    evidence |= {"prior_since": "2026-11-18T16:00:00Z" if prints > 1 else None}
    return fact("funding.flip", value, evidence, sources=FUTURES)


def _liq(fact_id: str, usd: float, window: Mapping[str, JSONValue] = DAY_24) -> Fact:
    return fact(fact_id, usd, window, unit="USD", sources=COINGLASS)


Kind = Literal["round", "cluster"]


def _outlook(
    direction: Literal["up", "down"],
    support: float,
    target: tuple[float, Kind],
    downside: tuple[float, Kind],
) -> Fact:
    value = OutlookLevels(support, target[0], target[1], direction, downside[0], downside[1])
    evidence = {"support_kind": "level_break", "last": 123654.26, "round_target": 125000.0}
    return fact(
        "outlook.levels", value, evidence, unit="levels", sources=("Binance spot", *FUTURES)
    )


def _fear_greed(
    value: float, cls: str, d1: float | None, d7: float | None, cls7: str | None
) -> Fact:
    v = FearGreed(value=value, classification=cls, change_1d=d1, change_7d=d7)
    evidence = {
        "date": "2026-11-23",
        "classification_source": "file",
        "value_1d_ago": None if d1 is None else value - d1,
        "classification_1d_ago": None,
        "value_7d_ago": None if d7 is None else value - d7,
        "classification_7d_ago": cls7,
    }
    return fact(
        "sentiment.fear_greed",
        v,
        evidence,
        asset=None,
        unit="index",
        sources=("Alternative.me Fear & Greed Index",),
    )


DXY = ("ICE US Dollar Index via Yahoo Finance",)


def _dxy(close: float, change: float) -> Fact:
    value = Dxy(close=close, date="2026-11-20", change_1d_pct=change)
    evidence = {"previous_close": 98.095, "previous_date": "2026-11-19"}
    return fact("macro.dxy", value, evidence, asset=None, unit="index", sources=DXY)


def _dxy_break(
    level: float, direction: Literal["up", "down"], since: str | None, closes: int = 1
) -> Fact:
    value = DxyLevelBreak(level, direction, previous_close_beyond=since)
    evidence = {
        "closes_beyond": closes,
        "crossed_at": "2026-11-20T00:00:00Z",
        "reference_close": 98.303,
        "reference_time": "2026-11-19T00:00:00Z",
        "last": 97.814,
        "date": "2026-11-20",
    }
    return fact("macro.dxy_level_break", value, evidence, asset=None, unit="level", sources=DXY)


def _fomc(date: str, days: int, sep: bool) -> Fact:
    value = NextFomc(date=date, days_until=days, sep=sep)
    evidence = {"previous": "2026-10-28", "calendar_ends": "2027-12-15"}
    return fact(
        "macro.next_fomc", value, evidence, asset=None, unit="date", sources=("Federal Reserve",)
    )


def _relative(
    vs_btc: Mapping[str, float],
    leader: str | None,
    changes: Mapping[str, float],
    in_step: tuple[str, ...] = (),
) -> Fact:
    value = Relative24h(vs_btc=dict(vs_btc), leader=leader, in_step=in_step)
    return fact(
        "cross.relative_24h", value, {"change_24h_pct": dict(changes)}, asset=None, unit="pp"
    )


SQUEEZE = fact(
    "liquidations.squeeze",
    Squeeze("short", price_change_pct=4.665, liquidated_usd=431042531.03, share=0.9439),
    {"side_usd": 406874024.99, "median_24h_usd": 77542925.7, "multiple": 5.5588} | DAY_24,
    sources=(*COINGLASS, "Binance spot"),
)
FLIP = _funding_flip("positive", 6, 0.01, -0.004012)
SHORT_ABOVE = fact(
    "clusters.nearest_short_above",
    ShortClusterAbove(
        band_pct=2.0,
        band_usd=25290301.1,
        band_share=0.1483,
        low=124581.67,
        high=125509.07,
        price=124945.43,
        usd=11188935.1,
        share=0.0656,
        distance_pct=1.0442,
    ),
    MODEL_EVIDENCE,
    unit="level",
    sources=SCALED,
)
LONG_BELOW = fact(
    "clusters.nearest_long_below",
    LongClusterBelow(
        band_pct=2.0,
        band_usd=10107885.4,
        band_share=0.0515,
        low=119017.23,
        high=119944.63,
        price=119526.8,
        usd=11301649.3,
        share=0.0576,
        distance_pct=-3.3379,
    ),
    MODEL_EVIDENCE,
    unit="level",
    sources=SCALED,
)
CALIBRATED = LevelCalibration(k=0.0178, fit_days=52, checked_days=39, within_2x_days=36)
UNCALIBRATED = LevelCalibration(k=None, fit_days=0, checked_days=0, within_2x_days=0)
OUTLOOK_UP = _outlook("up", 120000.0, (124748.24, "cluster"), (119715.29, "cluster"))
OUTLOOK_DOWN = _outlook("down", 100000.0, (95000.0, "round"), (101350.0, "cluster"))
DXY_BREAK = _dxy_break(98.0, "down", "2026-10-02")
FOMC_16 = _fomc("2026-12-09", 16, True)
FEAR_GREED = _fear_greed(72.0, "Greed", 11.0, 27.0, "Neutral")
RELATIVE = _relative({"ETH": -1.0192}, "BTC", {"BTC": 4.6653, "ETH": 3.6460})

BRANCHES |= {
    "funding.rate/positive": fact(
        "funding.rate",
        FundingRate(pct=0.01, annualised_pct=10.950000000000001, interval_hours=8.0),
        {"time": "2026-11-23T08:00:00Z", "venues": ["Binance"]},
        unit="rate",
        sources=FUTURES,
    ),
    "funding.rate/negative-4h": fact(
        "funding.rate",
        FundingRate(pct=-0.0125, annualised_pct=-27.375, interval_hours=4.0),
        {"time": "2026-11-23T08:00:00Z", "venues": []},
        asset="ETH",
        unit="rate",
        sources=FUTURES,
    ),
    "funding.flip/positive": FLIP,
    "funding.flip/negative-latest": _funding_flip("negative", 1, -0.0051, 0.0032),
    "funding.flip/negative-twice": _funding_flip("negative", 2, -0.0051, 0.0032),
    "funding.flip/positive-regime-from-start": fact(
        "funding.flip",
        FLIP.value,
        dict(FLIP.evidence) | {"prior_since": None, "prior_prints": 3},
        sources=FUTURES,
    ),
    "open_interest.usd/one": fact(
        "open_interest.usd",
        34682926605.8,
        {"time": "2026-11-23T07:00:00Z", "venues": ["Binance"]},
        unit="USD",
        sources=FUTURES,
    ),
    "open_interest.usd/all-venues-unsaid": fact(
        "open_interest.usd",
        87700000000.0,
        {"time": "2026-11-23T07:00:00Z", "venues": []},
        asset="ETH",
        unit="USD",
        sources=COINGLASS,
    ),
    "open_interest.usd/two-venues": fact(
        "open_interest.usd",
        12000000000.0,
        {"time": "2026-11-23T07:00:00Z", "venues": ["Binance", "OKX"]},
        unit="USD",
        sources=COINGLASS,
    ),
    "open_interest.change_24h_pct/down": fact(
        "open_interest.change_24h_pct",
        -0.7837,
        {
            "oi_usd": 34682926605.8,
            "time": "2026-11-23T07:00:00Z",
            "previous_oi_usd": 34956866690.5,
            "previous_time": "2026-11-22T07:00:00Z",
            "hours": 24.0,
        },
        unit="pct",
        sources=FUTURES,
    ),
    "open_interest.change_24h_pct/up": fact(
        "open_interest.change_24h_pct",
        6.25,
        {
            "oi_usd": 17000000000.0,
            "time": "2026-11-23T07:00:00Z",
            "previous_oi_usd": 16000000000.0,
            "previous_time": "2026-11-22T06:00:00Z",
            "hours": 25.0,
        },
        asset="ETH",
        unit="pct",
        sources=FUTURES,
    ),
    "open_interest.change_24h_pct/flat": fact(
        "open_interest.change_24h_pct",
        0.01,
        {
            "oi_usd": 16001000000.0,
            "time": "2026-11-23T07:00:00Z",
            "previous_oi_usd": 16000000000.0,
            "previous_time": "2026-11-22T07:00:00Z",
            "hours": 24.0,
        },
        unit="pct",
        sources=FUTURES,
    ),
    "liquidations.total_1h_usd/some": _liq("liquidations.total_1h_usd", 3076329.71, HOUR_1),
    "liquidations.total_1h_usd/zero": _liq("liquidations.total_1h_usd", 0.0, HOUR_1),
    "liquidations.total_24h_usd/some": _liq("liquidations.total_24h_usd", 431042531.03),
    "liquidations.total_24h_usd/zero": _liq("liquidations.total_24h_usd", 0.0),
    "liquidations.total_24h_usd/4h-buckets": _liq("liquidations.total_24h_usd", 88e6, DAY_4H),
    "liquidations.total_24h_usd/no-venues": _liq(
        "liquidations.total_24h_usd", 12e6, DAY_24 | {"venues": []}
    ),
    "liquidations.long_24h_usd/some": _liq("liquidations.long_24h_usd", 24168506.04),
    "liquidations.long_24h_usd/zero": _liq("liquidations.long_24h_usd", 0.0),
    "liquidations.long_24h_usd/4h-buckets": _liq("liquidations.long_24h_usd", 5e6, DAY_4H),
    "liquidations.short_24h_usd/some": _liq("liquidations.short_24h_usd", 406874024.99),
    "liquidations.short_24h_usd/zero": _liq("liquidations.short_24h_usd", 0.0),
    "liquidations.short_24h_usd/4h-buckets": _liq("liquidations.short_24h_usd", 5e6, DAY_4H),
    "liquidations.short_share_24h/majority": fact(
        "liquidations.short_share_24h",
        0.94393,
        {"short_usd": 406874024.99, "total_usd": 431042531.03} | DAY_24,
        unit="ratio",
        sources=COINGLASS,
    ),
    "liquidations.short_share_24h/none": fact(
        "liquidations.short_share_24h",
        0.0,
        {"short_usd": 0.0, "total_usd": 5200000.0} | DAY_4H,
        unit="ratio",
        sources=COINGLASS,
    ),
    "liquidations.spike/one": fact(
        "liquidations.spike",
        26.1427,
        {
            "hour": "2026-11-22T16:00:00Z",
            "usd": 60904400.25,
            "long_usd": 870660.93,
            "short_usd": 60033739.32,
            "median_hour_usd": 2329688.96,
        },
        unit="ratio",
        sources=COINGLASS,
    ),
    "liquidations.squeeze/short": SQUEEZE,
    "liquidations.squeeze/long": fact(
        "liquidations.squeeze",
        Squeeze("long", price_change_pct=-5.2, liquidated_usd=512000000.0, share=0.81),
        {"side_usd": 414720000.0, "median_24h_usd": 80000000.0, "multiple": 6.4} | DAY_4H,
        asset="ETH",
        sources=(*COINGLASS, "Binance spot"),
    ),
    "positioning.long_pct/one": fact(
        "positioning.long_pct", 35.0, {"time": "2026-11-23T07:00:00Z"}, unit="pct", sources=FUTURES
    ),
    "positioning.majority/short-throughout": fact(
        "positioning.majority",
        Majority("short", 65.0),
        {"long_pct": 35.0, "time": "2026-11-23T07:00:00Z", "since": None, "venues": ["Binance"]},
        sources=FUTURES,
    ),
    "positioning.majority/long-since": fact(
        "positioning.majority",
        Majority("long", 57.6),
        {
            "long_pct": 57.6,
            "time": "2026-11-23T07:00:00Z",
            "since": "2026-11-14T03:00:00Z",
            "venues": [],
        },
        asset="ETH",
        sources=FUTURES,
    ),
    "clusters.nearest_short_above/one": SHORT_ABOVE,
    "clusters.nearest_short_above/relative": fact(
        "clusters.nearest_short_above",
        ShortClusterAbove(2.0, None, 0.2292, 4099.44, 4130.11, 4114.67, None, 0.1005, 0.6223),
        MODEL_EVIDENCE | {"k": None, "fit_days": 0},
        asset="ETH",
        unit="level",
        sources=MODEL,
    ),
    "clusters.nearest_long_below/one": LONG_BELOW,
    "clusters.nearest_long_below/relative": fact(
        "clusters.nearest_long_below",
        LongClusterBelow(2.0, None, 0.0201, 3956.32, 3986.99, 3969.71, None, 0.0505, -2.9227),
        MODEL_EVIDENCE | {"k": None, "fit_days": 0},
        asset="ETH",
        unit="level",
        sources=MODEL,
    ),
    "clusters.swept_24h/shorts": fact(
        "clusters.swept_24h",
        Swept(
            total_usd=173154119.5,
            short_share=0.9873,
            realized_usd=431042531.03,
            realized_short_share=0.9439,
            calibration=CALIBRATED,
        ),
        SWEPT_EVIDENCE,
        unit="levels",
        sources=SCALED,
    ),
    "clusters.swept_24h/no-realized": fact(
        "clusters.swept_24h",
        Swept(
            total_usd=51684626.7,
            short_share=0.3052,
            realized_usd=None,
            realized_short_share=None,
            calibration=CALIBRATED,
        ),
        SWEPT_EVIDENCE,
        asset="ETH",
        unit="levels",
        sources=SCALED,
    ),
    "clusters.swept_24h/unchecked": fact(
        "clusters.swept_24h",
        Swept(
            total_usd=88000000.0,
            short_share=0.1209,
            realized_usd=90500000.0,
            realized_short_share=0.02,
            calibration=replace(CALIBRATED, checked_days=0, within_2x_days=0),
        ),
        SWEPT_EVIDENCE,
        asset="ETH",
        unit="levels",
        sources=SCALED,
    ),
    "clusters.swept_24h/relative": fact(
        "clusters.swept_24h",
        Swept(
            total_usd=None,
            short_share=0.8948,
            realized_usd=230489228.28,
            realized_short_share=0.9001,
            calibration=UNCALIBRATED,
        ),
        SWEPT_EVIDENCE | {"k": None, "fit_days": 0},
        asset="ETH",
        unit="levels",
        sources=MODEL,
    ),
    "outlook.levels/up-cluster-cluster": OUTLOOK_UP,
    "outlook.levels/up-round-round": _outlook("up", 4000.0, (4200.0, "round"), (3900.0, "round")),
    "outlook.levels/down-round-cluster": OUTLOOK_DOWN,
    "outlook.levels/down-cluster-round": _outlook(
        "down", 3588.0, (3490.2, "cluster"), (3700.0, "round")
    ),
    "sentiment.fear_greed/up-from-neutral": FEAR_GREED,
    "sentiment.fear_greed/down-same-class": _fear_greed(
        18.0, "Extreme Fear", -4.0, -1.0, "Extreme Fear"
    ),
    "sentiment.fear_greed/flat-day-only": _fear_greed(50.0, "Neutral", 0.0, None, None),
    "sentiment.fear_greed/no-changes": _fear_greed(50.0, "Neutral", None, None, None),
    "macro.dxy/down": _dxy(97.814, -0.2865),
    "macro.dxy/up": _dxy(100.42, 0.61),
    "macro.dxy/flat": _dxy(98.1, 0.001),
    "macro.dxy_level_break/down-since": DXY_BREAK,
    "macro.dxy_level_break/up-first": _dxy_break(110.0, "up", None),
    "macro.dxy_level_break/up-since-this-month": _dxy_break(100.0, "up", "2026-11-04"),
    "macro.dxy_level_break/down-since-two-closes": _dxy_break(98.0, "down", "2026-10-02", 2),
    "macro.dxy_level_break/up-first-two-closes": _dxy_break(110.0, "up", None, 2),
    "macro.next_fomc/sep-16-days": FOMC_16,
    "macro.next_fomc/today": _fomc("2026-11-23", 0, False),
    "macro.next_fomc/tomorrow-sep": _fomc("2026-11-24", 1, True),
    "cross.relative_24h/btc-leads": RELATIVE,
    "cross.relative_24h/eth-leads": _relative({"ETH": 2.1}, "ETH", {"BTC": 3.1, "ETH": 5.2}),
    "cross.relative_24h/three-all-down": _relative(
        {"ETH": -1.5, "SOL": -3.25}, "BTC", {"BTC": -2.0, "ETH": -3.5, "SOL": -5.25}
    ),
    "cross.relative_24h/sol-leads-of-three": _relative(
        {"ETH": -0.5, "SOL": 4.0}, "SOL", {"BTC": 1.0, "ETH": 0.5, "SOL": 5.0}
    ),
    "cross.relative_24h/in-step": _relative(
        {"ETH": 0.1}, None, {"BTC": 2.9, "ETH": 3.0}, in_step=("ETH",)
    ),
    "cross.relative_24h/sol-leads-eth-in-step": _relative(
        {"ETH": 0.05, "SOL": 4.0}, "SOL", {"BTC": 1.0, "ETH": 1.05, "SOL": 5.0}, in_step=("ETH",)
    ),
    "cross.relative_24h/two-lead-together": _relative(
        {"ETH": 4.0, "SOL": 4.05}, None, {"BTC": 1.0, "ETH": 5.0, "SOL": 5.05}
    ),
}
