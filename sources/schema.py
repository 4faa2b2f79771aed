"""The one place dataset rows are checked against their columns in ``datasets.REGISTRY``.

``validate_table`` turns a snapshot table into a float64 DataFrame indexed by a sorted, unique
UTC ``DatetimeIndex`` named ``time``; after it the rest of the program trusts the frame.
``row_problems`` is the rule book it applies to every row (a finite number within its column's
bounds; a candle's high and low containing its open and close), shared with live gathering
(``sources.sanity``), which applies it to every fetched and every stored row, so a gather
never writes or stores a row the loader would refuse.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from datasets import DATASETS
from errors import SnapshotError

TEXT_LIMIT = 100
"""Most characters of a text cell (a Fear & Greed classification: ``Extreme Greed``)."""


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
    for col in spec.bounds:
        out[col] = _parse_numbers(raw[col], col, file)
    for col in spec.text:
        if col in raw.columns:
            out[col] = raw[col].fillna("").to_numpy()
    problems = row_problems(out, name).to_numpy()
    if (problems != "").any():
        row = int(np.argmax(problems != "")) + 1
        raise SnapshotError(file, str(problems[row - 1]), row)
    order = np.diff(pd.DatetimeIndex(out.index).asi8)
    if (order <= 0).any():
        row = int(np.argmax(order <= 0)) + 2
        raise SnapshotError(
            file, "time is not strictly increasing (out of order or duplicate)", row
        )
    return out


def row_problems(frame: pd.DataFrame, name: str) -> pd.Series:
    """What is wrong with each row of ``frame`` (dataset ``name``'s numeric columns, any
    index): the first problem found, ``""`` for a valid row. A missing column makes every row
    invalid."""
    spec = DATASETS[name]
    found = np.full(len(frame), "", dtype=object)
    for col, (lo, hi) in spec.bounds.items():
        if col not in frame:
            found[found == ""] = f"no {col} value"
            continue
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64")
        finite = np.isfinite(values)
        for i in _fresh(found, ~finite):
            found[i] = f"{col} {float(values[i])!r} is not a number"
        for i in _fresh(found, (values < lo) | (values > hi)):
            found[i] = f"{col}={float(values[i])!r} outside [{lo:g}, {hi:g}]"
    for col in spec.text:
        if col in frame:
            cells = frame[col].fillna("").astype(str).tolist()
            said = [text_problem(cell, TEXT_LIMIT) for cell in cells]
            for i in _fresh(found, np.array([p is not None for p in said], dtype=bool)):
                found[i] = f"{col} {cells[i][:40]!r} {said[i]}"
    if spec.interval is not None and {"open", "high", "low", "close"} <= set(frame.columns):
        ends = frame[["open", "close"]].to_numpy(dtype="float64")
        high, low = frame["high"].to_numpy(dtype="float64"), frame["low"].to_numpy(dtype="float64")
        for i in _fresh(found, (low > ends.min(axis=1)) | (high < ends.max(axis=1))):
            found[i] = "candle high/low do not contain its open and close"
    return pd.Series(found, index=frame.index, dtype=object)


def text_problem(text: str, limit: int) -> str | None:
    """Why ``text`` (a name or a text cell from outside) cannot be shown, or None: longer than
    ``limit`` characters, a control character, or a ``$`` (matplotlib reads text between two
    of them as mathematics, and a malformed formula stops the charts)."""
    if len(text) > limit:
        return f"is longer than {limit} characters"
    if not text.isprintable():
        return "has a control character"
    if "$" in text:
        return "has a '$' (charts would read it as a formula)"
    return None


def _fresh(found: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """Positions of the rows that are ``bad`` and have no problem noted yet."""
    return np.flatnonzero(bad & (found == ""))


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
