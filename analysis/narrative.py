"""Choosing what the note says and how it hangs together: the gate, scores, stories, links.

Each fact's score rule is its spec's ``score`` (with the fact in its topic module), on a 0-100
scale: a new all-time high (100) beats a first close above a round level in months (70-95),
which beats a squeeze with $300M liquidated (80) and a funding flip (50-65), which beat a 1 %
daily move (about 18); supporting numbers (totals, open interest) score low.

First the gate: a fact enters the prose only when its spec's ``worth`` rule holds under the
``[narrative]`` settings; the others stay in facts.json and in the note's appendix. Then:

- **Stories.** Each asset's (and the market's) best story is its best fact among ``LEADS``,
  plus a few points per gated fact that corroborates it (``MEMBERS``). The best story of any
  asset leads; another asset's story scoring at least ``SECOND_STORY_FLOOR`` is the second.
- **The lede.** Sentence one (``what``) says the lead story and the second story. Sentence
  two is the first link (``analysis.links``) that touches the lead story, else the lead
  asset's base rate.
- **The sections** (``BLOCKS``): each link that still applies, then each listed fact not yet
  said (one sentence for several assets when ``TOGETHER`` lists its id).
- **What to watch**: each asset's levels, an event within days, the base rate if unsaid;
  ``MAX_WATCH`` bullets at most.
- **Background.** On a day with no second story, or whose sections would say fewer than
  ``background_min_lines`` sentences (``[narrative] background``), the facts whose
  ``FactSpec.background`` rule holds join those worth saying after the lede is chosen (the
  distance to each record, the day's volume, the RSI, Fear & Greed, the Dollar Index, the
  next FOMC meeting, the 7-day lead), and the background links (``LinkRule.background``)
  read open interest, the accounts' split and the day's liquidations: the state of the
  market a quiet note says.

Every line takes the facts whose figures it says, so that no fact, and so no figure, is said
twice; facts no line takes stay in the table, facts.json and the appendix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analysis import FACTS
from analysis.links import RULES, LinkRule
from analysis.registry import FactSpec
from models import Block, Fact, Line, Story, chart_name, fact_key
from settings import NarrativeSettings

SPECS: Mapping[str, FactSpec] = {s.id: s for s in FACTS}
"""Every registered fact's spec, by id."""

