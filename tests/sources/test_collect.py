"""The liquidation collector's normaliser and store writer, on recorded WS messages."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pandas as pd

from sources.collect import collect, normalise, record
from store import open_store
from store.history import event_buckets

# Recorded shapes: ccxt.pro keeps the exchange's own message in ``info``.
BINANCE = {
    "info": {
        "s": "BTCUSDT",
        "S": "SELL",
        "o": "LIMIT",
        "f": "IOC",
        "q": "0.014",
        "p": "123000.10",
        "ap": "123050.00",
        "X": "FILLED",
        "l": "0.014",
        "z": "0.014",
        "T": 1795420800000,
    },
    "symbol": "BTC/USDT:USDT",
    "side": "sell",
}
BYBIT = {
    "info": {"T": 1795420860000, "s": "BTCUSDT", "S": "Buy", "v": "0.5", "p": "123100.0"},
    "symbol": "BTC/USDT:USDT",
}
BYBIT_SHORT = {"info": {"T": 1795420920000, "s": "ETHUSDT", "S": "Sell", "v": "2", "p": "4000"}}


def test_both_exchanges_mean_the_same_side() -> None:
    b, y = normalise("binance", BINANCE), normalise("bybit", BYBIT)
    assert (b.liquidated_side, y.liquidated_side) == ("long", "long")
    assert normalise("bybit", BYBIT_SHORT).liquidated_side == "short"
    assert b.usd == 123050.0 * 0.014 and b.asset == "BTC"
    assert y.usd == 0.5 * 123100.0


def test_recording_twice_stores_once(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite")
    assert record(store, "binance", [BINANCE]) == 1
    assert record(store, "bybit", [BYBIT, BYBIT_SHORT]) == 2
    assert record(store, "bybit", [BYBIT]) == 0
    hour = pd.Timestamp(1795420800000, unit="ms", tz="UTC")
    buckets = event_buckets(store, "BTC", hour, hour + pd.Timedelta(hours=1))
    assert buckets["long_usd"].tolist() == [123050.0 * 0.014 + 0.5 * 123100.0]
    store.close()


class _FakePro:
    def __init__(self, batches: list[list[dict[str, Any]]]) -> None:
        self.batches = batches

    async def watch_liquidations_for_symbols(self, symbols: list[str]) -> list[dict[str, Any]]:
        return self.batches.pop(0)


def test_the_loop_stores_what_the_streams_deliver(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite")
    exchanges = {"binance": _FakePro([[BINANCE], [BINANCE]]), "bybit": _FakePro([[BYBIT], []])}
    seen: list[str] = []
    total = asyncio.run(collect(store, exchanges, ["BTC/USDT:USDT"], seen.append, batches=2))
    assert total == 2 and len(seen) == 2
    store.close()
