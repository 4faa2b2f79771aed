"""Every claim of the rendered note, checked against the raw files on real days.

For each as-of moment of ``MOMENTS`` (records, crashes, extreme fear, quiet ranges, DXY breaks,
2024-2026), the note is rendered from real data (``tests/real_notes.py``: the real snapshot with
each period's liquidation file and venues) and its prose is read as a reader would
(``tests/real_claims.py``): the headline, the lede's clauses, every sentence of the sections
and of What to watch, the stale-data and "Not covered today" lines. Each is found by its
wording (``PATTERNS``) and checked against the CSVs of ../shared/marketdata parsed with pandas
(nothing from ``analysis`` computes a check); a sentence no pattern reads fails
``test_every_sentence_of_the_prose_is_read``. The estimated liquidation clusters What to watch
names (and the round levels it names instead) are checked against the level model recomputed
from the raw candles and open interest (``tests/real_levels.py``).

The appendix's table of every fact is read too (``tests/real_appendix.py``): one row per fact of
facts.json, with its sources and time, and the figures of 20 facts recomputed from the raw files.

Skips, saying why, when ../shared is absent (the ``real_snapshot`` fixture).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from analysis import compute_facts
from models import Fact
from sources import load_snapshot
from tests.conftest import SHARED
from tests.real_appendix import VALUES, Row, fact_key, rows, table_problems, value_problems
from tests.real_claims import (
    DAY_MONTH,
    NAMES,
    PCT,
    PRICE,
    RATE,
    USD,
    WHO,
    Reader,
    amount,
    moment,
    ordinal,
)
from tests.real_notes import blocks, build_periods, note, period_of
from values import PriceLevelBreak

MOMENTS = (
    "2024-03-05T00:00Z",  # Bitcoin's first close above $65,000 since 2021, before the record
    "2024-03-14T00:00Z",  # the March 2024 record high
    "2024-08-05T12:00Z",  # the yen-carry crash, DXY below 104
    "2024-11-06T12:00Z",  # the US election rally
    "2024-11-12T00:00Z",  # records above $80,000, DXY above 105
    "2024-12-05T08:00Z",  # Bitcoin above $100,000 for the first time
    "2025-01-20T12:00Z",  # the inauguration record
    "2025-03-05T00:00Z",  # Ether below $2,200 for the first time since 2023; extreme fear
    "2025-04-07T08:00Z",  # the tariff crash
    "2025-04-12T00:00Z",  # DXY below 100 for the first time since 2023
    "2025-05-09T00:00Z",  # back above $100,000; Ether +20 %
    "2025-05-22T08:00Z",  # the May 2025 record
    "2025-07-14T08:00Z",  # Bitcoin above $120,000 for the first time
    "2025-08-14T00:00Z",  # records for both
    "2025-09-15T12:00Z",  # a quiet range
    "2025-10-06T20:00Z",  # the October record
    "2025-10-11T00:00Z",  # the 10 October crash
    "2025-12-01T08:00Z",  # a Monday sell-off
    "2026-01-24T00:00Z",  # DXY below 98; the week of 'first time since 22 January'
    "2026-02-06T20:00Z",  # the February 2026 capitulation, extreme fear
    "2026-02-07T08:00Z",  # a missing CoinGlass hour (19:00 on 6 February) inside the 24 hours
    "2026-03-10T12:00Z",  # a rebound
    "2024-06-27T00:00Z",  # range-bound: Ether
    "2025-02-24T08:00Z",  # range-bound: Ether's narrowest two weeks since August 2024
    "2025-07-28T08:00Z",  # range-bound: Bitcoin under its July record
    "2025-09-10T08:00Z",  # range-bound: both
    "2025-12-29T08:00Z",  # range-bound: Bitcoin over the holidays
    "2026-01-10T08:00Z",  # DXY above 99 beside a flat Bitcoin: no dollar link, no other history
    "2024-05-21T08:00Z",  # Ether +18 % on the ETF news, Bitcoin back above $70,000
    "2025-01-27T12:00Z",  # the DeepSeek sell-off: two stories, thin sections, background
    "2025-11-04T08:00Z",  # both below round levels, extreme fear: thin sections, background
    "2026-03-25T08:00Z",  # a funding flip in extreme fear, range-bound Ether
)


@pytest.fixture(scope="session")
def periods(real_snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A real snapshot per period of ``tests.real_notes.PERIODS``."""
    return build_periods(real_snapshot, tmp_path_factory.mktemp("periods"), SHARED)


# --- the wordings ------------------------------------------------------------------------------

SIDE = r"(?P<side>above|below)"
EITHER = r"(?:above|below)"
LVL = r"\$(?P<level>[\d,]+)"
DATE = r"\d{1,2} [A-Z][a-z]+ \d{4}"
SINCE = (
    r"(?:since at least (?P<start>[A-Z][a-z]+ \d{4})"
    r"|since (?P<since>(?:\d{1,2} )?[A-Z][a-z]+(?: \d{4})?))"
)
CLOCK = r"\d\d:\d\d"


def _level(r: Reader, m: re.Match[str]) -> None:
    who = NAMES.get(m["who"], "DXY") if "who" in m.groupdict() and m["who"] else "DXY"
    r.level(m[0], who, m["side"], amount(m["level"]), m)


def _held(r: Reader, m: re.Match[str]) -> None:
    r.held(m[0], moment(m["time"], m["day"], r.as_of))


def _range(r: Reader, m: re.Match[str]) -> None:
    r.prior_range(m[0], NAMES[m["who"]], m["side"], m["low"], m["high"], m["day"], m["tail"])
    r.range_dates(m[0], m["dates"], m["day"])


def _ranges(r: Reader, m: re.Match[str]) -> None:
    for asset, low, high in (("BTC", m["l1"], m["h1"]), ("ETH", m["l2"], m["h2"])):
        r.prior_range(m[0], asset, m["side"], low, high, m["day"], m["tail"])