LEADS = (
    "price.new_ath",
    "price.level_break",
    "price.change_24h_rank",
    "liquidations.squeeze",
    "funding.flip",
    "macro.dxy_level_break",
    "sentiment.fear_greed",
    "price.change_24h_pct",
)
"""Facts that can lead a story, in order of preference between equal scores."""
MEMBERS: Mapping[str, tuple[str, ...]] = {
    "price.new_ath": ("price.level_break", "liquidations.squeeze", "price.weekly_gain_rank"),
    "price.level_break": ("price.prior_range", "liquidations.squeeze", "price.weekly_gain_rank"),
    "price.change_24h_rank": ("liquidations.squeeze", "price.level_break", "liquidations.spike"),
    "liquidations.squeeze": ("liquidations.spike", "positioning.majority"),
    "price.change_24h_pct": ("liquidations.squeeze", "liquidations.spike"),
}
"""Facts that corroborate a lead fact of the same asset: each adds ``CORROBORATION``."""
CORROBORATION = 5.0
SECOND_STORY_FLOOR = 50.0
PRICE_LEADS = (
    "price.new_ath",
    "price.level_break",
    "price.change_24h_rank",
    "price.change_24h_pct",
)
MOVES = ("price.change_24h_rank", "price.change_24h_pct")
"""A lead that is a 24-hour move; the last is the plain change every asset has."""
MECHANISMS = ("liquidations.squeeze",)
"""Lead facts that explain a move rather than state one: the lede says the move first."""
BLOCKS: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    (
        "markets",
        (
            (
                "price.level_break",
                "price.prior_range",
                "price.trading_range",
                "price.volume_24h_pct",
                "price.change_24h_rank",
                "price.weekly_gain_rank",
                "price.intraday_pct",
                "price.pct_below_ath",
                "cross.relative_24h",
                "cross.relative_7d",
            ),
            ("momentum.rsi_14", "momentum.divergence", "momentum.macd"),
        ),
    ),
    (
        "leverage",
        (
            (
                "liquidations.squeeze",
                "liquidations.spike",
                "liquidations.total_24h_usd",
                "funding.rate",
                "open_interest.change_24h_pct",
                "positioning.majority",
            ),
        ),
    ),
    ("macro", (("macro.dxy", "macro.dxy_level_break", "sentiment.fear_greed"),)),
)
"""The note's sections, each in paragraphs listing, in reading order, the facts they say in
their own sentence or in a link (``LinkRule.block``): a line goes where its first fact's id
is listed."""
SUBSUMED: Mapping[str, str] = {
    "liquidations.spike": "liquidations.squeeze",
    "price.pct_below_ath": "price.new_ath",
    "momentum.rsi_14": "momentum.divergence",
    "price.change_24h_pct": "price.change_24h_rank",
}
"""A fact the note leaves out when this fact of its asset is worth saying: the spike inside a
squeeze is its detail; a record says the distance to it; a divergence says the RSI; a 24-hour
rank says the 24-hour move (all stay in the table, facts.json and the appendix)."""
LINKED_ONLY = (
    "open_interest.change_24h_pct",
    "liquidations.total_24h_usd",
    "positioning.majority",
)
"""Facts said only in a link (``BLOCKS`` lists them to place it): alone they read nothing."""
TOGETHER = ("momentum.rsi_14", "price.prior_range", "price.pct_below_ath", "price.volume_24h_pct")
"""Facts said in one sentence for several assets (their partials define ``together``)."""
LEVELS = "outlook.levels"
"""Each asset's What to watch bullet, lead asset first..."""
RANGE = "price.trading_range"
CLUSTERS = ("clusters.nearest_short_above", "clusters.nearest_long_below")
"""...else, on a range-bound day, its range's edges and the nearest estimated clusters."""
EVENTS = ("macro.next_fomc",)
"""Market-wide facts of What to watch."""
BASE_RATE, MARKET_BASE_RATE = "context.base_rate", "context.market_base_rate"
"""What followed earlier cases of the lead story: an asset's, or the market's (a dollar or
sentiment lead); at most one is said, attached to the lead."""
MAX_WATCH = 3
RULE_BY_ID: Mapping[str, LinkRule] = {r.id: r for r in RULES}
"""Every link rule, by id (a link line's kind)."""
MAX_LINKS = 3
"""Links (``LinkRule`` not a ``reading``) a note says at most, the lede's included: the
first that apply in ``RULES`` order; the facts of the others are said plainly (a fact
``LINKED_ONLY`` not at all)."""


def score(fact: Fact) -> float:
    """How newsworthy ``fact`` is, 0-100."""
    return SPECS[fact.id].score(fact)


def worth_saying(facts: Sequence[Fact], narrative: NarrativeSettings) -> list[Fact]:
    """The facts whose gate (``FactSpec.worth``) lets them into the prose, in their order."""
    by_key = {f.key: f for f in facts}
    return [f for f in facts if SPECS[f.id].worth(f, by_key, narrative)]


def story_score(lead: Fact, told: Mapping[str, Fact]) -> float:
    """A story's score: its lead fact's, plus ``CORROBORATION`` per gated fact that backs it."""
    backing = sum(fact_key(lead.asset, m) in told for m in MEMBERS.get(lead.id, ()))
    return score(lead) + CORROBORATION * backing


def stories(
    told: Mapping[str, Fact], assets: Sequence[str], known: Mapping[str, Fact] | None = None
) -> list[tuple[float, Fact]]:
    """Each asset's (and the market's) best story among the facts of ``told``, as (score,
    lead fact), best first, backed by the gated facts of ``known`` (default ``told``: a fact
    the note leaves out as subsumed still backs a story); ties go to the earlier asset and
    the earlier entry of ``LEADS``."""
    backing = told if known is None else known
    best = []
    for asset in [*assets, None]:
        leads = [told[k] for i in LEADS if (k := fact_key(asset, i)) in told]
        if leads:
            top = max(leads, key=lambda f: (story_score(f, backing), -LEADS.index(f.id)))
            best.append((story_score(top, backing), top))
    order = {a: i for i, a in enumerate([*assets, None])}
    return sorted(best, key=lambda s: (-s[0], order[s[1].asset]))


