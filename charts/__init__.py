"""Charts of the note: one function per chart returns a ``Figure``; ``export.save`` writes it.

``render_charts`` is what the pipeline calls: it draws every chart of every asset, then the
market-wide ones once, and returns their ``ChartRef`` values grouped by asset (market-wide
charts under ``"market"``), in the order the note shows them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from charts.context import SECTION as APPENDIX
from charts.context import base_rate_alt, base_rate_chart
from charts.derivatives import (
    funding_alt,
    funding_chart,
    level_profile_alt,
    level_profile_chart,
    liquidations_alt,
    liquidations_chart,
)
from charts.export import save
from charts.macro import (
    dxy_alt,
    dxy_chart,
    fear_greed_alt,
    fear_greed_chart,
    relative_alt,
    relative_chart,
)
from charts.price import daily_alt, daily_chart, hourly_alt, hourly_chart
from models import AssetData, ChartRef, Dataset, Fact, LevelProfile, chart_name, fact_key

__all__ = [
    "MARKET",
    "base_rate_chart",
    "daily_chart",
    "dxy_chart",
    "fear_greed_chart",
    "funding_chart",
    "hourly_chart",
    "level_profile_chart",
    "liquidations_chart",
    "relative_chart",
    "render_charts",
    "render_market_charts",
    "save",
]

MARKET = "market"
"""Key of the market-wide charts in ``render_charts``' result."""


def render_charts(
    assets: Mapping[str, AssetData],
    facts: Sequence[Fact],
    out_dir: Path,
    *,
    demo: bool,
    fear_greed: Dataset | None = None,
    dxy: Dataset | None = None,
    profiles: Mapping[str, LevelProfile] | None = None,
    market: bool = True,
) -> dict[str, tuple[ChartRef, ...]]:
    """Draw and write the note's charts under ``out_dir/charts/``; a chart whose data is
    absent or empty is skipped.

    Per asset, in order: ``<asset>_daily`` and, with hourly candles, ``<asset>_7d`` (section
    ``price``); with liquidations ``<asset>_liquidations``, with funding ``<asset>_funding``,
    with a non-empty level profile ``<asset>_levels`` (section ``derivatives``); with a
    ``context.base_rate`` fact ``<asset>_base_rate`` (section ``appendix``: only the appendix
    shows it). Then, under ``"market"`` when any is drawn: ``dxy``, ``fear_greed`` and, for
    two assets or more, ``relative`` (section ``macro``), and with a
    ``context.market_base_rate`` fact ``market_base_rate`` (section ``appendix``).

    ``assets``, ``fear_greed`` and ``dxy`` must already be cut at as-of; ``facts`` are the
    note's facts (any may be absent); ``profiles`` come from ``analysis.level_profiles``.
    ``market=False`` leaves the market-wide charts out, so a caller can split the work across
    processes: per-asset calls with ``market=False`` plus one :func:`render_market_charts`.
    """
    by_key = {f.key: f for f in facts}
    as_of = max((f.as_of for f in facts), default=None)
    label = "Demo data, not market prices. " if demo else ""
    profiles = profiles or {}
    out: dict[str, tuple[ChartRef, ...]] = {}
    for name, data in assets.items():
        daily = data.candles_1d
        hourly = _present(data.candles_1h)
        fig = daily_chart(daily, by_key, asset=name, demo=demo, hourly=hourly)
        alt = label + daily_alt(daily, by_key, asset=name, hourly=hourly)
        refs = [save(fig, out_dir, chart_name(name, "daily"), alt)]
        if hourly is not None:
            fig = hourly_chart(hourly, by_key, asset=name, demo=demo)
            alt = label + hourly_alt(hourly, by_key, asset=name)
            refs.append(save(fig, out_dir, chart_name(name, "7d"), alt))
        if (liquidations := _present(data.liquidations)) is not None:
            fig = liquidations_chart(
                liquidations, hourly, by_key, asset=name, demo=demo, as_of=as_of
            )
            alt = label + liquidations_alt(liquidations, hourly, by_key, asset=name, as_of=as_of)
            refs.append(
                save(fig, out_dir, chart_name(name, "liquidations"), alt, section="derivatives")
            )
        if (funding := _present(data.funding)) is not None:
            fig = funding_chart(funding, by_key, asset=name, demo=demo)
            alt = label + funding_alt(funding, by_key, asset=name)
            refs.append(save(fig, out_dir, chart_name(name, "funding"), alt, section="derivatives"))
        profile = profiles.get(name)
        if profile is not None and profile.price:
            fig = level_profile_chart(profile, by_key, asset=name, demo=demo)
            alt = label + level_profile_alt(profile, by_key, asset=name)
            refs.append(save(fig, out_dir, chart_name(name, "levels"), alt, section="derivatives"))
        if (base := by_key.get(fact_key(name, "context.base_rate"))) is not None:
            fig, alt = base_rate_chart(daily, base, demo=demo), label + base_rate_alt(daily, base)
            refs.append(save(fig, out_dir, chart_name(name, "base_rate"), alt, section=APPENDIX))
        out[name] = tuple(refs)
    if market:
        drawn = render_market_charts(
            assets, facts, out_dir, demo=demo, fear_greed=fear_greed, dxy=dxy
        )
        if drawn:
            out[MARKET] = drawn
    return out


