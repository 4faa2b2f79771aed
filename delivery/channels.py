"""Delivery channels: one small interface, each channel a module with a settings section.

A channel takes a written brief (``BriefFiles``) to its readers and says what it did in a
``ChannelReport``; it never raises for a delivery problem, and ``publish_all`` catches what a
channel raises anyway, so one failing channel never stops the others (freqtrade's
``RPCManager`` does the same for its notifiers). Each channel keeps its own record in the store
of what it has done, so a rerun repeats nothing.

To add a channel: a module in ``delivery/`` with a class that has a ``name`` and a
``publish(brief, run)`` method, its settings section in ``settings.py``, and one line in
``delivery.CHANNELS``; users enable it in ``[delivery] channels``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from delivery.brief import BriefFiles
from errors import DeliveryError
from store import Store

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RunContext:
    """What a daily run gives every channel."""

    store: Store | None
    """The store (ledgers of what each channel did); None in a dry run without a store."""
    progress: Progress = lambda _: None
    stop: Callable[[], str | None] = lambda: None
    """Why the run must stop now (SIGTERM), or None; long channels check it between steps."""
    dry_run: Path | None = None
    """Set in a dry run: render into this folder, publish and send nothing."""


@dataclass
class ChannelReport:
    """What one channel did with one brief."""

    channel: str
    status: str
    """A few words for the summary: ``published``, ``already published``, ``FAILED``..."""
    target: str = ""
    """Where it went (a path or URL), for the summary line."""
    problems: list[str] = field(default_factory=list)
    """One line each: what is left for the next run or failed; empty when all went well."""
    details: list[str] = field(default_factory=list)
    """Extra summary lines (e.g. the addresses that failed)."""
    figures: dict[str, float] = field(default_factory=dict)
    """Counts for scripts and benchmarks (email: ``sent``, ``failed``, ``left``, ``seconds``)."""


class Channel(Protocol):
    """A way to take a brief to readers (the blog, email, a webhook)."""

    @property
    def name(self) -> str:
        """The channel's name in ``[delivery] channels`` and in the run's summary."""
        ...

    @property
    def fresh_only(self) -> bool:
        """True when the channel takes only today's news: a backfilled brief skips it (the
        blog, an archive, is False)."""
        ...

    def publish(self, brief: BriefFiles, run: RunContext) -> ChannelReport:
        """Deliver ``brief`` (or, with ``run.dry_run``, only render it); report, never raise
        for a delivery problem."""
        ...


def publish_all(
    channels: Sequence[Channel], brief: BriefFiles, run: RunContext
) -> list[ChannelReport]:
    """Every channel's report, in order; an exception in one becomes that channel's problem."""
    reports = []
    for channel in channels:
        try:
            reports.append(channel.publish(brief, run))
        except Exception as exc:
            text = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
            if not text.startswith(f"{channel.name}:"):
                text = f"{channel.name}: {text}"
            reports.append(ChannelReport(channel.name, "FAILED", problems=[text]))
    return reports
