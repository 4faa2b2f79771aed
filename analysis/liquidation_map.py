"""Estimated liquidation levels (the "heatmap"), from open interest and hourly candles.

A model estimate, not data: it follows ``../shared/docs/data-sources.md`` §5.4 and says where
positions opened in the window *would* be liquidated, not where they actually are.

1. Bars are the hourly candles of the last ``window`` (30 days by default; this and the mix
   and ``mmr`` below are ``[analysis]`` settings). Open interest is read at each
   candle's open and close (the last row at or before, at most ``oi_max_age`` = 4 h old, so
   4-hourly open interest works: its change lands on the candle closing at the new row); the
   change over the candle is ``ΔOI``.
2. ``ΔOI > 0``: new positions entered at the candle's typical price ``E = (h + l + c) / 3``. The
   long share ``s`` of them is the percent of accounts net long at the candle's close (the
   ``long_short`` row at or before it, at most ``share_max_age`` old), else
   ``0.5 + tilt · sign(close − open)``: longs ``s · ΔOI``, shorts ``(1 − s) · ΔOI``.
3. Each side is spread over the leverage mix ``{5x: 10 %, 10x: 25 %, 25x: 30 %, 50x: 20 %,
   100x: 15 %}`` and placed at its liquidation price (linear, isolated, no fees or funding):
   long ``E · (1 − 1/L + mmr)``, short ``E · (1 + 1/L − mmr)``, ``mmr`` = 0.4 %.
4. A level is consumed by the first *later* candle whose high (short levels) or low (long
   levels) reaches it, with the USD it still had. Consumption comes first in a candle.
5. ``ΔOI < 0``: positions closed. The model cannot tell which, so ``|ΔOI|`` is removed from the
   live levels pro rata to their USD (every level keeps the same fraction; all of them go when
   ``|ΔOI|`` exceeds their total). The part of the fall the candle's consumed levels already
   explain (liquidations close positions) is not removed twice.
6. Clusters: live levels are summed into price bins of 0.25 % of the last close (or a fixed
   ``bin_step``), smoothed by a 3-bin sum. A cluster is a local maximum of the smoothed profile
   holding at least ``max(alpha · largest smoothed bin of that side, beta · live USD)``, where
   live USD is what the model still holds on both sides (our reading of §5.4's ``ΣΔOI``: the
   open interest added in the window that was neither closed nor consumed); alpha = 0.2,
   beta = 0.05. Its price is the USD-weighted mean price of the levels in its three bins, its
   USD their sum. The nearest cluster is the first such peak beyond the last close.

Vectorised: the first candle reaching each level comes from a sparse table of range maxima
searched by binary lifting (``O(levels · log bars)``). Pro-rata removal multiplies every live
level by one factor per candle, so a level's USD is ``usd₀ · G(t) / G(created)`` with ``G`` the
running product of the factors; only that scalar recurrence (one float per candle) is a loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.base import Reading, iso
from analysis.registry import Registry
from models import Dataset, Fact, LevelProfile
from settings import AnalysisSettings
from values import LongClusterBelow, NearestCluster, ShortClusterAbove, Swept, SweptLevel, as_value

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

HOUR, DAY = pd.Timedelta(hours=1), pd.Timedelta(days=1)
TINY = 1e-300
"""Survival factor standing in for 0 (all levels removed), so that logs stay finite."""
NEGLIGIBLE = 1e-9
"""Levels holding less than this fraction of ΣΔOI⁺ (all but closed out) are ignored."""
SWEPT_TOP = 5
"""How many of the largest swept price bins ``clusters.swept_24h`` lists."""


@dataclass(frozen=True)
class LevelModel:
    """The liquidation-level model's parameters (see the module docstring).

    The first three are ``[analysis]`` settings (``level_model`` reads them; their defaults
    live there only), the rest fixed choices of the model.
    """

    leverage: Mapping[int, float]
    """Share of new positions opened at each leverage: an assumption, not data."""
    mmr: float
    """Maintenance margin rate in the liquidation prices."""
    window: pd.Timedelta
    """How much history of open-interest changes the model replays."""
    tilt: float = 0.1
    share_max_age: pd.Timedelta = 2 * HOUR
    oi_max_age: pd.Timedelta = 4 * HOUR
    bin_pct: float = 0.25
    bin_step: float | None = None
    alpha: float = 0.2
    beta: float = 0.05

    def evidence(self) -> dict[str, Any]:
        """The parameters a reader needs to judge the estimate."""
        mix = {f"{lev}x": share for lev, share in sorted(self.leverage.items())}
        out: dict[str, Any] = {"model": "estimate", "leverage_mix": mix, "mmr": self.mmr}
        out |= {"window_days": self.window / DAY, "bin_pct": self.bin_pct}
        out |= {"bin_step": self.bin_step, "alpha": self.alpha, "beta": self.beta}
        return out


def level_model(settings: AnalysisSettings) -> LevelModel:
    """The liquidation-level model built from the ``leverage_mix``, ``maintenance_margin`` and
    ``level_window_days`` settings.

    The ``model`` option of the ``clusters.*`` and ``outlook.levels`` facts (``DERIVED``).
    """
    return LevelModel(
        leverage={int(k): float(v) for k, v in settings.leverage_mix.items()},
        mmr=settings.maintenance_margin,
        window=pd.Timedelta(days=settings.level_window_days),
    )


LEVEL_MODEL = level_model(AnalysisSettings())
"""The model of the default settings."""


register = Registry(section="derivatives")
C = TypeVar("C", ShortClusterAbove, LongClusterBelow)


@dataclass(frozen=True)
class Levels:
    """Every level the model placed: where, how much, and when it was consumed."""

    price: Floats
    usd: Floats
    """USD still live after the last candle (0 for consumed levels)."""
    short: npt.NDArray[np.bool_]
    created: Ints
    """Index of the candle that opened the positions."""
    consumed: Ints
    """Index of the candle that reached the level; ``len(opens)`` while it is live."""
    consumed_usd: Floats
    opens: pd.DatetimeIndex
    """Open times of the model's candles."""
    interval: pd.Timedelta
    last: float
    """The last close."""
    added_usd: float
    """ΣΔOI⁺: all open interest added in the window."""

    @property
    def live_usd(self) -> float:
        """USD the model still holds as live levels, both sides."""
        return float(self.usd.sum())

    @property
    def live(self) -> npt.NDArray[np.bool_]:
        """Levels no candle has reached yet."""
        live: npt.NDArray[np.bool_] = self.consumed == len(self.opens)
        return live


