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

That loop uses private matplotlib internals (``RendererAgg._prepare_font``,
``FT2Font._layout``, ``_render_glyph``, ...). At first use :func:`fast_text` draws a few
strings both ways; if an internal is missing, fails or draws other pixels, :class:`Canvas` is
plain ``FigureCanvasAgg`` from then on. A failure the check missed does the same at the text
it happens on (the glyphs are all rendered before any is drawn, so nothing is half drawn).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

MAX_ENTRIES = 20_000
"""Each cache is emptied when it reaches this many entries (a glyph is a few hundred bytes)."""

_Glyph = tuple[np.ndarray, int, int]
"""A glyph's bitmap, and its left and top edges relative to the whole pixel it is drawn at."""

_metrics: dict[tuple[Any, ...], tuple[float, float, float]] = {}
_layouts: dict[tuple[Any, ...], tuple[tuple[Any, int, float, float], ...]] = {}
_glyphs: dict[tuple[Any, ...], _Glyph] = {}


_fast: bool | None = None
"""Whether :class:`Canvas` draws with :class:`Renderer`; None until :func:`fast_text` checks."""


def fast_text() -> bool:
    """Whether the internals the glyph loop uses are there and draw matplotlib's pixels.

    Checked once per process, at first use (under the rcParams of that draw).
    """
    global _fast
    if _fast is None:
        _fast = _draws_like_agg()
    return _fast


def _draws_like_agg() -> bool:
    """Draw a small figure of text with :class:`Renderer` and with Agg: same pixels, no error."""
    fig = Figure(figsize=(1.2, 0.6), dpi=100)
    fig.text(0.05, 0.55, "Ag −1.5%", fontsize=9)
    fig.text(0.05, 0.1, "BTC 9", fontsize=7, rotation=20, antialiased=False)
    fig.text(0.9, 0.1, "USD", fontsize=8, rotation=90)
    try:
        fast = _FastCanvas(fig)
        fast.draw()  # type: ignore[no-untyped-call]
        plain = FigureCanvasAgg(fig)
        plain.draw()  # type: ignore[no-untyped-call]
        pixels = np.asarray(fast.buffer_rgba())  # type: ignore[no-untyped-call]
        return bool(np.array_equal(pixels, plain.buffer_rgba()))  # type: ignore[no-untyped-call]
    except Exception:
        return False


def _give_up() -> None:
    """Draw with plain Agg from now on (an internal failed after the first check)."""
    global _fast
    _fast = False


class _FastCanvas(FigureCanvasAgg):
    """``FigureCanvasAgg`` drawing with :class:`Renderer`."""

    def get_renderer(self) -> RendererAgg:
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if getattr(self, "_fast_key", None) != key:
            self.renderer = Renderer(w, h, self.figure.dpi)  # type: ignore[no-untyped-call]
            self._fast_key = key
        renderer: RendererAgg = self.renderer
        return renderer


class Canvas(_FastCanvas):
    """``FigureCanvasAgg`` drawing with :class:`Renderer` where :func:`fast_text` allows."""

    def get_renderer(self) -> RendererAgg:
        if fast_text():
            return super().get_renderer()
        return FigureCanvasAgg.get_renderer(self)  # type: ignore[no-any-return,no-untyped-call]


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
        found = None if ismath or _fast is False else self._plain(gc, x, y, s, prop, angle, mtext)
        if found is None:
            super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)  # type: ignore[no-untyped-call]
            return
        draw, glyphs = found
        for buffer, left, top in glyphs:
            draw(buffer, left, top, 0, gc)

    def _plain(
        self, gc: Any, x: float, y: float, s: str, prop: FontProperties, angle: float, mtext: Any
    ) -> tuple[Any, list[tuple[np.ndarray, int, int]]] | None:
        """Agg's ``draw_text_image`` and the glyphs of ``s`` placed for it; None for text that
        matplotlib draws itself (font features, a language) or when an internal fails."""
        try:
            if mtext is not None and (
                mtext.get_fontfeatures() is not None or mtext.get_language() is not None
            ):
                return None
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
            glyphs = self._glyphs(gc, x, y, angle, items, size, flags)
            return self._renderer.draw_text_image, glyphs
        except Exception:  # an internal changed in a way fast_text's check did not catch
            _give_up()
            return None

    def _glyphs(
        self,
        gc: Any,
        x: float,
        y: float,
        angle: float,
        items: tuple[tuple[Any, int, float, float], ...],
        size: float,
        flags: Any,
    ) -> list[tuple[np.ndarray, int, int]]:
        """``RendererAgg._draw_text_glyphs_and_boxes`` without slant, stretch or boxes, up to
        drawing: each glyph's bitmap with its left and top edges in ``draw_text_image``'s
        coordinates (y downwards, the bitmap's bottom side)."""
        from matplotlib.ft2font import RenderMode  # private: see fast_text

        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
        antialiased = gc.get_antialiased()
        mode = RenderMode.NORMAL if antialiased else RenderMode.MONO
        height, dpi = self.height, self.dpi
        bottom = int(height)
        placed = []
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
            placed.append((buffer, left + (px >> 6), bottom - (top + (py >> 6)) + buffer.shape[0]))
        return placed


def _hinting() -> Any:
    """FreeType load flags for ``rcParams["text.hinting"]``, as ``RendererAgg`` uses."""
    from matplotlib.backends.backend_agg import get_hinting_flag  # private: see fast_text

    return get_hinting_flag()  # type: ignore[no-untyped-call]


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= MAX_ENTRIES:
        cache.clear()
    cache[key] = value
