"""Fixtures of the live-data tests: the replay data (built once) and a loopback server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

from demo.replay import ReplayData
from demo.scenario import AS_OF
from settings import SourcesSettings
from sources.exchange import make_exchange
from sources.http import Recorder
from tests.replay_server import ReplayServer

NOW = AS_OF
"""The gather's "now": the demo snapshot's as-of."""


@pytest.fixture(scope="session")
def replay_data() -> ReplayData:
    """The demo market rendered into every API's native JSON."""
    return ReplayData.build()


@pytest.fixture
def server(replay_data: ReplayData) -> Iterator[ReplayServer]:
    """A fresh loopback server (faults are per test)."""
    srv = ReplayServer(replay_data).start()
    yield srv
    srv.stop()


def frozen_exchange(now: pd.Timestamp = NOW) -> Callable[[SourcesSettings, Recorder], Any]:
    """A factory of ccxt exchanges whose clock reads ``now`` and that skip client throttling
    (the loopback server has no rate limit to respect)."""

    def factory(cfg: SourcesSettings, recorder: Recorder) -> Any:
        exchange = make_exchange(cfg, recorder)
        exchange.milliseconds = lambda: int(now.value // 1_000_000)
        exchange.enableRateLimit = False
        return exchange

    return factory


@pytest.fixture
def coinglass_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """A CoinGlass key in the environment variable the settings name."""
    monkeypatch.setenv("COINGLASS_API_KEY", "test-key")
    return "test-key"
