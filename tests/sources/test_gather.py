"""The full live gather against the loopback replay server: snapshot, manifest, raw, facts;
paging backward, incremental later gathers, the store's fallbacks.

One first gather (BTC and ETH, CoinGlass key set, fresh store) is shared by the module; tests
that gather again start from a copy of its store, so a later gather sees what it stored.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest

from analysis import compute_facts
from demo.replay import ReplayData, Table
from devtools.replay_server import Fault, ReplayServer
from pipeline import data_gaps
from settings import StaleSettings
from sources import load_snapshot
from sources.calendar import load_fomc
from sources.collect import SOURCE as RECORDED
from sources.collect import record
from sources.gather import GatherResult, gather
from store import open_store
from tests.conftest import DEMO
from tests.sources.conftest import NOW, frozen_exchange, replayed

ALL_FILES = sorted(p.relative_to(DEMO).as_posix() for p in DEMO.rglob("*.csv"))
DERIVATIVES = ("funding", "open_interest", "long_short", "liquidations")
HOURS = 8768
"""Hourly rows of open interest and liquidations in the demo: a year, to 07:00Z on the as-of."""
DAY = pd.Timedelta(days=1)


@pytest.fixture(scope="module")
def server(replay_data: ReplayData) -> Iterator[ReplayServer]:
    """One server for the module; each test's faults are cleared after it."""
    srv = ReplayServer(replay_data).start()
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def _clear_faults(server: ReplayServer) -> Iterator[None]:
    yield
    server.faults.clear()


@dataclass
class First:
    """The module's first gather: its result, folder, store and the requests it made."""

    result: GatherResult
    folder: Path
    store: Path
    requests: list[str]


@pytest.fixture(scope="module")
def first(server: ReplayServer, tmp_path_factory: pytest.TempPathFactory) -> First:
    tmp = tmp_path_factory.mktemp("first")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COINGLASS_API_KEY", "test-key")
        before = len(server.requests)
        result = _gather(server, tmp)
    return First(result, tmp / "snap", tmp / "store.sqlite", server.requests[before:])


def _gather(
    server: ReplayServer,
    tmp: Path,
    assets: tuple[str, ...] = ("BTC", "ETH"),
    now: pd.Timestamp = NOW,
    **sources: object,
) -> GatherResult:
    settings = server.settings(tmp / "store.sqlite", **sources)
    return gather(settings, tmp / "snap", assets, now=now, exchange_factory=frozen_exchange(now))


def _from_first(first: First, tmp_path: Path) -> Path:
    """``tmp_path`` holding a copy of the first gather's store."""
    shutil.copy(first.store, tmp_path / "store.sqlite")
    return tmp_path


def test_full_gather_writes_the_demo_snapshot_and_the_same_facts(
    first: First, server: ReplayServer
) -> None:
    result, snap = first.result, first.folder
    assert not [o for o in result.failed if replayed(o.dataset)] and not result.stale
    assert not [o.error for o in result.outcomes if o.error and replayed(o.dataset)]
    assert not [r for r in first.requests if "/fapi/v1/klines" in r]  # no row was implausible
    for rel in ALL_FILES:
        assert (snap / rel).read_bytes() == (DEMO / rel).read_bytes(), rel
    live, demo = load_snapshot(snap), load_snapshot(DEMO)
    assert not live.demo
    fomc = load_fomc()
    assert compute_facts(live, NOW, fomc=fomc) == compute_facts(demo, NOW, fomc=fomc)
    manifest = json.loads((snap / "manifest.json").read_text())
    entry = manifest["datasets"]["open_interest/BTC.csv"]
    assert entry["rows"] == HOURS and entry["newest"] == "2026-11-23T07:00:00Z"
    assert entry["url"] == server.url and entry["status"] == "ok" and "fetched_at" in entry
    assert not [f for f in manifest["unavailable"] if replayed(f)]
    assert not any("fallback" in e for e in manifest["datasets"].values())
    venues = {rel: e["venues"] for rel, e in manifest["datasets"].items() if "BTC" not in rel}
    assert venues["liquidations/ETH.csv"] == ["Binance", "OKX", "Bybit"]  # CoinGlass's exchanges
    assert venues["candles_1d/ETH.csv"] == ["Binance"] and venues["dxy.csv"] == []
    assert live.assets["ETH"].liquidations is not None
    assert live.assets["ETH"].liquidations.venues == ("Binance", "OKX", "Bybit")
    index = json.loads((snap / "raw" / "index.json").read_text())
    assert {Path(i["file"]).parts[0] for i in index} >= {"candles_1d", "dxy", "fear_greed"}
    assert all((snap / "raw" / i["file"]).is_file() for i in index)


