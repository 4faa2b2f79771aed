"""The demo market's machinery: seeded, synthetic BTC and ETH markets built from a ``Story``.

A story (``demo.stories``) is declarative: per asset an ``AssetProfile`` (price anchors, bands,
shapes, funding, positioning and liquidation settings), and a ``MarketProfile`` for Fear & Greed
and the dollar index. ``generate(story, seed)`` turns it into frames.

How a story survives any noise: prices follow *anchors* (a price at an instant) joined by
Brownian bridges of seeded noise, so every path hits its anchors exactly. Where the story needs
bounds ("the range", "never closed above $120,000"), daily closes are reflected into a band;
where it needs a shape (ETH's rally and fade), closes follow the line between two anchors with
one-sided noise. Daily closes are drawn first; hourly paths are bridged between them over the
whole history, and daily candles are the aggregates of the hourly ones, so the two agree.

The history runs from the exchange's first listing (``START``, August 2017): funding from each
perpetual's first settlement, Fear & Greed from the index's start (``FEAR_GREED_START``), the
dollar index from ``DXY_START``, as the real series do, so base rates have their earlier cases.
The years before ``STORY_START`` (June 2023) draw their noise from a stream of their own, and
the story's years draw theirs as they did when the history began there: the older years leave
the story's noise, and so every story told on it, unchanged.

Everything here is pure: ``generate`` returns frames and touches no file. Writers
(``demo.snapshot`` for the CSV snapshot) render the same ``Scenario``. The noise comes from
``numpy.random.default_rng(seed)`` drawn in a fixed order, so the same numpy gives the same
frames.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SEED = 20261123
AS_OF = pd.Timestamp("2026-11-23T08:00:00Z")
"""The snapshot's moment: the close of the newest hourly candle (it opens at 07:00Z)."""
START = pd.Timestamp("2017-08-17T00:00:00Z")
"""Open of the first daily and hourly candle of the generated history: Binance spot listed
BTCUSDT and ETHUSDT on 17 August 2017."""
STORY_START = pd.Timestamp("2023-06-01T00:00:00Z")
"""From here on the noise comes from the story's own stream; before, from the early one."""
FEAR_GREED_START = pd.Timestamp("2018-02-01T00:00:00Z")
"""The first day of Alternative.me's Fear & Greed Index."""
DXY_START = pd.Timestamp("2014-01-02T00:00:00Z")
"""The first DXY trading day of the generated history."""
HOUR = pd.Timedelta(hours=1)
DAY = pd.Timedelta(days=1)
HOURLY_DAYS = 365
"""Days of hourly candles, open interest and liquidations (base rates scan a year of squeezes)."""
STORY_HOURS_DAYS = 60
"""Days of the open interest and liquidations that carry the story's own draws."""
FUNDING_DAYS = 90
"""Days of the story's funding prints; before them, back to the perpetual's first settlement
(``AssetProfile.funding_from``), a history of prints."""
LONG_SHORT_DAYS = 30
MIN_SQUEEZE_MOVE = 0.025
"""A historical squeeze needs a 24 h move (log) of at least this much."""
SPIKE_FREE_DAYS = 31
"""No liquidation spike (an hour of $20M+ for BTC) in this many days before the as-of."""
DXY_LAST = pd.Timestamp("2026-11-20T00:00:00Z")
"""The newest DXY trading day (a Friday); the as-of falls on the following Monday."""

N_DAYS = (AS_OF.floor("D") - START).days
"""Closed daily candles: 2017-08-17 to 2026-11-22."""
EARLY_DAYS = (STORY_START - START).days
"""Daily candles before ``STORY_START``, whose noise the early stream draws."""
N_HOURS = int((AS_OF - START) / HOUR)
"""Hourly candles of the whole history (only the last ``HOURLY_DAYS`` days are published)."""
PARTIAL_HOURS = N_HOURS - N_DAYS * 24
"""Hourly candles of the as-of's UTC day (00:00 to 07:00), which has no daily candle yet."""
EARLY_HOURS = EARLY_DAYS * 24
"""Hourly candles before ``STORY_START``."""

RHO_DAILY = 0.8
"""Correlation of BTC and ETH daily noise."""
RHO_HOURLY = 0.75
WICK = 0.55
"""Wick length in units of the hour's volatility."""
NUDGE = 0.0004
"""Anchors are moved by up to this fraction, so that prices do not sit on round numbers."""

# Intraday volatility profile by UTC hour: quiet Asian night, busy US open. Mean square is 1.
_SEASON_RAW = np.array([0.85] * 7 + [0.95] * 6 + [1.30] * 4 + [1.10] * 5 + [0.90] * 2)
SEASON: FloatArray = _SEASON_RAW / np.sqrt(np.mean(_SEASON_RAW**2))

