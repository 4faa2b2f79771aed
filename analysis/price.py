"""Price facts: last price, changes, all-time high, round-level breaks, ranges, weekly gains.

``candles`` is the finest series the snapshot has for the asset (hourly, else daily);
``daily`` is always the daily series. Every frame is already cut at ``as_of``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.base import (
    Reading,
    close_at_or_before,
    closes,
    day,
    iso,
    pct_change,
    since_score,
    stamp,
)
from analysis.registry import Registry, always, fixed
from models import Dataset, Fact, JSONValue, fact_key
from settings import NarrativeSettings
from values import (
    ChangeRank,
    Direction,
    LargerGain,
    LargerMove,
    NarrowerRange,
    PriceLevelBreak,
    PriorRange,
    TradingRange,
    WeeklyGainRank,
    as_number,
    as_value,
    fact_of,
)

DAY = pd.Timedelta(days=1)
STOOD_DAYS = 7
"""A previous all-time high counts as the record broken when it stood this many days."""
BREAK_WINDOW = pd.Timedelta(hours=48)
"""How recent a round-level break must be."""
YEAR = pd.Timedelta(days=365)

register = Registry(section="price")


@register("price.last")
def last(candles: Dataset) -> Reading[float] | None:
    """Close of the newest closed candle, in USD."""
    c = closes(candles)
    if c.empty:
        return None
    return Reading(float(c.iloc[-1]), "USD", (candles,), {"time": iso(c.index[-1])})


def _change(candles: Dataset, back: pd.Timedelta) -> Reading[float] | None:
    c = closes(candles)
    if c.empty:
        return None
    then = c.index[-1] - back
    old = close_at_or_before(candles, then)
    ref = c[c.index <= then]
    if old is None or then - ref.index[-1] >= (candles.interval or DAY):
        return None
    evidence = {"close": float(c.iloc[-1]), "time": iso(c.index[-1])}
    evidence |= {"previous_close": old, "previous_time": iso(ref.index[-1])}
    return Reading(pct_change(float(c.iloc[-1]), old), "pct", (candles,), evidence)


def _score_24h(fact: Fact) -> float:
    """10 plus 8 per percent moved, at most 70."""
    return min(70.0, 10.0 + 8.0 * abs(as_number(fact)))


@register("price.change_24h_pct", score=_score_24h)
def change_24h_pct(candles: Dataset) -> Reading[float] | None:
    """Percent change of the last close against the close 24 hours earlier."""
    return _change(candles, pd.Timedelta(hours=24))


def _score_change_rank(fact: Fact) -> float:
    """90 when no daily move of its sign in the history was larger, else 40 plus a point per 6
    days since the most recent larger one, at most 90."""
    larger = as_value(fact, ChangeRank).previous_larger
    return since_score(
        None if larger is None else larger.date, fact.as_of, never=90.0, base=40.0, most=50.0
    )


def _worth_change_rank(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when the move is at least ``change_rank_min_pct`` (3 %) either way and the most
    recent larger daily move of its sign is at least ``change_rank_min_days`` (90) days back
    (with none larger: when the history compared spans that many days)."""
    v = as_value(fact, ChangeRank)
    days = v.history_days if v.previous_larger is None else v.previous_larger.days_ago
    return abs(v.pct) >= narrative.change_rank_min_pct and days >= narrative.change_rank_min_days


