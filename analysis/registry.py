"""How fact functions are declared and run.

A fact function is pure: its parameter names say which datasets it reads (``candles``,
``daily``, ``hourly``, ``funding``, ``open_interest``, ``liquidations``, ``long_short``,
``fear_greed``, ``dxy``) plus ``as_of``. A parameter with a default of None is optional;
when a required dataset is absent from the snapshot the fact is simply absent.

Two market-wide inputs are not single datasets: ``all_candles`` (``Mapping[str, Dataset]``,
each asset's finest candles, for cross-asset facts) and ``fomc`` (the ``FomcCalendar``, which
``compute`` receives from its caller since it is not part of the snapshot).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from analysis.base import Reading
from models import AssetData, Dataset, Fact, FomcCalendar, Snapshot

_KEYWORD_ONLY = inspect.Parameter.KEYWORD_ONLY

MARKET_INPUTS = ("fear_greed", "dxy", "all_candles", "fomc")
ASSET_INPUTS: tuple[str, ...] = ("candles", "daily", "hourly", "funding", "open_interest")
ASSET_INPUTS += ("liquidations", "long_short")


@dataclass(frozen=True)
class FactSpec:
    """One registered fact: its id, the function computing it, and the note section it feeds."""

    id: str
    compute: Callable[..., Reading | None]
    section: str

    @cached_property
    def inputs(self) -> dict[str, bool]:
        """Dataset parameter names, each mapped to whether it is required."""
        params = inspect.signature(self.compute).parameters.values()
        return {
            p.name: p.default is inspect.Parameter.empty
            for p in params
            if p.kind is not p.KEYWORD_ONLY and p.name != "as_of"
        }

    @property
    def scope(self) -> str:
        """``asset`` when computed once per asset, ``market`` when once per note."""
        return "asset" if any(n in ASSET_INPUTS for n in self.inputs) else "market"

    @property
    def doc(self) -> str:
        """The function's docstring: what the value means."""
        return inspect.cleandoc(self.compute.__doc__ or "")


def _present(dataset: Dataset | None) -> Dataset | None:
    """A dataset with rows at as_of, else None (e.g. hourly history that starts later)."""
    return None if dataset is None or dataset.frame.empty else dataset


def _asset_inputs(data: AssetData) -> dict[str, Dataset | None]:
    found = {
        "candles": data.candles_1h or data.candles_1d,
        "daily": data.candles_1d,
        "hourly": data.candles_1h,
        "funding": data.funding,
        "open_interest": data.open_interest,
        "liquidations": data.liquidations,
        "long_short": data.long_short,
    }
    found = {name: _present(d) for name, d in found.items()}
    found["candles"] = found["candles"] or found["daily"]
    return found


Input = Dataset | Mapping[str, Dataset] | FomcCalendar | None
"""What a fact function parameter receives: a dataset, every asset's candles, or the calendar."""


def run_spec(
    spec: FactSpec,
    available: Mapping[str, Input],
    as_of: pd.Timestamp,
    asset: str | None,
    options: Mapping[str, object] | None = None,
) -> Fact | None:
    """Call one fact function with the datasets it names; None when a required one is absent.

    ``options`` (thresholds and model assumptions from the ``[analysis]`` settings) go to the
    keyword-only parameters of the same name that the function declares.
    """
    params = inspect.signature(spec.compute).parameters
    args: dict[str, object] = {
        k: v for k, v in (options or {}).items() if k in params and params[k].kind is _KEYWORD_ONLY
    }
    for name, required in spec.inputs.items():
        dataset = available.get(name)
        if dataset is None and required:
            return None
        args[name] = dataset
    if "as_of" in params:
        args["as_of"] = as_of
    reading = spec.compute(**args)
    if reading is None:
        return None
    sources = tuple(dict.fromkeys(d.source for d in reading.used))
    return Fact(spec.id, asset, reading.value, reading.unit, as_of, sources, reading.evidence)


def compute(
    specs: Iterable[FactSpec],
    snapshot: Snapshot,
    as_of: pd.Timestamp,
    *,
    fomc: FomcCalendar | None = None,
    options: Mapping[str, object] | None = None,
) -> list[Fact]:
    """Every fact that applies at ``as_of``, from the snapshot cut at ``as_of``.

    ``fomc`` is the meeting calendar (facts needing it are absent without it); ``options``
    sets keyword-only parameters by name (see ``run_spec``). Ordered by asset (market-wide
    facts last), then by registry order.
    """
    known = snapshot.cut(as_of)
    specs = list(specs)
    facts: list[Fact] = []
    all_candles: dict[str, Dataset] = {}
    for name, data in known.assets.items():
        inputs = _asset_inputs(data)
        if (candles := inputs["candles"]) is not None:
            all_candles[name] = candles
        for spec in specs:
            if spec.scope == "asset" and (fact := run_spec(spec, inputs, as_of, name, options)):
                facts.append(fact)
    market: dict[str, Input] = {
        "fear_greed": _present(known.fear_greed),
        "dxy": _present(known.dxy),
        "all_candles": all_candles or None,
        "fomc": fomc,
    }
    for spec in specs:
        if spec.scope == "market" and (fact := run_spec(spec, market, as_of, None, options)):
            facts.append(fact)
    return facts
