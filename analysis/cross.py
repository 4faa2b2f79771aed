"""Cross-asset facts: each asset's 24-hour performance against Bitcoin's."""

from __future__ import annotations

from collections.abc import Mapping

from analysis.base import Reading
from analysis.price import change_24h_pct
from analysis.registry import Registry
from models import Dataset, Fact
from values import Relative24h, as_value

BASE = "BTC"

register = Registry(section="price")


def _score_relative(fact: Fact) -> float:
    """5 plus 5 per point of the widest gap to Bitcoin, at most 40."""
    gaps = [abs(x) for x in as_value(fact, Relative24h).vs_btc.values()]
    return min(40.0, 5.0 + 5.0 * max(gaps, default=0.0))


@register("cross.relative_24h", score=_score_relative)
def relative_24h(all_candles: Mapping[str, Dataset]) -> Reading[Relative24h] | None:
    """Each other asset's 24 h percent change minus BTC's, in percentage points, and the
    leader (the asset with the largest 24 h change, BTC included).
    """
    changes = {}
    for asset, candles in all_candles.items():
        reading = change_24h_pct(candles)
        if reading is not None:
            changes[asset] = reading.value
    if BASE not in changes or len(changes) < 2:
        return None
    vs_base = {a: c - changes[BASE] for a, c in changes.items() if a != BASE}
    leader = max(changes, key=lambda a: changes[a])
    used = tuple(all_candles[a] for a in changes)
    value = Relative24h(vs_base, leader)
    return Reading(value, "pp", used, {"change_24h_pct": changes})
