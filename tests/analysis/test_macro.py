"""Reference cases for the DXY facts and the next FOMC meeting."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis import macro
from models import Dataset, FomcCalendar, FomcMeeting
from tests.analysis.frames import approx, at, levels
from tests.analysis.points import DAY, table
from values import Dxy, DxyLevelBreak


def dxy(closes: list[float], start: str = "2026-01-05") -> Dataset:
    """Business-day DXY closes from ``start`` (a Monday); a row is known at its date + 1 day."""
    index = pd.bdate_range(pd.Timestamp(start, tz="UTC"), periods=len(closes), name="time")
    return table("dxy", {"close": closes}, index, asset=None, interval=DAY)


def test_dxy_close_with_its_date_and_daily_change() -> None:
    r = macro.dxy(dxy([100.0, 98.0]))
    assert r is not None
    assert r.value == Dxy(close=98.0, date="2026-01-06", change_1d_pct=approx(-2.0))
    assert r.evidence == {"previous_close": 100.0, "previous_date": "2026-01-05"}
    assert macro.dxy(dxy([100.0])) is None


def test_dxy_level_break_down_over_two_trading_days_across_a_weekend() -> None:
    # 2026-01-05 (Mon) 97.5, then above 98 for weeks; Thu 98.3, Fri 98.1, Mon 97.8: the
    # reference is Thursday's close, two trading days (four calendar days) back.
    closes = [97.5] + [98.6] * 22 + [98.3, 98.1, 97.8]
    r = macro.dxy_level_break(dxy(closes), **levels())
    assert r is not None and r.unit == "level"
    assert r.value == DxyLevelBreak(98.0, "down", previous_close_beyond="2026-01-05")
    assert r.evidence["date"] == "2026-02-09"  # a Monday
    assert r.evidence["reference_close"] == 98.3
    assert r.evidence["closes_beyond"] == 1


def test_dxy_level_break_never_before_gives_null_and_up_works() -> None:
    r = macro.dxy_level_break(dxy([99.0] * 10 + [99.6, 100.2]), **levels())
    assert r is not None
    assert r.value == DxyLevelBreak(100.0, "up", previous_close_beyond=None)


def test_dxy_level_break_with_two_closes_beyond_dates_the_close_before_them() -> None:
    # Below 98 on 5 January, then above; Thursday 98.3, then Friday 97.9 and Monday 97.8: two
    # closes below 98, the first since 5 January (not since Friday, the run's first close).
    closes = [97.5] + [98.6] * 22 + [98.3, 97.9, 97.8]
    r = macro.dxy_level_break(dxy(closes), **levels())
    assert r is not None
    assert r.value == DxyLevelBreak(98.0, "down", previous_close_beyond="2026-01-05")
    assert r.evidence["closes_beyond"] == 2


@pytest.mark.parametrize(("sessions_above", "fires"), [(8, False), (12, True)])
def test_dxy_level_break_minimum_age(sessions_above: int, fires: bool) -> None:
    # Below 98, then ``sessions_above`` closes above it, then back below: 8 sessions (10
    # calendar days) is too recent to say "first time since"; 12 sessions (16 days) is not.
    closes = [97.5] * 10 + [98.4] * sessions_above + [97.6]
    r = macro.dxy_level_break(dxy(closes), **levels())
    assert (r is not None) == fires


def test_dxy_levels_are_whole_points_without_minor_steps() -> None:
    # 98.5 is crossed too, but the DXY has 1-point steps and no minor ones.
    r = macro.dxy_level_break(dxy([99.0] * 30 + [98.9, 98.7, 98.4]), **levels())
    assert r is None
    r = macro.dxy_level_break(
        dxy([99.0] * 30 + [98.9, 98.7, 98.4]), **levels(level_minor_steps={"DXY": 0.5})
    )
    assert r is not None and r.value.level == 98.5


def test_dxy_level_break_needs_the_cross_within_two_trading_days() -> None:
    # The cross came three sessions ago: the reference close is already below 98.
    assert macro.dxy_level_break(dxy([98.6] * 10 + [98.4, 97.9, 97.85, 97.8]), **levels()) is None
    assert macro.dxy_level_break(dxy([98.6, 97.9]), **levels()) is None  # too short


CALENDAR = FomcCalendar(
    (
        FomcMeeting(dt.date(2026, 10, 28), False),
        FomcMeeting(dt.date(2026, 12, 9), True),
        FomcMeeting(dt.date(2027, 1, 27), False),
    )
)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2026-11-23 08:00", {"date": "2026-12-09", "days_until": 16, "sep": True}),
        ("2026-12-09 08:00", {"date": "2026-12-09", "days_until": 0, "sep": True}),  # the day
        ("2026-12-10 00:00", {"date": "2027-01-27", "days_until": 48, "sep": False}),  # after
        ("2027-01-28 00:00", None),  # beyond the calendar
        ("2025-08-05 00:00", None),  # before the calendar's first year: 2025 meetings unknown
    ],
)
def test_next_fomc(as_of: str, expected: dict[str, object] | None) -> None:
    r = macro.next_fomc(CALENDAR, at(as_of))
    if expected is None:
        assert r is None
        return
    assert r is not None and r.value == expected
    assert r.used[0].source == "Federal Reserve"
    assert r.evidence["calendar_ends"] == "2027-01-27"
