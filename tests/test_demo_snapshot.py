"""The bundled demo snapshot: re-creatable byte for byte, well formed, and telling its story.

The story checks read the committed CSVs with plain pandas (not the analysis package), so they
pin the data every fact of the demo brief relies on, whatever the analysis code does.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from demo.scenario import build_scenario, classify
from demo.snapshot import write_snapshot

SNAPSHOT = Path(__file__).resolve().parent.parent / "demo" / "snapshot"
AS_OF = pd.Timestamp("2026-11-23T08:00:00Z")
HOUR, DAY = pd.Timedelta(hours=1), pd.Timedelta(days=1)
ASSETS = ("BTC", "ETH")
FIRST_SETTLEMENT = {
    "BTC": pd.Timestamp("2019-09-10T08:00:00Z"),
    "ETH": pd.Timestamp("2019-11-27T08:00:00Z"),
}
"""The first funding settlement of Binance's BTCUSDT and ETHUSDT perpetuals."""


def read(relative: str) -> pd.DataFrame:
    """A snapshot table indexed by its UTC ``time``."""
    frame = pd.read_csv(SNAPSHOT / relative)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame.set_index("time")


def times(frame: pd.DataFrame) -> pd.DatetimeIndex:
    """A table's ``time`` index, typed as the DatetimeIndex it is."""
    return pd.DatetimeIndex(frame.index)


def closes(candles: pd.DataFrame, length: pd.Timedelta) -> pd.Series:
    """Close prices indexed by close time (open time + candle length)."""
    return pd.Series(candles["close"].to_numpy(), index=times(candles) + length)


def rsi(close: pd.Series, period: int = 14) -> pd.Series:
    """Wilder's RSI: simple mean of the first ``period`` changes, then Wilder smoothing."""
    delta = close.diff().to_numpy()
    gain, loss = np.clip(delta, 0, None), np.clip(-delta, 0, None)
    out = np.full(len(close), np.nan)
    avg_gain, avg_loss = gain[1 : period + 1].mean(), loss[1 : period + 1].mean()
    for i in range(period, len(close)):
        if i > period:
            avg_gain = (avg_gain * (period - 1) + gain[i]) / period
            avg_loss = (avg_loss * (period - 1) + loss[i]) / period
        out[i] = 100.0 - 100.0 / (1.0 + avg_gain / avg_loss)
    return pd.Series(out, index=close.index)


# --- reproducibility and form ---------------------------------------------------------------


