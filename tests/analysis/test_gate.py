"""The gate: each fact's "worth saying" rule, its [narrative] thresholds, and the story it feeds."""

from __future__ import annotations

from dataclasses import replace

from analysis import FACTS, narrative
from analysis.registry import always
from models import Fact
from settings import NarrativeSettings
from tests.analysis.test_cross import PHRASINGS
from tests.render.make import ATH_NEW, BRANCHES, LAST, fact
from values import Dxy, FearGreed, Macd, NextFomc, Relative7d, WeeklyGainRank

SPECS = {s.id: s for s in FACTS}
DEFAULTS = NarrativeSettings()


def said(subject: Fact, *others: Fact, settings: NarrativeSettings = DEFAULTS) -> bool:
    """Whether ``subject`` passes its gate in a note that also holds ``others``."""
    facts = {f.key: f for f in (subject, *others)}
    return SPECS[subject.id].worth(subject, facts, settings)


def number(fact_id: str, value: float, asset: str | None = "BTC") -> Fact:
    return fact(fact_id, value, asset=asset, unit="pct")


def test_the_documented_defaults() -> None:
    d = DEFAULTS
    assert (d.intraday_min_pct, d.weekly_rank_max, d.ath_near_pct) == (3.0, 3, 5.0)
    assert (d.relative_min_gap_pp, d.macd_cross_max_days, d.spike_min_multiple) == (1.0, 3, 10.0)
    assert (d.dxy_min_move_pct, d.dxy_break_unseen_days, d.fomc_max_days) == (0.5, 20, 7)
    assert (d.fear_greed_extreme, d.fear_greed_min_move) == (25.0, 15.0)
    assert (d.change_rank_min_pct, d.change_rank_min_days) == (3.0, 90)
    assert d.relative_7d_min_gap_pp == 3.0
    assert d.range_narrow_min_days == 60
    assert d.dollar_crypto_min_move_pct == 1.0


def test_every_gate_states_its_rule() -> None:
    gated = [s for s in FACTS if s.worth is not always]
    assert len(gated) == 17
    assert all((s.worth.__doc__ or "").strip().startswith("Said ") for s in gated)


def test_intraday_move_only_when_large_or_against_the_day() -> None:
    day_up = number("price.change_24h_pct", 4.0)
    assert not said(number("price.intraday_pct", 1.2), day_up)
    assert said(number("price.intraday_pct", -3.0), day_up)
    assert said(number("price.intraday_pct", -1.0), day_up)  # against the 24 h move
    assert not said(number("price.intraday_pct", -0.9), day_up)  # against, but too small
    assert not said(number("price.intraday_pct", -1.0))  # no 24 h move to be against
    assert not said(number("price.intraday_pct", -1.0), replace(day_up, asset="ETH"))
    looser = NarrativeSettings(intraday_min_pct=1.0)
    assert said(number("price.intraday_pct", 1.2), day_up, settings=looser)


def test_weekly_gain_rank_only_in_the_top_three() -> None:
    ranked = BRANCHES["price.weekly_gain_rank/ranked"]
    assert said(ranked) and said(BRANCHES["price.weekly_gain_rank/largest"])
    twelfth = replace(ranked, value=WeeklyGainRank(gain_pct=11.3, rank=12, previous_larger=None))
    assert not said(twelfth)
    assert said(twelfth, settings=NarrativeSettings(weekly_rank_max=12))


def test_the_all_time_high_only_when_near_or_new() -> None:
    high = number("price.ath", 4953.0)
    for pct, expected in ((17.4, False), (4.9, True)):
        below = number("price.pct_below_ath", pct)
        assert said(below) is expected and said(high, below) is expected
        assert said(below, ATH_NEW) and said(high, below, ATH_NEW)  # a new record: always
    far = number("price.pct_below_ath", 17.4)
    assert not said(far, replace(ATH_NEW, value=False))
    assert not said(far, replace(ATH_NEW, asset="ETH"))
    assert said(far, settings=NarrativeSettings(ath_near_pct=20.0))


def test_rsi_only_overbought_oversold_or_beside_a_divergence() -> None:
    assert said(BRANCHES["momentum.rsi_14/overbought"])
    assert said(BRANCHES["momentum.rsi_14/oversold"])
    neutral = BRANCHES["momentum.rsi_14/neutral"]
    assert not said(neutral)
    divergence = next(f for f in BRANCHES.values() if f.id == "momentum.divergence")
    assert said(neutral, replace(divergence, asset=neutral.asset))


def test_macd_only_as_a_recent_crossover() -> None:
    assert said(BRANCHES["momentum.macd/bearish-today"])
    assert said(BRANCHES["momentum.macd/bearish-yesterday"])
    assert not said(BRANCHES["momentum.macd/bullish-days"])  # 14 closes ago
    assert not said(BRANCHES["momentum.macd/bullish-always"])
    base = BRANCHES["momentum.macd/bullish-days"]
    at = [
        said(replace(base, value=Macd(5.0, 4.0, 1.0, "bullish", n, "2026-11-19"))) for n in (3, 4)
    ]  # the last three daily closes
    assert at == [True, False]


