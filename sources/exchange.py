"""The exchange adapter: candles, funding, open interest and long/short ratios through ccxt.

The only module of the live path that imports ``ccxt`` (lazily: it costs about half a second, and
the demo brief never needs it). ``make_exchange`` builds a ``ccxt.async_support`` exchange whose
API hosts are rewritten to the base-URL settings (mirrors, proxies, the tests' loopback server),
whose ``fetch`` records every raw response, whose answers are read up to ``[sources]
max_response_mb`` (a larger one is refused unread when its Content-Length says so, else as soon
as it passes the cap), and whose error statuses are classified by status before ccxt maps the
body: a 5xx is retried whatever its JSON says (Binance's ``-1001 Internal error ... Please try
again`` comes as a 500), a 429 honours its own Retry-After, a 418 is a ban (not retried).
``ExchangeSource`` pages *backward* through each history from an explicit ``until`` (the
gather's now, so nothing depends on ccxt's clock) down to a ``floor``: the configured depth on a
first gather, just before the newest stored row on later ones, or (``None``) as far as the
exchange goes, ending at the first empty page (a short page is not taken for the start: the
next one is asked). It translates ccxt's exceptions into ours with the shared retry policy.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import pandas as pd

from errors import BadResponse, FetchTimeout, RateLimited, SourceError
from settings import SourcesSettings
from sources.base import Context, Request
from sources.http import Recorder, RetryPolicy, Sleep, banned, retry_after_seconds, with_retries

PAGE = {"ohlcv": 1000, "funding": 1000, "open_interest": 500, "long_short": 500}
"""Rows per request: each endpoint's maximum (Binance)."""
HOUR_MS = 3_600_000
STEP_MS = {"1h": HOUR_MS, "1d": 24 * HOUR_MS}
FUNDING_MS = 8 * HOUR_MS
"""Binance's funding interval: sizes the last page's ``limit`` (a shorter one only costs a page)."""


def host_map(settings: SourcesSettings) -> dict[str, str]:
    """Real API host → configured base URL (only hosts that differ)."""
    pairs = {
        "https://api.binance.com": settings.binance_spot_url.rstrip("/"),
        "https://fapi.binance.com": settings.binance_futures_url.rstrip("/"),
    }
    return {k: v for k, v in pairs.items() if k != v}


def rewrite_urls(urls: Any, hosts: dict[str, str]) -> Any:
    """``urls`` (a str or nested dict of them) with each mapped host replaced, paths kept."""
    if isinstance(urls, dict):
        return {k: rewrite_urls(v, hosts) for k, v in urls.items()}
    if isinstance(urls, str):
        for old, new in hosts.items():
            if urls == old or urls.startswith(old + "/"):
                return new + urls[len(old) :]
    return urls


class HttpStatus(Exception):
    """An error status of the exchange's HTTP answer, raised before ccxt maps its body."""

    def __init__(self, status: int, retry_after: str | None, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:120]}")
        self.status, self.retry_after, self.body = status, retry_after, body


class TooLarge(Exception):
    """An answer over the size cap, refused before it was read whole."""


def _capped_response(cap: int) -> type:
    """An aiohttp response class whose body is read up to ``cap`` bytes (``TooLarge``
    beyond: by the Content-Length before reading, else as soon as it passes)."""
    import aiohttp

    class CappedResponse(aiohttp.ClientResponse):
        async def text(self, encoding: str | None = None, errors: str = "strict") -> str:
            mb = f"{cap / 1e6:g} MB"
            if self.content_length is not None and self.content_length > cap:
                declared = f"{self.content_length / 1e6:g} MB declared"
                raise TooLarge(f"answer over the {mb} cap ({declared}; [sources] max_response_mb)")
            body = bytearray()
            async for chunk in self.content.iter_any():
                body += chunk
                if len(body) > cap:
                    raise TooLarge(f"answer over the {mb} cap ([sources] max_response_mb)")
            return bytes(body).decode(encoding or self.charset or "utf-8", errors)

    return CappedResponse


