"""Links: the fact combinations the note connects, each said as one sentence.

A link rule recognises facts that belong in one sentence (a squeeze and the crowd on the
squeezed side; funding read against the venue's default rate; open interest against the
price) and returns that sentence as a :class:`models.Line` of kind ``<rule id>``, phrased by
``templates/lines/<rule id>.html`` with words of co-occurrence or contrast (as, while, with,
but, despite), never of cause: the data shows that two things happened together, not why.

Each rule is a pure function of the facts still unsaid (by ``Fact.key``), every fact worth
saying (for the facts it reads for its wording only, its ``Line.context``), the assets in
order and the ``[narrative]`` settings; it returns its sentences best first, each with the
facts it says, so that the composer can take them and no figure is said twice. ``RULES``
lists them in order of preference: the composer (``analysis.narrative``) offers the lede
the first that touches the lead story, and each section the rest of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from models import Fact, Line, fact_key
from settings import NarrativeSettings

Facts = Mapping[str, Fact]
"""Facts by ``Fact.key``."""
Match = Callable[[Facts, Facts, Sequence[str], NarrativeSettings], list[Line]]
"""(facts still unsaid, every fact worth saying, assets, settings) -> the lines, best first."""


@dataclass(frozen=True)
class LinkRule:
    """A link: its id (the line kind and template name), what it connects, and its rule."""

    id: str
    about: str
    """What it connects, in a few words (docs and tests)."""
    match: Match
    block: str
    """The note section (``analysis.narrative.BLOCKS``) it is said in, unless in the lede."""
    lede: bool = True
    """Whether it may be the lede's second sentence (when it touches the lead story)."""
    background: bool = False
    """Whether it is background, said only on a day with no second story (never in the
    lede): it reads facts that are worth saying on such a day only."""
    reading: bool = False
    """Whether it reads one fact against a reference (funding against the venue's default,
    a range against earlier ones) rather than connecting two: a reading is no link, so it
    does not count towards the note's ``analysis.narrative.MAX_LINKS``."""


def _get(facts: Facts, asset: str | None, fact_id: str) -> Fact | None:
    return facts.get(fact_key(asset, fact_id))


def _sign(x: object) -> int:
    return (x > 0) - (x < 0) if isinstance(x, (int, float)) else 0


def _squeeze_key(f: Fact) -> tuple[str, str, str]:
    """What squeezes must share to share a sentence: side, window end and venues."""
    return str(f.value["side"]), str(f.evidence.get("to")), str(f.evidence.get("venues"))


def squeeze(
    facts: Facts, known: Facts, assets: Sequence[str], narrative: NarrativeSettings
) -> list[Line]:
    """Squeezes on one side over one window and venues, for every asset that had one, with
    each asset's account majority when it sits on the squeezed side (the crowd that fed it,
    still there)."""
    found = [f for a in assets if (f := _get(facts, a, "liquidations.squeeze")) is not None]
    lines = []
    for side, to, venues in dict.fromkeys(_squeeze_key(f) for f in found):
        same = [f for f in found if _squeeze_key(f) == (side, to, venues)]
        crowd = [
            m
            for f in same
            if (m := _get(facts, f.asset, "positioning.majority")) is not None
            and m.value["side"] == side
        ]
        lines.append(Line("squeeze", (*same, *crowd), reading=side))
    return lines


def _funding_reading(rate: Fact, narrative: NarrativeSettings) -> str:
    """``default``, ``above`` (longs pay up), ``below`` (under the default, still positive)
    or ``negative`` (shorts pay longs): the rate read against the venue's default."""
    pct = float(rate.value["pct"])
    default = narrative.funding_default_pct
    if abs(pct - default) <= narrative.funding_default_band_pct:
        return "default"
    if pct < 0:
        return "negative"
    return "above" if pct > default else "below"


def funding(
    facts: Facts, known: Facts, assets: Sequence[str], narrative: NarrativeSettings
) -> list[Line]:
    """Each asset's funding rate read against the venue's default, with its flip when one
    happened; assets with the same reading and the same flip (or none) share a sentence."""
    groups: dict[tuple[str, str, str], list[Fact]] = {}
    readings: dict[tuple[str, str, str], str] = {}
    for a in assets:
        rate = _get(facts, a, "funding.rate")
        if rate is None:
            continue
        flip = _get(facts, a, "funding.flip")
        when = "" if flip is None else str(flip.value["at"])[:10] + str(flip.value["to"])
        reading = _funding_reading(rate, narrative)
        key = (reading, when, "")
        groups.setdefault(key, []).extend([rate, *([flip] if flip else [])])
        readings[key] = reading
    return [Line("funding", tuple(g), reading=readings[k]) for k, g in groups.items()]


