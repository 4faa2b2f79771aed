"""A spiked candle is quarantined unless the other market moved alike.

Before, one hourly close a thousand times too high became the headline "Bitcoin sets record
high at $115,366,450". Now a row whose prices jump beyond the dataset's plausibility factor
from the median close of its neighbours is checked against the perpetual's candle at the same
time: kept when the perpetual shows the same prices, else left out of the snapshot and the
store, and the manifest says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from demo.replay import Table
from devtools.replay_server import Fault, ReplayServer
from sources import load_snapshot
from sources.gather import GatherResult, Outcome, gather
from sources.plausibility import suspects
from store import open_store
from tests.sources.conftest import NOW, frozen_exchange

SPIKED = NOW - pd.Timedelta(hours=1)
"""The newest closed hourly candle, the one spiked."""


def _gather(server: ReplayServer, tmp_path: Path, **sources: Any) -> GatherResult:
    settings = server.settings(tmp_path / "store.sqlite", **sources)
    return gather(
        settings, tmp_path / "snap", ("BTC",), now=NOW, exchange_factory=frozen_exchange()
    )


def _spiked(table: Table, at: pd.Timestamp, factor: float = 1000.0) -> Table:
    """``table`` (klines) with the candle opening ``at`` closing ``factor`` times higher."""
    i = table.times.index(int(at.value // 1_000_000))
    row = list(table.rows[i])
    close = float(row[4]) * factor
    row[4], row[2] = f"{close:.2f}", f"{max(float(row[2]), close):.2f}"
    return Table(list(table.times), [*table.rows[:i], row, *table.rows[i + 1 :]])


def _hourly(result: GatherResult) -> Outcome:
    return {o.file: o for o in result.outcomes}["candles_1h/BTC.csv"]


def _stored_times(tmp_path: Path, dataset: str) -> list[int]:
    store = open_store(tmp_path / "store.sqlite")
    try:
        rows = store.conn.execute(
            "SELECT time_ms FROM history_rows WHERE dataset = ? AND asset = 'BTC'", (dataset,)
        )
        return [r[0] for r in rows]
    finally:
        store.close()


@pytest.mark.usefixtures("coinglass_key")
def test_a_healthy_gather_asks_the_perpetual_nothing(
    short_server: ReplayServer, tmp_path: Path
) -> None:
    result = _gather(short_server, tmp_path)
    assert _hourly(result).status == "ok" and _hourly(result).error is None
    assert short_server.count("/fapi/v1/klines") == 0


@pytest.mark.usefixtures("coinglass_key")
def test_a_spike_the_perpetual_does_not_show_is_quarantined(
    short_server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = ("klines_1h", "BTCUSDT")
    monkeypatch.setitem(
        short_server.data.tables, key, _spiked(short_server.data.tables[key], SPIKED)
    )
    result = _gather(short_server, tmp_path)
    hourly = _hourly(result)
    assert hourly.status == "ok"
    assert "quarantined 1 implausible row(s): 2026-11-23T07:00Z close " in (hourly.error or "")
    assert "(Binance USDⓈ-M futures: " in (hourly.error or "")
    assert short_server.count("/fapi/v1/klines") == 1
    snapshot = load_snapshot(tmp_path / "snap")
    frame = snapshot.assets["BTC"].candles_1h.frame  # type: ignore[union-attr]
    assert SPIKED not in frame.index and frame["close"].max() < 200_000
    assert int(SPIKED.value // 1_000_000) not in _stored_times(tmp_path, "candles_1h")
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    assert "quarantined 1" in manifest["datasets"]["candles_1h/BTC.csv"]["error"]


@pytest.mark.usefixtures("coinglass_key")
def test_a_move_the_perpetual_made_too_is_kept(
    short_server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = short_server.data.tables
    spiked = _spiked(tables[("klines_1h", "BTCUSDT")], SPIKED, factor=3.0)
    monkeypatch.setitem(tables, ("klines_1h", "BTCUSDT"), spiked)
    monkeypatch.setitem(tables, ("perp_klines_1h", "BTCUSDT"), spiked)
    result = _gather(short_server, tmp_path)
    assert _hourly(result).status == "ok" and _hourly(result).error is None
    assert short_server.count("/fapi/v1/klines") == 1
    frame = load_snapshot(tmp_path / "snap").assets["BTC"].candles_1h.frame  # type: ignore[union-attr]
    assert SPIKED in frame.index


@pytest.mark.usefixtures("coinglass_key")
def test_without_the_perpetual_a_spike_is_quarantined_and_said(
    short_server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = ("klines_1d", "BTCUSDT")
    newest = NOW.floor("D") - pd.Timedelta(days=1)
    monkeypatch.setitem(
        short_server.data.tables, key, _spiked(short_server.data.tables[key], newest)
    )
    short_server.faults["/fapi/v1/klines"] = Fault(status=500)
    result = _gather(short_server, tmp_path, retries=0)
    daily = {o.file: o for o in result.outcomes}["candles_1d/BTC.csv"]
    assert daily.status == "ok" and "quarantined 1 implausible row(s)" in (daily.error or "")
    assert "Binance USDⓈ-M futures not available: " in (daily.error or "")
    frame = load_snapshot(tmp_path / "snap").assets["BTC"].candles_1d.frame
    assert newest not in frame.index


def _frame(closes: list[float]) -> pd.DataFrame:
    times = pd.date_range("2026-01-01", periods=len(closes), freq="h", tz="UTC")
    return pd.DataFrame(
        {"time": times, "open": closes, "high": closes, "low": closes, "close": closes}
    )


def test_only_the_spike_is_a_suspect_not_its_neighbours() -> None:
    closes = [100.0, 101, 99, 100, 100_000, 100, 101, 102]
    found = suspects(_frame(closes), "candles_1h")
    assert list(found["close"]) == [100_000] and list(found["reference"]) == [100.0]
    first = suspects(_frame([100_000.0, 100, 101, 99]), "candles_1h")
    assert list(first["close"]) == [100_000]  # the first row is judged by those after it
    steady = [100.0 * 1.05**i for i in range(40)]  # a rally of 5 % an hour is no suspect
    assert suspects(_frame(steady), "candles_1h").empty
    assert suspects(_frame(closes), "funding").empty  # no prices, no plausibility factor
