"""Hand-made datasets for reference tests: a few lines of closes become a validated Dataset."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict, cast

import pandas as pd
import pytest

from models import Dataset
from settings import AnalysisSettings

HOUR, DAY = pd.Timedelta(hours=1), pd.Timedelta(days=1)


def candles(
    closes: Sequence[float],
    *,
    start: str,
    interval: pd.Timedelta = DAY,
    highs: Sequence[float] | None = None,
    lows: Sequence[float] | None = None,
    opens: Sequence[float] | None = None,
    asset: str = "BTC",
    source: str = "Test exchange",
) -> Dataset:
    """Candles opening at ``start`` every ``interval``; open = previous close unless given."""
    index = pd.date_range(pd.Timestamp(start, tz="UTC"), periods=len(closes), freq=interval)
    close = pd.Series(closes, index=index, dtype="float64")
    open_ = pd.Series(opens, index=index) if opens is not None else close.shift(1).fillna(close)
    high = (
        pd.Series(highs, index=index)
        if highs is not None
        else pd.concat([open_, close], axis=1).max(axis=1)
    )
    low = (
        pd.Series(lows, index=index)
        if lows is not None
        else pd.concat([open_, close], axis=1).min(axis=1)
    )
    frame = pd.DataFrame(
        {"open": open_, "high": high, "low": low, "close": close, "volume": 1.0}
    ).rename_axis("time")
    name = "candles_1h" if interval == HOUR else "candles_1d"
    return Dataset(name, asset, source, frame, interval)


def at(text: str) -> pd.Timestamp:
    """A UTC timestamp."""
    return pd.Timestamp(text, tz="UTC") if "Z" not in text else pd.Timestamp(text)


def approx(expected: float) -> float:
    """``pytest.approx(expected)`` typed as the float it compares equal to: for the fields of
    value dataclasses, which mypy checks."""
    return cast(float, pytest.approx(expected))


class Levels(TypedDict):
    """The ``[analysis]`` settings of the level-break facts, as keyword arguments."""

    level_major_steps: dict[str, float]
    level_minor_steps: dict[str, float]
    level_min_age_days: int
    level_minor_unseen_days: int


def levels(**changes: Any) -> Levels:
    """The default settings' level rule, with ``changes``; ``levels(scale=True)``: no per-asset
    steps, every asset by its price's scale."""
    s = AnalysisSettings()
    base: Levels = {
        "level_major_steps": s.level_major_steps,
        "level_minor_steps": s.level_minor_steps,
        "level_min_age_days": s.level_min_age_days,
        "level_minor_unseen_days": s.level_minor_unseen_days,
    }
    if changes.pop("scale", False):
        base |= {"level_major_steps": {}, "level_minor_steps": {}}
    return cast(Levels, base | changes)