Anchor = tuple[str, float]
"""(ISO instant, value at that instant). For prices: the close of the candle ending then."""


@dataclass(frozen=True)
class Band:
    """Values of a path at instants in [start, end] are reflected into [low, high]."""

    start: str
    end: str
    low: float
    high: float


@dataclass(frozen=True)
class Calm:
    """Days in [start, end) have ``factor`` times the usual volatility, daily and intraday."""

    start: str
    end: str
    factor: float


@dataclass(frozen=True)
class Shape:
    """Daily closes strictly between two anchors follow the (log) line joining them.

    The noise is one-sided: ``sign`` +1 puts bumps above the line, -1 dips below it, each at
    most ``size`` (log units). A steady fade with upward bumps makes no new swing high.
    """

    start: str
    end: str
    sign: int
    size: float


@dataclass(frozen=True)
class Squeeze:
    """Liquidations forced by the final move, on top of the baseline.

    Each window opens ``hours`` before the as-of and runs to the next window's opening (the
    last one to the as-of); its USD of ``side`` are spread over its hours in proportion to each
    hour's move against that side (a rise squeezes shorts), to the power 1.5. ``other``: USD of
    the other side, spread over the counter-moves of all the windows.
    """

    side: Literal["long", "short"]
    windows: tuple[tuple[int, float], ...] = ()
    """(hours before the as-of the window opens, USD liquidated in it), oldest first."""
    other: float = 0.0


NO_SQUEEZE = Squeeze("short")
"""No liquidations beyond the baseline."""


@dataclass(frozen=True)
class AssetProfile:
    """Every number that makes one asset's part of the story."""

    code: str
    daily_vol: float
    """Daily volatility (log) of the noise bridged between price anchors, from ``STORY_START``."""
    early_vol: float
    """The same before ``STORY_START``: the wilder years from the listing to 2023."""
    calm: tuple[Calm, ...]
    price_anchors: tuple[Anchor, ...]
    """At 00:00Z instants: daily closes, the first at ``START``; at other hours: hourly closes
    (the final days)."""
    bands: tuple[Band, ...]
    """Daily closes kept inside these bands."""
    hourly_bands: tuple[Band, ...]
    """Hourly closes kept inside these bands (a broken level stays broken)."""
    shapes: tuple[Shape, ...]
    ath_until: str
    """Highs of candles opening before this instant stay below ``ath_high``..."""
    ath_high: float
    """...which one wick reaches: the record the breakout has to beat (or never beats)."""
    hourly_volume: float
    """Typical base-asset volume per hour."""
    oi_anchors: tuple[Anchor, ...]
    long_pct_anchors: tuple[Anchor, ...]
    long_pct_band: tuple[float, float]
    funding_from: str
    """The perpetual's first settlement, where the funding history starts."""
    funding_anchors: tuple[Anchor, ...]
    funding_tail: tuple[float, ...]
    """Fixed prints at the end, up to the as-of (after the last funding anchor)."""
    funding_snap_until: str
    """Before this, prints near the baseline settle at exactly 0.0100 % (Binance's default)."""
    funding_bands: tuple[Band, ...]
    """Prints at instants in each band are reflected into it."""
    liq_median_hour: float
    """Median liquidated USD per hour, outside the squeeze."""
    liq_cap_hour: float
    """Soft ceiling of an ordinary hour (spikes are added on top, on purpose)."""
    liq_spikes: tuple[int, float, float]
    """(count, smallest, largest USD) of liquidation spikes more than 30 days before the as-of."""
    squeeze: Squeeze
    """Liquidations forced by the final move."""


@dataclass(frozen=True)
class MarketProfile:
    """The market-wide part of a story: Fear & Greed and the dollar index."""

    fear_greed_from: str
    """From this day on the index follows anchors; before, it follows BTC's 30-day return."""
    fear_greed_anchors: tuple[Anchor, ...]
    fear_greed_bands: tuple[Band, ...]
    fear_greed_tail: tuple[int, ...]
    """The last days' values, up to the as-of's day."""
    dxy_anchors: tuple[Anchor, ...]
    """Trading-day closes from ``DXY_START`` to ``DXY_LAST``."""
    dxy_bands: tuple[Band, ...]


@dataclass(frozen=True)
class Story:
    """A whole market: one profile per asset and the market-wide one."""

    name: str
    profiles: tuple[AssetProfile, ...]
    market: MarketProfile


DXY_VOL = 0.0028
FUNDING_STEP = pd.Timedelta(hours=8)
"""Binance settles USDⓈ-M funding every 8 hours (00:00, 08:00 and 16:00 UTC)."""


