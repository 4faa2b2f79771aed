"""Estimated liquidation levels (the "heatmap"), from open interest and hourly candles.

A model estimate, not data: it follows ``../shared/docs/data-sources.md`` §5.4 and says where
positions opened in the window *would* be liquidated, not where they actually are. Its sizes
are scaled to realized liquidations by a coefficient k (``analysis/level_calibration.py``);
without enough liquidation history they are relative only.

1. Bars are the hourly candles of the last ``window`` (30 days by default; this, the mix,
   ``mmr`` and ``turnover`` below are ``[analysis]`` settings). Open interest is read at each
   candle's open and close (the last row at or before, at most ``oi_max_age`` = 4 h old, so
   4-hourly open interest works: its change lands on the candle closing at the new row); the
   change over the candle is ``ΔOI``.
2. Positions opened in a candle: ``ΔOI⁺`` plus the turnover ``turnover · OI · v``, where ``v``
   is the candle's volume over the median volume of the 720 candles to it (1 when unknown):
   the positions that open and close within the interval, which a net change hides (2 % of
   open interest an hour at median volume). Positions closed: ``ΔOI⁻`` plus the same turnover.
3. Opened positions enter at the candle's typical price ``E = (h + l + c) / 3``. The long
   share ``s`` of them is the percent of accounts net long at the candle's close (the
   ``long_short`` row at or before it, at most ``share_max_age`` old), else
   ``0.5 + tilt · sign(close − open)``: longs ``s · opened``, shorts ``(1 − s) · opened``.
4. Each side is spread over the leverage mix ``{5x: 10 %, 10x: 25 %, 25x: 30 %, 50x: 20 %,
   100x: 15 %}`` and placed at its liquidation price (linear, isolated, no fees or funding):
   long ``E · (1 − 1/L + mmr)``, short ``E · (1 + 1/L − mmr)``, ``mmr`` = 0.4 %.
5. A level is consumed by the first *later* candle whose high (short levels) or low (long
   levels) reaches it, with the USD it still had. Consumption comes first in a candle.
6. Closed positions are removed in proportion to *total* open interest: every live level
   loses the share ``closed / OI`` of the candle (the window's levels are a small part of open
   interest, and the traders who close are not only theirs).
7. Clusters: live levels are summed into price bins of 0.25 % of the last close (or a fixed
   ``bin_step``), smoothed by a 3-bin sum. A cluster is a local maximum of the smoothed profile
   holding at least ``max(alpha · largest smoothed bin of that side, beta · the side's live
   USD)`` (what the model still holds beyond the price on that side: §5.4's ``ΣΔOI`` once
   turnover spreads levels over every candle); alpha = 0.2, beta = 0.05. Its price
   is the USD-weighted mean price of the levels in its three bins, its range their edges, its
   USD their sum. The nearest cluster is the first such peak beyond the last close; the band is
   what the side holds within ``band_pct`` (2 %) of it.

Vectorised, and replayed once for every as-of: nothing about a level depends on where the
window starts. The first candle reaching each level comes from a sparse table of range maxima
searched by binary lifting (``O(levels · log bars)``); the closing share of a candle does not
depend on the levels, so a level's USD is ``usd₀ · G(t) / G(created)`` with ``G`` the running
product of ``1 − closed / OI``. A :class:`Replay` holds every level placed over a run of
candles; ``levels_at`` gives the model's state at any of them, which is what
``estimate_levels`` returns for data cut there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis import level_calibration as cal
from analysis.base import Reading, iso
from analysis.registry import Registry, modelled
from models import Dataset, Fact, LevelProfile
from settings import AnalysisSettings
from values import (
    LevelCalibration,
    LongClusterBelow,
    NearestCluster,
    ShortClusterAbove,
    Swept,
    as_value,
)

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

HOUR, DAY = pd.Timedelta(hours=1), pd.Timedelta(days=1)
TINY = 1e-300
"""Survival factor standing in for 0 (all levels removed), so that logs stay finite."""
NEGLIGIBLE = 1e-9
"""Levels holding less than this fraction of the USD opened (all but closed out) are ignored."""
VOLUME_CANDLES = 720
"""Candles of the trailing median volume the turnover is scaled by (30 days of hours)."""


@dataclass(frozen=True)
class LevelModel:
    """The liquidation-level model's parameters (see the module docstring).

    The first seven are ``[analysis]`` settings (``level_model`` reads them; their defaults
    live there only), the rest fixed choices of the model.
    """

    leverage: Mapping[int, float]
    """Share of new positions opened at each leverage: an assumption, not data."""
    mmr: float
    """Maintenance margin rate in the liquidation prices."""
    window: pd.Timedelta
    """How much history of open-interest changes the model replays."""
    turnover: float
    """Share of open interest opened and closed per hour at median volume."""
    fit_days: int
    """Days of realized liquidations k is fitted on (``analysis/level_calibration.py``)."""
    fit_min_days: int
    """Fewer usable days than this: no k, relative sizes only."""
    band_pct: float
    """Width of the band beside the price whose levels the cluster facts size, percent."""
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
        out |= {"window_days": self.window / DAY, "turnover": self.turnover}
        out |= {"bin_pct": self.bin_pct, "bin_step": self.bin_step}
        out |= {"alpha": self.alpha, "beta": self.beta}
        return out


def level_model(settings: AnalysisSettings) -> LevelModel:
    """The liquidation-level model built from the ``leverage_mix``, ``maintenance_margin``,
    ``level_*`` settings.

    The ``model`` option of the ``clusters.*`` and ``outlook.levels`` facts (``DERIVED``).
    """
    return LevelModel(
        leverage={int(k): float(v) for k, v in settings.leverage_mix.items()},
        mmr=settings.maintenance_margin,
        window=pd.Timedelta(days=settings.level_window_days),
        turnover=settings.level_turnover,
        fit_days=settings.level_fit_days,
        fit_min_days=settings.level_fit_min_days,
        band_pct=settings.level_band_pct,
    )


LEVEL_MODEL = level_model(AnalysisSettings())
"""The model of the default settings."""


register = Registry(section="derivatives")
C = TypeVar("C", ShortClusterAbove, LongClusterBelow)


@dataclass(frozen=True)
class Levels:
    """The levels the model holds at the end of its window: where, how much, when consumed."""

    price: Floats
    usd: Floats
    """USD still live after the last candle (0 for consumed levels)."""
    short: Bools
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
    opened_usd: float
    """All USD the model opened in the window (open-interest rises and turnover)."""

    @property
    def live_usd(self) -> float:
        """USD the model still holds as live levels, both sides."""
        return float(self.usd.sum())

    @property
    def live(self) -> Bools:
        """Levels no candle has reached yet."""
        live: Bools = self.consumed == len(self.opens)
        return live


@dataclass(frozen=True)
class Replay:
    """Every level the model placed over a run of candles, and when each was consumed.

    Indices are candles of the run; ``consumed`` is ``len(opens)`` for a level no candle of
    the run reached.
    """

    price: Floats
    usd0: Floats
    """USD opened at the level."""
    short: Bools
    created: Ints
    consumed: Ints
    log_kept: Floats
    """log G: the running sum of each candle's ``log(1 − closed / OI)``, after the candle."""
    opened: Floats
    """USD opened in each candle."""
    opens: pd.DatetimeIndex
    interval: pd.Timedelta
    close: Floats

    @property
    def consumed_usd(self) -> Floats:
        """USD each level held when a candle reached it (0 for those none reached)."""
        reached = self.consumed < len(self.opens)
        before = self.log_kept[np.maximum(self.consumed - 1, 0)]
        out: Floats = np.where(
            reached, self.usd0 * np.exp(before - self.log_kept[self.created]), 0.0
        )
        return out

    def window_start(self, t: int, window: pd.Timedelta) -> int:
        """First candle of the window that ends with candle ``t``."""
        opens = self.opens.as_unit("ns").asi8
        return int(np.searchsorted(opens, (self.opens[t] - window).value, side="right"))

    def levels_at(self, t: int, window: pd.Timedelta) -> Levels:
        """The model's state after candle ``t`` over ``window``: what ``estimate_levels``
        returns for data cut at that candle's close."""
        s = self.window_start(t, window)
        pick = (self.created >= s) & (self.created <= t)
        created, consumed = self.created[pick], self.consumed[pick]
        usd0, live = self.usd0[pick], consumed > t
        kept = self.log_kept[created]
        before = self.log_kept[np.maximum(consumed - 1, 0)]
        return Levels(
            price=self.price[pick],
            usd=np.where(live, usd0 * np.exp(self.log_kept[t] - kept), 0.0),
            short=self.short[pick],
            created=created - s,
            consumed=np.where(live, t + 1, consumed) - s,
            consumed_usd=np.where(live, 0.0, usd0 * np.exp(before - kept)),
            opens=self.opens[s : t + 1],
            interval=self.interval,
            last=float(self.close[t]),
            opened_usd=float(self.opened[s : t + 1].sum()),
        )


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


