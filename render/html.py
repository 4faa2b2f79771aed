"""Rendering a note's context to HTML, plus its headline, lede and What to watch as plain text.

The plain texts come from the same macros the HTML uses (``_lines.html``), so ``facts.json``,
the email, the blog and the note can never word them differently. The headline is the
longest choice of the story's headline parts that fits ``HEADLINE_WORDS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, TemplateError, TemplateSyntaxError
from markupsafe import Markup

from errors import RenderError
from models import Line, Story
from render.context import NoteContext
from render.environment import make_environment

TEMPLATE = "brief.html"
"""The note's page template."""
HEADLINE_WORDS = 14
"""The headline's budget, in words."""


@dataclass(frozen=True)
class RenderedNote:
    """A rendered note: the page, and its headline, lede and What to watch as plain text."""

    html: str
    """The whole self-contained page (CSS inlined; charts referenced as ``charts/...``)."""
    headline: str
    """The note's title as plain text (tags stripped, entities decoded)."""
    lede: tuple[str, ...]
    """The lede's sentences as plain text: what happened, then why or the contrast."""
    watch: tuple[str, ...]
    """The What to watch bullets as plain text."""


def _plain(markup: str) -> str:
    """Rendered macro output as plain text: tags stripped, entities decoded, one line."""
    return Markup(markup).striptags()


def render_note(ctx: NoteContext) -> RenderedNote:
    """Render ``ctx`` with ``templates/brief.html``.

    Any template failure (a missing field under StrictUndefined, a syntax error, a missing
    partial) raises :class:`RenderError` naming the template and line.
    """
    env = make_environment()
    try:
        lines = env.get_template("_lines.html").module
        title = headline(lines, ctx.story)
        html = env.get_template(TEMPLATE).render(replace(ctx, title=title).variables())
        lede = tuple(_plain(lines.sentence(x)) for x in ctx.story.lede)  # type: ignore[attr-defined]
        watch = tuple(_plain(lines.sentence(x)) for x in ctx.story.watch)  # type: ignore[attr-defined]
    except TemplateError as exc:
        raise _template_error(exc, env, TEMPLATE) from exc
    return RenderedNote(html=html, headline=_plain(title), lede=lede, watch=watch)


def headline(lines: Any, story: Story) -> Markup:
    """The title: the first of the story's headline choices (every part; without the link;
    without the second story; the lead alone) that fits ``HEADLINE_WORDS``, else the lead."""
    parts = story.headline
    choices = [parts, _without(parts, link=True), _without(parts, link=False), parts[:1]]
    for choice in choices:
        said = Markup(lines.headline(choice))
        if len(_plain(said).split()) <= HEADLINE_WORDS:
            return said
    return Markup(lines.headline(parts[:1]))


def _without(parts: Sequence[Line], *, link: bool) -> tuple[Line, ...]:
    """``parts`` without the link (``link``) or without the second story."""
    if link:
        return tuple(p for p in parts if p.kind == "headline")
    return tuple(p for i, p in enumerate(parts) if i == 0 or p.kind != "headline")


def _template_error(exc: TemplateError, env: Environment, rendering: str) -> RenderError:
    """``exc`` as a one-line RenderError: "template facts/x.html, line 3: <what failed>".

    The place is the syntax error's own, else the innermost template line in the traceback,
    else ``rendering`` (the page template being rendered).
    """
    what = (exc.message or type(exc).__name__).splitlines()[0]
    where = _template_line(exc, env) or rendering
    return RenderError(f"template {where}: {what} ({type(exc).__name__})")


def _template_line(exc: TemplateError, env: Environment) -> str | None:
    """``name, line N`` of the template line that failed, when it is known."""
    if isinstance(exc, TemplateSyntaxError) and exc.name:
        return f"{exc.name}, line {exc.lineno}"
    roots = (
        [Path(p) for p in env.loader.searchpath] if isinstance(env.loader, FileSystemLoader) else []
    )
    found = None
    tb = exc.__traceback__
    while tb is not None:  # Jinja points template frames at the template file and line
        path = Path(tb.tb_frame.f_code.co_filename)
        for root in roots:
            if path.is_relative_to(root):
                found = f"{path.relative_to(root)}, line {tb.tb_lineno}"
        tb = tb.tb_next
    return found
