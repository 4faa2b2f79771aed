"""Reference cases for the Fear & Greed fact."""

from __future__ import annotations

import pytest

from analysis import sentiment
from models import Dataset
from tests.analysis.points import DAY, table, times
from values import FearGreed


def fng(values: list[float], classes: list[str] | None = None) -> Dataset:
    data = table("fear_greed", {"value": values}, times("2026-01-01", len(values), DAY), asset=None)
    if classes is not None:
        data.frame["classification"] = classes
    return data


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (0, "Extreme Fear"),
        (24, "Extreme Fear"),
        (25, "Fear"),
        (44, "Fear"),
        (45, "Neutral"),
        (55, "Neutral"),
        (56, "Greed"),
        (75, "Greed"),
        (76, "Extreme Greed"),
        (100, "Extreme Greed"),
    ],
)
def test_standard_bands(value: float, name: str) -> None:
    assert sentiment.classify(value) == name


def test_fear_greed_with_changes_over_a_day_and_a_week() -> None:
    values = [45.0, 40, 42, 50, 52, 55, 61, 72]
    r = sentiment.fear_greed(fng(values, ["Neutral"] * 7 + ["Greed (file)"]))
    assert r is not None and r.unit == "index"
    assert r.value == FearGreed(
        value=72.0,
        classification="Greed (file)",  # the file's own class wins
        change_1d=11.0,
        change_7d=27.0,
    )
    assert r.evidence == {
        "date": "2026-01-08",
        "classification_source": "file",
        "value_1d_ago": 61.0,
        "classification_1d_ago": "Neutral",
        "value_7d_ago": 45.0,
        "classification_7d_ago": "Neutral",
    }


def test_fear_greed_falls_back_to_the_standard_bands_and_null_changes() -> None:
    r = sentiment.fear_greed(fng([20.0, 80.0]))
    assert r is not None
    assert r.value == FearGreed(80.0, "Extreme Greed", change_1d=60.0, change_7d=None)
    assert r.evidence["classification_source"] == "bands"
    assert r.evidence["classification_1d_ago"] == "Extreme Fear"


def test_an_empty_class_cell_falls_back_to_the_bands() -> None:
    r = sentiment.fear_greed(fng([50.0, 30.0], ["Neutral", ""]))
    assert r is not None and r.value.classification == "Fear"


def test_a_missing_day_gives_no_1d_change() -> None:
    data = table("fear_greed", {"value": [50.0, 60.0]}, ["2026-01-01", "2026-01-03"], asset=None)
    r = sentiment.fear_greed(data)
    assert r is not None and r.value.change_1d is None
