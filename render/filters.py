"""Every conversion of a number or a time to text. Templates format only through these.

All filters are pure functions of their arguments. Numbers may be ints or floats (JSON
values); times may be ISO-8601 strings (``2026-11-23``, ``2026-11-23T08:00:00Z``),
``datetime`` or ``pd.Timestamp``; naive times mean UTC and aware ones are shown in UTC.

Notes:
(1) Negative numbers use the real minus sign U+2212, and a value that rounds to zero never
    shows a sign (no ``−0.0%``).
(2) The few filters that choose a word by a number's sign (:func:`move`) or by recency
    (:func:`since`, :func:`days_ahead`) live here, not in templates, so that templates hold
    no comparisons.
(3) A few filters arrange rather than format (:func:`glance`, :func:`traced`,
    :func:`gap_groups`, :func:`charts_in`): they select, mark or place what the note already
    holds, never compute a figure, so that templates need no arithmetic, ordering
    comparisons or fact ids for layout either. (What is said, in which order and grouping,
    comes arranged in the story: ``analysis.narrative``.)
(4) Dataset names come from the dataset registry (``datasets.py``), so that templates hold
    no table of datasets.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date as _date
from datetime import datetime
from itertools import groupby
from typing import Any, NamedTuple, TypeAlias

import pandas as pd
from markupsafe import Markup, escape

from datasets import DATASETS
from models import ChartRef, DataGap, Fact
from values import fact_of

Number: TypeAlias = int | float
When: TypeAlias = str | datetime | _date | pd.Timestamp

MINUS = "\u2212"
"""The minus sign used for negative numbers."""
NBSP = "\u00a0"
"""No-break space, between a number and a unit word (``1.5 pp``) so they never part."""

ASSET_NAMES: Mapping[str, str] = {"BTC": "Bitcoin", "ETH": "Ether"}
"""Reader-facing names of asset codes; other codes are shown as they are."""


def _fixed(x: Number, n: int, *, grouped: bool = False) -> tuple[str, str]:
    """``x`` rounded to ``n`` decimals as (sign, digits); the sign is "" when it rounds to 0.

    A NaN or infinite value is a bug upstream, never something to print: it raises.
    """
    if isinstance(x, bool) or not math.isfinite(x):
        raise ValueError(f"not a finite number: {x!r}")
    digits = f"{abs(x):,.{n}f}" if grouped else f"{abs(x):.{n}f}"
    rounds_to_zero = float(f"{abs(x):.{n}f}") == 0.0
    return ("" if x >= 0 or rounds_to_zero else MINUS), digits


def number(x: Number, n: int = 0) -> str:
    """``x`` with ``n`` decimals and thousands separators: ``1,234.5``, ``−0.25``."""
    sign, digits = _fixed(x, n, grouped=True)
    return sign + digits


def usd(x: Number, decimals: int | None = None) -> str:
    """A US-dollar amount: ``$123,456`` from 1,000 up, ``$4.08`` below (or ``decimals``)."""
    if decimals is None:
        decimals = 0 if abs(x) >= 1000 else 2
    sign, digits = _fixed(x, decimals, grouped=True)
    return f"{sign}${digits}"


_COMPACT = ((1e3, "K"), (1e6, "M"), (1e9, "B"), (1e12, "T"))


def usd_compact(x: Number) -> str:
    """A large US-dollar amount in short form: ``$12.5K``, ``$345M``, ``$1.2B``.

    Three significant figures at most (one decimal below 100 of the unit, none above);
    amounts under $1,000 are shown in full by :func:`usd`.
    """
    if abs(x) < 1000:
        return usd(x)
    sign = MINUS if x < 0 else ""
    for base, suffix in _COMPACT:
        scaled = abs(x) / base
        text = f"{scaled:.1f}"
        if float(text) >= 100:
            text = f"{scaled:.0f}"
        if float(text) < 1000 or suffix == _COMPACT[-1][1]:
            return f"{sign}${text}{suffix}"
    raise AssertionError("unreachable")  # pragma: no cover


def pct(x: Number, n: int = 1) -> str:
    """A percentage given in percent (2.345 → ``2.3%``); negative values get a minus sign."""
    return number(x, n) + "%"


def signed_pct(x: Number, n: int = 1) -> str:
    """A percentage change with its sign: ``+2.3%``, ``−1.2%``, ``0.0%``."""
    text = pct(x, n)
    return text if text.startswith(MINUS) or float(f"{abs(x):.{n}f}") == 0 else "+" + text


def pp(x: Number, n: int = 1, signed: bool = False) -> str:
    """Percentage points: ``1.5 pp``, or ``+1.5 pp`` with ``signed``."""
    text = signed_pct(x, n) if signed else pct(x, n)
    return text[:-1] + NBSP + "pp"


def shown_gap(changes: Mapping[str, Number], asset: str, base: str = "BTC", n: int = 1) -> float:
    """``asset``'s change minus ``base``'s as the reader can subtract them where both are
    shown at ``n`` decimals (the at-a-glance table): 4.64 % against 2.76 % gives 1.8 pp,
    the gap of 4.6 % and 2.8 %, not 1.9 pp."""
    shown = {a: float(f"{changes[a]:.{n}f}") for a in (asset, base)}
    return round(shown[asset] - shown[base], n)


def share(x: Number, n: int = 0) -> str:
    """A share given as a fraction (0-1) in percent: 0.9439 → ``94%``."""
    return pct(x * 100.0, n)


def _size(x: Number, n: int, unit: str) -> str:
    """The size of ``x`` (no sign) in ``unit``: ``%`` (``2.3%``), ``pp`` (``1.5 pp``) or
    ``points`` (``11 points``, ``1 point``)."""
    if unit == "%":
        return pct(abs(x), n)
    if unit == "pp":
        return pp(abs(x), n)
    if unit == "points":
        text = number(abs(x), n)
        return f"{text} {'point' if text == '1' else 'points'}"
    raise ValueError(f"unknown unit: {unit!r}")


def move(
    x: Number, up: str, down: str, flat: str = "unchanged", n: int = 1, unit: str = "%"
) -> str:
    """Pick a phrase by the sign of a change, with ``{}`` replaced by its size.

    ``6.49 | move("gained {}", "lost {}")`` → ``gained 6.5%``; a value that rounds to zero at
    ``n`` decimals gives ``flat``. ``unit``: ``%`` (default), ``pp`` or ``points``.
    """
    if float(f"{abs(x):.{n}f}") == 0:
        return flat.format(_size(0.0, n, unit))
    return (up if x > 0 else down).format(_size(x, n, unit))


_CARDINAL_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def cardinal(n: int) -> str:
    """A count in words up to nine (news style), in digits from 10: ``six``, ``12``."""
    return _CARDINAL_WORDS[n] if 0 <= n < len(_CARDINAL_WORDS) else number(n)


_ORDINAL_WORDS: tuple[str, ...] = ("first", "second", "third", "fourth", "fifth", "sixth")
_ORDINAL_WORDS += ("seventh", "eighth", "ninth")


def ordinal(n: int) -> str:
    """An English ordinal, in words up to nine (news style): ``second``, ``10th``, ``22nd``."""
    if 1 <= n <= len(_ORDINAL_WORDS):
        return _ORDINAL_WORDS[n - 1]
    teens = 10 <= n % 100 <= 20
    return f"{n}{'th' if teens else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def days_ago(n: int) -> str:
    """How long ago, in whole days: ``today``, ``yesterday``, ``14 days ago``."""
    return {0: "today", 1: "yesterday"}.get(n, f"{n} days ago")


def days_ahead(n: int) -> str:
    """How far ahead, in whole days: ``today``, ``tomorrow``, ``in 16 days``."""
    return {0: "today", 1: "tomorrow"}.get(n, f"in {n} days")


def period(days: int, adjective: bool = False) -> str:
    """A span of days in words: ``two weeks`` (``two-week`` as an adjective) for whole weeks,
    ``week`` (``one-week``) for seven days, else ``10 days`` (``10-day``)."""
    weeks, rest = divmod(days, 7)
    if rest:
        return f"{number(days)}-day" if adjective else f"{number(days)} days"
    if adjective:
        return f"{cardinal(weeks)}-week"
    return "week" if weeks == 1 else f"{cardinal(weeks)} weeks"


def _utc(when: When) -> pd.Timestamp:
    ts = pd.Timestamp(when)
    if pd.isna(ts):
        raise ValueError(f"not a time: {when!r}")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def date(when: When) -> str:
    """The UTC calendar date in full: ``23 November 2026``."""
    ts = _utc(when)
    return f"{ts.day} {ts.strftime('%B %Y')}"


def short_date(when: When) -> str:
    """Day and abbreviated month: ``23 Nov``."""
    ts = _utc(when)
    return f"{ts.day} {ts.strftime('%b')}"


def day_month(when: When) -> str:
    """Day and month in full, no year: ``23 November``."""
    ts = _utc(when)
    return f"{ts.day} {ts.strftime('%B')}"


def month_year(when: When) -> str:
    """Month and year: ``February 2026``."""
    return _utc(when).strftime("%B %Y")


def time_utc(when: When) -> str:
    """Clock time in UTC: ``08:00 UTC``."""
    return _utc(when).strftime("%H:%M UTC")


def datetime_utc(when: When) -> str:
    """Date and time in UTC: ``23 November 2026, 08:00 UTC``."""
    return f"{date(when)}, {time_utc(when)}"


def iso_utc(when: When) -> str:
    """Machine-readable UTC time for HTML attributes: ``2026-11-23T08:00:00Z``."""
    return _utc(when).strftime("%Y-%m-%dT%H:%M:%SZ")


def date_range(start: When, end: When) -> str:
    """Two dates as a span: ``2–8 July 2025``, ``28 June – 4 July 2025``, or both in full."""
    a, b = _utc(start), _utc(end)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}\u2013{date(b)}"
    if a.year == b.year:
        return f"{day_month(a)} \u2013 {date(b)}"
    return f"{date(a)} \u2013 {date(b)}"


def since(when: When, as_of: When) -> str:
    """What follows "for the first time since": ``February 2026`` for an earlier month,
    ``10 July`` within the month of ``as_of``."""
    ts, now = _utc(when), _utc(as_of)
    if (ts.year, ts.month) == (now.year, now.month):
        return day_month(ts)
    return month_year(ts)


def day_of(when: When, as_of: When) -> str:
    """A date without its year when it falls in the year of ``as_of``: ``21 November``, else
    in full: ``21 November 2025``."""
    ts = _utc(when)
    return day_month(ts) if ts.year == _utc(as_of).year else date(ts)


def and_list(items: Iterable[object]) -> str:
    """Items joined in English: ``a``, ``a and b``, ``a, b and c``."""
    words = [str(i) for i in items]
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def venues(names: Iterable[str]) -> str:
    """Where the trading a figure covers took place, said after the figure's noun: ``on
    Binance``, ``across Binance, OKX and Bybit``; "" when the data names no venue."""
    words = list(dict.fromkeys(names))
    if not words:
        return ""
    return ("on " if len(words) == 1 else "across ") + and_list(words)


CITED_AS: Mapping[str, str] = {
    "Alternative.me Fear & Greed Index": "Alternative.me",
    "Federal Reserve": "the Federal Reserve's calendar",
}
"""How a sentence cites a few well-known sources after "according to"; any other source
is cited as ``<name> data``."""


def cite(sources: Iterable[str] | str, noun: str = "data") -> str:
    """Source names as cited in a sentence: ``Binance spot and CoinGlass data``.

    Duplicates are dropped, first mention first. Sources in :data:`CITED_AS` are cited by
    their phrase there (``the Federal Reserve's calendar``); in a name of the form "X via Y"
    the noun goes before "via" (``ICE US Dollar Index data via Yahoo Finance``). An empty list
    is an error, since every figure in the note must name where it came from.
    """
    names = [sources] if isinstance(sources, str) else list(dict.fromkeys(sources))
    if not names:
        raise ValueError("a fact must cite at least one source")
    plain = [n for n in names if n not in CITED_AS]
    parts: list[str] = []
    for name in names:
        if name in CITED_AS:
            parts.append(CITED_AS[name])
        elif name == plain[0]:
            parts.append(_with_noun(and_list(plain), noun))
    return and_list(parts)


def _with_noun(names: str, noun: str) -> str:
    """``names`` followed by ``noun``, which goes before a final "via ..." part."""
    head, via, tail = names.rpartition(" via ")
    if via and noun:
        return f"{head} {noun} via {tail}"
    return f"{names} {noun}".strip()


def asset_name(code: str | None) -> str:
    """The reader-facing name of an asset code: BTC → ``Bitcoin``, ETH → ``Ether``."""
    if code is None:
        return "the market"
    return ASSET_NAMES.get(code, code)


def dataset_name(name: str) -> str:
    """The reader-facing name of a snapshot dataset (its registry noun): ``funding`` →
    ``funding rates``."""
    spec = DATASETS.get(name)
    return spec.noun if spec else name.replace("_", " ")


def age(newest: When, as_of: When) -> str:
    """How long before ``as_of`` a time was, in hours under two days, else days: ``42 hours``."""
    hours = int((_utc(as_of) - _utc(newest)).total_seconds() // 3600)
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"


def oneline(text: str) -> str:
    """Whitespace runs (template line breaks) collapsed to single spaces, ends trimmed.

    Markup stays Markup, so an already rendered macro is not escaped twice.
    """
    joined = " ".join(text.split())
    return Markup(joined) if isinstance(text, Markup) else joined


def upper_first(text: str) -> str:
    """The text with its first letter in upper case, the rest untouched (unlike
    ``capitalize``, which would lower ``Fear & Greed``)."""
    return text[:1].upper() + text[1:]


class Glance(NamedTuple):
    """One asset's row of the at-a-glance table: each fact, or None when the note lacks it."""

    last: Fact | None
    """``price.last``."""
    change_24h: Fact | None
    """``price.change_24h_pct``."""
    change_7d: Fact | None
    """``price.change_7d_pct``."""
    below_ath: Fact | None
    """``price.pct_below_ath``."""


def glance(facts: Mapping[str, Fact], asset: str) -> Glance:
    """The facts of ``asset``'s row in the at-a-glance table, from the note's facts by key."""
    ids = ("price.last", "price.change_24h_pct", "price.change_7d_pct", "price.pct_below_ath")
    return Glance(*(fact_of(facts, asset, i) for i in ids))


def by_asset(facts: Iterable[Fact]) -> list[tuple[str | None, list[Fact]]]:
    """``facts`` in runs of one asset each (None: market-wide), in their order."""
    return [(asset, list(run)) for asset, run in groupby(facts, key=lambda f: f.asset)]


FIGURE = re.compile(r"[+\u2212-]?\$?\d[\d,]*(?:\.\d+)?(?::\d\d)?(?:%|[KMBT](?![A-Za-z]))?")
"""A figure in a phrase: a number with its sign, currency, decimals, clock or unit suffix."""
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)|([^<]+)")


