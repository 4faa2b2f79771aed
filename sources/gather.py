"""Gather every live input concurrently into a snapshot directory, with raw/ and a manifest.

One asyncio task per dataset (per asset, then the market-wide ones), all at once, so the wall
time is close to the slowest source rather than the sum. Each task fetches through its adapter
(trying its fallback sources in turn), checks the rows (``sources.sanity``), appends them to the
history store and reads back what the store has accumulated, then reports an ``Outcome``.

Paged histories are fetched backward from ``now`` down to their configured depth on a first
gather; once the store holds rows of a dataset, only what is newer than its newest stored row
(less ``[sources] overlap`` rows) is fetched, and the rest comes from the store, so history
accumulates run after run. A dataset whose every source fails falls back to its stored rows
(``fallback: "store"`` in the manifest, with the error; the staleness check then says whether
they are too old). A task that still has nothing records its error and never stops the others:
its file is simply absent and the manifest says why; the brief then states the gap. Only daily
candles are required (per asset): an asset without them is left out of the snapshot.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from errors import SourceError
from settings import Settings, SourcesSettings
from sources import alternative_me, http, sanity, synthetic_dxy, yahoo
from sources.coinglass import SOURCE as COINGLASS
from sources.coinglass import CoinGlassSource
from sources.collect import SOURCE as RECORDED
from sources.collect import recorded_liquidations
from sources.exchange import ExchangeSource, make_exchange
from sources.http import Recorder, RetryPolicy, Sleep, ms
from sources.okx import SOURCE as OKX
from sources.okx import OkxSource
from sources.snapshot import COLUMNS, FORMAT, to_csv
from store import Store, open_store
from store import history as hist

ExchangeFactory = Callable[[SourcesSettings, Recorder], Any]
Fetch = Callable[[int | None], Awaitable[pd.DataFrame]]
"""Fetch a dataset's rows from a floor (ms; None: as far back as the source goes) to now."""
STEP = {
    "candles_1d": pd.Timedelta(days=1),
    "funding": pd.Timedelta(hours=8),
    "fear_greed": pd.Timedelta(days=1),
    "dxy": pd.Timedelta(days=1),
}
"""Spacing of a dataset's rows (default one hour): ``overlap`` rows span ``overlap`` steps."""


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
class _Source:
    """One way to fetch a dataset; ``fallback`` labels it when it is not the first tried."""

    name: str
    url: str
    fetch: Fetch
    fallback: str | None = None


@dataclass
class _Job:
    file: str
    dataset: str
    asset: str | None
    since: pd.Timestamp | None
    """Oldest row the snapshot keeps (None: all)."""
    sources: list[_Source]
    incremental: bool = True
    """Later gathers fetch only what is newer than the newest stored row."""

    @property
    def step(self) -> pd.Timedelta:
        return STEP.get(self.dataset, pd.Timedelta(hours=1))


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
    policy = RetryPolicy(cfg.retries, cfg.backoff, cfg.max_retry_after, cfg.timeout)
    client = http_client or httpx.AsyncClient(timeout=cfg.timeout, follow_redirects=True)
    exchange = ExchangeSource(exchange_factory(cfg, recorder), cfg, policy, sleep)
    store = open_store(settings.store.path)
    try:
        jobs = _jobs(settings, assets, now, exchange, client, policy, recorder, store)
        if sequential:
            results = [await _run(job, settings, now, store) for job in jobs]
        else:
            results = await asyncio.gather(*(_run(job, settings, now, store) for job in jobs))
    finally:
        await exchange.close()
        if http_client is None:
            await client.aclose()
    try:
        return _write(out_dir, now, assets, results, recorder)
    finally:
        store.close()


