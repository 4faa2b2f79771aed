"""Every subcommand of generate.py: its arguments, and what it runs (the pipeline, the daily
run, the store). ``generate.py`` parses with :func:`parser`, loads the settings, calls
:data:`COMMANDS` and maps errors to exit codes; this module prints only results."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

import pipeline
import settings
from errors import DeliveryError, InputError
from pipeline import BriefRequest, print_progress

DESCRIPTION = """\
Write a crypto market note (HTML for a blog, PDF for email, facts.json) from a snapshot of
market data. Every number is computed from data known at --as-of and cites its source.

With no command, writes the demo brief from the bundled demo snapshot (generated data)."""

EPILOG = """\
examples:
  python generate.py                                   # the demo brief, into output/
  python generate.py brief --snapshot DIR              # a brief as of the newest hourly candle
  python generate.py brief --snapshot DIR --as-of 2026-11-20T08:00Z --assets BTC --formats pdf
  python generate.py brief --live --strict             # gather live data, then write
  python generate.py daily --config marketnotes.toml --live   # cron: write, publish, email

The snapshot format is described in docs/snapshot-format.md; facts.json in docs/facts.md;
every setting in docs/settings.md."""


def parser() -> argparse.ArgumentParser:
    """The whole command line; no command means the demo brief."""
    top = argparse.ArgumentParser(
        prog="generate.py",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    top.add_argument("--timings", action="store_true", help="print each stage's time to stderr")
    top.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="settings file (TOML; every key is described in docs/settings.md)",
    )
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("demo", help="write the demo brief from the bundled demo snapshot")
    _brief_parser(commands)
    _live_parsers(commands)
    _daily_parser(commands)
    _subscribers_parser(commands)
    _unsubscribe_parser(commands)
    return top


def _config(parser: argparse.ArgumentParser) -> None:
    """``--config`` after the command too (``generate.py daily --config FILE``)."""
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="settings file (TOML; docs/settings.md)",
    )


def _as_of_argument(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--as-of",
        metavar="ISO",
        help=f"the moment the note is written, ISO-8601, UTC if no offset (default: {default})",
    )


def _brief_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    brief = commands.add_parser(
        "brief",
        help="write a brief from a snapshot directory, or from live data",
        description="Write brief.html, brief.pdf, facts.json and charts/ into OUT/YYYY-MM-DD/.",
    )
    _config(brief)
    brief.add_argument(
        "--snapshot",
        type=Path,
        metavar="DIR",
        help="snapshot directory (docs/snapshot-format.md); required unless --live",
    )
    _as_of_argument(brief, "close time of the newest hourly candle; with --live, this hour")
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
        help="comma-separated subset of html,pdf,json,txt (default: [brief] formats, all)",
    )
    brief.add_argument(
        "--live", action="store_true", help="gather live data first (docs/live-data.md)"
    )
    brief.add_argument(
        "--strict",
        action="store_true",
        help="with --live: write nothing if a required dataset is stale or unavailable",
    )


def _live_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    gather = commands.add_parser(
        "gather",
        help="fetch live data into a snapshot directory (with raw/ and a manifest)",
        description="Fetch every dataset concurrently into DIR (docs/live-data.md).",
    )
    _config(gather)
    gather.add_argument("--out", type=Path, required=True, metavar="DIR", help="snapshot folder")
    gather.add_argument(
        "--assets", metavar="LIST", help="comma-separated codes (default: [sources] assets)"
    )
    collect = commands.add_parser(
        "collect",
        help="record the Binance and Bybit liquidation streams into the history store",
        description="Run until interrupted, storing every liquidation event (ccxt.pro).",
    )
    _config(collect)
    collect.add_argument(
        "--assets", metavar="LIST", help="comma-separated codes (default: [sources] assets)"
    )


def _daily_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    daily = commands.add_parser(
        "daily",
        help="write today's brief and deliver it to every channel: blog, email (cron-safe)",
        description="Write the brief, then deliver it through each channel of [delivery] "
        "channels (the blog and email by default). Overlapping runs wait for each other and "
        "repeat nothing; a rerun sends what was not sent. With --live, a required dataset "
        "that is missing or stale holds the note (exit 4, nothing delivered). Exit 0 when "
        "everything was delivered, 5 when something is left for the next run, 6 when another "
        "run held the lock too long.",
    )
    _config(daily)
    source = daily.add_mutually_exclusive_group()
    source.add_argument(
        "--snapshot", type=Path, metavar="DIR", help="snapshot directory (default: the demo one)"
    )
    source.add_argument("--live", action="store_true", help="gather live data first")
    _as_of_argument(daily, "the snapshot's newest hour; with --live, this hour")
    daily.add_argument(
        "--dry-run",
        action="store_true",
        help="render the brief, the blog and every email in a temporary folder; send nothing",
    )
    daily.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="with --dry-run: render into DIR and keep it (brief, site, a sample email)",
    )
    daily.add_argument(
        "--test-to",
        metavar="ADDR",
        help="email the day's brief to ADDR only (no ledger, no blog, no subscriber); "
        "for checking the setup",
    )
    status = commands.add_parser(
        "status",
        help="the last daily runs and each brief's delivery: sent, pending, failed",
        description="Read the store ([store] path): the last daily runs with their problems, "
        "and per brief whether it was published and how many emails were sent, are pending "
        "or failed (with the last errors). Exit 5 when the last run left problems.",
    )
    _config(status)
    init = commands.add_parser(
        "init",
        help="write a settings file with every key, commented (marketnotes.toml)",
        description="Write FILE (default marketnotes.toml) with every setting commented out at "
        "its default, the same text as marketnotes.example.toml; never overwrites.",
    )
    init.add_argument("file", type=Path, nargs="?", default=Path("marketnotes.toml"))


def _subscribers_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    subs = commands.add_parser(
        "subscribers",
        help="add, remove, resubscribe, list or import email subscribers",
        description="Manage the subscribers in the store ([store] path).",
    )
    _config(subs)
    actions = subs.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("add", help="subscribe an address").add_argument("address")
    actions.add_parser("remove", help="unsubscribe an address (kept as unsubscribed)").add_argument(
        "address"
    )
    actions.add_parser(
        "resubscribe", help="make an unsubscribed address active again (it asked to return)"
    ).add_argument("address")
    actions.add_parser("list", help="every address and its status")
    actions.add_parser(
        "import", help="subscribe the addresses of a CSV file (column email, or the first)"
    ).add_argument("file", type=Path, metavar="FILE.csv")


def _unsubscribe_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser(
        "serve-unsubscribe",
        help="serve the one-click unsubscribe links (put it behind your web server)",
        description="Serve [email] unsubscribe_url's links (RFC 8058) with wsgiref: GET asks to "
        "confirm, POST unsubscribes in the store. Needs the secret of "
        "[email] unsubscribe_secret_env that signed the links.",
    )
    _config(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8025, help="port to listen on (8025)")


def parse_as_of(text: str | None) -> pd.Timestamp | None:
    """``--as-of`` as a UTC timestamp; ``InputError`` when it is not ISO-8601."""
    if text is None:
        return None
    try:
        ts = pd.Timestamp(text)
    except ValueError:
        raise InputError(f"--as-of {text!r} is not an ISO-8601 time") from None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(a.strip().upper() for a in (text or "").split(",") if a.strip())


def brief_request(args: argparse.Namespace, config: settings.Settings) -> BriefRequest:
    """The brief ``args`` ask for: the settings with the arguments overlaid."""
    if args.command in (None, "demo"):
        return BriefRequest.from_settings(config)
    changes: dict[str, object] = {}
    if args.out is not None:
        changes["out"] = args.out
    if args.assets:
        changes["assets"] = _codes(args.assets)
    if args.formats is not None:
        changes["formats"] = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    try:
        return BriefRequest.from_settings(
            config, snapshot=args.snapshot, as_of=parse_as_of(args.as_of), **changes
        )
    except InputError as exc:
        if str(exc).startswith("formats:"):  # the one check on arguments: "formats: unknown"
            raise InputError(f"--{exc}") from None
        raise


def _print_brief(result: pipeline.BriefResult, timings: bool) -> None:
    if result.demo:
        print(
            "DEMO DATA: this brief was written from generated demo data, not real markets.",
            file=sys.stderr,
        )
    if timings:
        stages = " ".join(f"{k}={v:.3f}" for k, v in result.timings.items())
        print(f"timings: {stages}", file=sys.stderr)
    for path in result.files:
        if path.parent == result.folder:
            print(path)
    print(f"{result.folder / 'charts'}/ ({sum(p.suffix == '.png' for p in result.files)} charts)")


def brief(args: argparse.Namespace, config: settings.Settings) -> int:
    """``generate.py`` / ``demo`` / ``brief [--live]``: write one brief."""
    request = brief_request(args, config)
    if getattr(args, "live", False):
        result = pipeline.write_live_brief(
            request, config, now=pipeline.utc_now(), strict=args.strict, progress=print_progress
        )
        _print_brief(result, args.timings)
        print(result.folder / "snapshot")
        return 0
    if args.command == "brief" and args.snapshot is None:
        raise InputError("brief: --snapshot DIR is required (or --live)")
    _print_brief(pipeline.write_brief(request, print_progress), args.timings)
    return 0


def gather(args: argparse.Namespace, config: settings.Settings) -> int:
    """``gather``: a live snapshot into ``--out``, each dataset's problem on stderr."""
    assets = _codes(args.assets) or pipeline.live_assets(config)
    result = pipeline.gather_live(
        config, now=pipeline.utc_now(), strict=False, into=args.out, assets=assets
    )
    for o in result.outcomes:
        if o.status != "ok":
            print(f"{o.file}: {o.status} ({o.error})", file=sys.stderr)
    print(result.folder)
    return 0


