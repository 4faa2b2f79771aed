"""The dataset registry: every dataset of the snapshot format, defined once.

A ``DatasetSpec`` says what a dataset's table holds (columns, their bounds and CSV formats),
where it lives in a snapshot (per asset or market-wide), how its rows are known in time (bar
length, row spacing, staleness), and how the note names it.
Everything that handles datasets reads it: schema validation and snapshot loading
(``sources/schema.py``, ``sources/snapshot.py``), every CSV writer (gathering, the demo),
``models.Snapshot.cut`` (and the check that ``AssetData``/``Snapshot`` have one field per
dataset), gathering (``sources/registry.py`` routes each dataset to its adapters),
``pipeline.data_gaps``, the ``[stale_after]`` settings and the note's dataset nouns.

A shared layer: imports only the standard library and pandas.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias

import pandas as pd

Scope: TypeAlias = Literal["asset", "market"]
"""``asset``: one table per asset, ``<name>/<ASSET>.csv``; ``market``: one, ``<name>.csv``."""

PRICE = (0.0, 1e9)
"""Bounds of a price in USD: a billion dollars a unit is above anything traded; a close of
1e300, or 2,147,483,648,000,000 (an overflowed integer scaled by a million), is a broken feed."""
VOLUME = (0.0, 1e18)
"""Bounds of a volume in base units (a meme coin trades some 1e13 a day)."""
USD = (0.0, 1e13)
"""Bounds of a USD amount (open interest, liquidations): ten trillion dollars is more than the
whole crypto market."""
HOUR = pd.Timedelta(hours=1)
DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Column:
    """One column after ``time``: its name, its CSV format and the range its values lie in."""

    name: str
    format: str
    """``format()`` spec of its CSV cells (``.2f``); ``s`` for a text column."""
    bounds: tuple[float, float] | None = USD
    """Range every value must lie in; None for an optional text column, kept as it is."""


def _text(name: str) -> Column:
    """An optional text column (e.g. a Fear & Greed classification)."""
    return Column(name, "s", None)


@dataclass(frozen=True)
class DatasetSpec:
    """Everything that defines one dataset of the snapshot format."""

    name: str
    """Dataset name: the file or folder name in a snapshot, e.g. ``funding``."""
    scope: Scope
    columns: tuple[Column, ...]
    """Columns after ``time``, in CSV order."""
    meaning: str
    """What a row holds, for docs/snapshot-format.md (Markdown)."""
    noun: str
    """How the note names it: ``funding rates`` ("stale: funding rates for BTC")."""
    stale_after: str
    """Default ``[stale_after]`` limit (a pandas offset: ``3h``, ``2D``)."""
    stale_note: str = ""
    """Why that limit, for the setting's help (``8-hourly prints``)."""
    venues: tuple[str, ...] = ()
    """Exchanges whose trading its rows cover by default (the demo's, and those a gather
    records unless its adapter says otherwise); empty for an index."""
    interval: pd.Timedelta | None = None
    """Bar length when each row is a bar, known only at ``time + interval``; None: rows are
    known at their ``time``."""
    step: pd.Timedelta = HOUR
    """Spacing of its rows: a later gather fetches again ``[sources] overlap`` steps."""
    required: bool = False
    """An asset without it is left out of the snapshot (daily candles)."""
    publish_stale: bool = True
    """Whether a gather writes its table when the newest row is stale (marked so, for the note
    to say); False: a stale table is left out, unavailable, because its rows would read as
    current (zero liquidations in the last buckets: "no positions were liquidated")."""
    jump: float | None = None
    """Plausibility of its prices (``open,high,low,close``) in live data: the largest factor
    between a row's prices and the median close of its neighbours (3.0: from a third
    to three times). A gathered row beyond it is checked against the other market (spot
    candles against the perpetual's) and quarantined unless that market moved alike; None:
    not checked. (A snapshot loaded from disk is held only to the bounds: real markets do
    crash.)"""

    @property
    def bounds(self) -> dict[str, tuple[float, float]]:
        """The required numeric columns, in order, and the range of each."""
        return {c.name: c.bounds for c in self.columns if c.bounds is not None}

    @property
    def text(self) -> tuple[str, ...]:
        """Names of the optional text columns."""
        return tuple(c.name for c in self.columns if c.bounds is None)

    def file(self, asset: str | None) -> str:
        """Its file in a snapshot: ``funding/BTC.csv`` or ``dxy.csv``."""
        return f"{self.name}/{asset}.csv" if self.scope == "asset" else f"{self.name}.csv"

    def holds(self, relative: str) -> bool:
        """Whether a snapshot file (path relative to the snapshot) is one of its tables."""
        if self.scope == "asset":
            return relative.startswith(f"{self.name}/")
        return relative == f"{self.name}.csv"


_PRICES = tuple(Column(name, ".2f", PRICE) for name in ("open", "high", "low", "close"))
_CANDLES = (*_PRICES, Column("volume", ".4f", VOLUME))