def _asof(times: pd.DatetimeIndex, rows: pd.Series, max_age: pd.Timedelta) -> Floats:
    """Value of the last row at or before each time, NaN when none is ``max_age`` recent."""
    at = pd.DatetimeIndex(rows.index).as_unit("ns").asi8
    when = times.as_unit("ns").asi8
    pos = np.searchsorted(at, when, side="right") - 1
    values = np.asarray(rows.to_numpy(), dtype=np.float64)
    found = np.where(pos >= 0, values[np.maximum(pos, 0)], np.nan)
    age = when - at[np.maximum(pos, 0)]
    out: Floats = np.where((pos >= 0) & (age <= max_age.value), found, np.nan)
    return out


def first_reach(values: Floats, start: Ints, threshold: Floats) -> Ints:
    """For each level, the first index ``j ≥ start`` with ``values[j] ≥ threshold`` (else n).

    Binary lifting over a sparse table of range maxima: ``table[k][i] = max(values[i:i+2^k])``.
    """
    n = len(values)
    table = [values]
    while 2 ** len(table) <= n:
        prev, half = table[-1], 2 ** (len(table) - 1)
        table.append(np.maximum(prev[:-half], prev[half:]))
    pos = start.astype(np.int64).copy()
    for k in range(len(table) - 1, -1, -1):
        block = table[k]
        fits = pos + 2**k <= n
        peek = np.where(fits, block[np.minimum(pos, len(block) - 1)], np.inf)
        pos = np.where(fits & (peek < threshold), pos + 2**k, pos)
    return np.minimum(pos, n)


