"""What each fact's value is: a float, a bool, or one of the frozen dataclasses below.

Shared by ``analysis`` (which makes the values), ``charts`` and ``render`` (which read them);
those packages never import each other, and this module imports only the standard library and
``models``. Every fact id has exactly one value type here: ``SCALARS`` lists the number and flag
facts; an object-valued fact has a ``FactValue`` subclass naming its id in ``fact_id`` (found
when the class is defined; ``value_type`` looks either up). A field's docstring says what it
means (``docs/facts.md`` shows it).

A value object is also the read-only JSON object it serialises to: keys are the field names in
field order (``field(metadata=json_name("from"))`` gives a field that is a Python keyword its
JSON name), nested objects and tuples as they are. So ``value["level"]`` works (templates read
values that way) and unknown keys raise ``KeyError``; ``to_json`` gives plain JSON types.

Readers look values up by type, never by a string key: ``value_of(facts, "BTC",
PriceLevelBreak)`` is a ``PriceLevelBreak`` or None, so mypy checks every field read;
``number_of(facts, "BTC", "price.ath")`` checks the id against ``SCALARS`` (an unknown id
raises, it never reads as None).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, NoReturn, TypeVar

from models import Fact, JSONValue, fact_key

JSON_NAME = "json"
"""Field metadata key of a field's JSON name, when it is not the field's name."""

Direction = Literal["up", "down"]
Side = Literal["long", "short"]
Sign = Literal["positive", "negative"]


def json_name(name: str) -> dict[str, str]:
    """Field metadata giving the field this JSON key (``from`` is a Python keyword)."""
    return {JSON_NAME: name}


def _key(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get(JSON_NAME, f.name))


def _content(value: object) -> object:
    """A field value as the JSON object holds it: mappings as dicts, sequences as tuples."""
    if isinstance(value, JsonObject):
        return value
    if isinstance(value, Mapping):
        return {k: _content(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return tuple(_content(v) for v in value)
    return value


class JsonObject(dict[str, Any]):
    """Base of the value dataclasses: frozen, and equal in content to its JSON object.

    Subclasses are ``@dataclass(frozen=True)``; every field is set at construction and the
    JSON keys are filled from them then. Writing through the dict interface raises. Being a
    dict is what lets ``json.dumps`` (``pipeline.facts_document`` dumps ``f.value`` as it is)
    and Jinja subscripts read a value unchanged; ``to_json`` reads the fields instead.
    """

    def __post_init__(self) -> None:
        fields = dataclasses.fields(self)  # type: ignore[arg-type]
        dict.update(self, {_key(f): _content(getattr(self, f.name)) for f in fields})

    def _read_only(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is frozen")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return NotImplemented if equal is NotImplemented else not equal

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its constructor call (charts are drawn in forked worker processes)."""
        fields = dataclasses.fields(self)  # type: ignore[arg-type]
        return type(self), tuple(getattr(self, f.name) for f in fields)

    @classmethod
    def json_keys(cls) -> dict[str, str]:
        """Each field's JSON key, by field name, in order."""
        return {f.name: _key(f) for f in dataclasses.fields(cls)}  # type: ignore[arg-type]


_BY_ID: dict[str, type[FactValue]] = {}


class FactValue(JsonObject):
    """The value of one object-valued fact; ``fact_id`` names the fact."""

    fact_id: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "fact_id" in cls.__dict__:
            if cls.fact_id in _BY_ID:
                raise TypeError(f"{cls.fact_id}: two value types ({_BY_ID[cls.fact_id].__name__})")
            _BY_ID[cls.fact_id] = cls


def to_json(value: object) -> JSONValue:
    """A fact value (float, bool or value object) as plain JSON types, for ``json.dumps``."""
    if isinstance(value, JsonObject):
        keys = value.json_keys().items()
        return {key: to_json(getattr(value, name)) for name, key in keys}
    if isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    return value


# --- price -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelBreak(FactValue):
    """A round level crossed recently that the price is still beyond."""

    level: float
    """The level crossed (USD, or index points for the DXY)."""
    direction: Direction
    """``up`` (crossed from below) or ``down``."""
    previous_close_beyond: str | None
    """Date (YYYY-MM-DD) of the last daily close beyond the level before the run of daily closes
    now beyond it; None (null): never in the data."""


@dataclass(frozen=True)
class PriceLevelBreak(LevelBreak):
    """The most significant round price level crossed in the last 48 hours."""

    fact_id: ClassVar[str] = "price.level_break"


