"""Reference cases for RSI, MACD and divergence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import momentum
from indicators import macd, rsi
from tests.analysis.frames import candles
from values import SwingPoint

# Wilder's RSI worked example (StockCharts "Relative Strength Index" spreadsheet): 14-period RSI
# of these closes is 70.53 at the 15th close, then 66.32, 66.55, 69.41, 66.36, 57.97.
WILDER_CLOSES = [
    44.3389,
    44.0902,
    44.1497,
    43.6124,
    44.3278,
    44.8264,
    45.0955,
    45.4245,
    45.8433,
    46.0826,
    45.8931,
    46.0328,
    45.6140,
    46.2820,
    46.2820,
    46.0028,
    46.0328,
    46.4116,
    46.2222,
    45.6439,
]
WILDER_RSI = [70.53, 66.32, 66.55, 69.41, 66.36, 57.97]


def test_rsi_matches_wilders_worked_example() -> None:
    values = rsi(pd.Series(WILDER_CLOSES), 14)
    assert values.iloc[:14].isna().all()
    assert values.iloc[14:].round(2).tolist() == pytest.approx(WILDER_RSI, abs=0.01)


def test_rsi_is_100_when_nothing_fell() -> None:
    assert rsi(pd.Series(np.arange(1.0, 20.0)), 14).iloc[-1] == 100.0


@pytest.mark.parametrize(
    ("closes", "zone"),
    [
        (list(np.arange(100.0, 130.0)), "overbought"),
        (list(np.arange(130.0, 100.0, -1)), "oversold"),
        (WILDER_CLOSES, "neutral"),
    ],
)
def test_rsi_fact_zone(closes: list[float], zone: str) -> None:
    r = momentum.rsi_14(candles(closes, start="2026-01-01"))
    assert r is not None and r.evidence["zone"] == zone


def test_rsi_fact_absent_with_too_little_history() -> None:
    assert momentum.rsi_14(candles([1.0, 2.0, 3.0], start="2026-01-01")) is None


def test_macd_is_ema12_minus_ema26_with_ema9_signal() -> None:
    close = pd.Series([float(x) for x in range(1, 301)])
    m = macd(close)
    # EMAs of a straight line lag it by (span-1)/2 in the limit: macd -> (26-1)/2 - (12-1)/2 = 7.
    assert m["macd"].iloc[-1] == pytest.approx(7.0, abs=1e-6)
    assert (m["hist"] == m["macd"] - m["signal"]).all()


def test_macd_fact_reports_state_and_days_since_cross() -> None:
    down = [200.0 - i for i in range(60)]
    up = [down[-1] + 3.0 * i for i in range(1, 11)]
    r = momentum.macd(candles(down + up, start="2026-01-01"))
    assert r is not None
    value = r.value
    assert value.state == "bullish"
    hist = macd(pd.Series(down + up))["hist"]
    first_positive = int(np.argmax((hist > 0).to_numpy()))
    assert value.crossed_days_ago == len(hist) - 1 - first_positive
    assert 0 <= value.crossed_days_ago < 10
    # The close at which it crossed: 1 January + first_positive days (its trading date).
    crossed = pd.Timestamp("2026-01-01") + pd.Timedelta(days=first_positive)
    assert value.crossed_on == crossed.strftime("%Y-%m-%d")


def test_macd_fact_without_a_cross_and_short_history() -> None:
    r = momentum.macd(candles([100.0 + i for i in range(40)], start="2026-01-01"))
    assert r is not None and r.value.crossed_days_ago is None and r.value.crossed_on is None
    assert momentum.macd(candles([1.0] * 20, start="2026-01-01")) is None


def _divergence_closes(sign: float) -> list[float]:
    base = [100.0] * 30
    sharp = [100 + sign * x for x in (4, 8, 12, 16, 20)]  # a fast move: extreme RSI
    back = [100 + sign * x for x in (15, 12, 10, 9, 8)]
    grind = [100 + sign * x for x in (10, 12, 14, 15, 16, 17, 18, 19, 20.5, 21)]
    return base + sharp + back + grind


def test_bearish_divergence_higher_high_lower_rsi() -> None:
    r = momentum.divergence(candles(_divergence_closes(+1), start="2026-01-01"))
    assert r is not None
    value = r.value
    assert value.kind == "bearish"
    first, second = value.first, value.second
    assert second.close > first.close and second.rsi < first.rsi
    assert first == SwingPoint(date="2026-02-04", close=120.0, rsi=first.rsi)


def test_bullish_divergence_lower_low_higher_rsi() -> None:
    r = momentum.divergence(candles(_divergence_closes(-1), start="2026-01-01"))
    assert r is not None and r.value.kind == "bullish"


def test_no_divergence_when_rsi_confirms() -> None:
    steady = [100.0 + 2 * i + (3 if i % 6 == 0 else 0) for i in range(60)]
    assert momentum.divergence(candles(steady, start="2026-01-01")) is None