def _trading_range(r: Reader, m: re.Match[str]) -> None:
    r.trading_range(m[0], NAMES[m["who"]], m)


def _trading_ranges(r: Reader, m: re.Match[str]) -> None:
    for n, asset in ((1, "BTC"), (2, "ETH")):
        r.trading_range(m[0], asset, m, n)


def _edges(r: Reader, m: re.Match[str]) -> None:
    r.edges(m[0], NAMES[m["who"]], m)


def _rank(r: Reader, m: re.Match[str]) -> None:
    larger = None if m["prev"] is None else (float(m["prev"]), m["date"])
    r.rank(m[0], NAMES[m["who"]], float(m["gain"]), ordinal(m["rank"] or "first"), larger)


def _record(r: Reader, m: re.Match[str]) -> None:
    r.record(m[0], NAMES[m["who"]], m["usd"])


def _move(r: Reader, m: re.Match[str]) -> None:
    r.move(m[0], NAMES[m["who"]], m["verb"], m["pct"], m["now"])


def _move_rank(r: Reader, m: re.Match[str]) -> None:
    r.move_rank(m[0], NAMES[m["who"]], m)


ONE_RANK = re.compile(
    rf"{WHO} (?:rose|fell) (?P<pct>{PCT}) in 24 hours, its largest daily "
    rf"(?P<what>gain|drop) {SINCE}(?P<on>)?(?P<prev>)?"
)


def _moves(r: Reader, m: re.Match[str]) -> None:
    """Two assets' 24-hour changes in one clause: each checked as its own."""
    for who, pct, now in ((m["w1"], m["p1"], m["n1"]), (m["w2"], m["p2"], m["n2"])):
        r.move(m[0], NAMES[who], m["verb"], pct, now)


def _move_ranks(r: Reader, m: re.Match[str]) -> None:
    """Two assets' 24-hour ranks in one clause ("since X [and Y]"): each checked as the
    one-asset clause it stands for."""
    for who, pct, since in ((m["w1"], m["p1"], m["s1"]), (m["w2"], m["p2"], m["s2"] or m["s1"])):
        one = ONE_RANK.fullmatch(
            f"{who} {m['verb']} {pct} in 24 hours, its largest daily {m['what']} since {since}"
        )
        assert one is not None, since
        r.move_rank(m[0], NAMES[who], one)


def _fizzled(r: Reader, m: re.Match[str]) -> None:
    r.fizzled(m[0], NAMES[m["who"]], m)


def _rebound(r: Reader, m: re.Match[str]) -> None:
    """A 24-hour move against a level the note said was just broken."""
    asset = NAMES[m["who"]]
    r.move(m[0], asset, m["verb"], m["pct"])
    if m["what"]:
        since = f"at least {m['start']}" if m["start"] else m["since"]
        one = ONE_RANK.fullmatch(
            f"{m['who']} {m['verb']} {m['pct']} in 24 hours, its largest daily {m['what']} "
            f"since {since}"
        )
        assert one is not None, since
        r.move_rank(m[0], asset, one)
    said = r.broken.get(asset)
    against = said is not None and (said[1] == "below") == (m["verb"] == "rose")
    r.check("rebound", m[0], [] if against else ["no level broken the other way was said"])


def _squeeze(r: Reader, m: re.Match[str]) -> None:
    end = r.squeeze_end(m["time"], m["day"])
    said = [(m["w1"], m["a"], m["s1"]), (m["w2"], m["b"], m["s2"])]
    if m["each"]:
        said[1] = (m["w2"], m["b"], m["s1"])  # "(95% of each total)": the one share of both
    for who, usd, share in [s for s in said if s[0]]:
        r.squeezed(m[0], NAMES[who], m["side"], usd, share, end)
    if m["venues"]:
        r.venues(m[0], m["venues"].strip())
    if m["crowd"]:
        if m["side2"] != m["side"]:
            r.check("accounts", m[0], ["the crowd is not on the squeezed side"])
        r.crowd(m[0], m["side"], m["crowd"])


def _squeeze_clause(r: Reader, m: re.Match[str]) -> None:
    r.squeezed(m[0], NAMES[m["who"]], m["side"], m["usd"], m["share"], r.as_of)


def _squeeze_headline(r: Reader, m: re.Match[str]) -> None:
    r.squeezed(m[0], NAMES[m["who"]], m["side"], m["usd"], None, r.as_of)


def _squeezed_suffix(r: Reader, m: re.Match[str]) -> None:
    r.any_squeeze(m[0], m["side"])


def _funding(r: Reader, m: re.Match[str]) -> None:
    r.funding(m[0], m)


def _flip(r: Reader, m: re.Match[str]) -> None:
    r.flip(m[0], m)


def _flip_headline(r: Reader, m: re.Match[str]) -> None:
    r.flip_headline(m[0], NAMES[m["who"]], m["to"])


def _oi(r: Reader, m: re.Match[str]) -> None:
    r.open_interest(m[0], m)


def _stretched(r: Reader, m: re.Match[str]) -> None:
    r.rsi(m[0], NAMES[m["who"]], m["rsi"], None, "overbought")
    if not r.new_record(NAMES[m["who"]]):
        r.check("rsi", m[0], ["no record in 24 hours"])


def _rsis(r: Reader, m: re.Match[str]) -> None:
    for asset, value in (("BTC", m["r1"]), ("ETH", m["r2"])):
        r.rsi(m[0], asset, value, m["day"], m["zone"])


def _rsi(r: Reader, m: re.Match[str]) -> None:
    r.rsi(m[0], NAMES[m["who"]], m["rsi"], m["day"], m["zone"])


def _divergence(r: Reader, m: re.Match[str]) -> None:
    r.divergence(m[0], m)


def _macd(r: Reader, m: re.Match[str]) -> None:
    r.macd(m[0], NAMES[m["who"]], m["side"], m["day"], m["state"])


