"""Backtest the liquidation-level model against realized liquidations.

``python -m bench.liquidation_model`` replays the model over every day a snapshot (``--snapshot
DIR``, by default the small fixture shipped in ``tests/fixtures/liquidation_model``), the
history store (``--store FILE``) or the real data in ``../shared/marketdata`` (``--shared``)
covers. Days are the 24 hours to each 00:00 UTC; each day's estimate is the model's swept total
(what ``clusters.swept_24h`` would have said at its end) scaled by a k fitted on the days
before it only (``analysis/level_calibration.py``), so no day is estimated with data from its
own future. It prints, per asset and data set:

- estimated / realized: median and interquartile range, and the share of days within 2×;
- Pearson and Spearman correlation of the estimated and realized daily totals;
- side agreement: the share of days whose larger side (shorts or longs) is the same;
- the nearest cluster of each side at each day's end, reached within the next 24 hours, against
  levels at the same distance (how often the next 24 hours reached that far on the other days):
  the difference in percentage points with its 95 % confidence interval (normal approximation).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis import level_calibration as cal
from analysis import liquidation_map as lm
from datasets import DATASETS
from models import Dataset

Floats = npt.NDArray[np.float64]

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "liquidation_model"
"""The shipped fixture: about 11 weeks of real hourly BTC data (see its manifest)."""
SHARED = ROOT.parent / "shared" / "marketdata"
DAY, HOUR = pd.Timedelta(days=1), pd.Timedelta(hours=1)
TARGET_MEDIAN = (0.7, 1.4)
TARGET_WITHIN_2X = 0.75
TARGET_SPEARMAN = 0.85
"""The accuracy the model aims at on held-out days of hourly data: median estimated /
realized, share of days within 2x, Spearman correlation of the daily totals."""


@dataclass(frozen=True)
class Inputs:
    """One asset's data for the backtest, and a label naming what it is."""

    label: str
    open_interest: Dataset
    hourly: Dataset
    liquidations: Dataset
    long_short: Dataset | None = None


@dataclass(frozen=True)
class Reach:
    """How often the nearest cluster of one side was reached within 24 hours."""

    days: int
    rate: float
    """Share of days whose cluster the next 24 hours reached."""
    baseline: float
    """Mean chance of reaching a level at the same distance (the other days' excursions)."""
    low: float
    high: float
    """95 % confidence interval of ``rate − baseline``."""

    @property
    def excess(self) -> float:
        """Reached more often than same-distance levels by this share (negative: less)."""
        return self.rate - self.baseline


@dataclass(frozen=True)
class Backtest:
    """The model's estimates of held-out days against realized liquidations."""

    first: pd.Timestamp
    last: pd.Timestamp
    """Ends of the first and last day estimated."""
    days: int
    """Days estimated: a k fitted on earlier days, a model, and a realized total."""
    k_range: tuple[float, float]
    median: float
    q1: float
    q3: float
    """Quartiles of estimated / realized."""
    within_2x: float
    pearson: float
    spearman: float
    side_agreement: float
    short_reach: Reach | None
    long_reach: Reach | None

    def meets_target(self) -> bool:
        """Whether the ``TARGET_*`` accuracy is reached."""
        low, high = TARGET_MEDIAN
        return (
            low <= self.median <= high
            and self.within_2x >= TARGET_WITHIN_2X
            and self.spearman >= TARGET_SPEARMAN
        )


def _spearman(a: Floats, b: Floats) -> float:
    """Spearman's rank correlation (ties take their mean rank)."""
    return float(pd.Series(a).rank().corr(pd.Series(b).rank()))


