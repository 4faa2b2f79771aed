"""What every live source shares: retries with backoff, error translation, raw-response capture.

``get_json`` is the one place an HTTP answer becomes JSON for the httpx adapters: each request
has a total deadline (``timeout`` bounds each wait, the deadline the whole exchange, so a server
trickling its answer is cut off) and a size cap (a larger answer is refused unread when its
Content-Length says so, else as soon as it passes the cap); timeouts, 429 (honouring
``Retry-After``) and 5xx are retried with exponential backoff; a 418 is a ban, said so and not
retried; anything else that is not JSON of the expected kind becomes ``BadResponse``. The ccxt
adapter uses ``with_retries`` for the same policy over ccxt's own exceptions. ``Recorder`` keeps
every raw body so ``gather`` can write them under ``raw/``; which dataset a response belongs to
comes from the ``dataset`` context variable, set per asyncio task, so concurrent fetches never
mix.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
import pandas as pd

from errors import BadResponse, FetchTimeout, RateLimited, SourceError

T = TypeVar("T")

dataset: contextvars.ContextVar[str] = contextvars.ContextVar("dataset", default="other")
"""The snapshot file (``funding/BTC.csv``) the current task is fetching."""

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts = 1 + ``retries``; waits ``backoff``·2^n or Retry-After; each
    attempt waits ``timeout`` for each part of the answer and ``deadline`` for all of it, and
    reads at most ``max_bytes``."""

    retries: int = 3
    backoff: float = 1.0
    max_retry_after: float = 60.0
    timeout: float = 15.0
    deadline: float = 60.0
    max_bytes: int = 20_000_000

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        if retry_after is not None:
            return retry_after
        return float(self.backoff * 2**attempt)


@dataclass
class RawResponse:
    """One response body as received, for ``raw/``."""

    dataset: str
    url: str
    status: int
    fetched_at: pd.Timestamp
    body: str


@dataclass
class Recorder:
    """Collects raw responses and the URLs asked, per dataset."""

    clock: Callable[[], pd.Timestamp] = field(default=lambda: pd.Timestamp.now(tz="UTC"))
    responses: list[RawResponse] = field(default_factory=list)

    def add(self, url: str, status: int, body: str) -> None:
        """Record one response under the current task's dataset."""
        self.responses.append(RawResponse(dataset.get(), url, status, self.clock(), body))

    def for_dataset(self, name: str) -> list[RawResponse]:
        """The responses recorded for ``name``, in order."""
        return [r for r in self.responses if r.dataset == name]


class _Retryable(Exception):
    def __init__(self, error: SourceError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: an integer, or an HTTP date (seconds from now)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass  # not seconds: an HTTP date
    try:
        when = pd.Timestamp(parsedate_to_datetime(value))
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - pd.Timestamp.now(tz="UTC")).total_seconds())


async def with_retries(
    attempt: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    classify: Callable[[Exception], tuple[SourceError, bool, float | None]],
    sleep: Sleep = asyncio.sleep,
) -> T:
    """Run ``attempt`` until it succeeds; ``classify`` maps an exception to
    (error to raise, retryable?, Retry-After seconds)."""
    for n in range(policy.retries + 1):
        try:
            return await attempt()
        except SourceError:
            raise
        except Exception as exc:
            error, retryable, retry_after = classify(exc)
            if not retryable or n == policy.retries:
                raise error from None
            if retry_after is not None and retry_after > policy.max_retry_after:
                raise error from None
            await sleep(policy.wait(n, retry_after))
    raise AssertionError("unreachable")