@dataclass(frozen=True)
class AssetFrames:
    """One asset's tables, each with a tz-aware UTC ``time`` column, in snapshot column order."""

    candles_1d: pd.DataFrame
    candles_1h: pd.DataFrame
    funding: pd.DataFrame
    open_interest: pd.DataFrame
    liquidations: pd.DataFrame
    long_short: pd.DataFrame


@dataclass(frozen=True)
class Scenario:
    """A whole generated market: per-asset tables and the market-wide ones."""

    name: str
    seed: int
    as_of: pd.Timestamp
    assets: dict[str, AssetFrames]
    fear_greed: pd.DataFrame
    dxy: pd.DataFrame


@dataclass(frozen=True)
class Streams:
    """The noise of a story: each part from its own stream, in a fixed order."""

    story: np.random.Generator
    """The story's noise from ``STORY_START`` on, drawn as when the history began there."""
    early: np.random.Generator
    """The noise before ``STORY_START`` (and the nudges of its anchors)."""
    nudges: np.random.Generator
    """The nudges of the anchors from ``STORY_START`` on."""
    history: np.random.Generator
    """The funding, open interest and liquidations older than the story's own."""

    def normal(self, n_early: int, n_story: int) -> FloatArray:
        """Standard normal noise of a whole series: ``n_early`` draws of the early stream for
        its part before ``STORY_START``, then ``n_story`` of the story's."""
        early = self.early.standard_normal(n_early)
        return np.concatenate([early, self.story.standard_normal(n_story)])

    def nudge(self, anchors: tuple[Anchor, ...]) -> tuple[Anchor, ...]:
        """Anchors with each value moved by a random fraction of at most ``NUDGE`` (those
        before ``STORY_START`` by the early stream)."""
        early = tuple(a for a in anchors if ts(a[0]) < STORY_START)
        story = tuple(a for a in anchors if ts(a[0]) >= STORY_START)
        return _nudge(early, self.early) + _nudge(story, self.nudges)


def generate(story: Story, seed: int = SEED) -> Scenario:
    """Build the market of ``story`` from ``seed``; the same seed always gives the same frames."""
    rng = np.random.default_rng(seed)
    # Separate streams: nudging anchors, the older derivatives and the years before the story
    # leave the story's noise alone.
    nudges, history, early = rng.spawn(3)
    streams = Streams(rng, early, nudges, history)
    common_daily = streams.normal(EARLY_DAYS, N_DAYS - EARLY_DAYS)
    common_hourly = streams.normal(EARLY_HOURS, N_HOURS - EARLY_HOURS)
    assets = {}
    for profile in story.profiles:
        nudged = replace(profile, price_anchors=streams.nudge(profile.price_anchors))
        assets[profile.code] = _asset(nudged, streams, common_daily, common_hourly)
    fear_greed = _fear_greed(story.market, assets["BTC"].candles_1d, streams)
    dxy = _dxy(story.market, streams, streams.nudge(story.market.dxy_anchors))
    return Scenario(story.name, seed, AS_OF, assets, fear_greed, dxy)


def _nudge(anchors: tuple[Anchor, ...], rng: np.random.Generator) -> tuple[Anchor, ...]:
    """Anchors with each value moved by a random fraction of at most ``NUDGE``."""
    factors = np.exp(rng.uniform(-NUDGE, NUDGE, len(anchors)))
    return tuple((t, float(v * f)) for (t, v), f in zip(anchors, factors, strict=True))


# --- paths ----------------------------------------------------------------------------------


def ts(instant: str) -> pd.Timestamp:
    """An anchor's instant as a UTC timestamp."""
    return pd.Timestamp(instant).tz_localize("UTC")


def _bridge(idx: IntArray, values: FloatArray, steps: FloatArray) -> FloatArray:
    """A path of ``len(steps) + 1`` points through ``values`` at ``idx``, shaped by ``steps``.

    Between two anchors the path is the straight line plus a Brownian bridge of the random walk
    ``cumsum(steps)``; ``idx`` must start at 0 and end at ``len(steps)``.
    """
    walk = np.concatenate([[0.0], np.cumsum(steps)])
    grid = np.arange(len(walk), dtype=np.float64)
    at = idx.astype(np.float64)
    line = np.interp(grid, at, values)
    return np.asarray(line + walk - np.interp(grid, at, walk[idx]), dtype=np.float64)


def _reflect(x: FloatArray, low: float, high: float) -> FloatArray:
    """Fold values that leave [low, high] back inside, as a bouncing path would."""
    for _ in range(4):
        x = np.where(x > high, 2.0 * high - x, x)
        x = np.where(x < low, 2.0 * low - x, x)
    return np.clip(x, low, high)