def collect(args: argparse.Namespace, config: settings.Settings) -> int:
    """``collect``: record the liquidation streams until interrupted."""
    from sources.collect import run_collector

    assets = _codes(args.assets) or pipeline.live_assets(config)
    return run_collector(config, assets, print_progress)


def daily(args: argparse.Namespace, config: settings.Settings) -> int:
    """``daily``: the cron run; exit 5 when something is left for the next run."""
    from daily import DailyOptions, run_daily, send_test

    if args.keep is not None and not args.dry_run:
        raise InputError("daily: --keep DIR needs --dry-run")
    options = DailyOptions(
        snapshot=args.snapshot,
        live=args.live,
        dry_run=args.dry_run,
        as_of=parse_as_of(args.as_of),
        keep=args.keep,
    )
    if args.test_to:
        print(send_test(config, options, args.test_to, print_progress))
        return 0
    report = run_daily(config, options, print_progress)
    print("\n".join(report.lines()))
    if report.problems:
        print(f"error: {'; '.join(report.problems)}", file=sys.stderr)
    return report.exit_code


def status(args: argparse.Namespace, config: settings.Settings) -> int:
    """``status``: what the store says of the last runs and briefs."""
    from delivery import ledger
    from store import open_store

    if not config.store.path.exists():
        raise InputError(f"status: no store at {config.store.path} (no daily run yet)")
    store = open_store(config.store.path)
    try:
        runs, briefs = ledger.last_runs(store), ledger.last_briefs(store)
        print("last runs:" if runs else "no daily run recorded")
        for r in runs:
            print(f"  {r.started_at}  brief {r.brief_id}  exit {r.exit_code}")
            print("".join(f"      {line}\n" for line in r.problems.splitlines()), end="")
        print("briefs:" if briefs else "no brief recorded")
        for b in briefs:
            n = ledger.counts(store, b.brief_id)
            blog = f"published {b.published_at}" if b.published_at else "not published"
            print(
                f"  {b.brief_id}  written {b.written_at}  {blog}  email {n['sent']} sent · "
                f"{n['pending']} pending · {n['failed']} failed"
            )
            for d in ledger.deliveries(store, b.brief_id):
                if d.status == "failed":
                    print(f"      failed: {d.address}: {d.last_error}")
    finally:
        store.close()
    return DeliveryError.exit_code if runs and runs[0].exit_code else 0