def _dollar(r: Reader, m: re.Match[str]) -> None:
    r.dollar(m[0], m)


def _dollar_day(r: Reader, m: re.Match[str]) -> None:
    r.check("dollar", m[0], r.dollar_day(m[0], m))


def _dollar_way(r: Reader, m: re.Match[str]) -> None:
    r.dollar_way(m[0], m["way"])


def _relative(r: Reader, m: re.Match[str]) -> None:
    r.relative(m[0], m)


def _intraday(r: Reader, m: re.Match[str]) -> None:
    r.intraday(m[0], NAMES[m["who"]], m)


def _below_ath(r: Reader, m: re.Match[str]) -> None:
    r.below_ath(m[0], NAMES[m["who"]], m)


def _below_aths(r: Reader, m: re.Match[str]) -> None:
    r.below_ath(m[0], NAMES[m["who"]], m)
    other = re.search(
        rf"and (?P<who>Bitcoin|Ether) (?P<pct>{PCT}) below its (?P<ath>{PRICE}) record of "
        rf"(?P<on>{DATE})",
        m[0],
    )
    assert other is not None
    r.below_ath(m[0], NAMES[other["who"]], other)


def _volume(r: Reader, m: re.Match[str]) -> None:
    r.volume(m[0], m)


def _steady(r: Reader, m: re.Match[str]) -> None:
    r.steady(m[0], m)


def _accounts(r: Reader, m: re.Match[str]) -> None:
    r.accounts_split(m[0], m)


def _liquidated(r: Reader, m: re.Match[str]) -> None:
    r.liquidated(m[0], m)


def _fear_greed(r: Reader, m: re.Match[str]) -> None:
    r.fear_greed(m[0], m)


def _spike(r: Reader, m: re.Match[str]) -> None:
    r.spike(m[0], m)


def _watch(r: Reader, m: re.Match[str]) -> None:
    r.watch(m[0], m)


def _history(r: Reader, m: re.Match[str]) -> None:
    r.base_rate(m[0], m)


def _fomc(r: Reader, m: re.Match[str]) -> None:
    r.fomc(m[0], m)


def _caveat(r: Reader, m: re.Match[str]) -> None:
    r.caveat = True


def _absent(r: Reader, m: re.Match[str]) -> None:
    r.gaps(m["what"], "absent")


def _stale(r: Reader, m: re.Match[str]) -> None:
    r.gaps(m["what"], "stale")


def _nothing(r: Reader, m: re.Match[str]) -> None:
    """A sentence that states nothing checkable (its claim is read with the one before)."""


Pattern = tuple[str, str, Callable[[Reader, re.Match[str]], None]]
LEVEL_TAIL = rf"(?: \(its last daily close {EITHER} the level was on (?P<on>{DATE})\))?"
RUN_TAIL = rf"(?: \(the last one before them was on (?P<on>{DATE})\))?"
SQUEEZE_WINDOW = (
    rf"(?:in 24 hours|in the 24 hours to (?P<time>{CLOCK}) UTC on (?P<day>{DAY_MONTH}))"
)
RANGE_TAIL = (
    r"(?P<tail>every daily close since has (?:held above|stayed below) (?:it|them)"
    r"|that day's close (?:held above|stayed below) (?:it|them)|no daily "
    r"close has confirmed it yet)"
)
FG_CLASS = r"\u201c(?P<c>[^\u201d]+)\u201d"
TARGET = (
    r"(?P<s{n}>above|below) it, (?:the \$(?P<r{n}>[\d,]+) level"
    r"|estimated (?P<k{n}>short|long) liquidations near \$(?P<c{n}>[\d,]+))"
)

AGAINST = r"\d+% (?:above|below)|in line with|[\d.]+ times"
"""The day's volume against its median: a percent either way, or a multiple from 2."""