def _soft_cap(x: FloatArray, knee: float, cap: float) -> FloatArray:
    """Identity below ``knee``; above it, bends smoothly towards ``cap`` and never reaches it."""
    width = cap - knee
    bent = knee + width * np.tanh((x - knee) / width)
    return np.where(x > knee, bent, x)


def _grid_index(instants: list[str], start: pd.Timestamp, step: pd.Timedelta) -> IntArray:
    """Positions of instants on a regular grid starting at ``start``; raises off the grid."""
    out = []
    for instant in instants:
        offset = (ts(instant) - start) / step
        if offset != int(offset):
            raise ValueError(f"{instant} is not on the {step} grid from {start}")
        out.append(int(offset))
    return np.array(out, dtype=np.int64)


def _anchored(anchors: tuple[Anchor, ...], start: pd.Timestamp, step: pd.Timedelta) -> IntArray:
    """Grid positions of anchors (see ``_grid_index``)."""
    return _grid_index([a[0] for a in anchors], start, step)


def _daily_log_closes(profile: AssetProfile, noise: FloatArray, vol: FloatArray) -> FloatArray:
    """Log prices at each 00:00Z instant from START (index 0) to the last daily close.

    ``noise`` is standard normal, one per day; ``vol`` is each day's volatility.
    """
    daily = [(t, v) for t, v in profile.price_anchors if ts(t) == ts(t).floor("D")]
    idx = _anchored(tuple(daily), START, DAY)
    path = _bridge(idx, np.log([v for _, v in daily]), noise * vol)
    for band in profile.bands:
        i, j = _grid_index([band.start, band.end], START, DAY)
        path[i : j + 1] = _reflect(path[i : j + 1], np.log(band.low), np.log(band.high))
    for shape in profile.shapes:
        i, j = _grid_index([shape.start, shape.end], START, DAY)
        line = np.linspace(path[i], path[j], j - i + 1)[1:-1]
        bumps = np.tanh(np.abs(noise[i : j - 1])) * shape.size
        path[i + 1 : j] = line + shape.sign * bumps
    return path


def _hourly_log_path(
    profile: AssetProfile, daily: FloatArray, noise: FloatArray, sigma: FloatArray
) -> FloatArray:
    """Log prices at every hour from START to AS_OF, through the daily closes and hour anchors."""
    intraday = [(t, v) for t, v in profile.price_anchors if ts(t) != ts(t).floor("D")]
    idx = np.concatenate([np.arange(N_DAYS + 1) * 24, _anchored(tuple(intraday), START, HOUR)])
    values = np.concatenate([daily, np.log([v for _, v in intraday])])
    order = np.argsort(idx, kind="stable")
    if idx[order][-1] != N_HOURS:
        raise ValueError(f"{profile.code}: the last price anchor must be at the as-of")
    path = _bridge(idx[order], values[order], sigma * noise)
    for band in profile.hourly_bands:
        i, j = _grid_index([band.start, band.end], START, HOUR)
        path[i : j + 1] = _reflect(path[i : j + 1], np.log(band.low), np.log(band.high))
    return path


# --- one asset ------------------------------------------------------------------------------


