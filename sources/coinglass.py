"""CoinGlass API v4: hourly liquidation totals aggregated across exchanges (needs an API key)."""

from __future__ import annotations

from typing import Any

import httpx
import pandas as pd

from errors import BadResponse
from sources.base import Context, Request
from sources.http import Recorder, RetryPolicy, expect_list, get_json

SOURCE = "CoinGlass"
PAGE = 1000
HOUR_MS = 3_600_000


class CoinGlassSource:
    """The ``Source`` of liquidations summed over ``exchanges``:
    ``/api/futures/liquidation/aggregated-history`` with the ``CG-API-KEY`` header."""

    name = SOURCE
    datasets = ("liquidations",)
    fallback = "auto"

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        api_key: str,
        exchanges: str,
        policy: RetryPolicy,
        recorder: Recorder,
    ) -> None:
        self.client, self.base, self.key = client, base_url.rstrip("/"), api_key
        self.exchanges, self.policy, self.recorder = exchanges, policy, recorder
        self.url = base_url
        self.venues = tuple(e.strip() for e in exchanges.split(",") if e.strip())

    async def fetch(self, request: Request) -> pd.DataFrame:
        """Hourly buckets from the request's start (the depth, else the first) to now."""
        return await self.liquidations(request.code, request.start or 0, request.until)

    async def liquidations(self, asset: str, since: int, until: int) -> pd.DataFrame:
        """Hourly ``long_usd``/``short_usd`` for buckets starting in [since, until), paged
        forward until now or an empty page."""
        rows: list[dict[str, Any]] = []
        start = since
        while start < until:
            body = await get_json(
                self.client,
                f"{self.base}/api/futures/liquidation/aggregated-history",
                source=SOURCE,
                policy=self.policy,
                recorder=self.recorder,
                params={
                    "exchange_list": self.exchanges,
                    "symbol": asset,
                    "interval": "1h",
                    "limit": PAGE,
                    "start_time": start,
                    "end_time": until - 1,
                },
                headers={"CG-API-KEY": self.key, "accept": "application/json"},
            )
            if not isinstance(body, dict) or str(body.get("code")) != "0":
                msg = body.get("msg") if isinstance(body, dict) else body
                raise BadResponse(f"{SOURCE}: error answer ({msg})")
            page = expect_list(body.get("data"), SOURCE, "liquidation buckets")
            if not page:
                break
            rows.extend(page)
            newest = _time(page[-1])
            if newest < start:
                break  # not moving forward: a server ignoring start_time
            start = newest + HOUR_MS  # a short page may be truncated: ask on to now
        try:
            frame = pd.DataFrame(
                {
                    "time": pd.to_datetime([int(r["time"]) for r in rows], unit="ms", utc=True),
                    "long_usd": [float(r["aggregated_long_liquidation_usd"]) for r in rows],
                    "short_usd": [float(r["aggregated_short_liquidation_usd"]) for r in rows],
                }
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BadResponse(f"{SOURCE}: unexpected row shape ({exc})") from None
        return frame.drop_duplicates("time").reset_index(drop=True)


def _time(bucket: Any) -> int:
    try:
        return int(bucket["time"])
    except (KeyError, TypeError, ValueError):
        raise BadResponse(f"{SOURCE}: bucket without a time: {str(bucket)[:100]}") from None


def provider(ctx: Context) -> CoinGlassSource | None:
    """Provider of CoinGlass liquidations; None without an API key."""
    cfg = ctx.settings.sources
    key = ctx.settings.secret(cfg.coinglass_key_env)
    if not key:
        return None
    return CoinGlassSource(
        ctx.client, cfg.coinglass_url, key, cfg.coinglass_exchanges, ctx.policy, ctx.recorder
    )
