"""Gather every live input concurrently into a snapshot directory, with raw/ and a manifest.

One asyncio task per dataset of ``datasets.REGISTRY`` (per asset, then the market-wide ones),
all at once, so the wall time is close to the slowest source rather than the sum; the whole
gather has a wall-clock budget (``[sources] gather_budget``), after which the datasets still
being fetched fail (falling back to the store) and the snapshot is written from the rest. Each
task fetches through the adapters its route lists (``sources/registry.py``: the first, then its
fallbacks in turn), checks the rows (``sources.sanity``: a row the snapshot loader would refuse
fails the source), completes them with the usable rows the store has accumulated, quarantines
implausible prices (``sources.plausibility``), appends the fetched rows kept to the store, then
reports an ``Outcome``.

Paged histories are fetched backward from ``now`` down to their configured depth on a first
gather; once the store holds rows of a dataset, only what is newer than its newest stored row
(less ``[sources] overlap`` rows) is fetched, and the rest comes from the store, so history
accumulates run after run. A dataset whose every source fails falls back to its stored rows
(``fallback: "store"`` in the manifest, with the error; the staleness check then says whether
they are too old). A task that still has nothing records its error and never stops the others:
its file is simply absent and the manifest says why; the brief then states the gap. Only
required datasets (``DatasetSpec.required``: daily candles) are needed per asset: an asset
without them is left out of the snapshot.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from datasets import DATASETS, REGISTRY, DatasetSpec, of_scope
from errors import BadResponse, SourceError
from settings import Settings, SourcesSettings
from sources import http, plausibility, sanity
from sources.base import Context, Reference, Request, Source
from sources.exchange import ExchangeSource, make_exchange
from sources.http import Recorder, RetryPolicy, Sleep, ms
from sources.registry import ROUTES, chain, reference
from sources.snapshot import FORMAT, to_csv
from store import Store, open_store
from store import history as hist

ExchangeFactory = Callable[[SourcesSettings, Recorder], Any]


@dataclass
class Outcome:
    """What happened to one dataset: ``ok``, ``stale`` or ``failed`` (with the error)."""

    file: str
    dataset: str
    asset: str | None
    source: str
    url: str
    status: str
    fetched_at: pd.Timestamp
    venues: tuple[str, ...] = ()
    """Exchanges whose trading the rows cover (the source's)."""
    rows: int = 0
    newest: pd.Timestamp | None = None
    error: str | None = None
    stored: int = 0
    """Rows newly added to the history store."""
    fallback: str | None = None
    """Where the rows came from when the primary source failed: ``store`` (the history
    store's rows), ``recorded`` (the liquidation collector's events) or ``synthetic``."""

    def manifest_entry(self) -> dict[str, Any]:
        """This outcome as JSON for manifest.json."""
        entry: dict[str, Any] = {
            "source": self.source,
            "url": self.url,
            "fetched_at": _iso(self.fetched_at),
            "status": self.status,
            "venues": list(self.venues),
        }
        if self.status != "failed":
            entry |= {"rows": self.rows, "newest": _iso(self.newest)}
        if self.error:
            entry["error"] = self.error
        if self.fallback:
            entry["fallback"] = self.fallback
        return entry


@dataclass
class GatherResult:
    """The snapshot written and every dataset's outcome."""

    folder: Path
    created_at: pd.Timestamp
    assets: tuple[str, ...]
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        """Datasets that could not be gathered."""
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def stale(self) -> list[Outcome]:
        """Datasets gathered but older than their staleness limit."""
        return [o for o in self.outcomes if o.status == "stale"]


@dataclass
class _Job:
    """One dataset (of one asset) to gather: its spec, window and adapters in order."""

    spec: DatasetSpec
    asset: str | None
    since: pd.Timestamp | None
    """Oldest row the snapshot keeps (None: all)."""
    sources: list[Source]
    reference: Reference | None = None
    """The other market asked about implausible rows."""
    errors: list[str] = field(default_factory=list)
    """What failed so far, source by source."""

    @property
    def file(self) -> str:
        return self.spec.file(self.asset)

    @property
    def dataset(self) -> str:
        return self.spec.name

    def venues_of(self, source: str) -> tuple[str, ...]:
        """The venues of the adapter named ``source`` (stored rows name only their source),
        else the dataset's default."""
        return next((s.venues for s in self.sources if s.name == source), self.spec.venues)


def gather(
    settings: Settings,
    out_dir: Path,
    assets: tuple[str, ...],
    *,
    now: pd.Timestamp,
    exchange_factory: ExchangeFactory = make_exchange,
    http_client: httpx.AsyncClient | None = None,
    sleep: Sleep = asyncio.sleep,
    sequential: bool = False,
) -> GatherResult:
    """Fetch every dataset of ``assets`` as of ``now`` into the snapshot at ``out_dir``."""
    return asyncio.run(
        gather_async(
            settings,
            out_dir,
            assets,
            now=now,
            exchange_factory=exchange_factory,
            http_client=http_client,
            sleep=sleep,
            sequential=sequential,
        )
    )


async def gather_async(
    settings: Settings,
    out_dir: Path,
    assets: tuple[str, ...],
    *,
    now: pd.Timestamp,
    exchange_factory: ExchangeFactory = make_exchange,
    http_client: httpx.AsyncClient | None = None,
    sleep: Sleep = asyncio.sleep,
    sequential: bool = False,
) -> GatherResult:
    """``gather`` inside a running event loop; ``sequential`` (benchmarks) runs one dataset
    after another instead of all at once."""
    cfg = settings.sources
    recorder = Recorder(clock=lambda: pd.Timestamp.now(tz="UTC"))
    policy = RetryPolicy(
        retries=cfg.retries,
        backoff=cfg.backoff,
        max_retry_after=cfg.max_retry_after,
        timeout=cfg.timeout,
        deadline=cfg.request_deadline,
        max_bytes=int(cfg.max_response_mb * 1_000_000),
    )
    client = http_client or httpx.AsyncClient(timeout=cfg.timeout, follow_redirects=True)
    exchange = ExchangeSource(exchange_factory(cfg, recorder), cfg, policy, sleep)
    store = open_store(settings.store.path)
    try:
        ctx = Context(settings, client, policy, recorder, exchange, store)
        jobs = _jobs(ctx, assets, now)
        results = await _run_all(jobs, settings, now, store, sequential=sequential)
    finally:
        await exchange.close()
        if http_client is None:
            await client.aclose()
    try:
        return _write(out_dir, now, assets, results, recorder)
    finally:
        store.close()


async def _run_all(
    jobs: list[_Job], settings: Settings, now: pd.Timestamp, store: Store, *, sequential: bool
) -> list[tuple[Outcome, pd.DataFrame | None]]:
    """Every job's result, all at once (or one after another), within ``[sources]
    gather_budget`` seconds: a job still running then is cancelled and falls back to the
    store, its error saying that the budget ran out."""
    budget = settings.sources.gather_budget
    loop = asyncio.get_running_loop()
    end = loop.time() + budget
    results: list[tuple[Outcome, pd.DataFrame | None]] = []
    for batch in [[job] for job in jobs] if sequential else [jobs]:
        tasks = [asyncio.create_task(_run(job, settings, now, store)) for job in batch]
        await asyncio.wait(tasks, timeout=max(0.0, end - loop.time()))
        for task in tasks:
            task.cancel()  # no effect on a task that is done
        await asyncio.gather(*tasks, return_exceptions=True)
        for job, task in zip(batch, tasks, strict=True):
            if task.cancelled():
                job.errors.append(
                    f"gather budget of {budget:g} s ran out ([sources] gather_budget)"
                )
                fetched_at = pd.Timestamp.now(tz="UTC")
                results.append(await _fallback(job, settings, now, store, fetched_at, ask=False))
            else:
                results.append(task.result())
    return results


def _jobs(ctx: Context, assets: tuple[str, ...], now: pd.Timestamp) -> list[_Job]:
    """Every registered dataset, each asset's then the market-wide ones (in registry order),
    with the adapters its route lists."""
    cfg = ctx.settings.sources
    chains = {spec.name: chain(spec.name, ctx) for spec in REGISTRY}
    others = {spec.name: reference(spec.name, ctx) for spec in REGISTRY}
    slots: list[tuple[DatasetSpec, str | None]]
    slots = [(spec, a) for a in assets for spec in of_scope("asset")]
    slots += [(spec, None) for spec in of_scope("market")]
    return [
        _Job(s, a, ROUTES[s.name].depth(cfg, now), chains[s.name], others[s.name]) for s, a in slots
    ]


async def _run(
    job: _Job, settings: Settings, now: pd.Timestamp, store: Store
) -> tuple[Outcome, pd.DataFrame | None]:
    """Fetch (each source in turn, then the store), check and store one dataset; never raises
    (but may be cancelled: ``job.errors`` then holds what failed so far)."""
    http.dataset.set(job.file)
    fetched_at = pd.Timestamp.now(tz="UTC")
    limit = settings.stale_after.limit(job.dataset)
    for i, source in enumerate(job.sources):
        floor = _floor(job, source, settings, store) if i == 0 else None
        request = Request(job.dataset, job.asset, now, job.since, floor)
        try:
            fetched = sanity.check(await source.fetch(request), job.dataset, now, source.name)
            frame, skipped = _with_history(store, job, source.name, fetched, now)
            verdict = await _plausible(job, request, frame, ask=True)
        except Exception as exc:
            job.errors.append(_message(exc))
            continue
        fresh = fetched[~fetched["time"].isin(verdict.quarantined)]
        stored = hist.append_rows(store, job.dataset, job.asset, source.name, fresh, fetched_at)
        notes = [*job.errors, *(n for n in (skipped, verdict.note) if n)]
        outcome = Outcome(
            job.file,
            job.dataset,
            job.asset,
            source.name,
            source.url,
            "ok",
            fetched_at,
            source.venues,
            rows=len(verdict.frame),
            stored=stored,
            fallback=source.fallback if i else None,
            error="; ".join(notes) or None,
        )
        return _staleness(outcome, verdict.frame, limit, now)
    return await _fallback(job, settings, now, store, fetched_at, ask=True)


async def _plausible(
    job: _Job, request: Request, frame: pd.DataFrame, *, ask: bool
) -> plausibility.Verdict:
    """``frame`` without its implausible rows (``sources.plausibility``): each suspect is
    checked against the job's other market when ``ask`` (else, or without one, quarantined)."""
    flagged = plausibility.suspects(frame, job.dataset)
    if flagged.empty:
        return plausibility.Verdict(frame)
    if len(flagged) > plausibility.MOST_SUSPECTS:
        raise BadResponse(
            f"{len(flagged)} {job.dataset} rows jump implausibly from their neighbours "
            f"(first {flagged['time'].iloc[0]:%Y-%m-%dT%H:%MZ}): the data look broken"
        )
    other = pd.DataFrame({"time": pd.Series(dtype="datetime64[ns, UTC]")})
    unknown = "no other market to compare"
    if job.reference is not None and ask:
        unknown = f"no {job.reference.name} row"
        try:
            other = await job.reference.rows(request, list(flagged["time"]))
        except Exception as exc:
            unknown = f"{job.reference.name} not available: {_message(exc)}"
    market = job.reference.name if job.reference is not None else ""
    return plausibility.judge(frame, job.dataset, flagged, other, market, unknown)


async def _fallback(
    job: _Job,
    settings: Settings,
    now: pd.Timestamp,
    store: Store,
    fetched_at: pd.Timestamp,
    *,
    ask: bool,
) -> tuple[Outcome, pd.DataFrame | None]:
    """The outcome of a dataset whose every source failed (``job.errors``): its usable,
    plausible rows in the history store (``ask``: checking suspects against the other
    market), else nothing."""
    first = job.sources[0]
    failed = Outcome(
        job.file, job.dataset, job.asset, first.name, first.url, "failed", fetched_at, first.venues
    )
    failed.error = "; ".join(job.errors)
    kept = _from_store(store, job, now)
    if kept is None:
        return failed, None
    name, frame = kept
    frame, skipped = sanity.usable(frame, job.dataset)
    limit = settings.stale_after.limit(job.dataset)
    request = Request(job.dataset, job.asset, now, job.since)
    try:
        frame = sanity.check(frame, job.dataset, now, name)  # the bars closed by now
        verdict = await _plausible(job, request, frame, ask=ask)
    except BadResponse as exc:
        verdict = plausibility.Verdict(frame.iloc[0:0], note=f"stored rows unusable: {exc}")
    for note in (skipped, verdict.note):
        failed.error += f"; {note}" if note else ""
    if verdict.frame.empty:
        return failed, None
    failed.status, failed.source, failed.fallback = "ok", name, "store"
    failed.url, failed.venues = str(settings.store.path), job.venues_of(name)
    failed.rows = len(verdict.frame)
    failed.error += f"; using the {len(verdict.frame)} stored rows"
    return _staleness(failed, verdict.frame, limit, now)


def _message(exc: Exception) -> str:
    return str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}"


