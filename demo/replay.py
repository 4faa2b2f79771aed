"""The demo market in each live API's own wire format, answering requests like the real APIs.

``ReplayData.build(scenario)`` renders the seeded scenario once into the native JSON rows of
every endpoint the live gatherer calls (Binance spot and USDⓈ-M, OKX, CoinGlass v4,
Alternative.me, Yahoo's chart API, Frankfurter). ``ReplayData.respond(path, query, headers)``
answers one GET the way the real API would, honouring its paging parameters (``startTime``,
``endTime``, ``limit``, OKX's ``after``/``before`` cursors, ``period1``/``period2``), so a gather
pages across several responses. The HTTP server around it lives in ``devtools/replay_server.py``.

Numbers are rendered with the snapshot's column formats, so a gather of the replay writes the
same CSV cells as ``demo/snapshot`` and the brief's facts are the same.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from demo.generator import HOURLY_DAYS
from demo.scenario import Scenario, build_scenario
from sources.synthetic_dxy import ICE_CONSTANT, ICE_WEIGHTS

JSONBody = Any
"""A JSON-serialisable response body."""

DEPTHS: dict[str, int] = {
    "hourly_days": HOURLY_DAYS,
    "funding_days": 0,
    "derivatives_days": HOURLY_DAYS,
}
"""The ``[sources]`` history depths at which a first gather fetches all the replay holds (the
demo snapshot's: a year of hourly tables, funding since the perpetual's first settlement)."""
_FIXED_FX = {"JPY": 150.0, "GBP": 1 / 1.27, "CAD": 1.38, "SEK": 10.5, "CHF": 0.88}
"""Units of each currency per USD, held constant in the replay; EUR carries the DXY's moves."""
CONTRACT_SIZE = {"BTC": 0.01, "ETH": 0.1}
"""OKX ``ctVal`` of the ``<ASSET>-USDT-SWAP`` contracts."""
_DATE_SPAN = re.compile(r"/\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}")
"""Frankfurter's time-series path: ``/2026-01-01..2026-11-20``."""
YAHOO_OPEN = pd.Timedelta(hours=5)
"""Yahoo stamps a daily bar at the exchange's local midnight (New York, 05:00Z in winter)."""


