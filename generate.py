#!/usr/bin/env python3
"""marketnotes command line: parse arguments, call the pipeline, map errors to exit codes.

Exit codes: 0 written; 1 internal error; 2 bad input (arguments or snapshot: nothing written);
3 rendering failed (nothing written); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

import settings
from delivery import cli as delivery_cli
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
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="settings file (TOML; every key is described in docs/settings.md)",
    )
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
        metavar="DIR",
        help="snapshot directory (docs/snapshot-format.md); required unless --live",
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
        "--out", type=Path, metavar="DIR", help="output folder (default: [brief] out, output/)"
    )
    brief.add_argument(
        "--formats",
        metavar="LIST",
        help="comma-separated subset of html,pdf,json (default: [brief] formats, all)",
    )
    delivery_cli.add_commands(commands)
    _add_live_arguments(commands, brief)
    return parser.parse_args(argv)


def build_request(args: argparse.Namespace, config: settings.Settings) -> BriefRequest:
    """The brief to write: settings overlaid with the arguments; ``InputError`` on bad values."""
    brief = config.brief
    if args.command not in (None, "demo"):
        changes: dict[str, object] = {}
        if args.out is not None:
            changes["out"] = args.out
        if args.assets:
            changes["assets"] = tuple(a.strip().upper() for a in args.assets.split(","))
        if args.formats is not None:
            changes["formats"] = tuple(f.strip() for f in args.formats.split(",") if f.strip())
        try:
            brief = settings.replace(config, "brief", **changes).brief
        except InputError as exc:  # the one check on arguments: "formats: unknown ..."
            raise InputError(f"--{exc}") from None
    return BriefRequest(
        snapshot=settings.DEMO_SNAPSHOT if args.command in (None, "demo") else args.snapshot,
        out=brief.out,
        as_of=_as_of(getattr(args, "as_of", None)),
        assets=brief.assets or None,
        formats=brief.formats,
        stale_after=config.stale_after,
        analysis=config.analysis,
    )


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
        config = settings.load_settings(args.config)
        if args.command in delivery_cli.COMMANDS:
            return delivery_cli.run(args, config)
        if args.command in LIVE_COMMANDS or getattr(args, "live", False):
            return _run_live(args, config)
        if args.command == "brief" and args.snapshot is None:
            raise InputError("brief: --snapshot DIR is required (or --live)")
        result = write_brief(build_request(args, config), print_progress)
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


LIVE_COMMANDS = ("gather", "collect")


def _add_live_arguments(commands: Any, brief: argparse.ArgumentParser) -> None:
    """``gather``, ``collect`` and ``brief --live [--strict]`` (docs/live-data.md)."""
    brief.add_argument(
        "--live", action="store_true", help="gather live data first (docs/live-data.md)"
    )
    brief.add_argument(
        "--strict",
        action="store_true",
        help="with --live: write nothing if a required dataset is stale or unavailable",
    )
    gather = commands.add_parser(
        "gather",
        help="fetch live data into a snapshot directory (with raw/ and a manifest)",
        description="Fetch every dataset concurrently into DIR (docs/live-data.md).",
    )
    gather.add_argument("--out", type=Path, required=True, metavar="DIR", help="snapshot folder")
    gather.add_argument("--assets", metavar="LIST", help="comma-separated codes (default BTC,ETH)")
    collect = commands.add_parser(
        "collect",
        help="record the Binance and Bybit liquidation streams into the history store",
        description="Run until interrupted, storing every liquidation event (ccxt.pro).",
    )
    collect.add_argument("--assets", metavar="LIST", help="comma-separated codes (default BTC,ETH)")


def utc_now() -> pd.Timestamp:
    """The clock the live commands read (the one place; tests replace it)."""
    return pd.Timestamp.now(tz="UTC")


def _run_live(args: argparse.Namespace, config: settings.Settings) -> int:
    """Run ``gather``, ``collect`` or ``brief --live``; return the exit code."""
    from pipeline import write_live_brief

    now = utc_now()
    codes = tuple(a.strip().upper() for a in (args.assets or "").split(",") if a.strip())
    assets = codes or config.brief.assets or ("BTC", "ETH")
    if args.command == "gather":
        from sources.gather import gather

        gathered = gather(config, args.out, tuple(assets), now=now)
        for o in gathered.outcomes:
            if o.status != "ok":
                print(f"{o.file}: {o.status} ({o.error})", file=sys.stderr)
        print(gathered.folder)
        return 0
    if args.command == "collect":
        from sources.collect import run_collector

        return run_collector(config, tuple(assets), print_progress)
    result = write_live_brief(
        build_request(args, config), config, now=now, strict=args.strict, progress=print_progress
    )
    for path in result.files:
        if path.parent == result.folder:
            print(path)
    print(result.folder / "snapshot")
    return 0


if __name__ == "__main__":
    sys.exit(main())