def backtest(inputs: Inputs, model: lm.LevelModel = lm.LEVEL_MODEL) -> Backtest | None:
    """Replay the model once over all of ``inputs`` and estimate every day it can (None: no
    day can be estimated)."""
    run = lm.replay(inputs.open_interest, inputs.hourly, inputs.long_short, model)
    liq = inputs.liquidations.frame
    if run is None or liq.empty:
        return None
    end_of_data = min(
        run.opens[-1] + run.interval, liq.index[-1] + cal.bucket_length(inputs.liquidations)
    )
    end = end_of_data.floor("D")
    days = int((end - run.opens[0]) / DAY)
    totals = cal.day_totals(run, inputs.liquidations, end, days, model.window)
    ks = cal.walk_forward(totals, model.fit_days, model.fit_min_days)
    ok = np.isfinite(ks) & np.isfinite(totals.swept) & (totals.realized > 0)
    if not ok.any():
        return None
    estimate, real = ks[ok] * totals.swept[ok], totals.realized[ok]
    q = estimate / real
    estimated_short = totals.swept_short[ok] / np.where(totals.swept[ok] > 0, totals.swept[ok], 1)
    side = (estimated_short > 0.5) == (totals.realized_short[ok] / real > 0.5)
    ends = totals.ends[ok]
    reaches = _reaches(run, inputs.hourly, ends, model)
    return Backtest(
        first=ends.min(),
        last=ends.max(),
        days=int(ok.sum()),
        k_range=(float(ks[ok].min()), float(ks[ok].max())),
        median=float(np.median(q)),
        q1=float(np.quantile(q, 0.25)),
        q3=float(np.quantile(q, 0.75)),
        within_2x=float(((q >= 0.5) & (q <= 2.0)).mean()),
        pearson=float(np.corrcoef(estimate, real)[0, 1]),
        spearman=_spearman(estimate, real),
        side_agreement=float(side.mean()),
        short_reach=reaches[0],
        long_reach=reaches[1],
    )


def _reaches(
    run: lm.Replay, hourly: Dataset, ends: pd.DatetimeIndex, model: lm.LevelModel
) -> tuple[Reach | None, Reach | None]:
    """Reach of the nearest short and long clusters at each day's end."""
    bars = hourly.frame.reindex(run.opens)
    high, low = bars["high"].to_numpy(np.float64), bars["low"].to_numpy(np.float64)
    closes_at = (run.opens + run.interval).as_unit("ns").asi8
    rows: list[tuple[float, float, float | None, float | None]] = []
    for end in sorted(ends):
        t = int(np.searchsorted(closes_at, end.value, side="right")) - 1
        after = slice(t + 1, int(np.searchsorted(closes_at, (end + DAY).value, side="right")))
        if t < 1 or after.stop - after.start < int(DAY / run.interval):
            continue
        levels = run.levels_at(t, model.window)
        last = levels.last
        up, down = float(np.max(high[after])) / last - 1, 1 - float(np.min(low[after])) / last
        near = [lm.clusters(levels, model, short=s) for s in (True, False)]
        dist = [abs(found[0].distance_pct) / 100 if found else None for found in near]
        rows.append((up, down, dist[0], dist[1]))
    if not rows:
        return None, None
    moves = np.array([[r[0], r[1]] for r in rows])
    out = []
    for side in (0, 1):
        pairs = [(i, r[2 + side]) for i, r in enumerate(rows) if r[2 + side] is not None]
        out.append(_reach(moves[:, side], pairs))
    return out[0], out[1]


def _reach(moves: Floats, pairs: Sequence[tuple[int, float | None]]) -> Reach | None:
    """Reach of clusters at ``pairs`` (day, distance) against the other days' ``moves``."""
    if len(pairs) < 2:
        return None
    reached, chance = [], []
    for i, distance in pairs:
        assert distance is not None
        others = np.delete(moves, i)
        reached.append(float(moves[i] >= distance))
        chance.append(float((others >= distance).mean()))
    diff = np.array(reached) - np.array(chance)
    half = 1.96 * float(diff.std(ddof=1)) / np.sqrt(len(diff))
    mean = float(diff.mean())
    return Reach(
        len(diff), float(np.mean(reached)), float(np.mean(chance)), mean - half, mean + half
    )


# --- reports -----------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


