"""The base-rate chart: each earlier case's 30 days rebased to 100, their median, today's start;
drawn for the appendix and never chosen for the note body."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.narrative import lead_charts
from charts import render_charts, render_market_charts
from charts.context import SECTION, base_rate_alt, base_rate_chart, paths
from models import AssetData, Fact
from tests.analysis.frames import candles
from tests.charts.artists import line, text, xs, ys
from values import BaseRate, ForwardReturns, MarketBaseRate

AS_OF = pd.Timestamp("2024-12-01T00:00Z")
CLOSE = 100.0 * np.exp(np.linspace(0.0, 1.0, 335)) * (1.0 + 0.05 * np.sin(np.arange(335)))
DAILY = candles(list(CLOSE), start="2024-01-01")
DATES = ["2024-01-10", "2024-03-01", "2024-06-15", "2024-11-20"]
"""Case days: the last one's 30 days run past the data (left out of the chart)."""


def _fact(asset: str | None = "BTC") -> Fact:
    r = ForwardReturns(2, 1.0, 0.0, 2.0, -1.0)
    horizons = {"1d": r, "7d": r, "30d": r}
    value: BaseRate = (
        BaseRate("price.change_24h_pct", "up", 3, DATES[0], horizons)
        if asset
        else MarketBaseRate("sentiment.fear_greed", "down", 3, DATES[0], horizons, "BTC")
    )
    fid = "context.base_rate" if asset else "context.market_base_rate"
    evidence = {"dates": list(DATES), "rule": {"min_pct": 5.0}}
    return Fact(fid, asset, value, "history", AS_OF, ("Test exchange",), evidence)


def test_each_path_is_rebased_at_the_close_of_its_day() -> None:
    rows = paths(DAILY, DATES)
    assert rows.shape == (3, 31)
    for row, d in zip(rows, DATES, strict=False):
        i = (pd.Timestamp(d) - pd.Timestamp("2024-01-01")).days  # the candle of day d
        assert row == pytest.approx(CLOSE[i : i + 31] / CLOSE[i] * 100.0)


def test_the_chart_draws_every_case_the_median_and_today() -> None:
    fig = base_rate_chart(DAILY, _fact(), demo=False)
    rows = paths(DAILY, DATES)
    for k in range(3):
        assert ys(line(fig, f"case-{k}")) == pytest.approx(list(rows[k]))
    assert ys(line(fig, "median")) == pytest.approx(list(np.median(rows, axis=0)))
    assert xs(line(fig, "median")) == list(range(31))
    assert (xs(line(fig, "today")), ys(line(fig, "today"))) == ([0.0], [100.0])
    assert text(fig, "today-label").get_text() == "today, 1 Dec 2024"
    assert text(fig, "title").get_text() == "BTC after the 3 earlier cases, rebased to 100"
    alt = base_rate_alt(DAILY, _fact())
    assert alt.startswith("BTC closes over the 30 days after each of the 3 earlier cases")
    assert "today's case starts at 100 on 1 Dec 2024" in alt


def test_drawn_for_the_appendix_beside_the_other_charts(tmp_path: Path) -> None:
    assets = {"BTC": AssetData("BTC", DAILY)}
    one, market = _fact(), _fact(None)
    drawn = render_charts(assets, [one, market], tmp_path, demo=False)
    refs = {c.name: c for group in drawn.values() for c in group}
    assert refs["btc_base_rate"].section == SECTION == "appendix"
    assert refs["market_base_rate"].section == "appendix"
    assert (tmp_path / "charts" / "market_base_rate.png").is_file()
    alone = render_market_charts(assets, [], tmp_path, demo=False)
    assert "market_base_rate" not in {c.name for c in alone}


def test_the_story_never_chooses_it() -> None:
    """Even when base rates lead the story, the note's charts are the daily and mechanism ones."""
    for lead in ([_fact()], [_fact(None), _fact()]):
        chosen = lead_charts(lead[0], lead[-1], lead, ("BTC", "ETH"))
        assert chosen and not [c for c in chosen if c.endswith("base_rate")]