REGISTRY: tuple[DatasetSpec, ...] = (
    DatasetSpec(
        "candles_1d",
        "asset",
        _CANDLES,
        meaning="daily candles; `time` is the candle's **open** time (00:00 UTC)",
        noun="daily candles",
        stale_after="2D",
        venues=("Binance",),
        interval=DAY,
        step=DAY,
        required=True,
        jump=3.0,  # Binance BTC and ETH since 2017: at most 2.2 (a wick)
    ),
    DatasetSpec(
        "candles_1h",
        "asset",
        _CANDLES,
        meaning="hourly candles; `time` is the open time",
        noun="hourly candles",
        stale_after="3h",
        venues=("Binance",),
        interval=HOUR,
        jump=2.0,  # Binance BTC and ETH hourly since 2024: at most 1.3
    ),
    DatasetSpec(
        "funding",
        "asset",
        (Column("rate", ".8f", (-1.0, 1.0)),),
        meaning="settled funding rate per interval, as a fraction (0.0001 = 0.01 %)",
        noun="funding rates",
        stale_after="17h",
        stale_note="8-hourly prints",
        venues=("Binance",),
        step=pd.Timedelta(hours=8),
    ),
    DatasetSpec(
        "open_interest",
        "asset",
        (Column("oi_usd", ".2f", USD),),
        meaning="open interest in USD",
        noun="open interest",
        stale_after="5h",
        venues=("Binance",),
    ),
    DatasetSpec(
        "liquidations",
        "asset",
        (Column("long_usd", ".2f", USD), Column("short_usd", ".2f", USD)),
        meaning="USD of long / short positions liquidated in the bucket starting at `time` "
        "(hourly or coarser)",
        noun="liquidations",
        stale_after="3h",
        stale_note="hourly buckets",
        venues=("Binance", "OKX", "Bybit"),
        publish_stale=False,
    ),
    DatasetSpec(
        "long_short",
        "asset",
        (Column("long_pct", ".2f", (0.0, 100.0)),),
        meaning="percent (0-100) of accounts that are net long",
        noun="long/short account ratios",
        stale_after="3h",
        venues=("Binance",),
    ),
    # A daily index close is only known after the trading day: the row is a 1-day bar.
    DatasetSpec(
        "dxy",
        "market",
        (Column("close", ".3f", (10.0, 1000.0)),),
        meaning="US Dollar Index daily close",
        noun="the US Dollar Index",
        stale_after="4D",
        stale_note="business days: a weekend is not stale",
        interval=DAY,
        step=DAY,
        jump=1.5,  # the index moves a few percent a day at most
    ),
    DatasetSpec(
        "fear_greed",
        "market",
        (Column("value", ".0f", (0.0, 100.0)), _text("classification")),
        meaning="Fear & Greed index, 0-100, daily",
        noun="the Fear & Greed index",
        stale_after="2D",
        stale_note="daily",
        step=DAY,
    ),
)
"""Every dataset, in the order the note lists them (per-asset ones, then market-wide)."""

DATASETS: Mapping[str, DatasetSpec] = {spec.name: spec for spec in REGISTRY}
"""Each dataset's spec by name."""


def of_scope(scope: Scope) -> tuple[DatasetSpec, ...]:
    """The datasets of one scope, in registry order."""
    return tuple(spec for spec in REGISTRY if spec.scope == scope)


ASSET_DATASETS: tuple[str, ...] = tuple(spec.name for spec in of_scope("asset"))
"""Names of the per-asset datasets (``<name>/<ASSET>.csv``)."""
MARKET_DATASETS: tuple[str, ...] = tuple(spec.name for spec in of_scope("market"))
"""Names of the market-wide datasets (``<name>.csv``)."""


def for_file(relative: str) -> DatasetSpec | None:
    """The dataset a snapshot file belongs to, or None when it is none of them."""
    return next((spec for spec in REGISTRY if spec.holds(relative)), None)


DOC_PATH = Path(__file__).resolve().parent / "docs" / "snapshot-format.md"
"""The snapshot format's documentation, whose table of datasets is generated from here."""
DOC_BEGIN = "<!-- Generated by `python -m datasets` from datasets.py; do not edit by hand. -->\n"
DOC_END = "<!-- End of the generated table. -->\n"


def table_markdown() -> str:
    """The table of datasets in docs/snapshot-format.md: file, columns and meaning of each."""
    rows = ["| file | columns | meaning |", "|---|---|---|"]
    for spec in REGISTRY:
        columns = ",".join(["time", *spec.bounds]) + "".join(f"[,{t}]" for t in spec.text)
        meaning = f"**required**; {spec.meaning}" if spec.required else spec.meaning
        rows.append(f"| `{spec.file('<ASSET>')}` | `{columns}` | {meaning} |")
    return "\n".join(rows) + "\n"


def documented(doc: str) -> str:
    """``doc`` (docs/snapshot-format.md) with its generated table replaced by the current one."""
    head, begin, rest = doc.partition(DOC_BEGIN)
    _, end, tail = rest.partition(DOC_END)
    if not (begin and end):
        raise ValueError(f"{DOC_PATH.name} lacks the markers of the generated table")
    return f"{head}{DOC_BEGIN}{table_markdown()}{DOC_END}{tail}"


if __name__ == "__main__":
    DOC_PATH.write_text(documented(DOC_PATH.read_text(encoding="utf-8")), encoding="utf-8")
    print(DOC_PATH, file=sys.stdout)
