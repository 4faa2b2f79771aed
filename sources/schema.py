"""The one place snapshot tables are checked against their columns in ``datasets.REGISTRY``.

Each table becomes a float64 DataFrame indexed by a sorted, unique UTC ``DatetimeIndex`` named
``time``. After ``validate_table`` the rest of the program trusts the frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from datasets import DATASETS
from errors import SnapshotError


def validate_table(raw: pd.DataFrame, name: str, file: str) -> pd.DataFrame:
    """Check a freshly read CSV (all cells as strings) against dataset ``name``'s columns;
    return the frame."""
    spec = DATASETS[name]
    missing = [c for c in ("time", *spec.bounds) if c not in raw.columns]
    if missing:
        raise SnapshotError(file, f"missing column(s) {', '.join(missing)}")
    if raw.empty:
        raise SnapshotError(file, "has no rows")
    times = _parse_times(raw["time"], file)
    out = pd.DataFrame(index=pd.DatetimeIndex(times, name="time"))
    for col, (lo, hi) in spec.bounds.items():
        out[col] = _parse_numbers(raw[col], col, file)
        bad = ~out[col].between(lo, hi)
        if bad.any():
            row = int(np.argmax(bad.to_numpy())) + 1
            raise SnapshotError(file, f"{col}={out[col].iloc[row - 1]} outside [{lo}, {hi}]", row)
    for col in spec.text:
        if col in raw.columns:
            out[col] = raw[col].fillna("").to_numpy()
    if spec.interval is not None and "high" in out:
        _check_candles(out, file)
    order = np.diff(pd.DatetimeIndex(out.index).asi8)
    if (order <= 0).any():
        row = int(np.argmax(order <= 0)) + 2
        raise SnapshotError(
            file, "time is not strictly increasing (out of order or duplicate)", row
        )
    return out


def _parse_times(col: pd.Series, file: str) -> pd.DatetimeIndex:
    parsed = pd.to_datetime(col, utc=True, errors="coerce", format="ISO8601")
    bad = parsed.isna()
    if bad.any():
        row = int(np.argmax(bad.to_numpy())) + 1
        raise SnapshotError(file, f"time {col.iloc[row - 1]!r} is not an ISO-8601 time", row)
    return pd.DatetimeIndex(parsed).as_unit("ns")


def _parse_numbers(col: pd.Series, name: str, file: str) -> np.ndarray:
    values = pd.to_numeric(col, errors="coerce")
    bad = values.isna() | ~np.isfinite(values)
    if bad.any():
        row = int(np.argmax(bad.to_numpy())) + 1
        raise SnapshotError(file, f"{name} {col.iloc[row - 1]!r} is not a number", row)
    return values.to_numpy(dtype="float64")


def _check_candles(frame: pd.DataFrame, file: str) -> None:
    hi, lo = frame["high"], frame["low"]
    bad = (lo > frame[["open", "close"]].min(axis=1)) | (hi < frame[["open", "close"]].max(axis=1))
    if bad.any():
        row = int(np.argmax(bad.to_numpy())) + 1
        raise SnapshotError(file, "candle high/low do not contain its open and close", row)