def _staleness(
    outcome: Outcome, frame: pd.DataFrame, limit: str, now: pd.Timestamp
) -> tuple[Outcome, pd.DataFrame | None]:
    """``outcome`` with the newest row of ``frame``, marked stale when it is older than
    ``limit``; the frame to write, None when its dataset publishes no stale rows."""
    outcome.newest, stale = sanity.freshness(frame, outcome.dataset, now, limit)
    if not stale:
        return outcome, frame
    outcome.status = "stale"
    note = f"newest row {outcome.newest.isoformat()} is older than {limit}"
    spec = DATASETS[outcome.dataset]
    if not spec.publish_stale:
        note += f"; stale {spec.noun} are not published (their last rows would read as current)"
    outcome.error = f"{outcome.error}; {note}" if outcome.error else note
    return outcome, frame if spec.publish_stale else None


def _floor(job: _Job, source: Source, settings: Settings, store: Store) -> int | None:
    """Where an incremental fetch starts: ``overlap`` rows before the newest stored row of
    ``source``, unless that is older than the configured depth (then None: the depth)."""
    newest = hist.newest_row(store, job.dataset, job.asset, source.name)
    if newest is None:
        return None
    start = newest[0] - settings.sources.overlap * job.spec.step
    if job.since is not None and start <= job.since:
        return None
    return ms(start)