@dataclass(frozen=True)
class NarrowerRange(JsonObject):
    """An earlier window of as many days whose range was as narrow or narrower."""

    end: str
    """Last day of that window (YYYY-MM-DD)."""
    width_pct: float
    """Its width: high over low, minus one, percent."""
    days_ago: int
    """Calendar days from that day to the last full day of the current window."""


@dataclass(frozen=True)
class TradingRange(FactValue):
    """The range the price has traded in over the last days, read against earlier windows."""

    fact_id: ClassVar[str] = "price.trading_range"

    low: float
    """Lowest low of the window, today's partial day included, USD."""
    high: float
    """Highest high of the window, today's partial day included, USD."""
    start: str
    """First day of the window (YYYY-MM-DD)."""
    days: int
    """Full UTC days in the window (``range_days``), today's partial day not counted."""
    width_pct: float
    """High over low, minus one, percent."""
    narrower: NarrowerRange | None
    """The most recent earlier window as narrow or narrower; None (null): none in the history
    compared, so it is the narrowest since ``history_start``."""
    wider_share: float | None
    """Share (0-1) of the windows ending in the 365 days before the last full day that were
    wider; None (null) when the history holds less than a year of earlier windows."""
    history_start: str
    """Last day of the first earlier window compared (YYYY-MM-DD)."""
    history_days: int
    """Calendar days from ``history_start`` to the last full day of the current window."""


@dataclass(frozen=True)
class PriorRange(FactValue):
    """The range of the 7 full UTC days before the current move began."""

    fact_id: ClassVar[str] = "price.prior_range"

    low: float
    """Lowest low of the 7 days, USD."""
    high: float
    """Highest high of the 7 days, USD."""
    start: str
    """First day of the range (YYYY-MM-DD)."""
    end: str
    """Last day of the range (YYYY-MM-DD)."""


@dataclass(frozen=True)
class LargerGain(JsonObject):
    """An earlier 7-day gain larger than the current one."""

    date: str
    """Last day of that week (YYYY-MM-DD)."""
    gain_pct: float
    """Its 7-day gain, percent."""


@dataclass(frozen=True)
class WeeklyGainRank(FactValue):
    """This 7-day gain ranked among the past year's largest 7-day gains."""

    fact_id: ClassVar[str] = "price.weekly_gain_rank"

    gain_pct: float
    """The current 7-day gain, percent."""
    rank: int
    """1 = the largest of the past 365 days."""
    previous_larger: LargerGain | None
    """The most recent larger gain; None (null) when this one is the largest."""


@dataclass(frozen=True)
class LargerMove(JsonObject):
    """An earlier daily move of the same sign larger than the current 24-hour move."""

    date: str
    """Trading date (YYYY-MM-DD) of that daily candle."""
    pct: float
    """Its close-to-close change, percent."""
    days_ago: int
    """Calendar days from that date to the UTC date the 24-hour move ends on."""


@dataclass(frozen=True)
class ChangeRank(FactValue):
    """The 24-hour move read against the daily moves of the history known at as-of."""

    fact_id: ClassVar[str] = "price.change_24h_rank"

    pct: float
    """The 24-hour move, percent (``price.change_24h_pct``)."""
    direction: Direction
    """``up`` for a gain, ``down`` for a fall."""
    previous_larger: LargerMove | None
    """The most recent daily move of the same sign larger than it; None (null): none in the
    history compared, so it is the largest since ``history_start``."""
    history_start: str
    """Trading date (YYYY-MM-DD) of the first daily move compared."""
    history_days: int
    """Calendar days from ``history_start`` to the UTC date the 24-hour move ends on."""


# --- momentum ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Macd(FactValue):
    """MACD(12, 26, 9) of daily closes."""

    fact_id: ClassVar[str] = "momentum.macd"

    macd: float
    """The MACD line (EMA 12 − EMA 26)."""
    signal: float
    """The signal line (EMA 9 of the MACD line)."""
    hist: float
    """MACD line − signal line."""
    state: Literal["bullish", "bearish"]
    """``bullish`` when the histogram is positive."""
    crossed_days_ago: int | None
    """Daily closes since the last cross of the signal line; None (null): no cross in the data."""
    crossed_on: str | None
    """Trading date (YYYY-MM-DD) of the daily close at which the line last crossed its signal;
    None (null): no cross in the data."""