SENTENCES: tuple[Pattern, ...] = (
    # level breaks (sections)
    ("level", rf"{WHO} closed {SIDE} {LVL} for the first time {SINCE}{LEVEL_TAIL}", _level),
    (
        "level",
        rf"{WHO} is trading {SIDE} {LVL}, a level it has not closed (?:a "
        rf"day )?{EITHER} {SINCE}(?P<trading>)",
        _level,
    ),
    (
        "level",
        rf"{WHO} has closed {SIDE} {LVL} on (?P<n>\w+) days in a row, the "
        rf"first closes {EITHER} it {SINCE}{RUN_TAIL}",
        _level,
    ),
    (
        "held",
        rf"It has (?:held above|stayed below) the level at every hourly close "
        rf"since (?P<time>{CLOCK}) UTC on (?P<day>{DAY_MONTH})",
        _held,
    ),
    # the prior week's range
    (
        "range",
        rf"{WHO}'s (?:rally|decline) began (?:today|on (?P<day>{DAY_MONTH})) "
        rf"with a break {SIDE} the (?P<low>{PRICE})\u2013(?P<high>{PRICE}) "
        rf"range of the prior week \((?P<dates>[^)]*)\); {RANGE_TAIL}",
        _range,
    ),
    (
        "range",
        rf"Bitcoin and Ether broke {SIDE} their ranges of the prior week "
        rf"\((?P<l1>{PRICE})\u2013(?P<h1>{PRICE}), (?P<l2>{PRICE})\u2013(?P<h2>{PRICE})\) "
        rf"(?:today|on (?P<day>{DAY_MONTH})); {RANGE_TAIL}",
        _ranges,
    ),
    # a range-bound day's range
    (
        "trading range",
        rf"{WHO} has traded between (?P<low1>{PRICE}) and (?P<high1>{PRICE}) over the past two "
        rf"weeks(?:, its narrowest two-week range {SINCE}|(?P<most>, a narrower range than in "
        rf"most two-week spans of the past year))?",
        _trading_range,
    ),
    (
        "trading range",
        rf"Over the past two weeks Bitcoin has traded between (?P<low1>{PRICE}) and "
        rf"(?P<high1>{PRICE}) and Ether between (?P<low2>{PRICE}) and (?P<high2>{PRICE})"
        rf"(?P<most>, narrower ranges than in most two-week spans of the past year)?",
        _trading_ranges,
    ),
    # ranks
    (
        "weekly rank",
        rf"{WHO}'s seven-day gain of (?P<gain>[\d.]+)% (?:is the largest "
        rf"of the past 365 days|ranks as the (?P<rank>\w+)-largest of the "
        rf"past 365 days; the most recent larger one was (?P<prev>[\d.]+)% "
        rf"in the week to (?P<date>{DATE}))",
        _rank,
    ),
    (
        "24h rank",
        rf"{WHO}'s (?P<pct>{PCT}) (?:gain|fall) over the past 24 hours was "
        rf"its largest daily (?P<what>gain|drop) {SINCE}(?:; the last larger "
        rf"one was (?P<prev>{PCT}) on (?P<on>{DATE}))?",
        _move_rank,
    ),
    # the day
    (
        "intraday",
        rf"Since the 00:00 UTC open at (?P<open>{PRICE}), {WHO} has (?P<verb>added|given "
        rf"up) (?P<pct>{PCT})",
        _intraday,
    ),
    (
        "record",
        rf"{WHO} sits (?P<pct>{PCT}) below its record high of (?P<ath>{PRICE}), "
        rf"set on (?P<on>{DATE})",
        _below_ath,
    ),
    (
        "record",
        rf"{WHO} sits (?P<pct>{PCT}) below its record high of (?P<ath>{PRICE}), set on "
        rf"(?P<on>{DATE}), and (?:Bitcoin|Ether) {PCT} below its {PRICE} record of {DATE}",
        _below_aths,
    ),
    (
        "volume",
        rf"(?:(?P<w1>Bitcoin|Ether)'s )?(?P<venue>Binance spot|Binance USD\u24c8-M futures) "
        rf"volume (?:over the past 24 hours|over the 24 hours to (?P<time>{CLOCK}) UTC on "
        rf"(?P<day>{DAY_MONTH})) was (?P<p1>{AGAINST}) its 30-day median(?: for "
        rf"(?P<w1b>Bitcoin|Ether)(?: and (?P<p2>{AGAINST}) (?:it|its median) for "
        rf"(?P<w2>Bitcoin|Ether))?)?",
        _volume,
    ),
    (
        "relative",
        r"(?P<lead>Bitcoin|Ether) (?P<verb>led|held up best) over (?P<win>24 "
        r"hours|seven days), (?P<gap>[\d.]+) pp ahead of (?P<other>Bitcoin|Ether)",
        _relative,
    ),
    # momentum
    (
        "rsi",
        rf"At a 14-day RSI of (?P<rsi>[\d.]+), {WHO} is overbought at its "
        rf"record: stretched rather than over",
        _stretched,
    ),
    (
        "rsi",
        rf"{WHO}'s 14-day RSI stood at (?P<rsi>[\d.]+) at the (?P<day>{DAY_MONTH}) "
        rf"daily close, in (?P<zone>overbought|oversold|neutral) territory(?:, "
        rf"neither overbought nor oversold)?",
        _rsi,
    ),
    (
        "rsi",
        rf"The 14-day RSI stood at (?P<r1>[\d.]+) for Bitcoin and (?P<r2>[\d.]+) for Ether at "
        rf"the (?P<day>{DAY_MONTH}) daily close, both in (?P<zone>overbought|oversold|neutral) "
        rf"territory(?:, neither overbought nor oversold)?",
        _rsis,
    ),
    (
        "divergence",
        rf"(?:A (?P<k1>bearish|bullish) RSI divergence came before {WHO}'s "
        rf"(?P<m1>rally|fall)|(?P<who2>Bitcoin|Ether)'s (?P<m2>rally|fall) "
        rf"came despite a (?P<k2>bearish|bullish) RSI divergence): its close "
        rf"of (?P<close>{PRICE}) on (?P<d2>{DAY_MONTH}) (?P<cmp>topped|undercut) "
        rf"that of (?P<d1>{DAY_MONTH}), but the 14-day RSI made a (?P<rsi_way>lower "
        rf"high|higher low) \((?P<r2>[\d.]+) against (?P<r1>[\d.]+)\)",
        _divergence,
    ),
    (
        "macd",
        rf"{WHO}'s daily MACD \(12, 26, 9\) crossed {SIDE} its signal line "
        rf"on (?P<day>{DAY_MONTH}(?: \d{{4}})?), a (?P<state>bullish|bearish) "
        rf"crossover",
        _macd,
    ),
    # leverage
    (
        "squeeze",
        rf"The moves? came as (?P<a>{USD}) of (?P<w1>Bitcoin|Ether)(?: and "
        rf"(?P<b>{USD}) of (?P<w2>Bitcoin|Ether))? (?P<side>short|long)s "
        rf"were liquidated(?P<venues> on Binance| across Binance, OKX and "
        rf"Bybit)? {SQUEEZE_WINDOW} \((?P<s1>\d+%)(?: and (?P<s2>\d+%))? "
        rf"of (?:the totals?|(?P<each>each total))\)(?:, with (?P<crowd>.+?) accounts on "
        rf"Binance still "
        rf"net (?P<side2>short|long))?",
        _squeeze,
    ),
    (
        "funding",
        rf"(?:Funding for (?P<both>Bitcoin and Ether)|{WHO} funding) (?:flipped "
        rf"(?P<to>positive|negative) on (?P<day>{DAY_MONTH}), after (?P<n>\w+)(?: "
        rf"and (?P<n2>\w+))? (?:positive|negative) settlements, and )?settled "
        rf"at (?P<r1>{RATE})(?: and (?P<r2>{RATE}))? per (?P<h>\d+) hours, "
        rf"(?P<reading>the default rate: longs are not paying up|(?P<a1>{PCT})(?: "
        rf"and (?P<a2>{PCT}))? a year: longs are paying up|under the default "
        rf"rate: longs are paying less than usual|so shorts are paying longs, "
        rf"(?P<b1>{PCT})(?: and (?P<b2>{PCT}))? a year)",
        _funding,
    ),
    (
        "open interest",
        r"Open interest (?P<verb>rose|fell) (?P<body>.+?) as (?:the price|prices) "
        r"(?P<reading>rose: fresh positions into the rally|rose: shorts closing "
        r"rather than new bets|fell: leverage being cut|fell: positions added "
        r"into the decline)",
        _oi,
    ),
    (
        "open interest",
        r"Open interest (?:was little changed on the day \((?P<body>[^)]+)\): leverage "
        r"neither built up nor unwound|(?P<verb>rose|fell) (?P<body2>.+?) on the day while "
        r"(?:the price|prices) held steady: positions (?:trimmed, not added|added, not cut))",
        _steady,
    ),
    (
        "accounts",
        rf"(?:Accounts on Binance were close to evenly divided, with (?P<even>.+?) net long|"
        rf"Most {WHO} accounts on Binance are net (?P<side>long|short) \((?P<pct>\d+%)\), as "
        rf"they have been (?:since (?P<since>{DAY_MONTH})|throughout the available data))",
        _accounts,
    ),
    (
        "liquidated",
        rf"(?:Over the past 24 hours|In the 24 hours to (?P<time>{CLOCK}) UTC on "
        rf"(?P<day>{DAY_MONTH})), (?P<a>{USD}) of (?P<w1>Bitcoin|Ether)(?: and (?P<b>{USD}) of "
        rf"(?P<w2>Bitcoin|Ether))? positions were liquidated(?P<venues> on Binance| across "
        rf"Binance, OKX and Bybit)?, (?:(?P<even>split about evenly between longs and shorts)|"
        rf"(?P<s1>\d+%)(?: and (?P<s2>\d+%))? of them shorts)",
        _liquidated,
    ),
    (
        "spike",
        rf"The heaviest hour of {WHO} liquidations, from (?P<time>{CLOCK}) UTC on "
        rf"(?P<day>{DAY_MONTH}), "
        rf"saw (?P<usd>{USD}) liquidated, (?P<x>[\d.]+) times the median "
        rf"hour of the past 30 days \((?P<med>{USD})\)",
        _spike,
    ),
    (
        "fizzled",
        rf"The heaviest hour of {WHO} liquidations, from (?P<time>{CLOCK}) UTC on "
        rf"(?P<day>{DAY_MONTH}), saw (?P<usd>{USD}) liquidated, (?P<x>\d+) times the "
        rf"median hour and mostly (?P<side>short|long)s, yet the price did not follow "
        rf"through over 24 hours: a squeeze that fizzled",
        _fizzled,
    ),
    (
        "rebound",
        rf"Over the past 24 hours, though, {WHO} (?P<verb>rose|fell) (?P<pct>{PCT})(?:, its "
        rf"largest daily (?P<what>gain|drop) {SINCE})?",
        _rebound,
    ),
    # macro and sentiment
    (
        "dollar",
        rf"The (?:Dollar Index|index) (?P<verb>rose|fell) (?P<pct>{PCT}) to (?P<close>[\d.]+) "
        rf"on (?P<day>{DAY_MONTH})(?:, its first close {SIDE} (?P<level>[\d.]+) "
        rf"(?:since (?P<since>(?:\d{{1,2}} )?[A-Z][a-z]+(?: \d{{4}})?)|in "
        rf"the available data(?P<never>)))?, (?P<reading>a weaker dollar "
        rf"alongside the crypto rally|but the weaker dollar brought no crypto "
        rf"bounce|a firmer dollar alongside the crypto slide|yet crypto rose "
        rf"against the firmer dollar)",
        _dollar,
    ),
    (
        "dollar",
        rf"The (?:US Dollar Index \(DXY\)|Dollar Index) (?P<verb>rose|fell) (?P<pct>{PCT}) "
        rf"to (?P<close>[\d.]+) on (?P<day>{DAY_MONTH}), its latest close(?:, "
        rf"according to ICE US Dollar Index data via Yahoo Finance)?",
        _dollar_day,
    ),
    (
        "level",
        rf"The index closed {SIDE} (?P<level>[\d.]+) for the first time (?:in "
        rf"the available data(?P<never>)|since (?P<since>(?:\d{{1,2}} )?[A-Z][a-z]+(?: "
        rf"\d{{4}})?))",
        _level,
    ),
    (
        "level",
        rf"The index has closed {SIDE} (?P<level>[\d.]+) on (?P<n>\w+) trading "
        rf"days in a row, the first closes {EITHER} it (?:in the available "
        rf"data(?P<never>)|since (?P<since>(?:\d{{1,2}} )?[A-Z][a-z]+(?: "
        rf"\d{{4}})?))",
        _level,
    ),
    (
        "fear & greed",
        rf"The Crypto Fear & Greed index (?P<verb>rose|fell) (?P<n>\d+) points? "
        rf"in a week to (?P<v>\d+), in {FG_CLASS} territory"
        r"(?: \(from \u201c(?P<old>[^\u201d]+)\u201d\))?",
        _fear_greed,
    ),
    (
        "fear & greed",
        rf"The Crypto Fear & Greed index (?:(?P<verb>rose|fell) (?P<n>\d+) "
        rf"points? in a week to|read) (?P<v>\d+) \({FG_CLASS}\) at (?P<record>Bitcoin|Ether)'s "
        rf"record, short of extreme greed: not euphoric",
        _fear_greed,
    ),
    # what to watch
    (
        "watch",
        rf"{WHO}: (?:(?P<ref>holding the level it cleared|staying under the "
        rf"level it broke)|(?P<support>{PRICE}) to (?P<to>hold|stay under)); "
        rf"{TARGET.format(n=1)}; {TARGET.format(n=2)}",
        _watch,
    ),
    (
        "watch",
        rf"{WHO}: a daily close outside its two-week range; estimated liquidation clusters "
        rf"near (?:\$(?P<shorts>[\d,]+) \(shorts\))?(?: and )?(?:\$(?P<longs>[\d,]+) \(longs\))?",
        _edges,
    ),
    (
        "history",
        rf"(?:History: after|After) (?P<event>.+), {WHO} was higher a week "
        rf"later in (?P<k>\d+) of (?P<n>\d+) earlier cases since (?P<since>[A-Z][a-z]+ "
        rf"\d{{4}})(?: \(median (?P<med>{RATE})\))?",
        _history,
    ),
    (
        "fomc",
        rf"The next FOMC rate decision is due (?:today, |tomorrow, |on )(?P<day>{DAY_MONTH})(?:, "
        rf"in (?P<n>\d+) days)?(?P<sep>, with new projections)?",
        _fomc,
    ),
    # the foot
    (
        "caveat",
        r"Liquidation clusters are estimates from a model of open interest "
        r"and trading volume, not reported liquidations",
        _caveat,
    ),
    ("absent", r"Not covered today, for want of data: (?P<what>.+)", _absent),
    ("stale", r"Stale data: (?P<what>.+ before this note)", _stale),
    ("stale", r"Figures from them describe that time, not now", _nothing),
)
"""Every sentence the sections, What to watch and the foot say (without the final stop)."""

