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
import fcntl
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
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
)
from delivery.brief import BriefFiles
from errors import BusyError, DeliveryError
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


@dataclass
class DailyReport:
    """What one daily run did; ``lines()`` is the one-screen summary."""

    brief_id: str = ""
    demo: bool = False
    brief: str = ""
    folder: Path | None = None
    channels: list[ChannelReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def problems(self) -> list[str]:
        """What is left for the next run or failed, one line each (empty: all delivered)."""
        return [p for c in self.channels for p in c.problems]

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
    channels: Sequence[Channel] | None = None,
    gather_options: Mapping[str, Any] | None = None,
) -> DailyReport:
    """Run the day's delivery (see the module docstring); problems are in ``report.problems``.

    ``channels`` default to the enabled ones (``[delivery] channels``); ``gather_options``
    reach the live gathering (tests inject clients). Raises ``InputError`` for bad input,
    ``StaleData`` when live required data is missing, ``BusyError`` if another run keeps the
    lock.
    """
    start = time.monotonic()
    chosen = list(channels) if channels is not None else channels_from_settings(config)
    report = DailyReport()
    if options.dry_run:
        with tempfile.TemporaryDirectory(prefix="marketnotes-dry-run-") as tmp:
            _dry_run(config, options, Path(tmp), chosen, report, progress, gather_options)
    else:
        with run_lock(lock_path(config), config.daily.lock_wait):
            store = open_store(config.store.path)
            # WAL + NORMAL: a commit survives a crash of this process (not a power cut, which
            # at worst makes the next run resend the last few messages); ~100x faster commits.
            store.conn.execute("PRAGMA synchronous=NORMAL")
            try:
                brief = _brief(config, options, store, report, progress, gather_options)
                stop = _StopFlag()
                with stop.on_sigterm():
                    run = RunContext(store, progress, stop)
                    report.channels = publish_all(chosen, brief, run)
            finally:
                store.close()
    report.seconds = time.monotonic() - start
    return report


def _request(
    config: settings.Settings, options: DailyOptions, out: Path, now: pd.Timestamp
) -> BriefRequest:
    """The brief of the day: the settings' (``[brief]``, ``[analysis]``...), written to ``out``
    with every format (the channels need them all)."""
    as_of = options.as_of or (now.floor("h") if options.live else None)
    return BriefRequest.from_settings(
        config, snapshot=options.snapshot, as_of=as_of, out=out, formats=settings.FORMATS
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
) -> BriefFiles:
    """The day's brief: the one a run already wrote (per the store), else written now."""
    now = pipeline.utc_now()
    request = _request(config, options, config.brief.out, now)
    brief_id = pipeline.brief_as_of(request).strftime("%Y-%m-%d")
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
    return brief


def _dry_run(
    config: settings.Settings,
    options: DailyOptions,
    tmp: Path,
    channels: Sequence[Channel],
    report: DailyReport,
    progress: Progress,
    gather_options: Mapping[str, Any] | None,
) -> None:
    now = pipeline.utc_now()
    request = _request(config, options, tmp / "out", now)
    brief = _write(config, options, request, now, progress, gather_options)
    report.brief_id, report.demo = brief.brief_id, brief.demo
    report.brief, report.folder = "rendered (dry run)", None
    store = open_store(config.store.path) if config.store.path.exists() else None
    try:
        report.channels = publish_all(channels, brief, RunContext(store, progress, dry_run=tmp))
    finally:
        if store is not None:
            store.close()
