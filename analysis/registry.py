"""How fact functions are declared, checked and run.

A fact function is pure and named after its id (``price.level_break`` → ``level_break``):

- its positional parameters name the datasets it reads (``candles``, ``daily``, ``hourly``,
  ``funding``, ``open_interest``, ``liquidations``, ``long_short``, ``fear_greed``, ``dxy``)
  plus ``as_of``; one with a default of None is optional, and when a required dataset is absent
  from the snapshot the fact is simply absent;
- its keyword-only parameters, without defaults, are ``[analysis]`` settings by their field
  name (``squeeze_min_move_pct``) or a derived option built from several of them (``model``,
  see ``analysis.DERIVED``), so a default lives only in ``settings.AnalysisSettings``;
- it returns ``Reading[T] | None``, ``T`` the fact's value type in ``values.py``.

Three market-wide inputs are not single datasets: ``all_candles`` (``Mapping[str, Dataset]``,
each asset's finest candles, for cross-asset facts), ``all_daily`` (each asset's daily
candles, in the snapshot's asset order: the first is the lead asset) and ``fomc`` (the
``FomcCalendar``, which ``compute`` receives from its caller since it is not part of the
snapshot).

A topic module declares its facts with a ``Registry`` (``register = Registry("price")``, then
``@register("price.last", score=...)`` on each function); ``validate`` checks any list of specs
against the rules above and names the fix of each problem (``analysis.FACTS`` is validated at
import, so a misspelled parameter fails at once instead of silently never firing).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any, TypeVar, get_type_hints

import pandas as pd

from analysis.base import Reading
from models import AssetData, Dataset, Fact, FomcCalendar, Snapshot
from settings import AnalysisSettings, NarrativeSettings
from values import UnknownFact, value_type

MARKET_INPUTS = ("fear_greed", "dxy", "all_candles", "all_daily", "fomc")
ASSET_INPUTS: tuple[str, ...] = ("candles", "daily", "hourly", "funding", "open_interest")
ASSET_INPUTS += ("liquidations", "long_short")
SETTINGS: tuple[str, ...] = tuple(f.name for f in fields(AnalysisSettings))
"""Names a keyword-only parameter may take from the ``[analysis]`` settings."""

Derived = Mapping[str, Callable[[AnalysisSettings], object]]
"""Options built from several settings, by parameter name (e.g. the level ``model``)."""

Score = Callable[[Fact], float]
"""How newsworthy a fact is, 0-100."""

Estimate = Callable[[Fact], bool]
"""Whether a fact, as valued, states a model estimate (the note then says so once)."""


def reported(fact: Fact) -> bool:
    """Reported or computed data, never a model estimate."""
    return False


def modelled(fact: Fact) -> bool:
    """Always a model estimate (the liquidation-level model)."""
    return True


class RegistryError(Exception):
    """A fact declaration breaks a rule of this module; the message says how to fix it."""


Worth = Callable[[Fact, Mapping[str, Fact], NarrativeSettings], bool]
"""Whether a fact is worth saying in the prose (the gate), given every fact of the note by
``Fact.key`` and the ``[narrative]`` settings; one that is not stays in facts.json and the
appendix."""


def always(fact: Fact, facts: Mapping[str, Fact], narrative: NarrativeSettings) -> bool:
    """Always said."""
    return True


def unscored(fact: Fact) -> float:
    """Not scored (0): a supporting number."""
    return 0.0


def fixed(points: float) -> Score:
    """A score of ``points`` whatever the value."""

    def score(fact: Fact) -> float:
        return points

    score.__doc__ = f"{points:g}."
    return score


@dataclass(frozen=True)
class FactSpec:
    """One registered fact: everything about it except its phrasing (``templates/facts/``)."""

    id: str
    function: Callable[..., Reading[Any] | None]
    section: str
    """Its topic (``price``, ``derivatives``, ``momentum``, ``macro``...), by default its
    module's: docs/facts.md shows it; where the note says the fact is decided by
    ``analysis.narrative`` (``BLOCKS``, What to watch)."""
    score: Score = unscored
    """Its newsworthiness; the function's docstring states the rule (docs/facts.md)."""
    estimate: Estimate = reported
    """Whether its value states a model estimate; the note then says so once."""
    worth: Worth = always
    """The gate: whether the prose says it; its docstring states the rule (docs/facts.md)."""
    background: Worth | None = None
    """The background gate: on a day with no second story (``[narrative] background``),
    whether the prose says it though ``worth`` does not hold; None: never."""

    @cached_property
    def parameters(self) -> tuple[inspect.Parameter, ...]:
        """The function's parameters."""
        return tuple(inspect.signature(self.function).parameters.values())

    @property
    def inputs(self) -> dict[str, bool]:
        """Dataset parameter names, each mapped to whether it is required."""
        return {
            p.name: p.default is inspect.Parameter.empty
            for p in self.parameters
            if p.kind is not p.KEYWORD_ONLY and p.name != "as_of"
        }

    @property
    def options(self) -> tuple[str, ...]:
        """Keyword-only parameter names: settings and derived options."""
        return tuple(p.name for p in self.parameters if p.kind is p.KEYWORD_ONLY)

    @property
    def scope(self) -> str:
        """``asset`` when computed once per asset, ``market`` when once per note."""
        return "asset" if any(n in ASSET_INPUTS for n in self.inputs) else "market"

    @property
    def value_type(self) -> type:
        """The type of its value (``values.value_type``): float, bool or a ``FactValue``."""
        return value_type(self.id)

    @property
    def doc(self) -> str:
        """The function's docstring: what the value means."""
        return inspect.cleandoc(self.function.__doc__ or "")


