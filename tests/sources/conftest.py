"""Fixtures of the live-data tests: the replay data (built once), its last days only (for
tests that need no history), and loopback servers of either."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pandas as pd
import pytest

from datasets import DATASETS, REGISTRY, for_file
from demo.replay import ReplayData
from demo.scenario import AS_OF
from devtools.replay_server import ReplayServer
from settings import SourcesSettings
from sources.exchange import make_exchange
from sources.http import Recorder
from sources.schema import validate_table
from sources.snapshot import to_csv
from tests.conftest import DEMO

DEMO_FILES = [p.relative_to(DEMO).as_posix() for p in DEMO.rglob("*.csv")]

NOW = AS_OF
"""The gather's "now": the demo snapshot's as-of."""
REPLAYED = frozenset(spec.name for spec in REGISTRY if any(spec.holds(f) for f in DEMO_FILES))
"""The datasets the replay serves: the demo snapshot's. A registered dataset the demo does not
generate (yet) fails against the replay by design; its adapter is tested alone."""


def replayed(dataset_or_file: str) -> bool:
    """Whether a dataset (name, or snapshot file) is one the replay serves."""
    spec = DATASETS.get(dataset_or_file) or for_file(dataset_or_file)
    return spec is not None and spec.name in REPLAYED


@pytest.fixture(scope="session")
def replay_data() -> ReplayData:
    """The demo market rendered into every API's native JSON."""
    return ReplayData.build()


@pytest.fixture(scope="session")
def short_data(replay_data: ReplayData) -> ReplayData:
    """The same market, its last 5 days only: gathers of it are quick."""
    return replay_data.tail(5)


@pytest.fixture
def server(replay_data: ReplayData) -> Iterator[ReplayServer]:
    """A fresh loopback server (faults are per test)."""
    srv = ReplayServer(replay_data).start()
    yield srv
    srv.stop()


@pytest.fixture
def short_server(short_data: ReplayData) -> Iterator[ReplayServer]:
    """A fresh loopback server of the last 5 days (faults are per test)."""
    srv = ReplayServer(short_data).start()
    yield srv
    srv.stop()


_MARKETS: dict[str, Any] = {}
"""ccxt markets parsed once per test process (every replay serves the same two assets)."""
_SSL = ssl.create_default_context()
"""One TLS context for every exchange (each would load the CA bundle again: 40 ms)."""


def frozen_exchange(now: pd.Timestamp = NOW) -> Callable[[SourcesSettings, Recorder], Any]:
    """A factory of ccxt exchanges whose clock reads ``now``, that skip client throttling (the
    loopback server has no rate limit to respect) and the quarter second ccxt waits on close
    for TLS connections to shut down (there are none), and that reuse the markets parsed by
    the first one (so a test's gather asks for no exchangeInfo after the first)."""

    def factory(cfg: SourcesSettings, recorder: Recorder) -> Any:
        exchange = make_exchange(cfg, recorder)
        exchange.milliseconds = lambda: int(now.value // 1_000_000)
        exchange.enableRateLimit = False
        exchange.timeout_on_exit = 0
        exchange.ssl_context = _SSL
        if "markets" in _MARKETS:
            exchange.set_markets(_MARKETS["markets"], _MARKETS["currencies"])
        else:
            load = exchange.load_markets

            async def load_markets(*args: Any, **kwargs: Any) -> Any:
                markets = await load(*args, **kwargs)
                _MARKETS.update(markets=exchange.markets, currencies=exchange.currencies)
                return markets

            exchange.load_markets = load_markets
        return exchange

    return factory


@pytest.fixture
def coinglass_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """A CoinGlass key in the environment variable the settings name."""
    monkeypatch.setenv("COINGLASS_API_KEY", "test-key")
    return "test-key"


def as_table(frame: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """An adapter's ``frame`` written as the snapshot writes it and read back as the loader
    does: the frame of the snapshot, or ``SnapshotError`` when a column is missing or out of
    the registry's bounds."""
    text = to_csv(frame, dataset)
    return validate_table(pd.read_csv(StringIO(text), dtype=str), dataset, f"{dataset}.csv")
