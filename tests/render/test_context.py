"""NoteContext is documented, and it is all the templates read."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields

import pytest
from jinja2 import meta, nodes

from render.context import NoteContext, documented_fields
from render.environment import TEMPLATES_DIR, make_environment
from tests.render.make import LAST, context


def test_every_field_has_help() -> None:
    for f in fields(NoteContext):
        assert f.metadata.get("help"), f"NoteContext.{f.name} lacks metadata['help']"
    assert set(documented_fields()) == {f.name for f in fields(NoteContext)}


def test_context_is_frozen() -> None:
    ctx = context([LAST])
    with pytest.raises(FrozenInstanceError):
        ctx.demo = False  # type: ignore[misc]


def test_templates_read_only_context_fields() -> None:
    """Each free variable of every template is a context field, and every field is used."""
    env = make_environment()
    used: set[str] = set()
    for path in TEMPLATES_DIR.rglob("*.html"):
        tree = env.parse(path.read_text())
        # jinja2.meta does not see top-level imports from inside blocks; they are not context.
        imported = {
            name if isinstance(name, str) else name[-1]
            for node in tree.find_all(nodes.FromImport)
            for name in node.names
        }
        used |= meta.find_undeclared_variables(tree) - imported
    names = set(documented_fields())
    assert used - names == set(), f"templates read undocumented variables: {used - names}"
    assert names - used == set(), f"context fields no template reads: {names - used}"


def test_variables_are_the_fields() -> None:
    ctx = context([LAST])
    assert ctx.variables().keys() == documented_fields().keys()
    assert ctx.variables()["facts"]["BTC:price.last"] is LAST
