"""Analysis decides what is true. One fact = one small pure function; ``FACTS`` lists them all.

To add a fact: write a function in the module of its topic (``price.py``, ``momentum.py``...)
returning a ``Reading`` or None, add one ``FactSpec`` line below, a template partial
``templates/facts/<id>.html`` and reference cases in ``tests/analysis/``. ``docs/facts.md`` is
generated from this list (``python -m analysis.docs``).
"""

from __future__ import annotations

import pandas as pd

from analysis import momentum, price
from analysis.registry import FactSpec, compute
from models import Fact, Snapshot

FACTS: tuple[FactSpec, ...] = (
    FactSpec("price.last", price.last_price, "price"),
    FactSpec("price.change_24h_pct", price.change_24h, "price"),
    FactSpec("price.change_7d_pct", price.change_7d, "price"),
    FactSpec("price.intraday_pct", price.intraday, "price"),
    FactSpec("price.ath", price.all_time_high, "price"),
    FactSpec("price.pct_below_ath", price.pct_below_ath, "price"),
    FactSpec("price.new_ath", price.new_ath, "price"),
    FactSpec("price.level_break", price.price_level_break, "price"),
    FactSpec("price.prior_range", price.prior_range, "price"),
    FactSpec("price.weekly_gain_rank", price.weekly_gain_rank, "price"),
    FactSpec("momentum.rsi_14", momentum.rsi_14, "momentum"),
    FactSpec("momentum.macd", momentum.macd_state, "momentum"),
    FactSpec("momentum.divergence", momentum.divergence, "momentum"),
)


def compute_facts(snapshot: Snapshot, as_of: pd.Timestamp) -> list[Fact]:
    """Every registered fact that applies at ``as_of`` (the snapshot is cut there first)."""
    return compute(FACTS, snapshot, as_of)


__all__ = ["FACTS", "FactSpec", "compute_facts"]
