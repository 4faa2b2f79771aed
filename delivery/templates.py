"""The Jinja environment of the delivery templates (email.html, email.txt, blog/*.html).

Same rules and filters as the note's (``StrictUndefined``, ``trim_blocks``, every filter of
``render.filters``), but autoescaping follows the file type, so the plain-text email is not
HTML-escaped. Each template is one or more macros called with a documented view dataclass, so
templates read no global variables.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from render.filters import FILTERS
from settings import ROOT

TEMPLATES_DIR = ROOT / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The shared delivery environment (compiled templates are cached; treat as read-only)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html", "xml"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def call(template: str, macro: str, *args: Any) -> str:
    """Render ``macro`` of ``template`` with ``args``."""
    module = environment().get_template(template).module
    return str(getattr(module, macro)(*args))
