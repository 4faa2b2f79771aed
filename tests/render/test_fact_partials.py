"""Every fact id has its partial, and each partial phrases every branch of its value."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import nodes
from markupsafe import Markup

from analysis import FACTS
from models import Fact
from render.environment import TEMPLATES_DIR, make_environment
from render.filters import asset_name
from tests.render.make import phrasings

MACROS = ("sentence", "takeaway", "headline")

ALL = phrasings()
"""Every phrasing case (tests/render/make.py and the tests/analysis modules' PHRASINGS)."""


def say(macro: str, f: Fact) -> str:
    """The plain text of one dispatching macro of ``_facts.html`` for ``f``."""
    module = make_environment().get_template("_facts.html").module
    return Markup(getattr(module, macro)(f)).striptags()


@pytest.mark.parametrize("spec", FACTS, ids=lambda s: s.id)
def test_every_fact_has_a_partial_with_its_macros(spec: object) -> None:
    fact_id = spec.id  # type: ignore[attr-defined]
    assert (TEMPLATES_DIR / "facts" / f"{fact_id}.html").is_file()
    module = make_environment().get_template(f"facts/{fact_id}.html").module
    for name in MACROS:
        macro = getattr(module, name, None)
        assert macro is not None, f"facts/{fact_id}.html lacks macro {name}(f)"
        assert macro.arguments == ("f",)
    for name in ("sentence_cited", "clause"):
        optional = getattr(module, name, None)
        assert optional is None or optional.arguments == ("f",), f"{name} takes f"
    label = getattr(module, "label", None)
    assert label is not None and label.arguments == (), f"facts/{fact_id}.html lacks label()"


def test_every_fact_id_has_branch_cases() -> None:
    covered = {name.split("/")[0] for name in ALL}
    assert covered == {spec.id for spec in FACTS}


def test_no_partial_without_a_fact() -> None:
    partials = {p.name.removesuffix(".html") for p in (TEMPLATES_DIR / "facts").glob("*.html")}
    assert partials == {spec.id for spec in FACTS}


@pytest.mark.parametrize("name", list(ALL))
def test_every_branch_reads_cleanly(name: str) -> None:
    f = ALL[name]
    for macro in (*MACROS, "sentence_cited"):
        text = say(macro, f)
        assert text, f"{macro} is empty"
        assert text == " ".join(text.split()), f"stray whitespace: {text!r}"
        assert not re.search(r"\s[.,;:)]|\(\s", text), f"space before punctuation: {text!r}"
        assert "None" not in text and "nan" not in text.lower().split()
        if macro == "headline":
            assert not text.endswith("."), text
        else:
            assert text.endswith("."), text
            assert text[0].isupper(), text


CLAUSED: tuple[str, ...] = ("price.new_ath", "price.level_break", "price.change_24h_pct")
CLAUSED += ("price.change_24h_rank",)
CLAUSED += ("liquidations.squeeze", "funding.flip", "macro.dxy_level_break")
CLAUSED += ("sentiment.fear_greed", "cross.relative_24h", "cross.relative_7d")
"""The facts whose partial defines clause(f), for composing the note's lede."""
NAMES = {asset_name(c) for c in ("BTC", "ETH", "SOL", "XRP", "NEW")}
"""The names a clause may start with (capitalised); any other first word is lower case."""


def test_the_partials_with_a_clause() -> None:
    env = make_environment()
    found = {
        s.id for s in FACTS if hasattr(env.get_template(f"facts/{s.id}.html").module, "clause")
    }
    assert found == set(CLAUSED)


@pytest.mark.parametrize("name", [n for n in ALL if n.split("/")[0] in CLAUSED])
def test_every_clause_is_short_without_a_stop_or_a_capital(name: str) -> None:
    text = say("clause", ALL[name])
    assert text == " ".join(text.split()), f"stray whitespace: {text!r}"
    assert not re.search(r"\s[.,;:)]|\(\s", text), f"space before punctuation: {text!r}"
    assert "None" not in text and "nan" not in text.lower().split()
    assert not text.endswith((".", ";", ",", ":")), text
    assert len(text.split()) <= 16, f"{len(text.split())} words: {text}"
    first = text.split()[0].removesuffix("'s")
    assert not first[0].isupper() or first in NAMES, f"capital not a name: {text}"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("price.new_ath/previous", "Bitcoin set a record high of $123,890"),
        (
            "price.level_break/up-since",
            "Ether is trading above $4,000, with no daily close above it since February 2026",
        ),
        (
            "price.level_break/up-first",
            "Bitcoin closed above $120,000 for the first time since at least August 2017",
        ),
        (
            "price.level_break/down-since-two-closes",
            "Ether has closed below $2,200 two days running, the first since December 2023",
        ),
        ("price.change_24h_pct/down", "XRP fell 1.2% over 24 hours to $4.08"),
        (
            "liquidations.squeeze/short",
            "$407M of Bitcoin shorts were liquidated in 24 hours, 94% of the total",
        ),
        (
            "funding.flip/positive",
            "Bitcoin funding flipped positive on 21 November after nine negative settlements",
        ),
        (
            "funding.flip/negative-latest",
            "Bitcoin funding flipped negative at the latest settlement after at least nine "
            "positive settlements",
        ),
        (
            "macro.dxy_level_break/down-since",
            "the Dollar Index closed below 98 for the first time since 2 October",
        ),
        (
            "macro.dxy_level_break/down-since-two-closes",
            "the Dollar Index has closed below 98 two sessions running, the first since 2 October",
        ),
        (
            "sentiment.fear_greed/up-from-neutral",
            "the Fear & Greed index read 72 (Greed), up 27 points in a week",
        ),
        ("sentiment.fear_greed/no-changes", "the Fear & Greed index read 50 (Neutral)"),
        ("cross.relative_24h/eth-leads", "Ether led over 24 hours, 2.1 pp ahead of Bitcoin"),
        ("cross.relative_24h/two-lead-together", "no asset clearly led over 24 hours"),
    ],
)
def test_key_clauses(name: str, text: str) -> None:
    assert say("clause", ALL[name]) == text