def _query(request: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(request).query))


def test_histories_are_paged_backward_across_several_requests(first: First) -> None:
    # 3385 daily candles (since August 2017) at 1000 a page: back from now until an empty page
    # before the first candle (a short page is not trusted as the start: the page before it is
    # asked)
    daily = [r for r in first.requests if "interval=1d" in r and "BTCUSDT" in r]
    assert [_query(r)["limit"] for r in daily] == ["1000"] * 5
    ends = [int(_query(r)["endTime"]) for r in daily]
    assert ends[0] == NOW.value // 1_000_000 and ends == sorted(set(ends), reverse=True)
    assert not any("startTime" in r for r in daily)
    # 8768 hourly OI rows (365 days) at 500 a page: the last page asks only for what is left
    oi = [_query(r) for r in first.requests if "openInterestHist" in r and "BTCUSDT" in r]
    assert [q["limit"] for q in oi[:17]] == ["500"] * 17 and len(oi) == 18
    assert int(oi[-1]["limit"]) == HOURS - 17 * 500
    assert [int(q["endTime"]) for q in oi] == sorted((int(q["endTime"]) for q in oi), reverse=True)
    # and CoinGlass's hourly liquidations at 1000 a page
    assert sum("aggregated-history" in r and "symbol=BTC&" in r for r in first.requests) == 9


def test_a_first_gather_pages_every_history_back_to_the_replay_s_first_row(
    first: First, replay_data: ReplayData
) -> None:
    """Daily candles to the first listing, funding to the perpetual's first settlement (the
    default depths are 0: all history), Fear & Greed whole (``limit=0``) and the DXY from
    ``macro_since`` (1971): each snapshot file starts at the replay's first row."""
    requests = first.requests
    funding = [_query(r) for r in requests if "fundingRate" in r and "BTCUSDT" in r]
    # 7894 settlements since September 2019 at 1000 a page, then an empty page
    assert len(funding) == 9 and not any("startTime" in q for q in funding)
    assert [_query(r)["limit"] for r in requests if "/fng/" in r] == ["0"]
    dxy = [_query(r) for r in requests if "/v8/finance/chart/" in r]
    assert [q["period1"] for q in dxy] == [
        str(int(pd.Timestamp("1971-01-04", tz="UTC").timestamp()))
    ]
    snap = load_snapshot(first.folder)
    btc = snap.assets["BTC"]
    assert btc.funding is not None and snap.fear_greed is not None and snap.dxy is not None
    found = [
        d.frame.index[0].floor("D")
        for d in (btc.candles_1d, btc.funding, snap.fear_greed, snap.dxy)
    ]
    keys = [
        ("klines_1d", "BTCUSDT"),
        ("fundingRate", "BTCUSDT"),
        ("fng", ""),
        ("yahoo", "DX-Y.NYB"),
    ]
    replayed_first = [
        pd.Timestamp(replay_data.tables[k].times[0], unit="ms", tz="UTC").floor("D") for k in keys
    ]
    assert found == replayed_first


