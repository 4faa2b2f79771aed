"""OKX liquidations: only what the orders prove is published.

Before, an empty or stale OKX answer was bucketed into zeros up to now, published with status
ok, and the note said "No positions were liquidated in the latest hour". Now an empty answer is
a failure, buckets end at the newest order's hour, stale liquidations are left out of the
snapshot (unavailable, said in the manifest and the note), and a truncated page is followed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from devtools.replay_server import Fault, ReplayServer
from pipeline import data_gaps
from settings import StaleSettings
from sources import load_snapshot
from sources.gather import GatherResult, Outcome, gather
from tests.sources.conftest import NOW, frozen_exchange

ORDERS = "/api/v5/public/liquidation-orders"


@pytest.fixture(autouse=True)
def _no_coinglass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COINGLASS_API_KEY", raising=False)  # liquidations come from OKX


def _gather(server: ReplayServer, tmp_path: Path) -> tuple[GatherResult, Outcome]:
    settings = server.settings(tmp_path / "store.sqlite", retries=0)
    result = gather(
        settings, tmp_path / "snap", ("BTC",), now=NOW, exchange_factory=frozen_exchange()
    )
    return result, {o.file: o for o in result.outcomes}["liquidations/BTC.csv"]


def _unavailable(tmp_path: Path) -> dict[str, Any]:
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    assert "liquidations/BTC.csv" not in manifest["datasets"]
    assert not (tmp_path / "snap" / "liquidations" / "BTC.csv").exists()
    gaps = data_gaps(load_snapshot(tmp_path / "snap"), NOW, StaleSettings())
    assert ("liquidations", "BTC", None) in [(g.dataset, g.asset, g.newest) for g in gaps]
    entry: dict[str, Any] = manifest["unavailable"]["liquidations/BTC.csv"]
    return entry


def test_an_empty_answer_is_unavailable_not_zero(
    short_server: ReplayServer, tmp_path: Path
) -> None:
    short_server.faults[ORDERS] = Fault(empty=True)
    _, liq = _gather(short_server, tmp_path)
    assert liq.status == "failed"
    assert "OKX: no BTC liquidation orders in the last day" in (liq.error or "")
    entry = _unavailable(tmp_path)
    assert entry["status"] == "failed" and "no BTC liquidation orders" in entry["error"]


def test_a_stale_answer_is_unavailable_and_said(short_server: ReplayServer, tmp_path: Path) -> None:
    short_server.faults[ORDERS] = Fault(stale_before=NOW - pd.Timedelta(hours=6))
    result, liq = _gather(short_server, tmp_path)
    assert liq.status == "stale" and liq in result.stale
    assert "stale liquidations are not published" in (liq.error or "")
    entry = _unavailable(tmp_path)
    assert entry["status"] == "stale" and entry["newest"] == "2026-11-23T01:00:00Z"


def test_buckets_end_at_the_newest_order(short_server: ReplayServer, tmp_path: Path) -> None:
    short_server.faults[ORDERS] = Fault(stale_before=NOW - pd.Timedelta(hours=2))
    _, liq = _gather(short_server, tmp_path)
    assert liq.status == "ok" and liq.newest == NOW - pd.Timedelta(hours=3)
    frame = pd.read_csv(tmp_path / "snap" / "liquidations" / "BTC.csv")
    assert frame["time"].iloc[-1] == "2026-11-23T05:00:00Z"  # no zeros after the last order


def test_a_truncated_page_is_not_the_start_of_the_day(
    short_server: ReplayServer, tmp_path: Path
) -> None:
    _, whole = _gather(short_server, tmp_path / "whole")
    short_server.faults[ORDERS] = Fault(cap=10)
    _, capped = _gather(short_server, tmp_path / "capped")
    assert whole.rows == capped.rows == 24 and capped.status == "ok"
    file = Path("snap") / "liquidations" / "BTC.csv"
    assert (tmp_path / "capped" / file).read_text() == (tmp_path / "whole" / file).read_text()
