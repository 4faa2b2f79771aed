"""The exception tree. Each error carries the exit code ``generate.py`` maps it to.

MarketnotesError            exit 1: anything we raise on purpose
├── InputError              exit 2: bad arguments, settings or snapshot (nothing is written)
│   └── SnapshotError       a snapshot file breaks the format (file, row, what is wrong)
└── RenderError             exit 3: a template or the PDF engine failed (nothing is written)
"""

from __future__ import annotations


class MarketnotesError(Exception):
    """Base class; ``str(error)`` is the one line shown to the user."""

    exit_code = 1


class InputError(MarketnotesError):
    """The user's input (arguments, settings, snapshot) cannot be used."""

    exit_code = 2


class SnapshotError(InputError):
    """A snapshot file is missing, malformed or fails validation."""

    def __init__(self, file: str, message: str, row: int | None = None) -> None:
        where = f"{file}, row {row}" if row is not None else file
        super().__init__(f"{where}: {message}")
        self.file = file
        self.row = row


class RenderError(MarketnotesError):
    """Rendering the note (templates, charts, PDF) failed."""

    exit_code = 3
