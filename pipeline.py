"""The one driver: snapshot → facts → story → charts → HTML / PDF / facts.json → output folder.

Stages never import each other; only this module wires them, and only it writes the run folder.
Everything is built in a hidden folder beside the target and renamed into place at the end, so a
brief appears whole or not at all.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

import settings
from analysis import compute_facts, level_profiles
from analysis.liquidation_map import LevelModel
from analysis.narrative import chart_facts, tell
from datasets import ASSET_DATASETS, MARKET_DATASETS
from errors import InputError, StaleData
from models import ChartRef, DataGap, Dataset, Fact, Snapshot, Story
from sources import load_snapshot
from sources.calendar import load_fomc
from values import to_json

if TYPE_CHECKING:
    from sources.gather import GatherResult

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BriefRequest:
    """What to write: from which snapshot, as of when, for which assets, in which formats.

    Made only by :meth:`from_settings`, so every run (``brief``, ``brief --live``, ``daily``)
    reads the same settings the same way.
    """

    snapshot: Path
    out: Path
    as_of: pd.Timestamp | None
    assets: tuple[str, ...] | None
    """Asset codes, lead first; None: every asset of the snapshot."""
    formats: tuple[str, ...]
    stale_after: settings.StaleSettings
    analysis: settings.AnalysisSettings
    narrative: settings.NarrativeSettings
    max_file_mb: float = settings.SourcesSettings.max_file_mb
    """The size cap of each snapshot file read (``[sources] max_file_mb``)."""

    @classmethod
    def from_settings(
        cls,
        config: settings.Settings,
        *,
        snapshot: Path | None = None,
        as_of: pd.Timestamp | None = None,
        **brief: Any,
    ) -> BriefRequest:
        """The request ``config`` describes, with ``[brief]`` keys (``out``, ``assets``,
        ``formats``) overridden by ``brief``; ``snapshot`` defaults to the demo snapshot.
        ``InputError`` names a bad override."""
        section = settings.replace(config, "brief", **brief).brief if brief else config.brief
        return cls(
            snapshot=snapshot or settings.DEMO_SNAPSHOT,
            out=section.out,
            as_of=as_of,
            assets=section.assets or None,
            formats=section.formats,
            stale_after=config.stale_after,
            analysis=config.analysis,
            narrative=config.narrative,
            max_file_mb=config.sources.max_file_mb,
        )


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


def data_gaps(
    snapshot: Snapshot, as_of: pd.Timestamp, stale_after: settings.StaleSettings
) -> tuple[DataGap, ...]:
    """Datasets absent at ``as_of``, or whose newest known row is older than its limit in
    ``stale_after``; the note states each one."""
    known = snapshot.cut(as_of)
    found = []
    for name, asset, d in _datasets(known):
        if d is None or d.frame.empty:
            found.append(DataGap(name, asset, None))
            continue
        newest = pd.Timestamp(d.frame.index[-1] + (d.interval or pd.Timedelta(0)))
        if as_of - newest > pd.Timedelta(stale_after.limit(name)):
            found.append(DataGap(name, asset, newest))
    return tuple(found)


def _datasets(snapshot: Snapshot) -> Iterator[tuple[str, str | None, Dataset | None]]:
    """Every registered dataset of ``snapshot`` (None when absent): each asset's, then the
    market-wide ones, in registry order."""
    for code, a in snapshot.assets.items():
        for name in ASSET_DATASETS:
            yield name, code, getattr(a, name)
    for name in MARKET_DATASETS:
        yield name, None, getattr(snapshot, name)


def write_brief(request: BriefRequest, progress: Progress = lambda _: None) -> BriefResult:
    """Write one brief; raise ``MarketnotesError`` subclasses on bad input (nothing written)."""
    clock = _Clock()
    with _chart_drawers(bool({"html", "pdf"} & set(request.formats))) as draw:
        with clock("load"):
            snapshot = _load(request)
        as_of = request.as_of or default_as_of(snapshot)
        _check_as_of(snapshot, as_of)
        progress(f"snapshot {request.snapshot} loaded; writing the brief as of {as_of.isoformat()}")
        with clock("facts"):
            options = request.analysis.options()
            facts = compute_facts(snapshot, as_of, fomc=load_fomc(), options=options)
            story = tell(facts, list(snapshot.assets), request.narrative)
        progress(f"{len(facts)} facts computed")
        folder = request.out / as_of.strftime("%Y-%m-%d")
        with _staging(folder) as stage:
            model = options["model"]
            assert isinstance(model, LevelModel)
            files = _render(
                request, snapshot, as_of, facts, story, model, stage, clock, progress, draw
            )
    files = [folder / f.relative_to(stage) for f in files]
    return BriefResult(folder, files, as_of, snapshot.demo, facts, clock.timings)


def utc_now() -> pd.Timestamp:
    """The clock of live runs: the one place that reads it (tests replace it)."""
    return pd.Timestamp.now(tz="UTC")


def live_assets(config: settings.Settings, request: BriefRequest | None = None) -> tuple[str, ...]:
    """The assets a live run gathers: the request's, else ``[brief] assets``, else
    ``[sources] assets``."""
    return (request.assets if request else None) or config.brief.assets or config.sources.assets


def gather_live(
    config: settings.Settings,
    *,
    now: pd.Timestamp,
    strict: bool,
    into: Path,
    assets: tuple[str, ...],
    progress: Progress = lambda _: None,
    gather_options: Mapping[str, Any] | None = None,
) -> GatherResult:
    """Gather live data as of ``now`` into the snapshot folder ``into``; the one live path.

    Each dataset that failed or is stale is reported through ``progress``. With ``strict``, a
    required one (``[sources] required``) raises ``StaleData``, and the snapshot is removed.
    ``gather_options`` reach ``sources.gather`` (tests inject clients there).
    """
    from sources.gather import gather

    progress(f"gathering live data for {', '.join(assets)}")
    result = gather(config, into, assets, now=now, **(gather_options or {}))
    for o in result.failed + result.stale:
        progress(f"{o.file}: {o.status} ({o.error})")
    bad = [
        o
        for o in result.failed + result.stale
        if o.dataset in config.sources.required and o.asset in (*result.assets, None)
    ]
    if strict and bad:
        shutil.rmtree(into, ignore_errors=True)
        listed = "; ".join(f"{o.file} {o.status}: {o.error}" for o in bad)
        raise StaleData(f"required data unavailable, nothing written ({listed})")
    return result


def write_live_brief(
    request: BriefRequest,
    config: settings.Settings,
    *,
    now: pd.Timestamp,
    strict: bool = False,
    progress: Progress = lambda _: None,
    gather_options: Mapping[str, Any] | None = None,
) -> BriefResult:
    """Gather live data (:func:`gather_live`), then write the brief from it as of
    ``request.as_of`` or ``now`` floored to the hour; the snapshot (with raw/ and its
    manifest) is kept in the brief's folder as ``snapshot/``."""
    request.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".gather-", dir=request.out) as tmp:
        snapshot_dir = Path(tmp) / "snapshot"
        assets = live_assets(config, request)
        result = gather_live(
            config,
            now=now,
            strict=strict,
            into=snapshot_dir,
            assets=assets,
            progress=progress,
            gather_options=gather_options,
        )
        live = dataclasses.replace(
            request,
            snapshot=snapshot_dir,
            as_of=request.as_of or now.floor("h"),
            assets=tuple(result.assets),
        )
        brief = write_brief(live, progress)
        shutil.move(str(snapshot_dir), brief.folder / "snapshot")
    return brief


