"""Gather benchmark: ``python -m bench.gather [--latency 0.2] [--runs 3]``.

Serves the demo market from the loopback replay server with ``--latency`` seconds added to
every request, and gathers BTC and ETH twice per run, each time into a fresh history store (a
first gather, paging back through every history): all datasets at once (as ``gather`` does)
and one after another. Prints the median of each and their ratio. ccxt's client-side
throttle is off here: the point is the overlap of network waits, not Binance's rate limit.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from demo.replay import ReplayData
from demo.scenario import AS_OF
from devtools.replay_server import ReplayServer
from settings import SourcesSettings
from sources.exchange import make_exchange
from sources.gather import gather
from sources.http import Recorder


def _factory(cfg: SourcesSettings, recorder: Recorder | None) -> Any:
    """The exchange with the scenario's clock, unthrottled, for the loopback server."""
    exchange = make_exchange(cfg, recorder)
    exchange.milliseconds = lambda: int(AS_OF.value // 1_000_000)
    exchange.enableRateLimit = False
    exchange.timeout_on_exit = 0  # no TLS connections to wind down on the loopback server
    return exchange


def run(latency: float, runs: int) -> tuple[float, float, int]:
    """Median seconds (concurrent, sequential) and the requests of one gather."""
    os.environ.setdefault("COINGLASS_API_KEY", "bench")
    server = ReplayServer(ReplayData.build(), latency=latency).start()
    times: dict[bool, list[float]] = {False: [], True: []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(runs):
                for sequential in (False, True):
                    # a fresh store each time: a later gather would fetch only what is new
                    store = Path(tmp) / f"store-{run}-{sequential}.sqlite"
                    settings = server.settings(store, timeout=10.0)
                    before = len(server.requests)
                    start = time.perf_counter()
                    gather(
                        settings,
                        Path(tmp) / "snap",
                        ("BTC", "ETH"),
                        now=pd.Timestamp(AS_OF),
                        exchange_factory=_factory,
                        sequential=sequential,
                    )
                    times[sequential].append(time.perf_counter() - start)
                    requests = len(server.requests) - before
    finally:
        server.stop()
    return statistics.median(times[False]), statistics.median(times[True]), requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2, help="seconds added per request")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    concurrent, sequential, requests = run(args.latency, args.runs)
    print(f"{requests} requests, {args.latency * 1000:.0f} ms injected latency each")
    print(f"concurrent: {concurrent:.2f} s   sequential: {sequential:.2f} s")
    print(f"sequential / concurrent = {sequential / concurrent:.1f}x")


if __name__ == "__main__":
    main()
