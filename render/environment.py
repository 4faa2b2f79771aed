"""The one Jinja environment every note is rendered with.

``StrictUndefined`` makes a missing variable or fact field an error instead of a blank;
``autoescape`` escapes every value (source names included); ``trim_blocks`` and
``lstrip_blocks`` keep block tags from leaving blank lines. Templates live in the
repository's ``templates/`` folder, found from this file, not from the working directory.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined

import settings
from render.filters import FILTERS

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
"""The repository's ``templates/`` folder."""


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between runs (compiling them all costs ~0.2 s of a brief).

    Keyed by each template's source checksum, so an edited template is never served stale.
    Under ``settings.CACHE_DIR/jinja``; None where that cannot be made.
    """
    folder = settings.CACHE_DIR / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder)) if os.access(folder, os.W_OK) else None


@lru_cache(maxsize=1)
def make_environment() -> Environment:
    """The shared environment: strict, autoescaping, with every filter of ``render.filters``.

    Cached: templates are compiled once per process (and their bytecode kept on disk between
    runs). Treat it as read-only.
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(FILTERS)
    return env
