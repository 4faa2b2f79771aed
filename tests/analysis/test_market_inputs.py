"""The registry feeds cross-asset and calendar inputs, and every new fact fires on the demo."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import FACTS, compute_facts
from models import Fact
from pipeline import default_as_of
from sources import load_snapshot
from sources.calendar import load_fomc
from tests.conftest import DEMO
from values import DxyLevelBreak, FearGreed, FundingFlip, NextFomc, OutlookLevels, Squeeze, value_of

NEW = ("funding", "open_interest", "liquidations", "positioning", "clusters", "outlook")
MARKET: tuple[str, ...] = ("sentiment.fear_greed", "macro.dxy", "macro.dxy_level_break")
MARKET += ("macro.next_fomc", "cross.relative_24h")


@pytest.fixture(scope="module")
def demo_facts() -> dict[str, Fact]:
    snapshot = load_snapshot(DEMO)
    facts = compute_facts(snapshot, default_as_of(snapshot), fomc=load_fomc())
    return {f.key: f for f in facts}


def test_market_inputs_make_market_wide_facts() -> None:
    scopes = {s.id: s.scope for s in FACTS}
    assert all(scopes[i] == "market" for i in MARKET)
    assert all(scopes[s.id] == "asset" for s in FACTS if s.id.split(".")[0] in NEW)


@pytest.mark.parametrize("asset", ["BTC", "ETH"])
def test_every_new_asset_fact_fires_on_the_demo(demo_facts: dict[str, Fact], asset: str) -> None:
    ids = [s.id for s in FACTS if s.id.split(".")[0] in NEW]
    assert len(ids) == 17
    missing = [i for i in ids if f"{asset}:{i}" not in demo_facts]
    assert not missing


def test_the_demo_story_in_facts(demo_facts: dict[str, Fact]) -> None:
    assert all(f"market:{i}" in demo_facts for i in MARKET)
    squeeze = value_of(demo_facts, "BTC", Squeeze)
    assert squeeze is not None and squeeze.side == "short"
    assert 400e6 < squeeze.liquidated_usd < 450e6
    assert squeeze.share == pytest.approx(0.944, abs=0.001)
    flip = value_of(demo_facts, "BTC", FundingFlip)
    assert flip is not None and flip.to == "positive" and flip.at == "2026-11-21T16:00:00Z"
    assert value_of(demo_facts, None, DxyLevelBreak) == DxyLevelBreak(98.0, "down", "2026-10-02")
    fng = value_of(demo_facts, None, FearGreed)
    assert fng is not None and fng.value == 72 and fng.classification == "Greed"
    assert fng.change_7d == 27
    assert value_of(demo_facts, None, NextFomc) == NextFomc("2026-12-09", 16, sep=True)
    assert demo_facts["market:macro.next_fomc"].sources == ("Federal Reserve",)
    levels = value_of(demo_facts, "BTC", OutlookLevels)
    assert levels is not None and levels.support == 120_000
    assert demo_facts["market:cross.relative_24h"].sources == ("Binance spot",)


def test_without_a_calendar_there_is_no_fomc_fact() -> None:
    snapshot = load_snapshot(DEMO)
    facts = compute_facts(snapshot, pd.Timestamp("2026-11-23T08:00Z"))
    assert not [f for f in facts if f.id == "macro.next_fomc"]
    assert [f for f in facts if f.id == "cross.relative_24h"]
