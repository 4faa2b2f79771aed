"""Cross-asset facts: each asset's 24-hour and 7-day performance against Bitcoin's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from analysis.base import Reading
from analysis.price import change_7d_pct, change_24h_pct
from analysis.registry import Registry
from models import Dataset, Fact
from settings import NarrativeSettings
from values import Relative, Relative7d, Relative24h, as_value, fact_of

BASE = "BTC"

register = Registry(section="price")

R = TypeVar("R", bound=Relative)


def _widest(value: Relative) -> float:
    """The widest gap to Bitcoin, in percentage points (0 with no other asset)."""
    return max((abs(x) for x in value.vs_btc.values()), default=0.0)


def _compare(
    all_candles: Mapping[str, Dataset],
    change: Callable[[Dataset], Reading[float] | None],
    in_step_pp: float,
    cls: type[R],
) -> tuple[R, dict[str, float], tuple[Dataset, ...]] | None:
    """Each asset's ``change`` against BTC's as a ``cls``, the changes, and the candles used."""
    changes = {}
    for asset, candles in all_candles.items():
        reading = change(candles)
        if reading is not None:
            changes[asset] = reading.value
    if BASE not in changes or len(changes) < 2:
        return None
    vs_base = {a: c - changes[BASE] for a, c in changes.items() if a != BASE}
    in_step = tuple(a for a, gap in vs_base.items() if abs(gap) < in_step_pp)
    first, second = sorted(changes.values(), reverse=True)[:2]
    led = first - second >= in_step_pp
    leader = max(changes, key=lambda a: changes[a]) if led else None
    used = tuple(all_candles[a] for a in changes)
    return cls(vs_base, leader, in_step), changes, used


def _score_relative(fact: Fact) -> float:
    """5 plus 5 per point of the widest gap to Bitcoin, at most 40."""
    return min(40.0, 5.0 + 5.0 * _widest(as_value(fact, Relative24h)))


def _worth_relative(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when an asset's 24 h gap to Bitcoin is at least ``relative_min_gap_pp`` (1 pp)."""
    return _widest(as_value(fact, Relative24h)) >= narrative.relative_min_gap_pp


@register("cross.relative_24h", score=_score_relative, worth=_worth_relative)
def relative_24h(
    all_candles: Mapping[str, Dataset], *, relative_in_step_pp: float
) -> Reading[Relative24h] | None:
    """Each other asset's 24 h percent change minus BTC's, in percentage points, and the
    leader (the asset with the largest 24 h change, BTC included).

    Changes closer than ``relative_in_step_pp`` (0.15 pp: what shows as 0.1 pp or less) are in
    step: ``in_step`` lists the assets in step with BTC, and ``leader`` is null when the
    largest change is in step with the next one (no asset led).
    """
    found = _compare(all_candles, change_24h_pct, relative_in_step_pp, Relative24h)
    if found is None:
        return None
    value, changes, used = found
    return Reading(value, "pp", used, {"change_24h_pct": changes})


def _score_relative_7d(fact: Fact) -> float:
    """5 plus 2 per point of the widest 7-day gap to Bitcoin, at most 30."""
    return min(30.0, 5.0 + 2.0 * _widest(as_value(fact, Relative7d)))


def _worth_relative_7d(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when no asset's 24 h gap to Bitcoin reaches ``relative_min_gap_pp`` (1 pp: the 24 h
    relative performance is not said) and one's 7-day gap is at least
    ``relative_7d_min_gap_pp`` (3 pp)."""
    return _week_gap_at_least(fact, facts, narrative, narrative.relative_7d_min_gap_pp)


def _background_relative_7d(
    fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings
) -> bool:
    """Said when an asset's 7-day gap to Bitcoin is at least ``relative_min_gap_pp`` (1 pp)
    and the 24 h relative performance is not said."""
    return _week_gap_at_least(fact, facts, narrative, narrative.relative_min_gap_pp)


def _week_gap_at_least(
    fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings, gap_pp: float
) -> bool:
    """Whether the 24 h relative performance is not said and an asset's 7-day gap to Bitcoin
    is at least ``gap_pp``."""
    day = fact_of(facts, None, "cross.relative_24h")
    if day is not None and _worth_relative(day, facts, narrative):
        return False
    return _widest(as_value(fact, Relative7d)) >= gap_pp


@register(
    "cross.relative_7d",
    score=_score_relative_7d,
    worth=_worth_relative_7d,
    background=_background_relative_7d,
)
def relative_7d(
    all_candles: Mapping[str, Dataset], *, relative_in_step_pp: float
) -> Reading[Relative7d] | None:
    """Each other asset's 7-day percent change minus BTC's, in percentage points, and the
    leader, as ``cross.relative_24h`` reads the 24 h changes (the same in-step rule)."""
    found = _compare(all_candles, change_7d_pct, relative_in_step_pp, Relative7d)
    if found is None:
        return None
    value, changes, used = found
    return Reading(value, "pp", used, {"change_7d_pct": changes})
