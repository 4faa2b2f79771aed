"""render_charts and export.save: files on disk, their reported sizes, no pyplot state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest

from charts import render_charts, render_market_charts
from charts.export import save
from charts.style import DPI, new_figure, style
from models import AssetData, ChartRef, Dataset, Fact, LevelProfile

ROOT = Path(__file__).resolve().parents[2]


def test_render_charts_writes_pngs_of_the_reported_size(
    tmp_path: Path, daily: Dataset, hourly: Dataset, facts: dict[str, Fact]
) -> None:
    eth_daily = Dataset("candles_1d", "ETH", "Test exchange", daily.frame, daily.interval)
    assets = {"BTC": AssetData("BTC", daily, hourly), "ETH": AssetData("ETH", eth_daily)}
    refs = render_charts(assets, list(facts.values()), tmp_path, demo=True)

    assert list(refs) == ["BTC", "ETH", "market"]
    assert [r.name for r in refs["BTC"]] == ["btc_daily", "btc_7d"]
    assert [r.name for r in refs["ETH"]] == ["eth_daily"]  # no hourly candles, no hourly chart
    assert [r.name for r in refs["market"]] == ["relative"]  # two assets: against BTC
    for ref in (*refs["BTC"], *refs["ETH"]):
        assert ref.path == f"charts/{ref.name}.png"
        image = mpimg.imread(tmp_path / ref.path)
        assert image.shape[:2] == (ref.height_px, ref.width_px)
        assert ref.alt.startswith(f"Demo data, not market prices. {ref.name[:3].upper()}/USD ")
    assert (refs["BTC"][0].width_px, refs["BTC"][0].height_px) == (round(7.2 * DPI), 784)
    assert (refs["BTC"][1].width_px, refs["BTC"][1].height_px) == (round(7.2 * DPI), 392)
    assert "all-time high at $140.50" in refs["BTC"][0].alt
    assert "all-time high" not in refs["ETH"][0].alt  # facts are BTC's
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == [
        "btc_7d.png",
        "btc_daily.png",
        "eth_daily.png",
        "relative.png",
    ]


def test_render_charts_skips_empty_hourly(tmp_path: Path, daily: Dataset, hourly: Dataset) -> None:
    empty = Dataset("candles_1h", "BTC", "Test exchange", hourly.frame.iloc[:0], hourly.interval)
    refs = render_charts({"BTC": AssetData("BTC", daily, empty)}, [], tmp_path, demo=False)
    assert [r.name for r in refs["BTC"]] == ["btc_daily"]
    assert refs["BTC"][0].alt.startswith("BTC/USD daily candles for the 90 days to 28 Jun 2025.")


def test_save_closes_a_pyplot_figure(tmp_path: Path) -> None:
    plt = pytest.importorskip("matplotlib.pyplot")
    fig = plt.figure(figsize=(2, 1), dpi=DPI)
    ref = save(fig, tmp_path, "made_in_pyplot", "alt")
    assert not plt.fignum_exists(fig.number)
    assert plt.get_fignums() == []
    assert mpimg.imread(tmp_path / ref.path).shape == (DPI, 2 * DPI, 3)


def test_save_replaces_an_older_file_whole(tmp_path: Path) -> None:
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "x.png").write_bytes(b"old")
    with style():
        fig = new_figure(1.0, width_in=2.0)
    ref = save(fig, tmp_path, "x", "alt")
    assert (ref.width_px, ref.height_px) == (2 * DPI, DPI)
    assert [p.name for p in (tmp_path / "charts").iterdir()] == ["x.png"]


def test_charts_never_touch_pyplot(tmp_path: Path) -> None:
    """Drawing all charts leaves pyplot unimported: no global figures, no GUI backend."""
    code = f"""