@dataclass(frozen=True)
class SwingPoint(JsonObject):
    """One daily swing point of a divergence."""

    date: str
    """Its trading date (YYYY-MM-DD)."""
    close: float
    """Its daily close, USD."""
    rsi: float
    """The 14-day RSI at that close."""


@dataclass(frozen=True)
class Divergence(FactValue):
    """An RSI divergence on the last two daily swing points."""

    fact_id: ClassVar[str] = "momentum.divergence"

    kind: Literal["bearish", "bullish"]
    """``bearish``: higher price high, lower RSI high; ``bullish``: lower low, higher RSI low."""
    first: SwingPoint
    """The earlier swing point."""
    second: SwingPoint
    """The later swing point."""


# --- derivatives -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundingRate(FactValue):
    """The latest settled funding rate of the perpetual futures."""

    fact_id: ClassVar[str] = "funding.rate"

    pct: float
    """Percent per funding interval."""
    annualised_pct: float
    """Percent over a 365-day year: ``pct × 365 days / interval``."""
    interval_hours: float
    """Hours between the last two settlements."""


@dataclass(frozen=True)
class FundingFlip(FactValue):
    """The latest change of sign of the settled funding rate."""

    fact_id: ClassVar[str] = "funding.flip"

    from_: Sign = field(metadata=json_name("from"))
    """The old sign (JSON key ``from``)."""
    to: Sign
    """The new sign."""
    at: str
    """Time of the first print of the new sign (ISO 8601, UTC)."""
    prints_since: int
    """Settlements from that print on, it included."""
    current_pct: float
    """The latest rate, percent per interval."""


@dataclass(frozen=True)
class Squeeze(FactValue):
    """A short or long squeeze: a 24 h move, one-sided and unusually large liquidations."""

    fact_id: ClassVar[str] = "liquidations.squeeze"

    side: Side
    """The side squeezed: ``short`` after a rise, ``long`` after a fall."""
    price_change_pct: float
    """The price's change over the same 24 hours as the liquidations, percent."""
    liquidated_usd: float
    """USD liquidated in the 24 h, both sides."""
    share: float
    """The squeezed side's share of it (0-1)."""


@dataclass(frozen=True)
class Majority(FactValue):
    """The side most accounts are net on."""

    fact_id: ClassVar[str] = "positioning.majority"

    side: Side
    """``long`` or ``short``."""
    pct: float
    """Percent of accounts on that side (above 50)."""


@dataclass(frozen=True)
class NearestCluster(FactValue):
    """Estimated liquidation levels on one side of the price (a model estimate): how much lies
    within the band beside the price, and the nearest significant cluster. USD are scaled by
    the model's k; None when k could not be fitted (relative sizes only: the shares)."""

    band_pct: float
    """Width of the band beside the price, percent."""
    band_usd: float | None
    """Estimated USD of the side's levels within the band; None: relative sizes only."""
    band_share: float
    """The band's share (0-1) of the side's estimated live levels."""
    low: float
    """Lower edge of the cluster's price range."""
    high: float
    """Upper edge of the cluster's price range."""
    price: float
    """The cluster's USD-weighted mean price."""
    usd: float | None
    """Estimated USD of the cluster; None: relative sizes only."""
    share: float
    """The cluster's share (0-1) of the side's estimated live levels."""
    distance_pct: float
    """Distance of its mean price from the last price, percent (negative below it)."""


@dataclass(frozen=True)
class ShortClusterAbove(NearestCluster):
    """Estimated short liquidations above the price."""

    fact_id: ClassVar[str] = "clusters.nearest_short_above"


@dataclass(frozen=True)
class LongClusterBelow(NearestCluster):
    """Estimated long liquidations below the price."""

    fact_id: ClassVar[str] = "clusters.nearest_long_below"


@dataclass(frozen=True)
class LevelCalibration(JsonObject):
    """How the level model's USD were scaled to realized liquidations, and how that held."""

    k: float | None
    """Realized / model USD over the fit days; None: too little liquidation history."""
    fit_days: int
    """Days k was fitted on (the 60 days before the last 24 hours, those with data)."""
    checked_days: int
    """Days of the last 60 that could be checked: each estimated with a k fitted on the
    days before it only, beside its realized total."""
    within_2x_days: int
    """Of those, days whose estimate was within 2× of the realized liquidations."""


