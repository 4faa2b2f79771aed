"""Template and PDF engine failures become one-line RenderErrors naming what failed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError

from errors import RenderError
from render import html_to_pdf, render_note
from render.environment import TEMPLATES_DIR
from render.pdf import FetchRefused
from tests.render.broken import broken_templates
from tests.render.make import LAST, context, fact

PARTIAL = "facts/price.last.html"
"""The partial of the one fact these notes say."""


def test_a_missing_fact_field_names_the_partial_and_its_line() -> None:
    broken = fact("price.last", 123.0, {})  # no evidence["time"]
    with pytest.raises(RenderError) as caught:
        render_note(context([broken]))
    line = next(
        n
        for n, text in enumerate((TEMPLATES_DIR / PARTIAL).read_text().splitlines(), 1)
        if 'f.evidence["time"]' in text
    )
    assert str(caught.value) == (
        f"template {PARTIAL}, line {line}: 'dict object' has no attribute 'time' (UndefinedError)"
    )
    assert isinstance(caught.value.__cause__, UndefinedError)


def test_a_syntax_error_names_the_partial_and_its_line(tmp_path: Path) -> None:
    source = "{% macro sentence(f) %}\n{% if %}\n{% endmacro %}\n"
    with broken_templates(tmp_path / "t", {PARTIAL: source}), pytest.raises(RenderError) as caught:
        render_note(context([LAST]))
    message = str(caught.value)
    assert message.startswith(f"template {PARTIAL}, line 2: ")
    assert message.endswith("(TemplateSyntaxError)") and "\n" not in message
    assert isinstance(caught.value.__cause__, TemplateSyntaxError)


def test_a_missing_partial_is_named(tmp_path: Path) -> None:
    with broken_templates(tmp_path / "t", {PARTIAL: None}), pytest.raises(RenderError) as caught:
        render_note(context([LAST]))
    pattern = rf"template _facts\.html, line \d+: '{re.escape(PARTIAL)}' not found in search path"
    assert re.fullmatch(pattern + r": .* \(TemplateNotFound\)", str(caught.value))
    assert isinstance(caught.value.__cause__, TemplateNotFound)


def test_the_real_templates_are_back_after_a_broken_copy(tmp_path: Path) -> None:
    with broken_templates(tmp_path / "t", {PARTIAL: None}):
        pass
    assert "Bitcoin" in render_note(context([LAST])).html


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "brief"
    out.mkdir()
    return out


def test_a_remote_url_in_the_pdf_says_it_was_refused(folder: Path) -> None:
    html = '<html><body><img src="http://127.0.0.1:9/x.png"></body></html>'
    with pytest.raises(RenderError) as caught:
        html_to_pdf(html, folder)
    assert str(caught.value) == (
        "PDF: refusing to fetch 'http://127.0.0.1:9/x.png': "
        f"only files inside {folder.resolve()} are allowed"
    )
    wrapped = caught.value.__cause__  # WeasyPrint's error, caused by the fetcher's
    assert wrapped is not None and isinstance(wrapped.__cause__, FetchRefused)


def test_a_missing_chart_in_the_pdf_is_named(folder: Path) -> None:
    html = '<html><body><img src="charts/btc_daily.png"></body></html>'
    with pytest.raises(RenderError, match=r"^PDF: refusing to fetch '.*/charts/btc_daily\.png': "):
        html_to_pdf(html, folder)


def test_any_other_engine_failure_is_a_render_error(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import weasyprint

    def fail(*_: object, **__: object) -> bytes:
        raise ValueError("no pages\nsecond line")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", fail)
    with pytest.raises(RenderError) as caught:
        html_to_pdf("<html><body>x</body></html>", folder)
    assert str(caught.value) == "PDF: WeasyPrint failed: ValueError: no pages"
