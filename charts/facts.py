"""Reading the note's facts in charts: typed values, and times from their ISO strings.

Charts receive facts keyed by ``Fact.key`` (``BTC:funding.flip``, ``market:macro.dxy``), read
them with ``values.value_of`` / ``values.number_of`` (a missing fact is None, a value of the
wrong type or an unknown id raises) and draw the marks they find.
"""

from __future__ import annotations

import pandas as pd


def timestamp(text: str) -> pd.Timestamp:
    """A UTC time from an ISO date or time string (``2026-11-21T16:00:00Z``, ``2026-11-20``)."""
    ts = pd.Timestamp(text)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
