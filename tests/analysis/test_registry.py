"""The fact registry is complete: unique ids, documented, tested, and docs/facts.md is current."""

from __future__ import annotations

from pathlib import Path

from analysis import FACTS
from analysis.docs import DOC_PATH, facts_markdown
from analysis.narrative import SCORES

TESTS = Path(__file__).parent


def test_ids_are_unique_and_namespaced() -> None:
    ids = [s.id for s in FACTS]
    assert len(ids) == len(set(ids))
    namespaces = {"price", "momentum", "funding", "open_interest", "liquidations", "positioning"}
    namespaces |= {"clusters", "sentiment", "macro", "cross", "outlook"}
    assert all(i.split(".")[0] in namespaces for i in ids)


def test_every_fact_has_a_docstring_and_a_reference_test() -> None:
    tested = "".join(p.read_text() for p in TESTS.glob("test_*.py"))
    for spec in FACTS:
        assert spec.doc, spec.id
        assert f".{spec.compute.__name__}(" in tested, f"{spec.id} has no reference test"


def test_every_scored_id_is_registered() -> None:
    assert set(SCORES) <= {s.id for s in FACTS}


def test_docs_facts_md_is_generated_from_the_registry() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == facts_markdown(), (
        "docs/facts.md is stale: run `python -m analysis.docs`"
    )
