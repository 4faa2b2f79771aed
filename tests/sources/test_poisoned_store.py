"""One bad value never poisons the history store: every dataset is checked against its bounds
at the gather boundary, and stored rows again when they are read back.

Before, only prices were checked: a negative open interest, a long/short share over 100 % or a
negative Fear & Greed value was stored and written, the snapshot loader refused it, and every
live brief exited 2 until the row aged out of the window, with the API healthy again.
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
from sources.gather import GatherResult, gather
from store import open_store
from tests.sources.conftest import NOW, frozen_exchange, replayed

BAD = {
    # (table, symbol): (field of the row, bad value, snapshot file)
    ("openInterestHist", "BTCUSDT"): ("sumOpenInterestValue", "-5.00", "open_interest/BTC.csv"),
    ("globalLongShortAccountRatio", "BTCUSDT"): ("longAccount", "1.4000", "long_short/BTC.csv"),
    ("fng", ""): ("value", "-3", "fear_greed.csv"),
}


def _gather(server: ReplayServer, tmp_path: Path, **sources: Any) -> GatherResult:
    settings = server.settings(tmp_path / "store.sqlite", **sources)
    return gather(
        settings, tmp_path / "snap", ("BTC",), now=NOW, exchange_factory=frozen_exchange()
    )


def _with_bad_row(table: Table, field: str, value: str) -> Table:
    """``table`` with its middle row carrying ``value`` in ``field``."""
    rows = list(table.rows)
    i = len(rows) // 2
    rows[i] = rows[i] | {field: value}
    return Table(list(table.times), rows)


def _stored(tmp_path: Path, dataset: str) -> list[dict[str, Any]]:
    store = open_store(tmp_path / "store.sqlite")
    try:
        rows = store.conn.execute(
            "SELECT data FROM history_rows WHERE dataset = ? ORDER BY time_ms", (dataset,)
        ).fetchall()
    finally:
        store.close()
    return [json.loads(r[0]) for r in rows]


@pytest.mark.usefixtures("coinglass_key")
def test_a_bad_value_fails_its_dataset_alone_and_the_next_gather_recovers(
    short_server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as poisoned:
        for key, (field, value, _) in BAD.items():
            table = short_server.data.tables[key]
            poisoned.setitem(short_server.data.tables, key, _with_bad_row(table, field, value))
        result = _gather(short_server, tmp_path)
    by_file = {o.file: o for o in result.outcomes}
    for *_, file in BAD.values():
        assert by_file[file].status == "failed", by_file[file]
        assert "outside [0, " in (by_file[file].error or ""), by_file[file].error
    assert "oi_usd=-5.0 outside [0, 1e+13]" in (by_file["open_interest/BTC.csv"].error or "")
    others = [o for o in result.outcomes if o.file not in {f for *_, f in BAD.values()}]
    assert all(o.status == "ok" for o in others if replayed(o.dataset))
    for dataset in ("open_interest", "long_short", "fear_greed"):
        assert _stored(tmp_path, dataset) == []  # nothing of a failed fetch is stored
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    assert {f for *_, f in BAD.values()} <= set(manifest["unavailable"])
    load_snapshot(tmp_path / "snap")  # the brief can be written, stating the gaps

    healed = _gather(short_server, tmp_path)  # the API is healthy again
    assert all(o.status == "ok" for o in healed.outcomes if replayed(o.dataset))
    assert load_snapshot(tmp_path / "snap").assets["BTC"].open_interest is not None


def _poison(tmp_path: Path, dataset: str, age: pd.Timedelta, data: dict[str, Any]) -> None:
    """Overwrite the stored row of ``dataset`` ``age`` before ``NOW`` (as an older version
    would have stored it)."""
    store = open_store(tmp_path / "store.sqlite")
    try:
        with store.transaction() as conn:
            done = conn.execute(
                "UPDATE history_rows SET data = ? WHERE dataset = ? AND time_ms = ?",
                (json.dumps(data), dataset, int((NOW - age).value // 1_000_000)),
            )
            assert done.rowcount == 1
    finally:
        store.close()


@pytest.mark.usefixtures("coinglass_key")
def test_a_stored_row_failing_validation_is_skipped_and_reported(
    short_server: ReplayServer, tmp_path: Path
) -> None:
    first = _gather(short_server, tmp_path)
    assert all(o.status == "ok" for o in first.outcomes if replayed(o.dataset))
    healthy = (tmp_path / "snap" / "open_interest" / "BTC.csv").read_text().splitlines()
    _poison(tmp_path, "open_interest", pd.Timedelta(days=2), {"oi_usd": -5.0})
    _poison(tmp_path, "fear_greed", pd.Timedelta(days=3, hours=8), {"value": 250})

    second = _gather(short_server, tmp_path)
    oi = {o.file: o for o in second.outcomes}["open_interest/BTC.csv"]
    assert oi.status == "ok" and oi.rows == len(healthy) - 2  # the header, the skipped row
    assert "skipped 1 stored row(s) failing validation" in (oi.error or "")
    assert "oi_usd=-5.0 outside [0, 1e+13]" in (oi.error or "")
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    assert "skipped 1 stored row(s)" in manifest["datasets"]["open_interest/BTC.csv"]["error"]
    load_snapshot(tmp_path / "snap")
    # Fear & Greed is fetched whole each time: the fresh row replaces the poisoned one
    assert all(0 <= row["value"] <= 100 for row in _stored(tmp_path, "fear_greed"))

    short_server.faults["/futures/data/openInterestHist"] = Fault(status=500)
    third = _gather(short_server, tmp_path, retries=0)
    oi = {o.file: o for o in third.outcomes}["open_interest/BTC.csv"]
    assert oi.status == "ok" and oi.fallback == "store" and oi.rows == len(healthy) - 2
    assert "server error" in (oi.error or "") and "skipped 1 stored row(s)" in (oi.error or "")
    load_snapshot(tmp_path / "snap")
