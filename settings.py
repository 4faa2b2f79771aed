"""Defaults of the brief command, in one place. (A settings file arrives with live gathering.)"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent

DEMO_SNAPSHOT = ROOT / "demo" / "snapshot"
"""The bundled demo snapshot, written by ``python -m demo``."""

OUTPUT_DIR = ROOT / "output"
"""Where briefs are written: ``<OUTPUT_DIR>/<YYYY-MM-DD>/``."""

FORMATS = ("html", "pdf", "json")
"""Every output format; ``--formats`` picks a subset."""

STALE_AFTER: dict[str, str] = {
    "candles_1h": "3h",
    "candles_1d": "2D",
    "funding": "17h",
    "open_interest": "3h",
    "liquidations": "3h",
    "long_short": "3h",
    "fear_greed": "2D",
    "dxy": "4D",
}
"""How old a dataset's newest row may be at as-of before the note calls it stale."""