def brief_as_of(request: BriefRequest) -> pd.Timestamp:
    """The as-of a brief of ``request`` will have (its own, else the snapshot's default)."""
    if request.as_of is not None:
        return request.as_of
    return default_as_of(_load(request))


def _load(request: BriefRequest) -> Snapshot:
    """The snapshot of ``request``, validated (only its assets when it names them)."""
    assets = list(request.assets) if request.assets else None
    return load_snapshot(request.snapshot, assets, max_mb=request.max_file_mb)


def _render(
    request: BriefRequest,
    snapshot: Snapshot,
    as_of: pd.Timestamp,
    facts: list[Fact],
    story: Story,
    model: LevelModel,
    stage: Path,
    clock: _Clock,
    progress: Progress,
    draw: DrawCharts,
) -> list[Path]:
    known = snapshot.cut(as_of)
    files: list[Path] = []
    jobs: list[ChartJob] = []
    if {"html", "pdf"} & set(request.formats):
        marked = chart_facts(facts, story)
        jobs = [
            (key, known, marked, stage, snapshot.demo, as_of, model)
            for key in [*known.assets, "market"]
        ]
    with draw(jobs) as charts_done:
        with clock("engines"):
            from render import NoteContext, html_to_pdf, load_engine, note_text, render_note

            if "pdf" in request.formats:
                load_engine()
        with clock("charts"):
            charts = charts_done()
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
        gaps=data_gaps(snapshot, as_of, request.stale_after),
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
    if "txt" in request.formats:
        files.append(_write(stage / "brief.txt", note_text(note.html).encode()))
    if "json" in request.formats:
        doc = facts_document(as_of, snapshot, facts, note.headline, note.lede, note.watch)
        files.append(_write(stage / "facts.json", doc.encode()))
    return files


