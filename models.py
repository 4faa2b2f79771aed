"""Value types that cross between stages. Frozen, no behaviour beyond small helpers.

Stages (``sources``, ``analysis``, ``charts``, ``render``) exchange only these values;
``pipeline.py`` passes them along.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, TypeAlias, get_type_hints

import pandas as pd

from datasets import ASSET_DATASETS, MARKET_DATASETS, Scope, of_scope

JSONValue: TypeAlias = Any
"""A JSON number, string, bool, null, list or object. Typed loosely on purpose: dict invariance
makes a recursive alias unworkable for nested literals; ``pipeline.facts_document`` serialises
every value with ``allow_nan=False``, which rejects anything that is not plain JSON."""


@dataclass(frozen=True)
class Dataset:
    """One validated table of the snapshot and where it came from.

    ``frame`` is indexed by a sorted, unique, tz-aware UTC ``DatetimeIndex`` named ``time``
    (for candles: the candle's open time) and holds only the documented columns, as float64.
    """

    name: str
    asset: str | None
    source: str
    frame: pd.DataFrame
    interval: pd.Timedelta | None = None
    """Candle length for candle datasets; None for point-in-time rows."""
    venues: tuple[str, ...] = ()
    """Exchanges whose trading the rows cover, as the snapshot's manifest lists them."""

    def cut(self, as_of: pd.Timestamp) -> Dataset:
        """The rows known at ``as_of``: closed candles, or rows stamped at or before it."""
        if self.interval is not None:
            known = self.frame.index <= as_of - self.interval
        else:
            known = self.frame.index <= as_of
        return replace(self, frame=self.frame[known])


def _cut(holder: object, names: tuple[str, ...], as_of: pd.Timestamp) -> dict[str, Any]:
    """Each dataset field ``names`` of ``holder`` cut at ``as_of`` (None stays None)."""
    fields_ = {name: getattr(holder, name) for name in names}
    return {name: None if d is None else d.cut(as_of) for name, d in fields_.items()}


@dataclass(frozen=True)
class AssetData:
    """Every dataset the snapshot holds for one asset (one field per per-asset dataset of
    ``datasets.REGISTRY``, checked below); absent datasets are None."""

    asset: str
    candles_1d: Dataset
    candles_1h: Dataset | None = None
    funding: Dataset | None = None
    open_interest: Dataset | None = None
    liquidations: Dataset | None = None
    long_short: Dataset | None = None

    def cut(self, as_of: pd.Timestamp) -> AssetData:
        """Every dataset with only the rows known at ``as_of``."""
        return replace(self, **_cut(self, ASSET_DATASETS, as_of))


@dataclass(frozen=True)
class Snapshot:
    """A loaded snapshot: the input contract of the pipeline (see docs/snapshot-format.md).

    One field per market-wide dataset of ``datasets.REGISTRY`` (checked below)."""

    path: Path
    created_at: pd.Timestamp
    demo: bool
    assets: Mapping[str, AssetData]
    fear_greed: Dataset | None = None
    dxy: Dataset | None = None

    def cut(self, as_of: pd.Timestamp) -> Snapshot:
        """The snapshot as it would have been known at ``as_of`` (no later rows)."""
        assets = {code: a.cut(as_of) for code, a in self.assets.items()}
        return replace(self, assets=assets, **_cut(self, MARKET_DATASETS, as_of))


def check_dataset_fields(cls: type, scope: Scope) -> None:
    """Raise ``TypeError`` unless the ``Dataset`` fields of dataclass ``cls`` are exactly the
    registered datasets of ``scope``, typed ``Dataset`` when required, else ``Dataset | None``.

    Run on ``AssetData`` and ``Snapshot`` at import, so a dataset added to the registry but not
    to its holder (or the other way round) fails loudly instead of being dropped or None.
    """
    hints = get_type_hints(cls)
    found = {f.name for f in fields(cls) if hints[f.name] in (Dataset, Dataset | None)}
    specs = {spec.name: spec for spec in of_scope(scope)}
    if found != set(specs):
        raise TypeError(
            f"{cls.__name__} has dataset fields {sorted(found)} but the registry's {scope} "
            f"datasets are {sorted(specs)}: add or remove the field or the DatasetSpec"
        )
    for name, spec in specs.items():
        if (hints[name] is Dataset) != spec.required:
            wanted = "Dataset" if spec.required else "Dataset | None"
            raise TypeError(f"{cls.__name__}.{name} must be typed {wanted}")


check_dataset_fields(AssetData, "asset")
check_dataset_fields(Snapshot, "market")


@dataclass(frozen=True)
class FomcMeeting:
    """One scheduled FOMC meeting: its decision day (the meeting's last day) and SEP flag."""

    date: dt.date
    sep: bool
    """True when the meeting publishes a Summary of Economic Projections."""


@dataclass(frozen=True)
class FomcCalendar:
    """The FOMC meeting schedule shipped in ``data/fomc_meetings.csv``, in date order.

    A schedule is published a year or more ahead, so unlike snapshot rows it is never cut at
    ``as_of``.
    """

    meetings: tuple[FomcMeeting, ...]
    source: str = "Federal Reserve"
    file: str = "data/fomc_meetings.csv"

    def as_dataset(self) -> Dataset:
        """The calendar as a ``Dataset`` (``sep`` as 1.0/0.0), so facts can cite it."""
        index = pd.DatetimeIndex([pd.Timestamp(m.date, tz="UTC") for m in self.meetings])
        frame = pd.DataFrame({"sep": [float(m.sep) for m in self.meetings]}, index=index)
        return Dataset("fomc", None, self.source, frame.rename_axis("time"))


Unit = Literal[
    "USD",
    "pct",
    "pp",
    "bool",
    "index",
    "ratio",
    "count",
    "level",
    "levels",
    "range",
    "rank",
    "state",
    "rate",
    "date",
]


def fact_key(asset: str | None, fact_id: str) -> str:
    """Unique key of a fact within one note, e.g. ``BTC:price.last``, ``market:macro.dxy``."""
    return f"{asset or 'market'}:{fact_id}"


@dataclass(frozen=True)
class Fact:
    """One checked statement about the market, computed from data known at ``as_of``.

    ``value`` is a float, a bool or a ``values.FactValue`` (the fact's type in ``values.py``), at
    full precision; ``evidence`` holds the few
    numbers and times a reader would want to check; ``sources`` are the human names of the
    datasets it was computed from (as cited in the note).
    """

    id: str
    asset: str | None
    value: JSONValue
    unit: str
    as_of: pd.Timestamp
    sources: tuple[str, ...]
    evidence: Mapping[str, JSONValue] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Unique key within one note, e.g. ``BTC:price.last``."""
        return fact_key(self.asset, self.id)


@dataclass(frozen=True)
class ChartRef:
    """A chart written to disk, as the templates reference it."""

    name: str
    path: str
    """Path relative to the brief's folder, e.g. ``charts/btc_daily.png``."""
    alt: str
    width_px: int
    height_px: int
    section: str = "price"
    """The note section the chart belongs to: ``price``, ``derivatives`` or ``macro``."""


@dataclass(frozen=True)
class LevelProfile:
    """Estimated liquidation levels of one asset still live at as-of, summed into price bins.

    A model estimate, not data (``analysis/liquidation_map.py``): the USD of positions the
    model expects to be liquidated if price reaches each bin, scaled to realized liquidations
    (or shares of the total when ``relative``). ``price``, ``long_usd`` and
    ``short_usd`` are parallel tuples, one entry per bin, in ascending price order.
    """

    asset: str
    price: tuple[float, ...]
    """Centre of each price bin, ascending."""
    long_usd: tuple[float, ...]
    """Estimated USD of long positions liquidated in each bin (a fall to it)."""
    short_usd: tuple[float, ...]
    """Estimated USD of short positions liquidated in each bin (a rise to it)."""
    last: float
    """The last close the model ran to."""
    bin_usd: float
    """Width of one bin in USD."""
    model: str
    """The model's parameters in a few words, for a chart's caption or source line."""
    sources: tuple[str, ...] = ()
    """Human names of the datasets the model read (open interest, candles, accounts)."""
    to: pd.Timestamp | None = None
    """Close time of the model's last candle."""
    relative: bool = False
    """True when the sizes are relative only (no coefficient fitted on realized liquidations):
    ``long_usd`` and ``short_usd`` are then shares (0-1) of the live total, not USD."""


@dataclass(frozen=True)
class Line:
    """One sentence (or one "What to watch" bullet) of the note, already chosen: how it is
    said is the template ``templates/lines/<kind>.html``, from its facts in their order."""

    kind: str
    """``fact`` (one fact, its partial's sentence), ``together`` (one fact id for several
    assets), ``what`` (the lede's first sentence: the lead story's facts), ``watch`` (a
    What to watch bullet) or a link rule's id (``analysis.links``)."""
    facts: tuple[Fact, ...]
    """The facts whose figures the sentence says, each said by no other line of the note."""
    context: tuple[Fact, ...] = ()
    """Facts the sentence reads for its wording only (a direction, a side), figures unsaid."""
    reading: str = ""
    """What a link found, naming its template's branch (funding: ``default``, ``above``,
    ``below``, ``negative``); "" for lines that need none."""


@dataclass(frozen=True)
class Block:
    """One short section of the note: ``id`` (``markets``, ``leverage``, ``macro``) and its
    paragraphs, each its sentences in reading order."""

    id: str
    paragraphs: tuple[tuple[Line, ...], ...]

    @property
    def lines(self) -> tuple[Line, ...]:
        """Every sentence of the section, in reading order."""
        return tuple(line for p in self.paragraphs for line in p)


@dataclass(frozen=True)
class Story:
    """What the note says, chosen and connected; the templates decide how it is said."""

    headline: tuple[Line, ...]
    """The title's parts in order of preference: the lead story, its link, the second story.
    The renderer keeps the longest prefix that fits the headline's word budget."""
    lede: tuple[Line, ...]
    """One or two sentences: what happened, then why or the contrast."""
    blocks: tuple[Block, ...]
    watch: tuple[Line, ...]
    """What to watch: at most three bullets."""
    scores: Mapping[str, float]
    """Newsworthiness of each fact, by ``Fact.key``."""
    charts: tuple[str, ...] | None = None
    """Names of the charts the note shows (``chart_name``), the lead story's; every other
    chart goes to the appendix. None: every chart in the note."""
    estimate_sources: tuple[str, ...] = ()
    """Non-empty when the note says a model estimate: the sources of the one caveat line."""

    @property
    def lines(self) -> tuple[Line, ...]:
        """Every line of the prose in reading order (headline parts left out)."""
        return (*self.lede, *(line for b in self.blocks for line in b.lines), *self.watch)

    @property
    def said(self) -> tuple[Fact, ...]:
        """Every fact whose figures the prose says, in reading order."""
        return tuple(f for line in self.lines for f in line.facts)


def chart_name(asset: str | None, kind: str) -> str:
    """A chart's name (and file stem): ``btc_daily`` for an asset's, ``dxy`` for a market-wide
    one; the charts stage writes, and the story chooses, by these names."""
    return kind if asset is None else f"{asset.lower()}_{kind}"


@dataclass(frozen=True)
class DataGap:
    """A dataset the note could not use fully: absent from the snapshot, or stale at as-of."""

    dataset: str
    """Dataset name of the snapshot format, e.g. ``funding``."""
    asset: str | None
    """Asset code, or None for market-wide datasets."""
    newest: pd.Timestamp | None
    """When its newest row became known (stale), or None when the dataset is absent."""