def test_regenerating_gives_byte_identical_files(tmp_path: Path) -> None:
    write_snapshot(build_scenario(), tmp_path)
    committed = sorted(p.relative_to(SNAPSHOT) for p in SNAPSHOT.rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert fresh == committed
    for relative in committed:
        assert (tmp_path / relative).read_bytes() == (SNAPSHOT / relative).read_bytes(), relative


def test_manifest_lists_every_file_with_its_source() -> None:
    manifest = json.loads((SNAPSHOT / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "marketnotes-snapshot/1"
    assert manifest["created_at"] == "2026-11-23T08:00:00Z"
    assert manifest["demo"] is True
    assert manifest["assets"] == ["BTC", "ETH"]
    assert manifest["generator"].startswith("demo/scenario.py seed ")
    on_disk = {p.relative_to(SNAPSHOT).as_posix() for p in SNAPSHOT.rglob("*.csv") if p.is_file()}
    assert set(manifest["datasets"]) == on_disk
    sources = {k: v["source"] for k, v in manifest["datasets"].items()}
    assert sources["candles_1d/BTC.csv"] == "Binance spot"
    assert sources["funding/ETH.csv"] == "Binance USDⓈ-M futures"
    assert sources["liquidations/BTC.csv"] == "CoinGlass"
    assert sources["fear_greed.csv"] == "Alternative.me Fear & Greed Index"
    assert sources["dxy.csv"] == "ICE US Dollar Index via Yahoo Finance"
    for relative, entry in manifest["datasets"].items():
        assert entry["rows"] == len(read(relative)), relative


@pytest.mark.parametrize("asset", ASSETS)
def test_candles_are_valid_and_on_their_grids(asset: str) -> None:
    daily, hourly = read(f"candles_1d/{asset}.csv"), read(f"candles_1h/{asset}.csv")
    for frame in (daily, hourly):
        assert frame.index.is_monotonic_increasing and frame.index.is_unique
        assert (frame[["open", "high", "low", "close"]] > 0).all().all()
        assert (frame["low"] <= frame[["open", "close"]].min(axis=1)).all()
        assert (frame["high"] >= frame[["open", "close"]].max(axis=1)).all()
        assert (frame["volume"] >= 0).all()
    assert daily.index[0] == pd.Timestamp("2017-08-17T00:00:00Z")  # Binance spot's first listing
    assert daily.index[-1] == pd.Timestamp("2026-11-22T00:00:00Z")
    assert (daily.index.to_series().diff().dropna() == DAY).all()
    assert hourly.index[-1] == AS_OF - HOUR
    assert hourly.index[0] == AS_OF.floor("D") - 365 * DAY  # a year of squeezes for base rates
    assert (hourly.index.to_series().diff().dropna() == HOUR).all()
    # Each hourly candle opens where the previous one closed.
    assert (hourly["open"].iloc[1:].to_numpy() == hourly["close"].iloc[:-1].to_numpy()).all()


@pytest.mark.parametrize("asset", ASSETS)
def test_daily_candles_are_the_aggregates_of_hourly_ones(asset: str) -> None:
    daily, hourly = read(f"candles_1d/{asset}.csv"), read(f"candles_1h/{asset}.csv")
    full_days = hourly[hourly.index < AS_OF.floor("D")]
    by_day = times(full_days).floor("D")
    agg = full_days.groupby(by_day).agg(
        {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
    )
    assert len(agg) == 365
    assert (full_days.groupby(by_day).size() == 24).all()
    same = daily.loc[agg.index]
    for column in ("open", "high", "low", "close"):
        assert (same[column] == agg[column]).all(), column
    assert np.allclose(same["volume"], agg["volume"], rtol=0, atol=1e-3)


@pytest.mark.parametrize("asset", ASSETS)
def test_derivative_tables_are_on_their_grids(asset: str) -> None:
    funding = read(f"funding/{asset}.csv")
    assert set(times(funding).hour) == {0, 8, 16}
    # Funding from the perpetual's first settlement, for base rates of funding flips.
    assert funding.index[-1] == AS_OF and funding.index[0] == FIRST_SETTLEMENT[asset]
    assert (funding.index.to_series().diff().dropna() == 8 * HOUR).all()
    hourly = read(f"candles_1h/{asset}.csv").index
    for name in ("open_interest", "liquidations"):
        assert read(f"{name}/{asset}.csv").index.equals(hourly), name
    assert (read(f"liquidations/{asset}.csv") >= 0).all().all()
    long_short = read(f"long_short/{asset}.csv")
    assert long_short.index[0] == AS_OF.floor("D") - 30 * DAY
    assert long_short.index[-1] == AS_OF - HOUR
    assert long_short["long_pct"].between(0, 100).all()


def test_market_tables_are_valid() -> None:
    fear_greed = read("fear_greed.csv")
    assert fear_greed.index[0] == pd.Timestamp("2018-02-01T00:00:00Z")  # the index's first day
    assert fear_greed.index[-1] == AS_OF.floor("D")
    assert (fear_greed.index.to_series().diff().dropna() == DAY).all()
    assert fear_greed["value"].between(0, 100).all()
    assert (fear_greed["classification"] == fear_greed["value"].map(classify)).all()
    dxy = read("dxy.csv")
    assert dxy.index.is_monotonic_increasing and dxy.index.is_unique
    assert (times(dxy).day_of_week < 5).all()
    assert (times(dxy) == times(dxy).floor("D")).all()
    assert dxy.index[0] == pd.Timestamp("2014-01-02T00:00:00Z")
    assert dxy.index[-1] == pd.Timestamp("2026-11-20T00:00:00Z")


# --- the story --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asset", "span", "column", "low", "high"),
    [
        ("BTC", "2017-12", "high", 18_000, 20_500),  # the 2017 peak
        ("BTC", "2018-12", "close", 3_000, 3_600),  # the 2018 low
        ("BTC", "2019-06", "high", 12_000, 14_500),
        ("BTC", "2020-03", "close", 4_400, 5_300),  # the Covid crash
        ("BTC", "2021-04", "high", 60_000, 67_000),
        ("BTC", "2021-11", "high", 66_000, 70_000),  # the 2021 record
        ("BTC", "2022-11", "close", 14_500, 17_000),  # after FTX
        ("ETH", "2018-01", "high", 1_250, 1_500),  # the 2018 peak
        ("ETH", "2018-12", "close", 75, 95),
        ("ETH", "2021-11", "high", 4_500, 4_830),  # the 2021 record, under 2025's
        ("ETH", "2022-06", "close", 850, 1_100),
    ],
)
def test_the_older_history_has_the_real_market_s_broad_shape(
    asset: str, span: str, column: str, low: float, high: float
) -> None:
    """Peaks (the month's highest high) and troughs (its lowest close) near the real ones."""
    month = read(f"candles_1d/{asset}.csv")[column][span]
    extreme = month.max() if column == "high" else month.min()
    assert low <= extreme <= high


@pytest.mark.parametrize(("asset", "record"), [("BTC", "2021-11"), ("ETH", "2021-11")])
def test_the_older_records_stay_under_the_story_s(asset: str, record: str) -> None:
    """Each asset's highest high before 2024 is its November 2021 record; the story's records
    (BTC's of July 2026, ETH's of August 2025) are higher, as the real ones were."""
    daily = read(f"candles_1d/{asset}.csv")
    older = daily[:"2023"]
    assert times(older)[int(older["high"].argmax())].strftime("%Y-%m") == record
    assert daily["high"]["2024":].max() > older["high"].max()


def test_btc_sets_a_new_all_time_high_in_the_last_24_hours() -> None:
    daily, hourly = read("candles_1d/BTC.csv"), read("candles_1h/BTC.csv")
    ath = max(daily["high"].max(), hourly["high"].max())
    assert hourly["high"].max() == ath
    assert times(hourly)[int(hourly["high"].argmax())] >= AS_OF - 24 * HOUR
    before = daily[times(daily) + DAY <= AS_OF - 48 * HOUR]
    assert 118_000 < before["high"].max() < 119_000
    assert times(before)[int(before["high"].argmax())].strftime("%Y-%m") == "2026-07"


def test_btc_breaks_out_of_its_range_above_120k_for_the_first_time() -> None:
    daily, hourly = read("candles_1d/BTC.csv"), read("candles_1h/BTC.csv")
    day_close, hour_close = closes(daily, DAY), closes(hourly, HOUR)
    assert day_close[day_close.index <= AS_OF - 48 * HOUR].max() <= 120_000
    assert day_close.iloc[-1] > 120_000
    last = hour_close.iloc[-1]
    assert 123_000 <= last <= 124_000
    assert hour_close[AS_OF - 48 * HOUR] < 115_000
    assert last / hour_close[AS_OF - 24 * HOUR] - 1 >= 0.02
    in_range = day_close["2026-11-01":"2026-11-21T00:00"]
    assert len(in_range) >= 20 and in_range.between(108_000, 114_000).all()


def test_btc_momentum_and_weekly_gain() -> None:
    daily, hourly = read("candles_1d/BTC.csv"), read("candles_1h/BTC.csv")
    day_close, hour_close = closes(daily, DAY), closes(hourly, HOUR)
    assert 65 <= rsi(day_close).iloc[-1] <= 75
    fast, slow = (day_close.ewm(span=n, adjust=False).mean() for n in (12, 26))
    macd = fast - slow
    positive = (macd > macd.ewm(span=9, adjust=False).mean()).to_numpy()
    crossed_days_ago = int(np.argmin(positive[::-1])) - 1  # bars since the last bearish one
    assert positive[-1] and 3 <= crossed_days_ago <= 5
    gain = hour_close.iloc[-1] / hour_close[AS_OF - 7 * DAY] - 1
    assert 0.09 <= gain <= 0.105
    past = (day_close / day_close.shift(7) - 1).dropna()
    past = past[(past.index > day_close.index[-1] - 365 * DAY) & (past.index <= AS_OF - 8 * DAY)]
    peaks: list[tuple[pd.Timestamp, float]] = []
    for when, value in past.sort_values(ascending=False).items():
        if all(abs(when - p) >= 7 * DAY for p, _ in peaks):
            peaks.append((when, value))
    larger = [(when, value) for when, value in peaks if value > gain]
    assert 1 <= len(larger) <= 2
    assert any(when.strftime("%Y-%m") == "2026-03" for when, _ in larger)


def test_eth_clears_4000_for_the_first_time_since_february() -> None:
    daily, hourly = read("candles_1d/ETH.csv"), read("candles_1h/ETH.csv")
    day_close, hour_close = closes(daily, DAY), closes(hourly, HOUR)
    earlier = day_close[day_close.index <= AS_OF - 48 * HOUR]
    last_above = earlier[earlier > 4_000].index[-1] - DAY  # the candle's date
    assert last_above.strftime("%Y-%m") == "2026-02"
    assert 4_050 <= hour_close.iloc[-1] <= 4_120
    assert hour_close[AS_OF - 48 * HOUR] < 3_900
    crossed = hour_close[hour_close <= 4_000].index[-1]
    assert crossed > AS_OF - 48 * HOUR
    assert daily["high"].max() == pytest.approx(4_953.17)
    assert times(daily)[int(daily["high"].argmax())].year == 2025


def test_eth_shows_a_bearish_rsi_divergence() -> None:
    day_close = closes(read("candles_1d/ETH.csv"), DAY)
    strength = rsi(day_close)
    recent = day_close.iloc[-60:]
    # Swing highs: closes above the 3 closes on each side (the newest close counts as one when
    # it tops its last 3).
    values = recent.to_numpy()
    swings = [
        i
        for i in range(3, len(values))
        if values[i] > values[i - 3 : i].max()
        and (
            i == len(values) - 1
            or (i + 3 < len(values) and values[i] > values[i + 1 : i + 4].max())
        )
    ]
    first, second = recent.index[swings[-2]], recent.index[swings[-1]]
    assert second == day_close.index[-1]
    assert AS_OF - 28 * DAY <= first <= AS_OF - 14 * DAY
    assert day_close[second] > day_close[first]
    assert strength[second] < strength[first] - 3


@pytest.mark.parametrize("asset", ASSETS)
def test_funding_flips_positive_within_72_hours(asset: str) -> None:
    rate = read(f"funding/{asset}.csv")["rate"]
    assert (rate != 0).all()
    sign = np.sign(rate)
    flips = rate.index[(sign != sign.shift()).to_numpy()][1:]
    assert flips[-1] > AS_OF - 72 * HOUR and rate[flips[-1]] > 0
    assert (rate[flips[-1] :] > 0).all()
    assert rate.iloc[-1] == pytest.approx(0.0001)
    in_range = rate["2026-11-01":"2026-11-21T08:00"]
    assert in_range.between(-0.00008, -0.00002).all()
    story = rate[rate.index > AS_OF - 90 * DAY]
    assert (story.iloc[:60] > 0).mean() > 0.8  # 60-90 days back: mostly positive
    older = rate[rate.index <= AS_OF - 90 * DAY]
    assert (older == 0.0001).mean() > 0.1 and 0.05 < (older < 0).mean() < 0.3


@pytest.mark.parametrize("asset", ASSETS)
def test_shorts_are_squeezed_in_the_last_24_hours(asset: str) -> None:
    liq = read(f"liquidations/{asset}.csv")
    total = liq["long_usd"] + liq["short_usd"]
    last_day = liq[liq.index >= AS_OF - 24 * HOUR]
    squeezed = last_day.to_numpy().sum()
    assert last_day["short_usd"].sum() / squeezed >= 0.7
    month = total.index >= AS_OF - 30 * DAY
    assert squeezed >= 3 * total.rolling(24).sum()[month].median()
    assert last_day.sum(axis=1).max() >= 15 * total[month].median()
    low, high = {"BTC": (300e6, 450e6), "ETH": (150e6, 250e6)}[asset]
    assert low <= last_day["short_usd"].sum() <= high
    if asset == "BTC":
        quiet = total[month & (total.index < AS_OF - 48 * HOUR)]
        assert quiet.max() < 20e6
        assert (total[~month] >= 20e6).any()


@pytest.mark.parametrize(
    ("asset", "oi_bn", "long_pct"), [("BTC", (30, 36), (33, 38)), ("ETH", (14, 18), (40, 46))]
)
def test_positioning_levels(
    asset: str, oi_bn: tuple[float, float], long_pct: tuple[float, float]
) -> None:
    oi = read(f"open_interest/{asset}.csv")["oi_usd"] / 1e9
    older, oi = (
        oi[oi.index < AS_OF.floor("D") - 60 * DAY],
        oi[oi.index >= AS_OF.floor("D") - 60 * DAY],
    )
    assert oi.between(*oi_bn).all()  # the story's 60 days
    assert older.between(oi_bn[0] * 0.5, oi_bn[1] * 1.5).all()  # a year back: with the price
    assert abs(older.iloc[-1] / oi.iloc[0] - 1) < 0.01
    assert oi["2026-11-21T08:00"] > oi["2026-11-01T00:00"]  # shorts build during the range
    assert oi["2026-11-22T08:00":].min() < 0.97 * oi["2026-11-21T08:00"]  # squeezed out
    assert oi.iloc[-1] > oi["2026-11-22T08:00":].min()  # and building again
    assert read(f"long_short/{asset}.csv")["long_pct"].between(*long_pct).all()


def test_fear_and_greed_turns_to_greed() -> None:
    value = read("fear_greed.csv")["value"]
    assert 70 <= value.iloc[-1] <= 74
    assert 40 <= value[AS_OF.floor("D") - 7 * DAY] <= 50
    assert value["2026-11-01":"2026-11-16"].between(36, 52).all()
    assert value.iloc[-90:].map(classify).nunique() >= 4


def test_dxy_slips_under_98_for_the_first_time_in_weeks() -> None:
    close = read("dxy.csv")["close"]
    assert 97.7 <= close.iloc[-1] < 98
    assert close.iloc[-3] >= 98
    above = close.iloc[:-1][::-1]
    run = int((above >= 98).cumprod().sum())
    assert run >= 15
    assert above.index[run].strftime("%Y-%m") == "2026-10"  # the last close below 98
    assert close["2023":"2025"].between(99, 108).all()