def tell(
    facts: Sequence[Fact], assets: Sequence[str], narrative: NarrativeSettings | None = None
) -> Story:
    """The note's story from ``facts``: every fact scored, those worth saying under
    ``narrative`` (default settings when None) chosen into the headline, the lede, the
    sections and What to watch, each said once."""
    narrative = narrative or NarrativeSettings()
    known = {f.key: f for f in worth_saying(facts, narrative)}
    told = {k: f for k, f in known.items() if not _subsumed(f, known)}
    ranked = stories(told, assets, known)
    lead = ranked[0][1] if ranked else None
    second = next((f for s, f in ranked[1:] if s >= SECOND_STORY_FLOOR), None)
    what = _what(told, _front(told, known, lead), second, assets)
    link = _lede_link(told, known, assets, narrative, lead)
    history = None if link else _base_rate(told, known, lead, "history")
    if history is not None:
        _take(told, history)
    lede = tuple(x for x in (what, link or history) if x is not None)
    room = MAX_LINKS - (0 if link is None or RULE_BY_ID[link.kind].reading else 1)
    quiet = narrative.background and second is None
    left, worth, blocks = _sections(facts, told, known, assets, narrative, quiet, room)
    lines_said = sum(len(b.lines) for b in blocks)
    if narrative.background and not quiet and lines_said < narrative.background_min_lines:
        left, worth, blocks = _sections(facts, told, known, assets, narrative, True, room)
    watch = _watch(left, worth, assets, lead)
    front = what.facts[0] if what else None
    parts = (
        Line("headline", (front,)) if front else None,
        link,
        Line("headline", (second,)) if second else None,
    )
    lines = (*lede, *(x for b in blocks for x in b.lines), *watch)
    said = [f for line in lines for f in (*line.facts, *line.context)]
    estimates = [f for f in said if SPECS[f.id].estimate(f)]
    return Story(
        headline=tuple(p for p in parts if p is not None),
        lede=lede,
        blocks=blocks,
        watch=watch,
        scores={f.key: score(f) for f in facts},
        charts=lead_charts(lead, second, said, assets),
        estimate_sources=estimates[0].sources if estimates else (),
    )


def _sections(
    facts: Sequence[Fact],
    told: Mapping[str, Fact],
    known: Mapping[str, Fact],
    assets: Sequence[str],
    narrative: NarrativeSettings,
    background: bool,
    room: int,
) -> tuple[dict[str, Fact], dict[str, Fact], tuple[Block, ...]]:
    """The sections from the facts still to say (with the background when ``background``)
    and ``room`` links, with what is still unsaid and every fact worth saying after them
    (``told`` and ``known`` are left as they are)."""
    left, worth = dict(told), dict(known)
    if background:
        _background(facts, worth, left, narrative)
    links = _links(left, worth, assets, narrative, room)
    return left, worth, _blocks(left, worth, assets, narrative, background, links)


def _background(
    facts: Sequence[Fact],
    known: dict[str, Fact],
    told: dict[str, Fact],
    narrative: NarrativeSettings,
) -> None:
    """Lets into ``known`` and ``told`` (unless subsumed) each fact the gate left out whose
    background gate (``FactSpec.background``) holds: a day with no second story says the
    state of the market its gates leave out."""
    by_key = {f.key: f for f in facts}
    for f in facts:
        rule = SPECS[f.id].background
        if f.key not in known and rule is not None and rule(f, by_key, narrative):
            known[f.key] = f
            if not _subsumed(f, known):
                told[f.key] = f


def _subsumed(fact: Fact, known: Mapping[str, Fact]) -> bool:
    """Whether the note leaves ``fact`` out for a fact of its asset that says it
    (``SUBSUMED``); it stays in ``known``, for links that read it for their wording."""
    by = SUBSUMED.get(fact.id)
    return by is not None and fact_key(fact.asset, by) in known


def _take(told: dict[str, Fact], line: Line) -> Line:
    """``line``, its facts removed from those still to say."""
    for f in line.facts:
        told.pop(f.key, None)
    return line


def _front(told: Mapping[str, Fact], known: Mapping[str, Fact], lead: Fact | None) -> Fact | None:
    """What the lede says first of the lead story: its lead fact, or for a squeeze the price
    move it came with (its asset's best gated fact of ``PRICE_LEADS``), so that the squeeze
    can be the link that explains it."""
    if lead is None or lead.id not in MECHANISMS:
        return lead
    moves = [told[k] for i in PRICE_LEADS if (k := fact_key(lead.asset, i)) in told]
    return max(moves, key=lambda f: story_score(f, known), default=lead)


