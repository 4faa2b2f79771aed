"""The claim checks of tests/test_real_claims.py: a reader of the rendered note that finds every
sentence of its prose by its wording and recomputes what it says from the raw CSVs of
../shared/marketdata, parsed with pandas in tests/real_notes.py (nothing from ``analysis`` or
``indicators`` computes a check).

``Reader.read`` takes the note's prose blocks (``tests.real_notes.blocks``): the headline, the
lede, the stale-data line, each section's paragraphs, the What to watch bullets and the foot's
caveat and "Not covered today" lines. Each sentence (the lede's clauses joined by ", while "
one by one, the headline's parts one by one) must match one pattern of ``PATTERNS`` in full;
its handler checks it and records a :class:`Claim`. A sentence that no pattern reads is kept
in ``Reader.unread``, so that a new phrasing cannot slip through unchecked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from tests.conftest import SHARED
from tests.real_levels import cluster_prices
from tests.real_notes import (
    DAY,
    HOUR,
    Period,
    raw_accounts,
    raw_daily,
    raw_dxy,
    raw_fear_greed,
    raw_funding,
    raw_hourly,
    raw_hourly_bars,
    raw_liquidations,
    raw_open_interest,
)
from tests.test_real_base_rates import Candle, _expected, first_closes_beyond, flip_times

NAMES = {"Bitcoin": "BTC", "Ether": "ETH"}
MONTHS = "January February March April May June July August September October November December"
MONTH = {m: i + 1 for i, m in enumerate(MONTHS.split())}
WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
MAJOR = {"BTC": 5000.0, "ETH": 500.0, "DXY": 1.0}
MINOR = {"BTC": 1000.0, "ETH": 100.0}
MIN_AGE, MINOR_UNSEEN = 14, 30
DOLLAR_MOVE = 1.0
"""The least 24-hour move (percent) the note calls a crypto rally or slide."""
RANGE_DAYS = 14
"""The full days of a range-bound day's range ([analysis] range_days)."""
FIRST_MONTH = {"BTC": "August 2017", "ETH": "August 2017", "DXY": "January 2014"}
"""The first month of each daily file: "since at least" names it."""
DEFAULT_FUNDING, DEFAULT_BAND = 0.01, 0.0005
"""Binance's default funding rate per 8 hours (percent) and the band read as the default."""
SQUEEZE_MOVE, SQUEEZE_SHARE, SQUEEZE_MULTIPLE = 2.0, 0.70, 3.0
EXTREME_GREED = 75.0
FOMC_DAYS = 21
"""The farthest FOMC meeting the note names: 7 days, or 21 as background on a quiet day."""
EVEN_ACCOUNTS, EVEN_LIQUIDATIONS, OI_LITTLE, PRICE_STEADY = 55.0, 0.6, 0.5, 1.0
"""Background readings: a majority of accounts under 55 % is close to even; neither side at
60 % of the day's liquidations is about even; open interest under 0.5 % either way is little
changed; a price within 1 % held steady (docs/settings.md)."""
OVERBOUGHT, OVERSOLD = 70.0, 30.0
STALE = {
    "daily candles": ("candles_1d", pd.Timedelta("2D")),
    "hourly candles": ("candles_1h", pd.Timedelta("3h")),
    "funding rates": ("funding", pd.Timedelta("17h")),
    "open interest": ("open_interest", pd.Timedelta("5h")),
    "liquidations": ("liquidations", pd.Timedelta("3h")),
    "long/short account ratios": ("long_short", pd.Timedelta("3h")),
    "the US Dollar Index": ("dxy", pd.Timedelta("4D")),
    "the Fear & Greed index": ("fear_greed", pd.Timedelta("2D")),
}
"""Each dataset's noun in the note, its snapshot name and its documented stale limit."""
MODEL_INPUTS = ("open_interest", "candles_1h", "long_short")
"""The snapshot tables the liquidation-level model reads."""


# --- the wording pieces both checkers' patterns use ---------------------------------------------

WHO = r"(?P<who>Bitcoin|Ether)"
PRICE = r"\$[\d,]+(?:\.\d+)?"
PCT = r"[\d.]+%"
RATE = r"[+\u2212-][\d.]+%"
USD = r"\$[\d.]+[KMB]?"
DAY_MONTH = r"\d{1,2} [A-Z][a-z]+"


# --- reading numbers and dates as the note writes them ----------------------------------------


def count(word: str) -> int:
    """A count the note writes in words up to nine, else in digits."""
    return WORDS.index(word) + 1 if word in WORDS else int(word.replace(",", ""))


def ordinal(word: str) -> int:
    """``second`` → 2, ``18th`` → 18."""
    return ORDINALS.index(word) + 1 if word in ORDINALS else int(re.sub(r"\D", "", word))


def amount(text: str) -> float:
    """``$95,000``, ``−0.0135%`` or ``98`` → the number."""
    text = text.replace("$", "").replace(",", "").replace("%", "").replace("\u2212", "-")
    return float(text.replace("+", ""))


def shows(text: str, x: float) -> bool:
    """Whether ``x`` rounds to ``text`` as the note shows it (``$431M``, ``2.9%``, ``$86,221``);
    an unsigned text matches either sign."""
    text = text.replace("\u2212", "-").replace("+", "")
    m = re.fullmatch(r"(-?)\$?([\d,]+(?:\.(\d+))?)([KMBT%]?)", text)
    if m is None:
        return False
    unit = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}.get(m.group(4), 1.0)
    shown = float(m.group(2).replace(",", "")) * unit
    half = 0.5 * 10.0 ** -len(m.group(3) or "") * unit
    if m.group(1) and x > 0:
        return False
    return abs(abs(x) - shown) <= half * (1 + 1e-9) + 1e-9