@pytest.mark.parametrize(
    ("name", "macro", "text"),
    [
        (
            "price.level_break/up-first",
            "sentence",
            "Bitcoin closed above $120,000 for the first time since at least August 2017, "
            "according to Binance spot data. It has held above the level at every hourly close "
            "since 20:00 UTC on 22 November.",
        ),
        (  # no daily close beyond the level yet: it says so, and no "first time since"
            "price.level_break/up-since",
            "sentence",
            "Ether is trading above $4,000, a level it has not closed above since 10 February "
            "2026, according to Binance spot data. It has held above the level at every hourly "
            "close since 20:00 UTC on 22 November.",
        ),
        (
            "price.level_break/up-since",
            "headline",
            "Ether trades above $4,000, no daily close above it since February 2026",
        ),
        (
            "price.level_break/down-since",
            "takeaway",
            "Bitcoin is trading below $100,000, a level it has not closed below since May 2025.",
        ),
        (
            "price.level_break/up-since-this-month",
            "sentence",
            "Bitcoin closed above $100,000 for the first time since 3 November, according to "
            "Binance spot data (its last daily close above the level was on 3 November 2026). It "
            "has held above the level at every hourly close since 20:00 UTC on 22 November.",
        ),
        (
            "price.level_break/up-since-this-month",
            "takeaway",
            "Bitcoin closed back above $100,000 for the first time since 3 November.",
        ),
        (
            "price.level_break/up-since-this-month",
            "headline",
            "Bitcoin closes above $100,000 for the first time since 3 November",
        ),
        (  # two closes beyond: the latest is not the first time, the run is
            "price.level_break/down-since-two-closes",
            "sentence",
            "Ether has closed below $2,200 on two days in a row, the first closes below it since "
            "December 2023, according to Binance spot data (the last one before them was on 19 "
            "December 2023). It has stayed below the level at every hourly close since 20:00 UTC "
            "on 22 November.",
        ),
        (
            "price.level_break/down-since-two-closes",
            "headline",
            "Ether holds below $2,200 for a second daily close, the first since December 2023",
        ),
        (
            "price.level_break/up-first-two-closes",
            "takeaway",
            "Bitcoin has closed above $80,000 on two days in a row, a first since at least "
            "August 2017.",
        ),
        (
            "price.level_break/up-first-trading",
            "takeaway",
            "Bitcoin is trading above $125,000, a level it has not closed a day above since "
            "at least August 2017.",
        ),
        (  # daily candles only: no hourly-close sentence
            "price.level_break/down-first",
            "sentence",
            "NEW closed below $0.50 for the first time since at least August 2017, "
            "according to Binance spot data.",
        ),
        (
            "price.level_break/down-first",
            "headline",
            "NEW closes below $0.50 for the first time",
        ),
        (
            "price.last/one",
            "sentence",
            "Bitcoin was changing hands at $123,457 as of 08:00 UTC on 23 November, according "
            "to Binance spot data.",
        ),
        (
            "price.change_24h_pct/up",
            "sentence",
            "Over the past 24 hours the price has risen 2.3% from $120,627.",
        ),
        ("price.change_24h_pct/down", "takeaway", "XRP is down 1.2% over 24 hours at $4.08."),
        ("price.change_24h_pct/flat", "headline", "Bitcoin steady at $100.00 over 24 hours"),
        (
            "price.new_ath/previous",
            "takeaway",
            "Bitcoin set a record high of $123,890 on 23 November, above the previous record of "
            "$119,500 set on 6 October 2026.",
        ),
        ("price.new_ath/previous", "headline", "Bitcoin sets record high at $123,890"),
        (
            "price.new_ath/first",
            "takeaway",
            "NEW set a record high of $1.50 on 23 November, the highest price in its recorded "
            "history.",
        ),
        (
            "price.ath/hourly",
            "sentence",
            "The all-time high in Binance spot data since August 2017 is $123,890, set in the "
            "05:00 UTC hour of 23 November 2026.",
        ),
        (
            "price.ath/daily",
            "takeaway",
            "Ether's all-time high stands at $4,868, set on 10 November 2021.",
        ),
        ("price.pct_below_ath/at", "takeaway", "Bitcoin trades at its all-time high of $123,890."),
        (  # the move began today: no "every daily close since"
            "price.prior_range/up-today",
            "sentence",
            "Bitcoin's rally began today with a break above the $93,578\u2013$99,000 range of the "
            "prior week (16\u201322 November 2026); no daily close has confirmed it yet.",
        ),
        (
            "price.prior_range/up-today",
            "takeaway",
            "Bitcoin broke out of a week-long $93,578\u2013$99,000 range today.",
        ),
        (
            "price.prior_range/down-one-close",
            "sentence",
            "Ether's decline began on 22 November with a break below the $2,373\u2013$2,636 range "
            "of the prior week (15\u201321 November 2026); that day's close stayed below it.",
        ),
        (
            "price.prior_range/down",
            "sentence",
            "Ether's decline began on 4 November with a break below the $2,373\u2013$2,636 range "
            "of the prior week (28 October \u2013 3 November 2026); every daily close since has "
            "stayed below it.",
        ),
        (
            "price.weekly_gain_rank/largest",
            "sentence",
            "Bitcoin's seven-day gain of 18.9% is the largest of the past 365 days.",
        ),
        (
            "price.weekly_gain_rank/ranked",
            "sentence",
            "Bitcoin's seven-day gain of 9.3% ranks as the second-largest of the past 365 days; "
            "the most recent larger one was 10.4% in the week to 11 May 2026.",
        ),
        (
            "momentum.rsi_14/neutral",
            "sentence",
            "Bitcoin's 14-day RSI stood at 55.0 at the 22 November daily close, in neutral "
            "territory, neither overbought nor oversold.",
        ),
        ("momentum.rsi_14/oversold", "headline", "Bitcoin RSI oversold at 24.0"),
        (
            "momentum.macd/bearish-today",
            "sentence",
            "Ether's daily MACD (12, 26, 9) crossed below its signal line on 22 November, a "
            "bearish crossover.",
        ),
        (
            "momentum.macd/bearish-yesterday",
            "takeaway",
            "Ether's daily MACD crossed below its signal line on 21 November.",
        ),
        (
            "momentum.macd/bullish-days",
            "headline",
            "Bitcoin's daily MACD turned bullish on 8 November",
        ),
        (
            "momentum.macd/bullish-always",
            "sentence",
            "Bitcoin's daily MACD (12, 26, 9) has stayed above its signal line throughout the "
            "available history.",
        ),
        ("momentum.macd/bullish-always", "takeaway", "Bitcoin's daily MACD is bullish."),
        (
            "momentum.divergence/bearish",
            "sentence",
            "Ether shows a bearish RSI divergence: its daily close of $4,080 on 21 November "
            "topped the $3,950 of 2 November, but the 14-day RSI made a lower high (65.2 against "
            "72.1), a sign that upside momentum is fading.",
        ),
        ("momentum.divergence/bullish", "headline", "Bitcoin flashes bullish RSI divergence"),
    ],
)
def test_key_phrasings(name: str, macro: str, text: str) -> None:
    assert say(macro, ALL[name]) == text


