"""Alternative.me's Crypto Fear & Greed Index (daily, newest first, every value a string)."""

from __future__ import annotations

import httpx
import pandas as pd

from errors import BadResponse
from sources.base import Context, Request
from sources.http import Recorder, RetryPolicy, expect_list, get_json

SOURCE = "Alternative.me Fear & Greed Index"


async def fear_greed(
    client: httpx.AsyncClient, base_url: str, days: int, policy: RetryPolicy, recorder: Recorder
) -> pd.DataFrame:
    """The last ``days`` daily values (0 = all history), oldest first."""
    body = await get_json(
        client,
        base_url.rstrip("/") + "/fng/",
        source=SOURCE,
        policy=policy,
        recorder=recorder,
        params={"limit": days, "format": "json"},
    )
    if not isinstance(body, dict):
        raise BadResponse(f"{SOURCE}: expected an object")
    rows = expect_list(body.get("data"), SOURCE, "index values")
    try:
        frame = pd.DataFrame(
            {
                "time": pd.to_datetime([int(r["timestamp"]) for r in rows], unit="s", utc=True),
                "value": [int(r["value"]) for r in rows],
                "classification": [str(r["value_classification"]) for r in rows],
            }
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BadResponse(f"{SOURCE}: unexpected row shape ({exc})") from None
    return frame.sort_values("time").drop_duplicates("time").reset_index(drop=True)


class AlternativeMe:
    """The ``Source`` of the Fear & Greed index: its whole history in one request on a first
    gather, then only the days from the request's floor (the store holds the rest)."""

    name = SOURCE
    venues = ()
    datasets = ("fear_greed",)
    fallback = "alternative.me"

    def __init__(
        self, client: httpx.AsyncClient, url: str, policy: RetryPolicy, recorder: Recorder
    ) -> None:
        self.client, self.url, self.policy, self.recorder = client, url, policy, recorder

    async def fetch(self, request: Request) -> pd.DataFrame:
        """Every daily value (``limit=0``; the request's window is cut from them by the
        gather), or with a floor the values of the days from it to now (the last ``limit``)."""
        days = 0 if request.floor is None else _days_since(request.floor, request.until)
        return await fear_greed(self.client, self.url, days, self.policy, self.recorder)


def _days_since(floor: int, until: int) -> int:
    """How many daily values reach from ``floor`` to ``until`` (ms), both days included."""
    day_ms = 86_400_000
    return max(1, until // day_ms - floor // day_ms + 1)


def provider(ctx: Context) -> AlternativeMe:
    """Provider of the Fear & Greed index."""
    url = ctx.settings.sources.alternative_me_url
    return AlternativeMe(ctx.client, url, ctx.policy, ctx.recorder)
