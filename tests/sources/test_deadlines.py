"""A trickling server never hangs a gather: every request has a total deadline, and the whole
gather a wall-clock budget.

httpx's ``timeout`` bounds each wait for the next bytes, so a server sending one byte a second
kept a request (and the cron run, and its daily lock) going for as long as it liked. Here the
loopback server writes each answer one byte at a time, each well within the per-read timeout.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from devtools.replay_server import Fault, ReplayServer
from sources import load_snapshot
from sources.gather import GatherResult, Outcome, gather
from tests.sources.conftest import NOW, frozen_exchange, replayed

TRICKLE = Fault(drip=0.05)
"""One byte every 50 ms: each read well within the timeout, a whole answer in minutes."""


def _gather(
    server: ReplayServer, tmp_path: Path, sequential: bool = False, **sources: Any
) -> tuple[GatherResult, float]:
    settings = server.settings(tmp_path / "store.sqlite", **sources)
    start = time.monotonic()
    result = gather(
        settings,
        tmp_path / "snap",
        ("BTC",),
        now=NOW,
        exchange_factory=frozen_exchange(),
        sequential=sequential,
    )
    return result, time.monotonic() - start


def _outcome(result: GatherResult, file: str) -> Outcome:
    return {o.file: o for o in result.outcomes}[file]


@pytest.mark.parametrize(
    ("path", "file"),
    [
        ("/fng/", "fear_greed.csv"),
        ("/api/v5/public/liquidation-orders", "liquidations/BTC.csv"),
        ("/fapi/v1/fundingRate", "funding/BTC.csv"),
    ],
)
def test_a_trickling_answer_is_cut_off_at_the_request_deadline(
    short_server: ReplayServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    file: str,
) -> None:
    monkeypatch.delenv("COINGLASS_API_KEY", raising=False)  # liquidations from OKX (httpx)
    short_server.faults[path] = TRICKLE
    # each wait may take 5 s (ccxt's own total timeout too): the deadline cuts in first
    result, seconds = _gather(short_server, tmp_path, timeout=5.0, request_deadline=2.5, retries=1)
    outcome = _outcome(result, file)
    assert outcome.status == "failed"
    assert "no whole answer within 2.5 s" in (outcome.error or ""), outcome.error
    assert short_server.count(path) == 2  # a cut-off request is retried like a timeout
    assert seconds < 2 * 2.5 + 10  # not the minutes the whole answer would take
    others = [o for o in result.outcomes if o.file != file and replayed(o.dataset)]
    assert all(o.status == "ok" for o in others)


@pytest.mark.usefixtures("coinglass_key")
def test_the_whole_gather_ends_within_its_budget(
    short_server: ReplayServer, tmp_path: Path
) -> None:
    first, _ = _gather(short_server, tmp_path)  # the store holds every dataset
    assert _outcome(first, "fear_greed.csv").status == "ok"
    short_server.faults["/fng/"] = TRICKLE
    result, seconds = _gather(short_server, tmp_path, gather_budget=4.0, request_deadline=600.0)
    assert seconds < 4.0 + 10  # the budget, plus writing the snapshot on a loaded machine
    fng = _outcome(result, "fear_greed.csv")
    assert "gather budget of 4 s ran out ([sources] gather_budget)" in (fng.error or "")
    assert fng.status == "ok" and fng.fallback == "store"  # what earlier gathers stored
    others = [o for o in result.outcomes if o.file != fng.file and replayed(o.dataset)]
    assert all(o.status == "ok" and o.fallback is None for o in others)
    load_snapshot(tmp_path / "snap")


@pytest.mark.usefixtures("coinglass_key")
@pytest.mark.parametrize("sequential", [False, True])
def test_without_stored_rows_an_unfinished_dataset_is_unavailable(
    short_server: ReplayServer, tmp_path: Path, sequential: bool
) -> None:
    """One dataset after another (the benchmark's mode) shares the same budget."""
    short_server.faults["/fng/"] = TRICKLE
    result, seconds = _gather(
        short_server, tmp_path, sequential, gather_budget=4.0, request_deadline=600.0
    )
    assert seconds < 4.0 + 10
    fng = _outcome(result, "fear_greed.csv")
    assert fng.status == "failed" and "gather budget of 4 s ran out" in (fng.error or "")
    assert not (tmp_path / "snap" / "fear_greed.csv").exists()
    assert _outcome(result, "candles_1d/BTC.csv").status == "ok"
