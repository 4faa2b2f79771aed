"""``python -m demo [--out DIR]``: regenerate the demo snapshot and list the files it wrote."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from demo.scenario import SEED, build_scenario
from demo.snapshot import write_snapshot

DEFAULT_OUT = Path(__file__).resolve().parent / "snapshot"


def main(argv: Sequence[str] | None = None) -> int:
    """Build the seeded scenario, write it as a snapshot, print each file and its row count."""
    parser = argparse.ArgumentParser(
        prog="python -m demo", description="Regenerate the seeded demo snapshot, byte for byte."
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    write_snapshot(build_scenario(SEED), out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for relative, entry in manifest["datasets"].items():
        print(f"{out / relative}  ({entry['rows']} rows, {entry['source']})")
    print(out / "manifest.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