CLAUSES: tuple[Pattern, ...] = (
    ("record", rf"{WHO} set a record high of (?P<usd>{PRICE})", _record),
    ("level", rf"{WHO} closed {SIDE} {LVL} for the first time {SINCE}", _level),
    (
        "level",
        rf"{WHO} is trading {SIDE} {LVL}, with no daily close {EITHER} it {SINCE}(?P<trading>)",
        _level,
    ),
    (
        "level",
        rf"{WHO} has closed {SIDE} {LVL} (?P<n>\w+) days running, (?:a|the) first {SINCE}",
        _level,
    ),
    (
        "level",
        rf"The Dollar Index closed {SIDE} (?P<level>[\d.]+) for the first "
        rf"time (?:in the available data(?P<never>)|since (?P<since>(?:\d{{1,2}} "
        rf")?[A-Z][a-z]+(?: \d{{4}})?))",
        _level,
    ),
    (
        "level",
        rf"The Dollar Index has closed {SIDE} (?P<level>[\d.]+) (?P<n>\w+) "
        rf"sessions running, (?:a|the) first (?:in the available data(?P<never>)|since "
        rf"(?P<since>(?:\d{{1,2}} )?[A-Z][a-z]+(?: \d{{4}})?))",
        _level,
    ),
    (
        "24h rank",
        rf"{WHO} (?:rose|fell) (?P<pct>{PCT}) in 24 hours, its largest daily "
        rf"(?P<what>gain|drop) {SINCE}(?P<on>)?(?P<prev>)?",
        _move_rank,
    ),
    ("move", rf"{WHO} (?P<verb>rose|fell) (?P<pct>{PCT}) over 24 hours to (?P<now>{PRICE})", _move),
    (
        "move",
        rf"(?P<w1>Bitcoin|Ether) (?P<verb>rose|fell) (?P<p1>{PCT}) to (?P<n1>{PRICE}) and "
        rf"(?P<w2>Bitcoin|Ether) (?P<p2>{PCT}) to (?P<n2>{PRICE}) over 24 hours",
        _moves,
    ),
    (
        "24h rank",
        rf"(?P<w1>Bitcoin|Ether) (?P<verb>rose|fell) (?P<p1>{PCT}) and (?P<w2>Bitcoin|Ether) "
        rf"(?P<p2>{PCT}) in 24 hours, their largest daily (?P<what>gain|drop)s since "
        rf"(?P<s1>at least [A-Z][a-z]+ \d{{4}}|(?:\d{{1,2}} )?[A-Z][a-z]+(?: \d{{4}})?)(?: and "
        rf"(?P<s2>at least [A-Z][a-z]+ \d{{4}}|(?:\d{{1,2}} )?[A-Z][a-z]+(?: \d{{4}})?))?",
        _move_ranks,
    ),
    (
        "squeeze",
        rf"(?P<usd>{USD}) of {WHO} (?P<side>short|long)s were liquidated "
        rf"in 24 hours, (?P<share>\d+%) of the total",
        _squeeze_clause,
    ),
    (
        "funding",
        rf"{WHO} funding flipped (?P<to>positive|negative) (?:at the (?P<latest>latest) "
        rf"settlement|on (?P<day>{DAY_MONTH})) after (?P<least>at least )?(?P<n>\w+) "
        rf"(?:positive|negative) settlements",
        _flip,
    ),
    (
        "fear & greed",
        r"The Fear & Greed index read (?P<v>\d+) \((?P<c>[^)]+)\)(?:, (?P<verb>up|down|unchanged) "
        r"(?:(?P<n>\d+) points? )?in a week)?",
        _fear_greed,
    ),
    (
        "relative",
        r"(?P<lead>Bitcoin|Ether) (?P<verb>led) over (?P<win>24 hours|seven "
        r"days), (?P<gap>[\d.]+) pp ahead of (?P<other>Bitcoin|Ether)",
        _relative,
    ),
)
"""The lede's clauses (its first sentence joins two with ", while ")."""