def test_relative_performance_only_on_a_gap_of_a_point() -> None:
    assert said(BRANCHES["cross.relative_24h/btc-leads"])  # 1.02 pp
    assert not said(BRANCHES["cross.relative_24h/in-step"])
    assert said(BRANCHES["cross.relative_24h/sol-leads-of-three"])  # SOL's 4 pp counts
    strict = NarrativeSettings(relative_min_gap_pp=1.5)
    assert not said(BRANCHES["cross.relative_24h/btc-leads"], settings=strict)


def test_else_the_7_day_gap_of_three_points() -> None:
    week = PHRASINGS["cross.relative_7d/eth-leads"]  # 4.5 pp over seven days
    close_day = BRANCHES["cross.relative_24h/in-step"]  # 0.1 pp over 24 hours
    assert said(week, close_day) and said(week)  # no 24 h fact: the week may be said
    assert not said(week, BRANCHES["cross.relative_24h/btc-leads"])  # the 24 h gap is said
    assert not said(PHRASINGS["cross.relative_7d/in-step"], close_day)  # 0.1 pp a week
    narrow = replace(week, value=Relative7d({"ETH": 2.9}, "ETH", ()))
    assert not said(narrow, close_day)
    assert said(narrow, close_day, settings=NarrativeSettings(relative_7d_min_gap_pp=2.5))
    loose = NarrativeSettings(relative_min_gap_pp=0.05)  # the 24 h gap of 0.1 pp is said
    assert not said(week, close_day, settings=loose)


def test_a_liquidation_spike_only_at_ten_times_the_median_hour() -> None:
    spike = BRANCHES["liquidations.spike/one"]
    assert said(spike) and said(replace(spike, value=10.0))
    assert not said(replace(spike, value=9.9))


def test_dxy_only_on_a_big_day_or_a_break_unseen_for_20_days() -> None:
    down, since = BRANCHES["macro.dxy/down"], BRANCHES["macro.dxy_level_break/down-since"]
    recent = BRANCHES["macro.dxy_level_break/up-since-this-month"]  # last beyond 4 November
    assert said(since) and said(BRANCHES["macro.dxy_level_break/up-first"])
    assert not said(recent)  # 19 days before 23 November
    assert said(recent, settings=NarrativeSettings(dxy_break_unseen_days=19))
    assert not said(down)  # -0.29 % and no break
    assert said(down, since) and not said(down, recent)
    assert said(BRANCHES["macro.dxy/up"])  # +0.61 %
    assert said(replace(down, value=Dxy(97.3, "2026-11-20", -0.5)))


def test_fomc_only_within_a_week() -> None:
    assert not said(BRANCHES["macro.next_fomc/sep-16-days"])
    assert said(BRANCHES["macro.next_fomc/today"])
    week = BRANCHES["macro.next_fomc/today"]
    assert said(replace(week, value=NextFomc("2026-11-30", 7, False)))
    assert not said(replace(week, value=NextFomc("2026-12-01", 8, False)))


def test_fear_greed_when_extreme_moving_or_at_a_record() -> None:
    assert said(BRANCHES["sentiment.fear_greed/up-from-neutral"])  # 27 points in a week
    assert said(BRANCHES["sentiment.fear_greed/down-same-class"])  # 18: extreme fear
    calm = BRANCHES["sentiment.fear_greed/flat-day-only"]
    assert not said(calm) and not said(BRANCHES["sentiment.fear_greed/no-changes"])
    assert said(calm, ATH_NEW)  # "not euphoric" at a record
    greed = FearGreed(value=75.0, classification="Extreme Greed", change_1d=1.0, change_7d=3.0)
    assert said(replace(calm, value=greed))
    assert not said(replace(calm, value=replace(greed, value=74.0, change_7d=-14.9)))


def test_facts_that_fail_the_gate_leave_the_story_but_keep_their_score() -> None:
    quiet = number("price.intraday_pct", 0.5)
    fomc = BRANCHES["macro.next_fomc/sep-16-days"]
    facts = [LAST, number("price.change_24h_pct", 4.0), quiet, fomc]
    story = narrative.tell(facts, ["BTC"], NarrativeSettings(background=False))
    assert {f.key for f in story.said} == {"BTC:price.change_24h_pct"}  # the lead, in the lede
    assert set(story.scores) == {f.key for f in facts}
    loose = NarrativeSettings(intraday_min_pct=0.1, fomc_max_days=30)
    said = {f.key for f in narrative.tell(facts, ["BTC"], loose).said}
    assert said == {"BTC:price.change_24h_pct", quiet.key, fomc.key}


def test_volume_only_when_doubled_or_halved() -> None:
    assert said(number("price.volume_24h_pct", 100.0)) and said(
        number("price.volume_24h_pct", -50.0)
    )
    assert not said(number("price.volume_24h_pct", 99.0))
    assert not said(number("price.volume_24h_pct", -49.0))
