"""Momentum facts on daily closes of closed candles: RSI, MACD, RSI divergence."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.base import Reading, closes, day, stamp
from indicators import macd, rsi, swing_points
from models import Dataset

OVERBOUGHT, OVERSOLD = 70.0, 30.0
WARM_UP = 26 + 9 - 1


def rsi_14(daily: Dataset) -> Reading | None:
    """Wilder's 14-day RSI of daily closes (0-100), with its zone (overbought above 70)."""
    c = closes(daily)
    r = rsi(c, 14)
    if r.empty or pd.isna(r.iloc[-1]):
        return None
    value = float(r.iloc[-1])
    zone = "overbought" if value > OVERBOUGHT else "oversold" if value < OVERSOLD else "neutral"
    evidence: dict[str, Any] = {"date": day(c.index[-1] - pd.Timedelta(days=1)), "zone": zone}
    evidence |= {"close": float(c.iloc[-1])}
    return Reading(value, "index", (daily,), evidence)


def macd_state(daily: Dataset) -> Reading | None:
    """MACD(12, 26, 9) of daily closes: line, signal, histogram, state and days since the cross."""
    c = closes(daily)
    if len(c) <= WARM_UP:
        return None
    m = macd(c)
    hist = m["hist"]
    positive = hist > 0
    # Only crosses once the signal line is warmed up (26 + 9 - 1 closes) count.
    settled = positive.iloc[WARM_UP:]
    flips = settled.ne(settled.shift()).to_numpy().nonzero()[0][1:]
    crossed = int(len(settled) - 1 - flips[-1]) if len(flips) else None
    value = {
        "macd": float(m["macd"].iloc[-1]),
        "signal": float(m["signal"].iloc[-1]),
        "hist": float(hist.iloc[-1]),
        "state": "bullish" if positive.iloc[-1] else "bearish",
        "crossed_days_ago": crossed,
    }
    return Reading(value, "state", (daily,), {"date": day(c.index[-1] - pd.Timedelta(days=1))})


def divergence(daily: Dataset, *, lookback_days: int = 60, order: int = 3) -> Reading | None:
    """RSI divergence on the last two daily swing points within ``lookback_days``.

    Bearish: price made a higher high while RSI made a lower high. Bullish: a lower low in
    price with a higher low in RSI. When both, the one whose second swing is newer.
    """
    c = closes(daily)
    r = rsi(c, 14)
    recent = c.iloc[-lookback_days:]
    found: list[tuple[pd.Timestamp, dict[str, Any]]] = []
    for kind, name, beats in (("high", "bearish", 1.0), ("low", "bullish", -1.0)):
        swings = swing_points(recent, order, kind)
        if len(swings) < 2:
            continue
        (t1, p1), (t2, p2) = ((stamp(t), float(p)) for t, p in swings.iloc[-2:].items())
        r1, r2 = float(r[t1]), float(r[t2])
        if beats * (p2 - p1) > 0 and beats * (r2 - r1) < 0:
            points = [
                {"date": day(t - pd.Timedelta(days=1)), "close": float(p), "rsi": rr}
                for t, p, rr in ((t1, p1, r1), (t2, p2, r2))
            ]
            found.append((t2, {"kind": name, "first": points[0], "second": points[1]}))
    if not found:
        return None
    _, value = max(found, key=lambda f: f[0])
    return Reading(value, "state", (daily,), {"order": order, "lookback_days": lookback_days})
