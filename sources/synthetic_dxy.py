"""A synthetic US Dollar Index from ECB reference rates (Frankfurter), with the ICE weights.

The fallback when Yahoo fails. ICE's formula, written with every rate as units per USD:
``DXY = 50.14348112 · EUR^0.576 · JPY^0.136 · GBP^0.119 · CAD^0.091 · SEK^0.042 · CHF^0.036``.
It tracks the real index closely but is not it, so its source name says "synthetic".
"""

from __future__ import annotations

import math

import httpx
import pandas as pd

from errors import BadResponse
from sources.base import Context, Request
from sources.http import Recorder, RetryPolicy, get_json

SOURCE = "DXY (synthetic: ICE weights on ECB rates via Frankfurter)"
ICE_CONSTANT = 50.14348112
ICE_WEIGHTS: dict[str, float] = {
    "EUR": 0.576,
    "JPY": 0.136,
    "GBP": 0.119,
    "CAD": 0.091,
    "SEK": 0.042,
    "CHF": 0.036,
}
"""Exponent of each currency's rate in units per USD."""
EPOCH = pd.Timestamp("1999-01-04", tz="UTC")
"""The first ECB reference rates: the start of a synthetic index without a depth."""


def ice_dxy(rates: dict[str, float]) -> float:
    """The ICE formula on one day's rates (units per USD)."""
    return ICE_CONSTANT * math.prod(float(rates[c] ** w) for c, w in ICE_WEIGHTS.items())


async def synthetic_dxy(
    client: httpx.AsyncClient,
    base_url: str,
    since: pd.Timestamp,
    until: pd.Timestamp,
    policy: RetryPolicy,
    recorder: Recorder,
) -> pd.DataFrame:
    """Daily synthetic DXY closes from ``since`` to ``until`` (dates, UTC)."""
    span = f"{since:%Y-%m-%d}..{until:%Y-%m-%d}"
    body = await get_json(
        client,
        f"{base_url.rstrip('/')}/{span}",
        source=SOURCE,
        policy=policy,
        recorder=recorder,
        params={"from": "USD", "to": ",".join(ICE_WEIGHTS)},
    )
    try:
        rates = body["rates"]
        days = sorted(rates)
        values = [ice_dxy({c: float(rates[d][c]) for c in ICE_WEIGHTS}) for d in days]
    except (KeyError, TypeError, ValueError) as exc:
        raise BadResponse(f"{SOURCE}: unexpected shape ({exc})") from None
    times = pd.to_datetime(days).tz_localize("UTC")
    return pd.DataFrame({"time": times, "close": values})


class SyntheticDxy:
    """The ``Source`` of a synthetic US Dollar Index, the fallback of Yahoo's."""

    name = SOURCE
    venues = ()
    datasets = ("dxy",)
    fallback = "synthetic"

    def __init__(
        self, client: httpx.AsyncClient, url: str, policy: RetryPolicy, recorder: Recorder
    ) -> None:
        self.client, self.url, self.policy, self.recorder = client, url, policy, recorder

    async def fetch(self, request: Request) -> pd.DataFrame:
        """Daily values from the depth (``[sources] macro_since``) to now."""
        since = request.since if request.since is not None else EPOCH
        return await synthetic_dxy(
            self.client, self.url, since, request.now, self.policy, self.recorder
        )


def provider(ctx: Context) -> SyntheticDxy:
    """Provider of the synthetic US Dollar Index (ECB rates via Frankfurter)."""
    url = ctx.settings.sources.frankfurter_url
    return SyntheticDxy(ctx.client, url, ctx.policy, ctx.recorder)
