"""The daily run for cron: write the brief through the pipeline, then deliver it through every
enabled channel (``[delivery] channels``: the blog, email...).

Safe under cron's habits:

- **One run at a time.** An exclusive ``fcntl`` lock on ``<store>.daily.lock``; a second run
  (a double fire, a slow run) waits up to ``[daily] lock_wait`` seconds, then finds in the store
  what the first one did and repeats none of it, or gives up with ``BusyError``.
- **Each step once.** The store records the brief written (``briefs``) and each channel keeps
  its own record (the blog's publication, each address's delivery); a rerun after a crash skips
  what is recorded and finishes the rest: unsent and transiently failed messages are sent by
  the next run.
- **Held, not sent, when data is missing.** ``--live`` gathers through the pipeline's one live
  path and holds the note (``StaleData``, exit 4, nothing published or sent) when a required
  dataset (``[sources] required``) is unavailable or stale.
- **Stopping cleanly.** SIGTERM while delivering (``systemctl stop``, a timeout) lets the
  message in flight finish and be recorded, then stops before the next (or during a retry's
  backoff); the run reports what is left (exit 5, one line) and the next run sends it.
- ``dry_run`` renders everything (brief, blog, every message) into a temporary folder and
  sends nothing, leaving the store, the output folder and the site untouched.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from types import FrameType
from typing import Any

import pandas as pd

import pipeline
import settings
from delivery import (
    Channel,
    ChannelReport,
    RunContext,
    channels_from_settings,
    ledger,
    publish_all,
    read_brief,
    unsubscribe,
)
from delivery.brief import BriefFiles
from delivery.email import Composer, TransportFactory, web_url
from delivery.smtp import SendError, SmtpTransport
from errors import BusyError, DeliveryError, InputError, MarketnotesError
from pipeline import BriefRequest
from store import Store, open_store

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DailyOptions:
    """What ``generate.py daily`` was asked to do."""

    snapshot: Path | None = None
    """Snapshot directory (default: the demo snapshot); ignored with ``live``."""
    live: bool = False
    dry_run: bool = False
    as_of: pd.Timestamp | None = None
    """The brief's as-of (default: the snapshot's newest hour, or now with ``live``)."""
    keep: Path | None = None
    """With ``dry_run``: render into this folder and keep it (default: a temporary one)."""


@dataclass
class DailyReport:
    """What one daily run did; ``lines()`` is the one-screen summary."""

    brief_id: str = ""
    demo: bool = False
    brief: str = ""
    folder: Path | None = None
    channels: list[ChannelReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Problems of the run itself (messages of earlier briefs that were never sent)."""
    seconds: float = 0.0

    @property
    def problems(self) -> list[str]:
        """What is left for the next run or failed, one line each (empty: all delivered)."""
        return self.notes + [p for c in self.channels for p in c.problems]

    @property
    def exit_code(self) -> int:
        """0 when everything was delivered, else ``DeliveryError``'s (5)."""
        return DeliveryError.exit_code if self.problems else 0

    def channel(self, name: str) -> ChannelReport | None:
        """The report of channel ``name``, if it ran."""
        return next((c for c in self.channels if c.channel == name), None)

    def lines(self) -> list[str]:
        """The summary, a few lines."""
        demo = " (demo data)" if self.demo else ""
        out = [f"daily run {self.brief_id}{demo}: {self.seconds:.1f} s"]
        out.append(f"  brief  {self.brief:<16} {self.folder or ''}".rstrip())
        for c in self.channels:
            out.append(f"  {c.channel:<6} {c.status:<16} {c.target}".rstrip())
            out += [f"         {line}" for line in c.details]
        return out


def lock_path(config: settings.Settings) -> Path:
    """The lock file beside the store."""
    return config.store.path.with_name(config.store.path.name + ".daily.lock")


def _holder(fd: int) -> str:
    """Who holds the lock, as its holder wrote it: ``pid N since TIME``."""
    return os.pread(fd, 64, 0).decode(errors="replace").strip() or "pid ?"