import sys
import numpy as np, pandas as pd
from pathlib import Path
from charts import render_charts, render_market_charts
from models import AssetData, Dataset
index = pd.date_range("2025-01-01", periods=60, freq="D", tz="UTC", name="time")
c = np.linspace(100.0, 160.0, 60)
frame = pd.DataFrame({{"open": c, "high": c + 1, "low": c - 1, "close": c, "volume": 1.0}}, index)
d = Dataset("candles_1d", "BTC", "X", frame, pd.Timedelta(days=1))
x = Dataset("dxy", None, "X", frame[["close"]])
fg = Dataset("fear_greed", None, "X", pd.DataFrame({{"value": 50.0}}, index))
assets = {{"BTC": AssetData("BTC", d), "ETH": AssetData("ETH", d)}}
render_charts(assets, [], Path({str(tmp_path)!r}), demo=False, dxy=x, fear_greed=fg)
assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
"""
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    for name in ("btc_daily", "dxy", "fear_greed", "relative"):
        assert (tmp_path / "charts" / f"{name}.png").is_file()


def test_render_charts_draws_derivatives_and_market_charts(
    tmp_path: Path,
    daily: Dataset,
    hourly: Dataset,
    liquidations: Dataset,
    funding: Dataset,
    profile: LevelProfile,
    dxy: Dataset,
    fear_greed: Dataset,
    facts: dict[str, Fact],
    market_facts: dict[str, Fact],
) -> None:
    btc = AssetData("BTC", daily, hourly, funding=funding, liquidations=liquidations)
    eth = AssetData("ETH", Dataset("candles_1d", "ETH", "X", daily.frame, daily.interval))
    every = [*facts.values(), *market_facts.values()]
    refs = render_charts(
        {"BTC": btc, "ETH": eth},
        every,
        tmp_path,
        demo=False,
        fear_greed=fear_greed,
        dxy=dxy,
        profiles={"BTC": profile},
    )
    names = {key: [(r.name, r.section) for r in group] for key, group in refs.items()}
    assert names == {
        "BTC": [
            ("btc_daily", "price"),
            ("btc_7d", "price"),
            ("btc_liquidations", "derivatives"),
            ("btc_funding", "derivatives"),
            ("btc_levels", "derivatives"),
        ],
        "ETH": [("eth_daily", "price")],
        "market": [("dxy", "macro"), ("fear_greed", "macro"), ("relative", "macro")],
    }
    for ref in (r for group in refs.values() for r in group):
        image = mpimg.imread(tmp_path / ref.path)
        assert image.shape[:2] == (ref.height_px, ref.width_px)
        assert ref.width_px == round(7.2 * DPI)
        assert ref.alt and not ref.alt.startswith("Demo data")
    by_name = {r.name: r for group in refs.values() for r in group}
    assert "the flip to positive at 28 Jun 08:00 UTC" in by_name["btc_funding"].alt
    assert "the 98 level broken down" in by_name["dxy"].alt
    assert "to 29 Jun 10:00 UTC" in by_name["btc_liquidations"].alt  # the running hour left out


def test_missing_data_skips_its_chart(
    tmp_path: Path, daily: Dataset, liquidations: Dataset, funding: Dataset, profile: LevelProfile
) -> None:
    empty_liq = Dataset("liquidations", "BTC", "L", liquidations.frame.iloc[:0])
    btc = AssetData("BTC", daily, None, funding=None, liquidations=empty_liq)
    no_levels = LevelProfile("BTC", (), (), (), 100.0, 1.0, "model")
    empty_dxy = Dataset("dxy", None, "D", pd.DataFrame({"close": []}, index=pd.DatetimeIndex([])))
    refs = render_charts(
        {"BTC": btc},
        [],
        tmp_path,
        demo=True,
        fear_greed=None,
        dxy=empty_dxy,
        profiles={"BTC": no_levels, "ETH": profile},  # ETH is not in the note
    )
    assert {k: [r.name for r in v] for k, v in refs.items()} == {"BTC": ["btc_daily"]}
    assert [p.name for p in (tmp_path / "charts").iterdir()] == ["btc_daily.png"]


def test_the_work_can_be_split_by_asset(
    tmp_path: Path, daily: Dataset, hourly: Dataset, dxy: Dataset, facts: dict[str, Fact]
) -> None:
    eth = Dataset("candles_1d", "ETH", "X", daily.frame, daily.interval)
    assets = {"BTC": AssetData("BTC", daily, hourly), "ETH": AssetData("ETH", eth)}
    whole = render_charts(assets, list(facts.values()), tmp_path / "a", demo=False, dxy=dxy)
    parts: dict[str, tuple[ChartRef, ...]] = {}
    for name, data in assets.items():
        parts |= render_charts({name: data}, [], tmp_path / "b", demo=False, market=False)
    parts["market"] = render_market_charts(assets, [], tmp_path / "b", demo=False, dxy=dxy)
    assert {k: [r.name for r in v] for k, v in parts.items()} == {
        k: [r.name for r in v] for k, v in whole.items()
    }
    assert [r.name for r in whole["market"]] == ["dxy", "relative"]