def span(text: str, as_of: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The dates a "since" names: ``February 2026`` (the month), ``3 November`` (in as-of's
    year, or the one before when that would be after it), ``2 October 2026``."""
    parts = text.split()
    if parts[0] in MONTH:
        first = pd.Timestamp(int(parts[1]), MONTH[parts[0]], 1)
        return first, first + pd.offsets.MonthEnd(0)
    year = int(parts[2]) if len(parts) > 2 else as_of.year
    d = pd.Timestamp(year, MONTH[parts[1]], int(parts[0]))
    if len(parts) == 2 and d > as_of.tz_convert(None):
        d = pd.Timestamp(year - 1, MONTH[parts[1]], int(parts[0]))
    return d, d


def moment(clock: str, day: str, as_of: pd.Timestamp) -> pd.Timestamp:
    """``20:00`` on ``22 November`` (the as-of's year, or the one before) as a UTC time."""
    d, _ = span(day, as_of)
    return pd.Timestamp(f"{d.date()} {clock}", tz="UTC")


def within(when: pd.Timestamp | None, text: str, as_of: pd.Timestamp) -> bool:
    """Whether the date ``when`` (naive) lies in the day or month ``text`` names."""
    lo, hi = span(text, as_of)
    return when is not None and lo <= when.normalize() <= hi


def lead_problems(ch: dict[str, float], lead: str, other: str, gap: str, verb: str) -> list[str]:
    """What is wrong with "LEAD led (held up best), GAP pp ahead of OTHER" for the changes
    ``ch``: a lead of at least 0.15 pp, said as the gap of the changes as the table shows them
    (one decimal), and "led" only when the leader rose."""
    raw = ch[lead] - ch[other]
    table = round(float(f"{ch[lead]:.1f}") - float(f"{ch[other]:.1f}"), 1)
    problems = [] if raw >= 0.15 else [f"the gap is {raw:.3f} pp"]
    if float(gap) != table:
        problems.append(f"the table's changes differ by {table} pp")
    if (verb == "led") != (ch[lead] > 0):
        problems.append(f"the leader moved {ch[lead]:.2f} %")
    return problems


def day_volume(bars: pd.Series, to: pd.Timestamp) -> tuple[float, int]:
    """The volume of the hourly candles (by open time) of the 24 hours to ``to``, and how many."""
    hours = bars[(bars.index >= to - DAY) & (bars.index < to)]
    return float(hours.sum()), len(hours)


def wilder_rsi(closes: pd.Series, period: int = 14) -> pd.Series:
    """Wilder's RSI: gains and losses smoothed with alpha 1/period."""
    diff = closes.diff()
    gain = diff.clip(lower=0).ewm(alpha=1 / period, adjust=False).mean()
    loss = (-diff.clip(upper=0)).ewm(alpha=1 / period, adjust=False).mean()
    return 100 - 100 / (1 + gain / loss)


def trailing(closes: pd.Series, level: float, side: str) -> tuple[int, pd.Timestamp | None]:
    """The daily closes in a row beyond ``level`` up to the latest, and the date of the last
    close beyond it before them (None: none)."""
    beyond = (closes > level) if side == "above" else (closes < level)
    run = 0
    for b in beyond.to_numpy()[::-1]:
        if not b:
            break
        run += 1
    before = beyond.iloc[: len(beyond) - run]
    previous = before[before].index
    return run, (previous[-1] if len(previous) else None)


def watched(asset: str, level: float, age: int | None) -> list[str]:
    """What is wrong with a level's being news: too recently seen, or not a level readers
    watch (a major step, or a minor one unseen for 30 days)."""
    problems = []
    if age is not None and age < MIN_AGE:
        problems.append(f"last beyond it only {age} days before")
    major = math.isclose(level / MAJOR[asset], round(level / MAJOR[asset]))
    minor = asset in MINOR and math.isclose(level / MINOR[asset], round(level / MINOR[asset]))
    if not (major or (minor and (age is None or age >= MINOR_UNSEEN))):
        problems.append(f"{level:g} is not a level readers watch (age {age})")
    return problems


def roundest(base: float, up: bool) -> float:
    """The roundest level 1-5 % beyond ``base``: of the multiples of the power of ten at or
    below 1 % of it ($1,000 near $120,000), the one with the most trailing zeros (a final 5
    counting half a zero), the nearest among equals."""
    step = 10.0 ** math.floor(math.log10(base * 0.01))
    lo, hi = sorted(base * (1 + (d if up else -d) / 100) for d in (1.0, 5.0))
    levels = [k * step for k in range(math.ceil(lo / step), math.floor(hi / step) + 1)]

    def zeros(level: float) -> float:
        digits = str(round(level / step))
        n = len(digits) - len(digits.rstrip("0"))
        return n + (0.5 if digits.rstrip("0").endswith("5") else 0.0)

    return max(levels, key=lambda x: (zeros(x), -abs(x - base)))


@dataclass(frozen=True)
class Claim:
    kind: str
    text: str
    problem: str | None


Handler = Callable[["Reader", re.Match[str]], None]


@dataclass
class Reader:
    """Checks one note's claims against the raw series; ``snapshot`` is the period's
    snapshot folder (read with pandas for the stale and not-covered lines)."""

    as_of: pd.Timestamp
    period: Period
    snapshot: Path
    claims: list[Claim] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    broken: dict[str, tuple[float, str]] = field(default_factory=dict)
    """The level each asset's level claim said it broke, and the side."""
    ranges: dict[str, tuple[float, float, str]] = field(default_factory=dict)
    """The prior range each asset broke out of, as the note said it: low, high, side."""
    last_level: tuple[str, float, str] | None = None
    ranges_said: dict[str, tuple[float, float]] = field(default_factory=dict)
    """The range each range-bound asset was said to trade in: low, high."""
    supports: dict[str, float] = field(default_factory=dict)
    """The level each asset's What to watch bullet said to hold (or stay under)."""
    clusters_named: bool = False
    modelled: list[str] = field(default_factory=list)
    """The levels to watch checked against the recomputed model: asset, which, kind said."""
    caveat: bool = False

    def check(self, kind: str, text: str, problems: list[str]) -> None:
        self.claims.append(Claim(kind, text, "; ".join(problems) or None))

    # --- raw series known at as-of ---

    def known(self, index: pd.Index) -> npt.NDArray[np.bool_]:
        """Which trading dates of ``index`` had closed by as-of (date + 1 day)."""
        return np.asarray(pd.DatetimeIndex(index) + DAY <= self.as_of.tz_convert(None))

    def daily(self, asset: str) -> pd.DataFrame:
        d = raw_daily(SHARED, asset)
        return d[self.known(d.index)]

    def closes(self, asset: str) -> pd.Series:
        if asset == "DXY":
            s = raw_dxy(SHARED)
            return s[self.known(s.index)]
        return self.daily(asset)["close"]

    def hourly_here(self, asset: str) -> bool:
        """Whether the note's prices come from hourly candles (some closed within 3 hours)."""
        h = raw_hourly(SHARED, self.period.hourly, asset)
        h = h[h.index <= self.as_of]
        return not h.empty and self.as_of - h.index[-1] < 3 * HOUR

    def fine(self, asset: str) -> pd.Series:
        """The closes the note's prices are taken from: hourly when it has any by as-of."""
        if self.hourly_here(asset):
            h = raw_hourly(SHARED, self.period.hourly, asset)
            return h[h.index <= self.as_of]
        d = self.closes(asset)
        return pd.Series(d.to_numpy(), index=(pd.DatetimeIndex(d.index) + DAY).tz_localize("UTC"))

    def change(self, asset: str, back: pd.Timedelta) -> float:
        """Percent change of the latest fine close against the one ``back`` earlier."""
        fine = self.fine(asset)
        ref = fine[fine.index <= fine.index[-1] - back]
        return (float(fine.iloc[-1]) / float(ref.iloc[-1]) - 1) * 100

    def highs(self, asset: str) -> pd.Series:
        """Highs of every closed candle by close time: daily, then hourly where there are."""
        d = self.daily(asset)
        daily = pd.Series(
            d["high"].to_numpy(), index=(pd.DatetimeIndex(d.index) + DAY).tz_localize("UTC")
        )
        if not self.hourly_here(asset):
            return daily
        h = raw_hourly_bars(SHARED, self.period.hourly, asset)
        opens = pd.DatetimeIndex(h.index)
        h = h[opens + HOUR <= self.as_of]
        hourly = pd.Series(h["high"].to_numpy(), index=pd.DatetimeIndex(h.index) + HOUR)
        out: pd.Series = pd.concat([daily[daily.index <= hourly.index[0] - HOUR], hourly])
        return out

    def record(self, text: str, asset: str, usd: str) -> None:
        """A record high within 24 hours, at ``usd``."""
        highs = self.highs(asset)
        recent = highs[highs.index > self.as_of - DAY]
        before = highs[highs.index <= self.as_of - DAY]
        problems = []
        if recent.empty or not recent.max() > before.max():
            problems.append(f"no new high in 24 hours (the record before was {before.max()})")
        elif not shows(usd, float(recent.max())):
            problems.append(f"the record is {recent.max()}")
        self.check("record", text, problems)

    def new_record(self, asset: str) -> bool:
        highs = self.highs(asset)
        recent = highs[highs.index > self.as_of - DAY]
        return not recent.empty and recent.max() > highs[highs.index <= self.as_of - DAY].max()

    # --- level breaks ---

    def level(self, text: str, asset: str, side: str, level: float, m: re.Match[str]) -> None:
        """A level claim: ``closes`` (the run, as a count), ``since`` (the period of the last
        close beyond before the run), ``start`` (never before, in data going back to that
        month) or ``on`` (the exact date of that last close)."""
        said = {k: v for k, v in m.groupdict().items() if v is not None}
        closes = str(self._closes(said))
        c = self.closes(asset)
        run, last = trailing(c, level, side)
        problems = []
        if run != int(closes):
            problems.append(f"{run} daily closes beyond in a row, not {closes}")
        if said.get("since") and not within(last, said["since"], self.as_of):
            problems.append(f"the last close beyond before them was {last}, not {said['since']}")
        if said.get("on") and (last is None or last != span(said["on"], self.as_of)[0]):
            problems.append(f"the last close beyond before them was on {last}")
        if said.get("start") or "never" in said:
            first = said.get("start") or FIRST_MONTH[asset]
            if last is not None or not within(c.index[0], first, self.as_of):
                problems.append(f"closed beyond on {last} before, or the data start otherwise")
        broke = c.index[-run] if run else self.as_of.tz_convert(None).normalize()
        age = None if last is None else (broke - last).days
        problems += watched(asset, level, age)
        if run == 0 and asset != "DXY":
            now = float(self.fine(asset).iloc[-1])
            if not (now > level if side == "above" else now < level):
                problems.append(f"the price ({now}) is not {side} it")
        if run and asset == "DXY" and c.index[-run] < c.index[-2]:
            problems.append("the break is older than the last two trading days")
        elif run and asset != "DXY" and c.index[-run] + DAY < self.as_of.tz_convert(None) - 2 * DAY:
            problems.append("the break is older than 48 hours")
        if asset != "DXY":
            self.broken[asset] = (level, side)
            self.last_level = (asset, level, side)
        self.check("level", text, problems)

    @staticmethod
    def _closes(said: dict[str, str]) -> int:
        if said.get("n"):
            return count(said["n"])
        if said.get("nth"):
            return ordinal(said["nth"])
        return 0 if "trading" in said else 1

    def held(self, text: str, since: pd.Timestamp) -> None:
        """ "It has held above the level at every hourly close since T", crossed in 48 hours."""
        if self.last_level is None:
            self.check("held", text, ["no level said before it"])
            return
        asset, level, side = self.last_level
        h = self.fine(asset)
        beyond = (h > level) if side == "above" else (h < level)
        problems = []
        if not beyond[h.index >= since].all() or since not in h.index:
            problems.append("not every hourly close since is beyond it")
        if beyond[h.index < since].iloc[-1]:
            problems.append("the close before was beyond it already")
        if bool(beyond[h.index <= h.index[-1] - 48 * HOUR].iloc[-1]):
            problems.append("it was beyond it 48 hours before")
        self.check("held", text, problems)

    # --- prior range ---

    def prior_range(
        self, text: str, asset: str, side: str, low: str, high: str, day: str | None, tail: str
    ) -> None:
        d = self.daily(asset)
        today = self.as_of.tz_convert(None).normalize()
        start = today if day is None else span(day, self.as_of)[0]
        week = d[(d.index >= start - 7 * DAY) & (d.index < start)]
        since = d[d.index >= start]["close"]
        up = side == "above"
        edge = week["high"].max() if up else week["low"].min()
        n = 0 if "no daily close" in tail else 1 if "day's close" in tail else 2
        problems = []
        if not (shows(low, week["low"].min()) and shows(high, week["high"].max())):
            problems.append(f"the week's range is {week['low'].min()}-{week['high'].max()}")
        if min(len(since), 2) != n:
            problems.append(f"{len(since)} daily closes since the move began")
        if not ((since > edge).all() if up else (since < edge).all()):
            problems.append("a daily close since is back inside the range")
        if day is None and start != today:
            problems.append("it did not begin today")
        if ("held above" in tail) != up and n:
            problems.append("the tail's side is not the break's")
        # the move began with that break: the close before it was inside the range
        before = d[d.index < start]["close"]
        if len(before) and ((before.iloc[-1] > edge) if up else (before.iloc[-1] < edge)):
            problems.append("the close before the start was beyond the range already")
        self.ranges[asset] = (week["low"].min(), week["high"].max(), side)
        self.check("range", text, problems)

    # --- the range of a range-bound day ---

    def range_window(self, asset: str) -> tuple[pd.DataFrame, float, float]:
        """The daily candles known at as-of, and the low and high of the last ``RANGE_DAYS``
        of them with today's hourly candles so far (when the note's prices are hourly)."""
        d = self.daily(asset)
        last = d.iloc[-RANGE_DAYS:]
        low, high = float(last["low"].min()), float(last["high"].max())
        if self.hourly_here(asset):
            h = raw_hourly_bars(SHARED, self.period.hourly, asset)
            opens = pd.DatetimeIndex(h.index)
            today = h[
                (opens >= self.as_of.normalize()) & (opens + pd.Timedelta(hours=1) <= self.as_of)
            ]
            if len(today):
                low, high = (
                    min(low, float(today["low"].min())),
                    max(high, float(today["high"].max())),
                )
        return d, low, high

    def trading_range(self, text: str, asset: str, m: re.Match[str], n: int = 1) -> None:
        """ "has traded between $A and $B over the past two weeks", then "its narrowest
        two-week range since July" (no earlier 14-day window of daily candles as narrow after
        that month, one in it) or "a narrower range than in most two-week spans of the past
        year" (more than half of the windows ending in the 365 days before were wider)."""
        d, low, high = self.range_window(asset)
        width = high / low - 1
        said = m.groupdict()
        widths = d["high"].rolling(RANGE_DAYS).max() / d["low"].rolling(RANGE_DAYS).min() - 1
        earlier = widths.iloc[:-1].dropna()
        problems = []
        if not (shows(m[f"low{n}"], low) and shows(m[f"high{n}"], high)):
            problems.append(f"the range is {low}-{high}")
        as_narrow = earlier[earlier <= width + 1e-12]
        last = as_narrow.index[-1] if len(as_narrow) else None
        if said.get("start"):
            if last is not None or not within(earlier.index[0], said["start"], self.as_of):
                problems.append(f"a window as narrow ended on {last}")
        elif said.get("since") and not within(last, said["since"], self.as_of):
            problems.append(f"the last window as narrow ended on {last}")
        if said.get("most"):
            year = earlier[earlier.index >= d.index[-1] - 365 * DAY]
            if not (year > width).mean() > 0.5 or earlier.index[0] > d.index[-1] - 365 * DAY:
                problems.append(
                    f"only {(year > width).mean():.0%} of the year's windows were wider"
                )
        self.ranges_said[asset] = (low, high)
        self.check("trading range", text, problems)

    def edges(self, text: str, asset: str, m: re.Match[str]) -> None:
        """A range-bound asset's bullet: its range said before, estimated short liquidations
        above the price and long ones below it."""
        self.clusters_named = True
        last = float(self.fine(asset).iloc[-1])
        problems = [] if asset in self.ranges_said else ["its range was not said before"]
        for said, short in ((m["shorts"], True), (m["longs"], False)):
            found = self.clusters(asset, short)
            if said is None:
                continue
            self.modelled.append(f"{asset} edge: cluster")
            if not found or not shows(said, found[0]):
                problems.append(
                    f"the model's nearest {'short' if short else 'long'} cluster is {found}"
                )
            elif (amount(said) > last) != short:
                problems.append(f"the cluster at {said} is on the wrong side of {last}")
        self.check("watch", text, problems)

    def range_dates(self, text: str, dates: str, day: str | None) -> None:
        """The week's dates, ``26 July – 1 August 2024``: the 7 days before the start."""
        today = self.as_of.tz_convert(None).normalize()
        start = today if day is None else span(day, self.as_of)[0]
        first, last = start - 7 * DAY, start - DAY
        ok = dates.endswith(f"{last.day} {last.month_name()} {last.year}")
        ok = ok and dates.startswith(f"{first.day}")
        ok = ok and (first.month == last.month or first.month_name() in dates)
        self.check("range", text, [] if ok else [f"the week is {first.date()}-{last.date()}"])

    # --- weekly gain rank ---

    def rank(
        self, text: str, asset: str, gain: float, rank: int, larger: tuple[float, str] | None
    ) -> None:
        problems = []
        now = self.change(asset, 7 * DAY)
        if not shows(f"{gain}%", now):
            problems.append(f"the 7-day gain is {now:.2f} %")
        c = self.closes(asset)
        weekly = (c / c.shift(7) - 1) * 100
        end = c.index[-1]
        weekly = weekly[(weekly.index > end - 365 * DAY) & (weekly.index <= end - 7 * DAY)]
        bigger = weekly[weekly > now]
        clusters = (bigger.index.to_series().diff() >= 7 * DAY).sum() + (1 if len(bigger) else 0)
        apart, last = 0, None
        for when in bigger.index:
            if last is None or when - last >= 7 * DAY:
                apart, last = apart + 1, when
        if not clusters <= rank - 1 <= apart:
            problems.append(f"{clusters}-{apart} larger weeks, not {rank - 1}")
        if larger is not None:
            when = span(larger[1], self.as_of)[0]
            if when not in weekly.index or not shows(f"{larger[0]}%", weekly[when]):
                problems.append(f"the week to {larger[1]} gained {weekly.get(when)}")
            elif (bigger.index >= when + 7 * DAY).any():
                problems.append("a larger gain is more recent")
        self.check("weekly rank", text, problems)

    # --- the 24-hour move and its rank among daily moves ---

    def move(self, text: str, asset: str, verb: str, pct: str, now: str | None = None) -> None:
        x = self.change(asset, DAY)
        problems = []
        if not shows(pct, x) or (x > 0) != (verb in ("rose", "rises")):
            problems.append(f"the 24-hour change is {x:.2f} %")
        if now is not None and not shows(now, float(self.fine(asset).iloc[-1])):
            problems.append(f"the price is {self.fine(asset).iloc[-1]}")
        self.check("move", text, problems)

    def move_rank(self, text: str, asset: str, m: re.Match[str]) -> None:
        """ "its largest daily drop since March 2020": no larger same-sign daily close-to-close
        move since that month, one in it (or none at all: "since at least")."""
        x = self.change(asset, DAY)
        up = m["what"] == "gain"
        problems = []
        if not shows(m["pct"], x) or (x > 0) != up:
            problems.append(f"the 24-hour change is {x:.2f} %")
        c = self.closes(asset)
        moves = (c / c.shift(1) - 1).dropna() * 100
        larger = moves[moves > abs(x)] if up else moves[moves < -abs(x)]
        last = larger.index[-1] if len(larger) else None
        if m["start"]:
            if last is not None or not within(moves.index[0], m["start"], self.as_of):
                problems.append(f"a larger one on {last}")
        elif not within(last, m["since"], self.as_of):
            problems.append(f"the last larger one was on {last}")
        if m["on"] and (last is None or last != span(m["on"], self.as_of)[0]):
            problems.append(f"the last larger one was on {last}")
        if m["prev"] and last is not None and not shows(m["prev"], float(moves[last])):
            problems.append(f"it was {moves[last]:.2f} %")
        self.check("24h rank", text, problems)

    def intraday(self, text: str, asset: str, m: re.Match[str]) -> None:
        h = raw_hourly_bars(SHARED, self.period.hourly, asset)
        midnight = self.as_of.normalize()
        problems = []
        if midnight not in h.index or not self.hourly_here(asset):
            problems.append("no hourly candle opens the day")
        else:
            open_ = float(h["open"].loc[midnight])
            x = (float(self.fine(asset).iloc[-1]) / open_ - 1) * 100
            if not shows(m["open"], open_):
                problems.append(f"the day opened at {open_}")
            if not shows(m["pct"], x) or (x > 0) != (m["verb"] == "added"):
                problems.append(f"the day's change is {x:.2f} %")
        self.check("intraday", text, problems)

    def volume(self, text: str, m: re.Match[str]) -> None:
        """Each asset's volume of the 24 hourly candles to as-of (or the time said) against
        the median of the 30 earlier 24-hour windows to the same hour, on the venue said."""
        venue = "Binance spot" if self.period.hourly == "spot" else "Binance USD\u24c8-M futures"
        problems = [] if m["venue"] == venue else [f"the hourly candles are {venue}'s"]
        for said, who in ((m["p1"], m["w1"] or m["w1b"]), (m["p2"], m["w2"])):
            if who is None:
                continue
            bars = raw_hourly_bars(SHARED, self.period.hourly, NAMES[who])["volume"]
            closes = pd.DatetimeIndex(bars.index) + HOUR
            # "over the past 24 hours": the asset's newest candle must close at as-of
            end = pd.Timestamp(closes[closes <= self.as_of][-1])
            if m["time"] is not None:
                end = moment(m["time"], m["day"], self.as_of)
            now, n = day_volume(bars, end)
            median = float(np.median([day_volume(bars, end - k * DAY)[0] for k in range(1, 31)]))
            x = (now / median - 1) * 100
            if n != 24 or (end != self.as_of and m["time"] is None):
                problems.append(f"{who}: {n} hours end at {end}")
            way = "in line with" if said == "in line with" else said.split()[1]
            real = "above" if round(x) > 0 else "below" if round(x) < 0 else "in line with"
            if now / median >= 2:  # said as a multiple
                ok = way == "times" and shows(said.split()[0], now / median)
            else:
                ok = way == real and (way == "in line with" or shows(said.split()[0], x))
            if not ok:
                problems.append(f"{who}: the day's volume is {x:+.2f} % against the median")
        self.check("volume", text, problems)

    def below_ath(self, text: str, asset: str, m: re.Match[str]) -> None:
        highs = self.highs(asset)
        ath = float(highs.max())
        at = pd.Timestamp(highs.index[int(np.argmax(highs.to_numpy()))])
        x = (ath - float(self.fine(asset).iloc[-1])) / ath * 100
        problems = []
        if not shows(m["ath"], ath) or not shows(m["pct"], x):
            problems.append(f"the record is {ath}, {x:.2f} % above the price")
        if (at - pd.Timedelta(minutes=1)).normalize().tz_convert(None) != span(m["on"], self.as_of)[
            0
        ]:
            problems.append(f"the record was set on {at}")
        self.check("record", text, problems)

    def relative(self, text: str, m: re.Match[str]) -> None:
        back = DAY if m["win"] == "24 hours" else 7 * DAY
        ch = {a: self.change(a, back) for a in ("BTC", "ETH")}
        problems = lead_problems(ch, NAMES[m["lead"]], NAMES[m["other"]], m["gap"], m["verb"])
        self.check("relative", text, problems)

    # --- momentum ---

    def rsi_at(self, asset: str, day: pd.Timestamp | None = None) -> tuple[float, pd.Timestamp]:
        rsi = wilder_rsi(self.closes(asset))
        when = rsi.index[-1] if day is None else day
        return float(rsi[when]), when

    def rsi(self, text: str, asset: str, value: str, day: str | None, zone: str) -> None:
        problems = []
        latest = self.closes(asset).index[-1]
        if day is not None and span(day, self.as_of)[0] != latest:
            problems.append(f"the latest daily close is {latest.date()}")
        r, _ = self.rsi_at(asset)
        if not shows(value, r):
            problems.append(f"the RSI is {r:.2f}")
        real = "overbought" if r >= OVERBOUGHT else "oversold" if r <= OVERSOLD else "neutral"
        if real != zone:
            problems.append(f"{r:.1f} is {real}")
        self.check("rsi", text, problems)

    def divergence(self, text: str, m: re.Match[str]) -> None:
        asset = NAMES[m["who"] or m["who2"]]
        kind, way = m["k1"] or m["k2"], m["m1"] or m["m2"]
        c = self.closes(asset)
        rsi = wilder_rsi(c)
        d1, d2 = span(m["d1"], self.as_of)[0], span(m["d2"], self.as_of)[0]
        bearish = kind == "bearish"
        problems = []
        if not shows(m["close"], float(c[d2])):
            problems.append(f"the close of {d2.date()} was {c[d2]}")
        if (c[d2] > c[d1]) != bearish or (m["cmp"] == "topped") != bearish:
            problems.append(f"closes {c[d1]} then {c[d2]}")
        if not (shows(m["r1"], float(rsi[d1])) and shows(m["r2"], float(rsi[d2]))):
            problems.append(f"the RSI was {rsi[d1]:.2f} then {rsi[d2]:.2f}")
        if (rsi[d2] < rsi[d1]) != bearish or (m["rsi_way"] == "lower high") != bearish:
            problems.append("the RSI did not diverge that way")
        x = self.change(asset, DAY)
        if (way == "rally") != (x > 0):
            problems.append(f"the 24-hour move is {x:.2f} %")
        before = bool(m["k1"])
        if before != (bearish == (x < 0)):
            problems.append("'came before' and 'despite' are the wrong way round")
        if not d1 < d2 <= c.index[-1] or (c.index[-1] - d1).days > 90:
            problems.append("the swing points are not recent ones in order")
        self.check("divergence", text, problems)

    def macd(self, text: str, asset: str, side: str, day: str, state: str) -> None:
        c = self.closes(asset)
        line = c.ewm(span=12, adjust=False).mean() - c.ewm(span=26, adjust=False).mean()
        diff = line - line.ewm(span=9, adjust=False).mean()
        sign = np.sign(diff.to_numpy())
        crossed = [diff.index[i] for i in range(1, len(sign)) if sign[i] != sign[i - 1]]
        problems = []
        if not crossed or crossed[-1] != span(day, self.as_of)[0]:
            problems.append(f"the last cross was on {crossed[-1] if crossed else None}")
        if (diff.iloc[-1] > 0) != (side == "above") or (side == "above") != (state == "bullish"):
            problems.append(f"the MACD is {diff.iloc[-1]:.2f} against its signal line")
        self.check("macd", text, problems)

    # --- liquidations ---

    def buckets(self, asset: str) -> pd.DataFrame | None:
        return raw_liquidations(SHARED, self.period.liquidations, asset)

    def window(self, asset: str, end: pd.Timestamp) -> tuple[pd.DataFrame, list[str]]:
        """The 24 hours of buckets to ``end``, and what is wrong with them."""
        raw = self.buckets(asset)
        if raw is None:
            return pd.DataFrame(), [f"no {asset} liquidations in the period's file"]
        length = pd.Series(raw.index).diff().median()
        ends = raw.index + length
        window = raw[(raw.index >= end - DAY) & (ends <= end)]
        problems = []
        if len(window) * length != DAY:
            problems.append(f"{len(window)} buckets of {length} cover it")
        if ((ends > end) & (ends <= self.as_of)).any():
            problems.append("a newer bucket was complete")
        return window, problems

    def median_24h(self, asset: str, end: pd.Timestamp) -> float:
        """The median 24-hour total of the 30 days to ``end`` (each bucket end's window)."""
        raw = self.buckets(asset)
        assert raw is not None
        length = pd.Series(raw.index).diff().median()
        n = round(DAY.total_seconds() / pd.Timedelta(length).total_seconds())
        totals = raw.sum(axis=1).rolling(n).sum()
        totals.index = raw.index + length
        return float(totals[(totals.index > end - 30 * DAY) & (totals.index <= end)].median())

    def squeeze_problems(
        self, asset: str, side: str, end: pd.Timestamp, usd: str | None, share: str | None
    ) -> list[str]:
        """What is wrong with ``usd`` of one side liquidated over the 24 hours to ``end``,
        ``share`` of the total, being a squeeze: the price 2 % or more the squeezing way, that
        side 70 % or more, the total 3 times the 30-day median or more (None: not said)."""
        window, problems = self.window(asset, end)
        if window.empty:
            return problems
        col = "short_usd" if side == "short" else "long_usd"
        side_usd, total = float(window[col].sum()), float(window.to_numpy().sum())
        if usd is not None and not shows(usd, side_usd):
            problems.append(f"{side}s lost {side_usd:.0f}")
        if share is not None and not shows(share, side_usd / total * 100):
            problems.append(f"their share was {side_usd / total:.3f}")
        if side_usd < SQUEEZE_SHARE * total:
            problems.append(f"a share of {side_usd / total:.3f} is no squeeze")
        median = self.median_24h(asset, end)
        if total < SQUEEZE_MULTIPLE * median:
            problems.append(f"{total:.0f} is not 3 times the median {median:.0f}")
        fine = self.fine(asset)
        start = window.index[0]
        if start not in fine.index or end not in fine.index:
            problems.append("no closes at the window's ends")
        else:
            x = (fine[end] / fine[start] - 1) * 100
            if (x if side == "short" else -x) < SQUEEZE_MOVE:
                problems.append(f"the price moved {x:.2f} %")
        return problems

    def squeezed(
        self, text: str, asset: str, side: str, usd: str, share: str | None, end: pd.Timestamp
    ) -> None:
        self.check("squeeze", text, self.squeeze_problems(asset, side, end, usd, share))

    def any_squeeze(self, text: str, side: str) -> None:
        """ "as shorts are squeezed": some asset had a squeeze of that side in the 24 hours."""
        ok = any(
            self.buckets(a) is not None
            and not self.squeeze_problems(a, side, self.as_of, None, None)
            for a in ("BTC", "ETH")
        )
        self.check("squeeze", text, [] if ok else [f"no {side} squeeze in the 24 hours"])

    def squeeze_end(self, time: str | None, day: str | None) -> pd.Timestamp:
        return self.as_of if time is None or day is None else moment(time, day, self.as_of)

    def venues(self, text: str, said: str | None) -> None:
        venues = self.period.liquidation_venues
        real = "on Binance" if venues == ("Binance",) else "across Binance, OKX and Bybit"
        if said is not None:
            self.check("venues", text, [] if said == real else [f"the data cover {real}"])

    def crowd(self, text: str, side: str, crowd: str) -> None:
        """ "with 67% of Bitcoin accounts on Binance still net short": at the latest ratio."""
        said = re.findall(r"(\d+%) of (Bitcoin|Ether)", crowd)
        acc = raw_accounts(SHARED)
        acc = acc[acc.index <= self.as_of]
        problems = []
        for pct, who in said:
            if who != "Bitcoin" or acc.empty or self.as_of - acc.index[-1] > 4 * HOUR:
                problems.append(f"no account ratio of {who} at as-of")
                continue
            on_side = acc.iloc[-1] if side == "long" else 100 - acc.iloc[-1]
            if not shows(pct, float(on_side)) or on_side <= 50:
                problems.append(f"{on_side:.1f} % of accounts were net {side}")
        if not said:
            problems.append("no share said")
        self.check("accounts", text, problems)

    def fizzled(self, text: str, asset: str, m: re.Match[str]) -> None:
        """A one-sided spike the price did not follow: the heaviest hour of the last 24, its
        size and multiple of the 30-day median hour, the side at 70 % or more of it, and the
        24-hour move the way a squeeze of that side pushes under 2 %."""
        raw = self.buckets(asset)
        problems = []
        if raw is None or self.period.liquidations != "1h":
            self.check("fizzled", text, ["no hourly liquidations"])
            return
        hours = raw.sum(axis=1)
        starts = pd.DatetimeIndex(hours.index)
        done = starts + HOUR <= self.as_of
        day = hours[(starts >= self.as_of - DAY) & done]
        month = hours[(starts >= self.as_of - 30 * DAY) & done]
        top = pd.Timestamp(str(day.idxmax()))
        if top != moment(m["time"], m["day"], self.as_of):
            problems.append(f"the heaviest hour began at {top}")
        heaviest, median = float(day.max()), float(month.median())
        if not shows(m["usd"], heaviest) or not shows(m["x"], heaviest / median):
            problems.append(f"it saw {heaviest:.0f}, {heaviest / median:.1f} times")
        side = raw["short_usd" if m["side"] == "short" else "long_usd"]
        one_side = float(side[side.index == top].sum())
        if one_side < 0.7 * heaviest:
            problems.append(f"{m['side']}s were {one_side / heaviest:.0%} of it")
        x = self.change(asset, DAY)
        if (x if m["side"] == "short" else -x) >= 2.0:
            problems.append(f"the price moved {x:.2f} % the squeeze's way")
        self.check("fizzled", text, problems)

    def spike(self, text: str, m: re.Match[str]) -> None:
        raw = self.buckets(NAMES[m["who"]])
        start = moment(m["time"], m["day"], self.as_of)
        problems = []
        if raw is None or self.period.liquidations != "1h":
            problems.append("no hourly liquidations")
        else:
            hours = raw.sum(axis=1)
            starts = pd.DatetimeIndex(hours.index)
            done = starts + HOUR <= self.as_of
            day = hours[(starts >= self.as_of - DAY) & done]
            month = hours[(starts >= self.as_of - 30 * DAY) & done]
            median = float(month.median())
            if day.empty or day.idxmax() != start:
                problems.append(f"the heaviest hour began at {None if day.empty else day.idxmax()}")
            elif not shows(m["usd"], float(day.max())):
                problems.append(f"it saw {day.max():.0f}")
            if not shows(m["med"], median) or not shows(m["x"], float(day.max()) / median):
                problems.append(f"the median hour was {median:.0f}")
        self.check("spike", text, problems)

    # --- funding ---

    def rates(self, asset: str) -> pd.Series:
        r = raw_funding(SHARED, asset)
        r = pd.Series(r.to_numpy(), index=pd.DatetimeIndex(r.index).floor("s"))
        return r[r.index <= self.as_of]

    def funding(self, text: str, m: re.Match[str]) -> None:
        assets = ["BTC", "ETH"] if m["both"] else [NAMES[m["who"]]]
        said = [m["r1"], m["r2"] or m["r1"]]
        yearly = [m["a1"] or m["b1"], m["a2"] or m["b2"] or m["a1"] or m["b1"]]
        problems = []
        for i, asset in enumerate(assets):
            r = self.rates(asset)
            pct = float(r.iloc[-1]) * 100
            if not shows(said[i], pct) or (said[i][0] == "+") != (pct > 0):
                problems.append(f"{asset}'s latest rate is {pct:+.5f} %")
            if r.index[-1] - r.index[-2] != 8 * HOUR or m["h"] != "8":
                problems.append(f"{asset}'s settlements are not 8 hours apart")
            reading = (
                "default"
                if abs(pct - DEFAULT_FUNDING) <= DEFAULT_BAND
                else "negative"
                if pct < 0
                else "above"
                if pct > DEFAULT_FUNDING
                else "below"
            )
            words = {
                "default": "the default rate",
                "above": "longs are paying up",
                "below": "under the default",
                "negative": "shorts are paying longs",
            }
            if words[reading] not in m["reading"]:
                problems.append(f"{asset}'s {pct:+.5f} % reads {reading}")
            if yearly[i] and not shows(yearly[i], pct * 3 * 365):
                problems.append(f"{asset}'s rate is {pct * 3 * 365:.2f} % a year")
        if m["to"]:
            counts = [m["n"], m["n2"] or m["n"]]
            for i, asset in enumerate(assets):
                problems += self._flip(asset, m["to"], m["day"], counts[i], latest=False)
        self.check("funding", text, problems)

    def _flip(
        self, asset: str, to: str, day: str | None, n: str, latest: bool, least: bool = False
    ) -> list[str]:
        """A flip to ``to`` on ``day`` (or at the latest print), after ``n`` prints of the old
        sign (a regime: 3 or more averaging 0.001 % or more), within 72 hours."""
        r = self.rates(asset)
        values, times = r.to_numpy(), pd.DatetimeIndex(r.index)
        new = to == "positive"
        since = int(np.cumprod((values[::-1] > 0) == new).sum())
        problems = []
        if since == 0:
            return [f"{asset}'s latest print is not {to}"]
        i = len(values) - since
        at = times[i]
        if latest and since != 1:
            problems.append(f"{since} prints of the new sign, not the latest alone")
        if day is not None and at.normalize().tz_convert(None) != span(day, self.as_of)[0]:
            problems.append(f"the flip was at {at}")
        run = int(np.cumprod((values[:i][::-1] > 0) != new).sum())
        mean = float(values[i - run : i].mean()) * 100 if run else 0.0
        if run != count(n) and not (least and run == i):
            problems.append(f"the run before was {run} prints")
        if run < 3 or abs(mean) < 0.001:
            problems.append(f"no regime before: {run} prints averaging {mean:.5f} %")
        if at < self.as_of - 72 * HOUR:
            problems.append("more than 72 hours ago")
        return problems

    def flip(self, text: str, m: re.Match[str]) -> None:
        latest = m["latest"] is not None
        problems = self._flip(
            NAMES[m["who"]], m["to"], m["day"], m["n"] or "0", latest, bool(m["least"])
        )
        self.check("funding", text, problems)

    def flip_headline(self, text: str, asset: str, to: str) -> None:
        r = self.rates(asset)
        values = r.to_numpy()
        new = to == "positive"
        since = int(np.cumprod((values[::-1] > 0) == new).sum())
        ok = since > 0 and r.index[len(values) - since] >= self.as_of - 72 * HOUR
        self.check("funding", text, [] if ok else [f"no flip to {to} in 72 hours"])

    # --- open interest ---

    def oi_change(self, body: str) -> tuple[float | None, str, list[str]]:
        """Bitcoin's open interest change over 24 hours to its latest reading (None when
        absent), the figure ``body`` ("1.6% for Bitcoin") says, and what is wrong."""
        oi = raw_open_interest(SHARED)
        oi = oi[oi.index <= self.as_of]
        said = re.findall(r"([\d.]+%) for (Bitcoin|Ether)", body)
        if [w for _, w in said] != ["Bitcoin"] or oi.empty:
            return None, "", ["open interest exists for Bitcoin alone"]
        at = oi.index[-1]
        ref = oi[oi.index <= at - DAY]
        if self.as_of - at > 2 * HOUR or ref.empty or at - DAY - ref.index[-1] > HOUR:
            return None, said[0][0], ["no reading 24 hours before the latest"]
        return (float(oi.iloc[-1]) / float(ref.iloc[-1]) - 1) * 100, said[0][0], []

    def open_interest(self, text: str, m: re.Match[str]) -> None:
        x, figure, problems = self.oi_change(m["body"])
        if x is not None and (not shows(figure, x) or (x > 0) != (m["verb"] == "rose")):
            problems.append(f"open interest changed {x:.2f} %")
        price = self.change("BTC", DAY)
        price_up = m["reading"].startswith("rose")
        if price_up != (price > 0):
            problems.append(f"the price moved {price:.2f} %")
        quadrant = {
            ("rose", True): "fresh positions",
            ("fell", True): "shorts closing",
            ("fell", False): "leverage being cut",
            ("rose", False): "positions added",
        }[(m["verb"], price_up)]
        if quadrant not in m["reading"]:
            problems.append(f"open interest {m['verb']} as the price moved: {quadrant}")
        self.check("open interest", text, problems)

    def steady(self, text: str, m: re.Match[str]) -> None:
        """Open interest the price does not read: little changed (under 0.5 % either way), or
        trimmed (added) while the price held within 1 %."""
        x, figure, problems = self.oi_change(m["body"] or m["body2"])
        little = m["verb"] is None
        if x is not None and not shows(figure.lstrip("\u2212+"), abs(x)):
            problems.append(f"open interest changed {x:.2f} %")
        if x is not None and little and abs(x) >= OI_LITTLE:
            problems.append(f"{x:.2f} % is no little change")
        if x is not None and not little:
            if abs(x) < OI_LITTLE or (x > 0) != (m["verb"] == "rose"):
                problems.append(f"open interest changed {x:.2f} %")
            price = self.change("BTC", DAY)
            if abs(price) >= PRICE_STEADY:
                problems.append(f"the price moved {price:.2f} %: it did not hold steady")
        self.check("open interest", text, problems)

    def accounts_split(self, text: str, m: re.Match[str]) -> None:
        """ "close to evenly divided, with 49% of Bitcoin accounts net long" (the majority
        under 55 %), or "Most Bitcoin accounts ... are net short (69%), as they have been
        since 21 April": the latest ratio, and the first row of the majority's unbroken run."""
        acc = raw_accounts(SHARED)
        acc = acc[acc.index <= self.as_of]
        problems = []
        if acc.empty or self.as_of - acc.index[-1] > 4 * HOUR:
            self.check("accounts", text, ["no account ratio at as-of"])
            return
        long = float(acc.iloc[-1])
        if m["even"] is not None:
            said = re.findall(r"(\d+%) of (Bitcoin|Ether) accounts", m["even"])
            if [w for _, w in said] != ["Bitcoin"] or not shows(said[0][0], long):
                problems.append(f"{long:.2f} % of Bitcoin accounts were net long")
            if max(long, 100 - long) >= EVEN_ACCOUNTS:
                problems.append(f"a {max(long, 100 - long):.1f} % majority is not even")
        else:
            side = long if m["side"] == "long" else 100 - long
            if m["who"] != "Bitcoin" or not shows(m["pct"], side) or side < EVEN_ACCOUNTS:
                problems.append(f"{side:.2f} % of accounts were net {m['side']}")
            on_side = acc > 50 if m["side"] == "long" else acc < 50
            off = on_side[~on_side.to_numpy()]
            start = acc.index[0] if off.empty else acc.index[acc.index > off.index[-1]][0]
            if m["since"] is None and not off.empty:
                problems.append(f"the majority began at {start}")
            if (
                m["since"] is not None
                and span(m["since"], self.as_of)[0] != start.tz_convert(None).normalize()
            ):
                problems.append(f"the majority began at {start}")
        self.check("accounts", text, problems)

    def liquidated(self, text: str, m: re.Match[str]) -> None:
        """The day's liquidations per asset over 24 hours (to as-of, or to the time said), and
        the shorts' share: each said, or both within 40-60 % ("split about evenly")."""
        end = self.squeeze_end(m["time"], m["day"])
        said = [(m["a"], m["w1"], m["s1"]), (m["b"], m["w2"], m["s2"])]
        problems = []
        for usd, who, share in [x for x in said if x[1] is not None]:
            window, found = self.window(NAMES[who], end)
            problems += found
            if window.empty:
                continue
            total = float(window.to_numpy().sum())
            shorts = float(window["short_usd"].sum()) / total if total else 0.0
            if not shows(usd, total):
                problems.append(f"{who}: {total:.0f} liquidated")
            if m["even"] is not None and not 1 - EVEN_LIQUIDATIONS < shorts < EVEN_LIQUIDATIONS:
                problems.append(f"{who}: shorts were {shorts:.3f} of it, not about half")
            if m["even"] is None and (share is None or not shows(share, shorts * 100)):
                problems.append(f"{who}: shorts were {shorts:.3f} of it")
        if m["even"] is None and all(
            1 - EVEN_LIQUIDATIONS < float(s.rstrip("%")) / 100 < EVEN_LIQUIDATIONS
            for s in (m["s1"], m["s2"])
            if s is not None
        ):
            problems.append("every side under 60 %: it was split about evenly")
        self.venues(text, m["venues"].strip() if m["venues"] else None)
        self.check("liquidated", text, problems)

    # --- macro and sentiment ---

    def dollar_day(self, text: str, m: re.Match[str]) -> list[str]:
        """The index's latest close ``close`` on ``day``, ``pct`` from the one before."""
        c = self.closes("DXY")
        problems = []
        x = (float(c.iloc[-1]) / float(c.iloc[-2]) - 1) * 100
        if c.index[-1] != span(m["day"], self.as_of)[0] or not shows(m["close"], float(c.iloc[-1])):
            problems.append(f"the latest close is {c.iloc[-1]} on {c.index[-1].date()}")
        if not shows(m["pct"], x) or (x > 0) != (m["verb"] == "rose"):
            problems.append(f"the index moved {x:.3f} %")
        return problems

    def dollar(self, text: str, m: re.Match[str]) -> None:
        """The index's day beside Bitcoin's 24-hour move (and the level it broke, if said)."""
        problems = self.dollar_day(text, m)
        lead = self.change("BTC", DAY)
        reading = {
            "a weaker dollar alongside the crypto rally": ("fell", True),
            "but the weaker dollar brought no crypto bounce": ("fell", False),
            "a firmer dollar alongside the crypto slide": ("rose", False),
            "yet crypto rose against the firmer dollar": ("rose", True),
        }[m["reading"]]
        if reading != (m["verb"], lead > 0):
            problems.append(f"Bitcoin moved {lead:.2f} % in 24 hours")
        if abs(lead) < DOLLAR_MOVE:
            problems.append(f"Bitcoin's {lead:+.3f} % is neither a rally nor a slide")
        self.check("dollar", text, problems)
        if m["level"]:
            self.level(text, "DXY", m["side"], amount(m["level"]), m)

    def dollar_way(self, text: str, way: str) -> None:
        c = self.closes("DXY")
        x = float(c.iloc[-1]) / float(c.iloc[-2]) - 1
        ok = (x < 0) == (way == "weakens")
        self.check("dollar", text, [] if ok else [f"the index moved {x * 100:.3f} %"])

    def fear_greed(self, text: str, m: re.Match[str]) -> None:
        fg = raw_fear_greed(SHARED)
        fg = fg[fg.index <= self.as_of]
        now = fg.iloc[-1]
        problems = []
        if self.as_of - fg.index[-1] > 2 * DAY:
            problems.append("the index is stale")
        if not shows(m["v"], float(now["value"])) or (m["c"] and m["c"] != now["classification"]):
            problems.append(f"the index read {now['value']} ({now['classification']})")
        week = fg[fg.index == fg.index[-1] - 7 * DAY]
        said = m.groupdict()
        if said.get("verb") and not week.empty:
            change = float(now["value"]) - float(week["value"].iloc[0])
            verb = {"rose": 1, "up": 1, "fell": -1, "down": -1}.get(said["verb"], 0)
            if np.sign(change) != verb or (said.get("n") and int(said["n"]) != abs(change)):
                problems.append(f"it moved {change:+.0f} points in a week")
        elif said.get("verb"):
            problems.append("no reading a week before")
        old = said.get("old")
        if old and (week.empty or week["classification"].iloc[0] != old):
            problems.append("it did not read that a week before")
        if said.get("record"):
            if float(now["value"]) >= EXTREME_GREED:
                problems.append("the index is at extreme greed")
            if not self.new_record(NAMES[said["record"]]):
                problems.append("no record in 24 hours")
        self.check("fear & greed", text, problems)

    def fomc(self, text: str, m: re.Match[str]) -> None:
        cal = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "fomc_meetings.csv")
        dates = pd.to_datetime(cal["date"])
        today = self.as_of.tz_convert(None).normalize()
        ahead = cal[dates >= today]
        problems = []
        if ahead.empty:
            problems.append("no meeting ahead")
        else:
            when = pd.Timestamp(ahead["date"].iloc[0])
            days = (when - today).days
            if f"{when.day} {when.month_name()}" != m["day"] or (m["n"] and int(m["n"]) != days):
                problems.append(f"the next decision is on {when.date()}, in {days} days")
            if bool(m["sep"]) != (str(ahead["sep"].iloc[0]).lower() == "true"):
                problems.append("the projections are said wrongly")
            if days > FOMC_DAYS:
                problems.append(f"more than {FOMC_DAYS} days away")
        self.check("fomc", text, problems)

    # --- What to watch ---

    def watch(self, text: str, m: re.Match[str]) -> None:
        asset = NAMES[m["who"]]
        last = float(self.fine(asset).iloc[-1])
        up = m["ref"] == "holding the level it cleared" or m["to"] == "hold"
        problems = []
        if m["support"] is None:
            said = self.broken.get(asset)
            if said is None or (said[1] == "above") != up:
                problems.append("the note said no such break")
                support = last
            else:
                support = said[0]
        else:
            support = amount(m["support"])
            rng = self.ranges.get(asset)
            edge = None if rng is None else (rng[1] if up else rng[0])
            if rng is None or (rng[2] == "above") != up or not shows(m["support"], edge or 0.0):
                problems.append(f"{support:g} is not the edge of the range the note said")
        if (last > support) != up:
            problems.append(f"the price ({last}) is not {'above' if up else 'below'} {support:g}")
        self.supports[asset] = support
        ahead, behind = ("above", "below") if up else ("below", "above")
        if (m["s1"], m["s2"]) != (ahead, behind):
            problems.append("the sides are the wrong way round")
        for which, side in ((1, ahead), (2, behind)):
            problems += self._target(m, which, side, last, support, behind=which == 2)
        self.check("watch", text, problems)

    def _target(
        self, m: re.Match[str], which: int, side: str, last: float, support: float, behind: bool
    ) -> list[str]:
        """A level to watch ahead of the price (``behind``: beyond the support), as
        ``outlook.levels`` defines it: ahead, the nearer of the roundest level 1-5 % beyond the
        price and the model's nearest cluster of the side liquidated there; behind, the
        nearest cluster beyond the support, else the roundest level 1-5 % beyond it."""
        asset = NAMES[m["who"]]
        kind, said = ("cluster", m[f"c{which}"]) if m[f"c{which}"] else ("round", m[f"r{which}"])
        problems = []
        if kind == "cluster":
            self.clusters_named = True
            if (m[f"k{which}"] == "short") != (side == "above"):
                problems.append(f"{m[f'k{which}']}s are not liquidated {side} the price")
        want, at = self.outlook_level(asset, side, last, support, behind)
        if self.clusters(asset, short=side == "above") is not None:
            self.modelled.append(f"{asset} {'downside' if behind else 'target'}: {kind}")
        if (kind, want) == ("round", "round"):
            ok = math.isclose(amount(said), at)
        else:
            ok = kind == want and shows(said, at)
        if not ok:
            problems.append(f"the level {side} it is the {want} one at {at:.2f}")
        return problems

    def outlook_level(
        self, asset: str, side: str, last: float, support: float, behind: bool
    ) -> tuple[str, float]:
        """(``round`` or ``cluster``, price) of ``outlook.levels``' target (or, ``behind``,
        its downside), from the model's clusters recomputed here when the snapshot lets the
        model run for ``asset``."""
        up = side == "above"
        found = self.clusters(asset, short=up) or []
        if behind:
            beyond = [p for p in found if (p > support if up else p < support)]
            return ("cluster", beyond[0]) if beyond else ("round", roundest(support, up))
        best = roundest(last, up)
        if found and abs(found[0] - last) < abs(best - last):
            return "cluster", found[0]
        return "round", best

    def clusters(self, asset: str, short: bool) -> list[float] | None:
        """The model's cluster prices of one side, nearest the price first (``tests/
        real_levels.py``), when the snapshot holds the open interest and hourly candles it
        runs on (None: it does not)."""
        has = {d: (self.snapshot / d / f"{asset}.csv").exists() for d in MODEL_INPUTS}
        if not (has["open_interest"] and has["candles_1h"]):
            return None
        assert not has["long_short"], "the recomputed model splits longs by candle direction"
        return cluster_prices(self.period.hourly, asset, self.as_of, short)

    def base_rate(self, text: str, m: re.Match[str]) -> None:
        asset = NAMES[m["who"]]
        events = self.events(m["event"], asset)
        problems = []
        if events is None:
            self.check("history", text, [f"an event not recomputed: {m['event']}"])
            return
        daily = candles(asset)
        as_of = self.as_of.to_pydatetime()
        expected = _expected([e for e in events if e < as_of], daily, as_of)
        higher, median = expected["7d"][0], expected["7d"][1]
        since = pd.Timestamp(expected["since"])
        if (expected["cases"], higher) != (int(m["n"]), int(m["k"])):
            problems.append(f"{higher} of {expected['cases']}")
        if not within(since, m["since"], self.as_of):
            problems.append(f"since {since.date()}")
        if m["med"] and not shows(m["med"], median):
            problems.append(f"the median was {median:.2f} %")
        self.check("history", text, problems)

    def events(self, event: str, asset: str) -> list[datetime] | None:
        """The times of the earlier cases of the event a base rate names, from the raw files."""
        if m := re.fullmatch(
            r"a first daily close (above|below) a multiple of \$([\d,]+) after (\d+) days or more",
            event,
        ):
            if (amount(m[2]), int(m[3])) != (MAJOR[asset], MIN_AGE):
                return None  # not the rule of the level breaks the note reports
            return first_closes(asset, amount(m[2]), m[1], int(m[3]))
        short = r"a first daily close (above|below) a \$([\d,]+) multiple in (\d+) days or more"
        if m := re.fullmatch(short, event):
            if (amount(m[2]), int(m[3])) != (MAJOR[asset], MIN_AGE):
                return None
            return first_closes(asset, amount(m[2]), m[1], int(m[3]))
        if m := re.fullmatch(r"a record high after (30) days or more without one", event):
            return records(asset, int(m[1]))
        if m := re.fullmatch(r"a (long|short) squeeze", event):
            return self.squeezes(asset, m[1])
        if m := re.fullmatch(r"funding flipping (positive|negative)", event):
            return [t for t, s in flips(asset) if (s > 0) == (m[1] == "positive")]
        if m := re.fullmatch(r"a new all-time high after (30) days or more without one", event):
            return records(asset, int(m[1]))
        if m := re.fullmatch(r"a daily (rise|fall) of (5)% or more", event):
            return big_days(asset, float(m[2]), m[1] == "rise")
        market = market_events(event)
        if market is not None:
            return market
        squeeze = (
            r"a (long|short) squeeze \(the price (?:down|up) 2% or more in "
            r"24 hours, (?:longs|shorts) "
            r"70% or more of liquidations running at 3 times their 30-day median or more\)"
        )
        if m := re.fullmatch(squeeze, event):
            return self.squeezes(asset, m[1])
        return None

    def squeezes(self, asset: str, side: str) -> list[datetime]:
        """Bucket ends whose 24 hours make a squeeze of ``side`` (the rule of ``squeezed``)."""
        raw = self.buckets(asset)
        if raw is None:
            return []
        length = pd.Series(raw.index).diff().median()
        n = round(DAY.total_seconds() / pd.Timedelta(length).total_seconds())
        total = raw.sum(axis=1).rolling(n).sum()
        col = (raw["short_usd"] if side == "short" else raw["long_usd"]).rolling(n).sum()
        ends = raw.index + length
        total.index, col.index = ends, ends
        h = raw_hourly(SHARED, self.period.hourly, asset)
        found = []
        for end in ends[(ends <= self.as_of)]:
            t = total[end]
            if not t > 0 or col[end] < SQUEEZE_SHARE * t:
                continue
            window = total[(total.index > end - 30 * DAY) & (total.index <= end)]
            if t < SQUEEZE_MULTIPLE * float(window.median()):
                continue
            if end not in h.index or end - DAY not in h.index:
                continue
            x = (h[end] / h[end - DAY] - 1) * 100
            if (x if side == "short" else -x) >= SQUEEZE_MOVE:
                found.append(end.to_pydatetime())
        return found

    # --- the foot: stale and absent data ---

    def newest(self, dataset: str, asset: str | None) -> pd.Timestamp | None:
        """When the newest row of a snapshot table known at as-of ends (None: none known)."""
        path = self.snapshot / (f"{dataset}.csv" if asset is None else f"{dataset}/{asset}.csv")
        if not path.exists():
            return None
        t = pd.DatetimeIndex(pd.to_datetime(pd.read_csv(path)["time"], utc=True))
        length = {"candles_1d": DAY, "dxy": DAY, "candles_1h": HOUR}.get(dataset, pd.Timedelta(0))
        if dataset == "liquidations" and len(t) > 1:
            length = pd.Series(t).diff().median()
        ends = t + length
        known = ends[ends <= self.as_of]
        return None if known.empty else known.max()

    def gaps(self, text: str, kind: str) -> None:
        """The "Not covered today" (absent) or "Stale data" line, against the snapshot's
        tables: every absent (stale) table listed, and nothing else."""
        said: set[tuple[str, str | None]] = set()
        for part in text.split("; "):
            nouns, _, who = part.partition(" for ")
            who = re.sub(r" end at .*", "", who)
            for noun in re.split(r", | and ", nouns.strip()):
                for name in re.split(r", | and ", who) if who else [""]:
                    said.add((STALE[noun][0], NAMES.get(name)))
        real: set[tuple[str, str | None]] = set()
        for dataset, limit in STALE.values():
            for asset in ("BTC", "ETH") if dataset not in ("dxy", "fear_greed") else (None,):
                newest = self.newest(dataset, asset)
                gone = newest is None
                stale = newest is not None and self.as_of - newest > limit
                if (gone and kind == "absent") or (stale and kind == "stale"):
                    real.add((dataset, asset))
        problems = [] if said == real else [f"the tables are {sorted(real, key=str)}"]
        if kind == "stale":
            for dataset, asset in said:
                newest = self.newest(dataset, asset)
                m = re.search(
                    r"end at (\d{1,2} [A-Z][a-z]+ \d{4}), (\d\d:\d\d) UTC, (\d+) hours", text
                )
                if m is None or newest is None:
                    problems.append("no end said")
                    continue
                end = pd.Timestamp(f"{span(m[1], self.as_of)[0].date()} {m[2]}", tz="UTC")
                if end != newest or int(m[3]) != (self.as_of - newest) / HOUR:
                    problems.append(f"{dataset} of {asset} ends at {newest}")
        self.check(kind, text, problems)


# --- the raw events of base rates (the rules of tests/test_real_base_rates.py, any asset) ------


def candles(asset: str) -> dict[datetime, Candle]:
    """The daily candles of ``asset`` as tests/test_real_base_rates.py keys them (the Dollar
    Index's closes only: its low is its close)."""
    if asset == "DXY":
        c = raw_dxy(SHARED)
        return {
            (t := pd.Timestamp(str(day)).to_pydatetime().replace(tzinfo=UTC) + timedelta(days=1)): (
                Candle(t, float(close), float(close))
            )
            for day, close in c.items()
        }
    d = raw_daily(SHARED, asset)
    out = {}
    for day, row in d.iterrows():
        closed = pd.Timestamp(str(day)).to_pydatetime().replace(tzinfo=UTC) + timedelta(days=1)
        out[closed] = Candle(closed, float(row["close"]), float(row["low"]))
    return out


def market_events(event: str) -> list[datetime] | None:
    """The times of the earlier cases of a market-wide event (Fear & Greed at an extreme, a
    first DXY close beyond a whole-number level) a base rate names; None for another event."""
    fear_greed = (
        r"a Crypto Fear & Greed reading of (25|75) or (below|above) \(extreme (?:fear|greed)\)"
    )
    if m := re.fullmatch(fear_greed, event):
        fg = raw_fear_greed(SHARED)
        hit = fg["value"] <= float(m[1]) if m[2] == "below" else fg["value"] >= float(m[1])
        return [t.to_pydatetime() for t in fg.index[hit.to_numpy()]]
    dxy = (
        r"a first close of the US Dollar Index (above|below) a whole-number level after "
        r"(\d+) days or more"
    )
    if (m := re.fullmatch(dxy, event)) and int(m[2]) == MIN_AGE:
        return first_closes("DXY", MAJOR["DXY"], m[1], int(m[2]))
    return None


def first_closes(asset: str, step: float, side: str, min_age: int) -> list[datetime]:
    """Close times of daily closes of ``asset`` beyond a multiple of ``step`` that no close
    of the ``min_age - 1`` days before reached (and ``min_age`` days into the history)."""
    return first_closes_beyond(candles(asset), step, side, min_age)


def flips(asset: str) -> list[tuple[datetime, int]]:
    """Each flip after a run of 3 or more prints of the old sign averaging 0.001 % either way."""
    r = raw_funding(SHARED, asset)
    prints = [
        (pd.Timestamp(t).to_pydatetime().replace(microsecond=0), float(v))
        for t, v in zip(r.index, r.to_numpy(), strict=True)
        if v
    ]
    return flip_times(prints)


def records(asset: str, gap_days: int) -> list[datetime]:
    """Days of a new all-time high (daily highs) after ``gap_days`` or more without one."""
    d = raw_daily(SHARED, asset)
    best, last, found = -math.inf, None, []
    for day, high in d["high"].items():
        if high > best:
            when = pd.Timestamp(str(day)).to_pydatetime().replace(tzinfo=UTC) + timedelta(hours=12)
            if last is not None and (when - last).days >= gap_days:
                found.append(when)
            best, last = float(high), when
    return found


def big_days(asset: str, min_pct: float, up: bool) -> list[datetime]:
    """Close times of daily close-to-close moves of ``min_pct`` or more the given way."""
    c = raw_daily(SHARED, asset)["close"]
    moves = (c / c.shift(1) - 1) * 100
    hit = moves >= min_pct if up else moves <= -min_pct
    return [
        pd.Timestamp(t).to_pydatetime().replace(tzinfo=UTC) + timedelta(days=1)
        for t in c.index[hit.to_numpy()]
    ]
