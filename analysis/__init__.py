"""Analysis decides what is true. One fact = one small pure function; ``FACTS`` lists them all.

To add a fact: write its function in the module of its topic (``price.py``, ``momentum.py``...)
under an ``@register("<id>", ...)`` line (its section, score, sentence topic and order: see
``analysis.registry.FactSpec``), declare its value type in ``values.py`` (a ``FactValue``
dataclass, or a ``SCALARS`` entry for a number or flag), write its template partial
``templates/facts/<id>.html`` and its reference cases in ``tests/analysis/``. ``FACTS`` is
validated at import; ``docs/facts.md`` is generated from it (``python -m analysis.docs``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis import (
    context,
    cross,
    derivatives,
    liquidation_map,
    macro,
    momentum,
    outlook,
    price,
    sentiment,
)
from analysis.registry import Derived, FactSpec, compute, options_for, validate
from models import Fact, FomcCalendar, LevelProfile, Snapshot
from settings import AnalysisSettings

MODULES = (price, momentum, derivatives, liquidation_map, outlook, sentiment, macro, cross, context)
"""The topic modules, in registry order (the order of facts.json and of sentences)."""

DERIVED: Derived = {"model": liquidation_map.level_model}
"""Options built from several ``[analysis]`` settings, by the parameter name facts take."""

FACTS: tuple[FactSpec, ...] = validate(
    (spec for module in MODULES for spec in module.register.specs), DERIVED
)


def analysis_options(settings: AnalysisSettings) -> dict[str, object]:
    """The ``options`` of ``compute_facts`` from the ``[analysis]`` settings: every keyword-only
    parameter of the facts (a setting, or a ``DERIVED`` option such as the level ``model``)."""
    return options_for(FACTS, settings, DERIVED)


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
    by name (``analysis_options``); those not given take the default settings' values, and a
    name no fact takes raises ``analysis.registry.RegistryError``.
    """
    given = analysis_options(AnalysisSettings()) | dict(options or {})
    return compute(FACTS, snapshot, as_of, fomc=fomc, options=given)


def level_profiles(
    snapshot: Snapshot,
    as_of: pd.Timestamp,
    model: liquidation_map.LevelModel = liquidation_map.LEVEL_MODEL,
) -> dict[str, LevelProfile]:
    """The estimated liquidation-level profile of each asset at ``as_of``, for its chart.

    The snapshot is cut at ``as_of`` first; an asset needs open interest and hourly candles
    (and uses its long/short accounts when present, its liquidations to scale the sizes), as
    ``clusters.*`` do. Assets the model cannot run on are left out.
    """
    known = snapshot.cut(as_of)
    out: dict[str, LevelProfile] = {}
    for name, data in known.assets.items():
        oi, hourly = data.open_interest, data.candles_1h
        if oi is None or hourly is None or oi.frame.empty or hourly.frame.empty:
            continue
        accounts, liquidations = (
            None if d is None or d.frame.empty else d for d in (data.long_short, data.liquidations)
        )
        found = liquidation_map.profile(
            oi, hourly, accounts, liquidations, as_of, model, asset=name
        )
        if found is not None:
            out[name] = found
    return out


__all__ = ["DERIVED", "FACTS", "FactSpec", "analysis_options", "compute_facts", "level_profiles"]