def relative_volume(bars: pd.DataFrame) -> Floats:
    """Each candle's volume over the median of the ``VOLUME_CANDLES`` candles to it (at least
    a day of them); 1 where that median is unknown or zero."""
    volume = bars["volume"].astype(np.float64)
    median = volume.rolling(VOLUME_CANDLES, min_periods=24).median().to_numpy()
    ratio = volume.to_numpy() / np.where(median > 0, median, np.nan)
    out: Floats = np.where(np.isfinite(ratio), ratio, 1.0)
    return out


def replay(
    open_interest: Dataset,
    hourly: Dataset,
    long_short: Dataset | None,
    model: LevelModel,
    since: pd.Timestamp | None = None,
) -> Replay | None:
    """Run the model over the hourly candles opened after ``since`` (None: all of them).

    None when there are fewer than two candles, no open interest or nothing opened.
    """
    assert hourly.interval is not None
    bars = hourly.frame
    if since is not None:
        bars = bars[bars.index > since - VOLUME_CANDLES * hourly.interval]
    rel = relative_volume(bars)
    opens = pd.DatetimeIndex(bars.index)
    keep = np.ones(len(opens), dtype=np.bool_) if since is None else np.asarray(opens > since)
    bars, opens, rel = bars[keep], opens[keep], rel[keep]
    oi = open_interest.frame["oi_usd"]
    if len(bars) < 2 or oi.empty:
        return None
    base = _asof(opens, oi, model.oi_max_age)
    delta = np.nan_to_num(_asof(opens + hourly.interval, oi, model.oi_max_age) - base)
    churn = np.nan_to_num(model.turnover * base * rel)
    opened = np.maximum(delta, 0.0) + churn
    if not (opened > 0).any():
        return None
    closed = np.maximum(-delta, 0.0) + churn
    share_closed = np.where(base > 0, closed / np.where(base > 0, base, 1.0), 0.0)
    log_kept = np.cumsum(np.log(np.maximum(1.0 - share_closed, TINY)))
    price, usd0, short, created = _place(bars, opens + hourly.interval, opened, long_short, model)
    high, low = (bars[c].to_numpy(dtype=np.float64) for c in ("high", "low"))
    consumed = np.where(
        short,
        first_reach(high, created + 1, price),
        first_reach(-low, created + 1, -price),
    ).astype(np.int64)
    return Replay(
        price=price,
        usd0=usd0,
        short=short,
        created=created,
        consumed=consumed,
        log_kept=log_kept,
        opened=opened,
        opens=opens,
        interval=hourly.interval,
        close=bars["close"].to_numpy(dtype=np.float64),
    )


