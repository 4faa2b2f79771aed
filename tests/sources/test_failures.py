"""Each source failing alone: the others are still gathered, the manifest and the note say so.

Most gathers here run against the last 5 days of the market (``short_server``): failures need
no history, and the full history is covered by ``test_gather``. Only the Latin square, which
injects timeouts, uses a short request timeout; the rest wait as long as a loaded machine may
need.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from devtools.replay_server import Fault, ReplayServer
from pipeline import data_gaps
from settings import StaleSettings
from sources import load_snapshot
from sources.gather import GatherResult, gather
from tests.sources.conftest import NOW, frozen_exchange, replayed

# path on the server → the snapshot files it feeds (BTC only)
SOURCES = {
    "/api/v3/klines": ["candles_1d/BTC.csv", "candles_1h/BTC.csv"],
    "/fapi/v1/fundingRate": ["funding/BTC.csv"],
    "/futures/data/openInterestHist": ["open_interest/BTC.csv"],
    "/futures/data/globalLongShortAccountRatio": ["long_short/BTC.csv"],
    "/api/futures/liquidation/aggregated-history": ["liquidations/BTC.csv"],
    "/fng/": ["fear_greed.csv"],
}
FAULTS = {
    "timeout": (Fault(delay=1.0), "timed out"),
    "429": (Fault(status=429, headers={"Retry-After": "0"}), "rate limited"),
    "500": (Fault(status=500), "server error"),
    "malformed": (Fault(body=b'{"data": [1, 2'), ""),
    "empty": (Fault(empty=True), ""),
}


def _gather(
    server: ReplayServer, tmp_path: Path, assets: tuple[str, ...] = ("BTC",), timeout: float = 2.0
) -> GatherResult:
    settings = server.settings(tmp_path / "store.sqlite", timeout=timeout, retries=1)
    return gather(settings, tmp_path / "snap", assets, now=NOW, exchange_factory=frozen_exchange())


PATHS = [p for p in SOURCES if p != "/api/v3/klines"]
KINDS = list(FAULTS)


@pytest.mark.usefixtures("coinglass_key")
@pytest.mark.parametrize("shift", range(len(KINDS)))
def test_every_fault_on_every_source_leaves_the_rest(
    short_server: ReplayServer, tmp_path: Path, shift: int
) -> None:
    """Five gathers, a Latin square: each source meets each fault once, in a different gather,
    next to other sources failing differently; every other dataset is still gathered."""
    plan = {path: KINDS[(i + shift) % len(KINDS)] for i, path in enumerate(PATHS)}
    for path, kind in plan.items():
        short_server.faults[path] = FAULTS[kind][0]
    result = _gather(short_server, tmp_path, timeout=0.3)
    by_file = {o.file: o for o in result.outcomes}
    failing = {f: FAULTS[kind][1] for path, kind in plan.items() for f in SOURCES[path]}
    for f, message in failing.items():
        assert by_file[f].status == "failed", (f, by_file[f])
        assert message in (by_file[f].error or ""), (f, by_file[f].error)
    others = [o for o in result.outcomes if o.file not in failing and replayed(o.dataset)]
    assert all(o.status == "ok" for o in others)
    _check_stated(tmp_path, set(failing))


@pytest.mark.usefixtures("coinglass_key")
@pytest.mark.parametrize("path", PATHS)
def test_one_source_failing_alone_leaves_the_rest(
    short_server: ReplayServer, tmp_path: Path, path: str
) -> None:
    short_server.faults[path] = Fault(status=500)
    result = _gather(short_server, tmp_path)
    files = set(SOURCES[path])
    failed = [o for o in result.failed if replayed(o.dataset)]
    assert {o.file for o in failed} == files
    assert all("server error" in (o.error or "") for o in failed)
    _check_stated(tmp_path, files)


def _check_stated(tmp_path: Path, files: set[str]) -> None:
    """The manifest lists each failed file with its error, and the brief names the gap."""
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    assert {f for f in manifest["unavailable"] if replayed(f)} == files
    assert all(manifest["unavailable"][f]["error"] for f in files)
    snapshot = load_snapshot(tmp_path / "snap")  # still a valid snapshot
    gaps = data_gaps(snapshot, NOW, StaleSettings())
    gapped = {g.dataset for g in gaps if replayed(g.dataset)}
    assert gapped == {f.split("/")[0].removesuffix(".csv") for f in files}


@pytest.mark.usefixtures("coinglass_key")
def test_a_429_is_retried_after_retry_after(short_server: ReplayServer, tmp_path: Path) -> None:
    faults = short_server.faults
    faults["/fng/"] = Fault(status=429, headers={"Retry-After": "0.2"}, times=1)
    faults["/fapi/v1/fundingRate"] = Fault(status=429, headers={"Retry-After": "0"}, times=1)
    result = _gather(short_server, tmp_path)
    assert not [o for o in result.failed if replayed(o.dataset)]
    assert short_server.count("/fng/") == 2


@pytest.mark.usefixtures("coinglass_key")
def test_an_asset_without_daily_candles_is_left_out(
    short_server: ReplayServer, tmp_path: Path
) -> None:
    short_server.faults["/api/v3/klines"] = Fault(status=500)
    from errors import SourceError

    with pytest.raises(SourceError, match="daily candles"):
        _gather(short_server, tmp_path)


@pytest.mark.usefixtures("coinglass_key")
def test_dxy_falls_back_to_the_synthetic_index(server: ReplayServer, tmp_path: Path) -> None:
    server.faults["/v8/finance/chart/DX-Y.NYB"] = Fault(status=500)
    result = _gather(server, tmp_path)
    dxy = {o.file: o for o in result.outcomes}["dxy.csv"]
    assert dxy.status == "ok" and "synthetic" in dxy.source
    live = pd.read_csv(tmp_path / "snap" / "dxy.csv")
    demo = pd.read_csv(Path(__file__).parents[2] / "demo" / "snapshot" / "dxy.csv")
    assert len(live) == len(demo)
    assert (live["close"] - demo["close"]).abs().max() < 0.01
    snapshot = load_snapshot(tmp_path / "snap")
    assert snapshot.dxy is not None and "synthetic" in snapshot.dxy.source


@pytest.mark.usefixtures("coinglass_key")
def test_the_okx_side_means_the_order_side() -> None:
    from sources.okx import liquidated_side

    assert liquidated_side({"side": "buy", "posSide": ""}) == "short"
    assert liquidated_side({"side": "sell", "posSide": "net"}) == "long"
    assert liquidated_side({"side": "buy", "posSide": "long"}) == "long"
