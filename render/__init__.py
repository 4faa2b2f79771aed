"""Render decides how a note looks and reads: Jinja templates to HTML, WeasyPrint to PDF, the
HTML read back as plain text (brief.txt).

Only :class:`NoteContext` goes in. Numbers become text only through ``render.filters``;
each fact is phrased by its partial ``templates/facts/<id>.html``, each line of the story by
``templates/lines/<kind>.html``.
"""

from render.context import NoteContext
from render.html import RenderedNote, render_note
from render.pdf import html_to_pdf, load_engine
from render.text import note_text

__all__ = ["NoteContext", "RenderedNote", "html_to_pdf", "load_engine", "note_text", "render_note"]