def _place(
    bars: pd.DataFrame,
    closes_at: pd.DatetimeIndex,
    opened: Floats,
    long_short: Dataset | None,
    model: LevelModel,
) -> tuple[Floats, Floats, Bools, Ints]:
    """(price, usd, short, created) of the levels of each candle's opened positions: shorts
    then longs, one level per leverage tier."""
    high, low, close = (bars[c].to_numpy(dtype=np.float64) for c in ("high", "low", "close"))
    share = _long_share(bars, closes_at, long_short, model)
    tiers = np.array(sorted(model.leverage), dtype=np.float64)
    weights = np.array([model.leverage[int(t)] for t in tiers], dtype=np.float64)
    bar = np.flatnonzero(opened > 0)
    entry = ((high + low + close) / 3.0)[bar, None]
    price = np.concatenate(
        [
            (entry * (1.0 + 1.0 / tiers - model.mmr)).ravel(),
            (entry * (1.0 - 1.0 / tiers + model.mmr)).ravel(),
        ]
    )
    usd0 = np.concatenate(
        [
            (((1.0 - share[bar]) * opened[bar])[:, None] * weights).ravel(),
            ((share[bar] * opened[bar])[:, None] * weights).ravel(),
        ]
    )
    short = np.arange(len(price)) < len(price) // 2
    created = np.tile(np.repeat(bar, len(tiers)), 2).astype(np.int64)
    return price, usd0, short, created