def _asset(
    profile: AssetProfile, streams: Streams, common_daily: FloatArray, common_hourly: FloatArray
) -> AssetFrames:
    """All tables of one asset; ``streams.history`` draws the funding and liquidations older
    than the story's own (``FUNDING_DAYS``, ``STORY_HOURS_DAYS``) from ``STORY_START``, and
    ``streams.early`` the funding before it."""
    rng, history = streams.story, streams.history
    own_daily = streams.normal(EARLY_DAYS, N_DAYS - EARLY_DAYS)
    daily_noise = _correlated(common_daily, own_daily, RHO_DAILY)
    own_hourly = streams.normal(EARLY_HOURS, N_HOURS - EARLY_HOURS)
    hourly_noise = _correlated(common_hourly, own_hourly, RHO_HOURLY)
    vol = np.full(N_DAYS, profile.daily_vol)
    vol[:EARLY_DAYS] = profile.early_vol
    for calm in profile.calm:
        i, j = _grid_index([calm.start, calm.end], START, DAY)
        vol[i:j] *= calm.factor
    hours = pd.date_range(START, periods=N_HOURS, freq=HOUR)
    day_vol = np.concatenate([np.repeat(vol, 24), np.full(PARTIAL_HOURS, vol[-1])])
    sigma = day_vol / np.sqrt(24.0) * SEASON[hours.hour.to_numpy()]

    daily = _daily_log_closes(profile, daily_noise, vol)
    path = _hourly_log_path(profile, daily, hourly_noise, sigma)
    hourly = _hourly_candles(profile, streams, path, sigma, hours)
    first_hour = N_HOURS - (HOURLY_DAYS * 24 + PARTIAL_HOURS)
    first_story = N_HOURS - (STORY_HOURS_DAYS * 24 + PARTIAL_HOURS)
    published = hourly.iloc[first_hour:].reset_index(drop=True)
    recent = hourly.iloc[first_story:].reset_index(drop=True)
    funding = _funding(profile, rng)
    open_interest = _open_interest(profile, rng, recent)
    liquidations = _liquidations(profile, rng, recent)
    long_short = _long_short(profile, rng)
    older = hourly.iloc[first_hour:first_story].reset_index(drop=True)
    story_funding = (STORY_START, AS_OF - FUNDING_DAYS * DAY)
    older_funding = _funding_history(history, path, *story_funding)
    older_oi = _open_interest_history(history, older, open_interest)
    older_liquidations = _liquidation_history(profile, history, older)
    early_funding = (ts(profile.funding_from), STORY_START - FUNDING_STEP)
    early_funding_history = _funding_history(streams.early, path, *early_funding)
    return AssetFrames(
        candles_1d=_daily_from_hourly(hourly),
        candles_1h=published,
        funding=pd.concat([early_funding_history, older_funding, funding], ignore_index=True),
        open_interest=pd.concat([older_oi, open_interest], ignore_index=True),
        liquidations=pd.concat([older_liquidations, liquidations], ignore_index=True),
        long_short=long_short,
    )


def _correlated(common: FloatArray, own: FloatArray, rho: float) -> FloatArray:
    """Standard normal noise with correlation ``rho`` to ``common`` (shared by all assets),
    from the asset's ``own``."""
    return np.asarray(rho * common + np.sqrt(1.0 - rho**2) * own, dtype=np.float64)


def _hourly_candles(
    profile: AssetProfile,
    streams: Streams,
    path: FloatArray,
    sigma: FloatArray,
    hours: pd.DatetimeIndex,
) -> pd.DataFrame:
    """Hourly OHLCV of the whole history from the log path of closes, with wicks and volume."""
    up = np.abs(streams.normal(EARLY_HOURS, N_HOURS - EARLY_HOURS)) * sigma * WICK
    down = np.abs(streams.normal(EARLY_HOURS, N_HOURS - EARLY_HOURS)) * sigma * WICK
    volume_noise = streams.normal(EARLY_HOURS, N_HOURS - EARLY_HOURS)
    regime_noise = streams.normal(EARLY_DAYS, N_DAYS - EARLY_DAYS)

    # Keep every price before ``ath_until`` under the record (bending from 0.8 % below it, never
    # reaching 0.15 % below it), then let the highest wick of that time set the record exactly.
    until = int((ts(profile.ath_until) - START) / HOUR)
    knee, cap = np.log(profile.ath_high * 0.992), np.log(profile.ath_high * 0.9985)
    capped = path.copy()
    capped[: until + 1] = _soft_cap(path[: until + 1], knee, cap)
    o, c = capped[:-1], capped[1:]
    high = np.maximum(o, c) + up
    raw_high = np.maximum(path[:-1], path[1:]) + up
    high[:until] = _soft_cap(raw_high[:until], knee, cap)
    low = np.minimum(o, c) - down
    record = int(np.argmax(high[:until]))
    high[record] = np.log(profile.ath_high)

    # Volume: busier when price moves, in busy hours and in busy weeks.
    z = np.abs(c - o) / sigma
    regime = np.exp(np.repeat(_ar1(regime_noise, 0.95, 0.08), 24))
    regime = np.concatenate([regime, np.full(N_HOURS - len(regime), regime[-1])])
    volume = profile.hourly_volume * regime * SEASON[hours.hour.to_numpy()]
    volume = volume * np.exp(0.3 * volume_noise) * (0.55 + 0.45 * z)
    return pd.DataFrame(
        {
            "time": hours,
            "open": np.round(np.exp(o), 2),
            "high": np.round(np.exp(high), 2),
            "low": np.round(np.exp(low), 2),
            "close": np.round(np.exp(c), 2),
            "volume": np.round(volume, 4),
        }
    )


def _ar1(noise: FloatArray, phi: float, sigma: float) -> FloatArray:
    """A stationary AR(1) series driven by ``noise``, started at 0."""
    out = np.empty_like(noise)
    level = 0.0
    for i, e in enumerate(noise):
        level = phi * level + sigma * e
        out[i] = level
    return out


