"""The one driver: snapshot → facts → story → charts → HTML / PDF / facts.json → output folder.

Stages never import each other; only this module wires them, and only it writes the run folder.
Everything is built in a hidden folder beside the target and renamed into place at the end, so a
brief appears whole or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import settings
from analysis import FACTS, compute_facts
from analysis.narrative import tell
from errors import InputError
from models import Dataset, Fact, Snapshot, Story
from sources import load_snapshot

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BriefRequest:
    """What to write: from which snapshot, as of when, for which assets, in which formats."""

    snapshot: Path = settings.DEMO_SNAPSHOT
    out: Path = settings.OUTPUT_DIR
    as_of: pd.Timestamp | None = None
    assets: tuple[str, ...] | None = None
    formats: tuple[str, ...] = settings.FORMATS


@dataclass
class BriefResult:
    """What was written, and how long each stage took (seconds)."""

    folder: Path
    files: list[Path]
    as_of: pd.Timestamp
    demo: bool
    facts: list[Fact]
    timings: dict[str, float] = field(default_factory=dict)


def default_as_of(snapshot: Snapshot) -> pd.Timestamp:
    """Close time of the newest hourly candle (else daily candle) of any asset."""
    series = [a.candles_1h for a in snapshot.assets.values() if a.candles_1h is not None]
    series = series or [a.candles_1d for a in snapshot.assets.values()]
    return max(_newest_close(d) for d in series)


def _newest_close(d: Dataset) -> pd.Timestamp:
    assert d.interval is not None
    return pd.Timestamp(d.frame.index[-1] + d.interval)


def stale_datasets(snapshot: Snapshot, as_of: pd.Timestamp) -> list[dict[str, str | None]]:
    """Datasets whose newest row known at ``as_of`` is older than ``settings.STALE_AFTER``."""
    found = []
    for d in _datasets(snapshot):
        frame = d.frame[d.frame.index <= as_of]
        if frame.empty:
            continue
        newest = frame.index[-1] + (d.interval or pd.Timedelta(0))
        if as_of - newest > pd.Timedelta(settings.STALE_AFTER[d.name]):
            found.append({"dataset": d.name, "asset": d.asset, "newest": newest.isoformat()})
    return found


def _datasets(snapshot: Snapshot) -> Iterator[Dataset]:
    for a in snapshot.assets.values():
        for d in (
            a.candles_1d,
            a.candles_1h,
            a.funding,
            a.open_interest,
            a.liquidations,
            a.long_short,
        ):
            if d is not None:
                yield d
    yield from (d for d in (snapshot.fear_greed, snapshot.dxy) if d is not None)


def write_brief(request: BriefRequest, progress: Progress = lambda _: None) -> BriefResult:
    """Write one brief; raise ``MarketnotesError`` subclasses on bad input (nothing written)."""
    clock = _Clock()
    with clock("load"):
        snapshot = load_snapshot(request.snapshot, list(request.assets) if request.assets else None)
    as_of = request.as_of or default_as_of(snapshot)
    _check_as_of(snapshot, as_of)
    progress(f"snapshot {request.snapshot} loaded; writing the brief as of {as_of.isoformat()}")
    with clock("facts"):
        facts = compute_facts(snapshot, as_of)
        story = tell(facts, {s.id: s.section for s in FACTS}, list(snapshot.assets))
    progress(f"{len(facts)} facts computed")
    folder = request.out / as_of.strftime("%Y-%m-%d")
    with _staging(folder) as stage:
        files = _render(request, snapshot, as_of, facts, story, stage, clock, progress)
    files = [folder / f.relative_to(stage) for f in files]
    return BriefResult(folder, files, as_of, snapshot.demo, facts, clock.timings)


def _render(
    request: BriefRequest,
    snapshot: Snapshot,
    as_of: pd.Timestamp,
    facts: list[Fact],
    story: Story,
    stage: Path,
    clock: _Clock,
    progress: Progress,
) -> list[Path]:
    from charts import render_charts
    from render import NoteContext, html_to_pdf, render_note

    known = snapshot.cut(as_of)
    files: list[Path] = []
    with clock("charts"):
        charts = render_charts(known.assets, facts, stage, demo=snapshot.demo)
    progress(f"{sum(len(c) for c in charts.values())} charts drawn")
    files += sorted((stage / "charts").glob("*.png"))
    context = NoteContext(
        as_of=as_of,
        demo=snapshot.demo,
        assets=tuple(snapshot.assets),
        story=story,
        facts={f.key: f for f in facts},
        charts=charts,
        sources=tuple(dict.fromkeys(s for f in facts for s in f.sources)),
        unavailable=(),
        snapshot_created_at=snapshot.created_at,
        generator="marketnotes 0.1.0",
    )
    with clock("html"):
        note = render_note(context)
    if "html" in request.formats:
        files.append(_write(stage / "brief.html", note.html.encode()))
    if "pdf" in request.formats:
        with clock("pdf"):
            pdf = html_to_pdf(note.html, stage)
        files.append(_write(stage / "brief.pdf", pdf))
        progress("PDF rendered")
    if "json" in request.formats:
        doc = facts_document(as_of, snapshot, facts, note.headline, note.takeaways)
        files.append(_write(stage / "facts.json", doc.encode()))
    return files


def facts_document(
    as_of: pd.Timestamp,
    snapshot: Snapshot,
    facts: Sequence[Fact],
    headline: str,
    takeaways: Sequence[str],
) -> str:
    """The facts.json output contract (docs/facts.md), numbers at full precision."""
    doc = {
        "as_of": as_of.isoformat().replace("+00:00", "Z"),
        "demo": snapshot.demo,
        "assets": list(snapshot.assets),
        "headline": headline,
        "takeaways": list(takeaways),
        "facts": [
            {
                "id": f.id,
                "asset": f.asset,
                "value": f.value,
                "unit": f.unit,
                "as_of": f.as_of.isoformat().replace("+00:00", "Z"),
                "sources": list(f.sources),
                "evidence": dict(f.evidence),
            }
            for f in facts
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _check_as_of(snapshot: Snapshot, as_of: pd.Timestamp) -> None:
    for name, data in snapshot.assets.items():
        first = data.candles_1d.frame.index[0] + pd.Timedelta(days=1)
        if as_of < first:
            raise InputError(
                f"--as-of {as_of.isoformat()} is before the first closed daily candle of {name} "
                f"({first.isoformat()})"
            )


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@contextmanager
def _staging(folder: Path) -> Iterator[Path]:
    """A hidden sibling folder that replaces ``folder`` only if the block succeeds."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.parent))
    try:
        yield stage
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            folder.rename(old)
            stage.rename(folder)
            shutil.rmtree(old)
        else:
            stage.rename(folder)
    finally:
        if stage.exists():
            shutil.rmtree(stage)


class _Clock:
    """Times named stages: ``with clock("pdf"): ...``."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def print_progress(message: str) -> None:
    """Progress lines go to stderr, so stdout holds only the paths written."""
    print(f"· {message}", file=sys.stderr, flush=True)
