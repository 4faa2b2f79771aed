"""Real notes for the claim checks of tests/test_real_claims.py: snapshots of real market data
per period, each note's text, and the raw series parsed straight from ../shared/marketdata.

The snapshot of ``bench.shared_snapshot`` (the ``real_snapshot`` fixture) has one liquidation
file per asset; the periods here swap in the one that covers each as-of (CoinGlass daily
totals, then 4-hour Binance-only buckets, then hourly), add the positioning and open interest
that exist then, and write the venues a gather records into the manifest. The raw series are
read with pandas alone, never through marketnotes' loading or analysis, so that the checks are
independent of the code under test.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from functools import cache
from html import unescape
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import compute_facts
from analysis.narrative import tell
from models import Snapshot
from pipeline import data_gaps, facts_document
from render import NoteContext, render_note
from settings import StaleSettings
from sources import load_snapshot
from sources.calendar import load_fomc

HOUR, DAY = pd.Timedelta(hours=1), pd.Timedelta(days=1)
THREE = ["Binance", "OKX", "Bybit"]


@dataclass(frozen=True)
class Period:
    """Which files cover one span of as-of moments."""

    name: str
    until: pd.Timestamp
    """The last as-of it is used for."""
    liquidations: str
    """``daily``, ``4h`` or ``1h``: the CoinGlass file of the period."""
    hourly: str
    """``spot`` (Binance spot, to 2 November 2025) or ``perp`` (Binance USDⓈ-M, to April 2026)."""
    liquidation_venues: tuple[str, ...]


PERIODS = (
    Period("daily", pd.Timestamp("2024-11-13", tz="UTC"), "daily", "spot", tuple(THREE)),
    Period("4h", pd.Timestamp("2025-11-02", tz="UTC"), "4h", "spot", ("Binance",)),
    Period("1h", pd.Timestamp("2026-04-18", tz="UTC"), "1h", "perp", tuple(THREE)),
)


def period_of(as_of: pd.Timestamp) -> Period:
    """The period whose files cover ``as_of``."""
    return next(p for p in PERIODS if as_of <= p.until)


def _write(frame: pd.DataFrame, times: pd.Series, out: Path, cols: list[str]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    table = frame[cols].copy()
    table.insert(0, "time", pd.to_datetime(times, utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    table.to_csv(out, index=False)


def build_periods(base: Path, out: Path, shared: Path) -> dict[str, Path]:
    """A snapshot per period, from the ``real_snapshot`` at ``base``."""
    made = {}
    for period in PERIODS:
        dst = out / period.name
        shutil.copytree(base, dst)
        manifest = json.loads((dst / "manifest.json").read_text())
        entries = manifest["datasets"]
        for rel in entries:
            entries[rel]["venues"] = [] if "/" not in rel else ["Binance"]
        for rel in [r for r in entries if r.startswith("liquidations/")]:
            (dst / rel).unlink()
            del entries[rel]
        entries |= _liquidations(period, dst, shared)
        if period.name == "4h":
            entries |= _accounts(dst, shared)
        if period.hourly == "perp":
            entries |= _perp_hourly(dst, shared)
            entries |= _open_interest(dst, shared)
        (dst / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
        made[period.name] = dst
    return made


Entry = dict[str, object]
"""A manifest entry: source and venues."""


def _liquidations(period: Period, dst: Path, shared: Path) -> dict[str, Entry]:
    entry: Entry = {"source": "CoinGlass", "venues": list(period.liquidation_venues)}
    written: dict[str, Entry] = {}
    for asset in ("BTC", "ETH"):
        raw = raw_liquidations(shared, period.liquidations, asset)
        if raw is None:
            continue
        frame = raw.reset_index()
        _write(frame, frame["start"], dst / f"liquidations/{asset}.csv", ["long_usd", "short_usd"])
        written[f"liquidations/{asset}.csv"] = entry
    return written


def _accounts(dst: Path, shared: Path) -> dict[str, Entry]:
    name = "api_futures_global_long_short_account_ratio_history_BTCUSDT.csv"
    raw = pd.read_csv(shared / "coinglass_4h_felipeodonnell" / name)
    raw = raw.rename(columns={"global_account_long_percent": "long_pct"})
    # the ratio of the 4-hour bar opening at ``time`` is known at its end
    ends = pd.to_datetime(raw["time"], unit="ms") + 4 * HOUR
    _write(raw, ends, dst / "long_short/BTC.csv", ["long_pct"])
    return {"long_short/BTC.csv": {"source": "CoinGlass", "venues": ["Binance"]}}


def _perp_hourly(dst: Path, shared: Path) -> dict[str, Entry]:
    written: dict[str, Entry] = {}
    for asset in ("BTC", "ETH"):
        raw = pd.read_csv(
            shared / "binance_usdm_perp_luckys4900" / f"{asset}_USDT_USDT_1h_ohlcv.csv"
        )
        cols = ["open", "high", "low", "close", "volume"]
        _write(raw, raw["timestamp"], dst / f"candles_1h/{asset}.csv", cols)
        written[f"candles_1h/{asset}.csv"] = {
            "source": "Binance USD\u24c8-M futures",
            "venues": ["Binance"],
        }
    return written


def _open_interest(dst: Path, shared: Path) -> dict[str, Entry]:
    oi = raw_open_interest(shared).rename("oi_usd").reset_index()
    _write(oi, oi["time"], dst / "open_interest/BTC.csv", ["oi_usd"])
    return {"open_interest/BTC.csv": {"source": "CoinGlass", "venues": ["Binance"]}}


# --- the raw series, parsed here (once per process; callers never change them) -------------


@cache
def raw_daily(shared: Path, asset: str) -> pd.DataFrame:
    """Binance spot daily high, low and close by UTC trading date (naive)."""
    name = {"BTC": "btc_daily.csv", "ETH": "ETHUSDT.csv"}[asset]
    raw = pd.read_csv(shared / "binance_spot_daily_btctree" / name)
    return raw.set_index(pd.to_datetime(raw["date"]))[["high", "low", "close"]]


@cache
def raw_dxy(shared: Path) -> pd.Series:
    """ICE DXY closes by trading date (naive)."""
    raw = pd.read_csv(shared / "dxy_yahoo_kittycapital" / "DXY.csv")
    return pd.Series(raw["Close"].to_numpy(), index=pd.to_datetime(raw["Date"]))


@cache
def raw_hourly(shared: Path, kind: str, asset: str) -> pd.Series:
    """Hourly closes by the candle's close time (UTC): ``spot`` or ``perp`` candles."""
    bars = raw_hourly_bars(shared, kind, asset)
    return pd.Series(bars["close"].to_numpy(), index=pd.DatetimeIndex(bars.index) + HOUR)