def _reach_line(side: str, reach: Reach | None) -> str:
    if reach is None:
        return f"  nearest {side} cluster: too few days with one"
    return (
        f"  nearest {side} cluster reached within 24 h on {_pct(reach.rate)} of {reach.days} "
        f"days vs {_pct(reach.baseline)} for levels at the same distance: "
        f"{reach.excess * 100:+.1f} pp (95 % CI {reach.low * 100:+.1f} to {reach.high * 100:+.1f})"
    )


def report(inputs: Inputs, result: Backtest | None) -> str:
    """The backtest of one data set, in a few lines."""
    if result is None:
        return f"{inputs.label}\n  no day could be estimated (too little history to fit k)"
    low, high = TARGET_MEDIAN
    verdict = "met" if result.meets_target() else "NOT met"
    return "\n".join(
        [
            inputs.label,
            f"  {result.days} days to 00:00 UTC, {result.first:%Y-%m-%d} to {result.last:%Y-%m-%d},"
            f" each estimated with a k fitted on earlier days only "
            f"(k {result.k_range[0]:.3g} to {result.k_range[1]:.3g})",
            f"  estimated / realized: median {result.median:.2f} "
            f"(IQR {result.q1:.2f}-{result.q3:.2f}); within 2x on {_pct(result.within_2x)} of days",
            f"  Pearson {result.pearson:.2f}, Spearman {result.spearman:.2f}; "
            f"side agreement {_pct(result.side_agreement)}",
            _reach_line("short", result.short_reach),
            _reach_line("long", result.long_reach),
            f"  target (median {low}-{high}, >= {_pct(TARGET_WITHIN_2X)} within 2x, "
            f"Spearman >= {TARGET_SPEARMAN}): {verdict}",
        ]
    )


# --- data --------------------------------------------------------------------------------------


def from_snapshot(path: Path, assets: Sequence[str] = ()) -> list[Inputs]:
    """Each asset of a snapshot with open interest, hourly candles and liquidations."""
    from sources.snapshot import load_snapshot

    snapshot = load_snapshot(path, list(assets) or None)
    out = []
    for code, data in snapshot.assets.items():
        oi, hourly, liq = data.open_interest, data.candles_1h, data.liquidations
        if oi is not None and hourly is not None and liq is not None:
            out.append(Inputs(_label(code, oi, liq), oi, hourly, liq, data.long_short))
    return out


def _label(asset: str, oi: Dataset, liq: Dataset) -> str:
    """``BTC: open interest <source>, 1-hourly (<venues>) · liquidations ...``."""

    def what(d: Dataset) -> str:
        venues = ", ".join(d.venues) or "venues not recorded"
        return f"{d.source}, {lm.spacing(d) / HOUR:g}-hourly ({venues})"

    return f"{asset}: open interest {what(oi)} · liquidations {what(liq)}"


def from_store(path: Path, assets: Sequence[str]) -> list[Inputs]:
    """Each asset's history in the store, read through ``store/history.py``: each dataset's
    rows of the source that stored its newest row; liquidations from the recorded events when
    no liquidation rows were stored."""
    from store import history as hist
    from store import open_store

    store = open_store(path)
    now = pd.Timestamp.now(tz="UTC")
    out = []
    try:
        for asset in assets:
            found = {}
            for name in ("open_interest", "candles_1h", "liquidations", "long_short"):
                newest = hist.newest_row(store, name, asset)
                rows = (
                    None
                    if newest is None
                    else hist.read_rows(store, name, asset, None, now, newest[1])
                )
                found[name] = (
                    None
                    if newest is None or rows is None
                    else _dataset(name, asset, newest[1], rows)
                )
            liq = found["liquidations"]
            if liq is None:
                events = hist.event_buckets(store, asset, pd.Timestamp(0, tz="UTC"), now)
                liq = (
                    None
                    if events.empty
                    else _dataset("liquidations", asset, "recorded streams", events)
                )
            oi, hourly = found["open_interest"], found["candles_1h"]
            if oi is not None and hourly is not None and liq is not None:
                out.append(Inputs(_label(asset, oi, liq), oi, hourly, liq, found["long_short"]))
    finally:
        store.close()
    return out


