"""The ``daily`` and ``subscribers`` commands of generate.py (arguments and output only)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import settings
from errors import DeliveryError
from pipeline import print_progress

COMMANDS = ("daily", "subscribers")


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``daily`` and ``subscribers`` to generate.py's subcommands."""
    daily = commands.add_parser(
        "daily",
        help="write today's brief, publish it to the blog, email it (cron-safe)",
        description="Write the brief, publish it to the blog and email it to the subscribers. "
        "Overlapping runs wait for each other and repeat nothing; a rerun sends what was not "
        "sent. Exit 0 when everything was delivered, 5 when something is left for the next "
        "run, 6 when another run held the lock too long.",
    )
    _config(daily)
    source = daily.add_mutually_exclusive_group()
    source.add_argument(
        "--snapshot", type=Path, metavar="DIR", help="snapshot directory (default: the demo one)"
    )
    source.add_argument("--live", action="store_true", help="gather live data first")
    daily.add_argument(
        "--dry-run",
        action="store_true",
        help="render the brief, the blog and every email in a temporary folder; send nothing",
    )
    subs = commands.add_parser(
        "subscribers",
        help="add, remove, list or import email subscribers",
        description="Manage the subscribers in the store ([store] path).",
    )
    _config(subs)
    actions = subs.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("add", help="subscribe an address").add_argument("address")
    actions.add_parser("remove", help="unsubscribe an address (kept as unsubscribed)").add_argument(
        "address"
    )
    actions.add_parser("list", help="every address and its status")
    actions.add_parser(
        "import", help="subscribe the addresses of a CSV file (column email, or the first)"
    ).add_argument("file", type=Path, metavar="FILE.csv")


def _config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="settings file (TOML; docs/settings.md)",
    )


def run(args: argparse.Namespace, config: settings.Settings) -> int:
    """Run ``daily`` or ``subscribers``; ``MarketnotesError`` propagates to generate.py."""
    if args.command == "daily":
        return _daily(args, config)
    return _subscribers(args, config)


def _daily(args: argparse.Namespace, config: settings.Settings) -> int:
    from delivery.daily import DailyOptions, run_daily

    options = DailyOptions(snapshot=args.snapshot, live=args.live, dry_run=args.dry_run)
    report = run_daily(config, options, print_progress)
    print("\n".join(report.lines()))
    if report.problems:
        print(f"error: {'; '.join(report.problems)}", file=sys.stderr)
        return DeliveryError.exit_code
    return 0


def _subscribers(args: argparse.Namespace, config: settings.Settings) -> int:
    from delivery import ledger
    from store import open_store

    store = open_store(config.store.path)
    try:
        if args.action == "add":
            print(f"added {ledger.add_subscriber(store, args.address)}")
        elif args.action == "remove":
            print(f"unsubscribed {ledger.remove_subscriber(store, args.address)}")
        elif args.action == "list":
            rows = ledger.list_subscribers(store)
            for s in rows:
                print(f"{s.address}\t{s.status}\t{s.changed_at}")
            active = sum(s.status == "active" for s in rows)
            print(f"{active} active, {len(rows) - active} unsubscribed", file=sys.stderr)
        else:
            result = ledger.import_subscribers(store, args.file)
            print(
                f"added {len(result.added)}; refused {len(result.duplicates)} already "
                f"subscribed and {len(result.unsubscribed)} unsubscribed"
            )
    finally:
        store.close()
    return 0
