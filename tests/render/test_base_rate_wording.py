"""How ``context.base_rate`` is said: history with its count and span, never a forecast."""

from __future__ import annotations

import pytest

from tests.analysis.test_context import PHRASINGS as ASSET
from tests.analysis.test_context_market import PHRASINGS as MARKET
from tests.render.test_fact_partials import say

PHRASINGS = ASSET | MARKET


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
            "context.market_base_rate/extreme-fear",
            "sentence",
            "In the 11 earlier cases since February 2018 of a Crypto Fear & Greed reading of 25 "
            "or below (extreme fear), Bitcoin was higher a week later in 8 of 11 (median +4.2%, "
            "middle half \u22121.1% to +7.9%).",
        ),
        (
            "context.market_base_rate/extreme-greed",
            "takeaway",
            "After a Crypto Fear & Greed reading of 75 or above (extreme greed), Bitcoin was "
            "higher a week later in 8 of 11 earlier cases since February 2018.",
        ),
        (
            "context.market_base_rate/dxy-below",
            "sentence",
            "In the 11 earlier cases since February 2018 of a first close of the US Dollar Index "
            "below a whole-number level after 14 days or more, Bitcoin was higher a week later "
            "in 8 of 11 (median +4.2%, middle half \u22121.1% to +7.9%).",
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


@pytest.mark.parametrize("name", list(PHRASINGS))
def test_says_history_not_a_forecast(name: str) -> None:
    for macro in ("sentence", "takeaway", "headline"):
        text = say(macro, PHRASINGS[name])
        assert " will " not in text and " expect" not in text and "likely" not in text
        assert "8 of 11" in text
        if macro != "headline":
            assert "since October 2019" in text or "since February 2018" in text
        if name.startswith("context.market_base_rate/"):
            assert "Bitcoin was higher" in text  # the lead asset, named
