"""What an API answers, taken for what it is: Binance's JSON 500 is retried, a 418 is a ban,
an oversized answer is refused without being read whole, a short page is not the start of a
history.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devtools.replay_server import Fault, ReplayServer
from sources.gather import GatherResult, Outcome, gather
from tests.conftest import DEMO
from tests.sources.conftest import NOW, frozen_exchange

FUNDING = "/fapi/v1/fundingRate"
BINANCE_500 = (
    b'{"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}'
)


def _gather(server: ReplayServer, tmp_path: Path, **sources: Any) -> GatherResult:
    settings = server.settings(tmp_path / "store.sqlite", **sources)
    return gather(
        settings, tmp_path / "snap", ("BTC",), now=NOW, exchange_factory=frozen_exchange()
    )


def _outcome(result: GatherResult, file: str) -> Outcome:
    return {o.file: o for o in result.outcomes}[file]


@pytest.mark.usefixtures("coinglass_key")
def test_binances_json_500_is_retried(short_server: ReplayServer, tmp_path: Path) -> None:
    _gather(short_server, tmp_path / "healthy")
    healthy = short_server.count(FUNDING)
    short_server.faults[FUNDING] = Fault(status=500, body=BINANCE_500, times=1)
    funding = _outcome(_gather(short_server, tmp_path), "funding/BTC.csv")
    assert funding.status == "ok" and funding.error is None
    assert short_server.count(FUNDING) == 2 * healthy + 1  # the 500, then the same again


@pytest.mark.usefixtures("coinglass_key")
def test_binances_json_500_says_what_the_server_said(
    short_server: ReplayServer, tmp_path: Path
) -> None:
    short_server.faults[FUNDING] = Fault(status=500, body=BINANCE_500)
    funding = _outcome(_gather(short_server, tmp_path, retries=1), "funding/BTC.csv")
    assert funding.status == "failed" and short_server.count(FUNDING) == 2
    assert "server error (HTTP 500: " in (funding.error or "")
    assert "-1001" in (funding.error or "")


@pytest.mark.usefixtures("coinglass_key")
@pytest.mark.parametrize(
    ("path", "file"),
    [("/futures/data/openInterestHist", "open_interest/BTC.csv"), ("/fng/", "fear_greed.csv")],
)
def test_a_418_is_a_ban_not_a_rate_limit(
    short_server: ReplayServer, tmp_path: Path, path: str, file: str
) -> None:
    short_server.faults[path] = Fault(status=418, headers={"Retry-After": "120"})
    outcome = _outcome(_gather(short_server, tmp_path), file)
    assert outcome.status == "failed"
    assert "IP banned by the server (HTTP 418, lifted in 120 s); not retried" in (
        outcome.error or ""
    )
    assert "429" not in (outcome.error or "") and "rate limited" not in (outcome.error or "")
    assert short_server.count(path) == 1  # a ban is not retried (retrying lengthens it)


OVERSIZED = [
    ("/api/v5/public/liquidation-orders", "liquidations/BTC.csv", True, "200 MB declared"),
    ("/fng/", "fear_greed.csv", False, "read so far"),
    (FUNDING, "funding/BTC.csv", True, "200 MB declared"),
    (FUNDING, "funding/BTC.csv", False, "cap ([sources] max_response_mb)"),
]


@pytest.mark.parametrize(("path", "file", "declare", "said"), OVERSIZED)
def test_a_200_mb_answer_is_refused_without_reading_it(
    short_server: ReplayServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    file: str,
    declare: bool,
    said: str,
) -> None:
    monkeypatch.delenv("COINGLASS_API_KEY", raising=False)  # liquidations from OKX (httpx)
    short_server.faults[path] = Fault(size=200_000_000, declare=declare)
    outcome = _outcome(_gather(short_server, tmp_path, max_response_mb=1.0), file)
    assert outcome.status == "failed"
    assert "answer over the 1 MB cap" in (outcome.error or "") and said in (outcome.error or "")
    assert short_server.sent.get(path, 0) < 20_000_000  # far from all of it was sent


@pytest.mark.usefixtures("coinglass_key")
def test_a_short_page_is_not_the_start_of_history(server: ReplayServer, tmp_path: Path) -> None:
    """Every page cut to 995 rows: the gather asks on, and gets all 3385 daily candles."""
    server.faults["/api/v3/klines"] = Fault(cap=995)
    result = _gather(server, tmp_path)
    assert _outcome(result, "candles_1d/BTC.csv").rows == 3385
    for rel in ("candles_1d/BTC.csv", "candles_1h/BTC.csv"):
        assert (tmp_path / "snap" / rel).read_bytes() == (DEMO / rel).read_bytes(), rel
