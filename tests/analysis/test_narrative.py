"""The story: scores from the specs, and sections arranged in Python for the templates."""

from __future__ import annotations

import pandas as pd

from analysis import FACTS, narrative
from models import Fact
from values import Majority, PriceLevelBreak

AS_OF = pd.Timestamp("2026-11-23T08:00:00Z")
COINGLASS, FUTURES, MODEL = ("CoinGlass",), ("Binance futures",), ("Binance futures", "spot")
SECTIONS = {s.id: s.section for s in FACTS}


def fact(fact_id: str, sources: tuple[str, ...], asset: str | None = "BTC") -> Fact:
    return Fact(fact_id, asset, 1.0, "USD", AS_OF, sources)


def ids(p: object) -> list[list[str]]:
    return [[s.fact.id for s in run] for run in p.runs]  # type: ignore[attr-defined]


def test_a_paragraph_orders_drops_covered_facts_and_groups_topics() -> None:
    facts = [
        fact("funding.rate", FUTURES),
        fact("liquidations.total_1h_usd", COINGLASS),
        fact("liquidations.total_24h_usd", COINGLASS),
        fact("liquidations.short_24h_usd", COINGLASS),
        fact("liquidations.short_share_24h", COINGLASS),
        fact("positioning.long_pct", FUTURES),
        fact("clusters.nearest_short_above", MODEL),
        fact("clusters.swept_24h", MODEL),
    ]
    p = narrative.paragraph("BTC", facts)
    assert ids(p) == [
        ["funding.rate"],
        [
            "liquidations.total_24h_usd",  # the 24-hour total before the last hour's
            "liquidations.short_share_24h",  # covers liquidations.short_24h_usd
            "liquidations.total_1h_usd",
        ],
        ["positioning.long_pct", "clusters.swept_24h", "clusters.nearest_short_above"],
    ]
    assert [[s.cited for s in run] for run in p.runs] == [
        [False],
        [False, True, True],  # the run's first sentence named CoinGlass
        [False, False, True],
    ]
    assert p.estimate_sources == MODEL
    assert p.facts[0].id == "funding.rate"


def test_a_covered_fact_stays_without_the_fact_covering_it() -> None:
    p = narrative.paragraph("BTC", [fact("positioning.long_pct", FUTURES)])
    assert ids(p) == [["positioning.long_pct"]] and p.estimate_sources == ()
    both = [fact("positioning.long_pct", FUTURES), fact("positioning.majority", FUTURES)]
    assert ids(narrative.paragraph("BTC", both)) == [["positioning.majority"]]


def test_the_estimate_caveat_comes_once_per_section() -> None:
    facts = [fact("clusters.swept_24h", MODEL, a) for a in ("BTC", "ETH")]
    facts.append(fact("price.last", ("Binance spot",)))
    sections = narrative.arrange(facts, SECTIONS, ["BTC", "ETH"])
    assert [s.id for s in sections] == ["price", "derivatives"]
    derivatives = sections[1].paragraphs
    assert [(p.asset, p.estimate_sources) for p in derivatives] == [("BTC", MODEL), ("ETH", ())]


def test_market_wide_paragraphs_come_last_and_unranked_facts_keep_registry_order() -> None:
    facts = [
        fact("cross.relative_24h", ("Binance spot",), None),
        fact("price.change_24h_pct", ("Binance spot",)),
        fact("price.last", ("Binance spot",)),
    ]
    (price,) = narrative.arrange(facts, SECTIONS, ["BTC"])
    assert [p.asset for p in price.paragraphs] == ["BTC", None]
    assert ids(price.paragraphs[0]) == [["price.change_24h_pct", "price.last"]]


def test_scores_come_from_the_specs_and_weigh_other_assets_less() -> None:
    new_ath = Fact("price.new_ath", "ETH", True, "bool", AS_OF, ("Binance spot",))
    assert narrative.score(new_ath, "ETH") == 100.0
    assert narrative.score(new_ath, "BTC") == 85.0
    first = PriceLevelBreak(120_000.0, "up", None)
    since = PriceLevelBreak(120_000.0, "up", "2026-05-27")  # 180 days before
    brk = Fact("price.level_break", "BTC", first, "level", AS_OF, ("Binance spot",))
    assert narrative.score(brk, "BTC") == 95.0
    brk = Fact("price.level_break", "BTC", since, "level", AS_OF, ("Binance spot",))
    assert narrative.score(brk, "BTC") == 55.0 + 30.0
    majority = Fact("positioning.majority", "BTC", Majority("short", 65.0), "state", AS_OF, ())
    assert narrative.score(majority, "BTC") == 15.0
    assert narrative.score(fact("price.last", ("x",)), "BTC") == 0.0


def test_a_macd_cross_at_the_last_close_is_news() -> None:
    """``crossed_days_ago`` 0 (the cross happened at the last close) scores as a recent cross."""
    from values import Macd

    def macd(days: int | None) -> Fact:
        on = None if days is None else f"2026-11-{22 - days}"
        value = Macd(1.0, 0.5, 0.5, "bullish", crossed_days_ago=days, crossed_on=on)
        return Fact("momentum.macd", "BTC", value, "state", pd.Timestamp("2026-11-23T08:00Z"), ())

    scores = [narrative.score(macd(d), "BTC") for d in (0, 3, 4, None)]
    assert scores == [45.0, 45.0, 5.0, 5.0]


def test_the_note_shows_the_lead_asset_s_daily_chart_and_its_mechanism() -> None:
    at = pd.Timestamp("2026-11-23T08:00Z")

    def f(fid: str, asset: str | None = "BTC") -> Fact:
        return Fact(fid, asset, 1.0, "state", at, ())

    squeeze, flip, eth = f("liquidations.squeeze"), f("funding.flip"), f("price.level_break", "ETH")
    assert narrative.lead_charts([squeeze], [flip], ["BTC"]) == ("btc_daily", "btc_liquidations")
    assert narrative.lead_charts([flip], [], ["BTC"]) == ("btc_daily", "btc_funding")
    assert narrative.lead_charts([squeeze, eth], [], ["BTC", "ETH"]) == (
        "btc_daily",
        "btc_liquidations",
        "eth_daily",
    )
    dxy = f("macro.dxy_level_break", None)
    assert narrative.lead_charts([dxy], [], ["BTC", "ETH"]) == ("btc_daily", "dxy")
    assert narrative.lead_charts([f("price.change_24h_pct")], [], ["BTC"]) == ("btc_daily",)
    assert narrative.lead_charts([], [], []) == ()
