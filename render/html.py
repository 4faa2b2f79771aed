"""Rendering a note's context to HTML, plus its headline and takeaways as plain text.

The plain texts come from the same macros the HTML uses (``_headline.html`` and
``_facts.html``), so ``facts.json`` and the note can never word them differently.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from render.context import NoteContext
from render.environment import make_environment

TEMPLATE = "brief.html"
"""The note's page template."""


@dataclass(frozen=True)
class RenderedNote:
    """A rendered note: the page, and its headline and takeaways as plain text."""

    html: str
    """The whole self-contained page (CSS inlined; charts referenced as ``charts/...``)."""
    headline: str
    """The note's title as plain text (tags stripped, entities decoded)."""
    takeaways: tuple[str, ...]
    """The key takeaways as plain text, most newsworthy first."""


def _plain(markup: str) -> str:
    """Rendered macro output as plain text: tags stripped, entities decoded, one line."""
    return Markup(markup).striptags()


def render_note(ctx: NoteContext) -> RenderedNote:
    """Render ``ctx`` with ``templates/brief.html``; a missing field raises (StrictUndefined)."""
    env = make_environment()
    html = env.get_template(TEMPLATE).render(ctx.variables())
    headline = env.get_template("_headline.html").module.headline(ctx.story.headline)  # type: ignore[attr-defined]
    say = env.get_template("_facts.html").module
    takeaways = tuple(_plain(say.takeaway(f)) for f in ctx.story.takeaways)  # type: ignore[attr-defined]
    return RenderedNote(html=html, headline=_plain(headline), takeaways=takeaways)