def _from_store(store: Store, job: _Job, now: pd.Timestamp) -> tuple[str, pd.DataFrame] | None:
    """The stored rows of the source that stored the newest row, within the job's window."""
    newest = hist.newest_row(store, job.dataset, job.asset)
    if newest is None:
        return None
    rows = hist.read_rows(store, job.dataset, job.asset, job.since, now, newest[1])
    if rows.empty:
        return None
    return newest[1], rows.drop(columns="source").reset_index(drop=True)


def _with_history(
    store: Store, job: _Job, source: str, frame: pd.DataFrame, now: pd.Timestamp
) -> tuple[pd.DataFrame, str | None]:
    """``frame`` completed by the usable stored rows of the same source in the job's window,
    and what was skipped as unusable (None: nothing)."""
    kept = hist.read_rows(store, job.dataset, job.asset, job.since, now, source)
    kept = kept[~kept["time"].isin(frame["time"])]
    kept, skipped = sanity.usable(kept.reset_index(drop=True), job.dataset)
    if kept.empty:
        return frame, skipped
    merged = pd.concat([kept.reindex(columns=frame.columns), frame], ignore_index=True)
    return merged.sort_values("time").reset_index(drop=True), skipped


def _write(
    out_dir: Path,
    now: pd.Timestamp,
    assets: tuple[str, ...],
    results: list[tuple[Outcome, pd.DataFrame | None]],
    recorder: Recorder,
) -> GatherResult:
    """Write the snapshot aside and move it into ``out_dir`` whole."""
    required = {spec.name: spec for spec in of_scope("asset") if spec.required}
    lacking = {
        o.asset: required[o.dataset] for o, f in results if o.dataset in required and f is None
    }
    kept_assets = tuple(a for a in assets if a not in lacking)
    if not kept_assets:
        errors = "; ".join(o.error or "" for o, _ in results if o.dataset in required)
        nouns = " and ".join(spec.noun for spec in required.values())
        raise SourceError(f"no asset's {nouns} could be gathered ({errors})")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    datasets: dict[str, Any] = {}
    unavailable: dict[str, Any] = {}
    try:
        for outcome, frame in results:
            if frame is None or outcome.asset in lacking:
                if outcome.status == "ok":
                    noun = lacking[outcome.asset].noun
                    outcome.status, outcome.error = "failed", f"asset left out: no {noun}"
                unavailable[outcome.file] = outcome.manifest_entry()
                continue
            path = stage / outcome.file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(to_csv(frame, outcome.dataset), encoding="utf-8")
            datasets[outcome.file] = outcome.manifest_entry()
        _write_raw(stage / "raw", recorder)
        manifest = {
            "format": FORMAT,
            "created_at": _iso(now),
            "demo": False,
            "assets": list(kept_assets),
            "generator": "marketnotes gather",
            "datasets": datasets,
            "unavailable": unavailable,
        }
        text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (stage / "manifest.json").write_text(text, encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        stage.rename(out_dir)
    finally:
        if stage.exists():
            shutil.rmtree(stage)
    return GatherResult(out_dir, now, kept_assets, [o for o, _ in results])


def _write_raw(folder: Path, recorder: Recorder) -> None:
    """Every raw body under ``raw/<dataset>/NNN.json`` plus ``raw/index.json``."""
    index = []
    counts: dict[str, int] = {}
    for r in recorder.responses:
        stem = r.dataset.removesuffix(".csv")
        counts[stem] = counts.get(stem, 0) + 1
        rel = f"{stem}/{counts[stem]:03d}.json"
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(r.body, encoding="utf-8")
        index.append(
            {"file": rel, "url": r.url, "status": r.status, "fetched_at": _iso(r.fetched_at)}
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.json").write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")


def _iso(ts: pd.Timestamp | None) -> str | None:
    return None if ts is None else ts.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
