"""Context facts: base rates, what followed the earlier times today's event happened.

An event is defined exactly as the fact that reports it (``funding.flip``, ``price.new_ath``,
``price.level_break``, ``liquidations.squeeze``, ``price.change_24h_pct``): today's event is
that fact firing at as-of, and its earlier occurrences come from a vectorised scan of the same
rule over the history, using only data known at each occurrence. A case's forward window
starts at the first daily close at or after the event and runs 1, 7 and 30 days; only cases
whose whole 30-day window ended at or before as-of count, taken oldest first at least 30 days
apart (non-overlapping).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.base import Reading, closes, day, stamp
from analysis.derivatives import (
    MEDIAN_WINDOW,
    MIN_HISTORY,
    bucket_length,
    flip,
    squeeze,
)
from analysis.macro import KEY as DXY_KEY
from analysis.macro import dxy_level_break
from analysis.price import LevelRule, change_24h_pct, level_break, level_rule, new_ath
from analysis.registry import Registry, fixed
from models import Dataset, Fact, JSONValue
from settings import NarrativeSettings
from values import BaseRate, Direction, ForwardReturns, MarketBaseRate, as_value, fact_of

DAY = pd.Timedelta(days=1)
HORIZONS = (1, 7, 30)
"""Forward horizons, in days."""
SPACING = pd.Timedelta(days=max(HORIZONS))
"""Counted cases are at least this far apart, and their windows this long."""

register = Registry(section="price")


def flip_times(
    funding: Dataset, *, funding_flip_min_prints: int, funding_flip_min_pct: float
) -> pd.Series:
    """Every flip ``funding.flip`` would report when it happened, by the time of its first
    print of the new sign: +1 to positive, -1 to negative (zero prints skipped; the regime
    before it at least ``funding_flip_min_prints`` long, averaging at least
    ``funding_flip_min_pct`` either way)."""
    rates = funding.frame["rate"]
    signed = rates[rates != 0.0]
    values = signed.to_numpy(dtype=float)
    sign = np.sign(values)
    changes = np.flatnonzero(sign[1:] != sign[:-1]) + 1
    starts = np.concatenate(([0], changes[:-1])).astype(int)
    total = np.concatenate(([0.0], np.cumsum(values)))
    lengths = changes - starts
    means = (total[changes] - total[starts]) / np.maximum(lengths, 1) * 100.0
    keep = (lengths >= funding_flip_min_prints) & (np.abs(means) >= funding_flip_min_pct)
    return pd.Series(sign[changes[keep]], index=signed.index[changes[keep]])


def first_closes(daily: Dataset, major: float, min_age_days: int) -> pd.Series:
    """Daily closes that were the first beyond a multiple of ``major`` after at least
    ``min_age_days`` days (``price.level_break``'s age rule for a major level), by close time:
    +1 above, -1 below. No close in the ``min_age_days`` before (exclusive) was beyond the
    level; the first ``min_age_days`` of history, whose window is incomplete, never count."""
    c = closes(daily)
    if c.empty:
        return c
    window = c.rolling(pd.Timedelta(days=min_age_days), closed="neither")
    high, low = window.max(), window.min()
    below_close = np.floor(np.nextafter(c.to_numpy(), -np.inf) / major) * major
    above_close = np.ceil(np.nextafter(c.to_numpy(), np.inf) / major) * major
    up = (below_close >= high.to_numpy()) & (below_close > 0)
    down = above_close <= low.to_numpy()
    full = c.index >= c.index[0] + pd.Timedelta(days=min_age_days)
    flags = np.where(up & full, 1.0, np.where(down & full, -1.0, 0.0))
    found = pd.Series(flags, index=c.index)
    return found[found != 0.0]


def ath_breaks(daily: Dataset, gap_days: int) -> pd.Series:
    """Daily candles whose high was a new all-time high of the history so far, the previous
    record (the first highest high before it) at least ``gap_days`` days earlier, by close
    time: +1. The first candle, having no earlier high, is none."""
    high = daily.frame["high"].to_numpy(dtype=float)
    if len(high) < 2:
        return pd.Series(dtype=float)
    records = np.concatenate(([0], np.flatnonzero(high[1:] > np.maximum.accumulate(high)[:-1]) + 1))
    opened = pd.DatetimeIndex(daily.frame.index)[records]
    far = (opened[1:] - opened[:-1]) >= pd.Timedelta(days=gap_days)
    return pd.Series(1.0, index=pd.DatetimeIndex(closes(daily).index)[records[1:][far]])


def big_moves(daily: Dataset, min_pct: float) -> pd.Series:
    """Daily closes at least ``min_pct`` percent from the close a day before, by close time:
    +1 up, -1 down (the daily form of ``price.change_24h_pct``)."""
    c = closes(daily)
    change = (c / c.shift(1, freq=DAY).reindex(c.index) - 1.0) * 100.0
    moved = change[change.abs() >= min_pct]
    return pd.Series(np.sign(moved.to_numpy()), index=moved.index)


def squeeze_times(
    liquidations: Dataset,
    candles: Dataset,
    *,
    squeeze_min_move_pct: float,
    squeeze_min_share: float,
    squeeze_min_multiple: float,
) -> pd.Series:
    """Every squeeze ``liquidations.squeeze`` would report at the end of each liquidation
    bucket, by that end: +1 a short squeeze (price up), -1 a long one. At each end: the 24 h of
    buckets to it all present, the closes of ``candles`` at its start and end, the move at
    least ``squeeze_min_move_pct``, the squeezed side at least ``squeeze_min_share`` of the
    total and the total at least ``squeeze_min_multiple`` times the median of the whole 24 h
    totals of the 30 days to it (those buckets spanning at least 7 days). Only ends at which
    the rows known then had this bucket length (the median spacing) count."""
    frame = liquidations.frame[["long_usd", "short_usd"]]
    if frame.empty:
        return pd.Series(dtype=float)
    length = bucket_length(liquidations)
    starts = pd.DatetimeIndex(frame.index)
    ends = starts + length
    sums = frame.set_axis(ends).rolling(DAY).sum()
    counts = frame["long_usd"].set_axis(ends).rolling(DAY).count().to_numpy()
    total = sums["long_usd"].to_numpy() + sums["short_usd"].to_numpy()
    whole = (counts == DAY / length) & (ends >= starts[0] + DAY) & (DAY % length == pd.Timedelta(0))
    kept = pd.Series(np.where(whole, total, np.nan), index=ends)
    median = kept.rolling(MEDIAN_WINDOW).median().to_numpy()
    first = ends[ends.searchsorted(ends - MEDIAN_WINDOW, side="right")]
    month = (ends - first) >= MIN_HISTORY - length
    c = closes(candles)
    move = (c.reindex(ends).to_numpy() / c.reindex(ends - DAY).to_numpy() - 1.0) * 100.0
    side = np.where(move > 0, sums["short_usd"].to_numpy(), sums["long_usd"].to_numpy())
    fires = whole & month & ~np.isnan(median) & (total > 0)
    fires &= _at_least(np.abs(move), squeeze_min_move_pct)
    fires &= _at_least(side, squeeze_min_share * total)
    fires &= _at_least(total, squeeze_min_multiple * median)
    fires &= _known_spacing(starts, ends) == length
    found = ends[fires]
    return pd.Series(np.where(move[fires] > 0, 1.0, -1.0), index=found)


def _at_least(x: np.ndarray, threshold: np.ndarray | float) -> np.ndarray:
    """``derivatives._at_least`` elementwise (False where either is NaN)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(x >= threshold - 1e-9 * np.abs(threshold))


def _known_spacing(starts: pd.DatetimeIndex, ends: pd.DatetimeIndex) -> pd.TimedeltaIndex:
    """At each bucket end, the bucket length (median spacing) of the rows stamped by then."""
    ns = starts.as_unit("ns").asi8
    gaps = pd.Series(np.diff(ns).astype(float)).expanding().median().to_numpy()
    known = np.concatenate(([float(pd.Timedelta(hours=1).value)], gaps))
    last = np.searchsorted(ns, ends.as_unit("ns").asi8, side="right") - 1
    return pd.to_timedelta(known[last].astype("int64"), unit="ns")


def cases(events: pd.Series, daily: Dataset, as_of: pd.Timestamp) -> list[pd.Timestamp]:
    """The anchors (daily close times) of the counted cases of ``events`` (by event time):
    the first daily close at or after each event and within a day of it (an event before
    the daily history, such as a DXY break of 2015 for Bitcoin, has none), oldest first, at
    least ``SPACING`` apart, each with its whole forward window of daily closes (one a day,
    none missing) ended at or before ``as_of``."""
    index = pd.DatetimeIndex(closes(daily).index)
    found = index.searchsorted(events.index, side="left")
    inside = found < len(index)
    near = index[found[inside]] - pd.DatetimeIndex(events.index)[inside] <= DAY
    positions = np.unique(found[inside][near])
    starts = pd.DatetimeIndex(index[positions])
    ends = index.searchsorted(starts + SPACING, side="right")
    complete = (ends - positions - 1 == max(HORIZONS)) & (starts + SPACING <= as_of)
    chosen: list[pd.Timestamp] = []
    for start in starts[complete]:
        if not chosen or start - chosen[-1] >= SPACING:
            chosen.append(stamp(start))
    return chosen


def forward(anchors: list[pd.Timestamp], daily: Dataset) -> dict[int, tuple[np.ndarray, ...]]:
    """Each case's forward return and worst drawdown (the lowest low within the horizon against
    the close at the event, 0 when never lower), percent, by horizon in days."""
    c = closes(daily)
    close, low = c.to_numpy(dtype=float), daily.frame["low"].to_numpy(dtype=float)
    at = c.index.get_indexer(pd.DatetimeIndex(anchors))
    found: dict[int, tuple[np.ndarray, ...]] = {}
    for h in HORIZONS:
        rets = (close[at + h] / close[at] - 1.0) * 100.0
        lowest = np.lib.stride_tricks.sliding_window_view(low, h).min(axis=1)[at + 1]
        found[h] = (rets, np.minimum(0.0, (lowest / close[at] - 1.0) * 100.0))
    return found


def summarise(
    event: str, direction: Direction, anchors: list[pd.Timestamp], daily: Dataset
) -> BaseRate:
    """What followed the cases at ``anchors`` (complete ones, from ``cases``; at least one)."""
    horizons: dict[str, ForwardReturns] = {}
    for h, (rets, worst) in forward(anchors, daily).items():
        q1, median, q3 = (float(q) for q in np.percentile(rets, [25, 50, 75]))
        higher = int((rets > 0).sum())
        horizons[f"{h}d"] = ForwardReturns(higher, median, q1, q3, float(np.median(worst)))
    return BaseRate(event, direction, len(anchors), day(anchors[0] - DAY), horizons)


def case_evidence(anchors: list[pd.Timestamp], daily: Dataset) -> dict[str, JSONValue]:
    """The evidence listing each case, so a reader can check it: ``dates`` (the day of the
    daily close each starts from) and ``returns``, one per case: its ``1d``, ``7d`` and ``30d``
    forward returns and its worst ``drawdown_pct`` within the 30 days, percent."""
    paths = forward(anchors, daily)
    worst = paths[max(HORIZONS)][1]
    returns: list[JSONValue] = [
        {f"{h}d": float(paths[h][0][i]) for h in HORIZONS} | {"drawdown_pct": float(worst[i])}
        for i in range(len(anchors))
    ]
    return {"dates": [day(a - DAY) for a in anchors], "returns": returns}


@dataclass(frozen=True)
class Event:
    """Today's event: what it is, its direction, its occurrences over the history (by event
    time, from a scan) and the thresholds that define it (the fact's evidence ``rule``)."""

    name: str
    direction: Direction
    history: pd.Series
    rule: dict[str, JSONValue]


def _same(history: pd.Series, up: bool) -> pd.Series:
    return history[history == (1.0 if up else -1.0)]


def _flip_event(
    funding: Dataset | None, as_of: pd.Timestamp, prints: int, pct: float
) -> Event | None:
    if funding is None:
        return None
    today = flip(funding, as_of, funding_flip_min_prints=prints, funding_flip_min_pct=pct)
    if today is None:
        return None
    up = today.value.to == "positive"
    history = flip_times(funding, funding_flip_min_prints=prints, funding_flip_min_pct=pct)
    rule: dict[str, JSONValue] = {"min_prints": prints, "min_pct": pct}
    return Event("funding.flip", "up" if up else "down", _same(history, up), rule)


def _ath_event(
    daily: Dataset, hourly: Dataset | None, as_of: pd.Timestamp, gap_days: int
) -> Event | None:
    today = new_ath(daily, as_of, hourly)
    if today is None:
        return None
    set_on = pd.Timestamp(str(today.evidence["time"])).floor("D")
    earlier = daily.frame["high"][daily.frame.index < set_on]
    if earlier.empty or set_on - stamp(earlier.idxmax()) < pd.Timedelta(days=gap_days):
        return None
    history = ath_breaks(daily, gap_days)
    return Event("price.new_ath", "up", history, {"gap_days": gap_days})


def _level_event(
    candles: Dataset, daily: Dataset, rule: LevelRule, steps: dict[str, dict[str, float]]
) -> Event | None:
    broke = level_break(
        candles,
        daily,
        level_major_steps=steps["major"],
        level_minor_steps=steps["minor"],
        level_min_age_days=rule.min_age_days,
        level_minor_unseen_days=rule.minor_unseen_days,
    )
    if broke is None or not rule.is_major(broke.value.level):
        return None
    history = first_closes(daily, rule.major, rule.min_age_days)
    found = _same(history, broke.value.direction == "up")
    evidence: dict[str, JSONValue] = {"step": rule.major, "min_age_days": rule.min_age_days}
    evidence["step_decimals"] = 0 if rule.major.is_integer() else 2
    return Event("price.level_break", broke.value.direction, found, evidence)


def _squeeze_event(
    liquidations: Dataset | None, candles: Dataset, as_of: pd.Timestamp, rule: dict[str, float]
) -> Event | None:
    if liquidations is None:
        return None
    today = squeeze(liquidations, candles, as_of, **rule)
    if today is None:
        return None
    up = today.value.side == "short"
    history = _same(squeeze_times(liquidations, candles, **rule), up)
    evidence: dict[str, JSONValue] = {k.removeprefix("squeeze_"): v for k, v in rule.items()}
    return Event("liquidations.squeeze", "up" if up else "down", history, evidence)


def _move_event(candles: Dataset, daily: Dataset, min_pct: float) -> Event | None:
    today = change_24h_pct(candles)
    if today is None or abs(today.value) < min_pct:
        return None
    up = today.value > 0
    found = _same(big_moves(daily, min_pct), up)
    return Event("price.change_24h_pct", "up" if up else "down", found, {"min_pct": min_pct})


def _used(
    event: str,
    daily: Dataset,
    candles: Dataset,
    funding: Dataset | None,
    liquidations: Dataset | None,
) -> tuple[Dataset, ...]:
    """The datasets a base rate of ``event`` reads: the daily candles, and what defines it."""
    if event == "funding.flip" and funding is not None:
        return (daily, funding)
    if event == "liquidations.squeeze" and liquidations is not None:
        return (daily, liquidations, candles)
    return (daily,)


@register("context.base_rate", score=fixed(10.0))
def base_rate(
    candles: Dataset,
    daily: Dataset,
    as_of: pd.Timestamp,
    funding: Dataset | None = None,
    hourly: Dataset | None = None,
    liquidations: Dataset | None = None,
    *,
    base_rate_min_cases: int,
    base_rate_ath_gap_days: int,
    base_rate_move_pct: float,
    funding_flip_min_prints: int,
    funding_flip_min_pct: float,
    level_major_steps: dict[str, float],
    level_minor_steps: dict[str, float],
    level_min_age_days: int,
    level_minor_unseen_days: int,
    squeeze_min_move_pct: float,
    squeeze_min_share: float,
    squeeze_min_multiple: float,
) -> Reading[BaseRate] | None:
    """What followed the earlier occurrences of today's event, for the first of these (in the
    order of their news value, as the note's lead story would be) that fires at as-of with at
    least ``base_rate_min_cases`` (6) counted cases: a new all-time high after at least
    ``base_rate_ath_gap_days`` (30) days without one (``price.new_ath``, the previous record
    that long before the day of today's; earlier ones from daily highs); a first daily close
    beyond a major level after at least ``level_min_age_days`` (``price.level_break`` of a
    major level, same direction); a short or long squeeze (``liquidations.squeeze``, same side;
    earlier ones at each liquidation bucket's end, from the buckets and ``candles`` known then);
    a funding flip (``funding.flip``, same new sign); a 24 h move of at least
    ``base_rate_move_pct`` (5 %) (earlier ones from daily closes, same direction).

    Cases: the first daily close at or after each earlier occurrence, oldest first, at least
    30 days apart, each with its 30 daily closes ahead ended at or before as-of. For each of 1,
    7 and 30 days: how many closed higher, the median and quartiles of the forward returns,
    and the median worst drawdown (lowest low within the horizon). Evidence ``dates``: each
    case's date; ``returns``: each case's 1-, 7- and 30-day returns and worst drawdown within
    30 days (``case_evidence``); ``rule``: the event's thresholds (``min_prints``/``min_pct``
    of a flip, ``gap_days`` of a record, ``step``/``min_age_days`` of a level (and
    ``step_decimals``, the cents it needs: 0 for whole dollars), ``min_move_pct``/``min_share``/
    ``min_multiple`` of a squeeze, ``min_pct`` of a move).
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
    steps = {"major": level_major_steps, "minor": level_minor_steps}
    squeezed = {"squeeze_min_move_pct": squeeze_min_move_pct}
    squeezed |= {"squeeze_min_share": squeeze_min_share}
    squeezed |= {"squeeze_min_multiple": squeeze_min_multiple}
    events: tuple[Callable[[], Event | None], ...] = (
        lambda: _ath_event(daily, hourly, as_of, base_rate_ath_gap_days),
        lambda: _level_event(candles, daily, rule, steps),
        lambda: _squeeze_event(liquidations, candles, as_of, squeezed),
        lambda: _flip_event(funding, as_of, funding_flip_min_prints, funding_flip_min_pct),
        lambda: _move_event(candles, daily, base_rate_move_pct),
    )
    for make in events:
        event = make()
        anchors = [] if event is None else cases(event.history, daily, as_of)
        if event is not None and len(anchors) >= base_rate_min_cases:
            value = summarise(event.name, event.direction, anchors, daily)
            used = _used(event.name, daily, candles, funding, liquidations)
            evidence = case_evidence(anchors, daily) | {"rule": event.rule}
            return Reading(value, "history", used, evidence)
    return None


def extremes(fear_greed: Dataset, extreme: float) -> pd.Series:
    """Every Fear & Greed reading at or below ``extreme`` (-1, fear) or at or above 100 minus
    it (+1, greed), by its time (a reading is known from its stamp)."""
    values = fear_greed.frame["value"].astype(float)
    flags = np.where(values <= extreme, -1.0, np.where(values >= 100.0 - extreme, 1.0, 0.0))
    found = pd.Series(flags, index=pd.DatetimeIndex(values.index))
    return found[found != 0.0]


def _fear_greed_event(fear_greed: Dataset | None, extreme: float) -> Event | None:
    if fear_greed is None or fear_greed.frame.empty:
        return None
    history = extremes(fear_greed, extreme)
    today = stamp(fear_greed.frame.index[-1])
    if today not in history.index:
        return None
    up = bool(history[today] > 0)
    rule: dict[str, JSONValue] = {"at_most": extreme, "at_least": 100.0 - extreme}
    return Event("sentiment.fear_greed", "up" if up else "down", _same(history, up), rule)


def _dxy_event(
    dxy: Dataset | None, steps: dict[str, dict[str, float]], min_age_days: int, unseen_days: int
) -> Event | None:
    if dxy is None:
        return None
    broke = dxy_level_break(
        dxy,
        level_major_steps=steps["major"],
        level_minor_steps=steps["minor"],
        level_min_age_days=min_age_days,
        level_minor_unseen_days=unseen_days,
    )
    if broke is None:
        return None
    major = level_rule(
        DXY_KEY,
        broke.value.level,
        major_steps=steps["major"],
        minor_steps=steps["minor"],
        min_age_days=min_age_days,
        minor_unseen_days=unseen_days,
    ).major
    found = _same(first_closes(dxy, major, min_age_days), broke.value.direction == "up")
    rule: dict[str, JSONValue] = {"step": major, "min_age_days": min_age_days}
    return Event("macro.dxy_level_break", broke.value.direction, found, rule)


def _worth_market(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when the fact of its event (``sentiment.fear_greed``, ``macro.dxy_level_break``)
    is in the note and its own rule says it."""
    from analysis import FACTS  # the registry, complete once every topic module is imported

    event = as_value(fact, MarketBaseRate).event
    told = fact_of(facts, None, event)
    spec = next((s for s in FACTS if s.id == event), None)
    return told is not None and spec is not None and spec.worth(told, facts, narrative)


@register(
    "context.market_base_rate",
    section="macro",
    score=fixed(10.0),
    worth=_worth_market,
)
def market_base_rate(
    all_daily: Mapping[str, Dataset],
    as_of: pd.Timestamp,
    fear_greed: Dataset | None = None,
    dxy: Dataset | None = None,
    *,
    base_rate_min_cases: int,
    base_rate_fear_greed_extreme: float,
    level_major_steps: dict[str, float],
    level_minor_steps: dict[str, float],
    level_min_age_days: int,
    level_minor_unseen_days: int,
) -> Reading[MarketBaseRate] | None:
    """What followed the earlier occurrences of today's market-wide event for the lead asset
    (the snapshot's first, BTC: value ``asset``), for the first of these that fires at as-of
    with at least ``base_rate_min_cases`` (6) counted cases: the latest Crypto Fear & Greed
    reading at most ``base_rate_fear_greed_extreme`` (25, direction ``down``) or at least 100
    minus it (``up``), the extremes of ``sentiment.fear_greed`` (earlier ones: every reading
    on the same side, from its time); a DXY level break (``macro.dxy_level_break``, same
    direction; earlier ones: first daily closes beyond a whole multiple of its step after at
    least ``level_min_age_days``, from each close's time).

    Cases and what followed them as in ``context.base_rate``, on the lead asset's daily
    candles. Evidence ``dates``: each case's date (of the daily close it starts from);
    ``returns``: each case's forward returns and worst drawdown (``case_evidence``);
    ``rule``: ``at_most``/``at_least`` of Fear & Greed, ``step``/``min_age_days`` of a level.
    """
    if not all_daily:
        return None
    lead, daily = next(iter(all_daily.items()))
    steps = {"major": level_major_steps, "minor": level_minor_steps}
    events: tuple[Callable[[], Event | None], ...] = (
        lambda: _fear_greed_event(fear_greed, base_rate_fear_greed_extreme),
        lambda: _dxy_event(dxy, steps, level_min_age_days, level_minor_unseen_days),
    )
    for make, source in zip(events, (fear_greed, dxy), strict=True):
        event = make()
        anchors = [] if event is None else cases(event.history, daily, as_of)
        if event is not None and source is not None and len(anchors) >= base_rate_min_cases:
            b = summarise(event.name, event.direction, anchors, daily)
            value = MarketBaseRate(b.event, b.direction, b.cases, b.since, b.horizons, lead)
            evidence = case_evidence(anchors, daily) | {"rule": event.rule}
            return Reading(value, "history", (daily, source), evidence)
    return None