QUADRANTS: Mapping[tuple[int, int], str] = {
    (1, 1): "fresh",
    (-1, 1): "closing",
    (-1, -1): "cut",
    (1, -1): "added",
}
"""Open interest's and the price's signs, read: new positions into a rally, shorts closing
rather than new bets, leverage cut, positions added into a fall."""


def open_interest(
    facts: Facts, known: Facts, assets: Sequence[str], narrative: NarrativeSettings
) -> list[Line]:
    """Open interest against the price over 24 hours, for assets whose open interest moved
    at least ``oi_quadrant_min_pct`` and price at least ``oi_quadrant_min_move_pct``: new
    positions into a rally, shorts closing, leverage cut,
    positions added into a fall. Assets in the same quadrant share a sentence."""
    groups: dict[tuple[int, int], list[Fact]] = {}
    context: dict[tuple[int, int], list[Fact]] = {}
    for a in assets:
        oi = _get(facts, a, "open_interest.change_24h_pct")
        move = _get(known, a, "price.change_24h_pct")
        if oi is None or move is None or abs(float(oi.value)) < narrative.oi_quadrant_min_pct:
            continue
        if abs(float(move.value)) < narrative.oi_quadrant_min_move_pct:
            continue
        quadrant = (_sign(oi.value), _sign(move.value))
        if quadrant[1] == 0:
            continue
        groups.setdefault(quadrant, []).append(oi)
        context.setdefault(quadrant, []).append(move)
    return [
        Line("open_interest", tuple(g), tuple(context[q]), QUADRANTS[q]) for q, g in groups.items()
    ]


def steady(
    facts: Facts, known: Facts, assets: Sequence[str], narrative: NarrativeSettings
) -> list[Line]:
    """Background: open interest the price does not read (``open_interest`` leaves it), as
    ``little`` changed (under ``oi_quadrant_min_pct``), else ``trimmed`` or ``added`` while
    prices held within ``oi_quadrant_min_move_pct``. Assets with one reading share a line."""
    groups: dict[str, list[Fact]] = {}
    context: dict[str, list[Fact]] = {}
    for a in assets:
        oi = _get(facts, a, "open_interest.change_24h_pct")
        move = _get(known, a, "price.change_24h_pct")
        if oi is None or move is None:
            continue
        if abs(float(oi.value)) < narrative.oi_quadrant_min_pct:
            reading = "little"
        elif abs(float(move.value)) < narrative.oi_quadrant_min_move_pct or not _sign(move.value):
            reading = "trimmed" if float(oi.value) < 0 else "added"
        else:
            continue
        groups.setdefault(reading, []).append(oi)
        context.setdefault(reading, []).append(move)
    return [Line("steady", tuple(g), tuple(context[r]), r) for r, g in groups.items()]


def accounts(
    facts: Facts, known: Facts, assets: Sequence[str], narrative: NarrativeSettings
) -> list[Line]:
    """Background: the accounts' split, ``even`` for the assets whose majority holds under
    ``accounts_even_max_pct`` (one line), else each asset's majority (``most``)."""
    found = [m for a in assets if (m := _get(facts, a, "positioning.majority")) is not None]
    even = tuple(m for m in found if float(m.value["pct"]) < narrative.accounts_even_max_pct)
    most = [Line("accounts", (m,), reading="most") for m in found if m not in even]
    return ([Line("accounts", even, reading="even")] if even else []) + most


def _window_key(f: Fact) -> tuple[str, str]:
    """What liquidation totals must share to share a sentence: window end and venues."""
    return str(f.evidence.get("to")), str(f.evidence.get("venues"))


