"""Each link: when it applies (its trigger) and the sentence it makes, rendered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from markupsafe import Markup

from analysis import links
from models import Fact, Line
from render.environment import make_environment
from render.filters import MINUS
from settings import NarrativeSettings
from tests.render.make import BRANCHES, fact, phrasings
from values import FundingRate, Majority

SQUEEZE = BRANCHES["liquidations.squeeze/short"]
CROWD = BRANCHES["positioning.majority/short-throughout"]
RATE = BRANCHES["funding.rate/positive"]
FLIP = BRANCHES["funding.flip/positive"]
OI_DOWN = BRANCHES["open_interest.change_24h_pct/down"]
RSI = BRANCHES["momentum.rsi_14/overbought"]
RECORD = BRANCHES["price.new_ath/previous"]
DIVERGENCE = BRANCHES["momentum.divergence/bearish"]
DXY = BRANCHES["macro.dxy/down"]
DXY_BREAK = BRANCHES["macro.dxy_level_break/down-since"]
ASSETS = ("BTC", "ETH")


def move(pct: float, asset: str = "BTC") -> Fact:
    return fact("price.change_24h_pct", pct, {"close": 1.0}, asset=asset, unit="pct")


def match(rule: links.Match, *facts: Fact, unsaid: Sequence[Fact] | None = None) -> list[Line]:
    """``rule`` over ``facts`` (all worth saying), of which ``unsaid`` (default: all) are
    still to say."""
    known = {f.key: f for f in facts}
    todo = known if unsaid is None else {f.key: f for f in unsaid}
    return rule(todo, known, ASSETS, NarrativeSettings())


def said(line: Line) -> str:
    lines = make_environment().get_template("_lines.html").module
    return str(Markup(lines.sentence(line)).striptags())  # type: ignore[attr-defined]


def test_rules_have_templates_with_sentences() -> None:
    env = make_environment()
    for rule in links.RULES:
        assert hasattr(env.get_template(f"lines/{rule.id}.html").module, "sentence"), rule.id


def test_a_squeeze_with_the_crowd_still_on_the_squeezed_side() -> None:
    (line,) = match(links.squeeze, SQUEEZE, CROWD)
    assert line.facts == (SQUEEZE, CROWD) and line.reading == "short"
    assert said(line) == (
        "The move came as $407M of Bitcoin shorts were liquidated across Binance, OKX and Bybit "
        "in 24 hours (94% of the total), with 65% of Bitcoin accounts on Binance still net short."
    )
    long_crowd = replace(CROWD, value=replace(CROWD.value, side="long"))
    (alone,) = match(links.squeeze, SQUEEZE, long_crowd)
    assert alone.facts == (SQUEEZE,) and "accounts" not in said(alone)
    assert match(links.squeeze, CROWD) == []


def test_two_squeezes_on_one_side_share_a_sentence() -> None:
    eth = replace(SQUEEZE, asset="ETH", evidence={**SQUEEZE.evidence, "side_usd": 207e6})
    (line,) = match(links.squeeze, SQUEEZE, eth)
    assert said(line).startswith(
        "The moves came as $407M of Bitcoin and $207M of Ether shorts were liquidated "
        "across Binance, OKX and Bybit in 24 hours (94% of each total)."
    )
    other_side = replace(eth, value=replace(SQUEEZE.value, side="long"))
    assert len(match(links.squeeze, SQUEEZE, other_side)) == 2
    coarser = BRANCHES["liquidations.squeeze/long"]  # 4-hour buckets to 04:00, Binance only
    (line,) = match(links.squeeze, coarser)
    assert "were liquidated on Binance in the 24 hours to 04:00 UTC on 23 November (81%" in said(
        line
    )
    assert len(match(links.squeeze, SQUEEZE, replace(coarser, value=SQUEEZE.value))) == 2


@pytest.mark.parametrize(
    ("pct", "reading", "ending"),
    [
        (0.01, "default", "+0.0100% per 8 hours, the default rate: longs are not paying up."),
        (0.0104, "default", "+0.0104% per 8 hours, the default rate: longs are not paying up."),
        (0.03, "above", "+0.0300% per 8 hours, 32.9% a year: longs are paying up."),
        (0.005, "below", "under the default rate: longs are paying less than usual."),
        (-0.01, "negative", "so shorts are paying longs, 10.9% a year."),
    ],
)
def test_funding_is_read_against_the_default_rate(pct: float, reading: str, ending: str) -> None:
    rate = replace(RATE, value=FundingRate(pct, pct * 3 * 365, 8.0))
    (line,) = match(links.funding, rate)
    assert line.reading == reading and said(line).endswith(ending)


def test_funding_of_two_assets_with_the_same_reading_and_flip_is_one_sentence() -> None:
    eth_rate, eth_flip = replace(RATE, asset="ETH"), replace(FLIP, asset="ETH")
    (line,) = match(links.funding, RATE, FLIP, eth_rate, eth_flip)
    assert said(line).startswith(
        "Funding for Bitcoin and Ether flipped positive on 21 November, after nine and nine "
        "negative settlements, and settled at +0.0100% per 8 hours"
    )
    assert len(match(links.funding, RATE, FLIP, eth_rate)) == 2  # Ether did not flip
    paying = [replace(RATE, value=FundingRate(0.049, 53.7, 8.0)), replace(RATE, asset="ETH")]
    paying[1] = replace(paying[1], value=FundingRate(0.0388, 42.5, 8.0))
    (both,) = match(links.funding, *paying)
    assert said(both) == (
        "Funding for Bitcoin and Ether settled at +0.0490% and +0.0388% per 8 hours, 53.7% and "
        "42.5% a year: longs are paying up."
    )


@pytest.mark.parametrize(
    ("oi", "price", "reading", "words"),
    [
        (2.0, 3.0, "fresh", "rose 2.0% for Bitcoin as the price rose: fresh positions"),
        (-2.0, 3.0, "closing", "fell 2.0% for Bitcoin as the price rose: shorts closing rather"),
        (-2.0, -3.0, "cut", "fell 2.0% for Bitcoin as the price fell: leverage being cut"),
        (2.0, -3.0, "added", "rose 2.0% for Bitcoin as the price fell: positions added into"),
    ],
)
def test_open_interest_is_read_against_the_price(
    oi: float, price: float, reading: str, words: str
) -> None:
    (line,) = match(links.open_interest, replace(OI_DOWN, value=oi), move(price))
    assert line.reading == reading and words in said(line)
    assert line.context == (move(price),)  # the move is read, its figure left to the table
    assert match(links.open_interest, replace(OI_DOWN, value=0.4), move(price)) == []


def test_overbought_at_a_record_reads_stretched_even_after_the_lede_said_the_record() -> None:
    (line,) = match(links.stretched, RSI, RECORD, unsaid=[RSI])
    assert said(line) == (
        "At a 14-day RSI of 71.0, Bitcoin is overbought at its record: stretched rather than over."
    )
    assert match(links.stretched, replace(RSI, value=69.9), RECORD) == []
    assert match(links.stretched, RSI) == []


def test_a_divergence_before_the_move_or_defied_by_it() -> None:
    (before,) = match(links.divergence, DIVERGENCE, move(-3.0, "ETH"))
    assert before.reading == "before"
    assert said(before).startswith("A bearish RSI divergence came before Ether's fall: its close")
    (despite,) = match(links.divergence, DIVERGENCE, move(3.0, "ETH"))
    assert said(despite).startswith("Ether's rally came despite a bearish RSI divergence:")
    assert match(links.divergence, DIVERGENCE) == []


@pytest.mark.parametrize(
    ("dxy", "price", "ending"),
    [
        (-0.5, 2.0, "a weaker dollar alongside the crypto rally."),
        (-0.6, -2.0, "but the weaker dollar brought no crypto bounce."),
        (0.6, -2.0, "a firmer dollar alongside the crypto slide."),
        (0.6, 2.0, "yet crypto rose against the firmer dollar."),
    ],
)
def test_the_dollar_beside_the_crypto_move(dxy: float, price: float, ending: str) -> None:
    day = replace(DXY, value=replace(DXY.value, change_1d_pct=dxy))
    (line,) = match(links.dollar, day, move(price))
    assert said(line).endswith(ending)
    (broke,) = match(links.dollar, DXY, DXY_BREAK, move(2.0))
    assert said(broke) == (
        "The Dollar Index fell 0.29% to 97.81 on 20 November, its first close below 98 since 2 "
        "October 2026, a weaker dollar alongside the crypto rally."
    )
    assert match(links.dollar, DXY, move(2.0)) == []  # a 0.29 % day, no break: background only
    big = replace(DXY, value=replace(DXY.value, change_1d_pct=-0.6))
    assert match(links.dollar, big) == []
    assert match(links.dollar, big, move(0.04)) == []  # shown as 0.0 %: no rally to set beside
    assert match(links.dollar, big, move(-0.9)) == []  # under 1 %: no slide either
    assert len(match(links.dollar, big, move(-1.0))) == 1


def test_sentiment_short_of_euphoria_at_a_record() -> None:
    mood = BRANCHES["sentiment.fear_greed/up-from-neutral"]  # 72, Greed
    (line,) = match(links.calm, mood, RECORD, unsaid=[mood])
    assert said(line) == (
        "The Crypto Fear & Greed index rose 27 points in a week to 72 (\u201cGreed\u201d) at "
        "Bitcoin's record, short of extreme greed: not euphoric."
    )
    euphoric = replace(mood, value=replace(mood.value, value=80.0))
    assert match(links.calm, euphoric, RECORD) == [] and match(links.calm, mood) == []


def test_a_move_against_a_level_just_broken_is_the_contrast() -> None:
    below = replace(
        BRANCHES["price.level_break/up-first"],
        value=replace(BRANCHES["price.level_break/up-first"].value, direction="down"),
    )
    (line,) = match(links.rebound, below, move(8.3), unsaid=[move(8.3)])
    assert line.reading == "up" and line.context == (below,)
    assert said(line) == "Over the past 24 hours, though, Bitcoin rose 8.3%."
    ranked = phrasings()["price.change_24h_rank/drop-since"]
    above = BRANCHES["price.level_break/up-first"]
    (drop,) = match(links.rebound, above, ranked, move(-12.8))
    assert said(drop) == (
        "Over the past 24 hours, though, Bitcoin fell 12.8%, its largest daily drop since June "
        "2022."
    )
    assert match(links.rebound, above, move(8.3)) == []  # the same way: no contrast
    assert match(links.rebound, below, move(2.9)) == []  # under rebound_min_pct


def test_a_one_sided_spike_the_price_did_not_follow_fizzled() -> None:
    spike = BRANCHES["liquidations.spike/one"]  # 26x the median hour, 99% shorts
    (line,) = match(links.fizzled, spike, move(0.4), unsaid=[spike])
    assert line.reading == "short" and line.context == (move(0.4),)
    assert said(line) == (
        "The heaviest hour of Bitcoin liquidations, from 16:00 UTC on 22 November, saw $60.9M "
        "liquidated, 26 times the median hour and mostly shorts, yet the price did not follow "
        "through over 24 hours: a squeeze that fizzled."
    )
    assert match(links.fizzled, spike, move(2.0)) == []  # the price followed
    assert len(match(links.fizzled, spike, move(-3.0))) == 1  # it went the other way
    small = replace(spike, value=23.0)  # less than a median day in the hour
    assert match(links.fizzled, small, move(0.4)) == []
    even = replace(spike, evidence={**spike.evidence, "long_usd": 40e6, "short_usd": 60e6})
    assert match(links.fizzled, even, move(0.4)) == []  # 60 % is no one side


def test_a_range_is_read_against_earlier_windows_and_plain_ranges_share_a_sentence() -> None:
    from tests.analysis.test_trading_range import PHRASINGS as RANGES

    narrow = RANGES["price.trading_range/none-narrower"]  # none as narrow in the history
    recent = RANGES["price.trading_range/narrower-this-month"]  # one as narrow 19 days back
    eth = replace(RANGES["price.trading_range/narrower-last-year"], as_of=narrow.as_of)
    (line,) = match(links.trading_range, narrow)
    assert line.reading == "narrowest"
    assert said(line) == (
        "Bitcoin has traded between $105,210 and $112,480 over the past two weeks, its "
        "narrowest two-week range since at least August 2017."
    )
    (line,) = match(links.trading_range, recent)
    assert line.reading == "narrower" and said(line) == (
        "Bitcoin has traded between $106,000 and $111,900 over the past two weeks, a narrower "
        "range than in most two-week spans of the past year."
    )
    btc = replace(
        recent, value=replace(recent.value, narrower=replace(recent.value.narrower, days_ago=59))
    )
    first, rest = match(links.trading_range, btc, eth)  # 59 days: under range_narrow_min_days
    assert (first.reading, first.facts) == ("narrowest", (eth,))
    assert (rest.reading, rest.facts) == ("narrower", (btc,))
    both = match(
        links.trading_range,
        btc,
        replace(eth, value=replace(eth.value, narrower=replace(eth.value.narrower, days_ago=3))),
    )
    assert [x.reading for x in both] == ["narrower"]
    assert said(both[0]) == (
        "Over the past two weeks Bitcoin has traded between $106,000 and $111,900 and Ether "
        "between $3,645 and $3,986, narrower ranges than in most two-week spans of the past year."
    )
    wide = replace(btc, value=replace(btc.value, wider_share=0.4))
    (plain,) = match(links.trading_range, wide)
    assert plain.reading == "plain" and said(plain).endswith("over the past two weeks.")


def test_open_interest_the_price_does_not_read_is_background() -> None:
    flat = BRANCHES["open_interest.change_24h_pct/flat"]  # +0.01 %
    eth_flat = replace(flat, asset="ETH", value=-0.3)
    (line,) = match(links.steady, flat, eth_flat, move(2.0), move(-1.5, "ETH"))
    assert line.reading == "little" and line.facts == (flat, eth_flat)
    assert said(line) == (
        f"Open interest was little changed on the day (0.0% for Bitcoin and {MINUS}0.3% for "
        "Ether): leverage neither built up nor unwound."
    )
    (trim,) = match(links.steady, OI_DOWN, move(0.4))  # -0.78 % while the price held
    assert trim.reading == "trimmed" and said(trim) == (
        "Open interest fell 0.8% for Bitcoin on the day while the price held steady: positions "
        "trimmed, not added."
    )
    up = replace(BRANCHES["open_interest.change_24h_pct/up"], asset="BTC")
    (added,) = match(links.steady, up, move(-0.2))
    assert added.reading == "added" and said(added).endswith("positions added, not cut.")
    assert match(links.steady, OI_DOWN, move(2.0)) == []  # the quadrant reads it
    assert match(links.steady, OI_DOWN) == []  # no price move to read it against


def test_the_accounts_split_is_background_even_under_the_threshold() -> None:
    even = replace(
        CROWD, value=Majority("short", 51.0), evidence={**CROWD.evidence, "long_pct": 49.0}
    )
    eth = replace(
        even,
        asset="ETH",
        value=Majority("long", 54.9),
        evidence={**even.evidence, "long_pct": 54.9},
    )
    (line,) = match(links.accounts, even, eth)
    assert line.reading == "even" and line.facts == (even, eth)
    assert said(line) == (
        "Accounts on Binance were close to evenly divided, with 49% of Bitcoin accounts and 55% "
        "of Ether accounts net long."
    )
    split, most = match(links.accounts, CROWD, eth)  # 65 % net short: a majority
    assert (split.reading, split.facts, most.reading, most.facts) == (
        "even",
        (eth,),
        "most",
        (CROWD,),
    )
    assert said(most) == (
        "Most Bitcoin accounts on Binance are net short (65%), as they have been throughout the "
        "available data."
    )
    since = BRANCHES["positioning.majority/long-since"]  # 57.6 % long since 14 November
    (line,) = match(links.accounts, since)
    assert (
        said(line) == "Most Ether accounts are net long (58%), as they have been since 14 November."
    )


def test_the_day_s_liquidations_are_background_with_their_sides() -> None:
    total = BRANCHES["liquidations.total_24h_usd/some"]  # $431M, 94 % shorts
    share = BRANCHES["liquidations.short_share_24h/majority"]
    (line,) = match(links.liquidated, total, share)
    assert line.reading == "sides" and line.facts == (total, share)
    assert said(line) == (
        "Over the past 24 hours, $431M of Bitcoin positions were liquidated across Binance, OKX "
        "and Bybit, 94% of them shorts."
    )
    eth_total = replace(total, asset="ETH", value=20e6)
    half = replace(share, value=0.45)
    eth_half = replace(half, asset="ETH", value=0.55)
    (both,) = match(links.liquidated, replace(total, value=50e6), half, eth_total, eth_half)
    assert both.reading == "even" and said(both) == (
        "Over the past 24 hours, $50.0M of Bitcoin and $20.0M of Ether positions were liquidated "
        "across Binance, OKX and Bybit, split about evenly between longs and shorts."
    )
    assert match(links.liquidated, total, share, SQUEEZE) == []  # the squeeze says them
    assert match(links.liquidated, total) == []  # nothing liquidated: no share


def test_background_rules_are_never_the_lede_and_only_said_on_a_quiet_day() -> None:
    background = {r.id for r in links.RULES if r.background}
    assert background == {"steady", "accounts", "liquidated"}
    assert all(not r.lede for r in links.RULES if r.background)
