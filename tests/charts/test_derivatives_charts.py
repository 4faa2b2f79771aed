"""Liquidations, funding and liquidation-level charts on hand-made frames."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba

from charts.derivatives import (
    funding_alt,
    funding_chart,
    level_profile_alt,
    level_profile_chart,
    liquidations_alt,
    liquidations_chart,
)
from charts.marks import from_x, x_of
from charts.style import PALETTE
from models import Dataset, Fact, LevelProfile
from tests.charts.artists import by_gid, draw, line, polys, text, xs, ys
from tests.charts.conftest import AS_OF, FLIP_AT, LAST, cluster, fact
from values import FundingFlip, ShortClusterAbove

HOUR = pd.Timedelta(hours=1)


# --- liquidations ------------------------------------------------------------------------------


def test_shorts_above_and_longs_below_the_axis(liquidations: Dataset, hourly: Dataset) -> None:
    fig = liquidations_chart(liquidations, hourly, {}, asset="BTC", demo=False, as_of=AS_OF)
    shorts, longs = polys(fig, "shorts"), polys(fig, "longs")
    assert len(shorts) == len(longs) == 72
    assert all(p[:, 1].min() == 0.0 and p[:, 1].max() > 0 for p in shorts)
    assert all(p[:, 1].max() == 0.0 and p[:, 1].min() == -1e6 for p in longs)
    # The 09:00 bucket is the last complete one at 10:00 and holds the 10 M of shorts.
    last = shorts[-1]
    assert last[:, 1].max() == 10e6
    assert from_x(float(last[:, 0].min() + last[:, 0].max()) / 2) == pd.Timestamp(
        "2025-06-29T09:30Z"
    )
    lo, hi = fig.axes[0].get_ylim()
    assert lo < -1e6 and hi > 10e6
    draw(fig)


def test_a_running_bucket_is_left_out_only_with_as_of(liquidations: Dataset) -> None:
    fig = liquidations_chart(liquidations, None, {}, asset="BTC", demo=False)
    last = polys(fig, "shorts")[-1]
    assert from_x(float(last[:, 0].min() + last[:, 0].max()) / 2) == pd.Timestamp(
        "2025-06-29T10:30Z"
    )


def test_price_is_overlaid_on_its_own_axis(liquidations: Dataset, hourly: Dataset) -> None:
    fig = liquidations_chart(liquidations, hourly, {}, asset="BTC", demo=False, as_of=AS_OF)
    bars_ax, price_ax = fig.axes
    price = line(fig, "price")
    assert price.axes is price_ax
    assert price_ax.get_xlim() == bars_ax.get_xlim()
    assert from_x(xs(price)[-1]) == AS_OF  # the close of the 09:00 candle
    assert ys(price)[-1] == hourly.frame["close"].iloc[-1]
    lo, hi = price_ax.get_ylim()
    assert lo < min(ys(price)) and max(ys(price)) < hi
    legend = bars_ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()][-1] == "BTC price (right)"


def test_without_candles_there_is_no_price_line(liquidations: Dataset) -> None:
    fig = liquidations_chart(liquidations, None, {}, asset="BTC", demo=True, as_of=AS_OF)
    assert len(fig.axes) == 1 and not by_gid(fig, "price")
    assert text(fig, "title").get_text() == "BTC liquidations · hourly, last 72 hours"
    source = text(fig, "source").get_text()
    assert (
        source
        == "Source: Test liquidations (liquidations). Hour buckets, UTC, to 29 Jun 10:00 UTC."
    )
    draw(fig)


def test_liquidations_alt(liquidations: Dataset, hourly: Dataset) -> None:
    alt = liquidations_alt(liquidations, hourly, {}, asset="BTC", as_of=AS_OF)
    assert alt.startswith("BTC liquidations per hour for the 72 hours to 29 Jun 10:00 UTC")
    assert "$152M of shorts" in alt and "$72M of longs" in alt
    assert "largest bucket, $11M, opened 29 Jun 09:00 UTC" in alt


def test_empty_liquidations_draw_a_note(liquidations: Dataset) -> None:
    empty = Dataset("liquidations", "BTC", "Test liquidations", liquidations.frame.iloc[:0])
    fig = liquidations_chart(empty, None, {}, asset="BTC", demo=False)
    draw(fig)
    assert "No liquidation data" in [t.get_text() for t in fig.axes[0].texts]


# --- funding -----------------------------------------------------------------------------------


def test_funding_bars_are_coloured_by_sign(funding: Dataset) -> None:
    fig = funding_chart(funding, {}, asset="BTC", demo=False)
    (bars,) = by_gid(fig, "rates")
    assert isinstance(bars, PolyCollection)
    verts = polys(fig, "rates")
    assert len(verts) == len(funding.frame)
    rates = funding.frame["rate"].to_numpy() * 100
    pairs = zip(verts, rates, strict=True)
    tops = np.array([p[:, 1].max() if r > 0 else p[:, 1].min() for p, r in pairs])
    np.testing.assert_allclose(tops, rates)
    colors = np.asarray(bars.get_facecolor())
    positive = rates > 0
    assert (colors[positive] == to_rgba(PALETTE.up)).all()
    assert (colors[~positive] == to_rgba(PALETTE.down)).all()
    assert text(fig, "funding-tag").get_text() == "+0.0100%"
    draw(fig)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "0%" in labels and all(lb.endswith("%") for lb in labels if lb)


def test_the_flip_is_marked_at_its_first_print(
    funding: Dataset, market_facts: dict[str, Fact]
) -> None:
    fig = funding_chart(funding, market_facts, asset="BTC", demo=False)
    flip = line(fig, "flip")
    assert xs(flip) == [x_of(FLIP_AT)] * 2
    label = text(fig, "flip-label").get_text()
    assert label == "flipped positive · 28 Jun 08:00"
    assert not by_gid(funding_chart(funding, {}, asset="BTC", demo=False), "flip")
    eth_flip = FundingFlip("negative", "positive", "2025-06-28T08:00:00Z", 4, current_pct=0.01)
    eth_only = {"ETH:funding.flip": fact("funding.flip", eth_flip, "state", "ETH")}
    assert not by_gid(funding_chart(funding, eth_only, asset="BTC", demo=False), "flip")


def test_funding_window_and_source(funding: Dataset) -> None:
    fig = funding_chart(funding, {}, asset="BTC", days=7, demo=False)
    assert len(polys(fig, "rates")) == 21
    assert text(fig, "title").get_text() == "BTC funding rate · per 8 h, last 7 days"
    assert text(fig, "source").get_text().startswith("Source: Test futures. Settled funding rate")


def test_funding_alt(funding: Dataset, market_facts: dict[str, Fact]) -> None:
    alt = funding_alt(funding, market_facts, asset="BTC")
    assert alt.startswith("BTC settled funding rates per 8 h for the last 30 days")
    assert "last +0.0100 %" in alt
    assert alt.endswith("the flip to positive at 28 Jun 08:00 UTC.")


# --- liquidation-level profile ---------------------------------------------------------------


def test_profile_splits_at_the_last_price(
    profile: LevelProfile, market_facts: dict[str, Fact]
) -> None:
    fig = level_profile_chart(profile, market_facts, asset="BTC", demo=False)
    shorts, longs = polys(fig, "short-levels"), polys(fig, "long-levels")
    assert len(shorts) == len(longs) == 10  # 90 to 110: ten bins on each side
    assert all(p[:, 1].min() > LAST for p in shorts)
    assert all(p[:, 1].max() < LAST for p in longs)
    assert all(p[:, 0].min() == 0.0 for p in shorts + longs)  # bars start at $0
    assert max(p[:, 0].max() for p in shorts) == 8e6
    assert ys(line(fig, "last")) == [LAST, LAST]
    assert fig.axes[0].get_ylim() == pytest.approx((90.0, 110.0))
    draw(fig)


def test_nearest_clusters_are_labelled(
    profile: LevelProfile, market_facts: dict[str, Fact]
) -> None:
    fig = level_profile_chart(profile, market_facts, asset="BTC", demo=False)
    assert ys(line(fig, "short-cluster")) == [104.6, 104.6]
    assert ys(line(fig, "long-cluster")) == [96.4, 96.4]
    label = text(fig, "short-cluster-label").get_text()
    assert label == "nearest estimated short cluster ≈$30M (+4.6 %)"
    label = text(fig, "long-cluster-label").get_text()
    assert label == "nearest estimated long cluster ≈$15M (-3.6 %)"
    assert text(fig, "short-cluster-tag").get_text() == "$104.60"
    assert text(fig, "last-tag").get_text() == "$100.00"
    bare = level_profile_chart(profile, {}, asset="BTC", demo=False)
    assert not by_gid(bare, "short-cluster") and not by_gid(bare, "long-cluster-label")


def test_profile_says_it_is_a_model_estimate(profile: LevelProfile) -> None:
    fig = level_profile_chart(profile, {}, asset="BTC", demo=True)
    assert "a model estimate" in text(fig, "title").get_text()
    source = text(fig, "source").get_text()
    assert source.startswith(
        "Model estimate (not data) from Test futures, Test exchange, to 29 Jun 10:00"
    )
    assert "Model: 30 days of OI increases; test leverage." in source
    assert "estimated USD per $1 bin, scaled to realized liquidations" in source
    draw(fig)


def test_a_relative_profile_shows_shares_and_says_so(
    profile: LevelProfile, market_facts: dict[str, Fact]
) -> None:
    total = sum(profile.short_usd) + sum(profile.long_usd)
    relative = replace(
        profile,
        short_usd=tuple(x / total for x in profile.short_usd),
        long_usd=tuple(x / total for x in profile.long_usd),
        relative=True,
    )
    share = cluster(ShortClusterAbove, 104.6, None, 4.6, share=0.3)
    facts = market_facts | {
        "BTC:clusters.nearest_short_above": fact("clusters.nearest_short_above", share, "level")
    }
    fig = level_profile_chart(relative, facts, asset="BTC", demo=False)
    assert "share of the estimated total per $1 bin" in text(fig, "source").get_text()
    assert (
        text(fig, "short-cluster-label").get_text()
        == "nearest estimated short cluster 30 % (+4.6 %)"
    )
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks and all(t.endswith("%") for t in ticks if t)
    alt = level_profile_alt(relative, facts, asset="BTC")
    assert "shares of the estimated total by price" in alt
    assert "the nearest estimated short cluster above, 30 % at $104.60" in alt
    draw(fig)


def test_a_far_cluster_widens_the_view(
    profile: LevelProfile, market_facts: dict[str, Fact]
) -> None:
    far = cluster(ShortClusterAbove, 115.2, 1e7, 15.2)
    facts = market_facts | {
        "BTC:clusters.nearest_short_above": fact("clusters.nearest_short_above", far, "level")
    }
    fig = level_profile_chart(profile, facts, asset="BTC", demo=False)
    assert fig.axes[0].get_ylim() == pytest.approx((90.0, 117.2))
    assert ys(line(fig, "short-cluster")) == [115.2, 115.2]


def test_profile_alt(profile: LevelProfile, market_facts: dict[str, Fact]) -> None:
    alt = level_profile_alt(profile, market_facts, asset="BTC")
    assert alt.startswith("BTC estimated liquidation levels (a model estimate, not data)")
    assert "$90.00 to $110.00" in alt
    assert "more lies beyond these prices" in alt  # 80.5 to 89.5 and 110.5 to 119.5
    assert alt.startswith(
        "BTC estimated liquidation levels (a model estimate, not data): estimated USD by price"
    )
    assert "nearest estimated short cluster above, ≈$30M at $104.60" in alt
