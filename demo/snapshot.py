"""Write a ``Scenario`` as a ``marketnotes-snapshot/1`` directory: CSV tables and manifest.json.

The output is byte-for-byte reproducible: every column has a fixed number format, rows end with
``\\n``, the manifest has sorted keys, and nothing depends on the clock (``created_at`` is the
scenario's as-of). See ``docs/snapshot-format.md`` for the format itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from datasets import REGISTRY, DatasetSpec
from demo.scenario import Scenario
from sources.snapshot import FORMAT, to_csv

#: The human name each dataset cites ("according to Binance spot data"), as the live adapters
#: name it; each dataset's venues are its registry default (``DatasetSpec.venues``).
SOURCES: dict[str, str] = {
    "candles_1d": "Binance spot",
    "candles_1h": "Binance spot",
    "funding": "Binance USDⓈ-M futures",
    "open_interest": "Binance USDⓈ-M futures",
    "long_short": "Binance USDⓈ-M futures",
    "liquidations": "CoinGlass",
    "fear_greed": "Alternative.me Fear & Greed Index",
    "dxy": "ICE US Dollar Index via Yahoo Finance",
}


def write_snapshot(scenario: Scenario, out_dir: Path) -> None:
    """Write every table of ``scenario`` and its manifest under ``out_dir`` (created if needed)."""
    files = render_snapshot(scenario)
    for relative, text in files.items():
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")


def render_snapshot(scenario: Scenario) -> dict[str, str]:
    """The snapshot's files as ``{relative path: text}``, manifest.json last."""
    tables = _tables(scenario)
    files = {relative: to_csv(frame, spec.name) for relative, (spec, frame) in tables.items()}
    manifest = {
        "format": FORMAT,
        "created_at": _iso(scenario.as_of),
        "demo": True,
        "assets": list(scenario.assets),
        "generator": _generator(scenario),
        "datasets": {
            relative: {
                "source": SOURCES[spec.name],
                "rows": len(frame),
                "venues": list(spec.venues),
            }
            for relative, (spec, frame) in tables.items()
        },
    }
    files["manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
    files["manifest.json"] += "\n"
    return files


def _tables(scenario: Scenario) -> dict[str, tuple[DatasetSpec, pd.DataFrame]]:
    """Every table of the scenario by snapshot file, in registry order; a registered dataset
    the scenario does not generate is left out."""
    tables: dict[str, tuple[DatasetSpec, pd.DataFrame]] = {}
    for spec in REGISTRY:
        holders: dict[str | None, object] = {None: scenario}
        if spec.scope == "asset":
            holders = {code: frames for code, frames in scenario.assets.items()}
        for asset, holder in holders.items():
            frame = getattr(holder, spec.name, None)
            if frame is not None:
                tables[spec.file(asset)] = (spec, frame)
    return tables


def _generator(scenario: Scenario) -> str:
    """How to make the snapshot again: ``demo/scenario.py seed N``, with the scenario's name
    when it is not the demo (``demo/scenario.py crash seed N``)."""
    name = "" if scenario.name == "demo" else f" {scenario.name}"
    return f"demo/scenario.py{name} seed {scenario.seed}"


def _iso(ts: pd.Timestamp) -> str:
    """A UTC timestamp as ``2026-11-23T08:00:00Z``."""
    return ts.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
