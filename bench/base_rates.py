"""Time the base rates: ``python -m bench.base_rates [--snapshot DIR] [--shared] [--runs 20]``.

What the base rates (``context.base_rate``, ``context.market_base_rate``) add to a brief:
every fact computed as the brief does, with and without them (alternately, the median of the
paired differences), on the snapshot (the demo's by default; ``--shared``: the real data of
../shared/marketdata, daily candles since 2017) at its default as-of; and the worst case,
every event scan of both directions for every asset (and the market-wide ones), as if each of
today's events fired. Each once to warm up, then ``--runs`` times; prints medians (and the
slowest scan) against the budget.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from analysis import DERIVED, FACTS, context
from analysis.registry import FactSpec, compute, options_for
from models import AssetData, Snapshot
from pipeline import default_as_of
from settings import AnalysisSettings
from sources import load_snapshot
from sources.calendar import load_fomc

TARGET_S = 0.1
"""The budget: every base rate of two assets adds at most 100 ms to the brief."""
DEMO = Path(__file__).resolve().parents[1] / "demo" / "snapshot"
WITH = FACTS
BASE_RATES = ("context.base_rate", "context.market_base_rate")
WITHOUT = tuple(spec for spec in FACTS if spec.id not in BASE_RATES)
SQUEEZE = ("min_move_pct", "min_share", "min_multiple")


def all_facts(
    snapshot: Snapshot, as_of: pd.Timestamp, specs: tuple[FactSpec, ...]
) -> Callable[[], int]:
    """A call computing the facts ``specs`` as the brief does; it returns how many fired."""
    options = options_for(specs, AnalysisSettings(), DERIVED)
    fomc = load_fomc()

    def call() -> int:
        return len(compute(specs, snapshot, as_of, fomc=fomc, options=options))

    return call


def asset_scans(data: AssetData, s: AnalysisSettings) -> list[pd.Series]:
    """Every event scan of one asset (both directions in each): moves, first closes beyond
    $5,000 multiples, records, funding flips and squeezes (with the data they need)."""
    daily = data.candles_1d
    found = [context.big_moves(daily, s.base_rate_move_pct)]
    found.append(context.first_closes(daily, 5000.0, s.level_min_age_days))
    found.append(context.ath_breaks(daily, s.base_rate_ath_gap_days))
    if data.funding is not None:
        prints, pct = s.funding_flip_min_prints, s.funding_flip_min_pct
        found.append(
            context.flip_times(
                data.funding, funding_flip_min_prints=prints, funding_flip_min_pct=pct
            )
        )
    if data.liquidations is not None and not data.liquidations.frame.empty:
        rule = {f"squeeze_{k}": getattr(s, f"squeeze_{k}") for k in SQUEEZE}
        candles = data.candles_1h or daily
        found.append(context.squeeze_times(data.liquidations, candles, **rule))
    return found


def market_scans(known: Snapshot, s: AnalysisSettings) -> list[pd.Series]:
    """The market-wide event scans: Fear & Greed extremes and DXY first closes."""
    found = []
    if known.fear_greed is not None:
        found.append(context.extremes(known.fear_greed, s.base_rate_fear_greed_extreme))
    if known.dxy is not None:
        found.append(context.first_closes(known.dxy, 1.0, s.level_min_age_days))
    return found


def every_scan(snapshot: Snapshot, as_of: pd.Timestamp) -> Callable[[], int]:
    """A call running every event scan and case count of every asset, and the market-wide
    ones (followed by the first asset); it returns the cases."""
    known = snapshot.cut(as_of)
    s = AnalysisSettings()
    assets = list(known.assets.values())

    def call() -> int:
        total = 0
        runs = [(data.candles_1d, asset_scans(data, s)) for data in assets]
        runs += [(assets[0].candles_1d, market_scans(known, s))] if assets else []
        for daily, scans in runs:
            for scan in scans:
                for sign in (1.0, -1.0):
                    anchors = context.cases(scan[scan == sign], daily, as_of)
                    if anchors:
                        context.summarise("bench", "up", anchors, daily)
                        context.case_evidence(anchors, daily)
                    total += len(anchors)
        return total

    return call


def timed(call: Callable[[], int], runs: int) -> list[float]:
    """Seconds of each of ``runs`` calls, after one warm-up call."""
    call()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return seconds


def paired(
    with_: Callable[[], int], without: Callable[[], int], runs: int
) -> tuple[float, float, float]:
    """Median seconds of ``with_`` and of ``without`` and the median of their differences,
    run alternately (after a warm-up of each) so that a machine's changing load hits both."""
    with_(), without()
    full: list[float] = []
    base: list[float] = []
    for _ in range(runs):
        for call, into in ((with_, full), (without, base)):
            start = time.perf_counter()
            call()
            into.append(time.perf_counter() - start)
    added = statistics.median(f - b for f, b in zip(full, base, strict=True))
    return statistics.median(full), statistics.median(base), added


def report(name: str, seconds: list[float]) -> str:
    """One line: median and slowest run in ms, against the budget."""
    median, worst = statistics.median(seconds) * 1000, max(seconds) * 1000
    verdict = "within" if max(seconds) <= TARGET_S else "OVER"
    budget = f"{verdict} {TARGET_S * 1000:.0f} ms"
    return f"{name}: median {median:.1f} ms, slowest {worst:.1f} ms ({budget})"


def main(argv: Sequence[str] | None = None) -> None:
    """Print the timings of the fact and of every scan on the chosen snapshot."""
    parser = argparse.ArgumentParser(prog="python -m bench.base_rates", description=__doc__)
    parser.add_argument("--snapshot", type=Path, default=DEMO)
    parser.add_argument("--shared", action="store_true", help="the real data of ../shared")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.snapshot
        if args.shared:
            from bench.shared_snapshot import build

            path = build(Path(tmp) / "real")
        snapshot = load_snapshot(path)
        as_of = default_as_of(snapshot)
        assets = ", ".join(snapshot.assets)
        print(f"{path.name}: {assets} at {as_of.isoformat()}")
        fired = all_facts(snapshot, as_of, WITH)() - all_facts(snapshot, as_of, WITHOUT)()
        with_, without = all_facts(snapshot, as_of, WITH), all_facts(snapshot, as_of, WITHOUT)
        full, base, added = paired(with_, without, args.runs)
        verdict = "within" if added <= TARGET_S else "OVER"
        print(
            f"every fact: median {full * 1000:.1f} ms, without the base rates "
            f"{base * 1000:.1f} ms: they add {added * 1000:.1f} ms (median of paired runs; "
            f"{fired} fired; {verdict} "
            f"{TARGET_S * 1000:.0f} ms)"
        )
        print(report("every scan, both directions", timed(every_scan(snapshot, as_of), args.runs)))


if __name__ == "__main__":
    main()