def estimate_levels(
    open_interest: Dataset,
    hourly: Dataset,
    long_short: Dataset | None = None,
    model: LevelModel = LEVEL_MODEL,
) -> Levels | None:
    """Run the model over the last ``model.window`` of hourly candles (None: too little data)."""
    assert hourly.interval is not None
    bars = hourly.frame
    opens = pd.DatetimeIndex(bars.index)
    if opens.empty:
        return None
    keep = opens > opens[-1] - model.window
    bars, opens = bars[keep], opens[keep]
    oi = open_interest.frame["oi_usd"]
    if oi.empty:
        return None
    delta = np.nan_to_num(
        _asof(opens + hourly.interval, oi, model.oi_max_age) - _asof(opens, oi, model.oi_max_age)
    )
    if len(bars) < 2 or not (delta > 0).any():
        return None
    high, low, close = (bars[c].to_numpy(dtype=np.float64) for c in ("high", "low", "close"))
    share = _long_share(bars, opens + hourly.interval, long_short, model)
    tiers = np.array(sorted(model.leverage), dtype=np.float64)
    weights = np.array([model.leverage[int(t)] for t in tiers], dtype=np.float64)
    bar = np.flatnonzero(delta > 0)
    entry = ((high + low + close) / 3.0)[bar, None]
    created = np.tile(np.repeat(bar, len(tiers)), 2)
    price = np.concatenate(
        [
            (entry * (1.0 + 1.0 / tiers - model.mmr)).ravel(),
            (entry * (1.0 - 1.0 / tiers + model.mmr)).ravel(),
        ]
    )
    usd0 = np.concatenate(
        [
            (((1.0 - share[bar]) * delta[bar])[:, None] * weights).ravel(),
            ((share[bar] * delta[bar])[:, None] * weights).ravel(),
        ]
    )
    short = np.arange(len(price)) < len(price) // 2
    half = len(price) // 2
    consumed = np.concatenate(
        [
            first_reach(high, created[:half] + 1, price[:half]),
            first_reach(-low, created[half:] + 1, -price[half:]),
        ]
    ).astype(np.int64)
    log_kept = _log_kept(delta, created, consumed, usd0)
    live = consumed == len(bars)
    start = log_kept[created]
    usd = np.where(live, usd0 * np.exp(log_kept[-1] - start), 0.0)
    before = log_kept[np.maximum(consumed - 1, 0)]
    consumed_usd = np.where(live, 0.0, usd0 * np.exp(before - start))
    return Levels(
        price=price,
        usd=usd,
        short=short,
        created=created.astype(np.int64),
        consumed=consumed,
        consumed_usd=consumed_usd,
        opens=opens,
        interval=hourly.interval,
        last=float(close[-1]),
        added_usd=float(delta[bar].sum()),
    )


def _long_share(
    bars: pd.DataFrame, closes_at: pd.DatetimeIndex, long_short: Dataset | None, model: LevelModel
) -> Floats:
    """Long share of each candle's new positions: accounts net long, else a tilt by direction."""
    move = bars["close"].to_numpy(dtype=np.float64) - bars["open"].to_numpy(dtype=np.float64)
    guess: Floats = 0.5 + model.tilt * np.sign(move)
    if long_short is None:
        return guess
    known = _asof(closes_at, long_short.frame["long_pct"], model.share_max_age) / 100.0
    share: Floats = np.where(np.isnan(known), guess, known)
    return share


def _log_kept(delta: Floats, created: Ints, consumed: Ints, usd0: Floats) -> Floats:
    """log G(t): the running product of each candle's pro-rata survival factor.

    Per candle: the levels it consumes leave the live total; then an open-interest fall not
    explained by them is removed from the rest pro rata; then new levels join.
    """
    n = len(delta)
    order = np.argsort(consumed, kind="stable")
    bounds = np.searchsorted(consumed[order], np.arange(n + 1))
    added = np.bincount(created, weights=usd0, minlength=n)
    log_kept = np.zeros(n)
    live, log_g = 0.0, 0.0
    for t in range(n):
        seg = order[bounds[t] : bounds[t + 1]]
        gone = 0.0
        if len(seg):
            gone = float(usd0[seg] @ np.exp(log_g - log_kept[created[seg]]))
            live = max(live - gone, 0.0)
        removed = max(-float(delta[t]) - gone, 0.0)
        if removed > 0.0 and live > 0.0:
            kept = max(1.0 - removed / live, 0.0)
            log_g += float(np.log(max(kept, TINY)))
            live *= kept
        log_kept[t] = log_g
        live += float(added[t])
    return log_kept