@contextmanager
def run_lock(
    path: Path, wait: float, poll: float = 0.1, progress: Progress = lambda _: None
) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (waiting up to ``wait`` seconds, else ``BusyError``);
    a waiting run says whom it waits for.

    The kernel drops the lock when the process ends, however it ends.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waiting:
                    progress(f"waiting up to {wait:g} s for the daily run ({_holder(fd)})")
                    waiting = True
                if time.monotonic() >= deadline:
                    raise BusyError(
                        f"another daily run ({_holder(fd)}) still holds {path} after {wait:g} s"
                    ) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        since = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        os.pwrite(fd, f"pid {os.getpid()} since {since}\n".encode(), 0)
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
    channels: Sequence[Channel] | None = None,
    gather_options: Mapping[str, Any] | None = None,
) -> DailyReport:
    """Run the day's delivery (see the module docstring); problems are in ``report.problems``.

    ``channels`` default to the enabled ones (``[delivery] channels``); ``gather_options``
    reach the live gathering (tests inject clients). Raises ``InputError`` for bad input,
    ``StaleData`` when live required data is missing, ``BusyError`` if another run keeps the
    lock; each outcome, good or bad, pings ``[daily] ping_url`` when it is set.
    """
    start = time.monotonic()
    chosen = list(channels) if channels is not None else channels_from_settings(config)
    for warning in example_warnings(config, chosen):
        progress(f"warning: {warning}")
    report = DailyReport()
    try:
        if options.dry_run:
            _dry_run(config, options, chosen, report, progress, gather_options)
        else:
            with run_lock(lock_path(config), config.daily.lock_wait, progress=progress):
                _deliver(config, options, chosen, report, progress, gather_options)
    except MarketnotesError as exc:
        if not options.dry_run:
            ping(config, str(exc), progress)
        raise
    report.seconds = time.monotonic() - start
    if not options.dry_run:
        ping(config, "\n".join(report.problems) or None, progress)
    return report


def _deliver(
    config: settings.Settings,
    options: DailyOptions,
    channels: Sequence[Channel],
    report: DailyReport,
    progress: Progress,
    gather_options: Mapping[str, Any] | None,
) -> None:
    """The real run, under the lock: the brief, then every channel, then the run's record."""
    started = _now_iso()
    store = open_store(config.store.path)
    # WAL + NORMAL: a commit survives a crash of this process (not a power cut, which at
    # worst makes the next run resend the last few messages); ~100x faster commits.
    store.conn.execute("PRAGMA synchronous=NORMAL")
    try:
        brief, held = _brief(config, options, store, report, progress, gather_options)
        for earlier, n in ledger.supersede_pending(store, brief.brief_id).items():
            report.notes.append(
                f"email: {n} message(s) of brief {earlier} were never sent (superseded by "
                f"{brief.brief_id}; see generate.py status)"
            )
        stop = _StopFlag()
        with stop.on_sigterm():
            report.channels = _publish(channels, brief, RunContext(store, progress, stop), held)
        problems = "\n".join(report.problems)
        run = ledger.RunRow(started, _now_iso(), brief.brief_id, report.exit_code, problems)
        ledger.record_run(store, run)
    finally:
        store.close()


def _publish(
    channels: Sequence[Channel], brief: BriefFiles, run: RunContext, held: str | None
) -> list[ChannelReport]:
    """Every channel's report; with ``held`` (why the brief is not today's news), only the
    channels that also take old briefs run, and the others say why they did not."""
    if held is None:
        return publish_all(channels, brief, run)
    reports = publish_all([c for c in channels if not c.fresh_only], brief, run)
    skipped = [ChannelReport(c.name, "not sent", held) for c in channels if c.fresh_only]
    return reports + skipped


def _now_iso() -> str:
    return pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _request(
    config: settings.Settings, options: DailyOptions, out: Path, now: pd.Timestamp
) -> BriefRequest:
    """The brief of the day: the settings' (``[brief]``, ``[analysis]``...), written to ``out``
    with every format (the channels need them all)."""
    as_of = options.as_of or (now.floor("h") if options.live else None)
    return BriefRequest.from_settings(
        config, snapshot=options.snapshot, as_of=as_of, out=out, formats=settings.FORMATS
    )


def _held(
    config: settings.Settings, options: DailyOptions, request: BriefRequest, now: pd.Timestamp
) -> tuple[pd.Timestamp, str | None]:
    """The as-of of the brief of ``request``, and why it is not news (an ``--as-of`` older than
    the newest data by more than ``[daily] max_age``: a backfill) or None; ``InputError`` for
    a future as-of."""
    as_of = pipeline.brief_as_of(request)
    if as_of > now + pd.Timedelta(minutes=1):
        raise InputError(f"--as-of {as_of.isoformat()} is in the future (now {now.isoformat()})")
    if options.live or options.as_of is None:
        return as_of, None
    newest = pipeline.brief_as_of(dataclasses.replace(request, as_of=None))
    if newest - as_of <= pd.Timedelta(config.daily.max_age):
        return as_of, None
    age = config.daily.max_age
    return (
        as_of,
        f"backfill: as of {as_of:%Y-%m-%d %H:%M}, older than the newest data by over {age}",
    )


def _write(
    config: settings.Settings,
    options: DailyOptions,
    request: BriefRequest,
    now: pd.Timestamp,
    progress: Progress,
    gather_options: Mapping[str, Any] | None,
) -> BriefFiles:
    """Write the brief through the pipeline (gathering first with ``live``, strictly)."""
    if options.live:
        written = pipeline.write_live_brief(
            request, config, now=now, strict=True, progress=progress, gather_options=gather_options
        )
    else:
        written = pipeline.write_brief(request, progress)
    return read_brief(written.folder)


