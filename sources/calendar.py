"""The FOMC meeting calendar shipped in ``data/fomc_meetings.csv``, read and validated once.

The file has one row per scheduled meeting: ``date`` is the decision day (the meeting's last
day, ``YYYY-MM-DD``) and ``sep`` is ``true`` when the meeting publishes a Summary of Economic
Projections (March, June, September, December). To extend it, copy the dates of the next year
from https://www.federalreserve.gov/monetarypolicy/fomccalendars.htm (an asterisk there marks
an SEP meeting), append the rows in date order and run ``pytest tests/sources``.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from errors import InputError
from models import FomcCalendar, FomcMeeting

FOMC_CALENDAR = Path(__file__).resolve().parents[1] / "data" / "fomc_meetings.csv"
"""The calendar bundled with the repository."""

_FLAGS = {"true": True, "false": False}


def _fail(file: str, message: str, row: int | None = None) -> InputError:
    where = f"{file}, row {row}" if row is not None else file
    return InputError(f"{where}: {message}")


def load_fomc(path: Path = FOMC_CALENDAR) -> FomcCalendar:
    """Read the calendar at ``path``; a bad file raises ``InputError`` naming file and row."""
    file = "data/fomc_meetings.csv" if path == FOMC_CALENDAR else str(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
            header = rows[0].keys() if rows else set()
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise _fail(file, f"cannot be read ({exc})") from None
    if not rows:
        raise _fail(file, "has no rows")
    missing = [c for c in ("date", "sep") if c not in header]
    if missing:
        raise _fail(file, f"missing column(s) {', '.join(missing)}")
    meetings: list[FomcMeeting] = []
    for number, row in enumerate(rows, start=1):
        meetings.append(_meeting(row, file, number))
        if len(meetings) > 1 and meetings[-1].date <= meetings[-2].date:
            raise _fail(
                file, "dates are not strictly increasing (out of order or duplicate)", number
            )
    return FomcCalendar(tuple(meetings), file=file)


def _meeting(row: dict[str, str | None], file: str, number: int) -> FomcMeeting:
    text, flag = (row.get("date") or "").strip(), (row.get("sep") or "").strip().lower()
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(file, f"date {text!r} is not a YYYY-MM-DD date", number) from None
    if len(text) != 10:
        raise _fail(file, f"date {text!r} is not a YYYY-MM-DD date", number)
    if flag not in _FLAGS:
        raise _fail(file, f"sep {flag!r} is not true or false", number)
    return FomcMeeting(date, _FLAGS[flag])