@register("price.change_24h_rank", score=_score_change_rank, worth=_worth_change_rank)
def change_24h_rank(candles: Dataset, daily: Dataset) -> Reading[ChangeRank] | None:
    """The 24 h move (``price.change_24h_pct``: the last close against the close 24 hours
    earlier) read against the daily moves of the history known at as-of.

    The moves compared are the daily close-to-close changes (a daily close against the one a
    day before it) of the move's sign, of every daily candle that closed before the 24 h
    move's last close: one that overlaps the 24 hours is compared too (a reader sees it on
    the daily chart), not one that ends with them (at 00:00 it is the 24 h move itself).
    ``previous_larger`` is the most recent of
    them strictly larger (a gain above the gain, a drop below the drop); None when there is
    none, so the move is the largest since ``history_start``, the first daily move compared.
    Absent when the move is 0 or no daily move precedes it.
    """
    now = change_24h_pct(candles)
    if now is None or now.value == 0:
        return None
    c = closes(daily)
    moves = ((c / c.shift(1) - 1.0) * 100.0)[c.index.to_series().diff() == DAY]
    moves = moves[moves.index < pd.Timestamp(str(now.evidence["time"]))]
    if moves.empty:
        return None
    up = now.value > 0
    same = moves[moves > 0] if up else moves[moves < 0]
    larger = same[same > now.value] if up else same[same < now.value]
    end = pd.Timestamp(str(now.evidence["time"])).floor("D")
    start = stamp(moves.index[0]) - DAY
    previous = None
    if not larger.empty:
        when = stamp(larger.index[-1]) - DAY
        previous = LargerMove(day(when), float(larger.iloc[-1]), (end - when.floor("D")).days)
    direction: Direction = "up" if up else "down"
    value = ChangeRank(now.value, direction, previous, day(start), (end - start).days)
    evidence = dict(now.evidence) | {"moves_compared": len(same)}
    evidence |= {"history_end": day(stamp(moves.index[-1]) - DAY)}
    return Reading(value, "rank", (candles, daily), evidence)


def _score_7d(fact: Fact) -> float:
    """5 plus 3 per percent moved, at most 50."""
    return min(50.0, 5.0 + 3.0 * abs(as_number(fact)))


@register("price.change_7d_pct", score=_score_7d)
def change_7d_pct(candles: Dataset) -> Reading[float] | None:
    """Percent change of the last close against the close 7 days earlier."""
    return _change(candles, pd.Timedelta(days=7))


def _score_intraday(fact: Fact) -> float:
    """5 plus 4 per percent moved, at most 30."""
    return min(30.0, 5.0 + 4.0 * abs(as_number(fact)))


