"""An Agg canvas that remembers text work across the charts a process draws.

Matplotlib 3.11's Agg backend shapes every string twice (once to measure it, once to draw
it) and rasterizes every glyph with FreeType on each draw: about two thirds of a chart's
drawing time. The charts repeat much of their text (tick labels, the DEMO DATA badge and
watermark, titles' shared words), so :class:`Canvas` keeps, per process:

- the size of each measured string and the glyph layout of each drawn one, by string, font
  properties, DPI and hinting;
- each rasterized glyph, by font, size, hinting, angle and its position's fraction of a pixel
  (a glyph moved by whole pixels rasterizes to the same bitmap, moved).

The pixels are the ones ``RendererAgg`` draws: the glyph loop below is its
``_draw_text_glyphs_and_boxes`` for plain text, with the bitmaps looked up first. Math text
and anything else goes to matplotlib unchanged.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import RenderMode

MAX_ENTRIES = 20_000
"""Each cache is emptied when it reaches this many entries (a glyph is a few hundred bytes)."""

_Glyph = tuple[np.ndarray, int, int]
"""A glyph's bitmap, and its left and top edges relative to the whole pixel it is drawn at."""

_metrics: dict[tuple[Any, ...], tuple[float, float, float]] = {}
_layouts: dict[tuple[Any, ...], tuple[tuple[Any, int, float, float], ...]] = {}
_glyphs: dict[tuple[Any, ...], _Glyph] = {}


class Canvas(FigureCanvasAgg):
    """``FigureCanvasAgg`` drawing with :class:`Renderer`."""

    def get_renderer(self) -> RendererAgg:
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = Renderer(w, h, self.figure.dpi)  # type: ignore[no-untyped-call]
            self._lastKey = key
        renderer: RendererAgg = self.renderer
        return renderer


class Renderer(RendererAgg):
    """``RendererAgg`` reusing string sizes, glyph layouts and glyph bitmaps (module docs)."""

    def get_text_width_height_descent(
        self, s: str, prop: FontProperties, ismath: Any
    ) -> tuple[float, float, float]:
        if ismath is not False:
            return super().get_text_width_height_descent(s, prop, ismath)  # type: ignore[no-any-return,no-untyped-call]
        key = (s, prop.copy(), self.dpi, _hinting())
        found = _metrics.get(key)
        if found is None:
            found = super().get_text_width_height_descent(s, prop, ismath)  # type: ignore[no-untyped-call]
            _remember(_metrics, key, found)
        return found

    def draw_text(
        self,
        gc: Any,
        x: float,
        y: float,
        s: str,
        prop: FontProperties,
        angle: float,
        ismath: Any = False,
        mtext: Any = None,
    ) -> None:
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        if ismath or features is not None or language is not None:
            super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)  # type: ignore[no-untyped-call]
            return
        flags = _hinting()
        size = prop.get_size_in_points()
        key = (s, prop.copy(), self.dpi, flags)
        items = _layouts.get(key)
        if items is None:
            font = self._prepare_font(prop)  # type: ignore[no-untyped-call]
            items = tuple(
                (item.ft_object, item.glyph_index, item.x, item.y)
                for item in font._layout(s, flags=flags)
            )
            _remember(_layouts, key, items)
        self._draw_glyphs(gc, x, y, angle, items, size, flags)

    def _draw_glyphs(
        self,
        gc: Any,
        x: float,
        y: float,
        angle: float,
        items: tuple[tuple[Any, int, float, float], ...],
        size: float,
        flags: Any,
    ) -> None:
        """``RendererAgg._draw_text_glyphs_and_boxes`` without slant, stretch or boxes."""
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
        antialiased = gc.get_antialiased()
        mode = RenderMode.NORMAL if antialiased else RenderMode.MONO
        height, dpi = self.height, self.dpi
        bottom = int(height)
        draw = self._renderer.draw_text_image
        for font, index, dx, dy in items:  # dy is upwards
            # FreeType's y is upwards; positions in 1/64 pixel.
            px = round(0x40 * (x + dx * cos - dy * sin))
            py = round(0x40 * (height - y + dx * sin + dy * cos))
            key = (font, size, dpi, flags, mode, angle, index, px & 0x3F, py & 0x3F)
            glyph = _glyphs.get(key)
            if glyph is None:
                font.set_size(size, dpi)
                font._set_transform(matrix, [px, py])
                bitmap = font._render_glyph(index, flags, mode)
                buffer = bitmap.buffer
                if not antialiased:
                    buffer *= 0xFF
                glyph = (buffer, bitmap.left - (px >> 6), bitmap.top - (py >> 6))
                _remember(_glyphs, key, glyph)
            buffer, left, top = glyph
            # draw_text_image's y is downwards and the bitmap's bottom side.
            draw(buffer, left + (px >> 6), bottom - (top + (py >> 6)) + buffer.shape[0], 0, gc)


def _hinting() -> Any:
    """FreeType load flags for ``rcParams["text.hinting"]``, as ``RendererAgg`` uses."""
    return get_hinting_flag()  # type: ignore[no-untyped-call]


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= MAX_ENTRIES:
        cache.clear()
    cache[key] = value
