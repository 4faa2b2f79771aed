"""Choosing what the note leads with: a newsworthiness score per fact, then the story.

Scores are on a 0-100 scale: a new all-time high (100) beats a first close above a round level
in months (70-95), which beats a 1 % daily move (about 18). Facts about assets other than the
first one count a little less, since readers of a BTC-led market note look there first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from models import Fact, Paragraph, Section, Story

SECTION_ORDER = ("price", "momentum")
SECONDARY_ASSET_WEIGHT = 0.85
MIN_TAKEAWAYS, MAX_TAKEAWAYS, TAKEAWAY_FLOOR = 3, 5, 25.0
SECOND_HEADLINE_FLOOR = 50.0


def _v(fact: Fact) -> dict[str, Any]:
    return fact.value if isinstance(fact.value, dict) else {}


def _num(fact: Fact) -> float:
    return float(fact.value) if isinstance(fact.value, int | float) else 0.0


def _level_break(fact: Fact) -> float:
    since = _v(fact)["previous_close_beyond"]
    if since is None:
        return 95.0
    days = (fact.as_of.tz_convert(None) - pd.Timestamp(since)).days
    return 55.0 + min(35.0, days / 6.0)


def _weekly_rank(fact: Fact) -> float:
    rank = int(_v(fact)["rank"])
    return 75.0 if rank == 1 else 60.0 if rank <= 3 else 40.0 if rank <= 5 else 10.0


SCORES: Mapping[str, Callable[[Fact], float]] = {
    "price.new_ath": lambda f: 100.0,
    "price.level_break": _level_break,
    "price.weekly_gain_rank": _weekly_rank,
    "price.change_24h_pct": lambda f: min(70.0, 10.0 + 8.0 * abs(_num(f))),
    "price.change_7d_pct": lambda f: min(50.0, 5.0 + 3.0 * abs(_num(f))),
    "price.intraday_pct": lambda f: min(30.0, 5.0 + 4.0 * abs(_num(f))),
    "price.pct_below_ath": lambda f: 30.0 if _num(f) < 5.0 else 8.0,
    "price.prior_range": lambda f: 15.0,
    "momentum.divergence": lambda f: 40.0,
    "momentum.macd": lambda f: 45.0 if (_v(f)["crossed_days_ago"] or 99) <= 3 else 5.0,
    "momentum.rsi_14": lambda f: 5.0 if f.evidence["zone"] == "neutral" else 35.0,
}
"""Newsworthiness of a fact by id; ids not listed (the last price, the ATH itself) score 0."""


def score(fact: Fact, lead_asset: str | None) -> float:
    """How newsworthy ``fact`` is, 0-100."""
    rule = SCORES.get(fact.id)
    base = rule(fact) if rule else 0.0
    weight = 1.0 if fact.asset in (lead_asset, None) else SECONDARY_ASSET_WEIGHT
    return base * weight


def tell(facts: Sequence[Fact], sections: Mapping[str, str], assets: Sequence[str]) -> Story:
    """Rank ``facts`` into a story. ``sections`` maps each fact id to its section id."""
    lead = assets[0] if assets else None
    scores = {f.key: score(f, lead) for f in facts}
    ranked = sorted(facts, key=lambda f: -scores[f.key])
    chosen = [f for f in ranked if scores[f.key] >= TAKEAWAY_FLOOR][:MAX_TAKEAWAYS]
    if len(chosen) < MIN_TAKEAWAYS:
        chosen = [f for f in ranked if scores[f.key] > 0][:MIN_TAKEAWAYS]
    headline = ranked[:1]
    other = [f for f in ranked if headline and f.asset != headline[0].asset]
    if other and scores[other[0].key] >= SECOND_HEADLINE_FLOOR:
        headline.append(other[0])
    return Story(
        headline=tuple(headline),
        takeaways=tuple(chosen),
        sections=_sections(facts, sections, assets),
        scores=scores,
    )


def _sections(
    facts: Sequence[Fact], sections: Mapping[str, str], assets: Sequence[str]
) -> tuple[Section, ...]:
    out = []
    for sid in dict.fromkeys([*SECTION_ORDER, *sections.values()]):
        paragraphs = tuple(
            Paragraph(asset, tuple(f for f in facts if f.asset == asset and sections[f.id] == sid))
            for asset in [*assets, None]
        )
        kept = tuple(p for p in paragraphs if p.facts)
        if kept:
            out.append(Section(sid, kept))
    return tuple(out)
