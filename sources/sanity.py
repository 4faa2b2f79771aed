"""Sanity checks on fetched data before it becomes a snapshot table.

``check`` drops the candle still open at ``now`` (Binance returns it), refuses rows in the
future, out of order, or with negative prices (``BadResponse``), and says whether the newest row
is older than the dataset's staleness limit: stale data is kept but marked, so the note can say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from datasets import DATASETS
from errors import BadResponse

PRICE_COLUMNS = ("open", "high", "low", "close")


@dataclass(frozen=True)
class Checked:
    """A frame that passed, the time its newest row became known, and whether that is stale."""

    frame: pd.DataFrame
    newest: pd.Timestamp
    stale: bool


def check(
    frame: pd.DataFrame, name: str, now: pd.Timestamp, stale_after: str, source: str
) -> Checked:
    """Validate one fetched table (``time`` column first) of dataset ``name`` at ``now``."""
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
    numeric = frame.drop(columns=["time", *spec.text], errors="ignore")
    if numeric.isna().any().any():
        raise BadResponse(f"{source}: {name} has empty values")
    newest = pd.Timestamp(times[-1] + interval)
    return Checked(frame.reset_index(drop=True), newest, now - newest > pd.Timedelta(stale_after))
