"""Cross-asset and outlook facts: relative performance, and the levels of the closing scenario."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from analysis.base import Reading, closes
from analysis.liquidation_map import LEVEL_MODEL, LevelModel, clusters, estimate_levels
from analysis.price import change_24h, price_level_break, prior_range, round_step
from models import Dataset

BASE = "BTC"


def relative_24h(all_candles: Mapping[str, Dataset]) -> Reading | None:
    """Each other asset's 24 h percent change minus BTC's, in percentage points, and the
    leader (the asset with the largest 24 h change, BTC included).
    """
    changes = {}
    for asset, candles in all_candles.items():
        reading = change_24h(candles)
        if reading is not None and isinstance(reading.value, float):
            changes[asset] = reading.value
    if BASE not in changes or len(changes) < 2:
        return None
    vs_base = {a: c - changes[BASE] for a, c in changes.items() if a != BASE}
    leader = max(changes, key=lambda a: changes[a])
    used = tuple(all_candles[a] for a in changes)
    value = {"vs_btc": vs_base, "leader": leader}
    return Reading(value, "pp", used, {"change_24h_pct": changes})


def roundness(level: float, step: float) -> float:
    """How round a multiple of ``step`` is: its trailing zeros in units of ``step``, plus a half
    when the digit before them is a 5 (125,000 in steps of 1,000: 0.5; 130,000: 1).
    """
    n, zeros = round(level / step), 0.0
    while n and n % 10 == 0:
        n, zeros = n // 10, zeros + 1
    return zeros + (0.5 if n % 10 == 5 else 0.0)


def round_target(
    last: float, up: bool, *, min_distance_pct: float = 1.0, max_distance_pct: float = 5.0
) -> float:
    """The roundest multiple of ``price.round_step(last)`` between 1 % and 5 % beyond ``last``
    (the nearest among equals): BTC at 123,654 going up: 125,000; at 51,200 going down: 50,000.
    """
    step = round_step(last)
    sign = 1.0 if up else -1.0
    near, far = (last * (1.0 + sign * d / 100.0) for d in (min_distance_pct, max_distance_pct))
    lo, hi = sorted((near, far))
    candidates = [k * step for k in range(math.ceil(lo / step), math.floor(hi / step) + 1)]
    return max(candidates, key=lambda x: (roundness(x, step), -abs(x - last)))


def outlook_levels(
    candles: Dataset,
    daily: Dataset,
    hourly: Dataset | None = None,
    open_interest: Dataset | None = None,
    long_short: Dataset | None = None,
    *,
    min_distance_pct: float = 1.0,
    max_distance_pct: float = 5.0,
    model: LevelModel = LEVEL_MODEL,
) -> Reading | None:
    """The closing scenario's levels in USD: ``support`` (the round level just broken, else the
    top of the prior range; its bottom after a move down, then a level to reclaim),
    ``target``, the nearer of the next round level (``target_kind`` "round") and the nearest
    estimated liquidation cluster beyond price ("cluster"), in the move's ``direction``, and
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
    support = _support(candles, daily, hourly)
    if support is None:
        return None
    level, direction, kind = support
    up = direction == "up"
    round_level = round_target(
        last, up, min_distance_pct=min_distance_pct, max_distance_pct=max_distance_pct
    )
    target, target_kind, used = round_level, "round", [candles, daily]
    downside = round_target(
        level, not up, min_distance_pct=min_distance_pct, max_distance_pct=max_distance_pct
    )
    downside_kind = "round"
    if hourly is not None and open_interest is not None:
        levels = estimate_levels(open_interest, hourly, long_short, model)
        found = [] if levels is None else clusters(levels, model, short=up)
        model_used = [open_interest, hourly] + ([long_short] if long_short is not None else [])
        if found and abs(found[0].price - last) < abs(target - last):
            target, target_kind = found[0].price, "cluster"
            used += model_used
        beyond = [
            c
            for c in ([] if levels is None else clusters(levels, model, short=not up))
            if (c.price < level if up else c.price > level)
        ]
        if beyond:
            downside, downside_kind = beyond[0].price, "cluster"
            used += model_used
    value = {"support": level, "target": target, "target_kind": target_kind}
    value |= {"direction": direction, "downside": downside, "downside_kind": downside_kind}
    evidence: dict[str, Any] = {"support_kind": kind, "last": last, "round_target": round_level}
    unique = tuple({id(d): d for d in used}.values())
    return Reading(value, "levels", unique, evidence)


def _support(
    candles: Dataset, daily: Dataset, hourly: Dataset | None
) -> tuple[float, str, str] | None:
    """(level, direction, kind): the level just broken, else the edge of the prior range."""
    broken = price_level_break(candles, daily)
    if broken is not None and isinstance(broken.value, dict):
        return float(broken.value["level"]), str(broken.value["direction"]), "level_break"
    rng = prior_range(daily, hourly)
    if rng is None or not isinstance(rng.value, dict):
        return None
    if rng.evidence["direction"] == "up":
        return float(rng.value["high"]), "up", "range_top"
    return float(rng.value["low"]), "down", "range_bottom"
