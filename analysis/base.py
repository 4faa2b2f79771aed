"""What a fact function returns, and the small helpers every fact module shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import pandas as pd

from models import Dataset, JSONValue

V = TypeVar("V")


@dataclass(frozen=True)
class Reading(Generic[V]):
    """A fact function's answer: the value, its unit, the evidence, and the datasets it used.

    ``V`` is the fact's value type in ``values.py`` (float, bool or a ``FactValue``). The
    registry turns a reading into a ``models.Fact`` by adding the fact id, asset, ``as_of`` and
    the sources of ``used``, so an id is written in exactly one place (its ``@register`` line).
    """

    value: V
    unit: str
    used: tuple[Dataset, ...]
    evidence: Mapping[str, JSONValue] = field(default_factory=dict)


def stamp(label: object) -> pd.Timestamp:
    """An index label of a time-indexed frame, as the Timestamp it is."""
    assert isinstance(label, pd.Timestamp)
    return label


def iso(ts: pd.Timestamp) -> str:
    """A UTC timestamp as ``2026-11-23T08:00:00Z``."""
    return ts.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def day(ts: pd.Timestamp) -> str:
    """The UTC calendar date of a timestamp, ``YYYY-MM-DD``."""
    return ts.tz_convert("UTC").strftime("%Y-%m-%d")


def closes(candles: Dataset) -> pd.Series:
    """Close prices indexed by each candle's close time (open time + interval)."""
    assert candles.interval is not None
    series = candles.frame["close"]
    index = pd.DatetimeIndex(series.index).shift(1, freq=candles.interval)
    return pd.Series(series.to_numpy(), index=index, name="close")


def close_at_or_before(candles: Dataset, when: pd.Timestamp) -> float | None:
    """The last close known at ``when`` (candle closed at or before it), or None."""
    series = closes(candles)
    known = series[series.index <= when]
    return None if known.empty else float(known.iloc[-1])


def pct_change(new: float, old: float) -> float:
    """Percent change from ``old`` to ``new``."""
    return (new / old - 1.0) * 100.0


def since_score(
    since: str | None, as_of: pd.Timestamp, *, never: float, base: float, most: float
) -> float:
    """The score of a round-level break: ``never`` when the level was never closed beyond
    before (``since`` None), else ``base`` plus up to ``most`` as the last close beyond it
    (``since``, a date) recedes, a point per 6 days."""
    if since is None:
        return never
    days = (as_of.tz_convert(None) - pd.Timestamp(since)).days
    return base + min(most, days / 6.0)
