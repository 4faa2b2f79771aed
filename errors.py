"""The exception tree. Each error carries the exit code ``generate.py`` maps it to.

MarketnotesError            exit 1: anything we raise on purpose
├── InputError              exit 2: bad arguments, settings or snapshot (nothing is written)
│   └── SnapshotError       a snapshot file breaks the format (file, row, what is wrong)
├── RenderError             exit 3: a template or the PDF engine failed (nothing is written)
└── SourceError             exit 4: live data could not be gathered (one source, one dataset)
    ├── FetchTimeout        the request timed out (after retries)
    ├── RateLimited         HTTP 429 / exchange rate limit (after retries honouring Retry-After)
    ├── BadResponse         an error status, malformed JSON or an unexpected shape
    └── StaleData           the newest row is older than its limit; with --strict, a required
                            dataset being stale or missing stops the brief (nothing is written)
(MarketnotesError also has:)
DeliveryError               exit 5: email or blog delivery incomplete (the next run retries it)
└── BusyError               exit 6: another daily run held the lock longer than allowed
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


class SourceError(MarketnotesError):
    """A source could not deliver a dataset; ``str(error)`` names the source and the cause."""

    exit_code = 4


class FetchTimeout(SourceError):
    """The request did not complete within the timeout, after every retry."""


class RateLimited(SourceError):
    """The source kept answering 429 (or the exchange's rate-limit error), after every retry."""


class BadResponse(SourceError):
    """An error status, a body that is not JSON, or JSON of an unexpected shape."""


class StaleData(SourceError):
    """Data too old to publish: its newest row is older than the dataset's staleness limit."""


class DeliveryError(MarketnotesError):
    """Email or blog delivery did not finish; what was not delivered is retried next run."""

    exit_code = 5


class BusyError(DeliveryError):
    """Another daily run held the lock for longer than the wait allowed."""

    exit_code = 6
