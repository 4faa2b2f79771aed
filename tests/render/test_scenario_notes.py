"""The note on every seeded scenario (quiet day, crash, record, fizzled squeeze, dollar day,
Ether's big day, and the demo): its text against a golden brief.txt, and the shape and budget
properties of every note (words, headline, lede, What to watch, each figure once and traced,
no sentence skeleton more than twice, two A4 pages before the appendix).

``pytest --update-golden`` rewrites ``tests/golden/scenarios/<name>.txt`` after a wanted
change; read the diff as a reader would before committing it. ``-s`` prints each note's
figures (words, pages, charts, figures), which the closing notes report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from demo.scenario import SCENARIOS, build_scenario
from demo.snapshot import write_snapshot
from pipeline import BriefRequest, write_brief
from settings import Settings
from tests.render.prose import Prose
from tests.render.test_budget import check_budget

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "scenarios"


@dataclass(frozen=True)
class Note:
    """One scenario's brief: its page, text and PDF page texts."""

    html: str
    text: str
    pages: list[str]
    charts: int


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Note]:
    root = tmp_path_factory.mktemp("scenario-notes")
    out: dict[str, Note] = {}
    for name in SCENARIOS:
        write_snapshot(build_scenario(name), root / name)
        request = BriefRequest.from_settings(
            Settings(),
            snapshot=root / name,
            out=root / f"{name}-out",
            formats=("html", "pdf", "txt"),
        )
        folder = write_brief(request).folder
        html = (folder / "brief.html").read_text()
        pages = [" ".join(p.extract_text().split()) for p in PdfReader(folder / "brief.pdf").pages]
        shown = html.split('<section class="appendix"')[0].count("<figure")
        out[name] = Note(html, (folder / "brief.txt").read_text(), pages, shown)
    return out


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_note_reads_as_its_golden_text(
    notes: dict[str, Note], name: str, update_golden: bool
) -> None:
    golden = GOLDEN / f"{name}.txt"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(notes[name].text)
    assert notes[name].text == golden.read_text(), "rerun with --update-golden if intended"


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_note_keeps_its_shape_and_budget(
    notes: dict[str, Note], name: str, record_property: Callable[[str, object], None]
) -> None:
    note = notes[name]
    prose = check_budget(note.html)
    appendix = next(i for i, p in enumerate(note.pages) if "Appendix: every figure computed" in p)
    assert appendix <= 2, f"{appendix} pages before the appendix"
    assert len(note.pages[appendix - 1]) >= 500, "a near-empty last page before the appendix"
    assert 1 <= note.charts <= 3
    figures = sum(prose.figures.values())
    record_property(f"{name}_words", prose.words)
    print(
        f"\n{name}: {prose.words} words, {appendix} pages, {note.charts} charts, {figures} figures"
    )


def test_each_scenario_leads_with_its_story(notes: dict[str, Note]) -> None:
    """The first sentence of each note says the story the scenario was made to tell."""
    lede = {name: n.text.split("\n")[4] for name, n in notes.items()}
    first = {name: re.split(r"(?<=\.) ", text)[0] for name, text in lede.items()}
    assert first["crash"].startswith("Bitcoin fell 13.1% and Ether 16.6% in 24 hours")
    assert first["record"].startswith("Bitcoin set a record high of $121,748")
    assert first["eth_big_day"].startswith("Ether rose 17.9% in 24 hours")
    assert first["dollar_day"].startswith("The Dollar Index")
    assert "fell" not in first["record"]
    for name in ("crash", "eth_big_day"):
        assert "liquidated" not in first[name] and "liquidated" in lede[name]
    assert "Bitcoin rose 2.6% over 24 hours" in first["eth_big_day"]
    assert "fizzled" in lede["fizzled_squeeze"]


def test_a_prose_figure_is_said_once_across_every_scenario(notes: dict[str, Note]) -> None:
    for name, note in notes.items():
        repeated = [f for f, n in Prose.of(note.html).figures.items() if n > 1]
        assert repeated == [], name