def estimate_levels(
    open_interest: Dataset,
    hourly: Dataset,
    long_short: Dataset | None = None,
    model: LevelModel = LEVEL_MODEL,
) -> Levels | None:
    """Run the model over the last ``model.window`` of hourly candles (None: too little data)."""
    opens = pd.DatetimeIndex(hourly.frame.index)
    if opens.empty:
        return None
    run = replay(open_interest, hourly, long_short, model, since=opens[-1] - model.window)
    return None if run is None else run.levels_at(len(run.opens) - 1, model.window)


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
    """A significant pile of estimated liquidation levels (model USD, not scaled by k)."""

    price: float
    usd: float
    distance_pct: float
    low: float
    """Lower edge of its three bins."""
    high: float
    """Upper edge of its three bins."""


def bin_step(levels: Levels, model: LevelModel) -> float:
    """Width of a price bin in USD."""
    return model.bin_step or levels.last * model.bin_pct / 100.0


def _side(levels: Levels, *, short: bool) -> Bools:
    """Live, non-negligible levels of one side beyond the last price."""
    beyond = levels.price > levels.last if short else levels.price < levels.last
    tiny = NEGLIGIBLE * levels.opened_usd
    side: Bools = levels.live & (levels.short == short) & beyond & (levels.usd > tiny)
    return side


def clusters(levels: Levels, model: LevelModel, *, short: bool) -> list[Cluster]:
    """Significant clusters of live levels on one side, nearest to the last price first."""
    pick = _side(levels, short=short)
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
    floor = max(model.alpha * float(smooth.max()), model.beta * float(usd.sum()))
    found = []
    for i in _peaks(smooth):
        if smooth[i] >= floor and smooth[i] > 0:
            at = float(money[i] / smooth[i])
            low, high = float((i + k0 - 1) * step), float((i + k0 + 2) * step)
            distance = (at / levels.last - 1.0) * 100.0
            found.append(Cluster(at, float(smooth[i]), distance, low, high))
    return sorted(found, key=lambda c: abs(c.distance_pct))


def band_usd(levels: Levels, *, short: bool, pct: float) -> tuple[float, float]:
    """(USD within ``pct`` of the last price, all USD) of one side's live levels beyond it."""
    pick = _side(levels, short=short)
    near = np.abs(levels.price / levels.last - 1.0) * 100.0 <= pct
    return float(levels.usd[pick & near].sum()), float(levels.usd[pick].sum())


