"""A snapshot holding rows after as-of gives exactly the facts of one cut at as-of.

The cut here is done on the files themselves, independently of ``Dataset.cut``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import compute_facts
from pipeline import default_as_of
from sources import load_snapshot
from sources.calendar import load_fomc
from tests.conftest import DEMO

BAR = {
    "candles_1d": pd.Timedelta(days=1),
    "candles_1h": pd.Timedelta(hours=1),
    "dxy": pd.Timedelta(days=1),
}


def truncate_files(src: Path, dst: Path, as_of: pd.Timestamp) -> Path:
    """Copy the snapshot, keeping only rows known at ``as_of`` in every CSV."""
    shutil.copytree(src, dst)
    for csv in dst.rglob("*.csv"):
        name = csv.parent.name if csv.parent != dst else csv.stem
        table = pd.read_csv(csv, dtype=str)
        known_at = pd.to_datetime(table["time"], utc=True, format="ISO8601") + BAR.get(
            name, pd.Timedelta(0)
        )
        table[known_at <= as_of].to_csv(csv, index=False)
    return dst


@pytest.mark.parametrize("hours_back", [0, 5, 30, 47, 24 * 9 + 13])
def test_later_rows_change_nothing(tmp_path: Path, hours_back: int) -> None:
    full = load_snapshot(DEMO)
    as_of = default_as_of(full) - pd.Timedelta(hours=hours_back)
    cut = load_snapshot(truncate_files(DEMO, tmp_path / "cut", as_of))
    with_future = compute_facts(full, as_of, fomc=load_fomc())
    without = compute_facts(cut, as_of, fomc=load_fomc())
    assert with_future, "the demo snapshot should yield facts"
    as_json = [json.dumps([f.id, f.asset, f.value, dict(f.evidence)]) for f in with_future]
    assert as_json == [json.dumps([f.id, f.asset, f.value, dict(f.evidence)]) for f in without]


@pytest.mark.parametrize("hours_back", [0, 30])
def test_base_rates_see_no_later_rows(tmp_path: Path, hours_back: int) -> None:
    """The base rates fire on the demo at these as-ofs (a level break, a 5 % move, and the
    market-wide DXY level break for Bitcoin), and a snapshot truncated there gives the same
    cases and forward returns."""
    full = load_snapshot(DEMO)
    as_of = default_as_of(full) - pd.Timedelta(hours=hours_back)
    cut = load_snapshot(truncate_files(DEMO, tmp_path / "cut", as_of))
    found = [
        [
            json.dumps([f.asset, f.value, dict(f.evidence)])
            for f in facts
            if f.id in ("context.base_rate", "context.market_base_rate")
        ]
        for facts in (compute_facts(full, as_of), compute_facts(cut, as_of))
    ]
    assert len(found[0]) == 3
    assert found[0] == found[1]
