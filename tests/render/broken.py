"""A copy of ``templates/`` with some files changed, rendered from in place of the real one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from render import environment


@contextmanager
def broken_templates(folder: Path, files: Mapping[str, str | None]) -> Iterator[Path]:
    """Copy the templates to ``folder``, write ``files`` (None: delete) and render from there."""
    shutil.copytree(environment.TEMPLATES_DIR, folder)
    for name, text in files.items():
        if text is None:
            (folder / name).unlink()
        else:
            (folder / name).write_text(text)
    real = environment.TEMPLATES_DIR
    environment.TEMPLATES_DIR = folder
    environment.make_environment.cache_clear()
    try:
        yield folder
    finally:
        environment.TEMPLATES_DIR = real
        environment.make_environment.cache_clear()
