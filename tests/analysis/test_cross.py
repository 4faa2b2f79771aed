"""Reference cases for relative performance."""

from __future__ import annotations

import pytest

from analysis import cross
from models import Dataset
from tests.analysis.frames import HOUR, approx, candles
from values import Relative24h


def rising(pct: float, asset: str) -> Dataset:
    return candles([100.0] * 24 + [100.0 + pct], start="2026-01-01", interval=HOUR, asset=asset)


def test_relative_24h_in_points_against_btc_and_the_leader() -> None:
    data = {"BTC": rising(2.0, "BTC"), "ETH": rising(5.0, "ETH"), "SOL": rising(-1.0, "SOL")}
    r = cross.relative_24h(data)
    assert r is not None and r.unit == "pp"
    assert r.value == Relative24h(vs_btc={"ETH": approx(3.0), "SOL": approx(-3.0)}, leader="ETH")
    assert r.evidence["change_24h_pct"]["BTC"] == pytest.approx(2.0)


def test_relative_24h_btc_leading_and_absent_without_btc() -> None:
    r = cross.relative_24h({"BTC": rising(4.0, "BTC"), "ETH": rising(3.0, "ETH")})
    assert r is not None and r.value.leader == "BTC"
    assert r.value.vs_btc["ETH"] == pytest.approx(-1.0)
    assert cross.relative_24h({"ETH": rising(3.0, "ETH")}) is None
    assert cross.relative_24h({"BTC": rising(3.0, "BTC")}) is None