@dataclass(frozen=True)
class Swept(FactValue):
    """The level model's estimate of the liquidations of the last 24 hours, beside the
    realized ones."""

    fact_id: ClassVar[str] = "clusters.swept_24h"

    total_usd: float | None
    """Estimated USD liquidated (levels consumed, scaled by k); None: relative sizes only."""
    short_share: float
    """Shorts' share (0-1) of the estimate."""
    realized_usd: float | None
    """USD actually liquidated in the same 24 hours; None when the data does not cover them."""
    realized_short_share: float | None
    """Shorts' share (0-1) of the realized liquidations."""
    calibration: LevelCalibration
    """How the estimate was scaled and how such estimates compared with realized totals."""


# --- outlook, macro, sentiment, cross-asset ----------------------------------------------------


@dataclass(frozen=True)
class OutlookLevels(FactValue):
    """The levels of the closing scenarios, USD."""

    fact_id: ClassVar[str] = "outlook.levels"

    support: float
    """The round level just broken, else the edge of the prior range."""
    target: float
    """The next test in the move's direction."""
    target_kind: Literal["round", "cluster"]
    """``round``: the next round level; ``cluster``: the nearest estimated liquidation cluster."""
    direction: Direction
    """The move's direction."""
    downside: float
    """Where a failure at the support points."""
    downside_kind: Literal["round", "cluster"]
    """``cluster``: the nearest estimated cluster beyond the support; ``round``: a round level
    1-5 % beyond it."""


@dataclass(frozen=True)
class FearGreed(FactValue):
    """The latest Crypto Fear & Greed reading."""

    fact_id: ClassVar[str] = "sentiment.fear_greed"

    value: float
    """The index, 0-100."""
    classification: str
    """Its class, e.g. ``Greed``."""
    change_1d: float | None
    """Change in points over 1 day; None (null) when that day is missing."""
    change_7d: float | None
    """Change in points over 7 days; None (null) when that day is missing."""


@dataclass(frozen=True)
class Dxy(FactValue):
    """The latest daily close of the US Dollar Index."""

    fact_id: ClassVar[str] = "macro.dxy"

    close: float
    """Index points."""
    date: str
    """Its trading date (YYYY-MM-DD)."""
    change_1d_pct: float
    """Percent change on the previous trading day's close."""


@dataclass(frozen=True)
class DxyLevelBreak(LevelBreak):
    """The most significant whole DXY level crossed within the last two trading days."""

    fact_id: ClassVar[str] = "macro.dxy_level_break"


@dataclass(frozen=True)
class NextFomc(FactValue):
    """The next FOMC decision day."""

    fact_id: ClassVar[str] = "macro.next_fomc"

    date: str
    """The decision day (YYYY-MM-DD)."""
    days_until: int
    """Calendar days from the as-of's UTC date (0 on the day)."""
    sep: bool
    """True when it publishes a Summary of Economic Projections."""


@dataclass(frozen=True)
class Relative(FactValue):
    """Each asset's change over one window against Bitcoin's."""

    vs_btc: Mapping[str, float]
    """Percentage points above (+) or below (−) Bitcoin's change, by asset code."""
    leader: str | None
    """The asset with the largest change, Bitcoin included; None (null) when that change is in
    step with the next largest (no asset led)."""
    in_step: tuple[str, ...]
    """The assets whose change is in step with Bitcoin's (closer than the
    ``relative_in_step_pp`` setting)."""


@dataclass(frozen=True)
class Relative24h(Relative):
    """Each asset's 24 h change against Bitcoin's."""

    fact_id: ClassVar[str] = "cross.relative_24h"


@dataclass(frozen=True)
class Relative7d(Relative):
    """Each asset's 7-day change against Bitcoin's."""

    fact_id: ClassVar[str] = "cross.relative_7d"


@dataclass(frozen=True)
class ForwardReturns(JsonObject):
    """What followed the earlier cases of an event over one horizon (percent, close to close)."""

    higher: int
    """Cases whose close the horizon later was above the close at the event."""
    median_pct: float
    """Median forward return, percent."""
    q1_pct: float
    """First quartile of the forward returns, percent."""
    q3_pct: float
    """Third quartile of the forward returns, percent."""
    drawdown_pct: float
    """Median of each case's worst drawdown within the horizon (lowest low against the close
    at the event, 0 when it never traded lower), percent."""