def liquidated(
    facts: Facts, known: Facts, assets: Sequence[str], narrative: NarrativeSettings
) -> list[Line]:
    """Background: each asset's liquidations over 24 hours with the shorts' share (none for an
    asset whose squeeze, said, gives them), assets of one window and venues in one line:
    ``even`` when no side reached ``liquidations_even_max_share`` for any of them, else
    ``sides`` (each share said)."""
    pairs = [
        (total, share)
        for a in assets
        if _get(known, a, "liquidations.squeeze") is None
        and (total := _get(facts, a, "liquidations.total_24h_usd")) is not None
        and (share := _get(facts, a, "liquidations.short_share_24h")) is not None
    ]
    top = narrative.liquidations_even_max_share
    lines = []
    for key in dict.fromkeys(_window_key(t) for t, _ in pairs):
        same = [(t, s) for t, s in pairs if _window_key(t) == key]
        even = all(1.0 - top < float(s.value) < top for _, s in same)
        said = tuple(f for pair in same for f in pair)
        lines.append(Line("liquidated", said, reading="even" if even else "sides"))
    return lines


def stretched(
    facts: Facts, known: Facts, assets: Sequence[str], narrative: NarrativeSettings
) -> list[Line]:
    """An overbought RSI on the day of a record high: stretched rather than over."""
    lines = []
    for a in assets:
        rsi, record = _get(facts, a, "momentum.rsi_14"), _get(known, a, "price.new_ath")
        if rsi is not None and record is not None and float(rsi.value) >= 70.0:
            lines.append(Line("stretched", (rsi,), (record,)))
    return lines


def divergence(
    facts: Facts, known: Facts, assets: Sequence[str], narrative: NarrativeSettings
) -> list[Line]:
    """An RSI divergence read against the day's move: one that came before a move its way
    (a bearish one before a fall), or one the move defied (a rally despite a bearish one)."""
    lines = []
    for a in assets:
        div, move = _get(facts, a, "momentum.divergence"), _get(known, a, "price.change_24h_pct")
        if div is None or move is None or not _sign(move.value):
            continue
        ahead = (div.value["kind"] == "bearish") == (_sign(move.value) < 0)
        lines.append(Line("divergence", (div,), (move,), "before" if ahead else "despite"))
    return lines


def dollar(
    facts: Facts, known: Facts, assets: Sequence[str], narrative: NarrativeSettings
) -> list[Line]:
    """The Dollar Index's break or big day (``dxy_min_move_pct``) beside the lead asset's
    24-hour move: a weaker dollar with a crypto bounce, or without one (and the other way
    round); none beside a move under ``dollar_crypto_min_move_pct``, which is no rally or
    slide."""
    dxy = _get(facts, None, "macro.dxy")
    move = _get(known, assets[0], "price.change_24h_pct") if assets else None
    if dxy is None or move is None or abs(float(move.value)) < narrative.dollar_crypto_min_move_pct:
        return []
    brk = _get(known, None, "macro.dxy_level_break")
    if brk is None and abs(float(dxy.value["change_1d_pct"])) < narrative.dxy_min_move_pct:
        return []  # said as background only: too small a day to set beside the crypto move
    dollar_way = "weaker" if float(dxy.value["change_1d_pct"]) < 0 else "stronger"
    reading = f"{dollar_way}_{'up' if _sign(move.value) > 0 else 'down'}"
    if brk is not None and brk.key not in facts:  # said already (the lede): referred to
        return [Line("dollar", (dxy,), (move, brk), reading)]
    return [Line("dollar", (dxy, *([brk] if brk else [])), (move,), reading)]


def calm(
    facts: Facts, known: Facts, assets: Sequence[str], narrative: NarrativeSettings
) -> list[Line]:
    """Fear & Greed short of extreme greed on the day of a record high: not euphoric."""
    mood = _get(facts, None, "sentiment.fear_greed")
    records = [r for a in assets if (r := _get(known, a, "price.new_ath")) is not None]
    if mood is None or not records:
        return []
    if float(mood.value["value"]) >= 100.0 - narrative.fear_greed_extreme:
        return []
    return [Line("calm", (mood,), (records[0],))]


def rebound(
    facts: Facts, known: Facts, assets: Sequence[str], narrative: NarrativeSettings
) -> list[Line]:
    """A 24-hour move of at least ``rebound_min_pct`` against the way the asset just broke a
    level (a rise after a first close below, a fall after one above): the contrast. The move
    said is its 24-hour rank when gated, else the plain 24-hour change."""
    lines = []
    for a in assets:
        broke = _get(known, a, "price.level_break")
        move = _get(facts, a, "price.change_24h_rank") or _get(facts, a, "price.change_24h_pct")
        if broke is None or move is None:
            continue
        pct = float(move.value["pct"] if move.id == "price.change_24h_rank" else move.value)
        down = broke.value["direction"] == "down"
        if abs(pct) >= narrative.rebound_min_pct and (pct > 0) == down:
            lines.append(Line("rebound", (move,), (broke,), "up" if pct > 0 else "down"))
    return lines


