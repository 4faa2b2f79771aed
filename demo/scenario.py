"""The demo market and its named scenarios: ``build_scenario(name, seed)``.

``demo`` is the bundled snapshot's story (``demo/snapshot``); the others (``SCENARIOS``) tell a
quiet day, a crash, a record, a squeeze that fizzled, a dollar-driven day and Ether's big day,
all as of the same moment and on the demo's history (``demo.stories``). Each is written by the
same writers (``python -m demo --scenario NAME --out DIR``). The machinery is in
``demo.generator``.
"""

from __future__ import annotations

from demo.generator import AS_OF, SEED, AssetFrames, Scenario, classify, generate
from demo.stories import STORIES

SCENARIOS: tuple[str, ...] = tuple(STORIES)
"""Every scenario's name, ``demo`` first."""


def build_scenario(name: str = "demo", seed: int = SEED) -> Scenario:
    """The frames of scenario ``name`` from ``seed``; the same pair always gives the same frames.
    ``ValueError`` names an unknown scenario."""
    story = STORIES.get(name)
    if story is None:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    return generate(story, seed)


__all__ = ["AS_OF", "SCENARIOS", "SEED", "AssetFrames", "Scenario", "build_scenario", "classify"]