@dataclass(frozen=True)
class Assessment:
    """The model at as-of, its k, and the last 24 hours it can be checked on."""

    levels: Levels
    calibration: cal.Calibration
    swept: float
    """Model USD consumed by candles closed in the last 24 hours."""
    swept_short: float
    realized: float | None
    """USD liquidated in the last 24 hours, when the buckets cover them."""
    realized_short_share: float | None
    open_interest: Dataset
    liquidations: Dataset | None

    def evidence(self) -> dict[str, Any]:
        """What the sizes were scaled on: k, its fit, and the data on either side of it."""
        oi, liq, c = self.open_interest, self.liquidations, self.calibration
        out: dict[str, Any] = {"k": c.k, "fit_days": c.fit_days}
        out |= {"checked_days": c.checked_days, "within_2x_days": c.within_2x_days}
        out |= {"oi_source": oi.source, "oi_venues": list(oi.venues)}
        out |= {"oi_interval_h": spacing(oi) / HOUR}
        if liq is not None:
            out |= {"liquidation_source": liq.source, "liquidation_venues": list(liq.venues)}
        return out


def spacing(data: Dataset) -> pd.Timedelta:
    """Median spacing of a dataset's rows (1 h for fewer than two)."""
    times = pd.DatetimeIndex(data.frame.index).as_unit("ns").asi8
    return pd.Timedelta(int(np.median(np.diff(times))) if len(times) > 1 else HOUR.value)


def assess(
    open_interest: Dataset,
    hourly: Dataset,
    long_short: Dataset | None,
    liquidations: Dataset | None,
    as_of: pd.Timestamp,
    model: LevelModel,
) -> Assessment | None:
    """The levels ``estimate_levels`` gives, k fitted on the liquidations before the last 24
    hours, and those 24 hours swept and realized (datasets cut at ``as_of``)."""
    opens = pd.DatetimeIndex(hourly.frame.index)
    if opens.empty:
        return None
    span = model.window + (2 * model.fit_days + 1) * DAY
    run = replay(open_interest, hourly, long_short, model, since=opens[-1] - span)
    if run is None:
        return None
    levels = run.levels_at(len(run.opens) - 1, model.window)
    if len(levels.opens) < 2 or not levels.opened_usd > 0:
        return None
    totals = cal.day_totals(run, liquidations, as_of, 2 * model.fit_days, model.window)
    closes_at = levels.opens + levels.interval
    recent = np.flatnonzero(closes_at > as_of - DAY)
    hit = np.isin(levels.consumed, recent) & (levels.consumed_usd > 0)
    swept = levels.consumed_usd[hit]
    realized, realized_short = float(totals.realized[0]), float(totals.realized_short[0])
    known = np.isfinite(realized)
    return Assessment(
        levels=levels,
        calibration=cal.calibrate(totals, model.fit_days, model.fit_min_days),
        swept=float(swept.sum()),
        swept_short=float(swept[levels.short[hit]].sum()),
        realized=realized if known else None,
        realized_short_share=realized_short / realized if known and realized > 0 else None,
        open_interest=open_interest,
        liquidations=liquidations,
    )


def _scaled(usd: float, k: float | None) -> float | None:
    return None if k is None else usd * k


def _used(*datasets: Dataset | None) -> tuple[Dataset, ...]:
    return tuple(d for d in datasets if d is not None)