def _daily_from_hourly(hourly: pd.DataFrame) -> pd.DataFrame:
    """Daily candles of every full UTC day: first open, highest high, lowest low, last close."""
    full = hourly.iloc[: N_DAYS * 24]

    def by_day(column: str) -> npt.NDArray[np.float64]:
        return full[column].to_numpy(dtype=np.float64).reshape(N_DAYS, 24)

    return pd.DataFrame(
        {
            "time": pd.date_range(START, periods=N_DAYS, freq=DAY),
            "open": by_day("open")[:, 0],
            "high": by_day("high").max(axis=1),
            "low": by_day("low").min(axis=1),
            "close": by_day("close")[:, -1],
            "volume": np.round(by_day("volume").sum(axis=1), 4),
        }
    )


# --- derivatives ----------------------------------------------------------------------------


def _funding(profile: AssetProfile, rng: np.random.Generator) -> pd.DataFrame:
    """8-hourly settled funding for the last 90 days, up to the print at the as-of."""
    step = FUNDING_STEP
    first = AS_OF - FUNDING_DAYS * DAY + step
    times = pd.date_range(first, AS_OF, freq=step)
    n = len(times) - len(profile.funding_tail)
    walk = rng.standard_normal(n - 1) * 0.000012
    jitter = rng.standard_normal(n) * 0.000004
    idx = _anchored(profile.funding_anchors, first, step)
    rates = _bridge(idx, np.array([v for _, v in profile.funding_anchors]), walk) + jitter

    snap = times[:n] < ts(profile.funding_snap_until)
    rates = np.where(snap & (rates > 0.00008) & (rates < 0.00013), 0.0001, rates)
    for band in profile.funding_bands:
        i, j = _grid_index([band.start, band.end], first, step)
        rates[i : j + 1] = _reflect(rates[i : j + 1], band.low, band.high)
    # A settled rate of exactly zero has no sign; real prints rarely sit there either.
    rates = np.where(np.abs(rates) < 5e-7, np.copysign(5e-7, rates), rates)
    rates = np.concatenate([rates, profile.funding_tail])
    return pd.DataFrame({"time": times, "rate": np.round(rates, 8)})


def _funding_history(
    rng: np.random.Generator, path: FloatArray, first: pd.Timestamp, last: pd.Timestamp
) -> pd.DataFrame:
    """8-hourly settled funding from ``first`` to ``last``, before the story's prints: longs pay
    more after a rally and shorts after a slump (the asset's 30-day log return), with slow
    noise; prints near the default settle at exactly 0.0100 %, as Binance's do."""
    times = pd.date_range(first, last, freq=FUNDING_STEP)
    hours = ((times - START) / HOUR).to_numpy().astype(np.int64)
    month = path[hours] - path[np.maximum(hours - 30 * 24, 0)]
    noise = _ar1(rng.standard_normal(len(times)), 0.9, 0.00002)
    rates = 0.0001 + 0.0006 * month + noise
    rates = np.where((rates > 0.00008) & (rates < 0.00013), 0.0001, rates)
    rates = np.where(np.abs(rates) < 5e-7, np.copysign(5e-7, rates), rates)
    return pd.DataFrame({"time": times, "rate": np.round(rates, 8)})


def _open_interest(
    profile: AssetProfile, rng: np.random.Generator, candles: pd.DataFrame
) -> pd.DataFrame:
    """Hourly open interest in USD on the hourly candles' times."""
    times = pd.DatetimeIndex(candles["time"])
    walk = rng.standard_normal(len(times) - 1) * 0.0018
    jitter = rng.standard_normal(len(times)) * 0.0006
    idx = _anchored(profile.oi_anchors, times[0], HOUR)
    log_oi = _bridge(idx, np.log([v for _, v in profile.oi_anchors]), walk) + jitter
    return pd.DataFrame({"time": times, "oi_usd": np.round(np.exp(log_oi), 2)})


def _open_interest_history(
    rng: np.random.Generator, candles: pd.DataFrame, story: pd.DataFrame
) -> pd.DataFrame:
    """Hourly open interest before the story's: it grows and shrinks with the price (80 % of
    its log moves) and drifts slowly on its own, ending near the story's first value."""
    log_price = np.log(candles["close"].to_numpy())
    drift = _ar1(rng.standard_normal(len(candles)), 0.998, 0.0015)
    log_oi = 0.8 * (log_price - log_price[-1]) + drift - drift[-1]
    log_oi += np.log(float(story["oi_usd"].iloc[0]))
    return pd.DataFrame({"time": candles["time"], "oi_usd": np.round(np.exp(log_oi), 2)})


