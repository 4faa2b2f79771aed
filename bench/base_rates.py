"""Time the base rates: ``python -m bench.base_rates [--snapshot DIR] [--shared] [--runs 20]``.

What the base rates (``context.base_rate``, ``context.market_base_rate``) add to a brief:
every fact computed as the brief does, with and without them, on the snapshot (the demo's by
default; ``--shared``: the real data of ../shared/marketdata, daily candles since 2017) at its
default as-of; and the worst case, every event scan of both directions for every asset (and
the market-wide ones), as if each of today's events fired. Each once to warm up, then
``--runs`` times; prints medians (and the slowest scan) against the budget.
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
from models import Snapshot
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


def all_facts(
    snapshot: Snapshot, as_of: pd.Timestamp, specs: tuple[FactSpec, ...]
) -> Callable[[], int]:
    """A call computing the facts ``specs`` as the brief does; it returns how many fired."""
    options = options_for(specs, AnalysisSettings(), DERIVED)
    fomc = load_fomc()

    def call() -> int:
        return len(compute(specs, snapshot, as_of, fomc=fomc, options=options))

    return call


def every_scan(snapshot: Snapshot, as_of: pd.Timestamp) -> Callable[[], int]:
    """A call running every event scan and case count of every asset; it returns the cases."""
    known = snapshot.cut(as_of)
    s = AnalysisSettings()
    inputs = [{"daily": d.candles_1d, "funding": d.funding} for d in known.assets.values()]

    def call() -> int:
        total = 0
        for i in inputs:
            daily, funding = i["daily"], i["funding"]
            if daily is None:
                continue
            scans = [context.big_moves(daily, s.base_rate_move_pct)]
            scans.append(context.first_closes(daily, 5000.0, s.level_min_age_days))
            scans.append(context.ath_breaks(daily, s.base_rate_ath_gap_days))
            if funding is not None:
                prints, pct = s.funding_flip_min_prints, s.funding_flip_min_pct
                scans.append(
                    context.flip_times(
                        funding, funding_flip_min_prints=prints, funding_flip_min_pct=pct
                    )
                )
            for scan in scans:
                for sign in (1.0, -1.0):
                    anchors = context.cases(scan[scan == sign], daily, as_of)
                    if anchors:
                        context.summarise("bench", "up", anchors, daily)
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
        base = statistics.median(timed(all_facts(snapshot, as_of, WITHOUT), args.runs))
        full = statistics.median(timed(all_facts(snapshot, as_of, WITH), args.runs))
        added = full - base
        verdict = "within" if added <= TARGET_S else "OVER"
        print(
            f"every fact: median {full * 1000:.1f} ms, without the base rates "
            f"{base * 1000:.1f} ms: it adds {added * 1000:.1f} ms ({fired} fired; {verdict} "
            f"{TARGET_S * 1000:.0f} ms)"
        )
        print(report("every scan, both directions", timed(every_scan(snapshot, as_of), args.runs)))


if __name__ == "__main__":
    main()