def _guarded(exchange: Any, cap: int) -> None:
    """Make ``exchange`` read answers up to ``cap`` bytes and raise ``HttpStatus`` for a 418,
    429 or 5xx before its own error mapping (which reads Binance's 500 ``-1001`` as final)."""
    response_class = _capped_response(cap)
    original_open, original_errors = exchange.open, exchange.handle_errors

    def open_session(lazy: bool = False) -> None:
        original_open(lazy)
        if exchange.session is not None:  # ccxt's own session, with its TLS connector
            exchange.session._response_class = response_class

    def handle_errors(
        code: int, reason: str, url: str, method: str, headers: Any, body: str, *rest: Any
    ) -> Any:
        if code in (418, 429) or code >= 500:
            raise HttpStatus(code, _header(headers or {}, "Retry-After"), body or "")
        return original_errors(code, reason, url, method, headers, body, *rest)

    exchange.open, exchange.handle_errors = open_session, handle_errors


def make_exchange(settings: SourcesSettings, recorder: Recorder | None = None) -> Any:
    """A ``ccxt.async_support`` exchange for ``settings.exchange``, pointed at the base URLs."""
    import ccxt.async_support as ccxt_async

    try:
        cls = getattr(ccxt_async, settings.exchange)
    except AttributeError:
        raise SourceError(f"ccxt has no exchange {settings.exchange!r}") from None
    exchange = cls(
        {
            "timeout": int(settings.timeout * 1000),
            "enableRateLimit": True,
            "options": {
                "fetchMarkets": {"types": ["spot", "linear"]},
                "fetchCurrencies": False,
            },
        }
    )
    exchange.urls["api"] = rewrite_urls(exchange.urls["api"], host_map(settings))
    _guarded(exchange, int(settings.max_response_mb * 1_000_000))
    if recorder is not None:
        original = exchange.fetch

        async def fetch(
            url: str, method: str = "GET", headers: Any = None, body: Any = None
        ) -> Any:
            result = await original(url, method, headers, body)
            recorder.add(url, 200, json.dumps(result))
            return result

        exchange.fetch = fetch
    return exchange