def _ms(times: pd.Series) -> list[int]:
    return [int(t.value // 1_000_000) for t in pd.DatetimeIndex(times).as_unit("ns")]


def _fmt(values: pd.Series, spec: str) -> list[str]:
    return [format(v, spec) for v in values.tolist()]


@dataclass
class Table:
    """Rows of one endpoint (and symbol), ascending by ``times`` (ms)."""

    times: list[int]
    rows: list[Any]

    def window(
        self, start: int | None, end: int | None, limit: int, *, newest_first: bool = False
    ) -> list[Any]:
        """Binance semantics: from ``start`` forward, else the newest ``limit`` up to ``end``."""
        lo = 0 if start is None else bisect.bisect_left(self.times, start)
        hi = len(self.times) if end is None else bisect.bisect_right(self.times, end)
        if hi <= lo:
            return []
        if start is not None:
            picked = self.rows[lo : min(hi, lo + limit)]
        else:
            picked = self.rows[max(lo, hi - limit) : hi]
        return list(reversed(picked)) if newest_first else list(picked)


@dataclass
class ReplayData:
    """Every endpoint's rows, keyed by (path, symbol)."""

    scenario_as_of: pd.Timestamp
    assets: tuple[str, ...]
    tables: dict[tuple[str, str], Table] = field(default_factory=dict)

    @classmethod
    def build(cls, scenario: Scenario | None = None) -> ReplayData:
        """Render ``scenario`` (default: the seeded demo market) into native rows."""
        sc = scenario or build_scenario()
        data = cls(sc.as_of, tuple(sc.assets))
        for asset, frames in sc.assets.items():
            sym = f"{asset}USDT"
            data.tables[("klines_1d", sym)] = _klines(frames.candles_1d, pd.Timedelta(days=1))
            data.tables[("klines_1h", sym)] = _klines(frames.candles_1h, pd.Timedelta(hours=1))
            # the perpetual trades at the spot's prices (the demo market has no basis)
            data.tables[("perp_klines_1d", sym)] = data.tables[("klines_1d", sym)]
            data.tables[("perp_klines_1h", sym)] = data.tables[("klines_1h", sym)]
            data.tables[("fundingRate", sym)] = _funding(sym, frames.funding)
            data.tables[("openInterestHist", sym)] = _open_interest(
                sym, frames.open_interest, frames.candles_1h
            )
            data.tables[("globalLongShortAccountRatio", sym)] = _long_short(sym, frames.long_short)
            data.tables[("coinglass", asset)] = _coinglass(frames.liquidations)
            data.tables[("okx", asset)] = _okx(asset, frames.liquidations, frames.candles_1h)
        data.tables[("fng", "")] = _fear_greed(sc.fear_greed)
        data.tables[("yahoo", "DX-Y.NYB")] = _yahoo(sc.dxy)
        data.tables[("frankfurter", "")] = _frankfurter(sc.dxy)
        return data

    def tail(self, days: int) -> ReplayData:
        """The same market cut to its last ``days`` days (quick tests that need no history)."""
        cut = int((self.scenario_as_of - pd.Timedelta(days=days)).value // 1_000_000)
        tables = {}
        for key, table in self.tables.items():
            lo = bisect.bisect_left(table.times, cut)
            tables[key] = Table(table.times[lo:], table.rows[lo:])
        return ReplayData(self.scenario_as_of, self.assets, tables)

    def respond(
        self, path: str, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[int, JSONBody]:
        """(status, JSON body) of one GET, as the real API would answer it."""
        if _DATE_SPAN.fullmatch(path):
            return self._frankfurter(path, query, headers)
        for prefix, handler in self._routes().items():
            if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
                return handler(path, query, headers)
        return 404, {"msg": f"no such path {path}"}

    def _routes(
        self,
    ) -> dict[str, Callable[[str, Mapping[str, str], Mapping[str, str]], tuple[int, JSONBody]]]:
        return {
            "/api/v3/exchangeInfo": lambda p, q, h: (200, self._exchange_info(spot=True)),
            "/fapi/v1/exchangeInfo": lambda p, q, h: (200, self._exchange_info(spot=False)),
            "/api/v3/klines": self._klines,
            "/fapi/v1/klines": lambda p, q, h: self._binance(
                f"perp_klines_{q.get('interval', '')}", q, 500, 1500
            ),
            "/fapi/v1/fundingRate": lambda p, q, h: self._binance("fundingRate", q, 100, 1000),
            "/futures/data/openInterestHist": lambda p, q, h: self._binance(
                "openInterestHist", q, 30, 500
            ),
            "/futures/data/globalLongShortAccountRatio": lambda p, q, h: self._binance(
                "globalLongShortAccountRatio", q, 30, 500
            ),
            "/api/v5/public/liquidation-orders": self._okx,
            "/api/v5/public/instruments": self._okx_instruments,
            "/api/futures/liquidation/aggregated-history": self._coinglass,
            "/fng/": self._fng,
            "/v8/finance/chart/": self._yahoo,
        }

    def _exchange_info(self, *, spot: bool) -> JSONBody:
        symbols = []
        for asset in self.assets:
            row: dict[str, Any] = {
                "symbol": f"{asset}USDT",
                "status": "TRADING",
                "baseAsset": asset,
                "quoteAsset": "USDT",
                "baseAssetPrecision": 8,
                "quotePrecision": 8,
                "quoteAssetPrecision": 8,
                "orderTypes": ["LIMIT", "MARKET"],
                "filters": [],
            }
            if spot:
                row |= {"isSpotTradingAllowed": True, "permissions": ["SPOT"]}
            else:
                row |= {
                    "pair": f"{asset}USDT",
                    "contractType": "PERPETUAL",
                    "marginAsset": "USDT",
                    "pricePrecision": 2,
                    "quantityPrecision": 3,
                    "onboardDate": 1569398400000,
                    "deliveryDate": 4133404800000,
                    "timeInForce": ["GTC"],
                }
            symbols.append(row)
        return {"timezone": "UTC", "serverTime": 0, "symbols": symbols}

    def _klines(
        self, path: str, q: Mapping[str, str], h: Mapping[str, str]
    ) -> tuple[int, JSONBody]:
        return self._binance(f"klines_{q.get('interval', '')}", q, 500, 1000)

    def _binance(
        self, name: str, q: Mapping[str, str], default: int, cap: int
    ) -> tuple[int, JSONBody]:
        table = self.tables.get((name, q.get("symbol", "")))
        if table is None:
            return 400, {"code": -1121, "msg": "Invalid symbol."}
        limit = min(int(q.get("limit", default)), cap)
        start, end = _opt_int(q, "startTime"), _opt_int(q, "endTime")
        return 200, table.window(start, end, limit)

    def _okx(self, path: str, q: Mapping[str, str], h: Mapping[str, str]) -> tuple[int, JSONBody]:
        family = q.get("uly") or q.get("instFamily") or ""
        table = self.tables.get(("okx", family.split("-")[0]))
        if table is None or q.get("instType") != "SWAP":
            return 200, {"code": "51000", "msg": "Parameter instFamily error", "data": []}
        limit = min(int(q.get("limit", 100)), 100)
        after, before = _opt_int(q, "after"), _opt_int(q, "before")
        end = None if after is None else after - 1
        start = None if before is None else before + 1
        details = table.window(start, end, limit, newest_first=True)
        body = {"instFamily": family, "instType": "SWAP", "uly": family, "details": details}
        return 200, {"code": "0", "msg": "", "data": [body]}

    def _okx_instruments(
        self, path: str, q: Mapping[str, str], h: Mapping[str, str]
    ) -> tuple[int, JSONBody]:
        inst = q.get("instId", "")
        asset = inst.split("-")[0]
        if asset not in CONTRACT_SIZE:
            return 200, {"code": "51001", "msg": "Instrument ID does not exist", "data": []}
        row = {"instId": inst, "instType": "SWAP", "ctVal": str(CONTRACT_SIZE[asset])}
        return 200, {"code": "0", "msg": "", "data": [row | {"ctValCcy": asset}]}

    def _coinglass(
        self, path: str, q: Mapping[str, str], h: Mapping[str, str]
    ) -> tuple[int, JSONBody]:
        if not {k.lower() for k in h} & {"cg-api-key"}:
            return 401, {"code": "401", "msg": "API key missing"}
        table = self.tables.get(("coinglass", q.get("symbol", "")))
        if table is None or q.get("interval") != "1h":
            return 200, {"code": "400", "msg": "symbol or interval not supported", "data": None}
        limit = min(int(q.get("limit", 1000)), 1000)
        rows = table.window(_opt_int(q, "start_time"), _opt_int(q, "end_time"), limit)
        return 200, {"code": "0", "msg": "success", "data": rows}

    def _fng(self, path: str, q: Mapping[str, str], h: Mapping[str, str]) -> tuple[int, JSONBody]:
        table = self.tables[("fng", "")]
        limit = int(q.get("limit", 1)) or len(table.rows)
        rows = table.window(None, None, limit, newest_first=True)
        return 200, {"name": "Fear and Greed Index", "data": rows, "metadata": {"error": None}}

    def _yahoo(self, path: str, q: Mapping[str, str], h: Mapping[str, str]) -> tuple[int, JSONBody]:
        symbol = path.rsplit("/", 1)[-1]
        table = self.tables.get(("yahoo", symbol))
        if table is None:
            err = {"code": "Not Found", "description": "No data found, symbol may be delisted"}
            return 404, {"chart": {"result": None, "error": err}}
        p1, p2 = _opt_int(q, "period1"), _opt_int(q, "period2")
        rows = table.window(
            None if p1 is None else p1 * 1000, None if p2 is None else p2 * 1000, 10**9
        )
        meta = {
            "currency": "USD",
            "symbol": symbol,
            "exchangeName": "NYB",
            "exchangeTimezoneName": "America/New_York",
            "regularMarketPrice": rows[-1][1] if rows else None,
        }
        quote = {
            "open": [r[1] for r in rows],
            "high": [r[1] for r in rows],
            "low": [r[1] for r in rows],
            "close": [r[1] for r in rows],
            "volume": [0 for _ in rows],
        }
        result = {
            "meta": meta,
            "timestamp": [r[0] // 1000 for r in rows],
            "indicators": {"quote": [quote]},
        }
        return 200, {"chart": {"result": [result], "error": None}}

    def _frankfurter(
        self, path: str, q: Mapping[str, str], h: Mapping[str, str]
    ) -> tuple[int, JSONBody]:
        span = path.rsplit("/", 1)[-1]
        try:
            first, last = (pd.Timestamp(d, tz="UTC") for d in span.split(".."))
        except ValueError:
            return 422, {"message": "invalid date range"}
        table = self.tables[("frankfurter", "")]
        rows = table.window(int(first.value // 10**6), int(last.value // 10**6), 10**9)
        rates = {day: fx for day, fx in rows}
        body = {"amount": 1.0, "base": q.get("from", "EUR"), "rates": rates}
        return 200, body | {"start_date": span.split("..")[0], "end_date": span.split("..")[-1]}


def _opt_int(q: Mapping[str, str], key: str) -> int | None:
    value = q.get(key)
    return None if value in (None, "") else int(str(value))


def _klines(frame: pd.DataFrame, interval: pd.Timedelta) -> Table:
    times = _ms(frame["time"])
    step = int(interval.value // 1_000_000)
    o, hi, lo, c = (_fmt(frame[k], ".2f") for k in ("open", "high", "low", "close"))
    vol = _fmt(frame["volume"], ".4f")
    quote = _fmt(frame["volume"] * frame["close"], ".4f")
    taker = _fmt(frame["volume"] * 0.5, ".4f")
    taker_q = _fmt(frame["volume"] * frame["close"] * 0.5, ".4f")
    rows = [
        [
            t,
            o[i],
            hi[i],
            lo[i],
            c[i],
            vol[i],
            t + step - 1,
            quote[i],
            1000,
            taker[i],
            taker_q[i],
            "0",
        ]
        for i, t in enumerate(times)
    ]
    return Table(times, rows)


def _funding(sym: str, frame: pd.DataFrame) -> Table:
    times = _ms(frame["time"])
    rates = _fmt(frame["rate"], ".8f")
    rows = [
        {"symbol": sym, "fundingTime": t, "fundingRate": r, "markPrice": ""}
        for t, r in zip(times, rates, strict=True)
    ]
    return Table(times, rows)


def _open_interest(sym: str, frame: pd.DataFrame, candles: pd.DataFrame) -> Table:
    times = _ms(frame["time"])
    price = candles.set_index("time")["close"].reindex(frame["time"]).ffill().bfill()
    value = _fmt(frame["oi_usd"], ".2f")
    amount = _fmt(frame["oi_usd"] / price.to_numpy(), ".3f")
    rows = [
        {
            "symbol": sym,
            "sumOpenInterest": amount[i],
            "sumOpenInterestValue": value[i],
            "timestamp": t,
        }
        for i, t in enumerate(times)
    ]
    return Table(times, rows)


def _long_short(sym: str, frame: pd.DataFrame) -> Table:
    times = _ms(frame["time"])
    rows = []
    for t, pct in zip(times, frame["long_pct"].tolist(), strict=True):
        long_ = round(pct / 100, 4)
        short = round(1 - long_, 4)
        rows.append(
            {
                "symbol": sym,
                "longShortRatio": format(long_ / short, ".4f"),
                "longAccount": format(long_, ".4f"),
                "shortAccount": format(short, ".4f"),
                "timestamp": t,
            }
        )
    return Table(times, rows)


def _coinglass(frame: pd.DataFrame) -> Table:
    times = _ms(frame["time"])
    rows = [
        {
            "time": t,
            "aggregated_long_liquidation_usd": float(format(lg, ".2f")),
            "aggregated_short_liquidation_usd": float(format(sh, ".2f")),
        }
        for t, lg, sh in zip(
            times, frame["long_usd"].tolist(), frame["short_usd"].tolist(), strict=True
        )
    ]
    return Table(times, rows)


def _okx(asset: str, liq: pd.DataFrame, candles: pd.DataFrame) -> Table:
    """OKX's own share (a tenth) of the last day's liquidations, one order per side per hour."""
    last = liq[liq["time"] >= liq["time"].iloc[-1] - pd.Timedelta(hours=23)]
    price = candles.set_index("time")["close"]
    ct = CONTRACT_SIZE.get(asset, 1.0)
    times: list[int] = []
    rows: list[dict[str, str]] = []
    for t, lg, sh in zip(last["time"], last["long_usd"], last["short_usd"], strict=True):
        px = float(price.get(t, price.iloc[-1]))
        base = int(t.value // 1_000_000)
        for offset, usd, side, pos in (
            (600_000, lg, "sell", "long"),
            (1_800_000, sh, "buy", "short"),
        ):
            sz = round(usd * 0.1 / (ct * px))
            if sz <= 0:
                continue
            times.append(base + offset)
            rows.append(
                {
                    "bkLoss": "0",
                    "bkPx": format(px, ".2f"),
                    "ccy": "",
                    "posSide": pos,
                    "side": side,
                    "sz": str(sz),
                    "ts": str(base + offset),
                }
            )
    return Table(times, rows)


def _fear_greed(frame: pd.DataFrame) -> Table:
    times = _ms(frame["time"])
    rows = [
        {"value": str(int(v)), "value_classification": c, "timestamp": str(t // 1000)}
        for t, v, c in zip(
            times, frame["value"].tolist(), frame["classification"].tolist(), strict=True
        )
    ]
    return Table(times, rows)


def _yahoo(frame: pd.DataFrame) -> Table:
    times = _ms(frame["time"] + YAHOO_OPEN)
    closes = [float(format(c, ".3f")) for c in frame["close"].tolist()]
    return Table(times, [[t, c] for t, c in zip(times, closes, strict=True)])


def _frankfurter(frame: pd.DataFrame) -> Table:
    """USD-based ECB rates whose ICE formula gives the demo DXY (EUR carries every move)."""
    rest = ICE_CONSTANT
    for ccy, fx in _FIXED_FX.items():
        rest *= fx ** ICE_WEIGHTS[ccy]
    times = _ms(frame["time"])
    rows = []
    for t, dxy in zip(times, frame["close"].tolist(), strict=True):
        eur = (dxy / rest) ** (1 / ICE_WEIGHTS["EUR"])
        rates = {"EUR": round(eur, 6)} | {k: round(v, 6) for k, v in _FIXED_FX.items()}
        day = pd.Timestamp(t, unit="ms").strftime("%Y-%m-%d")
        rows.append((day, rates))
    return Table(times, rows)


def dumps(body: JSONBody) -> bytes:
    """The body as compact JSON bytes."""
    return json.dumps(body, separators=(",", ":")).encode()
