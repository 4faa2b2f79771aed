"""The caching Agg canvas draws the same pixels as matplotlib's, cold and warm; without the
matplotlib internals it relies on (or when they change) it draws as plain Agg instead."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.ft2font
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from PIL import Image

from charts import agg
from charts.export import save
from charts.price import daily_chart
from charts.style import DPI, style
from models import Dataset, Fact


def pixels(fig: Figure, canvas_type: type[FigureCanvasAgg], dpi: float | None = None) -> np.ndarray:
    if dpi is not None:
        fig.set_dpi(dpi)
    canvas = canvas_type(fig)
    with style():
        canvas.draw()  # type: ignore[no-untyped-call]
    return np.asarray(canvas.buffer_rgba()).copy()  # type: ignore[no-untyped-call]


@pytest.fixture
def chart(daily: Dataset, hourly: Dataset, facts: dict[str, Fact]) -> Callable[[], Figure]:
    return lambda: daily_chart(daily, facts, asset="BTC", demo=True, hourly=hourly)


@pytest.fixture
def unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh process: no check made yet, nothing cached (both are back after the test)."""
    monkeypatch.setattr(agg, "_fast", None)
    for cache in ("_metrics", "_layouts", "_glyphs"):
        monkeypatch.setattr(agg, cache, {})


def test_canvas_draws_the_pixels_of_agg(chart: Callable[[], Figure]) -> None:
    for cache in (agg._metrics, agg._layouts, agg._glyphs):
        cache.clear()
    expected = pixels(chart(), FigureCanvasAgg)
    assert np.array_equal(pixels(chart(), agg.Canvas), expected)  # caches filled
    assert agg.fast_text() and agg._glyphs
    assert np.array_equal(pixels(chart(), agg.Canvas), expected)  # caches used


class _ChangedFont:
    """A font whose ``_layout`` wants ``features`` and ``language``, as a newer one might."""

    def __init__(self, font: Any) -> None:
        self._font = font

    def _layout(self, s: str, *, flags: Any, features: Any, language: Any) -> Any:
        return self._font._layout(s, flags=flags, features=features, language=language)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._font, name)


def _change_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    prepare: Any = RendererAgg._prepare_font
    monkeypatch.setattr(RendererAgg, "_prepare_font", lambda r, p: _ChangedFont(prepare(r, p)))


def _drop_render_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(matplotlib.ft2font, "RenderMode")  # backend_agg keeps its own name


def _draw_wider(monkeypatch: pytest.MonkeyPatch) -> None:
    """Agg draws its glyphs 5 % wider: the internals are there but no longer what Agg does."""
    draw: Any = RendererAgg._draw_text_glyphs_and_boxes

    def wider(self: Any, gc: Any, x: Any, y: Any, angle: Any, glyphs: Any, boxes: Any) -> Any:
        stretched = ((f, s, i, slant, 1.05, dx, dy) for f, s, i, slant, _, dx, dy in glyphs)
        return draw(self, gc, x, y, angle, stretched, boxes)

    monkeypatch.setattr(RendererAgg, "_draw_text_glyphs_and_boxes", wider)


@pytest.mark.usefixtures("unchecked")
@pytest.mark.parametrize("change", [_change_layout, _drop_render_mode, _draw_wider])
def test_without_the_internals_a_chart_is_plain_agg(
    change: Callable[[pytest.MonkeyPatch], None],
    chart: Callable[[], Figure],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    change(monkeypatch)
    ref = save(chart(), tmp_path, "btc_daily", "BTC daily")
    assert agg.fast_text() is False
    with Image.open(tmp_path / ref.path) as png:
        png.verify()
    with Image.open(tmp_path / ref.path) as png:
        assert png.format == "PNG" and png.size == (ref.width_px, ref.height_px)
        assert np.array_equal(np.asarray(png), pixels(chart(), FigureCanvasAgg, DPI)[:, :, :3])


@pytest.mark.usefixtures("unchecked")
def test_an_internal_failing_after_the_check_falls_back_at_that_text(
    chart: Callable[[], Figure], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert agg.fast_text() is True
    agg._layouts.clear()  # the check laid out some strings: lay them out again, changed
    _change_layout(monkeypatch)
    drawn = pixels(chart(), agg.Canvas)
    assert agg._fast is False
    assert np.array_equal(drawn, pixels(chart(), FigureCanvasAgg))
