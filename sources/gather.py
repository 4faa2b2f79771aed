"""Gather every live input concurrently into a snapshot directory, with raw/ and a manifest.

One asyncio task per dataset (per asset, then the market-wide ones), all at once, so the wall
time is close to the slowest source rather than the sum. Each task fetches through its adapter,
checks the rows (``sources.sanity``), appends the histories Binance forgets to the store and
reads back what the store has accumulated, then reports an ``Outcome``. A task that fails
records its error and never stops the others: its file is simply absent and the manifest says
why; the brief then states the gap. Only daily candles are required (per asset): an asset
without them is left out of the snapshot.
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
from sources.exchange import ExchangeSource, make_exchange
from sources.http import Recorder, RetryPolicy, Sleep, ms
from sources.okx import SOURCE as OKX
from sources.okx import OkxSource
from sources.snapshot import COLUMNS, FORMAT, to_csv
from store import Store, open_store
from store import history as hist

ExchangeFactory = Callable[[SourcesSettings, Recorder], Any]
Fetch = Callable[[], Awaitable[pd.DataFrame]]
FROM_STORE = ("funding", "open_interest", "long_short", "liquidations")
"""Datasets whose history is appended to the store and read back from it."""


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
    file: str
    dataset: str
    asset: str | None
    source: str
    url: str
    since: pd.Timestamp
    fetch: Callable[[], Awaitable[pd.DataFrame]]


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
        jobs = _jobs(settings, assets, now, exchange, client, policy, recorder)
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
) -> list[_Job]:
    cfg = settings.sources
    until = ms(now)

    def back(days: int) -> pd.Timestamp:
        return (now - pd.Timedelta(days=days)).floor("D")

    daily_since = pd.Timestamp(cfg.daily_since, tz="UTC")
    jobs: list[_Job] = []
    key = settings.secret(cfg.coinglass_key_env)
    for a in assets:
        s_1h, s_f = back(cfg.hourly_days), back(cfg.funding_days)
        s_oi, s_ls = back(cfg.derivatives_days), back(cfg.long_short_days)
        spot, deriv = ex.spot_source, ex.derivatives_source

        def job(name: str, source: str, url: str, since: pd.Timestamp, fetch: Fetch) -> _Job:
            return _Job(f"{name}/{a}.csv", name, a, source, url, since, fetch)  # noqa: B023

        jobs += [
            job(
                "candles_1d",
                spot,
                ex.url("candles"),
                daily_since,
                partial(ex.candles, a, "1d", ms(daily_since), until),
            ),
            job(
                "candles_1h",
                spot,
                ex.url("candles"),
                s_1h,
                partial(ex.candles, a, "1h", ms(s_1h), until),
            ),
            job("funding", deriv, ex.url("funding"), s_f, partial(ex.funding, a, ms(s_f), until)),
            job(
                "open_interest",
                deriv,
                ex.url("oi"),
                s_oi,
                partial(ex.open_interest, a, ms(s_oi), until),
            ),
            job(
                "long_short", deriv, ex.url("ls"), s_ls, partial(ex.long_short, a, ms(s_ls), until)
            ),
        ]
        if key:
            cg = CoinGlassSource(
                client, cfg.coinglass_url, key, cfg.coinglass_exchanges, policy, recorder
            )
            fetch: Fetch = partial(cg.liquidations, a, ms(s_oi), until)
            jobs.append(job("liquidations", COINGLASS, cfg.coinglass_url, s_oi, fetch))
        else:
            okx = OkxSource(client, cfg.okx_url, policy, recorder)
            fetch = partial(okx.liquidations, a, ms(now - pd.Timedelta(days=1)), until)
            jobs.append(job("liquidations", OKX, cfg.okx_url, s_oi, fetch))
    jobs.append(
        _Job(
            "fear_greed.csv",
            "fear_greed",
            None,
            alternative_me.SOURCE,
            cfg.alternative_me_url,
            daily_since,
            lambda: alternative_me.fear_greed(client, cfg.alternative_me_url, 0, policy, recorder),
        )
    )

    dxy_job = _Job("dxy.csv", "dxy", None, yahoo.SOURCE, cfg.yahoo_url, daily_since, _none)

    async def dxy() -> pd.DataFrame:
        try:
            return await yahoo.dxy(client, cfg.yahoo_url, ms(daily_since), until, policy, recorder)
        except SourceError as primary:
            dxy_job.source, dxy_job.url = synthetic_dxy.SOURCE, cfg.frankfurter_url
            try:
                return await synthetic_dxy.synthetic_dxy(
                    client, cfg.frankfurter_url, daily_since, now, policy, recorder
                )
            except SourceError as exc:
                raise SourceError(f"{primary}; fallback: {exc}") from None

    dxy_job.fetch = dxy
    jobs.append(dxy_job)
    return jobs


async def _none() -> pd.DataFrame:
    raise AssertionError("replaced before use")


async def _run(
    job: _Job, settings: Settings, now: pd.Timestamp, store: Store
) -> tuple[Outcome, pd.DataFrame | None]:
    """Fetch, check and store one dataset; never raises."""
    http.dataset.set(job.file)
    fetched_at = pd.Timestamp.now(tz="UTC")
    limit = getattr(settings.stale_after, job.dataset)
    try:
        frame = await job.fetch()
        checked = sanity.check(frame, job.dataset, now, limit, job.source)
    except Exception as exc:
        error = str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}"
        outcome = Outcome(
            job.file, job.dataset, job.asset, job.source, job.url, "failed", fetched_at, error=error
        )
        return outcome, None
    frame, stored = checked.frame, 0
    if job.dataset in FROM_STORE:
        stored = hist.append_rows(store, job.dataset, job.asset, job.source, frame, fetched_at)
        frame = _with_history(store, job, frame, now)
    status = "stale" if checked.stale else "ok"
    outcome = Outcome(
        job.file,
        job.dataset,
        job.asset,
        job.source,
        job.url,
        status,
        fetched_at,
        rows=len(frame),
        newest=checked.newest,
        stored=stored,
    )
    if checked.stale:
        outcome.error = f"newest row {checked.newest.isoformat()} is older than {limit}"
    return outcome, frame


def _with_history(store: Store, job: _Job, frame: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """``frame`` completed by stored rows of the same source in the job's window."""
    kept = hist.read_rows(store, job.dataset, job.asset, job.since, now)
    if kept.empty:
        return frame
    kept = kept[kept["source"] == job.source].drop(columns="source")
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