F = TypeVar("F", bound=Callable[..., Any])


class Registry:
    """The facts one topic module declares, in declaration order (registry order)."""

    def __init__(self, section: str) -> None:
        self.section = section
        """Section of the module's facts unless one says otherwise."""
        self.specs: list[FactSpec] = []

    def __call__(
        self,
        fact_id: str,
        *,
        section: str | None = None,
        score: Score = unscored,
        estimate: Estimate = reported,
        worth: Worth = always,
        background: Worth | None = None,
    ) -> Callable[[F], F]:
        """Decorator declaring the function as the fact ``fact_id`` (see ``FactSpec``)."""

        def declare(function: F) -> F:
            where = section or self.section
            spec = FactSpec(fact_id, function, where, score, estimate, worth, background)
            self.specs.append(spec)
            return function

        return declare


# --- validation --------------------------------------------------------------------------------


def _hint(name: str, known: Iterable[str]) -> str:
    known = list(known)
    close = difflib.get_close_matches(name, known, n=1)
    listed = f" (known: {', '.join(known)})"
    return listed + (f"; did you mean {close[0]!r}?" if close else "")


def _positional_problems(spec: FactSpec, p: inspect.Parameter) -> list[str]:
    where = f"{spec.id}: parameter {p.name!r}"
    if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
        return [f"{where}: fact functions take named parameters only"]
    if p.name == "as_of":
        return [] if p.default is p.empty else [f"{where} must have no default"]
    if p.name not in (*ASSET_INPUTS, *MARKET_INPUTS):
        known = (*ASSET_INPUTS, *MARKET_INPUTS, "as_of")
        return [f"{where} is not a dataset input{_hint(p.name, known)}"]
    if p.default not in (p.empty, None):
        return [f"{where}: an optional input defaults to None, not {p.default!r}"]
    return []


def _option_problems(spec: FactSpec, p: inspect.Parameter, derived: Derived) -> list[str]:
    where = f"{spec.id}: keyword-only parameter {p.name!r}"
    if p.name not in SETTINGS and p.name not in derived:
        known = (*SETTINGS, *derived)
        return [f"{where} is not an [analysis] setting or derived option{_hint(p.name, known)}"]
    if p.default is not p.empty:
        return [f"{where}: drop its default; it comes from settings.AnalysisSettings"]
    if p.name in derived:
        expected = get_type_hints(derived[p.name]).get("return")
    else:
        expected = get_type_hints(AnalysisSettings)[p.name]
    found = get_type_hints(spec.function).get(p.name)
    if found != expected:
        return [f"{where} is annotated {found}, but the option is a {expected}"]
    return []


def _return_problems(spec: FactSpec) -> list[str]:
    try:
        kind = spec.value_type
    except UnknownFact:
        return [
            f"{spec.id}: no value type in values.py; add a FactValue subclass with "
            f"fact_id = {spec.id!r}, or a SCALARS entry for a number or flag"
        ]
    expected = Reading[kind] | None  # type: ignore[valid-type]
    found = get_type_hints(spec.function).get("return")
    if found != expected:
        name = getattr(kind, "__name__", kind)
        return [f"{spec.id}: the function returns {found}; declare Reading[{name}] | None"]
    return []


