"""The liquidation collector: Binance and Bybit liquidation streams (ccxt.pro) into the store.

``normalise`` turns one liquidation, as ccxt.pro delivers it (``info`` holds the exchange's own
message), into a ``LiquidationEvent`` whose ``liquidated_side`` means the same everywhere:
Binance's ``S`` is the side of the liquidation *order* (SELL closes a long), Bybit's
``allLiquidation`` ``S`` is the side of the liquidated *position* (Buy means a long).
``record`` appends events idempotently; ``run_collector`` is the long-lived loop around them.
``recorded_liquidations`` turns what was recorded into the snapshot's hourly buckets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from errors import BadResponse, SourceError
from settings import Settings
from sources.base import Context, Request
from store import Store, open_store
from store.history import LiquidationEvent, append_events, event_buckets

EXCHANGES = ("binance", "bybit")
SOURCE = "Binance and Bybit liquidation streams (recorded)"
"""How the snapshot cites liquidation buckets summed from the recorded events."""


def normalise(exchange: str, liquidation: dict[str, Any]) -> LiquidationEvent:
    """One ccxt.pro liquidation (or the raw message in its ``info``) as a normalised event."""
    info = liquidation.get("info", liquidation)
    try:
        if exchange.startswith("binance"):
            order = info["o"] if isinstance(info.get("o"), dict) else info
            long_closed = str(order["S"]).upper() == "SELL"
            price, amount = float(order["ap"]), float(order.get("z") or order["l"])
            symbol, time_ms = str(order["s"]), int(order["T"])
        elif exchange == "bybit":
            long_closed = str(info["S"]).lower() == "buy"
            price, amount = float(info["p"]), float(info["v"])
            symbol, time_ms = str(info["s"]), int(info["T"])
        else:
            raise BadResponse(f"no liquidation normaliser for {exchange}")
    except (KeyError, TypeError, ValueError) as exc:
        raise BadResponse(f"{exchange}: malformed liquidation message ({exc})") from None
    asset = symbol.removesuffix("USDT").removesuffix("USDC")
    side = "long" if long_closed else "short"
    return LiquidationEvent(exchange, symbol, asset, time_ms, side, price, amount, price * amount)


def record(store: Store, exchange: str, liquidations: Iterable[dict[str, Any]]) -> int:
    """Normalise and append a batch; return how many events were new."""
    return append_events(store, [normalise(exchange, liq) for liq in liquidations])


def recorded_liquidations(
    store: Store, asset: str, since: pd.Timestamp | None, now: pd.Timestamp
) -> pd.DataFrame:
    """Hourly ``long_usd``/``short_usd`` of the events recorded for ``asset`` in complete hours
    from ``since`` (None: all) to ``now``: zero in hours without events between the first and
    the newest recorded one, nothing outside them (that is not known). ``SourceError`` when
    nothing was recorded."""
    end = now.floor("h")
    start = pd.Timestamp(0, tz="UTC") if since is None else since
    buckets = event_buckets(store, asset, start, end)
    if buckets.empty:
        raise SourceError(f"{SOURCE}: no {asset} liquidations recorded (run `generate.py collect`)")
    hours = pd.date_range(buckets["time"].iloc[0], buckets["time"].iloc[-1], freq="h")
    filled = buckets.set_index("time").reindex(hours, fill_value=0.0)
    return filled.rename_axis("time").reset_index()


class RecordedLiquidations:
    """The ``Source`` of liquidations summed from the events ``collect`` recorded."""

    name = SOURCE
    venues = tuple(e.capitalize() for e in EXCHANGES)
    datasets = ("liquidations",)
    fallback = "recorded"

    def __init__(self, store: Store, url: str) -> None:
        self.store, self.url = store, url

    async def fetch(self, request: Request) -> pd.DataFrame:
        """The recorded hours within the request's depth (the store is the history)."""
        return recorded_liquidations(self.store, request.code, request.since, request.now)


def provider(ctx: Context) -> RecordedLiquidations:
    """Provider of the recorded liquidations (in the history store)."""
    return RecordedLiquidations(ctx.store, str(ctx.settings.store.path))


async def collect(
    store: Store,
    exchanges: dict[str, Any],
    symbols: list[str],
    progress: Callable[[str], None],
    *,
    batches: int | None = None,
) -> int:
    """Watch every exchange's liquidations and store them; stop after ``batches`` (tests)."""
    total = 0

    async def watch(name: str, exchange: Any) -> None:
        nonlocal total
        done = 0
        while batches is None or done < batches:
            batch = await exchange.watch_liquidations_for_symbols(symbols)
            new = record(store, name, batch)
            total += new
            done += 1
            if new:
                progress(f"{name}: {new} new liquidation(s)")

    await asyncio.gather(*(watch(n, ex) for n, ex in exchanges.items()))
    return total


def run_collector(
    settings: Settings, assets: tuple[str, ...], progress: Callable[[str], None]
) -> int:
    """Run until interrupted (exit code 0 on Ctrl-C)."""
    import ccxt.pro

    quote = settings.sources.quote
    symbols = [f"{a}/{quote}:{quote}" for a in assets]
    store = open_store(settings.store.path)

    async def main() -> None:
        exchanges = {
            "binance": ccxt.pro.binanceusdm(),
            "bybit": ccxt.pro.bybit({"options": {"defaultType": "swap"}}),
        }
        try:
            await collect(store, exchanges, symbols, progress)
        finally:
            for ex in exchanges.values():
                await ex.close()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        progress("collector stopped")
    finally:
        store.close()
    return 0
