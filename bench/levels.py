"""Time the liquidation-level model: ``python -m bench.levels [--days 60] [--runs 20]``.

Runs ``estimate_levels`` over ``--days`` of seeded random-walk hourly candles and open interest
(the model's default window is 60 days of them), once to warm up and then ``--runs`` times,
and prints the median and the slowest run against the target.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis import liquidation_map as lm
from models import Dataset

TARGET_S = 0.1
"""The model's budget for 60 days of hourly data: it runs per asset in every brief."""
START = pd.Timestamp("2026-01-01", tz="UTC")
HOUR = pd.Timedelta(hours=1)


def market(days: int, seed: int = 7) -> tuple[Dataset, Dataset]:
    """(open interest at each candle boundary, hourly candles): ``days`` of a random walk."""
    rng = np.random.default_rng(seed)
    n = days * 24
    close = 100_000 * np.exp(np.cumsum(rng.normal(0, 0.004, n)))
    previous = np.r_[close[0], close[:-1]]
    wick = np.abs(rng.normal(0, 0.002, n)) * close
    index = pd.date_range(START, periods=n, freq=HOUR, name="time")
    frame = pd.DataFrame(
        {
            "open": previous,
            "high": np.maximum(close, previous) + wick,
            "low": np.minimum(close, previous) - wick,
            "close": close,
            "volume": 1.0,
        },
        index=index,
    )
    hourly = Dataset("candles_1h", "BTC", "Bench exchange", frame, HOUR)
    usd = 3e10 * np.exp(np.cumsum(rng.normal(0, 0.002, n + 1)))
    times = pd.date_range(START, periods=n + 1, freq=HOUR, name="time")
    oi = Dataset("open_interest", "BTC", "Bench exchange", pd.DataFrame({"oi_usd": usd}, times))
    return oi, hourly


def run(days: int, runs: int) -> list[float]:
    """Seconds of each run of the model over ``days`` (after one warm-up run)."""
    oi, hourly = market(days)
    model = replace(lm.LEVEL_MODEL, window=pd.Timedelta(days=days))
    lm.estimate_levels(oi, hourly, model=model)
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        lm.estimate_levels(oi, hourly, model=model)
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.levels", description=__doc__)
    parser.add_argument("--days", type=int, default=60, help="days of hourly data (60)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    seconds = run(args.days, args.runs)
    print(
        f"liquidation levels, {args.days} days of hourly data: median "
        f"{statistics.median(seconds) * 1000:.1f} ms, max {max(seconds) * 1000:.1f} ms "
        f"of {args.runs} runs (target ≤ {TARGET_S * 1000:.0f} ms for 60 days)"
    )


if __name__ == "__main__":
    main()