def fizzled(
    facts: Facts, known: Facts, assets: Sequence[str], narrative: NarrativeSettings
) -> list[Line]:
    """A liquidation spike of at least ``fizzle_min_multiple`` median hours (as much as a
    median day), led by one side (at least ``fizzle_min_share`` of its hour), while
    the 24-hour price move the way a squeeze of that side would push stayed under
    ``fizzle_max_pct``: a squeeze that fizzled."""
    lines = []
    for a in assets:
        spike, move = _get(facts, a, "liquidations.spike"), _get(known, a, "price.change_24h_pct")
        if spike is None or move is None:
            continue
        shorts, longs = float(spike.evidence["short_usd"]), float(spike.evidence["long_usd"])
        side = "short" if shorts >= longs else "long"
        share = max(shorts, longs) / (shorts + longs) if shorts + longs else 0.0
        pushed = float(move.value) if side == "short" else -float(move.value)
        big = float(spike.value) >= narrative.fizzle_min_multiple
        if big and share >= narrative.fizzle_min_share and pushed < narrative.fizzle_max_pct:
            lines.append(Line("fizzled", (spike,), (move,), side))
    return lines


def _narrowest(rng: Fact, narrative: NarrativeSettings) -> bool:
    """Whether no earlier window was as narrow for ``range_narrow_min_days``."""
    narrower = rng.value["narrower"]
    days = rng.value["history_days"] if narrower is None else narrower["days_ago"]
    return isinstance(days, int) and days >= narrative.range_narrow_min_days


def trading_range(
    facts: Facts, known: Facts, assets: Sequence[str], narrative: NarrativeSettings
) -> list[Line]:
    """Each range-bound asset's range, read against earlier windows: its own sentence when it
    is the narrowest in ``range_narrow_min_days`` (reading ``narrowest``); the others in one
    sentence, ``narrower`` when each is narrower than most of the past year's windows (as the
    gate asks), else ``plain``."""
    found = [f for a in assets if (f := _get(facts, a, "price.trading_range")) is not None]
    narrow = [f for f in found if _narrowest(f, narrative)]
    rest = tuple(f for f in found if f not in narrow)
    most = all((f.value["wider_share"] or 0.0) > 0.5 for f in rest)
    return [Line("range", (f,), reading="narrowest") for f in narrow] + (
        [Line("range", rest, reading="narrower" if most else "plain")] if rest else []
    )


RULES: tuple[LinkRule, ...] = (
    LinkRule("squeeze", "a squeeze and the majority on the squeezed side", squeeze, "leverage"),
    LinkRule("rebound", "a 24-hour move against a level just broken", rebound, "markets"),
    LinkRule(
        "range",
        "a range-bound price against earlier ranges",
        trading_range,
        "markets",
        lede=False,
        reading=True,
    ),
    LinkRule(
        "fizzled", "a one-sided liquidation spike the price did not follow", fizzled, "leverage"
    ),
    LinkRule(
        "funding", "funding against the venue's default rate", funding, "leverage", reading=True
    ),
    LinkRule("open_interest", "open interest against the price", open_interest, "leverage"),
    LinkRule("stretched", "overbought at a record", stretched, "markets", lede=False),
    LinkRule("divergence", "an RSI divergence against the move", divergence, "markets"),
    LinkRule("dollar", "the dollar's move beside the crypto move", dollar, "macro"),
    LinkRule("calm", "sentiment short of euphoria at a record", calm, "macro", lede=False),
    LinkRule(
        "liquidated",
        "the day's liquidations and their sides",
        liquidated,
        "leverage",
        lede=False,
        background=True,
        reading=True,
    ),
    LinkRule(
        "steady",
        "open interest the price does not read",
        steady,
        "leverage",
        lede=False,
        background=True,
        reading=True,
    ),
    LinkRule(
        "accounts",
        "the accounts' split",
        accounts,
        "leverage",
        lede=False,
        background=True,
        reading=True,
    ),
)
"""Every link, in order of preference."""
