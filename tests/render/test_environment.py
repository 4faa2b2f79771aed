"""The Jinja environment: strict, escaping, filters registered, independent of the CWD."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from render.environment import TEMPLATES_DIR, make_environment
from render.filters import FILTERS
from render.html import render_note
from tests.render.make import LAST, context, fact


def test_strict_undefined_raises_on_a_missing_variable() -> None:
    with pytest.raises(UndefinedError):
        make_environment().from_string("{{ nowhere }}").render()


def test_autoescape_escapes_a_source_name() -> None:
    evil = fact(
        "price.last",
        100.0,
        {"time": "2026-11-23T08:00:00Z"},
        sources=("<script>alert(1)</script>",),
    )
    html = render_note(context([evil])).html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_filters_are_registered() -> None:
    env = make_environment()
    assert set(FILTERS) <= set(env.filters)
    assert env.from_string("{{ x | signed_pct }}").render(x=2.34) == "+2.3%"


def test_environment_is_cached_and_strict() -> None:
    env = make_environment()
    assert env is make_environment()
    assert env.autoescape is True and env.trim_blocks and env.lstrip_blocks


def test_templates_are_found_from_any_working_directory(tmp_path: Path) -> None:
    assert Path(__file__).resolve().parents[2] / "templates" == TEMPLATES_DIR
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        make_environment.cache_clear()
        assert "Bitcoin" in render_note(context([LAST])).html
    finally:
        os.chdir(cwd)
        make_environment.cache_clear()


def test_css_is_inlined_verbatim() -> None:
    css = (TEMPLATES_DIR / "static" / "brief.css").read_text()
    assert css.strip() in render_note(context([LAST])).html
    for delimiter in ("{{", "{%", "{#"):
        assert delimiter not in css


def test_public_api() -> None:
    import render

    assert sorted(render.__all__) == [
        "NoteContext",
        "RenderedNote",
        "html_to_pdf",
        "load_engine",
        "note_text",
        "render_note",
    ]


def test_weasyprint_is_imported_only_for_pdfs() -> None:
    code = "import sys, render; render.render_note; assert 'weasyprint' not in sys.modules"
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)