def _worth_intraday(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when it moved at least ``intraday_min_pct`` (3 %) either way, or at least
    ``intraday_against_min_pct`` (1 %) against the 24 h move."""
    move = as_number(fact)
    day_move = fact_of(facts, fact.asset, "price.change_24h_pct")
    against = day_move is not None and move * as_number(day_move) < 0
    return abs(move) >= narrative.intraday_min_pct or (
        against and abs(move) >= narrative.intraday_against_min_pct
    )


@register("price.intraday_pct", score=_score_intraday, worth=_worth_intraday)
def intraday_pct(hourly: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """Percent change of the last close since the open of the current UTC day."""
    today = as_of.floor("D")
    frame = hourly.frame[hourly.frame.index >= today]
    if frame.empty:
        return None
    opened, last_close = float(frame["open"].iloc[0]), float(frame["close"].iloc[-1])
    evidence = {"day": day(today), "open": opened, "close": last_close}
    return Reading(pct_change(last_close, opened), "pct", (hourly,), evidence)


VOLUME_DAYS = 30
"""Earlier 24-hour windows the day's volume is compared with."""


def _worth_volume(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when the day's volume is at least ``volume_heavy_pct`` (100 %: double) above the
    median or at least ``volume_thin_pct`` (50 %: half) below it."""
    x = as_number(fact)
    return x >= narrative.volume_heavy_pct or x <= -narrative.volume_thin_pct


@register("price.volume_24h_pct", worth=_worth_volume, background=always)
def volume_24h_pct(hourly: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """Percent difference of the volume (base units, on the candles' venue) of the 24 hourly
    candles to the last one from the median of the 30 earlier 24-hour windows ending at the
    same hour of each day (None with fewer than 31 days of hours or a missing hour today)."""
    volume = hourly.frame["volume"].astype(float)
    if len(volume) < 24 * (VOLUME_DAYS + 1):
        return None
    day_sums = volume.rolling("24h").sum()
    ends = [day_sums.index[-1] - pd.Timedelta(hours=24 * k) for k in range(VOLUME_DAYS + 1)]
    full = volume.rolling("24h").count().iloc[-1] == 24
    if not full or not all(e in day_sums.index for e in ends):
        return None
    now, earlier = float(day_sums[ends[0]]), day_sums[ends[1:]]
    median = float(earlier.median())
    if median <= 0:
        return None
    end = stamp(day_sums.index[-1]) + (hourly.interval or pd.Timedelta(hours=1))
    evidence = {"volume": now, "median_volume": median, "to": iso(end), "days": VOLUME_DAYS}
    evidence["ends_at_as_of"] = bool(end == as_of)
    times = now / median
    evidence["times"] = round(times, 1) if times >= 2.0 else None
    return Reading(pct_change(now, median), "pct", (hourly,), evidence)


def _ath(daily: Dataset, hourly: Dataset | None) -> tuple[float, pd.Timestamp, pd.Timedelta]:
    """Highest high of all closed candles, when its candle opened, and that candle's length."""
    best = daily.frame["high"]
    high, at, length = float(best.max()), stamp(best.idxmax()), daily.interval or DAY
    if hourly is not None and not hourly.frame.empty:
        h = hourly.frame["high"]
        # Hourly candles pin the time down to the hour; they may also hold today's new high.
        if float(h.max()) >= high:
            high, at, length = float(h.max()), stamp(h.idxmax()), hourly.interval or DAY
    return high, at, length


def _worth_ath(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said on a new record, or when the price is less than ``ath_near_pct`` (5 %) below the
    high."""
    record = fact_of(facts, fact.asset, "price.new_ath")
    below = fact_of(facts, fact.asset, "price.pct_below_ath")
    near = below is None or as_number(below) < narrative.ath_near_pct
    return near or (record is not None and record.value is True)


@register("price.ath", worth=_worth_ath)
def ath(daily: Dataset, hourly: Dataset | None = None) -> Reading[float] | None:
    """Highest high of all closed candles in the snapshot's history, in USD."""
    if daily.frame.empty:
        return None
    high, at, length = _ath(daily, hourly)
    used = (daily,) if hourly is None else (daily, hourly)
    evidence = {"time": iso(at), "candle": _label(length)}
    evidence["history_start"] = day(daily.frame.index[0])
    return Reading(high, "USD", used, evidence)


def _score_below_ath(fact: Fact) -> float:
    """30 within 5 % of the high, else 8."""
    return 30.0 if as_number(fact) < 5.0 else 8.0


@register("price.pct_below_ath", score=_score_below_ath, worth=_worth_ath, background=always)
def pct_below_ath(
    candles: Dataset, daily: Dataset, hourly: Dataset | None = None
) -> Reading[float] | None:
    """How far the last close sits below the all-time high: (ath − last) / ath × 100."""
    c = closes(candles)
    if c.empty or daily.frame.empty:
        return None
    high, at, _ = _ath(daily, hourly)
    last_close = float(c.iloc[-1])
    evidence = {"ath": high, "ath_time": iso(at), "last": last_close}
    return Reading((high - last_close) / high * 100.0, "pct", (daily, candles), evidence)


@register("price.new_ath", score=fixed(100.0))
def new_ath(
    daily: Dataset, as_of: pd.Timestamp, hourly: Dataset | None = None
) -> Reading[bool] | None:
    """True when the all-time high was set by a candle lying wholly in the last 24 hours.

    ``previous_ath`` is the record the current run broke: the latest daily record high that
    then stood for at least 7 days (``STOOD_DAYS``; records set on the way up do not count).
    """
    if daily.frame.empty:
        return None
    high, at, length = _ath(daily, hourly)
    if at < as_of - pd.Timedelta(hours=24):
        return None
    evidence: dict[str, Any] = {"ath": high, "time": iso(at), "candle": _label(length)}
    highs = _days(daily, hourly)["high"]
    records = highs[highs > highs.cummax().shift(fill_value=0.0)]
    stood = pd.Series(records.index, index=records.index).diff(-1).abs()
    standing = records[(stood >= pd.Timedelta(days=STOOD_DAYS)) & (records < high)]
    if not standing.empty:
        evidence |= {"previous_ath": float(standing.iloc[-1])}
        evidence |= {"previous_ath_date": day(stamp(standing.index[-1]))}
    used = (daily,) if hourly is None else (daily, hourly)
    return Reading(True, "bool", used, evidence)


def _label(length: pd.Timedelta) -> str:
    return "1h" if length < DAY else "1d"


def round_step(price: float) -> float:
    """The finest round step considered near ``price``: 1 % of it, down to a power of ten."""
    return float(10 ** math.floor(math.log10(price * 0.01)))


def significance(level: float, step: float) -> tuple[int, float]:
    """Sort key of a round level: more trailing zeros (in units of ``step``) first, then larger."""
    n, zeros = round(level / step), 0
    while n and n % 10 == 0:
        n, zeros = n // 10, zeros + 1
    return zeros, level


@dataclass(frozen=True)
class LevelRule:
    """Which round levels a break may be about, and how long unseen they must be.

    ``major`` levels are those readers watch (every $5,000 of Bitcoin); a multiple of ``minor``
    (every $1,000) that is not a major level counts only when unseen at a daily close for
    ``minor_unseen_days``; and no level counts when it was closed beyond within
    ``min_age_days`` before the break (so "for the first time since" is never said of a few
    days).
    """

    major: float
    minor: float | None
    min_age_days: int
    minor_unseen_days: int

    @property
    def finest(self) -> float:
        """The step candidate levels are taken in."""
        return self.minor or self.major

    def is_major(self, level: float) -> bool:
        """Whether ``level`` is a multiple of the major step."""
        return math.isclose(level / self.major, round(level / self.major), abs_tol=1e-9)


def level_rule(
    asset: str | None,
    price: float,
    *,
    major_steps: Mapping[str, float],
    minor_steps: Mapping[str, float],
    min_age_days: int,
    minor_unseen_days: int,
) -> LevelRule:
    """The level rule of ``asset`` at ``price``: its steps in ``major_steps`` and
    ``minor_steps`` (an asset in the first but not the second has no minor levels), else by the
    price's scale: 5 and 1 times the power of ten below the price's (5,000 and 1,000 from
    10,000 to 99,999; 500 and 100 from 1,000 to 9,999).
    """
    unit = float(10 ** (math.floor(math.log10(price)) - 1))
    minor: float | None
    if asset is not None and asset in major_steps:
        major, minor = float(major_steps[asset]), minor_steps.get(asset)
    else:
        major, minor = 5.0 * unit, minor_steps.get(asset or "", unit)
    minor = None if minor is None else float(minor)
    return LevelRule(major, minor, min_age_days, minor_unseen_days)


@dataclass(frozen=True)
class Crossing:
    """A round level a series crossed and is still beyond (see ``crossing``)."""

    level: float
    direction: Direction
    previous_close_beyond: str | None
    """Trading date of the last daily close beyond the level before the run of closes now
    beyond it (None: never)."""
    closes_beyond: int
    """Daily closes in a row beyond the level, up to the latest (0: none yet)."""
    evidence: dict[str, JSONValue]
    """crossed_at, beyond_since, reference_close, reference_time, last, closes_beyond."""


@dataclass(frozen=True)
class _Run:
    """How the daily closes stand against one candidate level."""

    closes: int
    """Trailing closes beyond the level."""
    start: pd.Timestamp | None
    """Close time of the first of them (None when there are none)."""
    previous: pd.Timestamp | None
    """Close time of the last close beyond it before them (None: never)."""


def _run(daily_close: pd.Series, level: float, up: bool) -> _Run:
    beyond = (daily_close > level) if up else (daily_close < level)
    flags = beyond.to_numpy()
    inside = [i for i, b in enumerate(flags) if not b]
    first = inside[-1] + 1 if inside else 0
    earlier = [i for i, b in enumerate(flags[: first - 1] if first else []) if b]
    return _Run(
        closes=len(flags) - first,
        start=stamp(daily_close.index[first]) if first < len(flags) else None,
        previous=stamp(daily_close.index[earlier[-1]]) if earlier else None,
    )


def _qualifies(run: _Run, level: float, now: pd.Timestamp, rule: LevelRule) -> bool:
    """Whether a level with this run may be reported under ``rule`` (age from the break day:
    the run's first close, else the day the price is trading in)."""
    if run.previous is None:
        return True
    broke = (run.start - DAY) if run.start is not None else now.floor("D")
    age = (broke.floor("D") - (run.previous - DAY).floor("D")).days
    unseen = rule.min_age_days if rule.is_major(level) else rule.minor_unseen_days
    return age >= max(unseen, rule.min_age_days)


def crossing(
    fine: pd.Series, daily_close: pd.Series, *, window: pd.Timedelta, rule: LevelRule
) -> Crossing | None:
    """The most significant level of ``rule`` that ``fine`` crossed within ``window``.

    ``fine`` and ``daily_close`` are closes indexed by close time. A level is crossed within
    the window when it lies strictly between the reference close (the last ``fine`` close at
    or before ``window`` before the last one) and the last close, and any run of daily closes
    beyond it began after the reference (price crossed and recrossed in between: only the net
    crossing counts, timed by the last ``fine`` close on the other side). Of those that
    ``rule`` admits, major levels come first, then more trailing zeros, then the larger.
    """
    if fine.empty:
        return None
    last_close, now = float(fine.iloc[-1]), stamp(fine.index[-1])
    before = fine[fine.index <= now - window]
    if before.empty or float(before.iloc[-1]) == last_close:
        return None
    ref, ref_time = float(before.iloc[-1]), stamp(before.index[-1])
    up = last_close > ref
    lo, hi = sorted((ref, last_close))
    step = rule.finest
    found: list[tuple[tuple[bool, int, float], float, _Run]] = []
    for k in range(math.floor(lo / step) + 1, math.ceil(hi / step)):
        level = k * step
        if not lo < level < hi:
            continue
        run = _run(daily_close, level, up)
        if run.start is not None and run.start <= ref_time:
            continue
        if _qualifies(run, level, now, rule):
            zeros, _ = significance(level, step)
            found.append(((rule.is_major(level), zeros, level), level, run))
    if not found:
        return None
    _, level, run = max(found, key=lambda x: x[0])
    on_other_side = fine[fine <= level] if up else fine[fine >= level]
    crossed_at = stamp(on_other_side.index[-1])
    beyond_since = stamp(fine.index[fine.index > crossed_at][0])
    evidence: dict[str, JSONValue] = {"crossed_at": iso(crossed_at)}
    evidence |= {"beyond_since": iso(beyond_since), "reference_close": ref}
    evidence |= {"reference_time": iso(ref_time), "last": last_close}
    evidence |= {"closes_beyond": run.closes}
    return Crossing(
        level=level,
        direction="up" if up else "down",
        previous_close_beyond=None if run.previous is None else day(run.previous - DAY),
        closes_beyond=run.closes,
        evidence=evidence,
    )


def _score_break(fact: Fact) -> float:
    """95 for a level never closed beyond before, else 55 plus a point per 6 days since the
    last close beyond it, at most 90."""
    since = as_value(fact, PriceLevelBreak).previous_close_beyond
    return since_score(since, fact.as_of, never=95.0, base=55.0, most=35.0)


@register("price.level_break", score=_score_break)
def level_break(
    candles: Dataset,
    daily: Dataset,
    *,
    level_major_steps: dict[str, float],
    level_minor_steps: dict[str, float],
    level_min_age_days: int,
    level_minor_unseen_days: int,
) -> Reading[PriceLevelBreak] | None:
    """The most significant round price level crossed in the last 48 hours and still beyond.

    Levels readers watch: multiples of the asset's major step (``level_major_steps``: $5,000
    for Bitcoin, $500 for Ether), or of its minor step (``level_minor_steps``: $1,000, $100)
    when no daily close was beyond it for ``level_minor_unseen_days`` (30). No level counts
    when a daily close was beyond it less than ``level_min_age_days`` (14) before the break
    day (the first daily close of the run below, else the day the price is trading in), so
    "for the first time since" is never said of a few days. Among those that count: major
    levels first, then more trailing zeros, then the larger.

    Crossed in the last 48 hours: the level lies strictly between the reference close (the
    last close at or before 48 hours before the last one) and the last close, and any run of
    daily closes beyond it began after the reference. A level crossed and recrossed inside
    the 48 hours counts by where the price stands now: back on its first side, nothing was
    crossed; beyond it again, the crossing is the last one (``crossed_at``, the last close on
    the other side; every close from ``beyond_since`` on is beyond the level).

    ``previous_close_beyond`` is the last daily close beyond the level before the run of
    daily closes now beyond it (the trailing ones; evidence ``closes_beyond`` counts them, 0
    when the latest daily close is not beyond the level yet). No daily close between that
    date and the run was beyond the level, and it is never the latest close. With one close
    in the run, the latest close is the first beyond the level since that date; with two, the
    first was the day before it.
    """
    c = closes(candles)
    if c.empty:
        return None
    rule = level_rule(
        candles.asset,
        float(c.iloc[-1]),
        major_steps=level_major_steps,
        minor_steps=level_minor_steps,
        min_age_days=level_min_age_days,
        minor_unseen_days=level_minor_unseen_days,
    )
    found = crossing(c, closes(daily), window=BREAK_WINDOW, rule=rule)
    if found is None:
        return None
    value = PriceLevelBreak(found.level, found.direction, found.previous_close_beyond)
    evidence = dict(found.evidence)
    evidence |= {"candle": _label(candles.interval or DAY)}
    evidence |= {"last_daily_close": float(daily.frame["close"].iloc[-1])}
    evidence |= {"history_start": day(daily.frame.index[0])}
    return Reading(value, "level", (candles, daily), evidence)


def _days(daily: Dataset, hourly: Dataset | None) -> pd.DataFrame:
    """Daily high/low/close, plus today's partial day from hourly candles when there are any."""
    days = daily.frame[["high", "low", "close"]]
    if hourly is not None and not days.empty:
        after = hourly.frame[hourly.frame.index >= days.index[-1] + DAY]
        if not after.empty:
            partial = pd.DataFrame(
                {
                    "high": [after["high"].max()],
                    "low": [after["low"].min()],
                    "close": [after["close"].iloc[-1]],
                },
                index=pd.DatetimeIndex([after.index[0].floor("D")], name="time"),
            )
            days = pd.concat([days, partial])
    return days


@register("price.prior_range", score=fixed(15.0))
def prior_range(daily: Dataset, hourly: Dataset | None = None) -> Reading[PriorRange] | None:
    """Low and high of the 7 full UTC days before the current move began.

    The move began on the earliest day ``s`` (at most 14 days back) such that every close from
    ``s`` to now lies beyond the high (or low) of the 7 days before ``s``. Evidence
    ``closes_since``: the daily closes from ``s`` on (``s``'s own included; 0 when the move
    began today, so no daily close has confirmed it yet).
    """
    days = _days(daily, hourly)
    t = len(days) - 1
    for s in range(max(t - 14, 7), t + 1):
        window = days.iloc[s - 7 : s]
        low, high = float(window["low"].min()), float(window["high"].max())
        run = days["close"].iloc[s:]
        direction = "up" if (run > high).all() else "down" if (run < low).all() else None
        if direction:
            value = PriorRange(low, high, day(window.index[0]), day(window.index[-1]))
            evidence: dict[str, Any] = {"direction": direction, "move_start": day(days.index[s])}
            evidence |= {"last": float(days["close"].iloc[-1])}
            evidence |= {"closes_since": int((daily.frame.index >= days.index[s]).sum())}
            used = (daily,) if hourly is None else (daily, hourly)
            return Reading(value, "range", used, evidence)
    return None


def _score_range(fact: Fact) -> float:
    """10 when an earlier window of as many days was as narrow in the past week, plus a point
    per 6 days further back the last one was, at most 40; 40 when none was."""
    narrower = as_value(fact, TradingRange).narrower
    return since_score(
        None if narrower is None else narrower.end, fact.as_of, never=40.0, base=10.0, most=30.0
    )


BREAKS = ("price.level_break", "price.prior_range")
"""Facts that say the price left a level or a range: the day is not range-bound."""


def _worth_range(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said on a range-bound day: the range narrower than more than ``range_min_wider_share``
    (half) of the past year's windows, the 24 h move under ``change_rank_min_pct`` (3 %)
    either way, and no record, level break or break from the prior week's range."""
    wider = as_value(fact, TradingRange).wider_share
    if wider is None or wider <= narrative.range_min_wider_share:
        return False
    move = facts.get(fact_key(fact.asset, "price.change_24h_pct"))
    record = facts.get(fact_key(fact.asset, "price.new_ath"))
    if move is None or abs(as_number(move)) >= narrative.change_rank_min_pct:
        return False
    if record is not None and record.value is True:
        return False
    return not any(fact_key(fact.asset, i) in facts for i in BREAKS)


@register("price.trading_range", score=_score_range, worth=_worth_range)
def trading_range(
    daily: Dataset, hourly: Dataset | None = None, *, range_days: int
) -> Reading[TradingRange] | None:
    """The low and high of the last ``range_days`` full UTC days and today's partial day.

    Its width (high over low, minus one) is compared with that of every earlier window of
    ``range_days`` full days (each ending on an earlier day); ``narrower`` is the most recent
    one at most as wide, ``wider_share`` the share of the past year's that were wider. The
    current window spans more than ``range_days`` days once today has begun, so it can only
    read wider than its full days would. Absent with fewer than ``range_days`` + 1 days of
    history.
    """
    full = daily.frame[["high", "low"]]
    days = _days(daily, hourly)
    window = days.iloc[-(range_days + len(days) - len(full)) :]
    highs, lows = full["high"].rolling(range_days), full["low"].rolling(range_days)
    earlier = ((highs.max() / lows.min() - 1.0) * 100.0).iloc[:-1].dropna()
    if earlier.empty:
        return None
    low, high = float(window["low"].min()), float(window["high"].max())
    width = (high / low - 1.0) * 100.0
    end = stamp(full.index[-1])
    narrower_ends = earlier[earlier <= width]
    previous = None
    if not narrower_ends.empty:
        when = stamp(narrower_ends.index[-1])
        previous = NarrowerRange(day(when), float(narrower_ends.iloc[-1]), (end - when).days)
    first = stamp(earlier.index[0])
    year = earlier[earlier.index >= end - YEAR]
    wider = float((year > width).mean()) if first <= end - YEAR else None
    start = day(full.index[-range_days])
    value = TradingRange(
        low, high, start, range_days, width, previous, wider, day(first), (end - first).days
    )
    evidence: dict[str, Any] = {"last": float(window["close"].iloc[-1]), "end": day(end)}
    evidence |= {"windows_compared": len(earlier)}
    used = (daily,) if hourly is None else (daily, hourly)
    return Reading(value, "range", used, evidence)


def _score_rank(fact: Fact) -> float:
    """75 for the year's largest weekly gain, 60 for the second or third, 40 down to the
    fifth, else 10."""
    rank = as_value(fact, WeeklyGainRank).rank
    return 75.0 if rank == 1 else 60.0 if rank <= 3 else 40.0 if rank <= 5 else 10.0


def _worth_rank(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when the gain ranks at most ``weekly_rank_max`` (3rd) of the year."""
    return as_value(fact, WeeklyGainRank).rank <= narrative.weekly_rank_max


@register("price.weekly_gain_rank", score=_score_rank, worth=_worth_rank)
def weekly_gain_rank(candles: Dataset, daily: Dataset) -> Reading[WeeklyGainRank] | None:
    """This 7-day gain ranked among the largest 7-day gains of the past 365 days.

    Past gains are daily-close 7-day gains ending 8-365 days ago; peaks are picked largest
    first, at least 7 days apart. ``previous_larger`` is the most recent larger peak.
    """
    now = change_7d_pct(candles)
    if now is None or now.value <= 0:
        return None
    c = closes(daily)
    gains = (c / c.shift(7) - 1.0) * 100.0
    end = c.index[-1]
    gains = gains[(gains.index > end - pd.Timedelta(days=365)) & (gains.index <= end - 7 * DAY)]
    peaks: list[tuple[pd.Timestamp, float]] = []
    for when, gain in gains.dropna().sort_values(ascending=False).items():
        assert isinstance(when, pd.Timestamp)
        if all(abs(when - p) >= 7 * DAY for p, _ in peaks):
            peaks.append((when, float(gain)))
    larger = [(w, g) for w, g in peaks if g > now.value]
    latest = max(larger, default=None, key=lambda p: p[0])
    previous = None if latest is None else LargerGain(day(latest[0] - DAY), latest[1])
    value = WeeklyGainRank(now.value, len(larger) + 1, previous)
    evidence = {"peaks_considered": len(peaks), "window_days": 365}
    return Reading(value, "rank", (candles, daily), evidence)