def _nearest(
    inputs: tuple[Dataset, Dataset, Dataset | None, Dataset | None],
    as_of: pd.Timestamp,
    model: LevelModel,
    kind: type[C],
) -> Reading[C] | None:
    found = assess(*inputs, as_of, model)
    if found is None:
        return None
    levels, short = found.levels, kind is ShortClusterAbove
    near = clusters(levels, model, short=short)
    if not near:
        return None
    c, k = near[0], found.calibration.k
    band, side = band_usd(levels, short=short, pct=model.band_pct)
    value = kind(
        band_pct=model.band_pct,
        band_usd=_scaled(band, k),
        band_share=band / side,
        low=c.low,
        high=c.high,
        price=c.price,
        usd=_scaled(c.usd, k),
        share=c.usd / side,
        distance_pct=c.distance_pct,
    )
    evidence = model.evidence() | {"last": levels.last, "clusters_found": len(near)}
    evidence |= {"live_usd": levels.live_usd, "opened_usd": levels.opened_usd}
    evidence |= {"bin_usd": bin_step(levels, model), "to": iso(levels.opens[-1] + levels.interval)}
    evidence |= found.evidence()
    open_interest, hourly, long_short, liquidations = inputs
    used = _used(open_interest, hourly, long_short, liquidations if k is not None else None)
    return Reading(value, "level", used, evidence)


def _score_cluster(fact: Fact) -> float:
    """20 within 2 % of the price, else 8."""
    return 20.0 if abs(as_value(fact, NearestCluster).distance_pct) < 2.0 else 8.0


@register(
    "clusters.nearest_short_above",
    score=_score_cluster,
    estimate=modelled,
)
def nearest_short_above(
    open_interest: Dataset,
    hourly: Dataset,
    as_of: pd.Timestamp,
    long_short: Dataset | None = None,
    liquidations: Dataset | None = None,
    *,
    model: LevelModel,
) -> Reading[ShortClusterAbove] | None:
    """Estimated short liquidations above the last price: the USD within 2 % of it, and the
    nearest significant cluster (its price range, mean price, USD and distance in percent).
    USD are model estimates scaled by k; without k (too little liquidation history) they are
    None and only the shares of the side's estimated levels are given.

    Model (``analysis/liquidation_map.py``): over 30 days of hourly candles, open-interest
    increases plus a volume-scaled turnover (2 % of open interest an hour) are split into
    longs and shorts (accounts net long, else 50 % ± 10 % by candle direction) and spread over
    5x-100x leverage at their liquidation prices; closed positions remove every level in
    proportion to total open interest; a wick through a level consumes it. A cluster is a
    peak of the 3-bin (0.25 % bins) profile holding at least 20 % of the largest and 5 % of
    the side's live USD. k is the median of realized / estimated liquidations over the 60 days
    before the last 24 hours (at least 14 of them; ``analysis/level_calibration.py``).
    """
    inputs = (open_interest, hourly, long_short, liquidations)
    return _nearest(inputs, as_of, model, ShortClusterAbove)


@register(
    "clusters.nearest_long_below",
    score=_score_cluster,
    estimate=modelled,
)
def nearest_long_below(
    open_interest: Dataset,
    hourly: Dataset,
    as_of: pd.Timestamp,
    long_short: Dataset | None = None,
    liquidations: Dataset | None = None,
    *,
    model: LevelModel,
) -> Reading[LongClusterBelow] | None:
    """Estimated long liquidations below the last price: the USD within 2 % of it and the
    nearest significant cluster, distance negative.

    The same model, scaling and cluster rule as ``clusters.nearest_short_above``, mirrored.
    """
    inputs = (open_interest, hourly, long_short, liquidations)
    return _nearest(inputs, as_of, model, LongClusterBelow)


def _score_swept(fact: Fact) -> float:
    """6: a check of the model against realized liquidations, not news."""
    return 6.0


