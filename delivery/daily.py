"""The daily run: write the brief, publish it to the blog, email it to the subscribers.

Safe under cron's habits:

- **One run at a time.** An exclusive ``fcntl`` lock on ``<store>.daily.lock``; a second run
  (a double fire, a slow run) waits up to ``[daily] lock_wait`` seconds, then finds in the store
  what the first one did and repeats none of it, or gives up with ``BusyError``.
- **Each step once.** The store records the brief written (``briefs``), its publication, and
  each address's delivery (the ledger); a rerun after a crash skips what is recorded and
  finishes the rest: unsent and transiently failed messages are sent by the next run.
- **Stopping cleanly.** SIGTERM while sending (``systemctl stop``, a timeout) lets the message
  in flight finish and be recorded, then stops before the next (or during a retry's backoff);
  the run reports what is left (exit 5, one line) and the next run sends it.
- ``dry_run`` renders everything (brief, blog, every message) into a temporary folder and
  sends nothing, leaving the store, the output folder and the site untouched.
"""

from __future__ import annotations

import fcntl
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType

import settings
from delivery import blog, ledger
from delivery.brief import BriefFiles, read_brief
from delivery.email import Composer, SendSummary, send_brief
from delivery.smtp import SmtpTransport, Transport
from errors import BusyError, DeliveryError
from pipeline import BriefRequest, default_as_of, write_brief
from sources import load_snapshot
from store import Store, open_store

Progress = Callable[[str], None]
LIVE_ASSETS = ("BTC", "ETH")
"""Assets gathered by ``--live`` when ``[brief] assets`` is empty."""
TransportFactory = Callable[[settings.EmailSettings, str | None], Transport]


@dataclass(frozen=True)
class DailyOptions:
    """What ``generate.py daily`` was asked to do."""

    snapshot: Path | None = None
    """Snapshot directory (default: the demo snapshot); ignored with ``live``."""
    live: bool = False
    dry_run: bool = False


