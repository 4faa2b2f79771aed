"""The outlook fact: the levels of the note's closing scenario."""

from __future__ import annotations

import math
from typing import Any, Literal

from analysis.base import Reading, closes
from analysis.liquidation_map import LevelModel, clusters, estimate_levels
from analysis.price import level_break, prior_range, round_step
from analysis.registry import Registry
from models import Dataset, Fact
from values import Direction, OutlookLevels, PriceLevelBreak, as_value

TARGET_DISTANCE_PCT = (1.0, 5.0)
"""A round target lies this far beyond the last close (or beyond the support), in percent."""

Kind = Literal["round", "cluster"]

register = Registry(section="outlook")


def roundness(level: float, step: float) -> float:
    """How round a multiple of ``step`` is: its trailing zeros in units of ``step``, plus a half
    when the digit before them is a 5 (125,000 in steps of 1,000: 0.5; 130,000: 1).
    """
    n, zeros = round(level / step), 0.0
    while n and n % 10 == 0:
        n, zeros = n // 10, zeros + 1
    return zeros + (0.5 if n % 10 == 5 else 0.0)


def round_target(last: float, up: bool) -> float:
    """The roundest multiple of ``price.round_step(last)`` between 1 % and 5 % beyond ``last``
    (the nearest among equals): BTC at 123,654 going up: 125,000; at 51,200 going down: 50,000.
    """
    step = round_step(last)
    sign = 1.0 if up else -1.0
    near, far = (last * (1.0 + sign * d / 100.0) for d in TARGET_DISTANCE_PCT)
    lo, hi = sorted((near, far))
    candidates = [k * step for k in range(math.ceil(lo / step), math.floor(hi / step) + 1)]
    return max(candidates, key=lambda x: (roundness(x, step), -abs(x - last)))


def _points_at_clusters(fact: Fact) -> bool:
    """Its target or downside is an estimated liquidation cluster."""
    value = as_value(fact, OutlookLevels)
    return "cluster" in (value.target_kind, value.downside_kind)


@register("outlook.levels", estimate=_points_at_clusters)
def levels(
    candles: Dataset,
    daily: Dataset,
    hourly: Dataset | None = None,
    open_interest: Dataset | None = None,
    long_short: Dataset | None = None,
    *,
    model: LevelModel,
    level_major_steps: dict[str, float],
    level_minor_steps: dict[str, float],
    level_min_age_days: int,
    level_minor_unseen_days: int,
) -> Reading[OutlookLevels] | None:
    """The closing scenario's levels in USD: ``support`` (the level ``price.level_break``
    reports, else the top of the prior range; its bottom after a move down, then a level to
    reclaim), ``target``, the nearer of the next round level (``target_kind`` "round") and the
    nearest estimated liquidation cluster beyond price ("cluster"), in the move's
    ``direction``, and
    ``downside``, where a failure at the support points: the nearest estimated cluster of the
    other side beyond the support (``downside_kind`` "cluster"), else the roundest level 1-5 %
    beyond it ("round").

    The round level is the roundest multiple of ``price.round_step`` 1-5 % beyond the last
    close (``round_target``: $125,000 for BTC at $123,654).
    """
    c = closes(candles)
    if c.empty:
        return None
    last = float(c.iloc[-1])
    broken = level_break(
        candles,
        daily,
        level_major_steps=level_major_steps,
        level_minor_steps=level_minor_steps,
        level_min_age_days=level_min_age_days,
        level_minor_unseen_days=level_minor_unseen_days,
    )
    support = _support(broken, daily, hourly)
    if support is None:
        return None
    level, direction, kind = support
    up = direction == "up"
    round_level = round_target(last, up)
    target, used = round_level, [candles, daily]
    downside = round_target(level, not up)
    target_kind: Kind = "round"
    downside_kind: Kind = "round"
    if hourly is not None and open_interest is not None:
        placed = estimate_levels(open_interest, hourly, long_short, model)
        found = [] if placed is None else clusters(placed, model, short=up)
        model_used = [open_interest, hourly] + ([long_short] if long_short is not None else [])
        if found and abs(found[0].price - last) < abs(target - last):
            target, target_kind = found[0].price, "cluster"
            used += model_used
        beyond = [
            c
            for c in ([] if placed is None else clusters(placed, model, short=not up))
            if (c.price < level if up else c.price > level)
        ]
        if beyond:
            downside, downside_kind = beyond[0].price, "cluster"
            used += model_used
    value = OutlookLevels(level, target, target_kind, direction, downside, downside_kind)
    evidence: dict[str, Any] = {"support_kind": kind, "last": last, "round_target": round_level}
    unique = tuple({id(d): d for d in used}.values())
    return Reading(value, "levels", unique, evidence)


def _support(
    broken: Reading[PriceLevelBreak] | None, daily: Dataset, hourly: Dataset | None
) -> tuple[float, Direction, str] | None:
    """(level, direction, kind): the level just broken (``price.level_break``), else the edge
    of the prior range."""
    if broken is not None:
        return broken.value.level, broken.value.direction, "level_break"
    rng = prior_range(daily, hourly)
    if rng is None:
        return None
    if rng.evidence["direction"] == "up":
        return rng.value.high, "up", "range_top"
    return rng.value.low, "down", "range_bottom"
