"""Yahoo Finance's chart API (unofficial): the US Dollar Index, DX-Y.NYB, daily closes.

Yahoo stamps a daily bar at the exchange's local midnight; the bar is re-stamped at 00:00 UTC of
that local date, the snapshot's convention for daily rows. Null closes (holidays) are dropped.
"""

from __future__ import annotations

import httpx
import pandas as pd

from errors import BadResponse
from sources.base import Context, Request
from sources.http import Recorder, RetryPolicy, get_json

SOURCE = "ICE US Dollar Index via Yahoo Finance"
SYMBOL = "DX-Y.NYB"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) marketnotes"


async def dxy(
    client: httpx.AsyncClient,
    base_url: str,
    since: int,
    until: int,
    policy: RetryPolicy,
    recorder: Recorder,
) -> pd.DataFrame:
    """Daily closes with ``time`` in [since, until] (ms)."""
    body = await get_json(
        client,
        f"{base_url.rstrip('/')}/v8/finance/chart/{SYMBOL}",
        source=SOURCE,
        policy=policy,
        recorder=recorder,
        params={"period1": since // 1000, "period2": until // 1000, "interval": "1d"},
        headers={"User-Agent": USER_AGENT},
    )
    try:
        result = body["chart"]["result"][0]
        tz = result["meta"].get("exchangeTimezoneName") or "UTC"
        stamps = result.get("timestamp") or []
        closes = result["indicators"]["quote"][0]["close"]
    except (KeyError, IndexError, TypeError):
        raise BadResponse(f"{SOURCE}: unexpected chart shape") from None
    if len(closes) != len(stamps):
        raise BadResponse(f"{SOURCE}: {len(stamps)} timestamps but {len(closes)} closes")
    local = pd.to_datetime(stamps, unit="s", utc=True).tz_convert(tz)
    days = pd.to_datetime(local.strftime("%Y-%m-%d")).tz_localize("UTC")
    frame = pd.DataFrame({"time": days, "close": pd.array(closes, dtype="Float64")})
    frame = frame.dropna().astype({"close": float})
    return frame.drop_duplicates("time", keep="last").reset_index(drop=True)


class Yahoo:
    """The ``Source`` of the US Dollar Index: daily closes since the request's depth in one
    request on a first gather, then only those from its floor (the store holds the rest)."""

    name = SOURCE
    venues = ()
    datasets = ("dxy",)
    fallback = "yahoo"

    def __init__(
        self, client: httpx.AsyncClient, url: str, policy: RetryPolicy, recorder: Recorder
    ) -> None:
        self.client, self.url, self.policy, self.recorder = client, url, policy, recorder

    async def fetch(self, request: Request) -> pd.DataFrame:
        """Daily closes from the floor, else the depth (``[sources] macro_since``), to now."""
        since = request.start or 0
        return await dxy(self.client, self.url, since, request.until, self.policy, self.recorder)


def provider(ctx: Context) -> Yahoo:
    """Provider of the US Dollar Index from Yahoo Finance."""
    return Yahoo(ctx.client, ctx.settings.sources.yahoo_url, ctx.policy, ctx.recorder)
