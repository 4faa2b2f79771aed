"""The facts on real market history (../shared/marketdata), checked against what happened.

Skips, saying why, when ../shared is absent.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import compute_facts
from models import Fact
from sources import load_snapshot
from values import FearGreed, PriceLevelBreak


def facts_at(snapshot: Path, as_of: str) -> dict[str, Fact]:
    return {f.key: f for f in compute_facts(load_snapshot(snapshot), pd.Timestamp(as_of))}


def test_march_2024_record_high(real_snapshot: Path) -> None:
    # Binance spot BTCUSDT made a record 73,650.25 on 13 March 2024 (daily high), in a run of
    # records since late February that broke the 69,000 peak of 10 November 2021.
    facts = facts_at(real_snapshot, "2024-03-14T00:00Z")
    assert facts["BTC:price.ath"].value == 73650.25
    evidence = facts["BTC:price.new_ath"].evidence
    assert (evidence["previous_ath"], evidence["previous_ath_date"]) == (69000.0, "2021-11-10")


def test_july_2025_first_close_above_110k_since_june(real_snapshot: Path) -> None:
    facts = facts_at(real_snapshot, "2025-07-11T14:00Z")
    brk = facts["BTC:price.level_break"].value
    # BTC last closed above $110,000 on 10 June 2025 (110,274) before breaking out on 9 July.
    assert brk == PriceLevelBreak(110000.0, "up", previous_close_beyond="2025-06-10")
    assert facts["BTC:price.new_ath"].value is True


def test_facts_cite_the_real_sources(real_snapshot: Path) -> None:
    facts = facts_at(real_snapshot, "2025-07-11T14:00Z")
    assert facts["BTC:price.last"].sources == ("Binance spot",)
    assert facts["ETH:momentum.rsi_14"].sources == ("Binance spot",)


def test_october_2025_crash_sentiment_and_dollar(real_snapshot: Path) -> None:
    # Alternative.me read 64 (Greed) on 10 October 2025 and 27 (Fear) on the 11th, after the
    # crash of the 10th; a week earlier (4 October) it read 71. DXY closed 98.98 on the 10th,
    # down from 99.54.
    facts = facts_at(real_snapshot, "2025-10-11T00:00Z")
    assert facts["market:sentiment.fear_greed"].value == FearGreed(
        value=27.0, classification="Fear", change_1d=-37.0, change_7d=-44.0
    )
    dxy = facts["market:macro.dxy"].value
    assert dxy.date == "2025-10-10" and round(dxy.close, 2) == 98.98
    assert round(dxy.change_1d_pct, 3) == round((98.9800033569336 / 99.54000091552734 - 1) * 100, 3)
