"""The note's shape and budget on the demo: words, lede, headline, What to watch, figures said
once and traced, no sentence skeleton more than twice, "according to" at most three times.

Figures (``-s`` prints them; they are junit properties too) are reported in the closing note.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pipeline import BriefRequest, write_brief
from settings import Settings
from tests.conftest import DEMO
from tests.render.prose import Prose, headline, lede, watch


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("budget")
    request = BriefRequest.from_settings(Settings(), snapshot=DEMO, out=out, formats=("html",))
    result = write_brief(request)
    return (result.folder / "brief.html").read_text()


def check_budget(page: str, min_words: int = 300) -> Prose:
    """Assert the issue's shape and budget on a rendered note (``min_words``: fewer on a day
    with less to say); return its prose."""
    prose = Prose.of(page)
    assert min_words <= prose.words <= 500, prose.words
    assert len(headline(page).split()) <= 14, headline(page)
    said = lede(page)
    assert 1 <= len(said) <= 2 and len(" ".join(said).split()) <= 60, said
    bullets = watch(page)
    assert len(bullets) <= 3 and len(" ".join(bullets).split()) <= 80, bullets
    assert [f for f, n in prose.figures.items() if n > 1] == []
    assert prose.untraced == []
    assert [s for s, n in prose.skeletons.items() if n > 2] == []
    assert prose.count("according to") <= 3
    for word in ("snapshot", "in records since", "in data going back", "because", "driven by"):
        assert prose.count(word) == 0, word
    return prose


def test_the_demo_note_keeps_its_shape_and_budget(
    page: str, record_property: Callable[[str, object], None]
) -> None:
    prose = check_budget(page)
    record_property("prose_words", prose.words)
    print(f"\ndemo prose: {prose.words} words, {sum(prose.figures.values())} figures")


def test_the_checks_catch_a_repeated_figure_and_an_untraced_one() -> None:
    span = '<span data-fact="BTC:price.last" title="t">$1,000</span>'
    twice = Prose(f'<p class="lede">Up to {span}, then {span}. Also 12% more.</p>')
    assert twice.figures[("BTC:price.last", "$1,000")] == 2 and twice.untraced == ["12%"]
    same = Prose("<p>Bitcoin rose 1%. Ether rose 2%. Bitcoin rose 3%.</p>")
    assert same.skeletons["X rose N."] == 3