@pytest.mark.parametrize(
    ("name", "macro", "text"),
    [
        (
            "open_interest.usd/one",
            "sentence_cited",
            "Open interest in Bitcoin perpetual futures on Binance stood at $34.7B at 07:00 UTC.",
        ),
        (
            "open_interest.usd/two-venues",
            "sentence",
            "Open interest in Bitcoin perpetual futures across Binance and OKX stood at $12.0B "
            "at 07:00 UTC, according to CoinGlass data.",
        ),
        (  # the data names no venue: none is claimed
            "open_interest.usd/all-venues-unsaid",
            "takeaway",
            "Ether open interest stands at $87.7B.",
        ),
        (
            "open_interest.change_24h_pct/down",
            "sentence",
            "That is down 0.8% from $35.0B 24 hours earlier.",
        ),
        (  # a reference row older than 24 hours: its time is said
            "open_interest.change_24h_pct/up",
            "sentence",
            "That is up 6.2% from $16.0B at 06:00 UTC on 22 November.",
        ),
        (
            "funding.rate/positive",
            "sentence_cited",
            "Bitcoin's perpetual funding rate on Binance settled at +0.0100% per 8-hour interval "
            "at 08:00 UTC, or +11.0% annualised, according to Binance USD\u24c8-M futures data.",
        ),
        (
            "funding.rate/negative-4h",
            "sentence",
            "Ether's perpetual funding rate settled at \u22120.0125% per 4-hour interval at 08:00 "
            "UTC, or \u221227.4% annualised, according to Binance USD\u24c8-M futures data.",
        ),
        (
            "funding.flip/positive",
            "sentence",
            "Funding flipped positive at the 16:00 UTC settlement on 21 November, ending a run "
            "of nine negative settlements since 18 November that averaged \u22120.0120%, and has "
            "stayed positive for six settlements in a row.",
        ),
        (
            "funding.flip/negative-latest",
            "sentence",
            "Funding flipped negative at the latest settlement, 08:00 UTC on 23 November, ending "
            "a run of at least nine positive settlements that averaged +0.0096%.",
        ),
        (
            "funding.flip/positive",
            "takeaway",
            "Bitcoin funding flipped positive on 21 November after nine negative settlements and "
            "now stands at +0.0100%.",
        ),
        ("funding.flip/positive", "headline", "Bitcoin funding flips positive"),
        (
            "liquidations.total_24h_usd/some",
            "sentence",
            "Over the past 24 hours, $431M of Bitcoin positions were liquidated across Binance, "
            "OKX and Bybit, according to CoinGlass data.",
        ),
        (  # 4-hour buckets ending before the as-of: the real window is said
            "liquidations.total_24h_usd/4h-buckets",
            "sentence",
            "In the 24 hours to 04:00 UTC on 23 November, $88.0M of Bitcoin positions were "
            "liquidated on Binance, according to CoinGlass data.",
        ),
        (
            "liquidations.short_share_24h/none",
            "takeaway",
            "No Bitcoin shorts were liquidated in the 24 hours to 04:00 UTC on 23 November; all "
            "$5.2M of liquidations were longs.",
        ),
        (
            "liquidations.total_24h_usd/no-venues",
            "sentence",
            "Over the past 24 hours, $12.0M of Bitcoin positions were liquidated, according to "
            "CoinGlass data.",
        ),
        (
            "liquidations.short_share_24h/majority",
            "sentence",
            "Shorts accounted for $407M of that, or 94%.",
        ),
        (
            "liquidations.squeeze/short",
            "sentence",
            "That amounts to a short squeeze: the price rose 4.7% over the same 24 hours, and "
            "liquidations ran at 5.6 times the 30-day median daily total ($77.5M).",
        ),
        (
            "liquidations.squeeze/short",
            "takeaway",
            "A short squeeze forced out $407M of Bitcoin shorts in 24 hours, 94% of all "
            "liquidations, as the price rose 4.7%.",
        ),
        (
            "liquidations.squeeze/long",
            "headline",
            "Ether long squeeze liquidates $415M of longs",
        ),
        (
            "liquidations.total_1h_usd/some",
            "sentence",
            "In the latest hour, 07:00\u201308:00 UTC, liquidations across Binance, OKX and Bybit "
            "came to $3.1M, according to CoinGlass data.",
        ),
        (
            "positioning.majority/short-throughout",
            "sentence",
            "Positioning leans short: 65% of accounts on Binance were net short Bitcoin at 07:00 "
            "UTC, according to Binance USD\u24c8-M futures data, and a majority has been net "
            "short throughout the available data.",
        ),
        (
            "clusters.nearest_short_above/one",
            "sentence",
            "The level model puts about $25.3M of estimated short liquidations within 2% above "
            "the price; its nearest cluster of them holds about $11.2M at $124,582\u2013$125,509, "
            "1.0% higher.",
        ),
        (
            "clusters.nearest_short_above/relative",
            "sentence",
            "The level model puts 23% of its estimated short liquidations within 2% above the "
            "price; its nearest cluster of them holds 10% of the total at $4,099\u2013$4,130, "
            "0.6% higher (relative sizes only).",
        ),
        (
            "clusters.nearest_long_below/one",
            "sentence",
            "The level model puts about $10.1M of estimated long liquidations within 2% below "
            "the price; its nearest cluster of them holds about $11.3M at $119,017\u2013$119,945, "
            "3.3% lower.",
        ),
        (
            "clusters.nearest_long_below/relative",
            "headline",
            "2% of estimated Ether long liquidations lie within 2% below the price",
        ),
        (
            "clusters.swept_24h/shorts",
            "sentence",
            "For the last 24 hours the level model estimated about $173M of liquidations, 99% of "
            "them shorts, against $431M realized; with its scale fitted on earlier days only, it "
            "came within 2\u00d7 of the realized total on 36 of the last 39 days.",
        ),
        (
            "clusters.swept_24h/no-realized",
            "takeaway",
            "The level model estimated $51.7M of Ether liquidations in 24 hours, with no realized "
            "total to compare yet.",
        ),
        (
            "clusters.swept_24h/unchecked",
            "sentence",
            "For the last 24 hours the level model estimated about $88.0M of liquidations, 12% of "
            "them shorts, against $90.5M realized; its accuracy is not measured yet.",
        ),
        (
            "clusters.swept_24h/relative",
            "sentence",
            "Without enough liquidation history to scale it, the level model gives relative sizes "
            "only: 89% of the liquidations it estimates for the last 24 hours were shorts.",
        ),
        (
            "outlook.levels/up-cluster-cluster",
            "sentence",
            "If Bitcoin holds above $120,000, the next test is the estimated cluster of short "
            "liquidations near $124,748; a daily close back below $120,000 would put the "
            "estimated long-liquidation cluster near $119,715 in play.",
        ),
        (
            "outlook.levels/down-round-cluster",
            "sentence",
            "If Bitcoin stays below $100,000, the next test is the $95,000 level; a daily "
            "close back above $100,000 would put the estimated short-liquidation cluster near "
            "$101,350 in play.",
        ),
        (
            "outlook.levels/up-round-round",
            "sentence",
            "If Bitcoin holds above $4,000, the next test is the $4,200 level; a daily "
            "close back below $4,000 would put the $3,900 level in play.",
        ),
        (
            "sentiment.fear_greed/up-from-neutral",
            "sentence",
            "The Crypto Fear & Greed index stood at 72 on 23 November, in \u201cGreed\u201d "
            "territory, according to Alternative.me. That is 11 points higher than a day earlier "
            "and 27 points higher than a week earlier, when it read \u201cNeutral\u201d.",
        ),
        (
            "sentiment.fear_greed/no-changes",
            "takeaway",
            "The Crypto Fear & Greed index is at 50 (\u201cNeutral\u201d).",
        ),
        (
            "macro.dxy/down",
            "sentence",
            "The US Dollar Index (DXY) fell 0.29% to 97.81 on 20 November, its latest close, "
            "according to ICE US Dollar Index data via Yahoo Finance.",
        ),
        (
            "macro.dxy_level_break/down-since",
            "sentence",
            "The index closed below 98 for the first time since 2 October 2026.",
        ),
        (
            "macro.dxy_level_break/down-since",
            "takeaway",
            "The US Dollar Index closed below 98 for the first time since October 2026.",
        ),
        (
            "macro.dxy_level_break/up-since-this-month",
            "headline",
            "Dollar Index closes above 100 for the first time since 4 November",
        ),
        (
            "macro.dxy_level_break/down-since-two-closes",
            "sentence",
            "The index has closed below 98 on two trading days in a row, the first closes below "
            "it since 2 October 2026.",
        ),
        (
            "macro.dxy_level_break/up-first",
            "takeaway",
            "The US Dollar Index closed above 110 for the first time in the available data.",
        ),
        (
            "macro.next_fomc/sep-16-days",
            "sentence",
            "The next FOMC interest-rate decision is due on 9 December, in 16 days, according "
            "to the Federal Reserve's calendar; that meeting also brings updated economic "
            "projections and the \u201cdot plot\u201d.",
        ),
        (
            "macro.next_fomc/today",
            "sentence",
            "The next FOMC interest-rate decision is due today, 23 November, according to the "
            "Federal Reserve's calendar.",
        ),
        ("macro.next_fomc/tomorrow-sep", "headline", "Fed rate decision due tomorrow"),
        (
            "macro.next_fomc/tomorrow-sep",
            "takeaway",
            "The next FOMC rate decision is due tomorrow, 24 November, with new projections.",
        ),
        (
            "price.volume_24h_pct/thin",
            "sentence_cited",
            "Bitcoin's Binance spot volume over the past 24 hours was 52% below its 30-day median.",
        ),
        (
            "price.volume_24h_pct/heavy-earlier",
            "sentence_cited",
            "Ether's Binance spot volume over the 24 hours to 05:00 UTC on 23 November was 2.4 "
            "times its 30-day median.",
        ),
        (
            "cross.relative_24h/btc-leads",
            "sentence",
            "Bitcoin led over the past 24 hours with a 4.7% gain; Ether rose 3.6%, 1.1 pp "
            "behind Bitcoin, according to Binance spot data.",
        ),
        (
            "cross.relative_24h/eth-leads",
            "sentence",
            "Ether led over the past 24 hours with a 5.2% gain, 2.1 pp ahead of Bitcoin, "
            "which rose 3.1%, according to Binance spot data.",
        ),
        (
            "cross.relative_24h/three-all-down",
            "takeaway",
            "Bitcoin held up best over 24 hours, 1.5 pp ahead of Ether and 3.2 pp ahead of SOL.",
        ),
        (  # a lead inside the rounding shown is no lead
            "cross.relative_24h/in-step",
            "sentence",
            "No asset clearly led over the past 24 hours: Bitcoin rose 2.9%; Ether rose 3.0%, in "
            "step with Bitcoin, according to Binance spot data.",
        ),
        ("cross.relative_24h/in-step", "headline", "Ether in step with Bitcoin over 24 hours"),
        (
            "cross.relative_24h/sol-leads-eth-in-step",
            "sentence",
            "SOL led over the past 24 hours with a 5.0% gain, 4.0 pp ahead of Bitcoin, which rose "
            "1.0%; Ether rose 1.1%, in step with Bitcoin, according to Binance spot data.",
        ),
        ("cross.relative_24h/two-lead-together", "takeaway", "No asset clearly led over 24 hours."),
    ],
)
def test_key_phrasings_of_derivatives_macro_and_outlook(name: str, macro: str, text: str) -> None:
    assert say(macro, ALL[name]) == text


