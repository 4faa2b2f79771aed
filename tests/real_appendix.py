"""The appendix checks of tests/test_real_claims.py: the table of every fact at the end of the
rendered note (``templates/_appendix.html``), read row by row.

``rows`` parses the table; ``table_problems`` checks it against facts.json (one row per fact,
in the fact's asset group, with its sources and time); ``VALUES`` reads the reading of a row of
the facts whose figures are recomputed here from the raw CSVs (with the raw series of
``tests.real_claims.Reader``, never with ``analysis``) and says what is wrong with each figure
as displayed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tests.conftest import SHARED
from tests.real_claims import (
    DAY_MONTH,
    NAMES,
    OVERBOUGHT,
    OVERSOLD,
    PCT,
    PRICE,
    RATE,
    USD,
    WHO,
    Reader,
    amount,
    lead_problems,
    moment,
    shows,
    span,
)
from tests.real_notes import DAY, HOUR, plain, raw_accounts, raw_fear_greed, raw_open_interest

GROUPS = {"BTC": "Bitcoin", "ETH": "Ether", None: "Across assets"}
"""The heading of each asset's group of rows."""
IN_STEP_PP = 0.15
"""docs/settings.md ``relative_in_step_pp``: 24-hour changes this close read as in step."""


@dataclass(frozen=True)
class Row:
    """One row of the appendix table, as displayed."""

    key: str
    """The fact's key, from the row's ``data-fact``."""
    group: str
    label: str
    reading: str
    sources: str
    time: str
    """The ``datetime`` of the row's time."""
    time_text: str
    spans: tuple[str, ...]
    """The ``data-fact`` of each figure in the reading."""


ROW = re.compile(r"<tr\b([^>]*)>(.*?)</tr>", re.S)
CELL = re.compile(r"<(th|td)\b[^>]*>(.*?)</\1>", re.S)


def rows(html: str) -> list[Row]:
    """The rows of the appendix's table of facts, in order."""
    table = html.index('<table class="facts">', html.index('class="appendix"'))
    start, end = html.index("</thead>", table), html.index("</table>", table)
    group, out = "", []
    for m in ROW.finditer(html, start, end):
        attrs, inner = m.groups()
        cells = [c[2] for c in CELL.finditer(inner)]
        if 'class="group"' in attrs:
            group = plain(cells[0])
            continue
        key = re.search(r'data-fact="([^"]+)"', attrs)
        when = re.fullmatch(r'\s*<time datetime="([^"]+)">([^<]*)</time>\s*', cells[-1])
        assert key is not None and len(cells) == 4 and when is not None, m[0]
        label, reading, sources = (plain(c) for c in cells[:3])
        spans = tuple(re.findall(r'<span data-fact="([^"]+)"', cells[1]))
        out.append(Row(key[1], group, label, reading, sources, when[1], when[2], spans))
    return out


def fact_key(fact: dict[str, Any]) -> str:
    """A facts.json fact's key, as the note's ``data-fact`` names it."""
    return f"{fact['asset'] or 'market'}:{fact['id']}"