def _dataset(name: str, asset: str, source: str, rows: pd.DataFrame) -> Dataset:
    """A dataset from rows with a ``time`` column and its registry columns."""
    spec = DATASETS[name]
    frame = rows.set_index(pd.DatetimeIndex(rows["time"], name="time"))
    frame = frame[list(spec.bounds)].astype(np.float64)
    return Dataset(name, asset, source, frame, spec.interval, spec.venues)


def _times(ms: pd.Series) -> pd.Series:
    """Unix milliseconds as UTC times."""
    return pd.to_datetime(ms, unit="ms", utc=True)


def _table(
    name: str, source: str, venues: tuple[str, ...], columns: dict[str, pd.Series], times: pd.Series
) -> Dataset:
    """A BTC dataset of ``columns`` at ``times`` (the last of duplicate times kept)."""
    frame = pd.DataFrame({k: v.to_numpy(np.float64) for k, v in columns.items()})
    frame.index = pd.DatetimeIndex(times, name="time")
    frame = frame[~frame.index.duplicated(keep="last")].sort_index()
    return Dataset(name, "BTC", source, frame, DATASETS[name].interval, venues)


def _boundaries(
    frame: pd.DataFrame, opens: str, closes: str, length: pd.Timedelta
) -> tuple[pd.Series, pd.Series]:
    """Open interest at each bar's open and close, as (values, times)."""
    start = _times(frame["timestamp" if "timestamp" in frame else "time"])
    return pd.concat([frame[opens], frame[closes]]), pd.concat([start, start + length])


def from_shared(shared: Path = SHARED) -> list[Inputs]:
    """The two real setups of ``../shared/marketdata`` (SOURCES.md §5b, §5c), both on Binance
    USDⓈ-M BTCUSDT hourly candles: hourly Binance BTCUSDT open interest against Binance + OKX
    + Bybit hourly liquidations (Dec 2025 - Apr 2026); 4-hourly all-exchange open interest
    against Binance-only 4-hour liquidations, with Binance's account ratios (Nov 2024 - Nov
    2025)."""
    perp = pd.read_csv(shared / "binance_usdm_perp_luckys4900" / "BTC_USDT_USDT_1h_ohlcv.csv")
    perp = perp.iloc[:-1]  # the last candle may be incomplete
    candle_columns = {c: perp[c] for c in ("open", "high", "low", "close", "volume")}
    times = pd.to_datetime(perp["timestamp"], utc=True)
    hourly = _table("candles_1h", "Binance USDⓈ-M futures", ("Binance",), candle_columns, times)
    one = shared / "coinglass_1h_ismethanhtung"
    regime = pd.read_csv(one / "coinglass_BTC_regime_1h_1y.csv")
    values, at = _boundaries(regime, "oi_open", "oi_close", HOUR)
    oi1 = _table(
        "open_interest", "CoinGlass (Binance BTCUSDT)", ("Binance",), {"oi_usd": values}, at
    )
    l1 = pd.read_csv(one / "coinglass_BTC_liquidation_1h_2y.csv")
    sides = {"long_usd": l1["longUsd"], "short_usd": l1["shortUsd"]}
    liq1 = _table(
        "liquidations", "CoinGlass", ("Binance", "OKX", "Bybit"), sides, _times(l1["timestamp"])
    )
    four = shared / "coinglass_4h_felipeodonnell"
    o4 = pd.read_csv(four / "api_futures_openInterest_ohlc_aggregated_history_BTC.csv")
    values, at = _boundaries(o4, "open", "close", 4 * HOUR)
    oi4 = _table(
        "open_interest", "CoinGlass (all exchanges)", ("all exchanges",), {"oi_usd": values}, at
    )
    l4 = pd.read_csv(four / "api_futures_liquidation_aggregated_coin_history_BTC.csv")
    sides = {"long_usd": l4.iloc[:, 1], "short_usd": l4.iloc[:, 2]}
    liq4 = _table("liquidations", "CoinGlass", ("Binance",), sides, _times(l4["time"]))
    ls = pd.read_csv(four / "api_futures_global_long_short_account_ratio_history_BTCUSDT.csv")
    # A 4-hour bar's ratio is known at its close.
    accounts = _table(
        "long_short",
        "CoinGlass (Binance accounts)",
        ("Binance",),
        {"long_pct": ls.iloc[:, 1]},
        _times(ls["time"]) + 4 * HOUR,
    )
    return [
        Inputs(_label("BTC", oi1, liq1), oi1, hourly, liq1),
        Inputs(_label("BTC", oi4, liq4), oi4, hourly, liq4, accounts),
    ]


