"""Render decides how a note looks and reads: Jinja templates to HTML, WeasyPrint to PDF.

Only :class:`NoteContext` goes in. Numbers become text only through ``render.filters``;
each fact is phrased only by its partial ``templates/facts/<id>.html``.
"""

from render.context import NoteContext
from render.html import RenderedNote, render_note
from render.pdf import html_to_pdf, load_engine

__all__ = ["NoteContext", "RenderedNote", "html_to_pdf", "load_engine", "render_note"]
