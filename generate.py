#!/usr/bin/env python3
"""marketnotes command line: parse arguments, call the pipeline, map errors to exit codes.

Exit codes: 0 written; 1 internal error; 2 bad input (arguments or snapshot: nothing written);
3 rendering failed (nothing written); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

import settings
from errors import InputError, MarketnotesError
from pipeline import BriefRequest, print_progress, write_brief

DESCRIPTION = """\
Write a crypto market note (HTML for a blog, PDF for email, facts.json) from a snapshot of
market data. Every number is computed from data known at --as-of and cites its source.

With no command, writes the demo brief from the bundled demo snapshot (generated data)."""

EPILOG = """\
examples:
  python generate.py                                   # the demo brief, into output/
  python generate.py brief --snapshot DIR              # a brief as of the newest hourly candle
  python generate.py brief --snapshot DIR --as-of 2026-11-20T08:00Z --assets BTC --formats pdf

The snapshot format is described in docs/snapshot-format.md; facts.json in docs/facts.md."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The parsed command line; no command means the demo brief."""
    parser = argparse.ArgumentParser(
        prog="generate.py",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument("--timings", action="store_true", help="print each stage's time to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("demo", help="write the demo brief from the bundled demo snapshot")
    brief = commands.add_parser(
        "brief",
        help="write a brief from a snapshot directory",
        description="Write brief.html, brief.pdf, facts.json and charts/ into OUT/YYYY-MM-DD/.",
    )
    brief.add_argument(
        "--snapshot",
        type=Path,
        required=True,
        metavar="DIR",
        help="snapshot directory (docs/snapshot-format.md)",
    )
    brief.add_argument(
        "--as-of",
        metavar="ISO",
        help="the moment the note is written, ISO-8601, UTC if no offset "
        "(default: close time of the newest hourly candle)",
    )
    brief.add_argument(
        "--assets",
        metavar="LIST",
        help="comma-separated asset codes (default: all in the snapshot)",
    )
    brief.add_argument(
        "--out",
        type=Path,
        default=settings.OUTPUT_DIR,
        metavar="DIR",
        help="output folder (default: output/)",
    )
    brief.add_argument(
        "--formats",
        default=",".join(settings.FORMATS),
        metavar="LIST",
        help="comma-separated subset of html,pdf,json (default: all)",
    )
    return parser.parse_args(argv)


def build_request(args: argparse.Namespace) -> BriefRequest:
    """Turn arguments into a ``BriefRequest``; raise ``InputError`` on bad values."""
    if args.command in (None, "demo"):
        return BriefRequest()
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = sorted(set(formats) - set(settings.FORMATS))
    if unknown or not formats:
        raise InputError(
            f"--formats: unknown {', '.join(unknown) or 'empty list'} "
            f"(choose from {','.join(settings.FORMATS)})"
        )
    assets = tuple(a.strip().upper() for a in args.assets.split(",")) if args.assets else None
    return BriefRequest(args.snapshot, args.out, _as_of(args.as_of), assets, formats)


def _as_of(text: str | None) -> pd.Timestamp | None:
    if text is None:
        return None
    try:
        ts = pd.Timestamp(text)
    except ValueError:
        raise InputError(f"--as-of {text!r} is not an ISO-8601 time") from None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        result = write_brief(build_request(args), print_progress)
    except MarketnotesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
            file=sys.stderr,
        )
        return 1
    if result.demo:
        print(
            "DEMO DATA: this brief was written from generated demo data, not real markets.",
            file=sys.stderr,
        )
    if args.timings:
        stages = " ".join(f"{k}={v:.3f}" for k, v in result.timings.items())
        print(f"timings: {stages}", file=sys.stderr)
    for path in result.files:
        if path.parent == result.folder:
            print(path)
    print(f"{result.folder / 'charts'}/ ({sum(p.suffix == '.png' for p in result.files)} charts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
