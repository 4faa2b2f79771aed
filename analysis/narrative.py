"""Choosing what the note leads with: a newsworthiness score per fact, then the story.

Scores are on a 0-100 scale: a new all-time high (100) beats a first close above a round level
in months (70-95), which beats a squeeze with $300M liquidated (80) and a funding flip (50-65),
which beat a 1 % daily move (about 18); supporting numbers (totals, open interest) score low.
Facts about assets other than the first one count a little less, since readers of a BTC-led
market note look there first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from models import Fact, Paragraph, Section, Story

SECTION_ORDER = ("price", "derivatives", "momentum", "macro", "outlook")
SECONDARY_ASSET_WEIGHT = 0.85
MIN_TAKEAWAYS, MAX_TAKEAWAYS, TAKEAWAY_FLOOR = 3, 5, 25.0
SECOND_HEADLINE_FLOOR = 50.0


def _v(fact: Fact) -> dict[str, Any]:
    return fact.value if isinstance(fact.value, dict) else {}


def _num(fact: Fact) -> float:
    return float(fact.value) if isinstance(fact.value, int | float) else 0.0


def _first_since(fact: Fact, *, never: float, base: float, most: float) -> float:
    """A round-level break: ``never`` when the level was never closed beyond before, else
    ``base`` plus up to ``most`` as the last close beyond it recedes (a point per 6 days)."""
    since = _v(fact)["previous_close_beyond"]
    if since is None:
        return never
    days = (fact.as_of.tz_convert(None) - pd.Timestamp(since)).days
    return base + min(most, days / 6.0)


def _weekly_rank(fact: Fact) -> float:
    rank = int(_v(fact)["rank"])
    return 75.0 if rank == 1 else 60.0 if rank <= 3 else 40.0 if rank <= 5 else 10.0


def _squeeze(fact: Fact) -> float:
    return 65.0 + min(25.0, float(_v(fact)["liquidated_usd"]) / 20e6)


def _flip(fact: Fact) -> float:
    return 50.0 + min(15.0, 1000.0 * abs(float(_v(fact)["current_pct"])))


def _spike(fact: Fact) -> float:
    multiple = _num(fact)
    return 0.0 if multiple < 3.0 else min(50.0, 4.0 * multiple)


def _fear_greed(fact: Fact) -> float:
    v = _v(fact)
    extreme = not 25.0 <= float(v["value"]) <= 75.0
    return 40.0 if extreme or abs(float(v["change_7d"] or 0.0)) >= 20.0 else 10.0


def _fomc(fact: Fact) -> float:
    days = int(_v(fact)["days_until"])
    return 40.0 if days <= 2 else 25.0 if days <= 7 else 5.0


def _relative(fact: Fact) -> float:
    gaps = [abs(float(x)) for x in _v(fact)["vs_btc"].values()]
    return min(40.0, 5.0 + 5.0 * max(gaps, default=0.0))


def _cluster(fact: Fact) -> float:
    return 20.0 if abs(float(_v(fact)["distance_pct"])) < 2.0 else 8.0


SCORES: Mapping[str, Callable[[Fact], float]] = {
    "price.new_ath": lambda f: 100.0,
    "price.level_break": lambda f: _first_since(f, never=95.0, base=55.0, most=35.0),
    "price.weekly_gain_rank": _weekly_rank,
    "price.change_24h_pct": lambda f: min(70.0, 10.0 + 8.0 * abs(_num(f))),
    "price.change_7d_pct": lambda f: min(50.0, 5.0 + 3.0 * abs(_num(f))),
    "price.intraday_pct": lambda f: min(30.0, 5.0 + 4.0 * abs(_num(f))),
    "price.pct_below_ath": lambda f: 30.0 if _num(f) < 5.0 else 8.0,
    "price.prior_range": lambda f: 15.0,
    "momentum.divergence": lambda f: 40.0,
    "momentum.macd": lambda f: 45.0 if (_v(f)["crossed_days_ago"] or 99) <= 3 else 5.0,
    "momentum.rsi_14": lambda f: 5.0 if f.evidence["zone"] == "neutral" else 35.0,
    "liquidations.squeeze": _squeeze,
    "funding.flip": _flip,
    "liquidations.spike": _spike,
    "clusters.swept_24h": lambda f: min(40.0, 10.0 + float(_v(f)["total_usd"]) / 25e6),
    "clusters.nearest_short_above": _cluster,
    "clusters.nearest_long_below": _cluster,
    "funding.rate": lambda f: 35.0 if abs(float(_v(f)["annualised_pct"])) >= 30.0 else 5.0,
    "open_interest.change_24h_pct": lambda f: min(45.0, 5.0 + 4.0 * abs(_num(f))),
    "liquidations.total_24h_usd": lambda f: 10.0,
    "positioning.majority": lambda f: 15.0 if float(_v(f)["pct"]) >= 60.0 else 5.0,
    "macro.dxy_level_break": lambda f: _first_since(f, never=50.0, base=30.0, most=20.0),
    "macro.dxy": lambda f: min(30.0, 5.0 + 10.0 * abs(float(_v(f)["change_1d_pct"]))),
    "sentiment.fear_greed": _fear_greed,
    "macro.next_fomc": _fomc,
    "cross.relative_24h": _relative,
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
