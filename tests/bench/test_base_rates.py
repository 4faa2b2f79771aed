"""The base-rate bench runs on the demo snapshot and reports the figure the issue budgets."""

from __future__ import annotations

import re

import pytest

from bench import base_rates
from pipeline import default_as_of
from sources import load_snapshot


def test_the_bench_prints_what_base_rates_add(capsys: pytest.CaptureFixture[str]) -> None:
    base_rates.main(["--runs", "1"])
    out = capsys.readouterr().out
    added = r"they add -?\d+\.\d ms \(median of paired runs; 3 fired; (within|OVER) 100 ms\)"
    assert re.search(added, out), out
    assert "every scan, both directions: median" in out


def test_every_scan_counts_cases_of_both_directions() -> None:
    snapshot = load_snapshot(base_rates.DEMO)
    assert base_rates.every_scan(snapshot, default_as_of(snapshot))() > 12