class ExchangeSource:
    """Histories of one exchange as frames with a UTC ``time`` column (newest last)."""

    def __init__(
        self,
        exchange: Any,
        settings: SourcesSettings,
        policy: RetryPolicy,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.exchange = exchange
        self.settings = settings
        self.policy = policy
        self.sleep = sleep
        self.name = str(getattr(exchange, "name", settings.exchange))
        self._markets_lock = asyncio.Lock()

    @property
    def spot_source(self) -> str:
        """Human name of the spot data ("Binance spot")."""
        return f"{self.name} spot"

    @property
    def derivatives_source(self) -> str:
        """Human name of the perpetual-futures data ("Binance USDⓈ-M futures")."""
        return "Binance USDⓈ-M futures" if self.name == "Binance" else f"{self.name} perpetuals"

    async def candles(
        self, asset: str, timeframe: str, floor: int | None, until: int
    ) -> pd.DataFrame:
        """OHLCV candles (spot) opening in [floor, until]."""
        symbol = f"{asset}/{self.settings.quote}"

        async def page(end: int, limit: int) -> list[Any]:
            rows: list[Any] = await self.exchange.fetch_ohlcv(
                symbol, timeframe, None, limit, {"until": end}
            )
            return rows

        rows = await self._pages(page, floor, until, STEP_MS[timeframe], PAGE["ohlcv"], 0)
        frame = pd.DataFrame(rows, columns=["ms", "open", "high", "low", "close", "volume"])
        return _with_time(frame)

    async def funding(self, asset: str, floor: int | None, until: int) -> pd.DataFrame:
        """Settled funding rates (fraction per interval) of the perpetual."""
        symbol = self._perp(asset)

        async def page(end: int, limit: int) -> list[Any]:
            rows: list[Any] = await self.exchange.fetch_funding_rate_history(
                symbol, None, limit, {"until": end}
            )
            return rows

        rows = await self._pages(page, floor, until, FUNDING_MS, PAGE["funding"], "timestamp")
        frame = pd.DataFrame(
            {"ms": [r["timestamp"] for r in rows], "rate": [r["fundingRate"] for r in rows]}
        )
        return _with_time(frame)

    async def open_interest(self, asset: str, floor: int | None, until: int) -> pd.DataFrame:
        """Hourly open interest in USD."""
        symbol = self._perp(asset)

        async def page(end: int, limit: int) -> list[Any]:
            rows: list[Any] = await self.exchange.fetch_open_interest_history(
                symbol, "1h", None, limit, {"until": end}
            )
            return rows

        rows = await self._pages(page, floor, until, HOUR_MS, PAGE["open_interest"], "timestamp")
        frame = pd.DataFrame(
            {
                "ms": [r["timestamp"] for r in rows],
                "oi_usd": [r["openInterestValue"] for r in rows],
            }
        )
        return _with_time(frame)

    async def long_short(self, asset: str, floor: int | None, until: int) -> pd.DataFrame:
        """Hourly percent of accounts net long (``longAccount`` survives only in ``info``)."""
        symbol = self._perp(asset)

        async def page(end: int, limit: int) -> list[Any]:
            rows: list[Any] = await self.exchange.fetch_long_short_ratio_history(
                symbol, "1h", None, limit, {"until": end}
            )
            return rows

        rows = await self._pages(page, floor, until, HOUR_MS, PAGE["long_short"], "timestamp")
        frame = pd.DataFrame(
            {
                "ms": [r["timestamp"] for r in rows],
                "long_pct": [float(r["info"]["longAccount"]) * 100 for r in rows],
            }
        )
        return _with_time(frame)

    async def perpetual_candles(
        self, asset: str, timeframe: str, times: list[pd.Timestamp]
    ) -> pd.DataFrame:
        """The perpetual's candles opening at ``times`` (one request each; a time it has no
        candle at is absent)."""
        await self._load_markets()
        symbol = self._perp(asset)
        rows = []
        for t in times:
            start = int(t.value // 1_000_000)
            got = await self._call(partial(self.exchange.fetch_ohlcv, symbol, timeframe, start, 1))
            rows += [r for r in got if _stamp(r, 0) == start]
        frame = pd.DataFrame(rows, columns=["ms", "open", "high", "low", "close", "volume"])
        return _with_time(frame)

    async def close(self) -> None:
        """Close the exchange's HTTP session."""
        await self.exchange.close()

    def _perp(self, asset: str) -> str:
        quote = self.settings.quote
        return f"{asset}/{quote}:{quote}"

    async def _pages(
        self,
        page: Callable[[int, int], Awaitable[list[Any]]],
        floor: int | None,
        until: int,
        step: int,
        size: int,
        key: str | int,
    ) -> list[Any]:
        """Every row from ``floor`` (None: the first the exchange has) to ``until``, paging
        backward from ``until``: each page ends just before the oldest row of the previous
        one, and asks for no more rows than ``step`` apart fit down to ``floor``. Stops at the
        floor, or at an empty page (the start of the exchange's history). A short page is not
        trusted as the start (a server may truncate one): the page before it is asked, and
        only an empty answer, or an error there, ends the history."""
        await self._load_markets()
        pages: list[list[Any]] = []
        end, short = until, False
        while True:
            limit = size if floor is None else max(1, min(size, (end - floor) // step + 1))
            try:
                got = await self._call(lambda end=end, limit=limit: page(end, limit))  # type: ignore[misc]
            except SourceError:
                if not short:
                    raise
                break  # nothing before a short page: it was the start after all
            in_range = sorted(
                (r for r in got if _stamp(r, key) <= end), key=lambda r: _stamp(r, key)
            )
            rows = [r for r in in_range if floor is None or _stamp(r, key) >= floor]
            if rows:
                pages.append(rows)
            if not rows or len(rows) < len(in_range):
                break
            oldest = _stamp(rows[0], key)
            if floor is not None and oldest <= floor:
                break
            end, short = oldest - 1, len(got) < limit
        return [r for rows in reversed(pages) for r in rows]

    async def _load_markets(self) -> None:
        async with self._markets_lock:
            if not self.exchange.markets:
                await self._call(lambda: self.exchange.load_markets())

    async def _call(self, attempt: Callable[[], Awaitable[Any]]) -> Any:
        async def within_deadline() -> Any:
            async with asyncio.timeout(self.policy.deadline):
                return await attempt()

        return await with_retries(within_deadline, self.policy, self._classify, self.sleep)

    def _classify(self, exc: Exception) -> tuple[SourceError, bool, float | None]:
        import ccxt

        name = self.name
        if isinstance(exc, HttpStatus):
            return _by_status(name, exc)
        if isinstance(exc, TooLarge):
            return BadResponse(f"{name}: {exc}"), False, None
        if isinstance(exc, TimeoutError):
            deadline = self.policy.deadline
            return FetchTimeout(f"{name}: no whole answer within {deadline:g} s"), True, None
        if isinstance(exc, ccxt.RequestTimeout):
            return FetchTimeout(f"{name}: timed out after {self.settings.timeout:g} s"), True, None
        if isinstance(exc, ccxt.RateLimitExceeded | ccxt.DDoSProtection):
            headers = getattr(self.exchange, "last_response_headers", None) or {}
            wait = retry_after_seconds(_header(headers, "Retry-After"))
            return RateLimited(f"{name}: rate limited (HTTP 429)"), True, wait
        if isinstance(exc, ccxt.ExchangeNotAvailable | ccxt.OnMaintenance):
            return BadResponse(f"{name}: server error ({_first_line(exc)})"), True, None
        if isinstance(exc, ccxt.NetworkError):
            return BadResponse(f"{name}: network error ({_first_line(exc)})"), True, None
        if isinstance(exc, ccxt.BaseError):
            return BadResponse(f"{name}: {type(exc).__name__} ({_first_line(exc)})"), False, None
        return BadResponse(f"{name}: unexpected response ({type(exc).__name__})"), False, None


TIMEFRAMES = {"candles_1d": "1d", "candles_1h": "1h"}
"""The ccxt timeframe of each candle dataset."""


class SpotCandles:
    """The ``Source`` of candles: the exchange's spot market."""

    datasets = tuple(TIMEFRAMES)
    fallback = "exchange"

    def __init__(self, exchange: ExchangeSource) -> None:
        self.exchange = exchange
        self.name = exchange.spot_source
        self.url = exchange.settings.binance_spot_url
        self.venues = (exchange.name,)

    async def fetch(self, request: Request) -> pd.DataFrame:
        """Candles paged back from now to the request's start."""
        timeframe = TIMEFRAMES[request.dataset]
        return await self.exchange.candles(request.code, timeframe, request.start, request.until)


class PerpetualHistories:
    """The ``Source`` of funding, open interest and long/short ratios: the exchange's
    perpetual futures."""

    datasets = ("funding", "open_interest", "long_short")
    fallback = "exchange"

    def __init__(self, exchange: ExchangeSource) -> None:
        self.exchange = exchange
        self.name = exchange.derivatives_source
        self.url = exchange.settings.binance_futures_url
        self.venues = (exchange.name,)

    async def fetch(self, request: Request) -> pd.DataFrame:
        """The dataset's history paged back from now to the request's start."""
        ex = self.exchange
        methods = {"funding": ex.funding, "open_interest": ex.open_interest}
        methods["long_short"] = ex.long_short
        return await methods[request.dataset](request.code, request.start, request.until)


class PerpetualCandles:
    """The ``Reference`` of spot candles: the candles of the same asset's perpetual."""

    def __init__(self, exchange: ExchangeSource) -> None:
        self.exchange = exchange
        self.name = exchange.derivatives_source

    async def rows(self, request: Request, times: list[pd.Timestamp]) -> pd.DataFrame:
        """The perpetual's candles at ``times``."""
        timeframe = TIMEFRAMES[request.dataset]
        return await self.exchange.perpetual_candles(request.code, timeframe, times)


def spot(ctx: Context) -> SpotCandles:
    """Provider of candles."""
    return SpotCandles(ctx.exchange)


def perpetuals(ctx: Context) -> PerpetualHistories:
    """Provider of funding, open interest and long/short ratios."""
    return PerpetualHistories(ctx.exchange)


def perpetual(ctx: Context) -> PerpetualCandles:
    """Provider of the perpetual's candles, the other market of spot candles."""
    return PerpetualCandles(ctx.exchange)


def _by_status(name: str, exc: HttpStatus) -> tuple[SourceError, bool, float | None]:
    """(error, retryable?, Retry-After) of an error status: 429 rate limited (retried after
    its Retry-After), 418 banned (not retried), 5xx a server error (retried)."""
    if exc.status == 429:
        wait = retry_after_seconds(exc.retry_after)
        return RateLimited(f"{name}: rate limited (HTTP 429)"), True, wait
    if exc.status == 418:
        return BadResponse(f"{name}: {banned(exc.retry_after)}"), False, None
    detail = " ".join(exc.body.split())[:120]
    return BadResponse(f"{name}: server error (HTTP {exc.status}: {detail})"), True, None


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers).items():
        if str(key).lower() == name.lower():
            return str(value)
    return None


def _first_line(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _stamp(row: Any, key: str | int) -> int:
    value = row[key]
    if not isinstance(value, int | float):
        raise BadResponse(f"row without a timestamp: {str(row)[:100]}")
    return int(value)


def _with_time(frame: pd.DataFrame) -> pd.DataFrame:
    frame.insert(0, "time", pd.to_datetime(frame.pop("ms"), unit="ms", utc=True))
    return frame.drop_duplicates("time").sort_values("time").reset_index(drop=True)
