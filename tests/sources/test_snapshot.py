"""Loading snapshots: valid ones become typed frames; a bad one fails with file, row and reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from errors import SnapshotError
from sources import load_snapshot

DAILY = "time,open,high,low,close,volume\n" + "".join(
    f"2026-01-{d:02d},{100 + d},{102 + d},{99 + d},{101 + d},5\n" for d in range(1, 11)
)


def make(tmp_path: Path, files: dict[str, str], manifest: dict[str, Any] | None = None) -> Path:
    """A snapshot in ``tmp_path`` holding ``files``, each cited as 'Test source'."""
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    doc = {
        "format": "marketnotes-snapshot/1",
        "created_at": "2026-01-11T00:00:00Z",
        "demo": False,
        "assets": ["BTC"],
        "datasets": {rel: {"source": "Test source"} for rel in files},
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest or doc))
    return tmp_path


def test_valid_snapshot_loads_typed_utc_frames(tmp_path: Path) -> None:
    funding = "time,rate,extra\n2026-01-01T00:00:00+00:00,0.0001,x\n2026-01-01 08:00:00,-0.0002,y\n"
    snap = load_snapshot(make(tmp_path, {"candles_1d/BTC.csv": DAILY, "funding/BTC.csv": funding}))
    btc = snap.assets["BTC"]
    assert list(btc.candles_1d.frame.columns) == ["open", "high", "low", "close", "volume"]
    index = btc.candles_1d.frame.index
    assert isinstance(index, pd.DatetimeIndex) and str(index.tz) == "UTC"
    assert btc.candles_1d.interval == pd.Timedelta(days=1)
    assert btc.funding is not None and list(btc.funding.frame.columns) == ["rate"]
    assert btc.funding.frame.index[1] == pd.Timestamp("2026-01-01T08:00Z")
    assert btc.candles_1h is None and snap.dxy is None
    assert btc.funding.source == "Test source"


def test_cut_keeps_only_closed_candles_and_rows_known_at_as_of(tmp_path: Path) -> None:
    snap = load_snapshot(make(tmp_path, {"candles_1d/BTC.csv": DAILY}))
    cut = snap.cut(pd.Timestamp("2026-01-05T12:00Z"))
    # The candle opened 2026-01-05 closes at 2026-01-06 00:00: not yet known.
    assert cut.assets["BTC"].candles_1d.frame.index[-1] == pd.Timestamp("2026-01-04T00:00Z")


def _bad_row(text: str, row: int, replacement: str) -> str:
    lines = text.splitlines()
    lines[row] = replacement
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"candles_1d/BTC.csv": _bad_row(DAILY, 3, "2026-01-03,103,105,102,abc,5")},
            "candles_1d/BTC.csv, row 3: close 'abc' is not a number",
        ),
        (
            {"candles_1d/BTC.csv": _bad_row(DAILY, 2, "yesterday,103,105,102,104,5")},
            "candles_1d/BTC.csv, row 2: time 'yesterday' is not an ISO-8601 time",
        ),
        (
            {"candles_1d/BTC.csv": _bad_row(DAILY, 4, "2026-01-04,103,105,102,-1,5")},
            "candles_1d/BTC.csv, row 4: close=-1.0 outside [0, 1e+09]",
        ),
        (
            {"candles_1d/BTC.csv": _bad_row(DAILY, 5, "2026-01-05,103,104,102,106,5")},
            "candles_1d/BTC.csv, row 5: candle high/low do not contain its open and close",
        ),
        (
            {"candles_1d/BTC.csv": _bad_row(DAILY, 6, "2026-01-05,103,105,102,104,5")},
            "candles_1d/BTC.csv, row 6: time is not strictly increasing",
        ),
        (
            {"candles_1d/BTC.csv": "time,open,high,low,volume\n2026-01-01,1,1,1,1\n"},
            "candles_1d/BTC.csv: missing column(s) close",
        ),
        (
            {"candles_1d/BTC.csv": "time,open,high,low,close,volume\n"},
            "candles_1d/BTC.csv: has no rows",
        ),
        (
            {
                "candles_1d/BTC.csv": DAILY,
                "long_short/BTC.csv": "time,long_pct\n2026-01-01,40\n2026-01-02,140\n",
            },
            "long_short/BTC.csv, row 2: long_pct=140.0 outside [0, 100]",
        ),
        (
            {"funding/BTC.csv": "time,rate\n2026-01-01,0.0001\n"},
            "candles_1d/BTC.csv: missing (daily candles are required)",
        ),
    ],
)
def test_bad_file_names_file_row_and_problem(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    with pytest.raises(SnapshotError) as err:
        load_snapshot(make(tmp_path, files))
    assert str(err.value).startswith(message)


def test_uncited_file_is_refused(tmp_path: Path) -> None:
    path = make(tmp_path, {"candles_1d/BTC.csv": DAILY})
    (path / "dxy.csv").write_text("time,close\n2026-01-01,99\n")
    with pytest.raises(SnapshotError, match=r"^dxy.csv: not listed in manifest.json"):
        load_snapshot(path)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("{not json", "manifest.json: not valid JSON"),
        ('{"format": "other/2"}', 'manifest.json: "format" must be "marketnotes-snapshot/1"'),
        (
            '{"format": "marketnotes-snapshot/1", "assets": [], "datasets": {}}',
            'manifest.json: "assets" must be a non-empty list',
        ),
    ],
)
def test_bad_manifest(tmp_path: Path, manifest: str, message: str) -> None:
    (tmp_path / "manifest.json").write_text(manifest)
    with pytest.raises(SnapshotError, match="^" + message):
        load_snapshot(tmp_path)


def test_unknown_asset_requested(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match=r"asset\(s\) DOGE not in"):
        load_snapshot(make(tmp_path, {"candles_1d/BTC.csv": DAILY}), ["DOGE"])
