"""The daily and hourly price charts: panels, marks at the facts' values, optional facts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.patches import Rectangle

from charts.marks import from_x, to_x
from charts.price import daily_alt, daily_chart, hourly_alt, hourly_chart
from indicators import rsi
from models import Dataset, Fact
from tests.charts.artists import by_gid, draw, line, text, xs, ys
from tests.charts.conftest import ATH, LEVEL, RANGE, fact
from values import PriceLevelBreak


def test_daily_has_price_rsi_and_macd_panels(daily: Dataset, facts: dict[str, Fact]) -> None:
    fig = daily_chart(daily, facts, asset="BTC", demo=False)
    assert len(fig.axes) == 3
    price, rsi_ax, macd_ax = fig.axes
    assert price.get_position().height > 2 * rsi_ax.get_position().height
    assert rsi_ax.get_ylim() == (0.0, 100.0)
    legend = macd_ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["MACD 12/26/9", "signal"]
    assert fig.get_size_inches() == pytest.approx((7.2, 5.6))
    draw(fig)


def test_daily_shows_the_last_90_candles(daily: Dataset, facts: dict[str, Fact]) -> None:
    fig = daily_chart(daily, facts, asset="BTC", demo=False)
    (bodies,) = by_gid(fig, "bodies")
    assert isinstance(bodies, PolyCollection)
    assert len(bodies.get_paths()) == 90
    start, end = fig.axes[0].get_xlim()
    assert from_x(start) < daily.frame.index[-90] < from_x(start + 1)
    assert from_x(end) > daily.frame.index[-1] + pd.Timedelta(days=1)
    assert fig.axes[1].get_xlim() == fig.axes[2].get_xlim() == (start, end)


def test_indicators_use_the_whole_history(daily: Dataset, facts: dict[str, Fact]) -> None:
    fig = daily_chart(daily, facts, asset="BTC", demo=False)
    shown = ys(line(fig, "rsi"))
    expected = rsi(daily.frame["close"], 14).iloc[-90:].to_numpy()
    assert not np.isnan(shown).any()  # an RSI of the 90 days alone would start with NaN
    np.testing.assert_allclose(shown, expected)
    guides = [ys(ln)[0] for ln in fig.axes[1].get_lines() if ln.get_gid() != "rsi"]
    assert sorted(guides) == [30.0, 70.0]
    assert len(xs(line(fig, "macd"))) == len(xs(line(fig, "macd-signal"))) == 90
    (hist,) = by_gid(fig, "macd-hist")
    assert isinstance(hist, PolyCollection) and len(hist.get_paths()) == 90


def test_ath_and_level_lines_sit_at_the_fact_values(daily: Dataset, facts: dict[str, Fact]) -> None:
    fig = daily_chart(daily, facts, asset="BTC", demo=False)
    assert ys(line(fig, "ath")) == [ATH, ATH]
    assert ys(line(fig, "level")) == [LEVEL, LEVEL]
    assert text(fig, "ath-tag").get_text() == "ATH $140.50"
    assert text(fig, "level-tag").get_text() == "$130.00"


def test_prior_range_band_spans_its_days(daily: Dataset, facts: dict[str, Fact]) -> None:
    fig = daily_chart(daily, facts, asset="BTC", demo=False)
    (band,) = by_gid(fig, "prior-range")
    assert isinstance(band, Rectangle)
    assert from_x(band.get_x()) == pd.Timestamp(RANGE.start, tz="UTC")
    # The band covers whole days: from the first day's open to the close of the last day.
    end = from_x(band.get_x() + band.get_width())
    assert end == pd.Timestamp(RANGE.end, tz="UTC") + pd.Timedelta(days=1)
    assert (band.get_y(), band.get_y() + band.get_height()) == (RANGE.low, RANGE.high)
    assert text(fig, "prior-range-label").get_text() == "prior range"


def test_demo_label_only_on_demo_charts(
    daily: Dataset, hourly: Dataset, facts: dict[str, Fact]
) -> None:
    for demo_fig, real_fig in (
        (daily_chart(daily, facts, asset="BTC", demo=d) for d in (True, False)),
        (hourly_chart(hourly, facts, asset="BTC", demo=d) for d in (True, False)),
    ):
        demo_texts = [t.get_text() for t in demo_fig.texts]
        real_texts = [t.get_text() for t in real_fig.texts]
        assert demo_texts.count("DEMO DATA") == 2  # badge and watermark
        assert "DEMO DATA" not in real_texts


def test_title_and_source_line(daily: Dataset, hourly: Dataset, facts: dict[str, Fact]) -> None:
    fig = daily_chart(daily, facts, asset="BTC", demo=False)
    assert text(fig, "title").get_text() == "BTC/USD · daily, last 90 days"
    assert text(fig, "source").get_text().startswith("Source: Test exchange.")
    fig = hourly_chart(hourly, facts, asset="BTC", demo=False)
    assert text(fig, "title").get_text() == "BTC/USD · hourly, last 7 days"
    assert text(fig, "source").get_text().startswith("Source: Test exchange.")


@pytest.mark.parametrize(
    "keep", [(), ("price.ath",), ("price.level_break",), ("price.prior_range",)]
)
def test_every_fact_is_optional(
    daily: Dataset, hourly: Dataset, facts: dict[str, Fact], keep: tuple[str, ...]
) -> None:
    some = {k: f for k, f in facts.items() if f.id in keep}
    fig = daily_chart(daily, some, asset="BTC", demo=False, hourly=hourly)
    draw(fig)
    assert len(fig.axes) == 3
    assert bool(by_gid(fig, "ath")) == ("price.ath" in keep)
    assert bool(by_gid(fig, "level")) == ("price.level_break" in keep)
    assert bool(by_gid(fig, "prior-range")) == ("price.prior_range" in keep)
    draw(hourly_chart(hourly, some, asset="BTC", demo=False))


def test_facts_of_other_assets_are_ignored(daily: Dataset, facts: dict[str, Fact]) -> None:
    eth = {f"ETH:{f.id}": fact(f.id, f.value, f.unit, asset="ETH") for f in facts.values()}
    fig = daily_chart(daily, eth, asset="BTC", demo=False)
    assert not by_gid(fig, "ath") and not by_gid(fig, "level") and not by_gid(fig, "prior-range")


@pytest.mark.parametrize(
    "odd",
    [
        fact("price.ath", "high", "USD"),
        fact("price.level_break", {"level": 1.0, "direction": "up"}, "level"),
        fact("price.prior_range", PriceLevelBreak(1.0, "up", None), "range"),
    ],
    ids=lambda f: f.id,
)
def test_a_value_of_the_wrong_type_is_an_error_not_a_missing_mark(
    daily: Dataset, facts: dict[str, Fact], odd: Fact
) -> None:
    with pytest.raises(TypeError, match=f"BTC:{odd.id}: value is not a"):
        daily_chart(daily, facts | {odd.key: odd}, asset="BTC", demo=False)


def test_far_away_ath_is_tagged_at_the_top_without_a_line(
    daily: Dataset, facts: dict[str, Fact]
) -> None:
    far = dict(facts) | {"BTC:price.ath": fact("price.ath", 1000.0, "USD")}
    fig = daily_chart(daily, far, asset="BTC", demo=False)
    assert not by_gid(fig, "ath")
    tag = text(fig, "ath-tag")
    assert tag.get_text() == "ATH $1,000 ↑"
    assert fig.axes[0].get_ylim()[1] < 200
    assert tag.get_position()[1] > 0.9  # pinned to the top of the price panel


def test_close_tags_do_not_overlap(daily: Dataset, facts: dict[str, Fact]) -> None:
    near = dict(facts) | {"BTC:price.ath": fact("price.ath", LEVEL + 0.1, "USD")}
    fig = daily_chart(daily, near, asset="BTC", demo=False)
    ath_y = text(fig, "ath-tag").get_position()[1]
    level_y = text(fig, "level-tag").get_position()[1]
    panel_pt = fig.axes[0].get_position().height * 5.6 * 72
    assert (ath_y - level_y) * panel_pt >= 11.0
    assert ys(line(fig, "ath")) == [LEVEL + 0.1] * 2  # lines stay exact


def test_todays_partial_candle_comes_from_hourly(
    daily: Dataset, hourly: Dataset, facts: dict[str, Fact]
) -> None:
    fig = daily_chart(daily, facts, asset="BTC", demo=False, hourly=hourly)
    bodies = by_gid(fig, "bodies")
    assert [len(b.get_paths()) for b in bodies if isinstance(b, PolyCollection)] == [90, 1]
    assert "29 Jun so far (to 10:00)" in text(fig, "source").get_text()
    # The indicators still end with the last closed day.
    assert len(xs(line(fig, "rsi"))) == 90


def test_empty_daily_draws_a_note(daily: Dataset) -> None:
    empty = Dataset("candles_1d", "BTC", "Test exchange", daily.frame.iloc[:0], daily.interval)
    fig = daily_chart(empty, {}, asset="BTC", demo=True)
    draw(fig)
    assert "No daily candles" in [t.get_text() for t in fig.axes[0].texts]


def test_hourly_shows_seven_days_with_levels(hourly: Dataset, facts: dict[str, Fact]) -> None:
    fig = hourly_chart(hourly, facts, asset="BTC", demo=False)
    assert len(fig.axes) == 1
    assert fig.get_size_inches() == pytest.approx((7.2, 2.8))
    closes = line(fig, "close")
    assert len(xs(closes)) == 7 * 24
    # Points sit at candle close times; the last one is the newest close.
    last = from_x(xs(closes)[-1])
    assert last == hourly.frame.index[-1] + pd.Timedelta(hours=1)
    assert ys(line(fig, "ath")) == [ATH, ATH]
    assert ys(line(fig, "level")) == [LEVEL, LEVEL]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][:2] == ["Mon 23 Jun", "Tue 24 Jun"]
    draw(fig)


def test_date_ticks_are_readable(daily: Dataset, facts: dict[str, Fact]) -> None:
    fig = daily_chart(daily, facts, asset="BTC", demo=False)
    draw(fig)
    labels = [t.get_text() for t in fig.axes[2].get_xticklabels()]
    assert labels == ["1 Apr", "15 Apr", "1 May", "15 May", "1 Jun", "15 Jun"]
    assert not any(t.get_text() for t in fig.axes[0].get_xticklabels())
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][:2] == ["$90", "$100"]


def test_alt_texts_name_the_marks(daily: Dataset, hourly: Dataset, facts: dict[str, Fact]) -> None:
    alt = daily_alt(daily, facts, asset="BTC")
    assert alt.startswith("BTC/USD daily candles for the 90 days to 28 Jun 2025")
    for part in ("all-time high at $140.50", "$130.00 level broken upward", "prior range"):
        assert part in alt
    assert "RSI 14" in alt and "MACD" in alt
    alt = hourly_alt(hourly, facts, asset="BTC")
    assert alt.startswith("BTC/USD hourly closes for the last 7 days")
    assert "prior range" not in alt
    assert daily_alt(daily, {}, asset="BTC").endswith("and MACD 12/26/9.")
    with_today = daily_alt(daily, facts, asset="BTC", hourly=hourly)
    assert "plus 29 Jun so far (to 10:00 UTC)" in with_today


def test_x_coordinates_round_trip() -> None:
    times = pd.date_range("2025-01-01", periods=3, freq="6h", tz="UTC")
    assert [from_x(x) for x in to_x(times)] == list(times)