def _long_short(profile: AssetProfile, rng: np.random.Generator) -> pd.DataFrame:
    """Hourly percent of accounts net long over the last 30 days: a smooth, bounded drift."""
    first = AS_OF.floor("D") - LONG_SHORT_DAYS * DAY
    times = pd.date_range(first, AS_OF - HOUR, freq=HOUR)
    walk = rng.standard_normal(len(times) - 1) * 0.1
    idx = _anchored(profile.long_pct_anchors, first, HOUR)
    pct = _bridge(idx, np.array([v for _, v in profile.long_pct_anchors]), walk)
    pct = _reflect(pct, *profile.long_pct_band)
    return pd.DataFrame({"time": times, "long_pct": np.round(pct, 2)})


def _liquidations(
    profile: AssetProfile, rng: np.random.Generator, candles: pd.DataFrame
) -> pd.DataFrame:
    """Hourly USD liquidated per side: a heavy-tailed baseline, old spikes, the short squeeze."""
    times = pd.DatetimeIndex(candles["time"])
    ret, z, longs, shorts = _baseline(profile, rng, candles)

    # Spikes on the sharpest hours more than 30 days back, at least two days apart.
    count, smallest, largest = profile.liq_spikes
    sizes = rng.uniform(smallest, largest, count)
    old = times < AS_OF - SPIKE_FREE_DAYS * DAY
    chosen: list[int] = []
    for i in np.argsort(-np.abs(z) * old, kind="stable"):
        if len(chosen) == count:
            break
        if all(abs(int(i) - k) >= 48 for k in chosen):
            chosen.append(int(i))
    for i, size in zip(chosen, sizes, strict=True):
        share = 0.85 if z[i] < 0 else 0.15
        longs[i] += size * share
        shorts[i] += size * (1.0 - share)

    _squeeze(profile.squeeze, times, ret, longs, shorts)
    return pd.DataFrame(
        {"time": times, "long_usd": np.round(longs, 2), "short_usd": np.round(shorts, 2)}
    )


