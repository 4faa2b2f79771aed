"""Hostile snapshots: each is refused with exit 2 and one line naming the file, never exit 1,
a hang or a brief written from it.

Every case starts from a copy of the demo snapshot and breaks one thing, as someone handing
over a snapshot could: a manifest nested too deeply for the JSON parser, an asset code that is
a path, a source name matplotlib would read as a formula, a CSV too large to read, a listed
CSV that is a directory, a FIFO or a symlink to outside.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import generate
from errors import SnapshotError
from sources import load_snapshot
from tests.conftest import DEMO


def _copy(tmp_path: Path) -> Path:
    snap = tmp_path / "snap"
    shutil.copytree(DEMO, snap)
    return snap


def _manifest(snap: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = snap / "manifest.json"
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def _nested(snap: Path) -> None:
    (snap / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)


def _long_number(snap: Path) -> None:
    (snap / "manifest.json").write_text('{"format": ' + "1" * 5000 + "}")


def _manifest_directory(snap: Path) -> None:
    (snap / "manifest.json").unlink()
    (snap / "manifest.json").mkdir()


def _asset(code: str) -> Callable[[Path], None]:
    def change(snap: Path) -> None:
        _manifest(snap, lambda doc: doc.update(assets=[code]))

    return change


def _source(name: str) -> Callable[[Path], None]:
    def change(snap: Path) -> None:
        _manifest(snap, lambda doc: doc["datasets"]["candles_1d/BTC.csv"].update(source=name))

    return change


def _venue(snap: Path) -> None:
    _manifest(snap, lambda doc: doc["datasets"]["dxy.csv"].update(venues=["OK\nX"]))


def _classification(snap: Path) -> None:
    path = snap / "fear_greed.csv"
    lines = path.read_text().splitlines()
    lines[-1] = lines[-1].rpartition(",")[0] + r",$\frac{a}{$"
    path.write_text("\n".join(lines) + "\n")


def _huge_csv(snap: Path) -> None:
    """A 2 GB hourly-candle file (sparse: it takes no disk)."""
    with (snap / "candles_1h" / "BTC.csv").open("r+b") as handle:
        handle.truncate(2 * 1024**3)


def _directory(snap: Path) -> None:
    (snap / "funding" / "BTC.csv").unlink()
    (snap / "funding" / "BTC.csv").mkdir()


def _fifo(snap: Path) -> None:
    (snap / "funding" / "BTC.csv").unlink()
    os.mkfifo(snap / "funding" / "BTC.csv")


def _symlink_out(snap: Path) -> None:
    outside = snap.parent / "elsewhere.csv"
    shutil.copy(snap / "funding" / "BTC.csv", outside)
    (snap / "funding" / "BTC.csv").unlink()
    (snap / "funding" / "BTC.csv").symlink_to(outside)


def _huge_close(value: str) -> Callable[[Path], None]:
    def change(snap: Path) -> None:
        path = snap / "candles_1d" / "BTC.csv"
        lines = path.read_text().splitlines()
        cells = lines[-1].split(",")
        cells[4] = value
        lines[-1] = ",".join(cells)
        path.write_text("\n".join(lines) + "\n")

    return change


CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "nested manifest": (_nested, "manifest.json: not valid JSON (nested too deeply)"),
    "overlong number": (_long_number, "manifest.json: not valid JSON"),
    "manifest is a folder": (_manifest_directory, "manifest.json: is not a regular file"),
    "asset with a slash": (_asset("BTC/USDT"), "manifest.json: asset BTC/USDT is not a code"),
    "asset with ..": (_asset("../BTC"), "manifest.json: asset ../BTC is not a code"),
    "formula in a source": (
        _source(r"$\frac{a}{$"),
        """manifest.json: "source" of candles_1d/BTC.csv has a '$' """,
    ),
    "newline in a source": (_source("Binance\nspot"), "has a control character"),
    "empty source": (_source(" "), '"source" of candles_1d/BTC.csv is empty'),
    "newline in a venue": (_venue, '"venues" of dxy.csv has a control character'),
    "formula in a text cell": (_classification, "fear_greed.csv, row "),
    "2 GB CSV": (_huge_csv, "candles_1h/BTC.csv: is larger than 50 MB ([sources] max_file_mb)"),
    "listed CSV is a folder": (_directory, "funding/BTC.csv: is not a regular file"),
    "listed CSV is a FIFO": (_fifo, "funding/BTC.csv: is not a regular file"),
    "symlink to outside": (_symlink_out, "funding/BTC.csv: is a symlink to outside the snapshot"),
    "close of 1e300": (_huge_close("1e300"), "close=1e+300 outside [0, 1e+09]"),
    "overflowed close": (
        _huge_close("2147483648000000"),
        "close=2147483648000000.0 outside [0, 1e+09]",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_snapshot_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    spoil, message = CASES[case]
    snap = _copy(tmp_path)
    spoil(snap)
    out = tmp_path / "out"
    args = ["brief", "--snapshot", str(snap), "--out", str(out), "--formats", "html"]
    assert generate.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert message in err, err
    assert not out.exists() or not any(out.iterdir())


def test_a_symlink_within_the_snapshot_is_read(tmp_path: Path) -> None:
    snap = _copy(tmp_path)
    kept = snap / "kept" / "funding.txt"
    kept.parent.mkdir()
    (snap / "funding" / "BTC.csv").rename(kept)
    (snap / "funding" / "BTC.csv").symlink_to(Path("..") / "kept" / "funding.txt")
    funding = load_snapshot(snap).assets["BTC"].funding
    demo = load_snapshot(DEMO).assets["BTC"].funding
    assert funding is not None and demo is not None and funding.frame.equals(demo.frame)


def test_the_size_cap_is_the_setting(tmp_path: Path) -> None:
    snap = _copy(tmp_path)
    assert (snap / "candles_1d" / "BTC.csv").stat().st_size > 10_000
    with pytest.raises(SnapshotError, match=r"^candles_1d/BTC.csv: is larger than 0.01 MB"):
        load_snapshot(snap, max_mb=0.01)
    config = tmp_path / "s.toml"
    config.write_text("[sources]\nmax_file_mb = 0.01\n")
    args = ["--config", str(config), "brief", "--snapshot", str(snap), "--out", str(tmp_path)]
    assert generate.main([*args, "--formats", "json"]) == 2
