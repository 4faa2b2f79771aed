"""``python -m demo [--scenario NAME] [--out DIR]``: write a scenario's snapshot, list its files.

Without ``--scenario`` it regenerates the bundled demo snapshot; another scenario needs ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from demo.scenario import SCENARIOS, SEED, build_scenario
from demo.snapshot import write_snapshot

DEFAULT_OUT = Path(__file__).resolve().parent / "snapshot"


def main(argv: Sequence[str] | None = None) -> int:
    """Build a seeded scenario, write it as a snapshot, print each file and its row count."""
    parser = argparse.ArgumentParser(
        prog="python -m demo", description="Write a seeded scenario's snapshot, byte for byte."
    )
    parser.add_argument(
        "--scenario", choices=SCENARIOS, default="demo", help="the story to tell (default: demo)"
    )
    parser.add_argument(
        "--out", type=Path, help=f"output directory (default for the demo: {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    if args.out is None and args.scenario != "demo":
        parser.error("--out is required for a scenario other than the demo")
    out: Path = args.out or DEFAULT_OUT
    write_snapshot(build_scenario(args.scenario, SEED), out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for relative, entry in manifest["datasets"].items():
        print(f"{out / relative}  ({entry['rows']} rows, {entry['source']})")
    print(out / "manifest.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