def test_a_later_gather_fetches_only_what_is_new_and_writes_the_same_snapshot(
    first: First, server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COINGLASS_API_KEY", "test-key")
    before = len(server.requests)
    second = _gather(server, _from_first(first, tmp_path))
    requests = server.requests[before:]
    assert sum(o.stored for o in second.outcomes) == 0  # re-gathering changes nothing
    assert not [o for o in second.failed if replayed(o.dataset)] and not second.stale
    for rel in ALL_FILES:
        assert (tmp_path / "snap" / rel).read_bytes() == (first.folder / rel).read_bytes(), rel
    # one request per history, for the last few rows only (the default overlap is 3 rows)
    for path in ("klines", "fundingRate", "openInterestHist", "globalLongShortAccountRatio"):
        for symbol in ("BTCUSDT", "ETHUSDT"):
            asked = [_query(r) for r in requests if path in r and symbol in r]
            per_interval = {q.get("interval") for q in asked}
            assert len(asked) == len(per_interval), (path, asked)
            assert all(int(q["limit"]) <= 5 for q in asked), (path, asked)
    cg = [_query(r) for r in requests if "aggregated-history" in r and "symbol=BTC&" in r]
    assert len(cg) == 1
    assert int(cg[0]["start_time"]) >= (NOW - pd.Timedelta(hours=5)).value // 1_000_000
    # the macro series too: the last few days only, from the newest stored row less 3 rows
    assert [int(_query(r)["limit"]) for r in requests if "/fng/" in r] == [4]
    dxy = [_query(r) for r in requests if "/v8/finance/chart/" in r]
    newest_dxy = pd.Timestamp("2026-11-20", tz="UTC")  # the demo's last trading day
    assert [int(q["period1"]) for q in dxy] == [int((newest_dxy - 3 * DAY).timestamp())]
    store = open_store(tmp_path / "store.sqlite")
    rows = dict(
        store.conn.execute("SELECT dataset, COUNT(*) FROM history_rows GROUP BY dataset").fetchall()
    )
    store.close()
    funding = 7894 + 7660  # BTC's since 10 September 2019, ETH's since 27 November 2019
    assert sum(rows[d] for d in DERIVATIVES) == funding + 2 * (HOURS + 728 + HOURS)
    assert sum(rows.values()) == sum(o.rows for o in first.result.outcomes)


def test_history_accumulates_from_the_store(
    first: First, server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COINGLASS_API_KEY", "test-key")
    # Later runs see only the last 30 days from Binance; the store keeps the rest.
    key = ("openInterestHist", "BTCUSDT")
    recent = _recent(server.data.tables[key], NOW - pd.Timedelta(days=30))
    monkeypatch.setitem(server.data.tables, key, recent)
    _gather(server, _from_first(first, tmp_path), ("BTC",))
    frame = pd.read_csv(tmp_path / "snap" / "open_interest/BTC.csv")
    assert len(frame) == HOURS


def _recent(table: Table, cut: pd.Timestamp) -> Table:
    ms = int(cut.value // 1_000_000)
    keep = [i for i, t in enumerate(table.times) if t >= ms]
    return Table([table.times[i] for i in keep], [table.rows[i] for i in keep])


def test_a_failed_fetch_falls_back_to_the_store(
    first: First, server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COINGLASS_API_KEY", "test-key")
    server.faults["/futures/data/openInterestHist"] = Fault(status=500)
    result = _gather(server, _from_first(first, tmp_path), ("BTC",), retries=0)
    oi = {o.file: o for o in result.outcomes}["open_interest/BTC.csv"]
    assert oi.status == "ok" and oi.fallback == "store" and "server error" in (oi.error or "")
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    entry = manifest["datasets"]["open_interest/BTC.csv"]
    assert entry["fallback"] == "store" and "server error" in entry["error"]
    assert entry["source"] == "Binance USDⓈ-M futures" and entry["rows"] == HOURS
    assert entry["venues"] == ["Binance"]
    rel = "open_interest/BTC.csv"
    assert (tmp_path / "snap" / rel).read_bytes() == (first.folder / rel).read_bytes()
    gaps = data_gaps(load_snapshot(tmp_path / "snap"), NOW, StaleSettings())
    assert not [g for g in gaps if replayed(g.dataset)]


def test_old_stored_rows_used_as_a_fallback_are_marked_stale_and_stated(
    first: First, server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COINGLASS_API_KEY", "test-key")
    server.faults["/futures/data/openInterestHist"] = Fault(status=500)
    later = NOW + pd.Timedelta(days=1)
    result = _gather(server, _from_first(first, tmp_path), ("BTC",), now=later, retries=0)
    oi = {o.file: o for o in result.outcomes}["open_interest/BTC.csv"]
    assert oi.status == "stale" and oi.fallback == "store"
    assert "server error" in (oi.error or "") and "older than 5h" in (oi.error or "")
    entry = json.loads((tmp_path / "snap" / "manifest.json").read_text())["datasets"][oi.file]
    assert entry["status"] == "stale" and entry["fallback"] == "store"
    gaps = data_gaps(load_snapshot(tmp_path / "snap"), later, StaleSettings())
    assert ("open_interest", "BTC") in [(g.dataset, g.asset) for g in gaps if g.newest]


def test_without_a_coinglass_key_liquidations_come_from_okx(
    server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COINGLASS_API_KEY", raising=False)
    before = server.count("/api/futures/liquidation/aggregated-history")
    result = _gather(server, tmp_path, ("BTC",))
    liq = {o.file: o for o in result.outcomes}["liquidations/BTC.csv"]
    assert liq.source == "OKX" and liq.status == "ok" and liq.rows == 24
    assert liq.venues == ("OKX",)
    frame = pd.read_csv(tmp_path / "snap" / "liquidations/BTC.csv")
    assert frame["long_usd"].sum() > 0 and frame["short_usd"].sum() > 0
    assert server.count("/api/futures/liquidation/aggregated-history") == before


# Liquidations as ccxt.pro delivers them (``info`` is the exchange's own message), recorded by
# ``collect``: two BTC hours before NOW with a quiet hour between, and one in the open hour.
H = NOW - pd.Timedelta(hours=3)


def _binance(t: pd.Timestamp, side: str, qty: str, price: str) -> dict[str, object]:
    info = {"s": "BTCUSDT", "S": side, "ap": price, "z": qty, "l": qty, "T": t.value // 10**6}
    return {"info": {"o": info}, "symbol": "BTC/USDT:USDT"}


def _bybit(t: pd.Timestamp, side: str, qty: str, price: str) -> dict[str, object]:
    return {"info": {"s": "BTCUSDT", "S": side, "v": qty, "p": price, "T": t.value // 10**6}}


def _record_events(store_path: Path) -> None:
    store = open_store(store_path)
    record(store, "binance", [_binance(H + pd.Timedelta(minutes=5), "SELL", "2", "100000")])
    record(store, "bybit", [_bybit(H + pd.Timedelta(minutes=7), "Sell", "1", "100000")])
    record(store, "bybit", [_bybit(H + pd.Timedelta(hours=2, minutes=1), "Buy", "1", "99000")])
    record(store, "binance", [_binance(NOW + pd.Timedelta(minutes=1), "BUY", "9", "99000")])
    store.close()


RECORDED_CSV = (
    "time,long_usd,short_usd\n"
    "2026-11-23T05:00:00Z,200000.00,100000.00\n"
    "2026-11-23T06:00:00Z,0.00,0.00\n"
    "2026-11-23T07:00:00Z,99000.00,0.00\n"
)


def test_recorded_liquidations_stand_in_when_okx_fails(
    server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COINGLASS_API_KEY", raising=False)
    _record_events(tmp_path / "store.sqlite")
    server.faults["/api/v5/public/liquidation-orders"] = Fault(status=500)
    result = _gather(server, tmp_path, ("BTC",), retries=0)
    liq = {o.file: o for o in result.outcomes}["liquidations/BTC.csv"]
    assert liq.status == "ok" and liq.source == RECORDED and liq.fallback == "recorded"
    assert "OKX: server error" in (liq.error or "")
    assert (tmp_path / "snap" / "liquidations/BTC.csv").read_text() == RECORDED_CSV
    entry = json.loads((tmp_path / "snap" / "manifest.json").read_text())["datasets"][liq.file]
    assert entry["source"] == RECORDED and entry["fallback"] == "recorded"
    assert entry["venues"] == ["Binance", "Bybit"]
    snapshot = load_snapshot(tmp_path / "snap")
    assert snapshot.assets["BTC"].liquidations is not None
    assert snapshot.assets["BTC"].liquidations.source == RECORDED


def test_recorded_liquidations_can_be_the_preferred_source(
    server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COINGLASS_API_KEY", raising=False)
    _record_events(tmp_path / "store.sqlite")
    before = server.count("/api/v5/public/liquidation-orders")
    result = _gather(server, tmp_path, ("BTC",), liquidations="recorded")
    liq = {o.file: o for o in result.outcomes}["liquidations/BTC.csv"]
    assert liq.status == "ok" and liq.source == RECORDED and liq.fallback is None
    assert (tmp_path / "snap" / "liquidations/BTC.csv").read_text() == RECORDED_CSV
    assert server.count("/api/v5/public/liquidation-orders") == before


def test_without_recorded_events_the_preferred_source_falls_back_to_auto(
    server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COINGLASS_API_KEY", raising=False)
    result = _gather(server, tmp_path, ("BTC",), liquidations="recorded")
    liq = {o.file: o for o in result.outcomes}["liquidations/BTC.csv"]
    assert liq.status == "ok" and liq.source == "OKX" and liq.fallback == "auto"
    assert "no BTC liquidations recorded" in (liq.error or "")


def test_stale_data_is_kept_marked_and_stated(server: ReplayServer, tmp_path: Path) -> None:
    server.faults["/fng/"] = Fault(stale_before=NOW - pd.Timedelta(days=5))
    result = _gather(server, tmp_path, ("BTC",))
    fng = {o.file: o for o in result.outcomes}["fear_greed.csv"]
    assert fng.status == "stale" and "older than 2D" in (fng.error or "")
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    assert manifest["datasets"]["fear_greed.csv"]["status"] == "stale"
    gaps = data_gaps(load_snapshot(tmp_path / "snap"), NOW, StaleSettings())
    assert [(g.dataset, g.asset) for g in gaps if g.newest is not None] == [("fear_greed", None)]
