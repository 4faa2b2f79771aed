"""The named demo scenarios: each snapshot is valid demo data and its facts tell its story.

Every scenario is built once per module into a temporary folder, read back through
``sources.load_snapshot`` (the validation every snapshot passes) and turned into facts with
``analysis.compute_facts``; the tests assert each story from those facts, and a few from the
snapshot's own tables where no fact says it (the hour a fizzled squeeze peaked).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import pipeline
import settings
from analysis import compute_facts
from analysis.context import ath_breaks, big_moves, cases, first_closes, flip_times
from demo.__main__ import main as demo_main
from demo.scenario import AS_OF, SCENARIOS, build_scenario
from demo.snapshot import write_snapshot
from models import Dataset, Snapshot
from sources import load_snapshot
from sources.calendar import load_fomc
from values import to_json

HOUR, DAY = pd.Timedelta(hours=1), pd.Timedelta(days=1)
NAMED = tuple(name for name in SCENARIOS if name != "demo")
SPIKE = 10.0
"""A liquidation spike worth saying: this many times the median hour (``[narrative]``)."""


@dataclass(frozen=True)
class Built:
    """One scenario written to disk, loaded back, and its facts by key (JSON values)."""

    path: Path
    snapshot: Snapshot
    facts: dict[str, Any]
    evidence: dict[str, Any]

    def fact(self, key: str) -> Any:
        """The JSON value of fact ``key`` (``BTC:price.last``, ``market:macro.dxy``)."""
        assert key in self.facts, f"{key} is absent"
        return self.facts[key]

    def hourly(self, asset: str) -> pd.DataFrame:
        """The asset's hourly candles, indexed by open time."""
        data = self.snapshot.assets[asset].candles_1h
        assert data is not None
        return data.frame


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """Every scenario, built once for the module."""
    root = tmp_path_factory.mktemp("scenarios")
    fomc = load_fomc()
    out: dict[str, Built] = {}
    for name in SCENARIOS:
        write_snapshot(build_scenario(name), root / name)
        snapshot = load_snapshot(root / name)
        facts = compute_facts(snapshot, AS_OF, fomc=fomc)
        values = {f.key: to_json(f.value) for f in facts}
        out[name] = Built(root / name, snapshot, values, {f.key: dict(f.evidence) for f in facts})
    return out


def fired(one: Built, fact_id: str) -> list[str]:
    """The keys of the facts with this id that fired."""
    return [key for key in one.facts if key.split(":", 1)[1] == fact_id]