@register("clusters.swept_24h", score=_score_swept, estimate=modelled)
def swept_24h(
    open_interest: Dataset,
    hourly: Dataset,
    as_of: pd.Timestamp,
    long_short: Dataset | None = None,
    liquidations: Dataset | None = None,
    *,
    model: LevelModel,
) -> Reading[Swept] | None:
    """The model's estimate of the last 24 hours' liquidations (the levels consumed by candles
    closed then, scaled by k; None without k) and its short share, beside the realized
    liquidations of the same 24 hours when the data covers them, and how the estimate has
    compared with realized totals: on how many of the last 60 days, each estimated with a k
    fitted on earlier days only, it came within 2× of them. Absent when the model swept
    nothing.
    """
    found = assess(open_interest, hourly, long_short, liquidations, as_of, model)
    if found is None or not found.swept > 0:
        return None
    fit = found.calibration
    value = Swept(
        total_usd=_scaled(found.swept, fit.k),
        short_share=found.swept_short / found.swept,
        realized_usd=found.realized,
        realized_short_share=found.realized_short_share,
        calibration=LevelCalibration(
            k=fit.k,
            fit_days=fit.fit_days,
            checked_days=fit.checked_days,
            within_2x_days=fit.within_2x_days,
        ),
    )
    evidence = model.evidence() | {"swept_model_usd": found.swept}
    evidence |= {"from": iso(as_of - DAY), "to": iso(as_of)} | found.evidence()
    used = _used(open_interest, hourly, long_short, liquidations if fit.k is not None else None)
    return Reading(value, "levels", used, evidence)


def describe(model: LevelModel) -> str:
    """The model's parameters in a few words, for a chart's caption or source line."""
    tiers = sorted(model.leverage.items())
    levels = "/".join(f"{lev}" for lev, _ in tiers)
    shares = "/".join(f"{share * 100:g}" for _, share in tiers)
    bins = f"${model.bin_step:,.0f}" if model.bin_step else f"{model.bin_pct:g} %"
    return (
        f"{model.window / DAY:g} days of OI rises + {model.turnover * 100:g} %/h turnover; "
        f"leverage {levels}x at {shares} %; MMR {model.mmr * 100:g} %; {bins} bins"
    )


def level_profile(
    levels: Levels,
    model: LevelModel = LEVEL_MODEL,
    *,
    asset: str = "",
    sources: tuple[str, ...] = (),
    k: float | None = None,
) -> LevelProfile:
    """The live (unconsumed) levels summed into price bins, each side apart: the profile the
    liquidation-level chart draws, in USD scaled by ``k``, or as shares of the live total
    (``relative``) when there is no k.

    Bins are those of :func:`clusters` (``floor(price / bin_step)``, centred), contiguous from
    the lowest to the highest live level, empty ones included; levels holding a negligible
    share of the USD opened are left out, as there. No live level: empty tuples.
    """
    step = bin_step(levels, model)
    to = levels.opens[-1] + levels.interval if len(levels.opens) else None
    keep = levels.live & (levels.usd > NEGLIGIBLE * levels.opened_usd)
    relative = k is None
    if not keep.any():
        return LevelProfile(
            asset, (), (), (), levels.last, step, describe(model), sources, to, relative
        )
    price, usd, short = levels.price[keep], levels.usd[keep], levels.short[keep]
    usd = usd / usd.sum() if k is None else usd * k
    k_bin = np.floor(price / step).astype(np.int64)
    k0, size = int(k_bin.min()), int(k_bin.max() - k_bin.min()) + 1
    shorts = np.bincount(k_bin[short] - k0, weights=usd[short], minlength=size)
    longs = np.bincount(k_bin[~short] - k0, weights=usd[~short], minlength=size)
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
        relative=relative,
    )


def profile(
    open_interest: Dataset,
    hourly: Dataset,
    long_short: Dataset | None,
    liquidations: Dataset | None,
    as_of: pd.Timestamp,
    model: LevelModel,
    *,
    asset: str,
) -> LevelProfile | None:
    """The level profile of one asset at ``as_of`` (datasets cut there), scaled by the k the
    ``clusters.*`` facts use; None when the model cannot run."""
    found = assess(open_interest, hourly, long_short, liquidations, as_of, model)
    if found is None:
        return None
    k = found.calibration.k
    used = _used(open_interest, hourly, long_short, liquidations if k is not None else None)
    sources = tuple(dict.fromkeys(d.source for d in used))
    return level_profile(found.levels, model, asset=asset, sources=sources, k=k)