def traced(phrase: str, fact: Fact) -> Markup:
    """``phrase`` (a fact's rendered HTML) with each figure wrapped in
    ``<span data-fact="KEY" title="SOURCES, TIME">``: the figure's fact, its sources and time,
    for a reader's hover and for the test that every figure of the prose comes from a fact.
    Figures already inside such a span (another fact's) are left as they are."""
    title = escape(provenance(fact))
    opening = Markup(f'<span data-fact="{escape(fact.key)}" title="{title}">')
    out, depth = [], 0
    for tag, text in _TAG_OR_TEXT.findall(str(phrase)):
        if tag:
            depth += tag.startswith("<span data-fact") - (tag == "</span>" and depth > 0)
            out.append(tag)
        elif depth:
            out.append(text)
        else:
            out.append(FIGURE.sub(lambda m: f"{opening}{m.group(0)}</span>", text))
    return Markup("".join(out))


def provenance(fact: Fact) -> str:
    """Where and when a fact's figures come from: ``Binance spot, 23 November 2026, 08:00
    UTC``."""
    when = fact.evidence.get("time") or fact.as_of
    return f"{', '.join(fact.sources)}, {datetime_utc(str(when))}"


def unstop(text: str) -> Markup:
    """A sentence as a clause: its final full stop removed (markup kept)."""
    body = str(text).rstrip()
    return Markup(body[:-1] if body.endswith(".") else body)


