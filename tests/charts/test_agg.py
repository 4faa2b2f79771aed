"""The caching Agg canvas draws the same pixels as matplotlib's, cold and warm."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from charts import agg
from charts.price import daily_chart
from charts.style import style
from models import Dataset, Fact


def test_canvas_draws_the_pixels_of_agg(
    daily: Dataset, hourly: Dataset, facts: dict[str, Fact]
) -> None:
    def pixels(canvas_type: type[FigureCanvasAgg]) -> np.ndarray:
        fig = daily_chart(daily, facts, asset="BTC", demo=True, hourly=hourly)
        canvas = canvas_type(fig)
        with style():
            canvas.draw()  # type: ignore[no-untyped-call]
        return np.asarray(canvas.buffer_rgba()).copy()  # type: ignore[no-untyped-call]

    for cache in (agg._metrics, agg._layouts, agg._glyphs):
        cache.clear()
    expected = pixels(FigureCanvasAgg)
    assert np.array_equal(pixels(agg.Canvas), expected)  # caches filled
    assert agg._glyphs
    assert np.array_equal(pixels(agg.Canvas), expected)  # caches used