async def get_json(
    client: httpx.AsyncClient,
    url: str,
    *,
    source: str,
    policy: RetryPolicy,
    recorder: Recorder | None = None,
    params: Mapping[str, str | int] | None = None,
    headers: Mapping[str, str] | None = None,
    sleep: Sleep = asyncio.sleep,
) -> Any:
    """GET ``url`` and return its JSON body; ``SourceError`` subclasses after the retries."""

    async def attempt() -> Any:
        try:
            async with asyncio.timeout(policy.deadline):
                response, body = await _get(client, url, params, headers, policy, source)
        except TimeoutError:
            raise _Retryable(
                FetchTimeout(f"{source}: no whole answer within {policy.deadline:g} s")
            ) from None
        except httpx.TimeoutException:
            raise _Retryable(
                FetchTimeout(f"{source}: timed out after {policy.timeout:g} s")
            ) from None
        except httpx.TransportError as exc:
            raise _Retryable(BadResponse(f"{source}: connection failed ({exc})")) from None
        if recorder is not None:
            text = body.decode(response.charset_encoding or "utf-8", errors="replace")
            recorder.add(str(response.url), response.status_code, text)
        _raise_for_status(response, source)
        try:
            return json.loads(body)
        except RecursionError:
            raise BadResponse(f"{source}: response is JSON nested too deeply") from None
        except ValueError:  # JSONDecodeError, UnicodeDecodeError, an overlong number
            raise BadResponse(f"{source}: response is not valid JSON") from None

    def classify(exc: Exception) -> tuple[SourceError, bool, float | None]:
        if isinstance(exc, _Retryable):
            return exc.error, True, exc.retry_after
        return BadResponse(f"{source}: {type(exc).__name__}: {exc}"), False, None

    return await with_retries(attempt, policy, classify, sleep)


async def _get(
    client: httpx.AsyncClient,
    url: str,
    params: Mapping[str, str | int] | None,
    headers: Mapping[str, str] | None,
    policy: RetryPolicy,
    source: str,
) -> tuple[httpx.Response, bytes]:
    """The response to a GET and its body, read up to ``policy.max_bytes`` (``BadResponse``
    beyond: by the Content-Length before reading, else as soon as it passes)."""
    request = client.build_request(
        "GET", url, params=dict(params or {}), headers=dict(headers or {}), timeout=policy.timeout
    )
    response = await client.send(request, stream=True)
    try:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > policy.max_bytes:
            raise _too_large(source, policy, f"{int(declared) / 1e6:g} MB declared")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > policy.max_bytes:
                raise _too_large(source, policy, "read so far")
    finally:
        await response.aclose()
    return response, bytes(body)


def _too_large(source: str, policy: RetryPolicy, seen: str) -> BadResponse:
    cap = f"{policy.max_bytes / 1e6:g} MB"
    return BadResponse(f"{source}: answer over the {cap} cap ({seen}; [sources] max_response_mb)")


def _raise_for_status(response: httpx.Response, source: str) -> None:
    """``_Retryable`` for a 429 or 5xx, ``BadResponse`` for a 418 (a ban) or another 4xx."""
    status = response.status_code
    if status == 429:
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        raise _Retryable(RateLimited(f"{source}: rate limited (HTTP 429)"), wait)
    if status == 418:
        raise BadResponse(f"{source}: {banned(response.headers.get('Retry-After'))}")
    if status >= 500:
        raise _Retryable(BadResponse(f"{source}: server error (HTTP {status})"))
    if status >= 400:
        raise BadResponse(f"{source}: HTTP {status} for {response.url}")


def banned(retry_after: str | None) -> str:
    """How a 418 is reported: the IP is banned (Binance: for ignoring 429s), until when if
    the server said."""
    wait = retry_after_seconds(retry_after)
    until = f", lifted in {wait:g} s" if wait is not None else ""
    return f"IP banned by the server (HTTP 418{until}); not retried"


def expect_list(body: Any, source: str, what: str) -> list[Any]:
    """``body`` if it is a list, else ``BadResponse`` naming what was expected."""
    if not isinstance(body, list):
        raise BadResponse(f"{source}: expected a list of {what}, got {type(body).__name__}")
    return body


def ms(ts: pd.Timestamp) -> int:
    """A timestamp as integer milliseconds since the epoch."""
    return int(ts.value // 1_000_000)
