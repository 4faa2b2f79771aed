"""The appendix lists each earlier case of a base rate, and shows their chart there only."""

from __future__ import annotations

import re
from dataclasses import replace

from models import ChartRef, Fact
from render import render_note
from tests.analysis.test_context_market import PHRASINGS as MARKET
from tests.render.make import LAST, context
from tests.render.test_appendix import appendix, text

RETURNS = [
    {"1d": 1.25, "7d": -3.5, "30d": 12.0, "drawdown_pct": -4.75},
    {"1d": -0.5, "7d": 2.0, "30d": -8.25, "drawdown_pct": -11.0},
    {"1d": 0.5, "7d": 2.0, "30d": 9.0, "drawdown_pct": 0.0},
]


def _with_cases(f: Fact) -> Fact:
    dates = ["2019-10-02", "2020-03-12", "2021-05-01"]
    evidence = dict(f.evidence) | {"dates": dates, "returns": RETURNS}
    return replace(f, evidence=evidence)


def _ref(name: str, section: str) -> ChartRef:
    return ChartRef(name, f"charts/{name}.png", f"chart {name}", 1080, 540, section)


def test_each_case_with_its_returns_and_drawdown() -> None:
    base = _with_cases(MARKET["context.market_base_rate/extreme-fear"])
    html = render_note(context([LAST, base])).html
    part = appendix(html)
    rows = re.findall(r'<table class="cases">.*?</table>', part, flags=re.S)
    assert len(rows) == 1
    cells = [text(r) for r in re.findall(r"<tr>(.*?)</tr>", rows[0], flags=re.S)]
    assert cells == [
        "Day 1 day 7 days 30 days Worst drawdown",
        "2 October 2019 +1.2% \u22123.5% +12.0% \u22124.8%",
        "12 March 2020 \u22120.5% +2.0% \u22128.2% \u221211.0%",
        "1 May 2021 +0.5% +2.0% +9.0% none",  # never below the start
    ]
    assert "Bitcoin: the 11 earlier cases" in text(part)


def test_the_base_rate_chart_is_in_the_appendix_only() -> None:
    """Whatever the story chooses (or with no choice, when the note shows every chart), the
    base-rate chart (section ``appendix``) is beside its cases, never in the note's body."""
    base = _with_cases(MARKET["context.market_base_rate/dxy-below"])
    charts = {
        "BTC": (_ref("btc_daily", "price"),),
        "market": (_ref("dxy", "macro"), _ref("market_base_rate", "appendix")),
    }
    ctx = context([LAST, base], charts=charts)
    for chosen in (("btc_daily",), ("btc_daily", "market_base_rate"), None):
        html = render_note(replace(ctx, story=replace(ctx.story, charts=chosen))).html
        body = html[: html.index('<section class="appendix"')]
        assert "market_base_rate.png" not in body
        extra = appendix(html)
        assert extra.count('src="charts/market_base_rate.png"') == 1
        assert extra.index("market_base_rate.png") > extra.index('<table class="cases">')