HEADLINES: tuple[Pattern, ...] = (
    ("record", rf"{WHO} sets record high at (?P<usd>{PRICE})", _record),
    ("move", rf"{WHO} (?P<verb>rises|falls) (?P<pct>{PCT}) in 24 hours to (?P<now>{PRICE})", _move),
    (
        "24h rank",
        rf"{WHO} (?:rises|falls) (?P<pct>{PCT}), its largest daily (?P<what>gain|drop) "
        rf"{SINCE}(?P<on>)?(?P<prev>)?",
        _move_rank,
    ),
    ("level", rf"{WHO} closes {SIDE} {LVL} for the first time(?: {SINCE}|(?P<never>))", _level),
    (
        "level",
        rf"{WHO} holds {SIDE} {LVL} for a (?P<nth>\w+) daily close, (?:a "
        rf"first(?P<never>)|the first {SINCE})",
        _level,
    ),
    (
        "level",
        rf"{WHO} trades {SIDE} {LVL}, (?:never closed {EITHER} before(?P<never>)|no "
        rf"daily close {EITHER} it {SINCE})(?P<trading>)",
        _level,
    ),
    (
        "squeeze",
        rf"{WHO} (?P<side>short|long) squeeze liquidates (?P<usd>{USD}) of (?:short|long)s",
        _squeeze_headline,
    ),
    (
        "level",
        rf"Dollar Index closes {SIDE} (?P<level>[\d.]+) for the first time(?: {SINCE}|(?P<never>))",
        _level,
    ),
    ("funding", rf"{WHO} funding flips (?P<to>positive|negative)", _flip_headline),
    ("fear & greed", rf"Fear & Greed index at (?P<v>\d+) \({FG_CLASS}\)", _fear_greed),
)
SUFFIXES: tuple[Pattern, ...] = (
    ("squeeze", r"as (?P<side>short|long)s are squeezed", _squeezed_suffix),
    ("dollar", r"as the dollar (?P<way>weakens|firms)", _dollar_way),
)


