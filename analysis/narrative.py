"""Choosing what the note leads with and how its sections read: scores, then the story.

Each fact's score rule is its spec's ``score`` (with the fact in its topic module), on a 0-100
scale: a new all-time high (100) beats a first close above a round level in months (70-95),
which beats a squeeze with $300M liquidated (80) and a funding flip (50-65), which beat a 1 %
daily move (about 18); supporting numbers (totals, open interest) score low. Facts about assets
other than the first one count a little less, since readers of a BTC-led market note look
there first.

The sections are arranged here too, from the specs, so templates only lay them out: sentence
order, facts covered by another one left out, runs of one topic, which sentences need not name
their sources again, and where the note says that liquidation levels are model estimates.

Before all that, the gate: a fact enters the prose (headline, takeaways, sections) only when
its spec's ``worth`` rule holds under the ``[narrative]`` settings; the others stay in
facts.json and in the note's appendix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby

from analysis import FACTS
from analysis.registry import FactSpec
from models import Fact, Paragraph, Section, Sentence, Story, chart_name
from settings import NarrativeSettings

SECTION_ORDER = ("price", "derivatives", "momentum", "macro", "outlook")
SECONDARY_ASSET_WEIGHT = 0.85
MIN_TAKEAWAYS, MAX_TAKEAWAYS, TAKEAWAY_FLOOR = 3, 5, 25.0
SECOND_HEADLINE_FLOOR = 50.0

SPECS: Mapping[str, FactSpec] = {s.id: s for s in FACTS}
"""Every registered fact's spec, by id."""


def score(fact: Fact, lead_asset: str | None) -> float:
    """How newsworthy ``fact`` is, 0-100."""
    weight = 1.0 if fact.asset in (lead_asset, None) else SECONDARY_ASSET_WEIGHT
    return SPECS[fact.id].score(fact) * weight


def worth_saying(facts: Sequence[Fact], narrative: NarrativeSettings) -> list[Fact]:
    """The facts whose gate (``FactSpec.worth``) lets them into the prose, in their order."""
    by_key = {f.key: f for f in facts}
    return [f for f in facts if SPECS[f.id].worth(f, by_key, narrative)]


def tell(
    facts: Sequence[Fact],
    sections: Mapping[str, str],
    assets: Sequence[str],
    narrative: NarrativeSettings | None = None,
) -> Story:
    """Rank ``facts`` into a story. ``sections`` maps each fact id to its section id; only the
    facts worth saying under ``narrative`` (default settings when None) are told, though every
    fact is scored."""
    lead = assets[0] if assets else None
    scores = {f.key: score(f, lead) for f in facts}
    facts = worth_saying(facts, narrative or NarrativeSettings())
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
        sections=arrange(facts, sections, assets),
        scores=scores,
        charts=lead_charts(headline, chosen, assets),
    )


MECHANISM_CHARTS: tuple[tuple[str, str], ...] = (
    ("liquidations.squeeze", "liquidations"),
    ("liquidations.spike", "liquidations"),
    ("funding.flip", "funding"),
    ("clusters.nearest_short_above", "levels"),
    ("clusters.nearest_long_below", "levels"),
    ("price.new_ath", "7d"),
    ("price.level_break", "7d"),
)
"""The chart of a story's mechanism, by the fact that tells it, in order of preference."""
MAX_CHARTS = 3


def lead_charts(
    headline: Sequence[Fact], takeaways: Sequence[Fact], assets: Sequence[str]
) -> tuple[str, ...]:
    """The charts the note shows (the rest go to the appendix): the lead asset's daily chart,
    the chart of its story's mechanism (the first of ``MECHANISM_CHARTS`` among its headline
    and takeaway facts; the Dollar Index when a dollar fact leads), and the second headline
    asset's daily chart, three at most."""
    lead = next((f.asset for f in headline if f.asset), assets[0] if assets else None)
    if lead is None:
        return ()
    told = [*headline, *takeaways]
    ids = {f.id for f in told if f.asset == lead}
    names = [chart_name(lead, "daily")]
    if headline and headline[0].asset is None and headline[0].id.startswith("macro.dxy"):
        names.append(chart_name(None, "dxy"))
    else:
        kind = next((k for fid, k in MECHANISM_CHARTS if fid in ids), None)
        if kind is not None:
            names.append(chart_name(lead, kind))
    for f in headline:
        if f.asset and f.asset != lead:
            names.append(chart_name(f.asset, "daily"))
    return tuple(dict.fromkeys(names))[:MAX_CHARTS]


def arrange(
    facts: Sequence[Fact], sections: Mapping[str, str], assets: Sequence[str]
) -> tuple[Section, ...]:
    """The sections in ``SECTION_ORDER`` (then any other), each with a paragraph per asset of
    ``assets`` and a last, market-wide one, leaving out those without facts."""
    out = []
    for sid in dict.fromkeys([*SECTION_ORDER, *sections.values()]):
        paragraphs = []
        caveat = False
        for asset in [*assets, None]:
            mine = [f for f in facts if f.asset == asset and sections[f.id] == sid]
            if mine:
                paragraphs.append(paragraph(asset, mine, caveat=not caveat))
                caveat = caveat or bool(paragraphs[-1].estimate_sources)
        if paragraphs:
            out.append(Section(sid, tuple(paragraphs)))
    return tuple(out)


def paragraph(asset: str | None, facts: Sequence[Fact], *, caveat: bool = True) -> Paragraph:
    """One asset's facts of a section (in registry order) as a paragraph: sentences ordered by
    ``FactSpec.order``, covered facts left out, in runs of one topic. ``caveat``: end with the
    model-estimate caveat when a fact is an estimate (False once a section has said it)."""
    ids = {f.id for f in facts}
    kept = [f for f in facts if SPECS[f.id].covered_by not in ids]
    ordered = sorted(kept, key=_rank)
    runs = []
    for _, run in groupby(ordered, key=lambda f: SPECS[f.id].topic):
        said = list(run)
        runs.append(
            tuple(
                Sentence(f, cited=i > 0 and said[i - 1].sources == f.sources)
                for i, f in enumerate(said)
            )
        )
    estimates = [f for f in facts if SPECS[f.id].estimate]
    sources = estimates[0].sources if caveat and estimates else ()
    return Paragraph(asset, tuple(runs), sources)


def _rank(fact: Fact) -> tuple[bool, int]:
    """Sort key of a sentence: ranked facts by rank, then the unranked in registry order."""
    order = SPECS[fact.id].order
    return order is None, order or 0