def english(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def table_problems(table: list[Row], facts: list[dict[str, Any]]) -> list[str]:
    """What is wrong with the table against facts.json: every fact in exactly one row (and
    no other row), in its asset's group, its figures traced to it, with its sources and
    its time as facts.json gives them."""
    said, real = Counter(r.key for r in table), Counter(fact_key(f) for f in facts)
    problems = [f"{k}: {said[k]} rows" for k in sorted(said | real) if said[k] != 1 or real[k] != 1]
    by_key = {fact_key(f): f for f in facts}
    for row in table:
        fact = by_key.get(row.key)
        if fact is None:
            continue
        when = pd.Timestamp(fact["as_of"])
        shown = f"{when.day} {when:%b}, {when:%H:%M} UTC"
        checks = {
            "group": (row.group, GROUPS[fact["asset"]]),
            "sources": (row.sources, english(fact["sources"])),
            "time": ((row.time, row.time_text), (fact["as_of"], shown)),
            "figures": (set(row.spans) - {row.key}, set()),
        }
        problems += [f"{row.key}: {k} {a!r}, not {b!r}" for k, (a, b) in checks.items() if a != b]
    return problems


# --- the recomputed readings -------------------------------------------------------------------

WINDOW = (
    r"(?:over the past 24 hours|in the 24 hours to (?P<time>\d\d:\d\d) UTC on "
    rf"(?P<day>{DAY_MONTH}))"
)

Check = Callable[[Reader, str, re.Match[str]], list[str]]


def _last(r: Reader, asset: str, m: re.Match[str]) -> list[str]:
    now = float(r.fine(asset).iloc[-1])
    return [] if shows(m["p"], now) else [f"the price is {now}"]


def _change(back: pd.Timedelta) -> Check:
    def check(r: Reader, asset: str, m: re.Match[str]) -> list[str]:
        x = r.change(asset, back)
        ok = shows(m["pct"] or "0.0%", x) and (m["way"] is None or (m["way"] == "up") == (x > 0))
        return _last(r, asset, m) + ([] if ok else [f"the change is {x:.3f} %"])

    return check


def _ath(r: Reader, asset: str, m: re.Match[str]) -> list[str]:
    """The highest high of every closed candle, the day its candle closed in, and (``pct``)
    how far the price is below it."""
    highs = r.highs(asset)
    ath = float(highs.max())
    at = pd.Timestamp(highs.index[int(np.argmax(highs.to_numpy()))])
    problems = [] if shows(m["ath"], ath) else [f"the record is {ath}"]
    on = m.groupdict().get("on")
    if on and (at - pd.Timedelta(minutes=1)).tz_convert(None).normalize() != span(on, r.as_of)[0]:
        problems.append(f"the record was set in the candle closing at {at}")
    if m.groupdict().get("pct"):
        x = (ath - float(r.fine(asset).iloc[-1])) / ath * 100
        problems += [] if shows(m["pct"], x) else [f"the price is {x:.3f} % below it"]
    return problems


def _funding(r: Reader, asset: str, m: re.Match[str]) -> list[str]:
    rates = r.rates(asset)
    pct = float(rates.iloc[-1]) * 100
    hours = (rates.index[-1] - rates.index[-2]) / HOUR
    problems = [] if shows(m["rate"], pct) else [f"the latest rate is {pct:+.5f} %"]
    if int(m["h"]) != hours or not shows(m["year"], pct * 24 / hours * 365):
        problems.append(f"{hours:g} hours apart, {pct * 24 / hours * 365:.2f} % a year")
    if (m["rate"][0] == "+") != (pct > 0):
        problems.append("the sign")
    return problems


def _oi(r: Reader, asset: str, m: re.Match[str]) -> list[str]:
    """Binance's open interest at the latest CoinGlass hour (and ``pct``: its change from the
    hour 24 hours before)."""
    oi = raw_open_interest(SHARED)
    oi = oi[oi.index <= r.as_of]
    if asset != "BTC" or oi.empty or r.as_of - oi.index[-1] > 2 * HOUR:
        return ["no open interest at as-of"]
    now = float(oi.iloc[-1])
    problems = [] if shows(m["usd"], now) else [f"open interest is {now:.0f}"]
    if m.groupdict().get("pct"):
        ref = oi[oi.index <= oi.index[-1] - DAY]
        gap = math.inf if ref.empty else (oi.index[-1] - DAY - ref.index[-1]) / HOUR
        x = (now / float(ref.iloc[-1]) - 1) * 100 if gap <= 1 else math.nan
        if not shows(m["pct"], x) or (x > 0) != (m["verb"] == "rose"):
            problems.append(f"it changed {x:.3f} % in 24 hours")
    return problems


def _liquidated(r: Reader, asset: str, m: re.Match[str]) -> list[str]:
    """The 24 hours of CoinGlass buckets to the window's end: the total, one side or the
    shorts' share, on the venues of the period's file."""
    end = r.as_of if m["time"] is None else moment(m["time"], m["day"], r.as_of)
    window, problems = r.window(asset, end)
    if window.empty:
        return problems
    total = float(window.to_numpy().sum())
    said = m.groupdict()
    usd = float(window[f"{said['side']}_usd"].sum()) if said.get("side") else total
    if not shows(m["usd"], usd):
        problems.append(f"{usd:.0f} liquidated")
    if said.get("share") and not shows(m["share"], float(window["short_usd"].sum()) / total * 100):
        problems.append(f"shorts were {window['short_usd'].sum() / total:.3f} of it")
    if said.get("venues"):
        venues = r.period.liquidation_venues
        real = "on Binance" if venues == ("Binance",) else "across Binance, OKX and Bybit"
        problems += [] if m["venues"] == real else [f"the data cover {real}"]
    return problems


def _last_hour(r: Reader, asset: str, m: re.Match[str]) -> list[str]:
    raw = r.buckets(asset)
    if raw is None or r.period.liquidations != "1h":
        return ["no hourly liquidations"]
    starts = pd.DatetimeIndex(raw.index)
    done = raw[starts + HOUR <= r.as_of]
    start = pd.Timestamp(done.index[-1])
    usd = float(done.iloc[-1].sum())
    problems = [] if shows(m["usd"], usd) else [f"the latest hour saw {usd:.0f}"]
    if (m["a"], m["b"]) != (f"{start:%H:%M}", f"{start + HOUR:%H:%M}"):
        problems.append(f"the latest hour began at {start}")
    if start + HOUR < r.as_of - 2 * HOUR:
        problems.append("the latest hour is stale")
    return problems


def _accounts(r: Reader, asset: str, m: re.Match[str]) -> list[str]:
    acc = raw_accounts(SHARED)
    acc = acc[acc.index <= r.as_of]
    if asset != "BTC" or acc.empty:
        return ["no account ratio"]
    return [] if shows(m["pct"], float(acc.iloc[-1])) else [f"{acc.iloc[-1]:.2f} % net long"]


def _fear_greed(r: Reader, asset: str, m: re.Match[str]) -> list[str]:
    fg = raw_fear_greed(SHARED)
    fg = fg[fg.index <= r.as_of]
    now = fg.iloc[-1]
    problems = []
    if not shows(m["v"], float(now["value"])) or m["c"] != now["classification"]:
        problems.append(f"the index read {now['value']} ({now['classification']})")
    week = fg[fg.index == fg.index[-1] - 7 * DAY]
    change = float(now["value"]) - float(week["value"].iloc[0]) if len(week) else math.nan
    if m["verb"] or m["same"]:
        sign, n = {"up": 1, "down": -1}.get(m["verb"], 0), int(m["n"] or 0)
        if np.sign(change) != sign or n != abs(change):
            problems.append(f"it moved {change:+.0f} points in a week")
    return problems


def _dollar(r: Reader, asset: str, m: re.Match[str]) -> list[str]:
    return r.dollar_day(m[0], m)


def _rsi(r: Reader, asset: str, m: re.Match[str]) -> list[str]:
    rsi, _ = r.rsi_at(asset)
    zone = "overbought" if rsi >= OVERBOUGHT else "oversold" if rsi <= OVERSOLD else "neutral"
    ok = shows(m["rsi"], rsi) and m["zone"] == zone
    return [] if ok else [f"the RSI is {rsi:.2f}, {zone}"]


def _relative(r: Reader, asset: str, m: re.Match[str]) -> list[str]:
    """The gap of the 24-hour (seven-day) changes: a lead of at least 0.15 pp (``led`` when
    the leader rose), else in step."""
    back = DAY if "24 hours" in (m["win"], m["w2"]) else 7 * DAY
    change = {a: r.change(a, back) for a in ("BTC", "ETH")}
    if m["lead"] is None:
        gap = change["ETH"] - change["BTC"]
        return [] if abs(gap) < IN_STEP_PP else [f"the gap is {gap:.3f} pp"]
    return lead_problems(change, NAMES[m["lead"]], NAMES[m["other"]], m["gap"], m["verb"])


def _outlook(r: Reader, asset: str, m: re.Match[str]) -> list[str]:
    """The support of the What to watch bullet, if the note has one for ``asset``, and the
    next test beyond the price (``Reader.outlook_level``: the round level or the recomputed
    cluster); ``r`` has read the note's prose."""
    up = m["way"] == "holds above"
    last = float(r.fine(asset).iloc[-1])
    want, at = r.outlook_level(asset, "above" if up else "below", last, 0.0, behind=False)
    kind, said = ("cluster", m["c"]) if m["c"] else ("round", m["r"])
    ok = kind == want and shows(said, at) and (kind == "round" or (m["k"] == "short") == up)
    problems = [] if ok else [f"the next test is the {want} one at {at:.2f}"]
    support = r.supports.get(asset)
    if support is not None and not shows(m["s"], support):
        problems.append(f"What to watch says {support:g} to hold (or stay under)")
    if (last > amount(m["s"])) != up:
        problems.append(f"the price ({last}) is on the other side of the support")
    return problems


VALUES: dict[str, tuple[str, Check]] = {
    "price.last": (rf"{WHO} trades at (?P<p>{PRICE})", _last),
    "price.change_24h_pct": (
        rf"{WHO} is (?:(?P<way>up|down) (?P<pct>{PCT})|unchanged) over 24 hours at (?P<p>{PRICE})",
        _change(DAY),
    ),
    "price.change_7d_pct": (
        rf"{WHO} is (?:(?P<way>up|down) (?P<pct>{PCT})|unchanged) over seven days at "
        rf"(?P<p>{PRICE})",
        _change(7 * DAY),
    ),
    "price.ath": (
        rf"{WHO}'s all-time high stands at (?P<ath>{PRICE}), set on (?P<on>{DAY_MONTH} \d{{4}})",
        _ath,
    ),
    "price.pct_below_ath": (
        rf"{WHO} trades (?P<pct>{PCT}) below its all-time high of (?P<ath>{PRICE})",
        _ath,
    ),
    "funding.rate": (
        rf"{WHO} funding stands at (?P<rate>{RATE}) per (?P<h>\d+)-hour interval, "
        rf"(?P<year>{RATE}) annualised",
        _funding,
    ),
    "open_interest.usd": (rf"{WHO} open interest on Binance stands at (?P<usd>{USD})", _oi),
    "open_interest.change_24h_pct": (
        rf"{WHO} open interest (?P<verb>rose|fell) (?P<pct>{PCT}) over 24 hours to (?P<usd>{USD})",
        _oi,
    ),
    "liquidations.total_24h_usd": (
        rf"{WHO} liquidations (?P<venues>on Binance|across Binance, OKX and Bybit) totalled "
        rf"(?P<usd>{USD}) {WINDOW}",
        _liquidated,
    ),
    "liquidations.long_24h_usd": (
        rf"{WHO} (?P<side>long) liquidations came to (?P<usd>{USD}) {WINDOW}",
        _liquidated,
    ),
    "liquidations.short_24h_usd": (
        rf"{WHO} (?P<side>short) liquidations came to (?P<usd>{USD}) {WINDOW}",
        _liquidated,
    ),
    "liquidations.short_share_24h": (
        rf"Shorts made up (?P<share>\d+%) of the (?P<usd>{USD}) of {WHO} positions "
        rf"liquidated {WINDOW}",
        _liquidated,
    ),
    "liquidations.total_1h_usd": (
        rf"{WHO} liquidations came to (?P<usd>{USD}) in the latest hour, "
        r"(?P<a>\d\d:\d\d)\u2013(?P<b>\d\d:\d\d) UTC",
        _last_hour,
    ),
    "positioning.long_pct": (
        rf"The share of {WHO} accounts net long stands at (?P<pct>\d+%)",
        _accounts,
    ),
    "sentiment.fear_greed": (
        r"The Crypto Fear & Greed index is at (?P<v>\d+) \(\u201c(?P<c>[^\u201d]+)\u201d\)"
        r"(?:, (?P<verb>up|down) (?P<n>\d+) points? in a week|, (?P<same>unchanged) in a week)?",
        _fear_greed,
    ),
    "macro.dxy": (
        rf"The US Dollar Index (?P<verb>rose|fell) (?P<pct>{PCT}) to (?P<close>[\d.]+) on "
        rf"(?P<day>{DAY_MONTH})",
        _dollar,
    ),
    "momentum.rsi_14": (
        rf"{WHO}'s daily RSI is (?P<zone>neutral|overbought|oversold) at (?P<rsi>[\d.]+)",
        _rsi,
    ),
    "cross.relative_24h": (
        r"(?:(?P<lead>Bitcoin|Ether) (?P<verb>led|held up best) over (?P<win>24 hours), "
        r"(?P<gap>[\d.]+) pp ahead of (?P<other>Bitcoin|Ether)|No asset clearly led over "
        r"(?P<w2>24 hours); Ether moved in step with Bitcoin)",
        _relative,
    ),
    "cross.relative_7d": (
        r"(?:(?P<lead>Bitcoin|Ether) (?P<verb>led|held up best) over (?P<win>seven days), "
        r"(?P<gap>[\d.]+) pp ahead of (?P<other>Bitcoin|Ether)|No asset clearly led over "
        r"(?P<w2>seven days); Ether moved in step with Bitcoin)",
        _relative,
    ),
    "outlook.levels": (
        rf"While {WHO} (?P<way>holds above|stays below) (?P<s>{PRICE}), the next test is "
        rf"(?:the (?P<r>{PRICE}) level|the estimated cluster of (?P<k>short|long) liquidations "
        rf"near (?P<c>{PRICE}))",
        _outlook,
    ),
}
"""The readings recomputed: each fact's wording (without the final stop) and its check."""


def value_problems(reader: Reader, row: Row) -> list[str] | None:
    """What is wrong with the figures of ``row`` (None: its fact is not recomputed here); a
    reading its fact's wording does not match is wrong."""
    asset, _, fact = row.key.partition(":")
    if fact not in VALUES:
        return None
    pattern, check = VALUES[fact]
    m = re.fullmatch(pattern, row.reading.rstrip("."))
    if m is None:
        return [f"unread: {row.reading!r}"]
    return check(reader, asset, m)