def _what(
    told: dict[str, Fact], lead: Fact | None, second: Fact | None, assets: Sequence[str]
) -> Line | None:
    """The lede's first sentence, taken: the lead fact, then the second story's; on a day
    led by a 24-hour move with no second story, the next asset's 24-hour change instead (both
    moves in one sentence)."""
    if lead is None:
        return None
    if second is None and lead.id in MOVES:
        others = [told[k] for a in assets if (k := fact_key(a, MOVES[-1])) in told]
        second = next((f for f in others if f.asset != lead.asset), None)
    return _take(told, Line("what", (lead, *([second] if second else []))))


def _touches(line: Line, lead: Fact) -> bool:
    """Whether a link is about the lead story: one of its facts is of the lead's asset."""
    return any(f.asset == lead.asset for f in (*line.facts, *line.context))


def _lede_link(
    told: dict[str, Fact],
    known: Mapping[str, Fact],
    assets: Sequence[str],
    narrative: NarrativeSettings,
    lead: Fact | None,
) -> Line | None:
    """The first link (in ``RULES`` order) that touches the lead story, taken."""
    if lead is None:
        return None
    for rule in RULES:
        if not rule.lede or rule.background:
            continue
        for line in rule.match(told, known, assets, narrative):
            if _touches(line, lead):
                return _take(told, line)
    return None


def _blocks(
    told: dict[str, Fact],
    known: Mapping[str, Fact],
    assets: Sequence[str],
    narrative: NarrativeSettings,
    background: bool,
    links: Sequence[Line],
) -> tuple[Block, ...]:
    """The sections: each one's ``links`` (chosen by ``_links``), its readings (background
    ones too on a ``background`` day) and listed facts still unsaid, in the paragraphs and
    order of ``BLOCKS`` (asset order within one id); sections and paragraphs with nothing to
    say left out."""
    out = []
    for block, paragraphs in BLOCKS:
        lines = [_take(told, line) for line in links if RULE_BY_ID[line.kind].block == block]
        lines += [
            _take(told, line)
            for rule in RULES
            if rule.reading and rule.block == block and (background or not rule.background)
            for line in rule.match(told, known, assets, narrative)
        ]
        for fact_id in (i for ids in paragraphs for i in ids if i not in LINKED_ONLY):
            found = [told[k] for a in [*assets, None] if (k := fact_key(a, fact_id)) in told]
            if len(found) > 1 and fact_id in TOGETHER:
                lines.append(_take(told, Line("together", tuple(found))))
            else:
                lines.extend(_take(told, Line("fact", (f,))) for f in found)
        grouped = tuple(
            run
            for ids in paragraphs
            if (run := tuple(x for i in ids for x in lines if x.facts[0].id == i))
        )
        if grouped:
            out.append(Block(block, grouped))
    return tuple(out)


def _links(
    told: Mapping[str, Fact],
    known: Mapping[str, Fact],
    assets: Sequence[str],
    narrative: NarrativeSettings,
    room: int,
) -> list[Line]:
    """The first ``room`` links (``RULES`` order, readings aside) the sections say, each
    matched over the facts the ones before it left (``told`` is left as it is: the sections
    take them)."""
    left = dict(told)
    chosen: list[Line] = []
    for rule in RULES:
        if rule.reading:
            continue
        for line in rule.match(left, known, assets, narrative):
            if len(chosen) < room:
                chosen.append(_take(left, line))
    return chosen


def _base_rate(
    told: dict[str, Fact], known: Mapping[str, Fact], lead: Fact | None, kind: str
) -> Line | None:
    """The lead story's base rate (its asset's, or the market's for a market-wide lead) as a
    line of ``kind`` (``history`` in the lede, ``watch`` in What to watch), if it is worth
    saying and about an event of the lead story (its lead fact, a fact that backs it in
    ``MEMBERS``, or the move a 24-hour rank reads) that the note says."""
    if lead is None:
        return None
    rate = told.get(fact_key(lead.asset, BASE_RATE if lead.asset else MARKET_BASE_RATE))
    if rate is None:
        return None
    event = str(rate.value["event"])
    story = {lead.id, *MEMBERS.get(lead.id, ())}
    if lead.id in MOVES:
        story.add(MOVES[-1])  # a 24-hour rank reads the plain 24-hour move
    if event not in story or fact_key(lead.asset, event) not in known:
        return None
    return Line(kind, (rate,))