FIXTURE_DAYS = ("2026-01-10", "2026-03-14")
"""First and last day of the shipped fixture (``--write-fixture``)."""


def write_fixture(out: Path, shared: Path = SHARED) -> Path:
    """Write the fixture snapshot to ``out``: the hourly setup of :func:`from_shared` over
    ``FIXTURE_DAYS``, plus the daily candles a snapshot requires (summed from the hourly)."""
    from sources.snapshot import FORMAT, to_csv

    inputs = from_shared(shared)[0]
    start = pd.Timestamp(FIXTURE_DAYS[0], tz="UTC")
    end = pd.Timestamp(FIXTURE_DAYS[1], tz="UTC") + DAY
    hourly = inputs.hourly.frame
    hourly = hourly[(hourly.index >= start) & (hourly.index < end)]
    by_day = hourly.groupby(pd.DatetimeIndex(hourly.index).floor("D"))
    daily = by_day.agg(
        {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
    )
    tables = {"candles_1h": (hourly, inputs.hourly), "candles_1d": (daily, inputs.hourly)}
    for d in (inputs.open_interest, inputs.liquidations):
        frame = d.frame
        tables[d.name] = (frame[(frame.index >= start) & (frame.index <= end)], d)
    datasets = {}
    for name, (frame, origin) in tables.items():
        rel = f"{name}/BTC.csv"
        (out / name).mkdir(parents=True, exist_ok=True)
        rows = frame.rename_axis("time").reset_index()
        (out / rel).write_text(to_csv(rows, name), encoding="utf-8")
        datasets[rel] = {"source": origin.source, "venues": list(origin.venues)}
    manifest = {
        "format": FORMAT,
        "created_at": f"{FIXTURE_DAYS[1]}T23:59:59Z",
        "demo": False,
        "assets": ["BTC"],
        "datasets": datasets,
        "provenance": "cut from ../shared/marketdata by `python -m bench.liquidation_model "
        "--write-fixture DIR`: binance_usdm_perp_luckys4900 (candles), "
        "coinglass_1h_ismethanhtung (open interest, liquidations); see its SOURCES.md",
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (out / "manifest.json").write_text(text, encoding="utf-8")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Run the backtest on the data the arguments name and print its report."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.liquidation_model",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--snapshot", type=Path, help="a snapshot directory (default: the fixture)")
    where.add_argument("--store", type=Path, help="a history store (SQLite file)")
    where.add_argument("--shared", action="store_true", help="the data in ../shared/marketdata")
    where.add_argument("--write-fixture", type=Path, help="cut the fixture from ../shared")
    parser.add_argument("--assets", default="", help="asset codes, comma-separated (default: all)")
    args = parser.parse_args(argv)
    assets = [a for a in args.assets.split(",") if a]
    if args.write_fixture is not None:
        print(write_fixture(args.write_fixture))
        return
    if args.shared:
        found = from_shared()
    elif args.store is not None:
        found = from_store(args.store, assets or ["BTC", "ETH"])
    else:
        found = from_snapshot(args.snapshot or FIXTURE, assets)
    if not found:
        print("no asset with open interest, hourly candles and liquidations")
    for inputs in found:
        print(report(inputs, backtest(inputs)))


if __name__ == "__main__":
    main()