@dataclass(frozen=True)
class BaseRate(FactValue):
    """What followed the earlier occurrences of the event that fires today."""

    fact_id: ClassVar[str] = "context.base_rate"

    event: str
    """The event: ``funding.flip``, ``price.new_ath``, ``price.level_break``,
    ``liquidations.squeeze`` or ``price.change_24h_pct``; market-wide,
    ``sentiment.fear_greed`` (an extreme) or ``macro.dxy_level_break``."""
    direction: Direction
    """Its direction: ``up`` (a rise, a flip to positive, a close above, a short squeeze,
    extreme greed) or ``down``."""
    cases: int
    """Earlier cases counted: non-overlapping, each forward window ended before as-of."""
    since: str
    """Date of the first case (YYYY-MM-DD)."""
    horizons: Mapping[str, ForwardReturns]
    """What followed, by horizon: ``1d``, ``7d``, ``30d``."""


@dataclass(frozen=True)
class MarketBaseRate(BaseRate):
    """What followed the earlier occurrences of today's market-wide event, for the lead asset."""

    fact_id: ClassVar[str] = "context.market_base_rate"

    asset: str
    """The asset whose forward returns these are: the lead asset (the snapshot's first, BTC)."""


# --- scalar facts and lookups ------------------------------------------------------------------

SCALARS: Mapping[str, type[float] | type[bool]] = {
    "price.last": float,
    "price.change_24h_pct": float,
    "price.change_7d_pct": float,
    "price.intraday_pct": float,
    "price.volume_24h_pct": float,
    "price.ath": float,
    "price.pct_below_ath": float,
    "price.new_ath": bool,
    "momentum.rsi_14": float,
    "open_interest.usd": float,
    "open_interest.change_24h_pct": float,
    "liquidations.total_1h_usd": float,
    "liquidations.total_24h_usd": float,
    "liquidations.long_24h_usd": float,
    "liquidations.short_24h_usd": float,
    "liquidations.short_share_24h": float,
    "liquidations.spike": float,
    "positioning.long_pct": float,
}
"""The facts whose value is a number (float) or a flag (bool), by id."""

V = TypeVar("V", bound=FactValue)


class UnknownFact(KeyError):
    """A fact id that no value type declares (a typo, or a fact not added to this module)."""


def value_type(fact_id: str) -> type:
    """The type of the fact's value: ``float``, ``bool`` or its ``FactValue`` subclass."""
    found = SCALARS.get(fact_id) or _BY_ID.get(fact_id)
    if found is None:
        known = [*SCALARS, *_BY_ID]
        close = difflib.get_close_matches(fact_id, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UnknownFact(f"{fact_id!r} is no known fact id{hint}")
    return found


def fact_ids() -> tuple[str, ...]:
    """Every fact id that has a value type."""
    return (*SCALARS, *_BY_ID)


def fact_of(facts: Mapping[str, Fact], asset: str | None, fact_id: str) -> Fact | None:
    """The fact of ``asset`` (None: market-wide) among ``facts`` (by ``Fact.key``), if any.

    ``fact_id`` must be a known id: an unknown one raises ``UnknownFact``.
    """
    value_type(fact_id)
    return facts.get(fact_key(asset, fact_id))


def as_value(fact: Fact, cls: type[V]) -> V:
    """The fact's value, checked to be a ``cls`` (or a subclass) of the fact's own type."""
    if not isinstance(fact.value, cls) or getattr(type(fact.value), "fact_id", None) != fact.id:
        raise TypeError(f"{fact.key}: value is not a {cls.__name__}: {fact.value!r}")
    return fact.value


def as_number(fact: Fact) -> float:
    """The value of a number fact (``SCALARS`` says float)."""
    if value_type(fact.id) is not float or not isinstance(fact.value, float):
        raise TypeError(f"{fact.key}: value is not a number: {fact.value!r}")
    return fact.value


def value_of(facts: Mapping[str, Fact], asset: str | None, cls: type[V]) -> V | None:
    """The value of ``asset``'s ``cls.fact_id`` fact, or None when the note has none."""
    if "fact_id" not in vars(cls):
        raise TypeError(f"{cls.__name__} is no fact's own value type; look up a subclass")
    fact = facts.get(fact_key(asset, cls.fact_id))
    return None if fact is None else as_value(fact, cls)


def number_of(facts: Mapping[str, Fact], asset: str | None, fact_id: str) -> float | None:
    """The value of ``asset``'s number fact ``fact_id``, or None when the note has none."""
    if value_type(fact_id) is not float:
        raise TypeError(f"{fact_id} is not a number fact (values.SCALARS)")
    fact = facts.get(fact_key(asset, fact_id))
    return None if fact is None else as_number(fact)
