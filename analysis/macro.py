"""Macro facts: the US Dollar Index (DXY) and the next FOMC meeting.

DXY rows are trading days (no weekends or holidays); a row's close is known at its date + 1 day,
so ``closes(dxy)`` indexes it by that moment and ``day(close time − 1 day)`` is its date.
"""

from __future__ import annotations

import pandas as pd

from analysis.base import Reading, closes, day, pct_change, stamp
from analysis.price import level_break
from models import Dataset, FomcCalendar

DAY = pd.Timedelta(days=1)


def dxy_close(dxy: Dataset) -> Reading | None:
    """The latest DXY close (index points), its trading date and percent change on the
    previous trading day's close.
    """
    c = closes(dxy)
    if len(c) < 2:
        return None
    last, prev = float(c.iloc[-1]), float(c.iloc[-2])
    value = {"close": last, "date": day(stamp(c.index[-1]) - DAY)}
    value |= {"change_1d_pct": pct_change(last, prev)}
    evidence = {"previous_close": prev, "previous_date": day(stamp(c.index[-2]) - DAY)}
    return Reading(value, "index", (dxy,), evidence)


def dxy_level_break(dxy: Dataset, *, sessions: int = 2, step: float = 1.0) -> Reading | None:
    """The most significant whole index level (98, 100...) DXY crossed within the last two
    trading days and is still beyond, with ``previous_close_beyond``: the trading date of the
    last earlier close beyond it (null: never in the data).

    ``price.level_break``'s rule, with the window counted in trading days (the close two rows
    before the last) since DXY has no weekend rows.
    """
    c = closes(dxy)
    if len(c) <= sessions:
        return None
    window = stamp(c.index[-1]) - stamp(c.index[-1 - sessions])
    found = level_break(c, c, window=window, step=step)
    if found is None:
        return None
    value = {k: found[k] for k in ("level", "direction", "previous_close_beyond")}
    evidence = {k: v for k, v in found.items() if k not in value}
    evidence["date"] = day(stamp(c.index[-1]) - DAY)
    return Reading(value, "level", (dxy,), evidence)


def next_fomc(fomc: FomcCalendar, as_of: pd.Timestamp) -> Reading | None:
    """The next FOMC decision day on or after the as-of's UTC date: its date, the calendar days
    until it (0 on the day) and whether it brings a Summary of Economic Projections.

    Absent outside the calendar's years (it lists whole years, so before its first 1 January
    the next meeting is unknown).
    """
    today = as_of.tz_convert("UTC").date()
    ahead = [m for m in fomc.meetings if m.date >= today]
    if not ahead or today.year < fomc.meetings[0].date.year:
        return None
    meeting = ahead[0]
    value = {"date": meeting.date.isoformat(), "days_until": (meeting.date - today).days}
    value |= {"sep": meeting.sep}
    past = [m for m in fomc.meetings if m.date < today]
    evidence: dict[str, str | None] = {"previous": past[-1].date.isoformat() if past else None}
    evidence |= {"calendar_ends": fomc.meetings[-1].date.isoformat()}
    return Reading(value, "date", (fomc.as_dataset(),), evidence)
