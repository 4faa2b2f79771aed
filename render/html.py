"""Rendering a note's context to HTML, plus its headline and takeaways as plain text.

The plain texts come from the same macros the HTML uses (``_headline.html`` and
``_facts.html``), so ``facts.json`` and the note can never word them differently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, TemplateError, TemplateSyntaxError
from markupsafe import Markup

from errors import RenderError
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
    """Render ``ctx`` with ``templates/brief.html``.

    Any template failure (a missing field under StrictUndefined, a syntax error, a missing
    partial) raises :class:`RenderError` naming the template and line.
    """
    env = make_environment()
    try:
        html = env.get_template(TEMPLATE).render(ctx.variables())
        headline = env.get_template("_headline.html").module.headline(ctx.story.headline)  # type: ignore[attr-defined]
        say = env.get_template("_facts.html").module
        takeaways = tuple(_plain(say.takeaway(f)) for f in ctx.story.takeaways)  # type: ignore[attr-defined]
    except TemplateError as exc:
        raise _template_error(exc, env, TEMPLATE) from exc
    return RenderedNote(html=html, headline=_plain(headline), takeaways=takeaways)


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
