"""Sentiment facts: the Crypto Fear & Greed index (Alternative.me), one value per day."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.base import Reading, day, stamp
from analysis.registry import Registry, always
from models import Dataset, Fact
from settings import NarrativeSettings
from values import FearGreed, as_value

DAY = pd.Timedelta(days=1)

BANDS: tuple[tuple[float, str], ...] = (
    (24.0, "Extreme Fear"),
    (44.0, "Fear"),
    (55.0, "Neutral"),
    (75.0, "Greed"),
    (100.0, "Extreme Greed"),
)
"""Alternative.me's classes: the upper bound of each (0-24 Extreme Fear ... 76-100)."""

register = Registry(section="macro")


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


def _score(fact: Fact) -> float:
    """40 outside 25-75 or after a move of 20 points or more in 7 days, else 10."""
    v = as_value(fact, FearGreed)
    extreme = not 25.0 <= v.value <= 75.0
    return 40.0 if extreme or abs(v.change_7d or 0.0) >= 20.0 else 10.0


def _worth(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when extreme (at most ``fear_greed_extreme``, 25, or at least 100 minus it), when
    it moved at least ``fear_greed_min_move`` (15 points) in a week, or on an asset's new
    record (euphoric or not)."""
    v = as_value(fact, FearGreed)
    extreme = min(v.value, 100.0 - v.value) <= narrative.fear_greed_extreme
    moved = v.change_7d is not None and abs(v.change_7d) >= narrative.fear_greed_min_move
    record = any(f.id == "price.new_ath" and f.value is True for f in facts.values())
    return extreme or moved or record


@register("sentiment.fear_greed", score=_score, worth=_worth, background=always)
def fear_greed(fear_greed: Dataset) -> Reading[FearGreed] | None:
    """The latest Fear & Greed value (0-100) and class, with its change in points over 1 and 7
    days (null when that day is missing).
    """
    readings = fear_greed.frame["value"]
    if readings.empty:
        return None
    last = float(readings.iloc[-1])
    evidence: dict[str, object] = {"date": day(stamp(readings.index[-1]))}
    evidence["classification_source"] = "file" if _given(fear_greed, -1) else "bands"
    changes: list[float | None] = []
    for days in (1, 7):
        position = _back(fear_greed, days)
        then = None if position is None else float(readings.iloc[position])
        changes.append(None if then is None else last - then)
        evidence[f"value_{days}d_ago"] = then
        evidence[f"classification_{days}d_ago"] = (
            None if position is None else _class_at(fear_greed, position)
        )
    value = FearGreed(last, _class_at(fear_greed, -1), changes[0], changes[1])
    return Reading(value, "index", (fear_greed,), evidence)
