"""Column contracts of the snapshot tables and the one place they are checked.

Each table becomes a float64 DataFrame indexed by a sorted, unique UTC ``DatetimeIndex`` named
``time``. After ``validate_table`` the rest of the program trusts the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from errors import SnapshotError


@dataclass(frozen=True)
class TableSchema:
    """Required numeric columns of one dataset and the range each must lie in."""

    columns: tuple[str, ...]
    bounds: dict[str, tuple[float, float]]
    interval: pd.Timedelta | None = None
    """When set, each row is a bar of this length, known only at ``time + interval``."""
    text_columns: tuple[str, ...] = ()
    """Optional text columns kept as they are (e.g. a Fear & Greed classification)."""


_POS = (0.0, float("inf"))
_CANDLE_BOUNDS = {"open": _POS, "high": _POS, "low": _POS, "close": _POS, "volume": _POS}
_CANDLE_COLUMNS = ("open", "high", "low", "close", "volume")

SCHEMAS: dict[str, TableSchema] = {
    "candles_1d": TableSchema(_CANDLE_COLUMNS, _CANDLE_BOUNDS, pd.Timedelta(days=1)),
    "candles_1h": TableSchema(_CANDLE_COLUMNS, _CANDLE_BOUNDS, pd.Timedelta(hours=1)),
    "funding": TableSchema(("rate",), {"rate": (-1.0, 1.0)}),
    "open_interest": TableSchema(("oi_usd",), {"oi_usd": _POS}),
    "liquidations": TableSchema(("long_usd", "short_usd"), {"long_usd": _POS, "short_usd": _POS}),
    "long_short": TableSchema(("long_pct",), {"long_pct": (0.0, 100.0)}),
    "fear_greed": TableSchema(("value",), {"value": (0.0, 100.0)}, None, ("classification",)),
    # A daily index close is only known after the trading day: treat the row as a 1-day bar.
    "dxy": TableSchema(("close",), {"close": (0.0, float("inf"))}, pd.Timedelta(days=1)),
}


def validate_table(raw: pd.DataFrame, name: str, file: str) -> pd.DataFrame:
    """Check a freshly read CSV (all cells as strings) against its schema; return the frame."""
    schema = SCHEMAS[name]
    missing = [c for c in ("time", *schema.columns) if c not in raw.columns]
    if missing:
        raise SnapshotError(file, f"missing column(s) {', '.join(missing)}")
    if raw.empty:
        raise SnapshotError(file, "has no rows")
    times = _parse_times(raw["time"], file)
    out = pd.DataFrame(index=pd.DatetimeIndex(times, name="time"))
    for col in schema.columns:
        out[col] = _parse_numbers(raw[col], col, file)
        lo, hi = schema.bounds[col]
        bad = ~out[col].between(lo, hi)
        if bad.any():
            row = int(np.argmax(bad.to_numpy())) + 1
            raise SnapshotError(file, f"{col}={out[col].iloc[row - 1]} outside [{lo}, {hi}]", row)
    for col in schema.text_columns:
        if col in raw.columns:
            out[col] = raw[col].fillna("").to_numpy()
    if schema.interval is not None and "high" in out:
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
