"""The story: stories ranked across assets, the lede, sections, What to watch, each fact once."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analysis import narrative
from models import Fact, Line, Story
from settings import NarrativeSettings
from tests.render.make import BRANCHES, fact, phrasings
from values import Majority, PriceLevelBreak

AS_OF = pd.Timestamp("2026-11-23T08:00:00Z")


def move(pct: float, asset: str = "BTC") -> Fact:
    return fact("price.change_24h_pct", pct, {"close": 1.0}, asset=asset, unit="pct")


RECORD = BRANCHES["price.new_ath/previous"]
BREAK = BRANCHES["price.level_break/up-first"]
SQUEEZE = BRANCHES["liquidations.squeeze/short"]
CROWD = BRANCHES["positioning.majority/short-throughout"]
RATE = BRANCHES["funding.rate/positive"]
FLIP = BRANCHES["funding.flip/positive"]
LEVELS = BRANCHES["outlook.levels/up-cluster-cluster"]
BASE_RATE = phrasings()["context.base_rate/first-close-above"]
ETH_BREAK = replace(
    BRANCHES["price.level_break/up-first"], asset="ETH", value=PriceLevelBreak(4000.0, "up", None)
)


def kinds(story: Story) -> dict[str, list[str]]:
    """Each part of the story as the kinds of its lines."""
    return {
        "lede": [x.kind for x in story.lede],
        **{b.id: [x.kind for x in b.lines] for b in story.blocks},
        "watch": [x.kind for x in story.watch],
    }


def test_scores_come_from_the_specs_whatever_the_asset() -> None:
    new_ath = Fact("price.new_ath", "ETH", True, "bool", AS_OF, ("Binance spot",))
    assert narrative.score(new_ath) == 100.0
    first = PriceLevelBreak(120_000.0, "up", None)
    since = PriceLevelBreak(120_000.0, "up", "2026-05-27")  # 180 days before
    assert narrative.score(replace(BREAK, value=first)) == 95.0
    assert narrative.score(replace(BREAK, value=since)) == 55.0 + 30.0
    majority = Fact("positioning.majority", "BTC", Majority("short", 65.0), "state", AS_OF, ())
    assert narrative.score(majority) == 15.0


def test_a_macd_cross_at_the_last_close_is_news() -> None:
    """``crossed_days_ago`` 0 (the cross happened at the last close) scores as a recent cross."""
    from values import Macd

    def macd(days: int | None) -> Fact:
        on = None if days is None else f"2026-11-{22 - days}"
        value = Macd(1.0, 0.5, 0.5, "bullish", crossed_days_ago=days, crossed_on=on)
        return Fact("momentum.macd", "BTC", value, "state", AS_OF, ())

    assert [narrative.score(macd(d)) for d in (0, 3, 4, None)] == [45.0, 45.0, 5.0, 5.0]


def test_the_lead_story_may_come_from_any_asset() -> None:
    """Ether's 20 % day outranks Bitcoin's 1 %: Ether leads; Bitcoin's move, no story of its
    own, shares the sentence."""
    facts = [move(1.2), move(20.1, "ETH")]
    story = narrative.tell(facts, ["BTC", "ETH"])
    assert [f.key for f in story.lede[0].facts] == [
        "ETH:price.change_24h_pct",
        "BTC:price.change_24h_pct",
    ]
    assert story.headline[0].facts[0].asset == "ETH"
    assert story.charts == ("eth_daily",)


def test_corroboration_raises_a_story_and_ties_go_to_the_first_asset() -> None:
    eth_squeeze = replace(SQUEEZE, asset="ETH")
    lone = narrative.stories({f.key: f for f in (BREAK, ETH_BREAK)}, ["BTC", "ETH"])
    assert [f.asset for _, f in lone] == ["BTC", "ETH"]  # equal scores: the first asset
    backed = {f.key: f for f in (BREAK, ETH_BREAK, eth_squeeze)}
    (top, lead), *_ = narrative.stories(backed, ["BTC", "ETH"])
    assert lead.key == "ETH:price.level_break" and top == 95.0 + narrative.CORROBORATION


def test_the_lede_says_the_lead_and_second_stories_then_the_link() -> None:
    facts = [RECORD, BREAK, ETH_BREAK, SQUEEZE, CROWD, RATE, FLIP, LEVELS, move(4.7)]
    story = narrative.tell(facts, ["BTC", "ETH"])
    what, link = story.lede
    assert what.kind == "what" and [f.key for f in what.facts] == [RECORD.key, ETH_BREAK.key]
    assert link.kind == "squeeze" and link.facts == (SQUEEZE, CROWD)
    assert [p.kind for p in story.headline] == ["headline", "squeeze", "headline"]
    assert kinds(story) == {
        "lede": ["what", "squeeze"],
        "markets": ["fact"],  # Bitcoin's $120,000 break, not in the lede
        "leverage": ["funding"],
        "watch": ["levels"],
    }
    # the levels bullet refers to the level the markets section said
    assert story.watch[0].reading == "cleared" and story.watch[0].context == (BREAK,)


def test_no_fact_is_said_twice() -> None:
    facts = list(BRANCHES.values())
    unique = list({f.key: f for f in facts}.values())
    story = narrative.tell(unique, ["BTC", "ETH"])
    said = [f.key for f in story.said]
    assert len(said) == len(set(said)) and said


def test_the_base_rate_is_the_lede_s_second_sentence_without_a_link() -> None:
    rate = BASE_RATE
    assert narrative.tell([move(3.0), rate, LEVELS], ["BTC"]).lede[1:] == ()  # its event unsaid
    story = narrative.tell([BREAK, rate, LEVELS], ["BTC"])
    assert [x.kind for x in story.lede] == ["what", "history"] and story.lede[1].facts == (rate,)
    assert [x.kind for x in story.watch] == ["levels"]
    linked = narrative.tell([BREAK, rate, LEVELS, SQUEEZE], ["BTC"])
    assert [x.kind for x in linked.lede] == ["what", "squeeze"]
    assert [x.kind for x in linked.watch] == ["levels", "watch"]  # the base rate moves here


def test_what_to_watch_holds_three_bullets_at_most_lead_asset_first() -> None:
    """Ether's record leads, with no link: its base rate is the lede's, and the FOMC meeting
    today the third bullet; with a link, the base rate takes the third bullet instead."""
    eth_levels = replace(BRANCHES["outlook.levels/up-round-round"], asset="ETH")
    fomc = BRANCHES["macro.next_fomc/today"]
    rate = replace(BASE_RATE, asset="ETH")
    lead = replace(RECORD, asset="ETH")
    story = narrative.tell(
        [LEVELS, eth_levels, fomc, rate, lead, ETH_BREAK, SQUEEZE], ["BTC", "ETH"]
    )
    assert [(x.kind, x.facts[0].key) for x in story.watch] == [
        ("levels", "ETH:outlook.levels"),
        ("levels", "BTC:outlook.levels"),
        ("watch", "market:macro.next_fomc"),
    ]
    assert story.lede[1].facts == (rate,)
    eth_squeeze = replace(SQUEEZE, asset="ETH")
    linked = narrative.tell(
        [LEVELS, eth_levels, fomc, rate, lead, ETH_BREAK, eth_squeeze], ["BTC", "ETH"]
    )
    assert [x.facts[0].key for x in linked.watch][2] == "ETH:context.base_rate"


def test_the_same_fact_of_two_assets_is_one_sentence() -> None:
    ranges = [
        BRANCHES["price.prior_range/up"],
        replace(BRANCHES["price.prior_range/up"], asset="ETH"),
    ]
    story = narrative.tell([RECORD, *ranges], ["BTC", "ETH"])
    (markets,) = story.blocks
    assert [(x.kind, len(x.facts)) for x in markets.lines] == [("together", 2)]


def test_a_detail_is_left_out_when_the_fact_that_covers_it_is_said() -> None:
    spike = BRANCHES["liquidations.spike/one"]
    alone = narrative.tell([move(4.0), spike], ["BTC"])
    assert spike in alone.said
    assert spike not in narrative.tell([move(4.0), spike, SQUEEZE], ["BTC"]).said


def test_the_note_shows_the_lead_asset_s_daily_chart_and_its_mechanism() -> None:
    eth = ETH_BREAK
    assert narrative.lead_charts(SQUEEZE, None, [SQUEEZE], ["BTC"]) == (
        "btc_daily",
        "btc_liquidations",
    )
    assert narrative.lead_charts(FLIP, None, [FLIP], ["BTC"]) == ("btc_daily", "btc_funding")
    assert narrative.lead_charts(move(3.0), eth, [], ["BTC", "ETH"]) == ("btc_daily", "eth_daily")
    assert narrative.lead_charts(RECORD, eth, [RECORD, SQUEEZE], ["BTC", "ETH"]) == (
        "btc_daily",
        "btc_liquidations",
    )
    dxy = BRANCHES["macro.dxy_level_break/down-since"]
    assert narrative.lead_charts(dxy, None, [], ["BTC", "ETH"]) == ("btc_daily", "dxy")
    assert narrative.lead_charts(None, None, [], []) == ()


def test_the_caveat_comes_when_the_note_says_an_estimated_cluster() -> None:
    assert narrative.tell([BREAK, LEVELS], ["BTC"]).estimate_sources == LEVELS.sources
    rounds = BRANCHES["outlook.levels/up-round-round"]
    assert narrative.tell([BREAK, rounds], ["BTC"]).estimate_sources == ()


def test_every_fact_id_the_composer_names_is_registered() -> None:
    from analysis import FACTS
    from analysis.links import RULES

    ids = {s.id for s in FACTS}
    named = {
        *narrative.LEADS,
        *narrative.MEMBERS,
        *(m for ms in narrative.MEMBERS.values() for m in ms),
        *(i for _, paragraphs in narrative.BLOCKS for ids_ in paragraphs for i in ids_),
        *narrative.SUBSUMED,
        *narrative.SUBSUMED.values(),
        *narrative.TOGETHER,
        *narrative.EVENTS,
        narrative.LEVELS,
        narrative.BASE_RATE,
        narrative.MARKET_BASE_RATE,
        *(fid for fid, _ in narrative.MECHANISM_CHARTS),
    }
    assert named - ids == set()
    blocks = {b for b, _ in narrative.BLOCKS}
    assert {r.block for r in RULES} <= blocks


def test_a_squeeze_lead_says_its_move_first_and_itself_as_the_link() -> None:
    fall = move(-7.3)
    squeeze = replace(SQUEEZE, value=replace(SQUEEZE.value, side="long"))
    story = narrative.tell([fall, squeeze], ["BTC"])
    assert narrative.stories({f.key: f for f in (fall, squeeze)}, ["BTC"])[0][1] == squeeze
    what, link = story.lede
    assert what.facts == (fall,) and link.kind == "squeeze" and link.facts == (squeeze,)
    assert story.headline[0].facts == (fall,)
    assert story.charts == ("btc_daily", "btc_liquidations")


def test_the_charts_mark_only_the_levels_the_text_names() -> None:
    ath = replace(BRANCHES["price.ath/hourly"], asset="ETH")
    ranges = BRANCHES["price.prior_range/up"]
    facts = [RECORD, BRANCHES["price.ath/hourly"], BREAK, ath, ranges, move(1.0, "ETH")]
    story = narrative.tell(facts, ["BTC", "ETH"])
    kept = {f.key for f in narrative.chart_facts(facts, story)}
    assert {"BTC:price.ath", BREAK.key, ranges.key} <= kept  # the record, the break, the range
    assert "ETH:price.ath" not in kept  # Ether's record is nowhere in the text
    assert "ETH:price.change_24h_pct" in kept  # not a mark: every other fact stays


def test_a_24_hour_rank_says_the_move_so_the_plain_change_is_left_out() -> None:
    """The rank ("rose 7.1% in 24 hours, its largest daily gain since ...") says the move:
    the plain 24-hour change of the same asset is not said again, anywhere."""
    rank = phrasings()["price.change_24h_rank/drop-since"]  # Bitcoin, -12.8 %
    plain = move(-12.8)
    story = narrative.tell([plain, rank, move(-3.0, "ETH")], ["BTC", "ETH"])
    assert plain not in story.said and rank in story.lede[0].facts


def test_a_range_bound_day_says_the_range_and_watches_its_edges() -> None:
    """With no break and no levels, each range-bound asset's range is said in Markets and its
    What to watch bullet refers to it, with the nearest estimated clusters (so the caveat)."""
    from tests.analysis.test_trading_range import PHRASINGS as RANGES

    rng = RANGES["price.trading_range/none-narrower"]
    above = BRANCHES["clusters.nearest_short_above/one"]
    below = BRANCHES["clusters.nearest_long_below/one"]
    story = narrative.tell([move(0.3), rng, above, below], ["BTC"])
    assert kinds(story)["markets"] == ["range"]
    (edges,) = story.watch
    assert edges.kind == "edges" and edges.facts == (above, below) and edges.context == (rng,)
    assert story.estimate_sources == above.sources
    assert narrative.tell([move(0.3), rng], ["BTC"]).watch == ()  # no cluster: no bullet
    assert narrative.tell([move(4.0), rng, above], ["BTC"]).watch == ()  # not range-bound
    levels = narrative.tell([move(0.3), rng, above, LEVELS], ["BTC"]).watch
    assert [x.kind for x in levels] == ["levels"]  # the levels bullet comes first


def test_the_edges_bullet_reads() -> None:
    from tests.analysis.test_links import said
    from tests.analysis.test_trading_range import PHRASINGS as RANGES

    rng = RANGES["price.trading_range/none-narrower"]
    above = BRANCHES["clusters.nearest_short_above/one"]
    below = BRANCHES["clusters.nearest_long_below/one"]
    (edges,) = narrative.tell([move(0.3), rng, above, below], ["BTC"]).watch
    text = said(edges)
    assert text.startswith("Bitcoin: a daily close outside its two-week range; estimated ")
    assert "(shorts) and $" in text and text.endswith("(longs).")


def test_two_extreme_rsis_of_one_close_are_one_sentence() -> None:
    from tests.analysis.test_links import said

    btc = BRANCHES["momentum.rsi_14/overbought"]
    eth = replace(btc, asset="ETH", value=75.31)
    story = narrative.tell([move(1.0), btc, eth], ["BTC", "ETH"])
    (line,) = [x for b in story.blocks for x in b.lines if x.facts[0].id == "momentum.rsi_14"]
    assert line.kind == "together" and line.facts == (btc, eth)
    assert said(line) == (
        "The 14-day RSI stood at 71.0 for Bitcoin and 75.3 for Ether at the 22 November daily "
        "close, both in overbought territory."
    )
    oversold = replace(BRANCHES["momentum.rsi_14/oversold"], asset="ETH")
    apart = said(Line("together", (btc, oversold)))
    assert apart.count("14-day RSI") == 2 and "overbought" in apart and "oversold" in apart


def test_a_base_rate_of_another_story_is_not_attached_to_the_lead() -> None:
    """A Dollar Index break leads; the market's base rate is of Fear & Greed (said in Macro):
    it is no history of the lead story, so neither the lede nor What to watch says it
    (2026-01-10 set a Fear & Greed history after the DXY sentence). Of the DXY break, it is."""
    from tests.analysis.test_context_market import PHRASINGS as MARKET

    brk = BRANCHES["macro.dxy_level_break/up-first"]  # never before: it outranks the mood
    fear = BRANCHES["sentiment.fear_greed/up-from-neutral"]  # moved in a week: said
    fear_rate = MARKET["context.market_base_rate/extreme-fear"]
    dxy_rate = MARKET["context.market_base_rate/dxy-below"]
    story = narrative.tell([brk, fear, fear_rate], ["BTC"])
    assert story.lede[0].facts[0] == brk and fear in story.said
    assert fear_rate not in story.said
    with_dxy = narrative.tell([brk, dxy_rate], ["BTC"])
    assert dxy_rate in with_dxy.said


def test_a_day_with_no_second_story_adds_background_its_gates_leave_out() -> None:
    """Fear & Greed at 50, the dollar flat, the record far away and the FOMC 16 days
    off all fail their gates; with one story they are the background a quiet note says."""
    calm = BRANCHES["sentiment.fear_greed/flat-day-only"]
    dollar = BRANCHES["macro.dxy/flat"]
    far = replace(BRANCHES["price.pct_below_ath/below"], asset="BTC")
    fomc = BRANCHES["macro.next_fomc/sep-16-days"]
    flat = BRANCHES["open_interest.change_24h_pct/flat"]
    background = [calm, dollar, far, fomc, flat]
    quiet = narrative.tell([move(0.4), *background], ["BTC"])
    said = {f.key for f in quiet.said}
    assert said == {f.key for f in [move(0.4), *background]}
    assert kinds(quiet)["watch"] == ["watch"] and quiet.watch[0].facts == (fomc,)
    assert "steady" in kinds(quiet)["leverage"]
    assert quiet.headline[0].facts[0].id == "price.change_24h_pct"  # background never leads
    off = narrative.tell([move(0.4), *background], ["BTC"], NarrativeSettings(background=False))
    assert {f.key for f in off.said} == {move(0.4).key}
    full = NarrativeSettings(background_min_lines=0)  # as if the sections said enough
    busy = narrative.tell([RECORD, ETH_BREAK, *background], ["BTC", "ETH"], full)  # two stories
    gated = {calm.key}  # a record's day says Fear & Greed ("not euphoric") by its own gate
    assert {f.key for f in background} & {f.key for f in busy.said} == gated
    # two stories but sections of fewer than background_min_lines (8) sentences: background
    thin = narrative.tell([RECORD, ETH_BREAK, *background], ["BTC", "ETH"])
    assert sum(len(b.lines) for b in busy.blocks) < 8
    assert {dollar.key, fomc.key} <= {f.key for f in thin.said}  # the record says its distance
    far_fomc = replace(fomc, value=replace(fomc.value, days_until=22))
    assert far_fomc.key not in {f.key for f in narrative.tell([move(0.4), far_fomc], ["BTC"]).said}


def test_a_note_says_at_most_three_links_the_first_in_rules_order() -> None:
    """The demo's facts offer six links (squeeze, open interest, stretched, divergence,
    dollar, calm); the note says the first three, the others' facts plainly."""
    from analysis import compute_facts
    from analysis.links import RULES
    from pipeline import default_as_of
    from sources import load_snapshot
    from sources.calendar import load_fomc
    from tests.conftest import DEMO

    snapshot = load_snapshot(DEMO)
    facts = compute_facts(snapshot, default_as_of(snapshot), fomc=load_fomc())
    story = narrative.tell(facts, list(snapshot.assets))
    links = [x.kind for x in story.lines if x.kind in narrative.RULE_BY_ID]
    said = [k for k in links if not narrative.RULE_BY_ID[k].reading]
    assert said == ["squeeze", "stretched", "open_interest"]  # the lede's, then by section
    order = [r.id for r in RULES if not r.reading]
    assert order[:4] == ["squeeze", "rebound", "fizzled", "open_interest"]  # no rebound, no fizzle
    assert len(said) == narrative.MAX_LINKS
    kinds = {x.kind for x in story.lines}
    assert "divergence" not in kinds and "dollar" not in kinds and "calm" not in kinds
    plain = {f.id for x in story.lines if x.kind in ("fact", "together") for f in x.facts}
    assert {"momentum.divergence", "sentiment.fear_greed"} <= plain
