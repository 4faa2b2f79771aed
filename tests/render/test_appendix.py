"""The appendix: every fact of the note in one table, after the note, collapsed on screen."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

from analysis import FACTS
from render import render_note
from render.environment import make_environment
from render.filters import by_asset
from tests.render.make import BRANCHES, LAST, context, fact

MACRO = BRANCHES["macro.next_fomc/sep-16-days"]
ETH_LAST = fact("price.last", 4080.5, {"time": "2026-11-23T08:00:00Z"}, asset="ETH", unit="USD")


def appendix(html: str) -> str:
    start = html.index('<section class="appendix"')
    return html[start : html.index("</section>", start)]


def text(html: str) -> str:
    inline = re.sub(r"</?span[^>]*>", "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def test_every_registered_fact_has_its_own_label() -> None:
    """Each partial says what its fact is (``label()``), in words, distinct from the others."""
    env = make_environment()
    labels = {
        spec.id: str(env.get_template(f"facts/{spec.id}.html").module.label()).strip()  # type: ignore[attr-defined]
        for spec in FACTS
    }
    assert all(labels.values()) and [i for i, w in labels.items() if "." in w or "_" in w] == []
    assert len(set(labels.values())) == len(labels)


def test_the_appendix_lists_every_fact_even_those_the_prose_leaves_out() -> None:
    facts = [LAST, ETH_LAST, MACRO]
    ctx = context(facts)
    ctx = replace(ctx, story=replace(ctx.story, blocks=(), watch=()))  # the gate left all out
    html = render_note(ctx).html
    part = appendix(html)
    rows = re.findall(r'<th scope="row">(.*?)</th>', part)
    assert rows == ["Last price", "Last price", "Next FOMC decision"]
    groups = re.findall(r'<th scope="rowgroup" colspan="4">(.*?)</th>', part)
    assert groups == ["Bitcoin", "Ether", "Across assets"]
    words = text(part)
    assert "Every fact computed for this note from data known at 23 November 2026" in words
    assert "Bitcoin trades at $123,457. Binance spot 23 Nov, 08:00 UTC" in words
    assert "Federal Reserve 23 Nov, 08:00 UTC" in words
    assert "FOMC" not in text(html[: html.index('<section class="appendix"')])


def test_the_appendix_is_collapsed_after_the_disclaimer() -> None:
    html = render_note(context([LAST])).html
    part = appendix(html)
    assert html.index("not investment advice") < html.index('<section class="appendix"')
    assert "<details>" in part and "<details open" not in part
    assert re.search(r"<summary><h2 id=\"appendix-title\">Appendix: every figure computed", part)


def test_facts_in_runs_of_one_asset() -> None:
    eth = replace(MACRO, asset="ETH")
    runs = by_asset([LAST, LAST, eth, MACRO, LAST])
    assert [(a, len(r)) for a, r in runs] == [("BTC", 2), ("ETH", 1), (None, 1), ("BTC", 1)]
    assert by_asset([]) == []


def test_the_note_shows_the_story_s_charts_and_the_appendix_the_others() -> None:
    from models import ChartRef

    def ref(name: str, section: str = "price") -> ChartRef:
        return ChartRef(name, f"charts/{name}.png", f"chart {name}", 1080, 540, section)

    charts = {
        "BTC": (ref("btc_daily"), ref("btc_7d"), ref("btc_funding", "derivatives")),
        "market": (ref("dxy", "macro"),),
    }
    ctx = context([LAST, BRANCHES["funding.rate/positive"], MACRO], charts=charts)
    ctx = replace(ctx, story=replace(ctx.story, charts=("btc_daily", "btc_funding")))
    html = render_note(ctx).html
    body, extra = html[: html.index('<section class="appendix"')], appendix(html)
    shown = set(re.findall(r'src="charts/(\w+)\.png"', body))
    assert shown == {"btc_daily", "btc_funding"}
    assert set(re.findall(r'src="charts/(\w+)\.png"', extra)) == {"btc_7d", "dxy"}
    # without a choice (None) the note shows every chart and the appendix none
    every = render_note(replace(ctx, story=replace(ctx.story, charts=None))).html
    assert len(re.findall(r'src="charts/', appendix(every))) == 0