ChartJob = tuple[str, Snapshot, list[Fact], Path, bool, pd.Timestamp, LevelModel]
"""(asset code or "market", the snapshot cut at as-of, facts, stage folder, demo, as-of,
the liquidation-level model the facts used)."""


def _draw_charts(job: ChartJob) -> dict[str, tuple[ChartRef, ...]]:
    """One asset's charts, or the market-wide ones (key "market")."""
    from charts import render_charts, render_market_charts

    key, known, facts, stage, demo, as_of, model = job
    if key == "market":
        found = render_market_charts(
            known.assets, facts, stage, demo=demo, fear_greed=known.fear_greed, dxy=known.dxy
        )
        return {"market": found} if found else {}
    one = {key: known.assets[key]}
    cut = Snapshot(known.path, known.created_at, known.demo, one)
    profiles = level_profiles(cut, as_of, model)
    return render_charts(one, facts, stage, demo=demo, profiles=profiles, market=False)


Drawn = dict[str, tuple[ChartRef, ...]]
"""Charts drawn, by asset code ("market" for the market-wide ones), in job order."""
DrawCharts = Callable[[list[ChartJob]], AbstractContextManager[Callable[[], Drawn]]]
"""Starts drawing the charts of the jobs; yields the function that waits for them. Leaving
the block waits for them too (an error inside it is raised once no drawer writes into the
stage any more, which is then removed)."""


@contextmanager
def _chart_drawers(needed: bool) -> Iterator[DrawCharts]:
    """Two forked processes that draw the charts, ready by the time the facts are.

    The first is forked now and imports the chart code (matplotlib: about half a second of
    CPU) while this process loads the snapshot and computes the facts; it then forks the
    second, which inherits that import instead of repeating it. Given the jobs, each draws
    half of them (charts take about a second of CPU) while this process imports the PDF
    engine. The jobs are sent from a thread, so a drawer still importing does not hold this
    process up. Where ``fork`` is unavailable, or no chart is needed, the charts are drawn
    here, in turn, when asked for.
    """
    if not needed or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda jobs: nullcontext(lambda: _merged(_draw_charts(job) for job in jobs))
        return
    fork = multiprocessing.get_context("fork")
    (first, first_end), (second, second_end) = fork.Pipe(), fork.Pipe()
    drawer = fork.Process(target=_first_drawer, args=(first_end, second_end, first, second))
    drawer.start()
    first_end.close()
    second_end.close()

    senders: list[threading.Thread] = []

    @contextmanager
    def draw(jobs: list[ChartJob]) -> Iterator[Callable[[], Drawn]]:
        half = len(jobs) // 2

        def send() -> None:
            with suppress(BrokenPipeError):  # a drawer that died: its answer says so
                second.send(jobs[:half])
                first.send(jobs[half:])

        senders.append(threading.Thread(target=send, daemon=True))
        senders[-1].start()
        waited: list[bool] = []

        def wait() -> Drawn:
            waited.append(True)
            return _outcomes(second, first)

        try:
            yield wait
        finally:
            if not waited:
                with suppress(Exception):  # the error that left the block is raised instead
                    wait()

    try:
        yield draw
    finally:
        for sender in senders:
            sender.join()  # done once both drawers have read their jobs (or exited)
        first.close()
        second.close()
        drawer.join()