@dataclass
class DailyReport:
    """What one daily run did; ``lines()`` is the one-screen summary."""

    brief_id: str = ""
    demo: bool = False
    brief: str = ""
    folder: Path | None = None
    blog: str = ""
    post: Path | None = None
    email: str = ""
    summary: SendSummary | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The summary, a few lines."""
        demo = " (demo data)" if self.demo else ""
        out = [f"daily run {self.brief_id}{demo}: {self.seconds:.1f} s"]
        out.append(f"  brief  {self.brief:<16} {self.folder or ''}")
        out.append(f"  blog   {self.blog:<16} {self.post or ''}")
        out.append(f"  email  {self.email}")
        if self.summary:
            out += [f"         failed: {a}: {e}" for a, e in self.summary.failed[:5]]
            if len(self.summary.failed) > 5:
                out.append(f"         ... and {len(self.summary.failed) - 5} more failed")
        return out


def lock_path(config: settings.Settings) -> Path:
    """The lock file beside the store."""
    return config.store.path.with_name(config.store.path.name + ".daily.lock")


@contextmanager
def run_lock(path: Path, wait: float, poll: float = 0.1) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (waiting up to ``wait`` seconds, else ``BusyError``).

    The kernel drops the lock when the process ends, however it ends.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    raise BusyError(
                        f"another daily run (pid {holder}) still holds {path} after {wait:g} s"
                    ) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


class _StopFlag:
    """Set by SIGTERM while sending; the loop stops before the next message."""

    def __init__(self) -> None:
        self.reason: str | None = None

    def __call__(self) -> str | None:
        return self.reason

    @contextmanager
    def on_sigterm(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handle(signum: int, frame: FrameType | None) -> None:
            self.reason = "stopped by SIGTERM"

        previous = signal.signal(signal.SIGTERM, handle)
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, previous)


def run_daily(
    config: settings.Settings,
    options: DailyOptions,
    progress: Progress = lambda _: None,
    transport: TransportFactory = SmtpTransport,
) -> DailyReport:
    """Run the day's delivery (see the module docstring); problems are in ``report.problems``.

    Raises ``InputError`` for bad input and ``BusyError`` if another run keeps the lock.
    """
    start = time.monotonic()
    report = DailyReport()
    if options.dry_run:
        with tempfile.TemporaryDirectory(prefix="marketnotes-dry-run-") as tmp:
            snapshot = _snapshot(config, options, Path(tmp), progress)
            _dry_run(config, snapshot, Path(tmp), report, progress)
    else:
        with run_lock(lock_path(config), config.daily.lock_wait):
            snapshot = _snapshot(config, options, config.brief.out / "snapshots", progress)
            store = open_store(config.store.path)
            # WAL + NORMAL: a commit survives a crash of this process (not a power cut, which
            # at worst makes the next run resend the last few messages); ~100x faster commits.
            store.conn.execute("PRAGMA synchronous=NORMAL")
            try:
                _run(config, snapshot, store, report, progress, transport)
            finally:
                store.close()
    report.seconds = time.monotonic() - start
    return report


def _snapshot(
    config: settings.Settings, options: DailyOptions, folder: Path, progress: Progress
) -> Path:
    """The snapshot to write from: the given one, or one gathered live into ``folder``."""
    if not options.live:
        return options.snapshot or settings.DEMO_SNAPSHOT
    import pandas as pd

    from sources.gather import gather

    now = pd.Timestamp.now(tz="UTC")
    out = folder / now.strftime("%Y-%m-%dT%H%MZ")
    progress(f"gathering live data into {out}")
    assets = config.brief.assets or LIVE_ASSETS
    result = gather(config, out, assets, now=now)
    for outcome in result.failed:
        progress(f"{outcome.file}: not gathered ({outcome.error})")
    return result.folder


def _brief_id(snapshot: Path, config: settings.Settings) -> str:
    assets = list(config.brief.assets) or None
    as_of = default_as_of(load_snapshot(snapshot, assets))
    return str(as_of.strftime("%Y-%m-%d"))


def _write(config: settings.Settings, snapshot: Path, out: Path, progress: Progress) -> BriefFiles:
    request = BriefRequest(
        snapshot=snapshot,
        out=out,
        assets=config.brief.assets or None,
        formats=settings.FORMATS,
        stale_after=config.stale_after,
    )
    return read_brief(write_brief(request, progress).folder)


def _run(
    config: settings.Settings,
    snapshot: Path,
    store: Store,
    report: DailyReport,
    progress: Progress,
    transport: TransportFactory,
) -> None:
    brief_id = _brief_id(snapshot, config)
    row = ledger.find_brief(store, brief_id)
    brief: BriefFiles | None = None
    if row is not None:
        try:
            brief, report.brief = read_brief(row.folder), "already written"
        except DeliveryError:
            row = None  # recorded, but the folder is gone: write it again
    if brief is None:
        brief, report.brief = _write(config, snapshot, config.brief.out, progress), "written"
        ledger.record_brief(store, brief.brief_id, brief.folder, brief.headline)
        row = ledger.find_brief(store, brief.brief_id)
    report.brief_id, report.demo, report.folder = brief.brief_id, brief.demo, brief.folder
    post = config.blog.site_dir / "posts" / brief.brief_id / "index.html"
    if row is not None and row.published_at is not None:
        report.blog, report.post = "already published", post
    else:
        try:
            blog.publish(brief, config.blog)
            ledger.record_published(store, brief.brief_id)
            report.blog, report.post = "published", post
            progress(f"published {post}")
        except DeliveryError as exc:
            report.blog = "FAILED"
            report.problems.append(str(exc))
    _email(config, brief, store, report, progress, transport)


def _web_url(config: settings.Settings, brief_id: str) -> str:
    site = config.blog.site_url
    return f"{site if site.endswith('/') else site + '/'}posts/{brief_id}/"


def _email(
    config: settings.Settings,
    brief: BriefFiles,
    store: Store,
    report: DailyReport,
    progress: Progress,
    transport: TransportFactory,
) -> None:
    password = None
    if config.email.user:
        password = config.secret(config.email.password_env)
        if password is None:
            report.email = "not sent"
            report.problems.append(
                f"email: [email] user is set but ${config.email.password_env} is empty; "
                "nothing was sent"
            )
            return
    composer = Composer(brief, config.email, _web_url(config, brief.brief_id))
    stop = _StopFlag()
    with stop.on_sigterm():
        summary = send_brief(store, composer, transport(config.email, password), progress, stop)
    report.summary = summary
    total = len(ledger.active_addresses(store))
    report.email = (
        f"{summary.sent} sent · {len(summary.failed)} failed · {summary.left} left for the "
        f"next run · {summary.already_sent} sent earlier ({total} subscribers, "
        f"{summary.seconds:.1f} s)"
    )
    if summary.stopped or summary.left:
        why = summary.stopped or summary.last_error or "not sent"
        report.problems.append(
            f"email: {summary.left} message(s) not sent ({why}); the next run retries them"
        )


def _dry_run(
    config: settings.Settings, snapshot: Path, tmp: Path, report: DailyReport, progress: Progress
) -> None:
    brief = _write(config, snapshot, tmp / "out", progress)
    report.brief_id, report.demo = brief.brief_id, brief.demo
    report.brief, report.folder = "rendered (dry run)", None
    blog.publish(brief, replace(config.blog, site_dir=tmp / "site"))
    report.blog = "rendered (dry run)"
    addresses: list[str] = []
    if config.store.path.exists():
        store = open_store(config.store.path)
        try:
            sent = {
                d.address.lower()
                for d in ledger.deliveries(store, brief.brief_id)
                if d.status != "pending"
            }
            addresses = [a for a in ledger.active_addresses(store) if a.lower() not in sent]
        finally:
            store.close()
    composer = Composer(brief, config.email, _web_url(config, brief.brief_id))
    size = sum(len(composer.message_bytes(a)) for a in addresses)
    report.email = f"{len(addresses)} message(s) rendered, {size / 1e6:.1f} MB, none sent (dry run)"