def init(args: argparse.Namespace, config: settings.Settings) -> int:
    """``init``: the commented settings file, written once."""
    path: Path = args.file
    if path.exists():
        raise InputError(f"init: {path} exists; remove it first or name another file")
    path.write_text(settings.example_toml(), encoding="utf-8")
    print(path)
    return 0


def subscribers(args: argparse.Namespace, config: settings.Settings) -> int:
    """``subscribers add|remove|resubscribe|list|import``."""
    from delivery import ledger
    from store import open_store

    store = open_store(config.store.path)
    try:
        if args.action == "add":
            print(f"added {ledger.add_subscriber(store, args.address)}")
        elif args.action == "remove":
            print(f"unsubscribed {ledger.remove_subscriber(store, args.address)}")
        elif args.action == "resubscribe":
            print(f"resubscribed {ledger.resubscribe(store, args.address)}")
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


def serve_unsubscribe(args: argparse.Namespace, config: settings.Settings) -> int:
    """``serve-unsubscribe``: the unsubscribe links' web app, until interrupted."""
    from delivery.unsubscribe import UnsubscribeApp, serve

    app = UnsubscribeApp.from_settings(config)
    serve(
        app,
        args.host,
        args.port,
        lambda url: print(f"serving unsubscribe links on {url}", flush=True),
    )
    return 0


COMMANDS: Mapping[str | None, Callable[[argparse.Namespace, settings.Settings], int]] = {
    None: brief,
    "demo": brief,
    "brief": brief,
    "gather": gather,
    "collect": collect,
    "daily": daily,
    "status": status,
    "subscribers": subscribers,
    "init": init,
    "serve-unsubscribe": serve_unsubscribe,
}
"""What each command runs, given its arguments and the settings; returns the exit code."""
