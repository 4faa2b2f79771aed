"""Sanity checks on fetched data before it becomes a snapshot table or enters the store.

``check`` drops the candle still open at ``now`` (Binance returns it) and refuses
(``BadResponse``) rows in the future, out of order, with non-positive prices, or breaking any
rule the snapshot loader applies (``sources.schema.row_problems``: every value a finite number
within its column's bounds, candles consistent): one bad row fails the dataset from that
source, so it never enters the history store and never stops a later brief. ``usable`` applies
the same rules to rows read back from the store (written by an older version, or by hand):
the bad ones are skipped and said. ``freshness`` says whether the newest row is older than the
dataset's staleness limit: stale data is kept but marked, so the note can say so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from datasets import DATASETS
from errors import BadResponse
from sources.schema import row_problems

PRICE_COLUMNS = ("open", "high", "low", "close")


def check(frame: pd.DataFrame, name: str, now: pd.Timestamp, source: str) -> pd.DataFrame:
    """One fetched table (``time`` column first) of dataset ``name``, validated at ``now``:
    the rows known by then, or ``BadResponse`` naming ``source`` and the first problem."""
    spec = DATASETS[name]
    interval = spec.interval or pd.Timedelta(0)
    if interval:
        frame = frame[frame["time"] + interval <= now]  # the bar still open is not data yet
    if frame.empty:
        raise BadResponse(f"{source}: no {name} rows up to {now.isoformat()}")
    times = pd.DatetimeIndex(frame["time"])
    if times[-1] > now:
        raise BadResponse(f"{source}: {name} has rows in the future ({times[-1].isoformat()})")
    if not times.is_monotonic_increasing or times.has_duplicates:
        raise BadResponse(f"{source}: {name} timestamps out of order or repeated")
    for column in PRICE_COLUMNS:
        if column in frame and (frame[column] <= 0).any():
            raise BadResponse(f"{source}: {name} has a non-positive {column}")
    problems = row_problems(frame, name).to_numpy()
    if (problems != "").any():
        i = int(np.argmax(problems != ""))
        raise BadResponse(f"{source}: {name} at {_iso(times[i])}: {problems[i]}")
    return frame.reset_index(drop=True)


def usable(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, str | None]:
    """The rows of ``frame`` (read back from the store: ``time`` first) that pass the
    loader's rules, and what was skipped (None: nothing)."""
    if frame.empty:
        return frame, None
    problems = row_problems(frame, name).to_numpy()
    bad = problems != ""
    if not bad.any():
        return frame, None
    i = int(np.argmax(bad))
    first = f"{_iso(pd.Timestamp(frame['time'].iloc[i]))}: {problems[i]}"
    note = f"skipped {int(bad.sum())} stored row(s) failing validation (first {first})"
    return frame[~bad].reset_index(drop=True), note


def freshness(
    frame: pd.DataFrame, name: str, now: pd.Timestamp, stale_after: str
) -> tuple[pd.Timestamp, bool]:
    """When the newest row of ``frame`` became known, and whether that is older than
    ``stale_after`` at ``now``."""
    interval = DATASETS[name].interval or pd.Timedelta(0)
    newest = pd.Timestamp(frame["time"].iloc[-1] + interval)
    return newest, now - newest > pd.Timedelta(stale_after)


def _iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")