def test_branches_differ() -> None:
    """Each branch of one fact reads differently from the others (no branch falls through)."""
    by_id: dict[str, list[str]] = {}
    for f in ALL.values():
        by_id.setdefault(f.id, []).append(
            say("sentence", f) + say("takeaway", f) + say("headline", f)
        )
    for fact_id, texts in by_id.items():
        assert len(set(texts)) == len(texts), fact_id


ARITHMETIC: tuple[type[nodes.Node], ...] = (nodes.Add, nodes.Sub, nodes.Mul, nodes.Div)
ARITHMETIC += (nodes.FloorDiv, nodes.Mod, nodes.Pow, nodes.Neg, nodes.Pos)
ALLOWED_COMPARISONS = {"eq", "ne", "in", "notin"}
COMPUTING_FILTERS = {"abs", "round", "int", "float", "sum", "max", "min"}


def computing(source: str) -> list[str]:
    """What in a template's source computes: arithmetic, ordering comparisons, maths filters."""
    found: list[str] = []
    tree = make_environment().parse(source)
    node: nodes.Node
    for node in tree.find_all(nodes.Node):
        if isinstance(node, ARITHMETIC):
            found.append(f"line {node.lineno}: {type(node).__name__}")
        elif isinstance(node, nodes.Compare):
            ops = {op.op for op in node.ops} - ALLOWED_COMPARISONS
            found += [f"line {node.lineno}: comparison {op}" for op in sorted(ops)]
        elif isinstance(node, nodes.Filter) and node.name in COMPUTING_FILTERS:
            found.append(f"line {node.lineno}: filter {node.name}")
    return found


@pytest.mark.parametrize("path", sorted(TEMPLATES_DIR.rglob("*.html")), ids=lambda p: p.name)
def test_templates_do_not_compute(path: Path) -> None:
    """Templates only phrase: equality on categories, presence tests and filters."""
    assert computing(path.read_text()) == []


@pytest.mark.parametrize(
    "source",
    [
        "{{ a + 1 }}",
        "{{ a * b }}",
        "{{ -a }}",
        "{% if x > 3 %}{% endif %}",
        "{{ x | abs }}",
        "{% if a.b <= 0 %}{% endif %}",
    ],
)
def test_the_computing_check_catches(source: str) -> None:
    assert computing(source)


def test_the_computing_check_allows_phrasing() -> None:
    ok = '{% if v["d"] == "up" and x is none %}{{ "a" ~ b | usd }}{% endif %}'
    ok += '{{ "x" if y != 1 else "" }}{% if k in facts %}{% endif %}'
    assert computing(ok) == []
