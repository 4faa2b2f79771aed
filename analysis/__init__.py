"""Analysis decides what is true. One fact = one small pure function; ``FACTS`` lists them all.

To add a fact: write a function in the module of its topic (``price.py``, ``momentum.py``...)
returning a ``Reading`` or None, add one ``FactSpec`` line below, a template partial
``templates/facts/<id>.html`` and reference cases in ``tests/analysis/``. ``docs/facts.md`` is
generated from this list (``python -m analysis.docs``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis import cross, derivatives, liquidation_map, macro, momentum, price, sentiment
from analysis.registry import FactSpec, compute
from models import Fact, FomcCalendar, LevelProfile, Snapshot

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
    FactSpec("funding.rate", derivatives.funding_rate, "derivatives"),
    FactSpec("funding.flip", derivatives.funding_flip, "derivatives"),
    FactSpec("open_interest.usd", derivatives.open_interest_usd, "derivatives"),
    FactSpec("open_interest.change_24h_pct", derivatives.open_interest_change_24h, "derivatives"),
    FactSpec("liquidations.total_1h_usd", derivatives.liquidations_1h, "derivatives"),
    FactSpec("liquidations.total_24h_usd", derivatives.liquidations_24h, "derivatives"),
    FactSpec("liquidations.long_24h_usd", derivatives.long_liquidations_24h, "derivatives"),
    FactSpec("liquidations.short_24h_usd", derivatives.short_liquidations_24h, "derivatives"),
    FactSpec("liquidations.short_share_24h", derivatives.short_share_24h, "derivatives"),
    FactSpec("liquidations.spike", derivatives.liquidation_spike, "derivatives"),
    FactSpec("liquidations.squeeze", derivatives.squeeze, "derivatives"),
    FactSpec("positioning.long_pct", derivatives.long_account_pct, "derivatives"),
    FactSpec("positioning.majority", derivatives.majority, "derivatives"),
    FactSpec("clusters.nearest_short_above", liquidation_map.nearest_short_above, "derivatives"),
    FactSpec("clusters.nearest_long_below", liquidation_map.nearest_long_below, "derivatives"),
    FactSpec("clusters.swept_24h", liquidation_map.swept_24h, "derivatives"),
    FactSpec("outlook.levels", cross.outlook_levels, "outlook"),
    FactSpec("sentiment.fear_greed", sentiment.fear_greed_index, "macro"),
    FactSpec("macro.dxy", macro.dxy_close, "macro"),
    FactSpec("macro.dxy_level_break", macro.dxy_level_break, "macro"),
    FactSpec("macro.next_fomc", macro.next_fomc, "macro"),
    FactSpec("cross.relative_24h", cross.relative_24h, "price"),
)


def compute_facts(
    snapshot: Snapshot,
    as_of: pd.Timestamp,
    *,
    fomc: FomcCalendar | None = None,
    options: Mapping[str, object] | None = None,
) -> list[Fact]:
    """Every registered fact that applies at ``as_of`` (the snapshot is cut there first).

    ``fomc``: the FOMC calendar (``sources.calendar.load_fomc()``); without it
    ``macro.next_fomc`` is absent. ``options``: keyword-only parameters of the fact functions
    by name (``analysis_options``), e.g. the squeeze thresholds and the level ``model``.
    """
    return compute(FACTS, snapshot, as_of, fomc=fomc, options=options)


def analysis_options(
    *,
    squeeze_min_move_pct: float,
    squeeze_min_share: float,
    squeeze_min_multiple: float,
    leverage_mix: Mapping[int, float],
    maintenance_margin: float,
    level_window_days: int,
) -> dict[str, object]:
    """The ``options`` of ``compute_facts`` from the ``[analysis]`` settings' values."""
    model = liquidation_map.LevelModel(
        leverage=dict(leverage_mix),
        mmr=maintenance_margin,
        window=pd.Timedelta(days=level_window_days),
    )
    return {
        "min_move_pct": squeeze_min_move_pct,
        "min_share": squeeze_min_share,
        "min_multiple": squeeze_min_multiple,
        "model": model,
    }


def level_profiles(
    snapshot: Snapshot,
    as_of: pd.Timestamp,
    model: liquidation_map.LevelModel = liquidation_map.LEVEL_MODEL,
) -> dict[str, LevelProfile]:
    """The estimated liquidation-level profile of each asset at ``as_of``, for its chart.

    The snapshot is cut at ``as_of`` first; an asset needs open interest and hourly candles
    (and uses its long/short accounts when present), as ``clusters.*`` do. Assets the model
    cannot run on are left out.
    """
    known = snapshot.cut(as_of)
    out: dict[str, LevelProfile] = {}
    for name, data in known.assets.items():
        oi, hourly, accounts = data.open_interest, data.candles_1h, data.long_short
        if oi is None or hourly is None or oi.frame.empty or hourly.frame.empty:
            continue
        accounts = None if accounts is None or accounts.frame.empty else accounts
        levels = liquidation_map.estimate_levels(oi, hourly, accounts, model)
        if levels is None:
            continue
        used = (oi, hourly) + ((accounts,) if accounts is not None else ())
        sources = tuple(dict.fromkeys(d.source for d in used))
        out[name] = liquidation_map.level_profile(levels, model, asset=name, sources=sources)
    return out


__all__ = ["FACTS", "FactSpec", "compute_facts", "level_profiles"]