def read_one(reader: Reader, text: str, patterns: tuple[Pattern, ...]) -> None:
    """Check ``text`` by the first pattern that reads all of it; else keep it as unread."""
    text = text.rstrip(".")
    for _, pattern, handle in patterns:
        if m := re.fullmatch(pattern, text):
            handle(reader, m)
            return
    reader.unread.append(text)


def sentences(text: str) -> list[str]:
    """The sentences of one paragraph (split after ". " before a capital or a dollar sign)."""
    return re.split(r"(?<=[.])\s+(?=[A-Z$])", text)


def _headline(reader: Reader, text: str) -> None:
    for part in text.split("; "):
        for _, pattern, _ in SUFFIXES:
            if m := re.search(rf" ({pattern})$", part):
                read_one(reader, m[1], SUFFIXES)
                part = part[: m.start()]
        read_one(reader, part, HEADLINES)


def _lede(reader: Reader, text: str) -> None:
    """Each sentence; a sentence of two clauses joined by ", while " clause by clause."""
    for sentence in sentences(text):
        clauses = sentence.rstrip(".").split(", while ")
        for clause in clauses:
            clause = clause[:1].upper() + clause[1:]
            alone = len(clauses) == 1 and _reads(clause, SENTENCES)
            read_one(reader, clause, SENTENCES if alone else CLAUSES + SENTENCES)


def read(note: list[tuple[str, str]], reader: Reader) -> None:
    """Find and check every claim of the note's prose."""
    for kind, text in note:
        if kind == "headline":
            _headline(reader, text)
        elif kind == "lede":
            _lede(reader, text)
        elif kind != "h2":
            for sentence in sentences(text):
                read_one(reader, sentence, SENTENCES)
    if reader.clusters_named != reader.caveat:
        problem = ["a cluster without the caveat, or the reverse"]
        reader.check("caveat", "clusters and their caveat", problem)


def _reads(text: str, patterns: tuple[Pattern, ...]) -> bool:
    return any(re.fullmatch(p, text) for _, p, _ in patterns)


# --- the tests ---------------------------------------------------------------------------------


@cache
def _reader(snapshot: Path, when: str) -> Reader:
    as_of = pd.Timestamp(when)
    reader = Reader(as_of, period_of(as_of), snapshot)
    read(blocks(note(snapshot, as_of).html), reader)
    return reader


def reader_at(periods: dict[str, Path], when: str) -> Reader:
    """The note at ``when``, read and checked."""
    return _reader(periods[period_of(pd.Timestamp(when)).name], when)


KNOWN_FALSE: dict[str, str] = {}
"""Moments whose note states a false claim not yet fixed: the reason (they xfail, strictly)."""


@pytest.mark.parametrize("when", MOMENTS)
def test_every_claim_of_the_note_is_true(periods: dict[str, Path], when: str) -> None:
    claims = reader_at(periods, when).claims
    false = [f"{c.kind}: {c.text!r}: {c.problem}" for c in claims if c.problem]
    if when in KNOWN_FALSE:
        assert false, f"fixed? remove {when} from KNOWN_FALSE"
        pytest.xfail(KNOWN_FALSE[when])
    assert not false, "\n".join(false)
    assert claims


@pytest.mark.parametrize("when", MOMENTS)
def test_every_sentence_of_the_prose_is_read(periods: dict[str, Path], when: str) -> None:
    unread = reader_at(periods, when).unread
    assert not unread, "no checker reads:\n" + "\n".join(unread)


def test_the_checks_cover_every_kind_of_claim(periods: dict[str, Path]) -> None:
    kinds = Counter(c.kind for when in MOMENTS for c in reader_at(periods, when).claims)
    print(dict(sorted(kinds.items())))
    assert kinds["level"] >= 25 and kinds["held"] >= 10 and kinds["range"] >= 25
    assert kinds["record"] >= 8 and kinds["24h rank"] >= 6 and kinds["move"] >= 5
    assert kinds["weekly rank"] >= 5 and kinds["intraday"] >= 10 and kinds["relative"] >= 15
    assert kinds["squeeze"] >= 5 and kinds["accounts"] >= 8 and kinds["venues"] >= 3
    assert kinds["liquidated"] >= 8 and kinds["record"] >= 30 and kinds["volume"] >= 8
    assert kinds["funding"] >= 20 and kinds["open interest"] >= 3 and kinds["spike"] >= 2
    assert kinds["rsi"] >= 10 and kinds["divergence"] >= 6 and kinds["macd"] >= 10
    assert kinds["dollar"] >= 8 and kinds["fear & greed"] >= 15
    assert kinds["watch"] >= 30 and kinds["history"] >= 15 and kinds["fomc"] >= 1
    assert kinds["absent"] == len(MOMENTS) and kinds["stale"] >= 2
    assert kinds["trading range"] >= 5
    modelled = [x for when in MOMENTS for x in reader_at(periods, when).modelled]
    print(modelled)
    assert len(modelled) >= 6 and sum(x.endswith("cluster") for x in modelled) >= 4