def _peaks(profile: Floats) -> Ints:
    """Local maxima of a profile that is 0 at both ends; a flat top counts once, at its middle.

    Runs of (nearly) equal values are collapsed first, so a shoulder on a slope is no peak.
    """
    step = ~np.isclose(profile[1:], profile[:-1], rtol=1e-9, atol=0.0)
    starts = np.concatenate([[0], np.flatnonzero(step) + 1])
    ends = np.concatenate([starts[1:], [len(profile)]])
    top = profile[starts]
    before = np.concatenate([[-np.inf], top[:-1]])
    after = np.concatenate([top[1:], [-np.inf]])
    peak = (top > before) & (top > after)
    middle: Ints = (starts + (ends - 1 - starts) // 2)[peak].astype(np.int64)
    return middle


@dataclass(frozen=True)
class Cluster:
    """A significant pile of estimated liquidation levels."""

    price: float
    usd: float
    distance_pct: float


def bin_step(levels: Levels, model: LevelModel) -> float:
    """Width of a price bin in USD."""
    return model.bin_step or levels.last * model.bin_pct / 100.0


def clusters(levels: Levels, model: LevelModel, *, short: bool) -> list[Cluster]:
    """Significant clusters of live levels on one side, nearest to the last price first."""
    beyond = levels.price > levels.last if short else levels.price < levels.last
    tiny = NEGLIGIBLE * levels.added_usd
    pick = levels.live & (levels.short == short) & beyond & (levels.usd > tiny)
    if not pick.any():
        return []
    price, usd = levels.price[pick], levels.usd[pick]
    step = bin_step(levels, model)
    k = np.floor(price / step).astype(np.int64)
    k0 = int(k.min()) - 1
    hist = np.bincount(k - k0, weights=usd, minlength=int(k.max()) - k0 + 2)
    dollars = np.bincount(k - k0, weights=usd * price, minlength=len(hist))
    smooth = np.convolve(hist, np.ones(3), mode="same")
    money = np.convolve(dollars, np.ones(3), mode="same")
    floor = max(model.alpha * float(smooth.max()), model.beta * levels.live_usd)
    found = []
    for i in _peaks(smooth):
        if smooth[i] >= floor and smooth[i] > 0:
            at = float(money[i] / smooth[i])
            found.append(Cluster(at, float(smooth[i]), (at / levels.last - 1.0) * 100.0))
    return sorted(found, key=lambda c: abs(c.distance_pct))


def _nearest(
    open_interest: Dataset,
    hourly: Dataset,
    long_short: Dataset | None,
    model: LevelModel,
    kind: type[C],
) -> Reading[C] | None:
    levels = estimate_levels(open_interest, hourly, long_short, model)
    found = [] if levels is None else clusters(levels, model, short=kind is ShortClusterAbove)
    if levels is None or not found:
        return None
    c = found[0]
    value = kind(c.price, c.usd, c.distance_pct)
    evidence = model.evidence() | {"last": levels.last, "clusters_found": len(found)}
    evidence |= {"live_usd": levels.live_usd, "added_usd": levels.added_usd}
    evidence |= {"bin_usd": bin_step(levels, model), "to": iso(levels.opens[-1] + levels.interval)}
    used = (open_interest, hourly) + ((long_short,) if long_short is not None else ())
    return Reading(value, "level", used, evidence)


def _score_cluster(fact: Fact) -> float:
    """20 within 2 % of the price, else 8."""
    return 20.0 if abs(as_value(fact, NearestCluster).distance_pct) < 2.0 else 8.0


@register(
    "clusters.nearest_short_above",
    score=_score_cluster,
    topic="positioning",
    order=15,
    estimate=True,
)
def nearest_short_above(
    open_interest: Dataset,
    hourly: Dataset,
    long_short: Dataset | None = None,
    *,
    model: LevelModel,
) -> Reading[ShortClusterAbove] | None:
    """The nearest significant cluster of estimated short liquidations above the last price:
    its price and USD (model estimates) and distance in percent.

    Model (``analysis/liquidation_map.py``): over 30 days of hourly candles, open-interest
    increases are split into longs and shorts (accounts net long, else 50 % ± 10 % by candle
    direction) and spread over 5x-100x leverage at their liquidation prices; falls in open
    interest remove levels pro rata; a wick through a level consumes it. A cluster is a peak of
    the 3-bin (0.25 % bins) profile holding at least 20 % of the largest and 5 % of all live USD.
    """
    return _nearest(open_interest, hourly, long_short, model, ShortClusterAbove)


@register(
    "clusters.nearest_long_below",
    score=_score_cluster,
    topic="positioning",
    order=16,
    estimate=True,
)
def nearest_long_below(
    open_interest: Dataset,
    hourly: Dataset,
    long_short: Dataset | None = None,
    *,
    model: LevelModel,
) -> Reading[LongClusterBelow] | None:
    """The nearest significant cluster of estimated long liquidations below the last price:
    its price and USD (model estimates) and distance in percent (negative).

    The same model and cluster rule as ``clusters.nearest_short_above``, mirrored.
    """
    return _nearest(open_interest, hourly, long_short, model, LongClusterBelow)


def _score_swept(fact: Fact) -> float:
    """10 plus 1 per $25M swept, at most 40."""
    return min(40.0, 10.0 + as_value(fact, Swept).total_usd / 25e6)


@register("clusters.swept_24h", score=_score_swept, topic="positioning", order=14, estimate=True)
def swept_24h(
    open_interest: Dataset,
    hourly: Dataset,
    as_of: pd.Timestamp,
    long_short: Dataset | None = None,
    *,
    model: LevelModel,
) -> Reading[Swept] | None:
    """Estimated liquidation levels consumed by candles closed in the last 24 hours, in USD:
    the total, per side, and the 5 largest price bins swept (side, price, usd, and time: the
    first candle that reached the bin).
    """
    levels = estimate_levels(open_interest, hourly, long_short, model)
    if levels is None:
        return None
    closes_at = levels.opens + levels.interval
    recent = np.flatnonzero(closes_at > as_of - DAY)
    hit = np.isin(levels.consumed, recent)
    hit &= levels.consumed_usd > NEGLIGIBLE * levels.added_usd
    if not hit.any():
        return None
    step = bin_step(levels, model)
    swept = pd.DataFrame(
        {
            "side": np.where(levels.short[hit], "short", "long"),
            "bin": np.floor(levels.price[hit] / step).astype(np.int64),
            "usd": levels.consumed_usd[hit],
            "dollars": levels.consumed_usd[hit] * levels.price[hit],
            "bar": levels.consumed[hit],
        }
    )
    groups = swept.groupby(["side", "bin"], sort=False).agg(
        usd=("usd", "sum"), dollars=("dollars", "sum"), bar=("bar", "min")
    )
    groups = groups.sort_values("usd", ascending=False, kind="stable").head(SWEPT_TOP)
    sides = groups.index.get_level_values("side")
    biggest = tuple(
        SweptLevel(
            "short" if side == "short" else "long", float(d / u), float(u), iso(levels.opens[b])
        )
        for side, u, d, b in zip(
            sides, groups["usd"], groups["dollars"], groups["bar"].astype(int), strict=True
        )
    )
    by_side = swept.groupby("side")["usd"].sum()
    value = Swept(
        total_usd=float(swept["usd"].sum()),
        short_usd=float(by_side.get("short", 0.0)),
        long_usd=float(by_side.get("long", 0.0)),
        levels=biggest,
    )
    evidence = model.evidence() | {"levels_consumed": int(hit.sum()), "bin_usd": step}
    evidence |= {"from": iso(as_of - DAY), "to": iso(as_of)}
    used = (open_interest, hourly) + ((long_short,) if long_short is not None else ())
    return Reading(value, "levels", used, evidence)


def describe(model: LevelModel) -> str:
    """The model's parameters in a few words, for a chart's caption or source line."""
    mix = ", ".join(f"{lev}x {share * 100:g} %" for lev, share in sorted(model.leverage.items()))
    bins = f"${model.bin_step:,.0f}" if model.bin_step else f"{model.bin_pct:g} %"
    return (
        f"{model.window / DAY:g} days of OI increases; leverage {mix}; "
        f"MMR {model.mmr * 100:g} %; {bins} bins"
    )


def level_profile(
    levels: Levels,
    model: LevelModel = LEVEL_MODEL,
    *,
    asset: str = "",
    sources: tuple[str, ...] = (),
) -> LevelProfile:
    """The live (unconsumed) levels summed into price bins, each side apart: the profile the
    liquidation-level chart draws.

    Bins are those of :func:`clusters` (``floor(price / bin_step)``, centred), contiguous from
    the lowest to the highest live level, empty ones included; levels holding a negligible
    share of ΣΔOI⁺ are left out, as there. No live level: empty tuples.
    """
    step = bin_step(levels, model)
    to = levels.opens[-1] + levels.interval if len(levels.opens) else None
    keep = levels.live & (levels.usd > NEGLIGIBLE * levels.added_usd)
    if not keep.any():
        return LevelProfile(asset, (), (), (), levels.last, step, describe(model), sources, to)
    price, usd, short = levels.price[keep], levels.usd[keep], levels.short[keep]
    k = np.floor(price / step).astype(np.int64)
    k0, size = int(k.min()), int(k.max() - k.min()) + 1
    shorts = np.bincount(k[short] - k0, weights=usd[short], minlength=size)
    longs = np.bincount(k[~short] - k0, weights=usd[~short], minlength=size)
    centres = (np.arange(k0, k0 + size, dtype=np.float64) + 0.5) * step
    return LevelProfile(
        asset=asset,
        price=tuple(centres.tolist()),
        long_usd=tuple(longs.tolist()),
        short_usd=tuple(shorts.tolist()),
        last=levels.last,
        bin_usd=step,
        model=describe(model),
        sources=sources,
        to=to,
    )
