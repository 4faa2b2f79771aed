"""How ``context.base_rate`` is said: history with its count and span, never a forecast."""

from __future__ import annotations

import pytest

from tests.analysis.test_context import PHRASINGS
from tests.render.test_fact_partials import say


@pytest.mark.parametrize(
    ("name", "macro", "text"),
    [
        (
            "context.base_rate/flip-negative",
            "sentence",
            "In the 11 earlier cases since October 2019 of funding flipping negative, Bitcoin "
            "was higher a week later in 8 of 11 (median +4.2%, middle half \u22121.1% to +7.9%).",
        ),
        (
            "context.base_rate/record-after-gap",
            "sentence",
            "In the 11 earlier cases since October 2019 of a new all-time high after 30 days or "
            "more without one, Bitcoin was higher a week later in 8 of 11 (median +4.2%, middle "
            "half \u22121.1% to +7.9%).",
        ),
        (
            "context.base_rate/first-close-above",
            "sentence",
            "In the 11 earlier cases since October 2019 of a first daily close above a multiple "
            "of $5,000 after 14 days or more, Bitcoin was higher a week later in 8 of 11 "
            "(median +4.2%, middle half \u22121.1% to +7.9%).",
        ),
        (
            "context.base_rate/first-close-below-cents",
            "takeaway",
            "After a first daily close below a multiple of $0.50 after 14 days or more, XRP was "
            "higher a week later in 8 of 11 earlier cases since October 2019.",
        ),
        (
            "context.base_rate/short-squeeze",
            "sentence",
            "In the 11 earlier cases since October 2019 of a short squeeze (the price up 2% or "
            "more in 24 hours, shorts 70% or more of liquidations running at 3 times their "
            "30-day median or more), Bitcoin was higher a week later in 8 of 11 (median +4.2%, "
            "middle half \u22121.1% to +7.9%).",
        ),
        (
            "context.base_rate/long-squeeze",
            "takeaway",
            "After a long squeeze (the price down 2% or more in 24 hours, longs 70% or more of "
            "liquidations running at 3 times their 30-day median or more), Ether was higher a "
            "week later in 8 of 11 earlier cases since October 2019.",
        ),
        (
            "context.base_rate/daily-fall",
            "takeaway",
            "After a daily fall of 5% or more, Ether was higher a week later in 8 of 11 "
            "earlier cases since October 2019.",
        ),
        (
            "context.base_rate/daily-fall",
            "headline",
            "Ether was higher a week later in 8 of 11 past cases",
        ),
    ],
)
def test_base_rate_phrasings(name: str, macro: str, text: str) -> None:
    assert say(macro, PHRASINGS[name]) == text


@pytest.mark.parametrize("name", [n for n in PHRASINGS if n.startswith("context.base_rate/")])
def test_says_history_not_a_forecast(name: str) -> None:
    for macro in ("sentence", "takeaway", "headline"):
        text = say(macro, PHRASINGS[name])
        assert " will " not in text and " expect" not in text and "likely" not in text
        assert "8 of 11" in text
        if macro != "headline":
            assert "since October 2019" in text