def _watch(
    told: dict[str, Fact], known: Mapping[str, Fact], assets: Sequence[str], lead: Fact | None
) -> tuple[Line, ...]:
    """What to watch: the lead asset's levels first, then the others', an event within
    days, the lead asset's base rate if still unsaid; ``MAX_WATCH`` bullets at most."""
    first = [lead.asset] if lead and lead.asset else []
    lines = [
        line
        for a in dict.fromkeys([*first, *assets])
        if (line := _levels(told, known, a) or _edges(told, known, a)) is not None
    ]
    lines += [Line("watch", (told[k],)) for i in EVENTS if (k := fact_key(None, i)) in told]
    history = _base_rate(told, known, lead, "watch")
    if history is not None:
        lines = [*lines[: MAX_WATCH - 1], history]
    return tuple(_take(told, line) for line in lines[:MAX_WATCH])


def _levels(told: Mapping[str, Fact], known: Mapping[str, Fact], asset: str) -> Line | None:
    """An asset's levels bullet; ``cleared`` (referring to the level) when the note says the
    break of its support level (a level break is always said once it is worth saying)."""
    levels = told.get(fact_key(asset, LEVELS))
    if levels is None:
        return None
    broke = known.get(fact_key(asset, "price.level_break"))
    if broke is not None and broke.value["level"] == levels.value["support"]:
        return Line("levels", (levels,), (broke,), "cleared")
    return Line("levels", (levels,))


def _edges(told: Mapping[str, Fact], known: Mapping[str, Fact], asset: str) -> Line | None:
    """A range-bound asset's bullet (its ``RANGE`` said in the sections, so referred to): a
    daily close outside the range, and the nearest estimated liquidation clusters either
    side (``CLUSTERS``); none without a cluster."""
    rng = known.get(fact_key(asset, RANGE))
    clusters = tuple(told[k] for i in CLUSTERS if (k := fact_key(asset, i)) in told)
    if rng is None or not clusters:
        return None
    return Line("edges", clusters, (rng,))


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
MAX_CHARTS = 2


def lead_charts(
    lead: Fact | None, second: Fact | None, said: Sequence[Fact], assets: Sequence[str]
) -> tuple[str, ...]:
    """The charts the note shows (the rest go to the appendix), ``MAX_CHARTS`` of them: the
    lead asset's daily chart, then the chart of its story's mechanism (the first of
    ``MECHANISM_CHARTS`` among the facts the note says of it; the Dollar Index when a dollar
    fact leads), else the second story's asset's daily chart."""
    asset = lead.asset if lead and lead.asset else (assets[0] if assets else None)
    if asset is None:
        return ()
    names = [chart_name(asset, "daily")]
    if lead is not None and lead.asset is None and lead.id.startswith("macro.dxy"):
        names.append(chart_name(None, "dxy"))
    else:
        ids = {f.id for f in said if f.asset == asset}
        kind = next((k for fid, k in MECHANISM_CHARTS if fid in ids), None)
        if kind is not None:
            names.append(chart_name(asset, kind))
    if second is not None and second.asset and second.asset != asset and len(names) < MAX_CHARTS:
        names.append(chart_name(second.asset, "daily"))
    return tuple(names)


MARKS: Mapping[str, tuple[str, ...]] = {
    "price.ath": ("price.new_ath", "price.pct_below_ath"),
    "price.level_break": ("price.level_break",),
    "price.prior_range": ("price.prior_range",),
    "price.trading_range": ("price.trading_range",),
}
"""The price charts' marks (the all-time high, the broken level, the prior range or the range
the price trades in), each with
the facts whose sentence names it."""


def chart_facts(facts: Sequence[Fact], story: Story) -> list[Fact]:
    """``facts`` for the charts: without the marks the note's text does not name, so that a
    chart annotates only the levels the reader has read about."""
    named = {f.key for line in story.lines for f in (*line.facts, *line.context)}
    return [
        f
        for f in facts
        if f.id not in MARKS or any(fact_key(f.asset, i) in named for i in MARKS[f.id])
    ]