# --- every scenario ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_scenario_is_a_valid_demo_snapshot_with_every_dataset(
    built: dict[str, Built], name: str
) -> None:
    one, demo = built[name], built["demo"]
    assert one.snapshot.demo is True
    assert list(one.snapshot.assets) == ["BTC", "ETH"]
    manifest = json.loads((one.path / "manifest.json").read_text(encoding="utf-8"))
    reference = json.loads((demo.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["created_at"] == "2026-11-23T08:00:00Z"
    assert set(manifest["datasets"]) == set(reference["datasets"])
    named = "" if name == "demo" else f" {name}"
    assert manifest["generator"] == f"demo/scenario.py{named} seed 20261123"
    for data in one.snapshot.assets.values():
        assert data.candles_1h is not None
        assert data.candles_1h.frame.index[-1] == AS_OF - HOUR


def test_scenarios_tell_different_last_weeks_on_the_demo_history() -> None:
    demo = build_scenario("demo").assets["BTC"].candles_1d.set_index("time")["close"]
    for name in NAMED:
        other = build_scenario(name).assets["BTC"].candles_1d.set_index("time")["close"]
        assert other.index.equals(demo.index)
        assert (other[:"2026-10-20"] == demo[:"2026-10-20"]).mean() > 0.9, name
        assert not (other["2026-11-01":] == demo["2026-11-01":]).any(), name


def test_the_same_scenario_is_built_byte_for_byte_again(tmp_path: Path) -> None:
    assert demo_main(["--scenario", "crash", "--out", str(tmp_path / "a")]) == 0
    write_snapshot(build_scenario("crash"), tmp_path / "b")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.csv"))
    assert len(files) == 14
    for relative in [*files, Path("manifest.json")]:
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes()


def test_an_unknown_scenario_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scenario 'boom'; known: demo, quiet"):
        build_scenario("boom")
    with pytest.raises(SystemExit):
        demo_main(["--scenario", "crash"])  # a scenario other than the demo needs --out
    assert not (tmp_path / "crash").exists()


@pytest.mark.parametrize("name", NAMED)
def test_the_brief_of_each_scenario_says_it_is_demo_data(
    built: dict[str, Built], name: str, tmp_path: Path
) -> None:
    request = pipeline.BriefRequest.from_settings(
        settings.Settings(), snapshot=built[name].path, out=tmp_path, formats=("json",)
    )
    result = pipeline.write_brief(request)
    assert result.demo is True
    doc = json.loads((result.folder / "facts.json").read_text(encoding="utf-8"))
    assert doc["demo"] is True and doc["as_of"] == "2026-11-23T08:00:00Z"


def test_the_html_of_a_scenario_carries_the_demo_banner(
    built: dict[str, Built], tmp_path: Path
) -> None:
    request = pipeline.BriefRequest.from_settings(
        settings.Settings(), snapshot=built["quiet"].path, out=tmp_path, formats=("html",)
    )
    html = (pipeline.write_brief(request).folder / "brief.html").read_text(encoding="utf-8")
    assert 'class="demo-banner"' in html and "not real market data" in html


# --- each story -------------------------------------------------------------------------------


def test_quiet_is_a_range_day(built: dict[str, Built]) -> None:
    one = built["quiet"]
    for asset in ("BTC", "ETH"):
        assert abs(one.fact(f"{asset}:price.change_24h_pct")) < 1.0
        assert one.fact(f"{asset}:funding.rate")["pct"] == pytest.approx(0.01, abs=1e-12)
        assert one.fact(f"{asset}:liquidations.spike") < SPIKE
    for fact_id in (
        "price.new_ath",
        "price.level_break",
        "liquidations.squeeze",
        "funding.flip",
        "macro.dxy_level_break",
    ):
        assert fired(one, fact_id) == [], fact_id
    assert one.fact("market:sentiment.fear_greed")["classification"] == "Neutral"
    assert abs(one.fact("market:sentiment.fear_greed")["change_7d"]) < 15
    assert abs(one.fact("market:macro.dxy")["change_1d_pct"]) < 0.2


def test_crash_is_a_long_squeeze_below_100k_into_extreme_fear(built: dict[str, Built]) -> None:
    one = built["crash"]
    btc, eth = (one.fact(f"{a}:price.change_24h_pct") for a in ("BTC", "ETH"))
    assert btc <= -10 and eth < btc
    for asset in ("BTC", "ETH"):
        squeeze = one.fact(f"{asset}:liquidations.squeeze")
        assert squeeze["side"] == "long" and squeeze["share"] >= 0.85
        assert one.fact(f"{asset}:liquidations.spike") >= SPIKE
        broke = one.fact(f"{asset}:price.level_break")
        assert broke["direction"] == "down"
        # The first daily close below the level after weeks above it.
        assert AS_OF - pd.Timestamp(broke["previous_close_beyond"], tz="UTC") >= 21 * DAY
        assert one.facts[f"{asset}:price.level_break"]["level"] > closes(one, asset).iloc[-1]
        flip = one.fact(f"{asset}:funding.flip")
        assert (flip["from"], flip["to"]) == ("positive", "negative")
    assert one.fact("BTC:liquidations.squeeze")["liquidated_usd"] >= 1e9
    assert one.fact("BTC:price.level_break")["level"] == 100_000
    assert one.fact("market:sentiment.fear_greed")["classification"] == "Extreme Fear"


def closes(one: Built, asset: str) -> pd.Series:
    """The asset's daily closes, indexed by the candle's open time."""
    data = one.snapshot.assets[asset].candles_1d
    assert data is not None
    return data.frame["close"]


def test_record_is_a_new_high_with_longs_paying_up(built: dict[str, Built]) -> None:
    one = built["record"]
    assert one.fact("BTC:price.new_ath") is True
    previous = pd.Timestamp(one.evidence["BTC:price.new_ath"]["previous_ath_date"], tz="UTC")
    assert AS_OF - previous >= 90 * DAY  # the first record in months
    daily = one.snapshot.assets["BTC"].candles_1d
    assert daily is not None
    assert one.fact("BTC:price.ath") > daily.frame["high"][:previous].max()
    assert one.fact("BTC:momentum.rsi_14") > 70
    funding = one.fact("BTC:funding.rate")
    assert funding["pct"] >= 0.02 and funding["annualised_pct"] >= 20  # twice the default
    assert fired(one, "funding.flip") == []
    assert one.fact("BTC:open_interest.change_24h_pct") > 0
    assert one.fact("BTC:price.change_24h_pct") > 0
    assert fired(one, "liquidations.squeeze") == []
    assert one.fact("BTC:liquidations.spike") < SPIKE


def test_fizzled_squeeze_spikes_above_115k_and_falls_back(built: dict[str, Built]) -> None:
    one = built["fizzled_squeeze"]
    assert one.fact("BTC:liquidations.spike") >= SPIKE
    liquidations = one.snapshot.assets["BTC"].liquidations
    assert liquidations is not None
    frame = liquidations.frame[liquidations.frame.index >= AS_OF - 24 * HOUR]
    totals = frame.sum(axis=1)
    top = pd.Timestamp(totals.index[int(totals.to_numpy().argmax())])
    assert float(frame["short_usd"][top]) >= 0.8 * float(totals[top])
    hourly = one.hourly("BTC")
    level = 115_000
    after = hourly[hourly.index >= top]
    assert after["close"].iloc[:3].max() > level  # pushed above the level...
    assert after["close"].iloc[-1] < level  # ...and back below it by the as-of
    assert (hourly[hourly.index < top]["close"].iloc[-14 * 24 :] < level).all()
    assert abs(one.fact("BTC:price.change_24h_pct")) < 1.0
    assert fired(one, "price.level_break") == []
    assert fired(one, "liquidations.squeeze") == []


def test_dollar_day_is_a_dxy_break_with_a_modest_crypto_rise(built: dict[str, Built]) -> None:
    one = built["dollar_day"]
    dxy = one.fact("market:macro.dxy")
    assert dxy["change_1d_pct"] <= -0.5
    broke = one.fact("market:macro.dxy_level_break")
    assert broke["direction"] == "down" and broke["level"] > dxy["close"]
    unseen = pd.Timestamp(dxy["date"]) - pd.Timestamp(broke["previous_close_beyond"])
    assert unseen >= 90 * DAY
    for asset in ("BTC", "ETH"):
        assert 1.0 <= one.fact(f"{asset}:price.change_24h_pct") <= 3.0
        assert one.fact(f"{asset}:liquidations.spike") < SPIKE
        assert one.fact(f"{asset}:funding.rate")["pct"] == pytest.approx(0.01, abs=1e-12)
    for fact_id in ("price.new_ath", "price.level_break", "liquidations.squeeze", "funding.flip"):
        assert fired(one, fact_id) == [], fact_id


def test_eth_big_day_is_its_largest_gain_in_a_long_time(built: dict[str, Built]) -> None:
    one = built["eth_big_day"]
    eth = one.fact("ETH:price.change_24h_pct")
    assert 15 <= eth <= 20
    assert 1 <= one.fact("BTC:price.change_24h_pct") <= 4
    daily = closes(one, "ETH")
    earlier = ((daily / daily.shift(1) - 1.0) * 100).iloc[:-1]
    # Its largest daily gain in over five years: the last larger one was the rebound after the
    # crash of March 2020, which the 24-hour rank names.
    larger = earlier[earlier >= eth]
    assert not larger.empty and daily.index[-1] - larger.index[-1] >= 5 * 365 * DAY
    assert larger.index[-1].strftime("%Y-%m") == "2020-03"
    rank = one.fact("ETH:price.change_24h_rank")
    assert rank["previous_larger"]["date"] == str(larger.index[-1].date())
    assert earlier[earlier.index >= daily.index[-1] - 365 * DAY].max() < eth / 2
    squeeze = one.fact("ETH:liquidations.squeeze")
    assert squeeze["side"] == "short" and squeeze["share"] >= 0.85
    assert one.fact("ETH:liquidations.spike") >= SPIKE
    assert "BTC:liquidations.squeeze" not in one.facts


# --- history for base rates (issue 13) --------------------------------------------------------

ANALYSIS, NARRATIVE = settings.AnalysisSettings(), settings.NarrativeSettings()
MIN_CASES = ANALYSIS.base_rate_min_cases


def counted(events: pd.Series, daily: Dataset) -> int:
    """How many of ``events`` (by time) are counted cases of a base rate: non-overlapping, each
    with its whole forward window before the as-of (``analysis.context.cases``)."""
    return len(cases(events, daily, AS_OF))


def asset_events(one: Built, asset: str) -> dict[str, pd.Series]:
    """Every earlier occurrence of each event a base rate can follow for ``asset``, by name."""
    data = one.snapshot.assets[asset]
    daily, funding = data.candles_1d, data.funding
    assert daily is not None and funding is not None
    flips = flip_times(
        funding,
        funding_flip_min_prints=ANALYSIS.funding_flip_min_prints,
        funding_flip_min_pct=ANALYSIS.funding_flip_min_pct,
    )
    major = ANALYSIS.level_major_steps[asset]
    levels = first_closes(daily, major, ANALYSIS.level_min_age_days)
    moves = big_moves(daily, ANALYSIS.base_rate_move_pct)
    found = {
        f"{name} {word}": series[series == sign]
        for name, series in (("funding flip", flips), ("level break", levels), ("24 h move", moves))
        for word, sign in (("up", 1.0), ("down", -1.0))
    }
    found |= squeezes(one, asset)
    found["new ATH"] = ath_breaks(daily, ANALYSIS.base_rate_ath_gap_days)
    return found


def squeezes(one: Built, asset: str) -> dict[str, pd.Series]:
    """The ends of the 24 hours ``liquidations.squeeze`` would have reported, by side: price
    moved at least 2 % that way, the squeezed side at least 70 % of the USD, and the total at
    least 3x the median 24 h total of the 30 days before (the fact's default settings)."""
    liquidations, hourly = one.snapshot.assets[asset].liquidations, one.hourly(asset)
    assert liquidations is not None
    frame = liquidations.frame
    day_total = frame.sum(axis=1).rolling(24).sum()
    median = day_total.rolling(30 * 24).median()
    ends = pd.DatetimeIndex(frame.index) + HOUR
    close = pd.Series(hourly["close"].to_numpy(), index=pd.DatetimeIndex(hourly.index) + HOUR)
    move = (close.reindex(ends).to_numpy() / close.reindex(ends - DAY).to_numpy() - 1) * 100
    big = (day_total >= ANALYSIS.squeeze_min_multiple * median).to_numpy()
    shorts = (frame["short_usd"].rolling(24).sum() / day_total).to_numpy()
    out = {}
    for side, sign, share in (("short", 1.0, shorts), ("long", -1.0, 1.0 - shorts)):
        hit = big & (sign * move >= ANALYSIS.squeeze_min_move_pct)
        hit &= share >= ANALYSIS.squeeze_min_share
        out[f"{side} squeeze"] = pd.Series(1.0, index=ends[hit])
    return out


def market_events(one: Built) -> dict[str, pd.Series]:
    """Fear & Greed entering an extreme and DXY first closes beyond a whole level after
    ``dxy_break_unseen_days``, by the time they were known."""
    assert one.snapshot.fear_greed is not None and one.snapshot.dxy is not None
    value = one.snapshot.fear_greed.frame["value"]
    extreme = NARRATIVE.fear_greed_extreme
    found = {}
    for name, inside in (
        ("extreme fear", value <= extreme),
        ("extreme greed", value >= 100 - extreme),
    ):
        entered = inside & ~inside.shift(1, fill_value=False)
        found[name] = pd.Series(1.0, index=pd.DatetimeIndex(value.index[entered.to_numpy()]) + DAY)
    close = one.snapshot.dxy.frame["close"]
    values, index = close.to_numpy(dtype=float), pd.DatetimeIndex(close.index)
    first = index.searchsorted(index - pd.Timedelta(days=NARRATIVE.dxy_break_unseen_days))
    for word, sign in (("up", 1.0), ("down", -1.0)):
        when = []
        for t in range(2, len(values)):
            now, before = values[t], values[t - 2]
            recent = values[first[t] : t]
            for level in range(int(min(now, before)) + 1, int(max(now, before)) + 1):
                beyond = (recent - level) * sign > 0
                if (now - level) * sign > 0 and not beyond.any():
                    when.append(index[t] + DAY)
        found[f"DXY break {word}"] = pd.Series(1.0, index=pd.DatetimeIndex(sorted(set(when))))
    return found


@pytest.mark.parametrize("name", SCENARIOS)
def test_history_holds_enough_cases_of_every_event_for_a_base_rate(
    built: dict[str, Built], name: str
) -> None:
    one = built[name]
    btc = one.snapshot.assets["BTC"].candles_1d
    assert btc is not None
    few = {}
    for asset in ("BTC", "ETH"):
        daily = one.snapshot.assets[asset].candles_1d
        assert daily is not None
        for event, found in asset_events(one, asset).items():
            if (n := counted(found, daily)) < MIN_CASES:
                few[f"{asset} {event}"] = n
    for event, found in market_events(one).items():
        if (n := counted(found, btc)) < MIN_CASES:
            few[event] = n
    assert few == {}
