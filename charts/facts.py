"""Reading the note's facts in charts: every fact is optional and its value a JSON value.

Charts receive facts keyed by ``Fact.key`` (``BTC:funding.flip``, ``market:macro.dxy``) and
draw the marks they find; a missing fact or a malformed field is read as None, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from models import Fact


def number_of(value: object) -> float | None:
    """A JSON number as a float; None for anything else (bools included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def number(fact: Fact | None) -> float | None:
    """The fact's value when it is a number."""
    return None if fact is None else number_of(fact.value)


def fields(fact: Fact | None) -> Mapping[str, object]:
    """The fact's value when it is an object, else an empty mapping."""
    return fact.value if fact is not None and isinstance(fact.value, dict) else {}


def timestamp(value: object) -> pd.Timestamp | None:
    """A UTC time from an ISO date or time string (``2026-11-21T16:00:00Z``, ``2026-11-20``)."""
    if not isinstance(value, str):
        return None
    try:
        ts = pd.Timestamp(value)
    except ValueError:
        return None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
