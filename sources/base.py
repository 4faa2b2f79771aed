"""What a live source adapter is: the ``Source`` protocol, the ``Request`` it answers, and the
``Context`` adapters are built from.

Each provider is one adapter object (one module under ``sources/``): it declares the datasets
it serves, its name as the note cites it, its base URL and the venues its rows cover, and
fetches one dataset's rows for one request. ``sources/registry.py`` lists, per dataset, the
providers to try in turn; ``sources/gather.py`` runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import httpx
import pandas as pd

from settings import Settings
from sources.http import Recorder, RetryPolicy, ms
from store import Store

if TYPE_CHECKING:  # sources.exchange defines its adapters with this module's types
    from sources.exchange import ExchangeSource


@dataclass(frozen=True)
class Request:
    """Fetch the rows of ``dataset`` (for ``asset``) known at ``now``."""

    dataset: str
    asset: str | None
    """Asset code; None for a market-wide dataset."""
    now: pd.Timestamp
    since: pd.Timestamp | None
    """Oldest row the snapshot keeps (the configured depth); None: all the source has."""
    floor: int | None = None
    """Where an incremental fetch may start (ms): the history store holds the rows before
    it. None on a first gather and for every fallback. Adapters that fetch a whole history in
    one request may ignore it."""

    @property
    def code(self) -> str:
        """The asset code of a per-asset request."""
        if self.asset is None:
            raise ValueError(f"{self.dataset} is fetched per asset")
        return self.asset

    @property
    def start(self) -> int | None:
        """The oldest row to fetch (ms): the floor, else the depth; None: from the first."""
        if self.floor is not None:
            return self.floor
        return None if self.since is None else ms(self.since)

    @property
    def until(self) -> int:
        """The newest time to fetch (ms): ``now``."""
        return ms(self.now)


class Source(Protocol):
    """One provider's adapter, built for one gather."""

    @property
    def name(self) -> str:
        """The source as the note and the manifest cite it: ``Binance spot``."""

    @property
    def url(self) -> str:
        """The base URL its rows come from (the manifest's ``url``)."""

    @property
    def venues(self) -> tuple[str, ...]:
        """Exchanges whose trading its rows cover (the manifest's ``venues``)."""

    @property
    def datasets(self) -> tuple[str, ...]:
        """The datasets (registry names) it can fetch."""

    @property
    def fallback(self) -> str:
        """The manifest's ``fallback`` label when its rows stand in for an earlier source's."""

    async def fetch(self, request: Request) -> pd.DataFrame:
        """The rows of ``request``: a ``time`` column (UTC), then the dataset's columns."""


class Reference(Protocol):
    """Another market of the same asset, asked only about rows that look implausible
    (``sources.plausibility``): the perpetual's candles for the spot's."""

    @property
    def name(self) -> str:
        """The market as the manifest names it: ``Binance USDⓈ-M futures``."""

    async def rows(self, request: Request, times: list[pd.Timestamp]) -> pd.DataFrame:
        """Its rows of ``request``'s dataset at ``times`` (a ``time`` column, then the
        prices); a time it has no row for is absent."""


@dataclass(frozen=True)
class Context:
    """What adapters are built from: the settings and the connections of one gather."""

    settings: Settings
    client: httpx.AsyncClient
    policy: RetryPolicy
    recorder: Recorder
    exchange: ExchangeSource
    """The ccxt exchange, shared by every dataset it serves (markets are loaded once)."""
    store: Store


Provider = Callable[[Context], Source | None]
"""Builds an adapter for one gather; None when it is not configured (e.g. no API key)."""
ReferenceProvider = Callable[[Context], Reference | None]
"""Builds the other market of a dataset for one gather; None when there is none."""