@cache
def raw_liquidations(shared: Path, kind: str, asset: str) -> pd.DataFrame | None:
    """CoinGlass long/short USD by bucket start (UTC); None when the file lacks the asset."""
    if kind == "daily":
        raw = pd.read_csv(shared / "coinglass_daily_le1ma1" / "liquidation_agg_1d.csv")
        raw = raw[raw["symbol"] == asset]
        start = pd.to_datetime(raw["ts_utc"], utc=True)
        cols = {"liq_long_usd": "long_usd", "liq_short_usd": "short_usd"}
    elif kind == "4h":
        name = f"api_futures_liquidation_aggregated_coin_history_{asset}.csv"
        raw = pd.read_csv(shared / "coinglass_4h_felipeodonnell" / name)
        start = pd.to_datetime(raw["time"], unit="ms", utc=True)
        cols = {
            "aggregated_long_liquidation_usd": "long_usd",
            "aggregated_short_liquidation_usd": "short_usd",
        }
    else:
        if asset != "BTC":
            return None
        raw = pd.read_csv(
            shared / "coinglass_1h_ismethanhtung" / "coinglass_BTC_liquidation_1h_2y.csv"
        )
        start = pd.to_datetime(raw["timestamp"], unit="ms", utc=True)
        cols = {"longUsd": "long_usd", "shortUsd": "short_usd"}
    frame = raw.rename(columns=cols)[["long_usd", "short_usd"]]
    return frame.set_index(pd.DatetimeIndex(start.to_numpy(), name="start"))


@cache
def raw_open_interest(shared: Path) -> pd.Series:
    """Binance BTCUSDT open interest (USD) at the end of each CoinGlass hour (UTC)."""
    raw = pd.read_csv(shared / "coinglass_1h_ismethanhtung" / "coinglass_BTC_regime_1h_1y.csv")
    ends = pd.to_datetime(raw["timestamp"], unit="ms", utc=True) + HOUR
    return pd.Series(raw["oi_close"].to_numpy(), index=pd.DatetimeIndex(ends, name="time"))


@cache
def raw_funding(shared: Path, asset: str) -> pd.Series:
    """Binance settled funding rates (fractions) by settlement time (UTC)."""
    raw = pd.read_csv(shared / "binance_usdm_perp_luckys4900" / f"{asset}_USDT_USDT_funding.csv")
    return pd.Series(raw["rate"].to_numpy(), index=pd.to_datetime(raw["timestamp"], utc=True))


