"""The estimated liquidation clusters, recomputed for the real-day checks from the raw CSVs.

An independent reimplementation of the level model as ``analysis/liquidation_map.py``'s
docstring, docs/facts.md (``clusters.nearest_short_above``, ``outlook.levels``) and the
``[analysis]`` defaults of docs/settings.md define it, written from those texts with pandas
and plain loops (nothing from ``analysis`` or ``indicators``):

over the hourly candles opened in the 30 days to the last closed one, each candle opens the
rise of open interest over it plus a turnover of 2 % of the open interest at its open times
its volume over the median volume of the 720 candles to it; the long share of those
positions is 50 % ± 10 % by the candle's direction; they enter at (high + low + close) / 3 and
are spread over the leverage mix at their isolated liquidation prices. A later candle whose
high (short) or low (long) reaches a level consumes it; every candle's closed positions (the
fall of open interest plus the same turnover) remove the share closed / open interest of each
level opened before it. Live levels beyond the last close are binned by 0.25 % of it and
summed over three bins; a cluster is a peak of that profile holding at least 20 % of its
largest sum and 5 % of the side's live USD, at the USD-weighted mean price of its bins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from tests.conftest import SHARED
from tests.real_notes import HOUR, raw_hourly_bars, raw_open_interest

LEVERAGE_MIX = {5: 0.10, 10: 0.25, 25: 0.30, 50: 0.20, 100: 0.15}
"""docs/settings.md ``leverage_mix``: share of new positions opened at each leverage."""
MAINTENANCE_MARGIN = 0.004
WINDOW = pd.Timedelta(days=30)
TURNOVER = 0.02
"""Share of open interest opened and closed per hour at median volume."""
VOLUME_CANDLES, VOLUME_MIN = 720, 24
TILT = 0.1
OI_MAX_AGE = 4 * HOUR
BIN_PCT, ALPHA, BETA = 0.25, 0.2, 0.05
NEGLIGIBLE = 1e-9
"""Levels holding less than this share of the USD opened in the window are left out."""


@dataclass(frozen=True)
class Level:
    """One leverage tier of one candle's new positions of one side."""

    price: float
    usd: float
    """USD still live at the last candle (0 once consumed)."""
    short: bool


def _oi_at(oi: pd.Series, when: pd.Timestamp) -> float:
    """The open interest of the last row at or before ``when``, NaN when it is over 4 h old."""
    at = int(oi.index.searchsorted(when, side="right")) - 1
    if at < 0 or when - oi.index[at] > OI_MAX_AGE:
        return math.nan
    return float(oi.iloc[at])


def _relative_volume(volume: pd.Series, position: int) -> float:
    """Volume of the candle at ``position`` over the median of the 720 candles to it."""
    trailing = volume.iloc[max(0, position - VOLUME_CANDLES + 1) : position + 1]
    median = float(trailing.median()) if len(trailing) >= VOLUME_MIN else math.nan
    return float(volume.iloc[position]) / median if median > 0 else 1.0


@cache
def live_levels(
    kind: str, asset: str, as_of: pd.Timestamp
) -> tuple[list[Level], float, float] | None:
    """The model's levels at ``as_of`` from the ``kind`` hourly candles and CoinGlass's
    Binance open interest, the last close, and the USD opened in the window (None: nothing
    opened, as before the open interest starts)."""
    assert asset == "BTC", "the raw open interest is Bitcoin's"
    bars = raw_hourly_bars(SHARED, kind, asset)
    bars = bars[pd.DatetimeIndex(bars.index) + HOUR <= as_of]
    oi = raw_open_interest(SHARED)
    oi = oi[oi.index <= as_of]
    opens = pd.DatetimeIndex(bars.index)
    first = int(opens.searchsorted(opens[-1] - WINDOW, side="right"))
    rows = []
    for pos in range(first, len(bars)):
        t = pd.Timestamp(bars.index[pos])
        base = _oi_at(oi, t)
        delta = _oi_at(oi, t + HOUR) - base
        delta = 0.0 if math.isnan(delta) else delta
        churn = TURNOVER * base * _relative_volume(bars["volume"], pos)
        churn = 0.0 if math.isnan(churn) else churn
        closed = max(-delta, 0.0) + churn
        rows.append((max(delta, 0.0) + churn, closed / base if base > 0 else 0.0))
    opened = [r[0] for r in rows]
    if not sum(opened) > 0:
        return None
    kept = np.clip([1.0 - r[1] for r in rows], 0.0, None)
    o, h, lo, c = (bars[col].to_numpy()[first:] for col in ("open", "high", "low", "close"))
    levels = []
    for i in range(len(rows)):
        if opened[i] <= 0:
            continue
        entry = (h[i] + lo[i] + c[i]) / 3
        longs = 0.5 + TILT * float(np.sign(c[i] - o[i]))
        survive = float(np.prod(kept[i + 1 :]))
        for leverage, weight in LEVERAGE_MIX.items():
            for short in (True, False):
                sign = 1.0 if short else -1.0
                price = entry * (1 + sign * (1 / leverage - MAINTENANCE_MARGIN))
                hit = (h[i + 1 :] >= price) if short else (lo[i + 1 :] <= price)
                share = (1 - longs) if short else longs
                usd = 0.0 if hit.any() else share * opened[i] * weight * survive
                levels.append(Level(float(price), float(usd), short))
    return levels, float(c[-1]), float(sum(opened))


def _runs(profile: list[float]) -> list[tuple[int, int]]:
    """(first, last) bin of each run of (nearly) equal values of ``profile``."""
    runs = [(0, 0)]
    for i in range(1, len(profile)):
        if math.isclose(profile[i], profile[i - 1], rel_tol=1e-9, abs_tol=0.0):
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def cluster_prices(kind: str, asset: str, as_of: pd.Timestamp, short: bool) -> list[float] | None:
    """The model's cluster prices on one side (short: above the last close), nearest first
    (None: the model cannot run)."""
    found = live_levels(kind, asset, as_of)
    if found is None:
        return None
    levels, last, opened = found
    side = [
        lv
        for lv in levels
        if lv.short == short
        and (lv.price > last if short else lv.price < last)
        and lv.usd > NEGLIGIBLE * opened
    ]
    if not side:
        return []
    step = last * BIN_PCT / 100
    usd: dict[int, float] = {}
    money: dict[int, float] = {}
    for lv in side:
        b = math.floor(lv.price / step)
        usd[b] = usd.get(b, 0.0) + lv.usd
        money[b] = money.get(b, 0.0) + lv.usd * lv.price
    bins = list(range(min(usd) - 1, max(usd) + 2))
    summed = [sum(usd.get(b + d, 0.0) for d in (-1, 0, 1)) for b in bins]
    dollars = [sum(money.get(b + d, 0.0) for d in (-1, 0, 1)) for b in bins]
    floor = max(ALPHA * max(summed), BETA * sum(lv.usd for lv in side))
    runs = _runs(summed)
    prices = []
    for j, (lo, hi) in enumerate(runs):
        value = summed[lo]
        before = summed[runs[j - 1][0]] if j else -math.inf
        after = summed[runs[j + 1][0]] if j + 1 < len(runs) else -math.inf
        if value > before and value > after and value >= floor and value > 0:
            mid = lo + (hi - lo) // 2
            prices.append(dollars[mid] / summed[mid])
    return sorted(prices, key=lambda p: abs(p / last - 1))