def _brief(
    config: settings.Settings,
    options: DailyOptions,
    store: Store,
    report: DailyReport,
    progress: Progress,
    gather_options: Mapping[str, Any] | None,
) -> tuple[BriefFiles, str | None]:
    """The day's brief: the one a run already wrote (per the store), else written now; and
    why it is held from the channels that take only fresh briefs (see ``_held``)."""
    now = pipeline.utc_now()
    request = _request(config, options, config.brief.out, now)
    as_of, held = _held(config, options, request, now)
    brief_id = as_of.strftime("%Y-%m-%d")
    row = ledger.find_brief(store, brief_id)
    brief: BriefFiles | None = None
    if row is not None:
        with contextlib.suppress(DeliveryError):  # recorded, but the folder is gone: rewrite
            brief, report.brief = read_brief(row.folder), "already written"
    if brief is None:
        brief = _write(config, options, request, now, progress, gather_options)
        report.brief = "written"
        ledger.record_brief(store, brief.brief_id, brief.folder, brief.headline)
    report.brief_id, report.demo, report.folder = brief.brief_id, brief.demo, brief.folder
    return brief, held


def _dry_run(
    config: settings.Settings,
    options: DailyOptions,
    channels: Sequence[Channel],
    report: DailyReport,
    progress: Progress,
    gather_options: Mapping[str, Any] | None,
) -> None:
    with contextlib.ExitStack() as stack:
        if options.keep is None:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="marketnotes-dry-")))
        else:
            tmp = options.keep
            tmp.mkdir(parents=True, exist_ok=True)
        now = pipeline.utc_now()
        request = _request(config, options, tmp / "out", now)
        _, held = _held(config, options, request, now)
        brief = _write(config, options, request, now, progress, gather_options)
        report.brief_id, report.demo = brief.brief_id, brief.demo
        report.brief = "rendered (dry run)"
        report.folder = brief.folder if options.keep else None
        store = open_store(config.store.path) if config.store.path.exists() else None
        try:
            run = RunContext(store, progress, dry_run=tmp)
            report.channels = _publish(channels, brief, run, held)
        finally:
            if store is not None:
                store.close()


def example_warnings(config: settings.Settings, channels: Sequence[Channel]) -> list[str]:
    """Settings the enabled channels use that still hold the shipped example.com values."""
    names = {c.name for c in channels}
    used: dict[str, str] = {}
    if names & {"blog", "email", "webhook"}:
        used["[blog] site_url"] = config.blog.site_url
    if "email" in names:
        used["[email] sender"] = config.email.sender
        used["[email] unsubscribe_mailto"] = config.email.unsubscribe_mailto
        used["[email] unsubscribe_url"] = config.email.unsubscribe_url
    return [f"{key} is still an example.com value" for key, v in used.items() if _example(v)]


def _example(value: str) -> bool:
    host = value.rpartition("@")[2] if "://" not in value else value.split("/")[2]
    host = host.split("?")[0].rstrip(">").lower()
    return host == "example.com" or host.endswith(".example.com")


def ping(config: settings.Settings, failure: str | None, progress: Progress) -> None:
    """Ping ``[daily] ping_url`` (healthchecks.io style): the URL on success, ``URL/fail``
    with the problems as the body on failure. A failed ping is said, never raised."""
    url = config.daily.ping_url
    if not url:
        return
    import httpx

    target = url if failure is None else url.rstrip("/") + "/fail"
    try:
        httpx.post(target, content=(failure or "ok").encode(), timeout=10.0)
    except httpx.HTTPError as exc:
        progress(f"warning: ping to {httpx.URL(url).host} failed ({type(exc).__name__})")


def send_test(
    config: settings.Settings,
    options: DailyOptions,
    address: str,
    progress: Progress = lambda _: None,
    transport: TransportFactory = SmtpTransport,
) -> str:
    """Render the day's brief aside and email it to ``address`` only: no ledger, no blog, no
    subscriber touched. Returns a one-line summary; ``DeliveryError`` if it was not sent."""
    to = ledger.normalize_address(address)
    with tempfile.TemporaryDirectory(prefix="marketnotes-test-to-") as tmp:
        now = pipeline.utc_now()
        request = _request(config, options, Path(tmp) / "out", now)
        brief = _write(config, options, request, now, progress, None)
        password = config.secret(config.email.password_env) if config.email.user else None
        if config.email.user and password is None:
            raise DeliveryError(f"email: ${config.email.password_env} is empty; nothing was sent")
        key = unsubscribe.signing_key(config)
        composer = Composer(brief, config.email, web_url(config, brief.brief_id), key)
        data = composer.message_bytes(to)
        connection = transport(config.email, password)
        try:
            connection.send(parseaddr(config.email.sender)[1], to, data)
        except SendError as exc:
            raise DeliveryError(f"email: test message to {to} not sent: {exc}") from None
        finally:
            connection.close()
    return f"test message of brief {brief.brief_id} sent to {to} ({len(data) / 1e6:.2f} MB)"
