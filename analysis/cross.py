"""Cross-asset facts: each asset's 24-hour performance against Bitcoin's."""

from __future__ import annotations

from collections.abc import Mapping

from analysis.base import Reading
from analysis.price import change_24h_pct
from analysis.registry import Registry
from models import Dataset, Fact
from settings import NarrativeSettings
from values import Relative24h, as_value

BASE = "BTC"

register = Registry(section="price")


def _score_relative(fact: Fact) -> float:
    """5 plus 5 per point of the widest gap to Bitcoin, at most 40."""
    gaps = [abs(x) for x in as_value(fact, Relative24h).vs_btc.values()]
    return min(40.0, 5.0 + 5.0 * max(gaps, default=0.0))


def _worth_relative(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when an asset's 24 h gap to Bitcoin is at least ``relative_min_gap_pp`` (1 pp)."""
    gaps = [abs(x) for x in as_value(fact, Relative24h).vs_btc.values()]
    return max(gaps, default=0.0) >= narrative.relative_min_gap_pp


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
    changes = {}
    for asset, candles in all_candles.items():
        reading = change_24h_pct(candles)
        if reading is not None:
            changes[asset] = reading.value
    if BASE not in changes or len(changes) < 2:
        return None
    vs_base = {a: c - changes[BASE] for a, c in changes.items() if a != BASE}
    in_step = tuple(a for a, gap in vs_base.items() if abs(gap) < relative_in_step_pp)
    first, second = sorted(changes.values(), reverse=True)[:2]
    led = first - second >= relative_in_step_pp
    leader = max(changes, key=lambda a: changes[a]) if led else None
    used = tuple(all_candles[a] for a in changes)
    value = Relative24h(vs_base, leader, in_step)
    return Reading(value, "pp", used, {"change_24h_pct": changes})
