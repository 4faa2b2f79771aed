"""Which adapters fetch each dataset, in the order they are tried, and how far back.

``ROUTES`` has one entry per dataset of ``datasets.REGISTRY``: the history depth a first gather
fetches (from ``[sources]``) and the providers of its adapters, first tried first; a provider
that is not configured (CoinGlass without a key) is skipped, and each later adapter is a
fallback of the ones before it. To add a provider of a dataset: its adapter module (a
``sources.base.Source`` and a ``Provider``), then its provider in the dataset's tuple here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from settings import SourcesSettings
from sources import alternative_me, coinglass, collect, exchange, okx, synthetic_dxy, yahoo
from sources.base import Context, Provider, Reference, ReferenceProvider, Source

Depth = Callable[[SourcesSettings, pd.Timestamp], pd.Timestamp | None]
"""The oldest row a snapshot keeps, from the settings and ``now``; None: all history."""


def days(setting: Callable[[SourcesSettings], int]) -> Depth:
    """A depth of ``setting`` days back from now, to the start of that day; 0: all history."""

    def depth(cfg: SourcesSettings, now: pd.Timestamp) -> pd.Timestamp | None:
        n = setting(cfg)
        return (now - pd.Timedelta(days=n)).floor("D") if n else None

    return depth


def macro(cfg: SourcesSettings, now: pd.Timestamp) -> pd.Timestamp:
    """The depth of the macro series: ``[sources] macro_since``."""
    return pd.Timestamp(cfg.macro_since, tz="UTC")


def first_of(*providers: Provider) -> Provider:
    """A provider of the first of ``providers`` that is configured."""

    def provider(ctx: Context) -> Source | None:
        return next((s for p in providers if (s := p(ctx)) is not None), None)

    return provider


@dataclass(frozen=True)
class Route:
    """How one dataset is gathered."""

    depth: Depth
    providers: tuple[Provider, ...]
    """Its adapters' providers, in the order they are tried."""
    reference: ReferenceProvider | None = None
    """The other market asked about implausible rows (``sources.plausibility``); None: such
    rows are quarantined without asking."""


_DERIVATIVES = days(lambda cfg: cfg.derivatives_days)

ROUTES: Mapping[str, Route] = {
    "candles_1d": Route(days(lambda cfg: cfg.daily_days), (exchange.spot,), exchange.perpetual),
    "candles_1h": Route(days(lambda cfg: cfg.hourly_days), (exchange.spot,), exchange.perpetual),
    "funding": Route(days(lambda cfg: cfg.funding_days), (exchange.perpetuals,)),
    "open_interest": Route(_DERIVATIVES, (exchange.perpetuals,)),
    # CoinGlass when its key is set, else OKX's last day; then the recorded streams
    "liquidations": Route(
        _DERIVATIVES, (first_of(coinglass.provider, okx.provider), collect.provider)
    ),
    "long_short": Route(days(lambda cfg: cfg.long_short_days), (exchange.perpetuals,)),
    "dxy": Route(macro, (yahoo.provider, synthetic_dxy.provider)),
    "fear_greed": Route(macro, (alternative_me.provider,)),
}
"""Each dataset's route, by registry name."""


def reference(dataset: str, ctx: Context) -> Reference | None:
    """The other market of ``dataset``, if its route has one."""
    other = ROUTES[dataset].reference
    return None if other is None else other(ctx)


def chain(dataset: str, ctx: Context) -> list[Source]:
    """The adapters to try for ``dataset`` in turn, as configured: ``[sources] liquidations =
    "recorded"`` tries the recorded streams first."""
    sources = [s for p in ROUTES[dataset].providers if (s := p(ctx)) is not None]
    for source in sources:
        if dataset not in source.datasets:
            raise TypeError(f"{source.name} is routed {dataset} but serves {source.datasets}")
    if dataset == "liquidations" and ctx.settings.sources.liquidations == "recorded":
        sources.sort(key=lambda s: s.name != collect.SOURCE)
    return sources