def _jobs(
    settings: Settings,
    assets: tuple[str, ...],
    now: pd.Timestamp,
    ex: ExchangeSource,
    client: httpx.AsyncClient,
    policy: RetryPolicy,
    recorder: Recorder,
    store: Store,
) -> list[_Job]:
    cfg = settings.sources
    until = ms(now)

    def back(days: int) -> pd.Timestamp | None:
        return (now - pd.Timedelta(days=days)).floor("D") if days else None

    macro_since = pd.Timestamp(cfg.macro_since, tz="UTC")
    jobs: list[_Job] = []
    key = settings.secret(cfg.coinglass_key_env)
    spot, deriv = ex.spot_source, ex.derivatives_source
    for a in assets:
        s_1d, s_1h, s_f = back(cfg.daily_days), back(cfg.hourly_days), back(cfg.funding_days)
        s_oi, s_ls = back(cfg.derivatives_days), back(cfg.long_short_days)

        jobs += [
            _exchange_job(ex, a, "candles_1d", spot, s_1d, partial(ex.candles, a, "1d"), until),
            _exchange_job(ex, a, "candles_1h", spot, s_1h, partial(ex.candles, a, "1h"), until),
            _exchange_job(ex, a, "funding", deriv, s_f, partial(ex.funding, a), until),
            _exchange_job(ex, a, "open_interest", deriv, s_oi, partial(ex.open_interest, a), until),
            _exchange_job(ex, a, "long_short", deriv, s_ls, partial(ex.long_short, a), until),
        ]
        if key:
            cg = CoinGlassSource(
                client, cfg.coinglass_url, key, cfg.coinglass_exchanges, policy, recorder
            )
            fetch = _fetch_from(s_oi, partial(_coinglass, cg, a, until))
            primary = _Source(COINGLASS, cfg.coinglass_url, fetch)
        else:
            okx = OkxSource(client, cfg.okx_url, policy, recorder)
            day = ms(now - pd.Timedelta(days=1))
            primary = _Source(OKX, cfg.okx_url, partial(_okx, okx, a, day, until))
        recorded = _Source(
            RECORDED,
            str(settings.store.path),
            partial(_recorded, store, a, s_oi, now),
            fallback="recorded",
        )
        chain = [primary, recorded]
        if cfg.liquidations == "recorded":
            recorded.fallback, primary.fallback = None, "auto"
            chain.reverse()
        jobs.append(_Job(f"liquidations/{a}.csv", "liquidations", a, s_oi, chain))

    async def fear_greed(floor: int | None) -> pd.DataFrame:
        return await alternative_me.fear_greed(client, cfg.alternative_me_url, 0, policy, recorder)

    async def dxy(floor: int | None) -> pd.DataFrame:
        return await yahoo.dxy(client, cfg.yahoo_url, ms(macro_since), until, policy, recorder)

    async def synthetic(floor: int | None) -> pd.DataFrame:
        return await synthetic_dxy.synthetic_dxy(
            client, cfg.frankfurter_url, macro_since, now, policy, recorder
        )

    fng_source = _Source(alternative_me.SOURCE, cfg.alternative_me_url, fear_greed)
    jobs.append(_Job("fear_greed.csv", "fear_greed", None, macro_since, [fng_source], False))
    dxy_sources = [
        _Source(yahoo.SOURCE, cfg.yahoo_url, dxy),
        _Source(synthetic_dxy.SOURCE, cfg.frankfurter_url, synthetic, fallback="synthetic"),
    ]
    jobs.append(_Job("dxy.csv", "dxy", None, macro_since, dxy_sources, False))
    return jobs


def _exchange_job(
    ex: ExchangeSource,
    asset: str,
    name: str,
    source: str,
    since: pd.Timestamp | None,
    method: Callable[[int | None, int], Awaitable[pd.DataFrame]],
    until: int,
) -> _Job:
    """A history of the exchange, paged back from ``until``."""
    kind = "candles" if name.startswith("candles") else name
    fetch = _fetch_from(since, partial(_until, method, until))
    return _Job(f"{name}/{asset}.csv", name, asset, since, [_Source(source, ex.url(kind), fetch)])


async def _until(
    method: Callable[[int | None, int], Awaitable[pd.DataFrame]], until: int, floor: int | None
) -> pd.DataFrame:
    return await method(floor, until)


def _fetch_from(since: pd.Timestamp | None, fetch: Fetch) -> Fetch:
    """``fetch`` from the floor it is given, else from the dataset's configured depth."""

    async def run(floor: int | None) -> pd.DataFrame:
        return await fetch(floor if floor is not None else (None if since is None else ms(since)))

    return run


async def _coinglass(
    cg: CoinGlassSource, asset: str, until: int, floor: int | None
) -> pd.DataFrame:
    return await cg.liquidations(asset, floor or 0, until)


async def _okx(okx: OkxSource, asset: str, day: int, until: int, floor: int | None) -> pd.DataFrame:
    """OKX keeps about a day: from the floor or a day ago, whichever is later."""
    return await okx.liquidations(asset, max(day, floor or 0), until)


async def _recorded(
    store: Store, asset: str, since: pd.Timestamp | None, now: pd.Timestamp, floor: int | None
) -> pd.DataFrame:
    return recorded_liquidations(store, asset, since, now)


