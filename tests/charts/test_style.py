"""The shared style: number formats, tag spreading, the rc context."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import pytest

from charts.marks import _spread, fit_levels
from charts.style import FONT, compact, padded, style, usd, usd_tick


@pytest.mark.parametrize(
    ("value", "tick"),
    [
        (118_000, "$118k"),
        (117_500, "$117.5k"),
        (120_000, "$120k"),
        (1_250_000, "$1,250k"),
        (4_000, "$4,000"),
        (2_500, "$2,500"),
        (250, "$250"),
        (2.5, "$2.5"),
        (0.25, "$0.25"),
        (0, "$0"),
    ],
)
def test_usd_ticks_are_compact(value: float, tick: str) -> None:
    assert usd_tick(value) == tick


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (118_869.98, "$118,870"),
        (120_000, "$120,000"),
        (4_868, "$4,868"),
        (2.5, "$2.50"),
        (0.04567, "$0.0457"),
    ],
)
def test_usd_labels_are_whole(value: float, label: str) -> None:
    assert usd(value) == label


def test_compact_indicator_ticks() -> None:
    assert [compact(v) for v in (2500, -2000, 0, 150, -50, 0.5)] == [
        "2.5k",
        "−2k",
        "0",
        "150",
        "−50",
        "0.5",
    ]


def test_spread_keeps_tags_apart_and_inside() -> None:
    assert _spread([0.5], 0.1) == [0.5]
    assert _spread([0.5, 0.52], 0.1) == pytest.approx([0.5, 0.6])
    top = _spread([0.97, 0.99, 1.0], 0.1)
    assert top == pytest.approx([0.75, 0.85, 0.95])
    assert _spread([], 0.1) == []


def test_fit_levels_brings_near_levels_into_view() -> None:
    assert fit_levels(100, 110, [112]) == (100, 112)
    assert fit_levels(100, 110, [97]) == (97, 110)
    assert fit_levels(100, 110, [200, 50]) == (100, 110)  # too far: left off scale


def test_padded_never_collapses() -> None:
    lo, hi = padded(5.0, 5.0)
    assert lo < 5.0 < hi


def test_style_is_scoped() -> None:
    before = mpl.rcParams["font.family"]
    with style():
        assert mpl.rcParams["font.family"] == [FONT]
        assert not mpl.rcParams["figure.autolayout"]
    assert mpl.rcParams["font.family"] == before


def test_data_text_in_titles_and_sources_is_never_tex(tmp_path: Path) -> None:
    """A source name such as ``$\\frac{a}{$`` (mathtext would raise on it) is drawn as text."""
    import matplotlib.pyplot as plt

    from charts.export import save
    from charts.style import decorate

    with style():
        fig = plt.figure(figsize=(4, 2))
        decorate(fig, title="Costs $5 and $6", source="Source: $\\frac{a}{$ data", demo=False)
        ref = save(fig, tmp_path, "tex", "alt")
    assert (tmp_path / ref.path).read_bytes().startswith(b"\x89PNG")
    texts = {t.get_gid(): t.get_text() for t in fig.texts}
    assert texts["source"] == "Source: $\\frac{a}{$ data"
