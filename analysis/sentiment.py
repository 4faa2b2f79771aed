"""Sentiment facts: the Crypto Fear & Greed index (Alternative.me), one value per day."""

from __future__ import annotations

import pandas as pd

from analysis.base import Reading, day, stamp
from models import Dataset

DAY = pd.Timedelta(days=1)

BANDS: tuple[tuple[float, str], ...] = (
    (24.0, "Extreme Fear"),
    (44.0, "Fear"),
    (55.0, "Neutral"),
    (75.0, "Greed"),
    (100.0, "Extreme Greed"),
)
"""Alternative.me's classes: the upper bound of each (0-24 Extreme Fear ... 76-100)."""


def classify(value: float) -> str:
    """The standard Fear & Greed class of a value (used when the file has no classification)."""
    return next(name for top, name in BANDS if round(value) <= top)


def _given(fear_greed: Dataset, position: int) -> str:
    """The file's class at a row, or "" when the file has none there."""
    frame = fear_greed.frame
    return str(frame["classification"].iloc[position]).strip() if "classification" in frame else ""


def _class_at(fear_greed: Dataset, position: int) -> str:
    return _given(fear_greed, position) or classify(float(fear_greed.frame["value"].iloc[position]))


def _back(fear_greed: Dataset, days: int) -> int | None:
    """Position of the row ``days`` days before the newest one (at most a day earlier)."""
    index = pd.DatetimeIndex(fear_greed.frame.index)
    then = index[-1] - days * DAY
    position = int(index.searchsorted(then, side="right")) - 1
    if position < 0 or then - stamp(index[position]) >= DAY:
        return None
    return position


def fear_greed_index(fear_greed: Dataset) -> Reading | None:
    """The latest Fear & Greed value (0-100) and class, with its change in points over 1 and 7
    days (null when that day is missing).
    """
    values = fear_greed.frame["value"]
    if values.empty:
        return None
    last = float(values.iloc[-1])
    value: dict[str, object] = {"value": last, "classification": _class_at(fear_greed, -1)}
    evidence: dict[str, object] = {"date": day(stamp(values.index[-1]))}
    evidence["classification_source"] = "file" if _given(fear_greed, -1) else "bands"
    for days in (1, 7):
        position = _back(fear_greed, days)
        value[f"change_{days}d"] = None if position is None else last - float(values.iloc[position])
        evidence[f"value_{days}d_ago"] = None if position is None else float(values.iloc[position])
        evidence[f"classification_{days}d_ago"] = (
            None if position is None else _class_at(fear_greed, position)
        )
    return Reading(value, "index", (fear_greed,), evidence)
