"""Price facts: last price, changes, all-time high, round-level breaks, ranges, weekly gains.

``candles`` is the finest series the snapshot has for the asset (hourly, else daily);
``daily`` is always the daily series. Every frame is already cut at ``as_of``.
"""

from __future__ import annotations

import math
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
from analysis.registry import Registry, fixed
from models import Dataset, Fact, JSONValue
from values import (
    Direction,
    LargerGain,
    PriceLevelBreak,
    PriorRange,
    WeeklyGainRank,
    as_number,
    as_value,
)

DAY = pd.Timedelta(days=1)
STOOD_DAYS = 7
"""A previous all-time high counts as the record broken when it stood this many days."""
BREAK_WINDOW = pd.Timedelta(hours=48)
"""How recent a round-level break must be."""

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


@register("price.intraday_pct", score=_score_intraday)
def intraday_pct(hourly: Dataset, as_of: pd.Timestamp) -> Reading[float] | None:
    """Percent change of the last close since the open of the current UTC day."""
    today = as_of.floor("D")
    frame = hourly.frame[hourly.frame.index >= today]
    if frame.empty:
        return None
    opened, last_close = float(frame["open"].iloc[0]), float(frame["close"].iloc[-1])
    evidence = {"day": day(today), "open": opened, "close": last_close}
    return Reading(pct_change(last_close, opened), "pct", (hourly,), evidence)


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


@register("price.ath", topic="record")
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


@register("price.pct_below_ath", score=_score_below_ath, topic="record")
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


@register("price.new_ath", score=fixed(100.0), topic="record")
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
class Crossing:
    """A round level a series crossed and is still beyond (see ``crossing``)."""

    level: float
    direction: Direction
    previous_close_beyond: str | None
    """Date of the last daily close beyond the level before price crossed it (None: never)."""
    evidence: dict[str, JSONValue]
    """crossed_at, reference_close, reference_time, last."""


def crossing(
    fine: pd.Series, daily_close: pd.Series, *, window: pd.Timedelta, step: float
) -> Crossing | None:
    """The most significant multiple of ``step`` that ``fine`` crossed within ``window``.

    ``fine`` and ``daily_close`` are closes indexed by close time. The level must lie between
    the close ``window`` before the last and the last close (so price is still beyond it).
    """
    if fine.empty:
        return None
    last_close, now = float(fine.iloc[-1]), fine.index[-1]
    before = fine[fine.index <= now - window]
    if before.empty or float(before.iloc[-1]) == last_close:
        return None
    ref = float(before.iloc[-1])
    lo, hi = sorted((ref, last_close))
    levels = [k * step for k in range(math.floor(lo / step) + 1, math.ceil(hi / step))]
    levels = [lvl for lvl in levels if lo < lvl < hi]
    if not levels:
        return None
    level = max(levels, key=lambda x: significance(x, step))
    up = last_close > ref
    other_side = fine[fine <= level] if up else fine[fine >= level]
    crossed_at = other_side.index[-1]
    earlier = daily_close[daily_close.index <= crossed_at]
    beyond = earlier[earlier > level] if up else earlier[earlier < level]
    evidence: dict[str, JSONValue] = {"crossed_at": iso(crossed_at), "reference_close": ref}
    evidence |= {"reference_time": iso(before.index[-1]), "last": last_close}
    return Crossing(
        level=level,
        direction="up" if up else "down",
        previous_close_beyond=day(beyond.index[-1] - DAY) if not beyond.empty else None,
        evidence=evidence,
    )


def _score_break(fact: Fact) -> float:
    """95 for a level never closed beyond before, else 55 plus a point per 6 days since the
    last close beyond it, at most 90."""
    since = as_value(fact, PriceLevelBreak).previous_close_beyond
    return since_score(since, fact.as_of, never=95.0, base=55.0, most=35.0)


@register("price.level_break", score=_score_break, topic="structure")
def level_break(candles: Dataset, daily: Dataset) -> Reading[PriceLevelBreak] | None:
    """The most significant round price level crossed in the last 48 hours and still beyond."""
    c = closes(candles)
    if c.empty:
        return None
    found = crossing(c, closes(daily), window=BREAK_WINDOW, step=round_step(float(c.iloc[-1])))
    if found is None:
        return None
    value = PriceLevelBreak(found.level, found.direction, found.previous_close_beyond)
    last_daily = float(daily.frame["close"].iloc[-1])
    beyond = last_daily > found.level if found.direction == "up" else last_daily < found.level
    evidence = dict(found.evidence)
    evidence |= {"daily_close_beyond": bool(beyond), "last_daily_close": last_daily}
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


@register("price.prior_range", score=fixed(15.0), topic="structure")
def prior_range(daily: Dataset, hourly: Dataset | None = None) -> Reading[PriorRange] | None:
    """Low and high of the 7 full UTC days before the current move began.

    The move began on the earliest day ``s`` (at most 14 days back) such that every close from
    ``s`` to now lies beyond the high (or low) of the 7 days before ``s``.
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
            used = (daily,) if hourly is None else (daily, hourly)
            return Reading(value, "range", used, evidence)
    return None


def _score_rank(fact: Fact) -> float:
    """75 for the year's largest weekly gain, 60 for the second or third, 40 down to the
    fifth, else 10."""
    rank = as_value(fact, WeeklyGainRank).rank
    return 75.0 if rank == 1 else 60.0 if rank <= 3 else 40.0 if rank <= 5 else 10.0


@register("price.weekly_gain_rank", score=_score_rank, topic="structure")
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