APPENDIX = "appendix"
"""The ``ChartRef.section`` of charts shown only in the appendix (base-rate paths)."""
BLOCK_OF_SECTION: Mapping[str, str] = {"price": "markets", "derivatives": "leverage"}
"""The note section (``analysis.narrative.BLOCKS``) of a chart's ``ChartRef.section``; other
sections keep their name (``macro``)."""


def charts_in(
    charts: Mapping[str, Sequence[ChartRef]],
    shown: Sequence[str] | None,
    block: str,
    blocks: Sequence[str],
) -> list[ChartRef]:
    """The shown charts (``shown``, in its order; None: all) of section ``block`` of the
    note's sections ``blocks``; the last section also takes those whose section is absent.
    Charts of section ``APPENDIX`` never go to the note's sections."""
    refs = {c.name: c for group in charts.values() for c in group if c.section != APPENDIX}
    names = list(refs) if shown is None else [n for n in shown if n in refs]
    home = {n: BLOCK_OF_SECTION.get(refs[n].section, refs[n].section) for n in names}
    stray = block == blocks[-1] if blocks else False
    return [refs[n] for n in names if home[n] == block or (stray and home[n] not in blocks)]


class GapGroup(NamedTuple):
    """Datasets the note could not use fully, sharing their assets and state: one item of the
    note's "Not covered today" or "Stale data" line."""

    datasets: tuple[str, ...]
    assets: tuple[str | None, ...]
    """Asset codes (None: market-wide datasets)."""
    newest: pd.Timestamp | None
    """When their newest rows became known (stale), None when absent."""


