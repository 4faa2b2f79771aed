"""The FOMC calendar: the shipped file is valid and complete; a bad file fails on one line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from errors import InputError
from sources.calendar import FOMC_CALENDAR, load_fomc

HEADER = "date,sep\n"


def test_the_shipped_calendar_holds_2025_to_2027() -> None:
    calendar = load_fomc()
    dates = [m.date for m in calendar.meetings]
    assert len(dates) == 24 and dates == sorted(dates)
    assert {d.year for d in dates} == {2025, 2026, 2027}
    assert [d for d in dates if d.year == 2026] == [
        dt.date(2026, m, d)
        for m, d in ((1, 28), (3, 18), (4, 29), (6, 17), (7, 29), (9, 16), (10, 28), (12, 9))
    ]
    # Meetings with a Summary of Economic Projections: March, June, September, December.
    assert all(m.sep == (m.date.month in (3, 6, 9, 12)) for m in calendar.meetings)
    assert calendar.source == "Federal Reserve" and calendar.file == "data/fomc_meetings.csv"
    assert FOMC_CALENDAR.is_file()


def test_as_dataset_cites_the_federal_reserve() -> None:
    data = load_fomc().as_dataset()
    assert data.source == "Federal Reserve" and len(data.frame) == 24
    assert str(pd.DatetimeIndex(data.frame.index).tz) == "UTC"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "has no rows"),
        (HEADER, "has no rows"),
        ("day,sep\n2026-01-28,false\n", "missing column(s) date"),
        (
            HEADER + "2026-01-28,false\n2026-02-30,true\n",
            "row 2: date '2026-02-30' is not a YYYY-MM-DD date",
        ),
        (HEADER + "20260128,false\n", "row 1: date '20260128' is not a YYYY-MM-DD date"),
        (HEADER + "2026-01-28,yes\n", "row 1: sep 'yes' is not true or false"),
        (
            HEADER + "2026-03-18,true\n2026-01-28,false\n",
            "row 2: dates are not strictly increasing",
        ),
    ],
)
def test_a_bad_calendar_fails_with_file_row_and_reason(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "fomc.csv"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_fomc(path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.exit_code == 2


def test_flags_are_case_insensitive(tmp_path: Path) -> None:
    path = tmp_path / "fomc.csv"
    path.write_text(HEADER + "2026-01-28,FALSE\n2026-03-18,True\n")
    assert [m.sep for m in load_fomc(path).meetings] == [False, True]


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot be read"):
        load_fomc(tmp_path / "absent.csv")
