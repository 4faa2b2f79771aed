"""DXY, Fear & Greed and relative-performance charts on hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from charts.macro import (
    FEAR_GREED_BANDS,
    dxy_alt,
    dxy_chart,
    fear_greed_alt,
    fear_greed_chart,
    fear_greed_class,
    rebase,
    relative_alt,
    relative_chart,
)
from charts.marks import from_x
from models import Dataset, Fact
from tests.charts.artists import by_gid, draw, line, text, xs, ys
from tests.charts.conftest import DXY_LEVEL, HOUR, dataset

# --- DXY ---------------------------------------------------------------------------------------


def test_dxy_marks_the_broken_level(dxy: Dataset, market_facts: dict[str, Fact]) -> None:
    fig = dxy_chart(dxy, market_facts, demo=False)
    closes = line(fig, "dxy")
    assert from_x(xs(closes)[-1]) == pd.Timestamp("2025-06-27", tz="UTC")
    assert from_x(xs(closes)[0]) > pd.Timestamp("2025-03-29", tz="UTC")  # 90 days
    assert ys(line(fig, "dxy-level")) == [DXY_LEVEL, DXY_LEVEL]
    assert text(fig, "dxy-level-tag").get_text() == "98 broken ↓"
    assert text(fig, "dxy-tag").get_text() == "97.60"
    note = text(fig, "dxy-note").get_text()
    assert note == "closed below 98 for the first time since 3 Feb 2025"
    lo, hi = fig.axes[0].get_ylim()
    assert lo < 97.6 and hi > max(ys(closes))
    draw(fig)


def test_dxy_without_a_break_has_no_level(dxy: Dataset) -> None:
    fig = dxy_chart(dxy, {}, demo=True)
    assert not by_gid(fig, "dxy-level") and not by_gid(fig, "dxy-note")
    assert text(fig, "title").get_text() == "US Dollar Index (DXY) · daily, last 90 days"
    assert text(fig, "source").get_text() == "Source: Test index. Daily closes, to 27 Jun 2025."
    draw(fig)


def test_dxy_alt(dxy: Dataset, market_facts: dict[str, Fact]) -> None:
    alt = dxy_alt(dxy, market_facts)
    assert alt.startswith("US Dollar Index (DXY) daily closes for the last 90 days")
    assert alt.endswith("to 97.60 on 27 Jun 2025; marked: the 98 level broken down.")


# --- Fear & Greed ----------------------------------------------------------------------------


def test_fear_greed_has_its_five_bands(fear_greed: Dataset) -> None:
    fig = fear_greed_chart(fear_greed, demo=False)
    spans = []
    for _, _, name, _, _ in FEAR_GREED_BANDS:
        (band,) = by_gid(fig, f"band-{name}")
        assert isinstance(band, Rectangle)
        spans.append((band.get_y(), band.get_y() + band.get_height()))
        assert text(fig, f"band-{name}-label").get_text() == name
    assert spans == [(0, 24.5), (24.5, 44.5), (44.5, 55.5), (55.5, 75.5), (75.5, 100)]
    assert fig.axes[0].get_ylim() == (0.0, 100.0)
    draw(fig)


def test_fear_greed_line_and_title(fear_greed: Dataset) -> None:
    fig = fear_greed_chart(fear_greed, days=30, demo=False)
    values = line(fig, "fear-greed")
    assert len(xs(values)) == 30
    assert ys(values) == fear_greed.frame["value"].iloc[-30:].tolist()
    last = fear_greed.frame["value"].iloc[-1]
    expected = fear_greed_class(fear_greed.frame, -1)
    title = text(fig, "title").get_text()
    assert title == f"Crypto Fear & Greed Index · daily, last 30 days: {last:.0f} ({expected})"


CLASSES = [(0, "Extreme Fear"), (24, "Extreme Fear"), (25, "Fear"), (44, "Fear")]
CLASSES += [(45, "Neutral"), (55, "Neutral"), (56, "Greed"), (75, "Greed")]
CLASSES += [(76, "Extreme Greed"), (100, "Extreme Greed")]


@pytest.mark.parametrize(("value", "name"), CLASSES)
def test_classes_follow_alternative_me(value: float, name: str) -> None:
    frame = pd.DataFrame({"value": [float(value)]})
    assert fear_greed_class(frame, -1) == name
    assert fear_greed_class(pd.DataFrame({"value": [130.0]}), -1) == "Extreme Greed"  # off scale
    given = frame.assign(classification=["Custom"])
    assert fear_greed_class(given, -1) == "Custom"  # the file's own class wins


def test_fear_greed_alt(fear_greed: Dataset) -> None:
    alt = fear_greed_alt(fear_greed)
    assert alt.startswith("Crypto Fear & Greed Index for the last 90 days, between")
    assert alt.endswith("Extreme Fear (0-24) to Extreme Greed (76-100).")


# --- relative performance ----------------------------------------------------------------------


def candles_of(asset: str, closes: np.ndarray, start: str = "2025-06-01") -> Dataset:
    data = dataset(closes, pd.Timestamp(start, tz="UTC"), HOUR)
    return Dataset(data.name, asset, "Test exchange", data.frame, data.interval)


def test_every_line_starts_at_100() -> None:
    n = 40 * 24
    candles = {
        "ETH": candles_of("ETH", np.linspace(2000.0, 3000.0, n)),
        "BTC": candles_of("BTC", np.linspace(100.0, 90.0, n)),
        "SOL": candles_of("SOL", np.linspace(50.0, 60.0, n - 100), start="2025-06-05T04:00Z"),
    }
    fig = relative_chart(candles, demo=False)
    lines = [line(fig, f"rel-{a}") for a in ("BTC", "ETH", "SOL")]
    assert [ys(ln)[0] for ln in lines] == [100.0, 100.0, 100.0]
    assert len({xs(ln)[0] for ln in lines}) == 1  # one common start
    assert len({xs(ln)[-1] for ln in lines}) == 1
    assert from_x(xs(lines[0])[-1]) - from_x(xs(lines[0])[0]) <= pd.Timedelta(days=30)
    assert ys(lines[0])[-1] < 100.0 < ys(lines[1])[-1]
    assert text(fig, "rel-BTC-tag").get_text().startswith("BTC 9")
    assert text(fig, "title").get_text() == "Performance against BTC · last 30 days, rebased to 100"
    assert text(fig, "source").get_text().startswith("Source: Test exchange. Hourly closes")
    ax = fig.axes[0]
    assert [ln.get_gid() for ln in ax.get_lines() if ln.get_gid()][:2] == ["rel-BTC", "rel-ETH"]
    draw(fig)


def test_rebase_puts_btc_first_and_skips_empty() -> None:
    n = 48
    candles = {
        "ETH": candles_of("ETH", np.full(n, 10.0)),
        "XRP": Dataset(
            "candles_1h", "XRP", "X", candles_of("XRP", np.ones(n)).frame.iloc[:0], HOUR
        ),
        "BTC": candles_of("BTC", np.linspace(1.0, 2.0, n)),
    }
    rebased, start = rebase(candles, days=30)
    assert list(rebased) == ["BTC", "ETH"]
    assert start == pd.Timestamp("2025-06-01T01:00Z")  # the first close
    assert rebased["BTC"].iloc[-1] == pytest.approx(200.0)
    assert relative_alt(candles).startswith("Closes of BTC, ETH rebased to 100 at 1 Jun 01:00 UTC")