# --- the appendix -------------------------------------------------------------------------------


@cache
def _appendix(snapshot: Path, when: str) -> list[tuple[Row, list[str] | None]]:
    reader = _reader(snapshot, when)
    return [(row, value_problems(reader, row)) for row in rows(note(snapshot, reader.as_of).html)]


def appendix_at(periods: dict[str, Path], when: str) -> list[tuple[Row, list[str] | None]]:
    """The appendix's rows at ``when``, each with what is wrong with its figures (None: its
    fact is not recomputed), checked with the reader of the note's prose."""
    return _appendix(periods[period_of(pd.Timestamp(when)).name], when)


@pytest.mark.parametrize("when", MOMENTS)
def test_the_appendix_lists_every_fact_once_with_its_sources_and_time(
    periods: dict[str, Path], when: str
) -> None:
    snapshot = periods[period_of(pd.Timestamp(when)).name]
    facts = note(snapshot, pd.Timestamp(when)).facts["facts"]
    problems = table_problems([row for row, _ in appendix_at(periods, when)], facts)
    assert not problems, "\n".join(problems)
    assert facts


@pytest.mark.parametrize("when", MOMENTS)
def test_the_appendix_figures_are_those_of_the_raw_data(
    periods: dict[str, Path], when: str
) -> None:
    checked = [(row, p) for row, p in appendix_at(periods, when) if p is not None]
    false = [f"{row.key}: {row.reading!r}: {'; '.join(p)}" for row, p in checked if p]
    assert not false, "\n".join(false)
    assert checked


def test_the_appendix_checks_cover_the_recomputed_facts(periods: dict[str, Path]) -> None:
    checked = Counter(
        row.key.partition(":")[2]
        for when in MOMENTS
        for row, problems in appendix_at(periods, when)
        if problems is not None
    )
    print(dict(sorted(checked.items())), sum(checked.values()))
    assert set(checked) == set(VALUES)
    assert sum(checked.values()) >= 550


@pytest.mark.parametrize("when", [w for w in MOMENTS if period_of(pd.Timestamp(w)).name == "1h"])
def test_the_cluster_facts_are_those_of_the_recomputed_model(
    periods: dict[str, Path], when: str
) -> None:
    # facts.json's nearest cluster each side (the appendix shows only the USD near the price)
    reader = reader_at(periods, when)
    facts = {fact_key(f): f for f in note(reader.snapshot, reader.as_of).facts["facts"]}
    for asset in ("BTC", "ETH"):
        for short, fact in ((True, "nearest_short_above"), (False, "nearest_long_below")):
            found = reader.clusters(asset, short)
            said = facts.get(f"{asset}:clusters.{fact}")
            assert (said is None) == (not found), f"{asset} {fact}: recomputed {found}"
            if said is not None and found:
                assert said["value"]["price"] == pytest.approx(found[0], rel=1e-9), (asset, fact)


# --- the cases the issue measured, by their facts ----------------------------------------------


def facts_at(periods: dict[str, Path], when: str) -> dict[str, Fact]:
    as_of = pd.Timestamp(when)
    snap = load_snapshot(periods[period_of(as_of).name])
    return {f.key: f for f in compute_facts(snap, as_of)}


def test_ether_below_2500_was_not_a_first_on_5_march_2025(periods: dict[str, Path]) -> None:
    # 3 March closed at 2,149.01, below $2,500 two days after 1 March: no "first time since 1
    # March". The break that was new: two closes under $2,200, the first since 19 Dec 2023.
    facts = facts_at(periods, "2025-03-05T00:00Z")
    brk = facts["ETH:price.level_break"]
    assert brk.value == PriceLevelBreak(2200.0, "down", previous_close_beyond="2023-12-19")
    assert brk.evidence["closes_beyond"] == 2
    assert "BTC:price.level_break" not in facts  # $90,000: last closed below on 1 March


def test_no_trivial_levels_on_12_april_2025_or_24_january_2026(periods: dict[str, Path]) -> None:
    # $83,000 (closed above on 5 April) and $89,500 or $89,900 (22 January) are no news.
    assert "BTC:price.level_break" not in facts_at(periods, "2025-04-12T00:00Z")
    facts = facts_at(periods, "2026-01-24T00:00Z")
    assert "BTC:price.level_break" not in facts and "ETH:price.level_break" not in facts
    # Ether 0.1 pp ahead of a flat Bitcoin: in step, not a lead
    relative = facts["market:cross.relative_24h"].value
    assert relative.leader is None and relative.in_step == ("ETH",)


def test_a_missing_hour_leaves_no_24_hour_total(periods: dict[str, Path]) -> None:
    # CoinGlass's hourly file lacks 19:00 on 6 February 2026.
    facts = facts_at(periods, "2026-02-07T08:00Z")
    assert "BTC:liquidations.total_24h_usd" not in facts
    assert "BTC:liquidations.total_1h_usd" in facts


def test_a_print_of_minus_0_000025_pct_is_not_a_regime(periods: dict[str, Path]) -> None:
    # Bitcoin's 08:00 print of 7 May 2025 was -0.000025 %, between positive ones: no flip.
    assert "BTC:funding.flip" not in facts_at(periods, "2025-05-09T00:00Z")