def render_market_charts(
    assets: Mapping[str, AssetData],
    facts: Sequence[Fact],
    out_dir: Path,
    *,
    demo: bool,
    fear_greed: Dataset | None = None,
    dxy: Dataset | None = None,
) -> tuple[ChartRef, ...]:
    """The market-wide charts, each when its data exists: ``dxy``, ``fear_greed`` and, for two
    assets or more, ``relative`` (every asset's candles against BTC), section ``macro``; and
    ``market_base_rate`` (its lead asset's cases), section ``appendix``.

    What ``render_charts`` returns under ``"market"``; the arguments are the same.
    """
    by_key = {f.key: f for f in facts}
    label = "Demo data, not market prices. " if demo else ""
    refs: list[ChartRef] = []
    if (dxy := _present(dxy)) is not None:
        alt = label + dxy_alt(dxy, by_key)
        refs.append(save(dxy_chart(dxy, by_key, demo=demo), out_dir, "dxy", alt, section="macro"))
    if (fear_greed := _present(fear_greed)) is not None:
        fig = fear_greed_chart(fear_greed, demo=demo)
        alt = label + fear_greed_alt(fear_greed)
        refs.append(save(fig, out_dir, "fear_greed", alt, section="macro"))
    candles = _relative_candles(assets)
    if len(candles) >= 2:
        fig = relative_chart(candles, demo=demo)
        alt = label + relative_alt(candles)
        refs.append(save(fig, out_dir, "relative", alt, section="macro"))
    base = by_key.get(fact_key(None, "context.market_base_rate"))
    lead = assets.get(str(base.value["asset"])) if base is not None else None
    if base is not None and lead is not None:
        fig = base_rate_chart(lead.candles_1d, base, demo=demo)
        alt = label + base_rate_alt(lead.candles_1d, base)
        refs.append(save(fig, out_dir, "market_base_rate", alt, section=APPENDIX))
    return tuple(refs)


def _relative_candles(assets: Mapping[str, AssetData], days: int = 30) -> dict[str, Dataset]:
    """Every asset's hourly candles when all of them have hourly candles covering ``days``
    days, else every asset's daily candles (one kind for all, so the lines compare)."""
    hourly = {name: _present(a.candles_1h) for name, a in assets.items()}
    span = pd.Timedelta(days=days)
    if all(h is not None and h.frame.index[-1] - h.frame.index[0] >= span for h in hourly.values()):
        return {name: h for name, h in hourly.items() if h is not None}
    return {name: d for name, a in assets.items() if (d := _present(a.candles_1d)) is not None}


def _present(dataset: Dataset | None) -> Dataset | None:
    """The dataset when it has rows, else None."""
    return None if dataset is None or dataset.frame.empty else dataset
