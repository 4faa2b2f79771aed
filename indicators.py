"""Pure Series -> Series maths (RSI, MACD, swings), shared by analysis and charts."""

from __future__ import annotations

import numpy as np
import pandas as pd


def rsi(close: pd.Series, period: int = 14) -> pd.Series:
    """Wilder's relative strength index (0-100); NaN until ``period`` changes are known."""
    delta = close.diff()
    gain = delta.clip(lower=0.0)
    loss = -delta.clip(upper=0.0)
    avg_gain = _wilder(gain, period)
    avg_loss = _wilder(loss, period)
    with np.errstate(divide="ignore", invalid="ignore"):
        rs = avg_gain / avg_loss
    out = 100.0 - 100.0 / (1.0 + rs)
    return out.where(avg_loss != 0, 100.0).where(avg_gain.notna())


def _wilder(values: pd.Series, period: int) -> pd.Series:
    """Wilder's smoothing: a simple mean of the first ``period`` values, then (prev*(n-1)+x)/n."""
    arr = values.to_numpy(dtype="float64")
    out = np.full(arr.shape, np.nan)
    if len(arr) > period:
        out[period] = arr[1 : period + 1].mean()
        for i in range(period + 1, len(arr)):
            out[i] = (out[i - 1] * (period - 1) + arr[i]) / period
    return pd.Series(out, index=values.index)


def ema(values: pd.Series, span: int) -> pd.Series:
    """Exponential moving average with alpha = 2 / (span + 1), seeded with the first value."""
    return values.ewm(span=span, adjust=False).mean()


def macd(close: pd.Series, fast: int = 12, slow: int = 26, signal: int = 9) -> pd.DataFrame:
    """MACD line (fast EMA − slow EMA), its signal EMA, and the histogram (macd − signal)."""
    line = ema(close, fast) - ema(close, slow)
    sig = ema(line, signal)
    return pd.DataFrame({"macd": line, "signal": sig, "hist": line - sig})


def swing_points(values: pd.Series, order: int, kind: str) -> pd.Series:
    """Local maxima (``kind="high"``) or minima (``"low"``) that stand ``order`` bars each side.

    The newest bar counts when it is the extreme of its last ``order`` bars: a swing in the
    making, as an analyst reading the chart today would see it.
    """
    arr = values.to_numpy(dtype="float64")
    sign = 1.0 if kind == "high" else -1.0
    keep = []
    for i in range(len(arr)):
        left = arr[max(0, i - order) : i]
        right = arr[i + 1 : i + 1 + order]
        if len(left) < order or (len(right) < order and i != len(arr) - 1):
            continue
        if all(sign * arr[i] > sign * x for x in (*left, *right)):
            keep.append(i)
    return values.iloc[keep]
