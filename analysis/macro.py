"""Macro facts: the US Dollar Index (DXY) and the next FOMC meeting.

DXY rows are trading days (no weekends or holidays); a row's close is known at its date + 1 day,
so ``closes(dxy)`` indexes it by that moment and ``day(close time − 1 day)`` is its date.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.base import Reading, closes, day, pct_change, since_score, stamp
from analysis.price import crossing, level_rule
from analysis.registry import Registry, always
from models import Dataset, Fact, FomcCalendar
from settings import NarrativeSettings
from values import Dxy, DxyLevelBreak, NextFomc, as_value, fact_of

DAY = pd.Timedelta(days=1)
SESSIONS = 2
"""A DXY level break counts within this many trading days."""
KEY = "DXY"
"""The key of the Dollar Index in the ``level_major_steps``/``level_minor_steps`` settings."""

register = Registry(section="macro")


def _score_dxy(fact: Fact) -> float:
    """5 plus 10 per percent of daily change, at most 30."""
    return min(30.0, 5.0 + 10.0 * abs(as_value(fact, Dxy).change_1d_pct))


def _worth_dxy(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said on a day's move of at least ``dxy_min_move_pct`` (0.5 %), or beside a level break
    that is said."""
    level = fact_of(facts, None, "macro.dxy_level_break")
    broke = level is not None and _worth_break(level, facts, narrative)
    return abs(as_value(fact, Dxy).change_1d_pct) >= narrative.dxy_min_move_pct or broke


@register("macro.dxy", score=_score_dxy, worth=_worth_dxy, background=always)
def dxy(dxy: Dataset) -> Reading[Dxy] | None:
    """The latest DXY close (index points), its trading date and percent change on the
    previous trading day's close.
    """
    c = closes(dxy)
    if len(c) < 2:
        return None
    last, prev = float(c.iloc[-1]), float(c.iloc[-2])
    value = Dxy(last, day(stamp(c.index[-1]) - DAY), pct_change(last, prev))
    evidence = {"previous_close": prev, "previous_date": day(stamp(c.index[-2]) - DAY)}
    return Reading(value, "index", (dxy,), evidence)


def _score_break(fact: Fact) -> float:
    """50 for a level never closed beyond before, else 30 plus a point per 6 days since the
    last close beyond it, at most 50."""
    since = as_value(fact, DxyLevelBreak).previous_close_beyond
    return since_score(since, fact.as_of, never=50.0, base=30.0, most=20.0)


def _worth_break(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when the index last closed beyond the level at least ``dxy_break_unseen_days``
    (20) days earlier, or never."""
    since = as_value(fact, DxyLevelBreak).previous_close_beyond
    unseen = pd.Timedelta(days=narrative.dxy_break_unseen_days)
    return since is None or fact.as_of - pd.Timestamp(since, tz="UTC") >= unseen


@register("macro.dxy_level_break", score=_score_break, worth=_worth_break)
def dxy_level_break(
    dxy: Dataset,
    *,
    level_major_steps: dict[str, float],
    level_minor_steps: dict[str, float],
    level_min_age_days: int,
    level_minor_unseen_days: int,
) -> Reading[DxyLevelBreak] | None:
    """The most significant whole index level (98, 100...) DXY crossed within the last two
    trading days and is still beyond, with ``previous_close_beyond``: the trading date of the
    last close beyond it before the run of closes now beyond it (null: never in the data).

    ``price.level_break``'s rule on daily closes, with the window counted in trading days (the
    close two rows before the last) since DXY has no weekend rows, and the steps of the
    ``DXY`` key of ``level_major_steps``/``level_minor_steps`` (1 point, no minor levels).
    Evidence ``closes_beyond``: the closes in that run (1, or 2 when the first was the day
    before).
    """
    c = closes(dxy)
    if len(c) <= SESSIONS:
        return None
    rule = level_rule(
        KEY,
        float(c.iloc[-1]),
        major_steps=level_major_steps,
        minor_steps=level_minor_steps,
        min_age_days=level_min_age_days,
        minor_unseen_days=level_minor_unseen_days,
    )
    window = stamp(c.index[-1]) - stamp(c.index[-1 - SESSIONS])
    found = crossing(c, c, window=window, rule=rule)
    if found is None:
        return None
    value = DxyLevelBreak(found.level, found.direction, found.previous_close_beyond)
    evidence = found.evidence | {"date": day(stamp(c.index[-1]) - DAY)}
    return Reading(value, "level", (dxy,), evidence)


def _score_fomc(fact: Fact) -> float:
    """40 within two days, 25 within a week, else 5."""
    days = as_value(fact, NextFomc).days_until
    return 40.0 if days <= 2 else 25.0 if days <= 7 else 5.0


def _worth_fomc(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when the meeting is at most ``fomc_max_days`` (7) days away."""
    return as_value(fact, NextFomc).days_until <= narrative.fomc_max_days


def _background_fomc(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Said when the meeting is at most ``fomc_background_max_days`` (21) days away."""
    return as_value(fact, NextFomc).days_until <= narrative.fomc_background_max_days


@register("macro.next_fomc", score=_score_fomc, worth=_worth_fomc, background=_background_fomc)
def next_fomc(fomc: FomcCalendar, as_of: pd.Timestamp) -> Reading[NextFomc] | None:
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
    value = NextFomc(meeting.date.isoformat(), (meeting.date - today).days, meeting.sep)
    past = [m for m in fomc.meetings if m.date < today]
    evidence: dict[str, str | None] = {"previous": past[-1].date.isoformat() if past else None}
    evidence |= {"calendar_ends": fomc.meetings[-1].date.isoformat()}
    return Reading(value, "date", (fomc.as_dataset(),), evidence)