def _first_drawer(mine: Connection, theirs: Connection, *parents: Connection) -> None:
    """The first drawer process: import the chart code, fork the second drawer (which serves
    ``theirs``), serve ``mine``. ``parents``: the parent's ends of both, closed here so that
    either drawer sees the end of its connection when the parent closes it."""
    for end in parents:
        end.close()
    import charts  # noqa: F401  the import the second drawer inherits

    second = multiprocessing.get_context("fork").Process(target=_serve, args=(theirs, mine))
    second.start()
    theirs.close()
    _serve(mine)
    second.join()


def _serve(conn: Connection, other: Connection | None = None) -> None:
    """In a drawer: draw the jobs received on ``conn``, send back the charts (or the error).
    ``other``: a connection inherited from the first drawer, closed here. Returns quietly when
    the parent closed ``conn`` without sending (its brief failed before the charts)."""
    if other is not None:
        other.close()
    try:
        jobs: list[ChartJob] = conn.recv()
    except EOFError:
        return
    try:
        answer: Drawn | Exception = _merged(_draw_charts(job) for job in jobs)
    except Exception as exc:  # sent to the parent, which raises it
        answer = exc
    with suppress(BrokenPipeError):  # the parent's brief failed meanwhile
        conn.send(answer)


def _outcomes(*conns: Connection) -> Drawn:
    """The charts the drawers sent back on ``conns``, merged in order, once every one has
    answered; the first error one of them raised is raised here."""
    answers = [_answer(conn) for conn in conns]
    for answer in answers:
        if isinstance(answer, Exception):
            raise answer
    return _merged(a for a in answers if not isinstance(a, Exception))


def _answer(conn: Connection) -> Drawn | Exception:
    """What a drawer sent back on ``conn``: its charts or the error it raised."""
    try:
        got: Drawn | Exception = conn.recv()
    except EOFError:
        return RuntimeError("a chart drawer process died without an answer")
    return got


def _merged(parts: Iterator[Drawn]) -> Drawn:
    out: Drawn = {}
    for part in parts:
        out |= part
    return out


def facts_document(
    as_of: pd.Timestamp,
    snapshot: Snapshot,
    facts: Sequence[Fact],
    headline: str,
    lede: Sequence[str],
    watch: Sequence[str],
) -> str:
    """The facts.json output contract (docs/facts.md), numbers at full precision."""
    doc = {
        "as_of": as_of.isoformat().replace("+00:00", "Z"),
        "demo": snapshot.demo,
        "assets": list(snapshot.assets),
        "headline": headline,
        "lede": list(lede),
        "watch": list(watch),
        "facts": [
            {
                "id": f.id,
                "asset": f.asset,
                "value": to_json(f.value),
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
        _publishable(stage)
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


def _publishable(root: Path) -> None:
    """Folders 0755 and files 0644 under ``root``, whatever the umask (``mkdtemp`` makes 0700):
    a brief copied to a web server must be readable there."""
    root.chmod(0o755)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


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
    """Progress lines go to stderr, so stdout holds only the paths written; each starts with
    its UTC time, as a cron log needs."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(f"{stamp} · {message}", file=sys.stderr, flush=True)
