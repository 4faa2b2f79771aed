"""The routes table: every dataset has adapters that serve it, in the configured order; what
each adapter is asked (its Request) and what it declares."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pandas as pd
import pytest

from datasets import DATASETS, REGISTRY
from settings import Settings, SourcesSettings, StoreSettings, replace
from sources import registry
from sources.base import Context, Request
from sources.collect import SOURCE as RECORDED
from sources.exchange import ExchangeSource
from sources.http import Recorder, RetryPolicy, ms
from sources.okx import OkxSource
from store import open_store

NOW = pd.Timestamp("2026-11-23T08:00Z")


@pytest.fixture
def context(tmp_path: Path) -> Iterator[Context]:
    """A gather's context (nothing is fetched: the adapters are only built)."""
    config = Settings(store=StoreSettings(path=tmp_path / "store.sqlite"))
    policy = RetryPolicy()
    exchange = ExchangeSource(SimpleNamespace(name="Binance"), config.sources, policy)
    store, client = open_store(config.store.path), httpx.AsyncClient()
    yield Context(config, client, policy, Recorder(), exchange, store)
    store.close()
    asyncio.run(client.aclose())


def _names(dataset: str, ctx: Context) -> list[str]:
    return [s.name for s in registry.chain(dataset, ctx)]


def test_every_dataset_has_a_route_whose_adapters_serve_it(context: Context) -> None:
    assert set(registry.ROUTES) == set(DATASETS)
    for spec in REGISTRY:
        sources = registry.chain(spec.name, context)
        assert sources, spec.name
        assert all(spec.name in s.datasets and s.url for s in sources), spec.name


def test_the_chains_in_their_fallback_order(
    context: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COINGLASS_API_KEY", raising=False)
    assert _names("candles_1d", context) == ["Binance spot"]
    assert _names("funding", context) == ["Binance USDⓈ-M futures"]
    assert _names("dxy", context)[1].startswith("DXY (synthetic")
    assert _names("liquidations", context) == ["OKX", RECORDED]
    monkeypatch.setenv("COINGLASS_API_KEY", "key")
    assert _names("liquidations", context) == ["CoinGlass", RECORDED]
    recorded_first = replace(context.settings, "sources", liquidations="recorded")
    ctx = Context(**{**vars(context), "settings": recorded_first})
    assert _names("liquidations", ctx) == [RECORDED, "CoinGlass"]


def test_adapters_declare_their_venues(context: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COINGLASS_API_KEY", "key")
    venues = {s.name: s.venues for s in registry.chain("liquidations", context)}
    assert venues == {"CoinGlass": ("Binance", "OKX", "Bybit"), RECORDED: ("Binance", "Bybit")}
    assert registry.chain("candles_1h", context)[0].venues == ("Binance",)
    assert registry.chain("fear_greed", context)[0].venues == ()


def test_an_adapter_routed_to_a_dataset_it_does_not_serve_fails(
    context: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = registry.Route(registry.macro, (registry.ROUTES["liquidations"].providers[0],))
    monkeypatch.setitem(registry.ROUTES, "dxy", wrong)
    with pytest.raises(TypeError, match=r"OKX is routed dxy but serves \('liquidations',\)"):
        registry.chain("dxy", context)


def test_depths_follow_the_settings() -> None:
    cfg = SourcesSettings(daily_days=0, hourly_days=2)
    assert registry.ROUTES["candles_1d"].depth(cfg, NOW) is None
    assert registry.ROUTES["candles_1h"].depth(cfg, NOW) == pd.Timestamp("2026-11-21T00:00Z")
    assert registry.ROUTES["dxy"].depth(cfg, NOW) == pd.Timestamp("1971-01-04T00:00Z")
    assert registry.ROUTES["funding"].depth(cfg, NOW) is None  # back to the perpetual's start


def test_a_request_starts_at_its_floor_else_its_depth() -> None:
    since = pd.Timestamp("2026-11-01T00:00Z")
    first = Request("funding", "BTC", NOW, since)
    assert (first.start, first.until, first.code) == (ms(since), ms(NOW), "BTC")
    assert Request("funding", "BTC", NOW, since, floor=123).start == 123
    assert Request("funding", "BTC", NOW, None).start is None
    with pytest.raises(ValueError, match="dxy is fetched per asset"):
        _ = Request("dxy", None, NOW, since).code


def test_okx_fetches_from_the_later_of_its_floor_and_a_day_ago() -> None:
    asked: list[tuple[str, int, int]] = []

    class Spy(OkxSource):
        async def liquidations(self, asset: str, since: int, until: int) -> pd.DataFrame:
            asked.append((asset, since, until))
            return pd.DataFrame()

    okx = Spy(httpx.AsyncClient(), "http://127.0.0.1:9", RetryPolicy(), Recorder())
    day = ms(NOW - pd.Timedelta(days=1))
    asyncio.run(okx.fetch(Request("liquidations", "BTC", NOW, None)))
    asyncio.run(okx.fetch(Request("liquidations", "BTC", NOW, None, floor=day + 5)))
    assert asked == [("BTC", day, ms(NOW)), ("BTC", day + 5, ms(NOW))]