def gap_groups(gaps: Iterable[DataGap], stale: bool) -> list[GapGroup]:
    """The stale gaps (``stale``) or the absent ones, grouped: the datasets lacking, or stale
    up to the same time, for the same assets share an item, in order of first appearance."""
    assets: dict[tuple[str, pd.Timestamp | None], list[str | None]] = {}
    for g in gaps:
        if (g.newest is not None) == stale:
            assets.setdefault((g.dataset, g.newest), []).append(g.asset)
    groups: dict[tuple[tuple[str | None, ...], pd.Timestamp | None], list[str]] = {}
    for (dataset, newest), codes in assets.items():
        groups.setdefault((tuple(codes), newest), []).append(dataset)
    return [GapGroup(tuple(d), codes, newest) for (codes, newest), d in groups.items()]


FILTERS: Mapping[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        and_list,
        age,
        asset_name,
        by_asset,
        cardinal,
        charts_in,
        cite,
        dataset_name,
        date,
        date_range,
        datetime_utc,
        day_month,
        day_of,
        days_ago,
        days_ahead,
        gap_groups,
        glance,
        iso_utc,
        month_year,
        move,
        number,
        oneline,
        ordinal,
        pct,
        period,
        pp,
        provenance,
        share,
        short_date,
        shown_gap,
        signed_pct,
        since,
        time_utc,
        traced,
        unstop,
        upper_first,
        usd,
        usd_compact,
        venues,
    )
}
"""Every filter, by the name templates use."""