def problems(spec: FactSpec, derived: Derived) -> list[str]:
    """What is wrong with one spec, each with its fix."""
    found: list[str] = []
    expected = spec.id.partition(".")[2]
    if spec.function.__name__ != expected:
        found.append(
            f"{spec.id}: the function is named {spec.function.__name__!r}; name it "
            f"{expected!r} (the id after its first dot)"
        )
    for p in spec.parameters:
        if p.kind is p.KEYWORD_ONLY:
            found += _option_problems(spec, p, derived)
        else:
            found += _positional_problems(spec, p)
    inputs = set(spec.inputs)
    if not inputs:
        found.append(f"{spec.id}: it reads no dataset; name one as a parameter")
    elif inputs & set(ASSET_INPUTS) and inputs & set(MARKET_INPUTS):
        found.append(f"{spec.id}: it mixes per-asset and market-wide inputs; split the fact")
    found += _return_problems(spec)
    if spec.score is not unscored and not (spec.score.__doc__ or "").strip():
        found.append(f"{spec.id}: its score function needs a docstring stating the rule")
    if spec.worth is not always and not (spec.worth.__doc__ or "").strip():
        found.append(f"{spec.id}: its worth function needs a docstring stating the rule")
    if spec.background is not None and not (spec.background.__doc__ or "").strip():
        found.append(f"{spec.id}: its background function needs a docstring stating the rule")
    return found


def validate(specs: Iterable[FactSpec], derived: Derived) -> tuple[FactSpec, ...]:
    """``specs`` as a tuple once every rule of this module holds; else ``RegistryError``
    listing every problem and its fix."""
    specs = tuple(specs)
    ids = [s.id for s in specs]
    found = [f"{i}: declared {ids.count(i)} times" for i in dict.fromkeys(ids) if ids.count(i) > 1]
    for spec in specs:
        found += problems(spec, derived)
    if found:
        raise RegistryError("invalid fact registry:\n- " + "\n- ".join(found))
    return specs


def options_for(
    specs: Iterable[FactSpec], settings: AnalysisSettings, derived: Derived
) -> dict[str, object]:
    """Every keyword-only parameter of ``specs``, valued from ``settings``."""
    names = dict.fromkeys(name for spec in specs for name in spec.options)
    return {n: derived[n](settings) if n in derived else getattr(settings, n) for n in names}


# --- running -----------------------------------------------------------------------------------


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
    options: Mapping[str, object],
) -> Fact | None:
    """Call one fact function with the datasets it names; None when a required one is absent.

    ``options`` must hold each keyword-only parameter of the function (settings values).
    """
    args: dict[str, object] = {name: options[name] for name in spec.options}
    for name, required in spec.inputs.items():
        dataset = available.get(name)
        if dataset is None and required:
            return None
        args[name] = dataset
    if any(p.name == "as_of" for p in spec.parameters):
        args["as_of"] = as_of
    reading = spec.function(**args)
    if reading is None:
        return None
    sources = tuple(dict.fromkeys(d.source for d in reading.used))
    return Fact(spec.id, asset, reading.value, reading.unit, as_of, sources, reading.evidence)


def check_options(specs: Iterable[FactSpec], options: Mapping[str, object]) -> None:
    """Raise ``RegistryError`` unless ``options`` sets exactly the keyword-only parameters of
    ``specs``: an option no fact takes is a typo, never silently dropped."""
    wanted = list(dict.fromkeys(name for spec in specs for name in spec.options))
    unknown = [
        f"option {k!r} matches no parameter of any fact{_hint(k, wanted)}"
        for k in options
        if k not in wanted
    ]
    missing = [f"option {k!r} is missing" for k in wanted if k not in options]
    if unknown or missing:
        raise RegistryError("; ".join(unknown + missing))


def compute(
    specs: Iterable[FactSpec],
    snapshot: Snapshot,
    as_of: pd.Timestamp,
    *,
    fomc: FomcCalendar | None = None,
    options: Mapping[str, object],
) -> list[Fact]:
    """Every fact that applies at ``as_of``, from the snapshot cut at ``as_of``.

    ``fomc`` is the meeting calendar (facts needing it are absent without it); ``options`` sets
    every keyword-only parameter by name (``check_options``). Ordered by asset (market-wide
    facts last), then by registry order.
    """
    specs = list(specs)
    check_options(specs, options)
    known = snapshot.cut(as_of)
    facts: list[Fact] = []
    all_candles: dict[str, Dataset] = {}
    all_daily: dict[str, Dataset] = {}
    for name, data in known.assets.items():
        inputs = _asset_inputs(data)
        if (candles := inputs["candles"]) is not None:
            all_candles[name] = candles
        if (daily := inputs["daily"]) is not None:
            all_daily[name] = daily
        for spec in specs:
            if spec.scope == "asset" and (fact := run_spec(spec, inputs, as_of, name, options)):
                facts.append(fact)
    market: dict[str, Input] = {
        "fear_greed": _present(known.fear_greed),
        "dxy": _present(known.dxy),
        "all_candles": all_candles or None,
        "all_daily": all_daily or None,
        "fomc": fomc,
    }
    for spec in specs:
        if spec.scope == "market" and (fact := run_spec(spec, market, as_of, None, options)):
            facts.append(fact)
    return facts
