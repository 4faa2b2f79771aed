"""The full live gather against the loopback replay server: snapshot, manifest, raw, facts."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import compute_facts
from pipeline import data_gaps
from settings import StaleSettings
from sources import load_snapshot
from sources.calendar import load_fomc
from sources.gather import gather
from store import open_store
from tests.conftest import DEMO
from tests.replay_server import Fault, ReplayServer
from tests.sources.conftest import NOW, frozen_exchange

ALL_FILES = sorted(p.relative_to(DEMO).as_posix() for p in DEMO.rglob("*.csv"))


def _gather(server: ReplayServer, tmp_path: Path, **sources: object):  # type: ignore[no-untyped-def]
    settings = server.settings(tmp_path / "store.sqlite", **sources)
    return gather(
        settings, tmp_path / "snap", ("BTC", "ETH"), now=NOW, exchange_factory=frozen_exchange()
    )


@pytest.mark.usefixtures("coinglass_key")
def test_full_gather_writes_the_demo_snapshot_and_the_same_facts(
    server: ReplayServer, tmp_path: Path
) -> None:
    result = _gather(server, tmp_path)
    snap = tmp_path / "snap"
    assert not result.failed and not result.stale
    for rel in ALL_FILES:
        assert (snap / rel).read_bytes() == (DEMO / rel).read_bytes(), rel
    live, demo = load_snapshot(snap), load_snapshot(DEMO)
    assert not live.demo
    fomc = load_fomc()
    assert compute_facts(live, NOW, fomc=fomc) == compute_facts(demo, NOW, fomc=fomc)
    manifest = json.loads((snap / "manifest.json").read_text())
    entry = manifest["datasets"]["open_interest/BTC.csv"]
    assert entry["rows"] == 1448 and entry["newest"] == "2026-11-23T07:00:00Z"
    assert entry["url"] == server.url and entry["status"] == "ok" and "fetched_at" in entry
    assert manifest["unavailable"] == {}
    index = json.loads((snap / "raw" / "index.json").read_text())
    assert {Path(i["file"]).parts[0] for i in index} >= {"candles_1d", "dxy", "fear_greed"}
    assert all((snap / "raw" / i["file"]).is_file() for i in index)


@pytest.mark.usefixtures("coinglass_key")
def test_histories_are_paged_across_several_requests(server: ReplayServer, tmp_path: Path) -> None:
    _gather(server, tmp_path)
    # 1271 daily candles at 1000 a page, 1448 hourly OI rows at 500, 1448 CoinGlass rows at 1000
    klines = [r for r in server.requests if "/api/v3/klines" in r and "BTCUSDT" in r]
    assert sum("interval=1d" in r for r in klines) == 2
    oi = [r for r in server.requests if "openInterestHist" in r and "BTCUSDT" in r]
    assert len(oi) == 3
    assert sum("aggregated-history" in r and "symbol=BTC&" in r for r in server.requests) == 2


@pytest.mark.usefixtures("coinglass_key")
def test_regathering_the_same_hours_changes_nothing_in_the_store(
    server: ReplayServer, tmp_path: Path
) -> None:
    first = _gather(server, tmp_path)
    assert sum(o.stored for o in first.outcomes) > 0
    second = _gather(server, tmp_path)
    assert sum(o.stored for o in second.outcomes) == 0
    store = open_store(tmp_path / "store.sqlite")
    count = store.conn.execute("SELECT COUNT(*) FROM history_rows").fetchone()[0]
    store.close()
    assert count == 2 * (270 + 1448 + 728 + 1448)


def test_without_a_coinglass_key_liquidations_come_from_okx(
    server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COINGLASS_API_KEY", raising=False)
    result = _gather(server, tmp_path)
    liq = {o.file: o for o in result.outcomes}["liquidations/BTC.csv"]
    assert liq.source == "OKX" and liq.status == "ok" and liq.rows == 24
    frame = pd.read_csv(tmp_path / "snap" / "liquidations/BTC.csv")
    assert frame["long_usd"].sum() > 0 and frame["short_usd"].sum() > 0
    assert server.count("/api/futures/liquidation/aggregated-history") == 0


@pytest.mark.usefixtures("coinglass_key")
def test_history_accumulates_from_the_store(
    server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _gather(server, tmp_path)
    # Later runs see only the last 30 days from Binance; the store keeps the rest.
    key = ("openInterestHist", "BTCUSDT")
    recent = _recent(server.data.tables[key], NOW - pd.Timedelta(days=30))
    monkeypatch.setitem(server.data.tables, key, recent)
    _gather(server, tmp_path)
    frame = pd.read_csv(tmp_path / "snap" / "open_interest/BTC.csv")
    assert len(frame) == 1448


def _recent(table, cut):  # type: ignore[no-untyped-def]
    from demo.replay import Table

    ms = int(cut.value // 1_000_000)
    keep = [i for i, t in enumerate(table.times) if t >= ms]
    return Table([table.times[i] for i in keep], [table.rows[i] for i in keep])


def test_stale_data_is_kept_marked_and_stated(server: ReplayServer, tmp_path: Path) -> None:
    server.faults["/fng/"] = Fault(stale_before=NOW - pd.Timedelta(days=5))
    result = _gather(server, tmp_path)
    fng = {o.file: o for o in result.outcomes}["fear_greed.csv"]
    assert fng.status == "stale" and "older than 2D" in (fng.error or "")
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    assert manifest["datasets"]["fear_greed.csv"]["status"] == "stale"
    gaps = data_gaps(load_snapshot(tmp_path / "snap"), NOW, StaleSettings())
    assert [(g.dataset, g.asset) for g in gaps if g.newest is not None] == [("fear_greed", None)]
