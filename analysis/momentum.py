"""Momentum facts on daily closes of closed candles: RSI, MACD, RSI divergence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import pandas as pd

from analysis.base import Reading, closes, day, stamp
from analysis.registry import Registry, fixed
from indicators import macd as macd_lines
from indicators import rsi, swing_points
from models import Dataset, Fact
from settings import NarrativeSettings
from values import Divergence, Macd, SwingPoint, as_value, fact_of

OVERBOUGHT, OVERSOLD = 70.0, 30.0
WARM_UP = 26 + 9 - 1
LOOKBACK_DAYS = 60
"""A divergence's swing points lie within this many daily closes."""
SWING_ORDER = 3
"""A swing point is the extreme of this many closes on either side."""

KINDS: tuple[tuple[Literal["high", "low"], Literal["bearish", "bullish"], float], ...] = (
    ("high", "bearish", 1.0),
    ("low", "bullish", -1.0),
)
"""Swings compared, the divergence they show, and the sign of a "beyond" move in price."""

register = Registry(section="momentum")


def _score_rsi(fact: Fact) -> float:
    """35 when overbought or oversold, else 5."""
    return 5.0 if fact.evidence["zone"] == "neutral" else 35.0


def _worth_rsi(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when overbought or oversold, or beside a divergence of the asset."""
    divergence = fact_of(facts, fact.asset, "momentum.divergence")
    return fact.evidence["zone"] != "neutral" or divergence is not None


def _background_rsi(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when no asset's RSI is overbought or oversold (every one is neutral: one
    sentence of a calm tape)."""
    rsis = [f for f in facts.values() if f.id == "momentum.rsi_14"]
    return all(f.evidence["zone"] == "neutral" for f in rsis)


@register("momentum.rsi_14", score=_score_rsi, worth=_worth_rsi, background=_background_rsi)
def rsi_14(daily: Dataset) -> Reading[float] | None:
    """Wilder's 14-day RSI of daily closes (0-100), with its zone (overbought above 70)."""
    c = closes(daily)
    r = rsi(c, 14)
    if r.empty or pd.isna(r.iloc[-1]):
        return None
    value = float(r.iloc[-1])
    zone = "overbought" if value > OVERBOUGHT else "oversold" if value < OVERSOLD else "neutral"
    evidence: dict[str, object] = {"date": day(c.index[-1] - pd.Timedelta(days=1)), "zone": zone}
    evidence |= {"close": float(c.iloc[-1])}
    return Reading(value, "index", (daily,), evidence)


def _score_macd(fact: Fact) -> float:
    """45 when the signal line was crossed at most 3 closes ago (0: at the last close), else 5."""
    crossed = as_value(fact, Macd).crossed_days_ago
    return 45.0 if crossed is not None and crossed <= 3 else 5.0


def _worth_macd(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said only when the line crossed its signal at most ``macd_cross_max_days`` (3) daily
    closes ago (0: at the last close)."""
    crossed = as_value(fact, Macd).crossed_days_ago
    return crossed is not None and crossed <= narrative.macd_cross_max_days


@register("momentum.macd", score=_score_macd, worth=_worth_macd)
def macd(daily: Dataset) -> Reading[Macd] | None:
    """MACD(12, 26, 9) of daily closes: line, signal, histogram, state, and the days since and
    the date of the last cross of the signal line."""
    c = closes(daily)
    if len(c) <= WARM_UP:
        return None
    m = macd_lines(c)
    hist = m["hist"]
    positive = hist > 0
    # Only crosses once the signal line is warmed up (26 + 9 - 1 closes) count.
    settled = positive.iloc[WARM_UP:]
    flips = settled.ne(settled.shift()).to_numpy().nonzero()[0][1:]
    crossed = int(len(settled) - 1 - flips[-1]) if len(flips) else None
    crossed_on = day(settled.index[flips[-1]] - pd.Timedelta(days=1)) if len(flips) else None
    value = Macd(
        macd=float(m["macd"].iloc[-1]),
        signal=float(m["signal"].iloc[-1]),
        hist=float(hist.iloc[-1]),
        state="bullish" if positive.iloc[-1] else "bearish",
        crossed_days_ago=crossed,
        crossed_on=crossed_on,
    )
    return Reading(value, "state", (daily,), {"date": day(c.index[-1] - pd.Timedelta(days=1))})


@register("momentum.divergence", score=fixed(40.0))
def divergence(daily: Dataset) -> Reading[Divergence] | None:
    """RSI divergence on the last two daily swing points within 60 daily closes.

    Bearish: price made a higher high while RSI made a lower high. Bullish: a lower low in
    price with a higher low in RSI. When both, the one whose second swing is newer.
    """
    c = closes(daily)
    r = rsi(c, 14)
    recent = c.iloc[-LOOKBACK_DAYS:]
    found: list[tuple[pd.Timestamp, Divergence]] = []
    for kind, name, beats in KINDS:
        swings = swing_points(recent, SWING_ORDER, kind)
        if len(swings) < 2:
            continue
        (t1, p1), (t2, p2) = ((stamp(t), float(p)) for t, p in swings.iloc[-2:].items())
        r1, r2 = float(r[t1]), float(r[t2])
        if beats * (p2 - p1) > 0 and beats * (r2 - r1) < 0:
            first, second = (
                SwingPoint(day(t - pd.Timedelta(days=1)), p, rr)
                for t, p, rr in ((t1, p1, r1), (t2, p2, r2))
            )
            found.append((t2, Divergence(name, first, second)))
    if not found:
        return None
    _, value = max(found, key=lambda f: f[0])
    evidence = {"order": SWING_ORDER, "lookback_days": LOOKBACK_DAYS}
    return Reading(value, "state", (daily,), evidence)