# --- the note --------------------------------------------------------------------------------


@cache
def _load(path: Path) -> Snapshot:
    """A snapshot, loaded once per test process."""
    return load_snapshot(path)


@dataclass(frozen=True)
class Note:
    """One rendered note: its brief.html and its facts.json, parsed."""

    html: str
    facts: dict[str, Any]


@cache
def note(snapshot: Path, as_of: pd.Timestamp) -> Note:
    """The note at ``as_of`` (its charts left out: they state no claim checked), rendered once
    per test process."""
    snap = _load(snapshot)
    facts = compute_facts(snap, as_of, fomc=load_fomc())
    story = tell(facts, list(snap.assets))
    context = NoteContext(
        as_of=as_of,
        demo=False,
        assets=tuple(snap.assets),
        story=story,
        facts={f.key: f for f in facts},
        charts={},
        sources=tuple(dict.fromkeys(s for f in facts for s in f.sources)),
        gaps=data_gaps(snap, as_of, StaleSettings()),
        snapshot_created_at=snap.created_at,
        generator="marketnotes real-data test",
    )
    doc = facts_document(as_of, snap, facts, "", (), ())
    return Note(render_note(context).html, json.loads(doc))


@cache
def raw_hourly_bars(shared: Path, kind: str, asset: str) -> pd.DataFrame:
    """Hourly open, high, low, close and volume by the candle's open time (UTC): ``spot`` or
    ``perp``."""
    if kind == "spot":
        path = shared / "binance_spot_1h_wanglz111" / f"{asset}USDT_1h.csv"
        raw, column = pd.read_csv(path), "datetime"
    else:
        path = shared / "binance_usdm_perp_luckys4900" / f"{asset}_USDT_USDT_1h_ohlcv.csv"
        raw, column = pd.read_csv(path), "timestamp"
    opens = pd.DatetimeIndex(pd.to_datetime(raw[column], utc=True))
    return raw[["open", "high", "low", "close", "volume"]].set_index(opens)


@cache
def raw_accounts(shared: Path) -> pd.Series:
    """Binance's BTCUSDT share of accounts net long (percent) by the end of its 4-hour bar."""
    name = "api_futures_global_long_short_account_ratio_history_BTCUSDT.csv"
    raw = pd.read_csv(shared / "coinglass_4h_felipeodonnell" / name)
    ends = pd.to_datetime(raw["time"], unit="ms", utc=True) + 4 * HOUR
    return pd.Series(raw["global_account_long_percent"].to_numpy(), index=pd.DatetimeIndex(ends))


@cache
def raw_fear_greed(shared: Path) -> pd.DataFrame:
    """The Fear & Greed index (value, classification) by its date (UTC midnight)."""
    raw = pd.read_csv(shared / "fear_greed_alternative_me" / "fng.csv")
    when = pd.DatetimeIndex(pd.to_datetime(raw["date"], utc=True))
    return raw[["value", "classification"]].set_index(when)


NOTE_BLOCK = re.compile(r"<(h1|h2|p|li)\b([^>]*)>(.*?)</\1>", re.S)


def blocks(html: str) -> list[tuple[str, str]]:
    """The note's prose as (kind, text), in reading order, from the headline to the sources
    line: ``headline``, ``lede``, ``stale``, ``h2`` (a section's title), ``p`` (a section's
    paragraph), ``li`` (a What to watch bullet), ``caveat`` and ``unavailable``. Figures'
    ``<span>`` wrappers are removed without a space, so the text reads as printed."""
    start = html.index("<h1")
    end = html.index('class="sources-line"')
    out = []
    for m in NOTE_BLOCK.finditer(html, start, end):
        tag, attrs, inner = m.groups()
        if "summary" in attrs or "dateline" in attrs:
            continue
        kind = {"h1": "headline"}.get(tag, tag)
        for name in ("lede", "stale", "caveat", "unavailable"):
            if f'class="{name}"' in attrs:
                kind = name
        out.append((kind, plain(inner)))
    return out


def plain(inner: str) -> str:
    """The text of an element's HTML as printed: figures' ``<span>`` wrappers removed without a
    space, other tags as spaces, entities decoded, spaces collapsed."""
    inner = re.sub(r"</?span\b[^>]*>", "", inner)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", inner)).split())
    return re.sub(r"\s+([,.;:)])", r"\1", text)
