"""The Alternative.me adapter alone, against a canned answer of its API (httpx.MockTransport):
what it asks, and the Fear & Greed table it makes of the answer."""

from __future__ import annotations

import asyncio

import httpx
import pandas as pd

from sources.alternative_me import SOURCE, AlternativeMe
from sources.base import Request
from sources.http import Recorder, RetryPolicy
from tests.sources.conftest import NOW, as_table

ANSWER = {
    "name": "Fear and Greed Index",
    "data": [  # newest first, every value a string
        {"value": "71", "value_classification": "Greed", "timestamp": "1763856000"},
        {"value": "48", "value_classification": "Neutral", "timestamp": "1763769600"},
    ],
}


def test_the_index_history_becomes_the_fear_greed_table() -> None:
    asked: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, json=ANSWER)

    recorder = Recorder()
    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    adapter = AlternativeMe(client, "https://api.test", RetryPolicy(retries=0), recorder)
    frame = asyncio.run(adapter.fetch(Request("fear_greed", None, NOW, None)))
    asyncio.run(client.aclose())
    assert [(r.url.path, dict(r.url.params)) for r in asked] == [
        ("/fng/", {"limit": "0", "format": "json"})
    ]
    table = as_table(frame, "fear_greed")
    assert list(table.index) == list(pd.to_datetime(["2025-11-22", "2025-11-23"], utc=True))
    assert table["value"].tolist() == [48.0, 71.0]
    assert table["classification"].tolist() == ["Neutral", "Greed"]
    assert len(recorder.responses) == 1 and adapter.name == SOURCE


def test_a_later_gather_asks_only_for_the_days_from_its_floor() -> None:
    """With a floor (the store holds the rows before it), ``limit`` is the days from the
    floor's to now's, both included: 4 for a floor three days back, 1 for today's."""
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.params["limit"])
        return httpx.Response(200, json=ANSWER)

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    adapter = AlternativeMe(client, "https://api.test", RetryPolicy(retries=0), Recorder())
    for back in (3, 0):
        floor = int((NOW.floor("D") - pd.Timedelta(days=back)).value // 1_000_000)
        asyncio.run(adapter.fetch(Request("fear_greed", None, NOW, None, floor)))
    asyncio.run(client.aclose())
    assert asked == ["4", "1"]