async def _run(
    job: _Job, settings: Settings, now: pd.Timestamp, store: Store
) -> tuple[Outcome, pd.DataFrame | None]:
    """Fetch (each source in turn, then the store), check and store one dataset; never raises."""
    http.dataset.set(job.file)
    fetched_at = pd.Timestamp.now(tz="UTC")
    limit = getattr(settings.stale_after, job.dataset)
    errors: list[str] = []
    for i, source in enumerate(job.sources):
        floor = _floor(job, source, settings, store) if i == 0 else None
        try:
            frame = await source.fetch(floor)
            checked = sanity.check(frame, job.dataset, now, limit, source.name)
        except Exception as exc:
            errors.append(_message(exc))
            continue
        stored = hist.append_rows(
            store, job.dataset, job.asset, source.name, checked.frame, fetched_at
        )
        frame = _with_history(store, job, source.name, checked.frame, now)
        outcome = Outcome(
            job.file,
            job.dataset,
            job.asset,
            source.name,
            source.url,
            "ok",
            fetched_at,
            rows=len(frame),
            newest=checked.newest,
            stored=stored,
            fallback=source.fallback if i else None,
            error="; ".join(errors) or None,
        )
        return _staleness(outcome, checked, limit), frame
    first = job.sources[0]
    failed = Outcome(job.file, job.dataset, job.asset, first.name, first.url, "failed", fetched_at)
    failed.error = "; ".join(errors)
    kept = _from_store(store, job, now)
    if kept is None:
        return failed, None
    name, frame = kept
    try:
        checked = sanity.check(frame, job.dataset, now, limit, name)
    except Exception as exc:
        failed.error += f"; stored rows unusable: {_message(exc)}"
        return failed, None
    failed.status, failed.source, failed.fallback = "ok", name, "store"
    failed.url = str(settings.store.path)
    failed.rows, failed.newest = len(checked.frame), checked.newest
    failed.error += f"; using the {len(checked.frame)} stored rows"
    return _staleness(failed, checked, limit), checked.frame


def _message(exc: Exception) -> str:
    return str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}"


def _staleness(outcome: Outcome, checked: sanity.Checked, limit: str) -> Outcome:
    if checked.stale:
        outcome.status = "stale"
        note = f"newest row {checked.newest.isoformat()} is older than {limit}"
        outcome.error = f"{outcome.error}; {note}" if outcome.error else note
    return outcome


def _floor(job: _Job, source: _Source, settings: Settings, store: Store) -> int | None:
    """Where an incremental fetch starts: ``overlap`` rows before the newest stored row of
    ``source``, unless that is older than the configured depth (then None: the depth)."""
    if not job.incremental:
        return None
    newest = hist.newest_row(store, job.dataset, job.asset, source.name)
    if newest is None:
        return None
    start = newest[0] - settings.sources.overlap * job.step
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
) -> pd.DataFrame:
    """``frame`` completed by stored rows of the same source in the job's window."""
    kept = hist.read_rows(store, job.dataset, job.asset, job.since, now, source)
    if kept.empty:
        return frame
    kept = kept[~kept["time"].isin(frame["time"])]
    if kept.empty:
        return frame
    merged = pd.concat([kept[frame.columns], frame], ignore_index=True)
    return merged.sort_values("time").reset_index(drop=True)


def _write(
    out_dir: Path,
    now: pd.Timestamp,
    assets: tuple[str, ...],
    results: list[tuple[Outcome, pd.DataFrame | None]],
    recorder: Recorder,
) -> GatherResult:
    """Write the snapshot aside and move it into ``out_dir`` whole."""
    missing_daily = {o.asset for o, f in results if o.dataset == "candles_1d" and f is None}
    kept_assets = tuple(a for a in assets if a not in missing_daily)
    if not kept_assets:
        errors = "; ".join(o.error or "" for o, _ in results if o.dataset == "candles_1d")
        raise SourceError(f"no asset's daily candles could be gathered ({errors})")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    datasets: dict[str, Any] = {}
    unavailable: dict[str, Any] = {}
    try:
        for outcome, frame in results:
            if frame is None or outcome.asset in missing_daily:
                if outcome.status == "ok":
                    outcome.status, outcome.error = "failed", "asset left out: no daily candles"
                unavailable[outcome.file] = outcome.manifest_entry()
                continue
            path = stage / outcome.file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(to_csv(frame, COLUMNS[outcome.dataset]), encoding="utf-8")
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
