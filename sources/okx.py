"""OKX public liquidation orders (about the last day), normalised and bucketed by hour.

OKX's ``side`` is the side of the liquidation *order*: ``buy`` closes (liquidates) a short,
``sell`` a long. ``posSide`` (long/short mode) names the position directly and wins when set.
USD per order = ``sz`` (contracts) · ``ctVal`` (base per contract, from the instruments list) ·
``bkPx`` (bankruptcy price).

Only what the orders prove is published: hours are bucketed (zero where nothing happened) from
the start of the day OKX keeps up to the hour of the newest order, never beyond it (an answer
stuck hours ago, or empty, is not a quiet market: the staleness check then marks the rows stale,
and stale liquidations are not published at all). Pages are followed until an empty one or the
start of the window, never stopping at a short page (a truncated page is not the start).
"""

from __future__ import annotations

from typing import Any

import httpx
import pandas as pd

from errors import BadResponse
from sources.base import Context, Request
from sources.http import Recorder, RetryPolicy, expect_list, get_json, ms

SOURCE = "OKX"
PAGE = 100
KEPT = pd.Timedelta(days=1)
"""How far back OKX keeps liquidation orders."""


def liquidated_side(order: dict[str, Any]) -> str:
    """``long`` or ``short``: which position an OKX liquidation order closed."""
    pos = str(order.get("posSide", "")).lower()
    if pos in ("long", "short"):
        return pos
    side = str(order.get("side", "")).lower()
    if side not in ("buy", "sell"):
        raise BadResponse(f"{SOURCE}: liquidation order with side {side!r}")
    return "short" if side == "buy" else "long"


class OkxSource:
    """The ``Source`` of liquidations of ``<ASSET>-USDT`` perpetual swaps on OKX (the last
    day)."""

    name = SOURCE
    venues = ("OKX",)
    datasets = ("liquidations",)
    fallback = "auto"

    def __init__(
        self, client: httpx.AsyncClient, base_url: str, policy: RetryPolicy, recorder: Recorder
    ) -> None:
        self.client, self.base, self.policy, self.recorder = client, base_url, policy, recorder
        self.url = base_url

    async def fetch(self, request: Request) -> pd.DataFrame:
        """OKX keeps about a day: from the floor or a day ago, whichever is later."""
        day = ms(request.now - KEPT)
        return await self.liquidations(request.code, max(day, request.floor or 0), request.until)

    async def _get(self, path: str, params: dict[str, str | int]) -> list[Any]:
        body = await get_json(
            self.client,
            self.base.rstrip("/") + path,
            source=SOURCE,
            policy=self.policy,
            recorder=self.recorder,
            params=params,
        )
        if not isinstance(body, dict) or str(body.get("code")) != "0":
            msg = body.get("msg") if isinstance(body, dict) else body
            raise BadResponse(f"{SOURCE}: error answer ({msg})")
        return expect_list(body.get("data"), SOURCE, "records")

    async def contract_size(self, asset: str) -> float:
        """``ctVal``: base units per contract of the asset's USDT swap."""
        inst = f"{asset}-USDT-SWAP"
        data = await self._get("/api/v5/public/instruments", {"instType": "SWAP", "instId": inst})
        if not data or "ctVal" not in data[0]:
            raise BadResponse(f"{SOURCE}: no instrument {inst}")
        return float(data[0]["ctVal"])

    async def liquidations(self, asset: str, since: int, until: int) -> pd.DataFrame:
        """Hourly ``long_usd``/``short_usd`` of the orders in [since, until): every complete
        hour up to the newest order's (zeros included)."""
        ct = await self.contract_size(asset)
        orders: list[dict[str, Any]] = []
        after = until
        while True:
            params: dict[str, str | int] = {
                "instType": "SWAP",
                "uly": f"{asset}-USDT",
                "state": "filled",
                "limit": PAGE,
                "after": after,
            }
            data = await self._get("/api/v5/public/liquidation-orders", params)
            details = [d for item in data for d in item.get("details", [])]
            if not details:
                break
            orders.extend(details)
            oldest = min(_ts(d) for d in details)
            if oldest < since or oldest >= after:
                break
            after = oldest
        if not orders:
            raise BadResponse(
                f"{SOURCE}: no {asset} liquidation orders in the last day (an empty answer is "
                "not known to mean none)"
            )
        complete = pd.Timestamp(until, unit="ms", tz="UTC").floor("h") - pd.Timedelta(hours=1)
        newest = pd.Timestamp(max(_ts(o) for o in orders), unit="ms", tz="UTC").floor("h")
        return bucket_hourly(orders, ct, since, min(newest, complete))


def _ts(order: dict[str, Any]) -> int:
    try:
        return int(order["ts"])
    except (KeyError, TypeError, ValueError):
        raise BadResponse(
            f"{SOURCE}: liquidation order without a time: {str(order)[:100]}"
        ) from None


def provider(ctx: Context) -> OkxSource:
    """Provider of OKX liquidations."""
    cfg = ctx.settings.sources
    return OkxSource(ctx.client, cfg.okx_url, ctx.policy, ctx.recorder)


def bucket_hourly(
    orders: list[dict[str, Any]], contract_size: float, since: int, last: pd.Timestamp
) -> pd.DataFrame:
    """Orders summed into hourly buckets from ``since`` (ms) to the one starting at ``last``,
    zero where none happened."""
    hours = pd.date_range(pd.Timestamp(since, unit="ms", tz="UTC").ceil("h"), last, freq="h")
    sums = {t: {"long": 0.0, "short": 0.0} for t in hours}
    for order in orders:
        try:
            t = pd.Timestamp(int(order["ts"]), unit="ms", tz="UTC").floor("h")
            usd = float(order["sz"]) * contract_size * float(order["bkPx"])
        except (KeyError, TypeError, ValueError):
            raise BadResponse(f"{SOURCE}: malformed liquidation order {order}") from None
        if t in sums:
            sums[t][liquidated_side(order)] += usd
    return pd.DataFrame(
        {
            "time": hours,
            "long_usd": [sums[t]["long"] for t in hours],
            "short_usd": [sums[t]["short"] for t in hours],
        }
    )