def _baseline(
    profile: AssetProfile, rng: np.random.Generator, candles: pd.DataFrame
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Each hour's log return, its z-score, and the baseline USD of longs and shorts liquidated:
    heavy-tailed, bigger when price moves; longs go when price falls."""
    n = len(candles)
    ret = np.log(candles["close"].to_numpy() / candles["open"].to_numpy())
    z = ret / (profile.daily_vol / np.sqrt(24.0))
    size_noise, side_noise = rng.standard_normal(n), rng.standard_normal(n)
    total = np.exp(0.8 * size_noise) * (0.5 + 0.5 * np.abs(z))
    total = total * profile.liq_median_hour / np.median(total)
    knee = profile.liq_cap_hour * 0.6
    total = np.where(total > knee, _soft_cap(total, knee, profile.liq_cap_hour), total)
    long_share = 1.0 / (1.0 + np.exp(1.0 * z - 0.8 * side_noise))
    return ret, z, total * long_share, total * (1.0 - long_share)


def _liquidation_history(
    profile: AssetProfile, rng: np.random.Generator, candles: pd.DataFrame
) -> pd.DataFrame:
    """Hourly USD liquidated per side before the story's hours: the same baseline, and squeezes
    about monthly on the sharpest 24 hours of each direction (``_squeeze_ends``): 5-10 median
    days of the squeezed side, spread over the hours that moved."""
    times = pd.DatetimeIndex(candles["time"])
    ret, _, longs, shorts = _baseline(profile, rng, candles)
    moves = np.convolve(ret, np.ones(24), mode="full")[: len(ret)]  # 24 h ending each hour
    moves[:24] = 0.0
    day_usd = profile.liq_median_hour * 24.0
    for side, sign in (("short", 1.0), ("long", -1.0)):
        squeezed = shorts if side == "short" else longs
        against = np.maximum(sign * ret, 0.0) ** 1.5
        for end in _squeeze_ends(sign * moves):
            weight = np.zeros(len(ret))
            weight[end - 23 : end + 1] = against[end - 23 : end + 1]
            squeezed += day_usd * rng.uniform(5.0, 10.0) * weight / weight.sum()
    return pd.DataFrame(
        {"time": times, "long_usd": np.round(longs, 2), "short_usd": np.round(shorts, 2)}
    )


def _squeeze_ends(moves: FloatArray) -> list[int]:
    """Hours ending the historical squeezes of one side: walking forward from the first month
    (which the 30-day median needs), the largest positive ``moves`` within a week, then the
    next search 31 days after it; only moves of at least ``MIN_SQUEEZE_MOVE`` count."""
    chosen: list[int] = []
    start = 30 * 24
    while start < len(moves):
        week = moves[start : start + 7 * 24]
        best = start + int(np.argmax(week))
        if moves[best] >= MIN_SQUEEZE_MOVE:
            chosen.append(best)
        start = best + 31 * 24
    return chosen


def _squeeze(
    squeeze: Squeeze,
    times: pd.DatetimeIndex,
    ret: FloatArray,
    longs: FloatArray,
    shorts: FloatArray,
) -> None:
    """Add the squeeze to ``longs`` and ``shorts`` (in place): the squeezed side in proportion
    to each hour's move against it, the other side on the counter-moves."""
    if not squeeze.windows:
        return
    squeezed, other = (shorts, longs) if squeeze.side == "short" else (longs, shorts)
    against = ret if squeeze.side == "short" else -ret
    opens = [AS_OF - hours * HOUR for hours, _ in squeeze.windows]
    for k, (_, amount) in enumerate(squeeze.windows):
        window = times >= opens[k]
        if k + 1 < len(opens):
            window = window & (times < opens[k + 1])
        weight = np.where(window, np.maximum(against, 0.0) ** 1.5, 0.0)
        squeezed += amount * weight / weight.sum()
    weight = np.where(times >= opens[0], np.maximum(-against, 0.0) + 0.0005, 0.0)
    other += squeeze.other * weight / weight.sum()


# --- market-wide ----------------------------------------------------------------------------


def _fear_greed(market: MarketProfile, btc_daily: pd.DataFrame, streams: Streams) -> pd.DataFrame:
    """Daily Fear & Greed from ``FEAR_GREED_START`` to the as-of day, with its classification."""
    rng = streams.story
    times = pd.date_range(FEAR_GREED_START, AS_OF.floor("D"), freq=DAY)
    closes = btc_daily["close"].to_numpy()
    known = np.concatenate([[btc_daily["open"].iloc[0]], closes])  # price at each 00:00Z
    logs = np.log(known)
    month = (logs[30:] - logs[:-30])[(FEAR_GREED_START - START).days - 30 :]
    early = (STORY_START - FEAR_GREED_START).days
    mood = _ar1(streams.normal(early, len(times) - early), 0.8, 6.0)
    value = 50.0 + 44.0 * np.tanh((120.0 * month + mood) / 45.0)

    start = int((ts(market.fear_greed_from) - times[0]) / DAY)
    tail = market.fear_greed_tail
    tail_start = len(times) - len(tail)
    anchors = ((market.fear_greed_from, float(value[start])), *market.fear_greed_anchors)
    anchors = (*anchors, (str(times[tail_start].date()), float(tail[0])))
    idx = _anchored(anchors, times[start], DAY)
    walk = rng.standard_normal(idx[-1]) * 3.5
    recent = _bridge(idx, np.array([v for _, v in anchors], dtype=np.float64), walk)
    value[start : tail_start + 1] = recent
    for band in market.fear_greed_bands:
        i, j = _grid_index([band.start, band.end], times[0], DAY)
        value[i : j + 1] = _reflect(value[i : j + 1], band.low, band.high)
    value[tail_start:] = tail
    values = np.clip(np.round(value), 0, 100).astype(np.int64)
    return pd.DataFrame(
        {"time": times, "value": values, "classification": [classify(int(v)) for v in values]}
    )


def classify(value: int) -> str:
    """Alternative.me's class of a Fear & Greed value."""
    if value <= 24:
        return "Extreme Fear"
    if value <= 44:
        return "Fear"
    if value <= 55:
        return "Neutral"
    if value <= 75:
        return "Greed"
    return "Extreme Greed"


def _dxy(market: MarketProfile, streams: Streams, anchors: tuple[Anchor, ...]) -> pd.DataFrame:
    """Business-day closes of the US Dollar Index from ``DXY_START``, the trading date at
    00:00Z."""
    times = pd.bdate_range(DXY_START, DXY_LAST)
    early = int((times < STORY_START).sum())
    walk = streams.normal(early, len(times) - 1 - early) * DXY_VOL
    idx = _trading_days(times, [t for t, _ in anchors])
    path = _bridge(idx, np.log([v for _, v in anchors]), walk)
    for band in market.dxy_bands:
        i, j = _trading_days(times, [band.start, band.end])
        path[i : j + 1] = _reflect(path[i : j + 1], np.log(band.low), np.log(band.high))
    return pd.DataFrame({"time": times, "close": np.round(np.exp(path), 3)})


def _trading_days(times: pd.DatetimeIndex, days: list[str]) -> IntArray:
    """Positions of dates among the business days ``times``; raises for a weekend date."""
    idx = times.get_indexer(pd.DatetimeIndex([ts(d) for d in days]))
    if (idx < 0).any():
        raise ValueError(f"not a business day in the DXY calendar: {days}")
    return idx.astype(np.int64)
