"""Price facts: last price, changes, all-time high, round-level breaks, ranges, weekly gains.

``candles`` is the finest series the snapshot has for the asset (hourly, else daily);
``daily`` is always the daily series. Every frame is already cut at ``as_of``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis.base import Reading, close_at_or_before, closes, day, iso, pct_change, stamp
from models import Dataset

DAY = pd.Timedelta(days=1)


def last_price(candles: Dataset) -> Reading | None:
    """Close of the newest closed candle, in USD."""
    c = closes(candles)
    if c.empty:
        return None
    return Reading(float(c.iloc[-1]), "USD", (candles,), {"time": iso(c.index[-1])})


def _change(candles: Dataset, back: pd.Timedelta) -> Reading | None:
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


def change_24h(candles: Dataset) -> Reading | None:
    """Percent change of the last close against the close 24 hours earlier."""
    return _change(candles, pd.Timedelta(hours=24))


def change_7d(candles: Dataset) -> Reading | None:
    """Percent change of the last close against the close 7 days earlier."""
    return _change(candles, pd.Timedelta(days=7))


def intraday(hourly: Dataset, as_of: pd.Timestamp) -> Reading | None:
    """Percent change of the last close since the open of the current UTC day."""
    today = as_of.floor("D")
    frame = hourly.frame[hourly.frame.index >= today]
    if frame.empty:
        return None
    opened, last = float(frame["open"].iloc[0]), float(frame["close"].iloc[-1])
    evidence = {"day": day(today), "open": opened, "close": last}
    return Reading(pct_change(last, opened), "pct", (hourly,), evidence)


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


def all_time_high(daily: Dataset, hourly: Dataset | None = None) -> Reading | None:
    """Highest high of all closed candles in the snapshot's history, in USD."""
    if daily.frame.empty:
        return None
    high, at, length = _ath(daily, hourly)
    used = (daily,) if hourly is None else (daily, hourly)
    evidence = {"time": iso(at), "candle": _label(length)}
    evidence["history_start"] = day(daily.frame.index[0])
    return Reading(high, "USD", used, evidence)


def pct_below_ath(
    candles: Dataset, daily: Dataset, hourly: Dataset | None = None
) -> Reading | None:
    """How far the last close sits below the all-time high: (ath − last) / ath × 100."""
    c = closes(candles)
    if c.empty or daily.frame.empty:
        return None
    high, at, _ = _ath(daily, hourly)
    last = float(c.iloc[-1])
    evidence = {"ath": high, "ath_time": iso(at), "last": last}
    return Reading((high - last) / high * 100.0, "pct", (daily, candles), evidence)


def new_ath(
    daily: Dataset, as_of: pd.Timestamp, hourly: Dataset | None = None, *, stood_days: int = 7
) -> Reading | None:
    """True when the all-time high was set by a candle lying wholly in the last 24 hours.

    ``previous_ath`` is the record the current run broke: the latest daily record high that
    then stood for at least ``stood_days`` days (records set on the way up do not count).
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
    standing = records[(stood >= pd.Timedelta(days=stood_days)) & (records < high)]
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


def level_break(
    fine: pd.Series, daily_close: pd.Series, *, window: pd.Timedelta, step: float
) -> dict[str, float | str | None] | None:
    """The most significant multiple of ``step`` that ``fine`` crossed within ``window``.

    ``fine`` and ``daily_close`` are closes indexed by close time. The level must lie between
    the close ``window`` before the last and the last close (so price is still beyond it).
    ``previous_close_beyond`` is the last daily close beyond the level before price crossed it.
    """
    if fine.empty:
        return None
    last, now = float(fine.iloc[-1]), fine.index[-1]
    before = fine[fine.index <= now - window]
    if before.empty or float(before.iloc[-1]) == last:
        return None
    ref = float(before.iloc[-1])
    lo, hi = sorted((ref, last))
    levels = [k * step for k in range(math.floor(lo / step) + 1, math.ceil(hi / step))]
    levels = [lvl for lvl in levels if lo < lvl < hi]
    if not levels:
        return None
    level = max(levels, key=lambda x: significance(x, step))
    up = last > ref
    other_side = fine[fine <= level] if up else fine[fine >= level]
    crossed_at = other_side.index[-1]
    earlier = daily_close[daily_close.index <= crossed_at]
    beyond = earlier[earlier > level] if up else earlier[earlier < level]
    return {
        "level": level,
        "direction": "up" if up else "down",
        "previous_close_beyond": day(beyond.index[-1] - DAY) if not beyond.empty else None,
        "crossed_at": iso(crossed_at),
        "reference_close": ref,
        "reference_time": iso(before.index[-1]),
        "last": last,
    }


def price_level_break(candles: Dataset, daily: Dataset) -> Reading | None:
    """The most significant round price level crossed in the last 48 hours and still beyond."""
    c = closes(candles)
    if c.empty:
        return None
    found = level_break(
        c, closes(daily), window=pd.Timedelta(hours=48), step=round_step(float(c.iloc[-1]))
    )
    if found is None:
        return None
    value = {k: found[k] for k in ("level", "direction", "previous_close_beyond")}
    evidence: dict[str, Any] = {k: v for k, v in found.items() if k not in value}
    last_daily, level = float(daily.frame["close"].iloc[-1]), float(str(value["level"]))
    beyond = last_daily > level if value["direction"] == "up" else last_daily < level
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


def prior_range(daily: Dataset, hourly: Dataset | None = None) -> Reading | None:
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
            value: dict[str, Any] = {"low": low, "high": high, "start": day(window.index[0])}
            value |= {"end": day(window.index[-1])}
            evidence: dict[str, Any] = {"direction": direction, "move_start": day(days.index[s])}
            evidence |= {"last": float(days["close"].iloc[-1])}
            used = (daily,) if hourly is None else (daily, hourly)
            return Reading(value, "range", used, evidence)
    return None


def weekly_gain_rank(candles: Dataset, daily: Dataset) -> Reading | None:
    """This 7-day gain ranked among the largest 7-day gains of the past 365 days.

    Past gains are daily-close 7-day gains ending 8-365 days ago; peaks are picked largest
    first, at least 7 days apart. ``previous_larger`` is the most recent larger peak.
    """
    now = change_7d(candles)
    if now is None or not isinstance(now.value, float) or now.value <= 0:
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
    previous = None if latest is None else {"date": day(latest[0] - DAY), "gain_pct": latest[1]}
    value = {"gain_pct": now.value, "rank": len(larger) + 1, "previous_larger": previous}
    evidence = {"peaks_considered": len(peaks), "window_days": 365}
    return Reading(value, "rank", (candles, daily), evidence)
