"""The fact registry is complete and checked: unique ids, one value type each, documented,
tested, docs/facts.md current; a bad declaration fails at import with its fix in the message."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pandas as pd
import pytest

import analysis
from analysis import DERIVED, FACTS, compute_facts, derivatives
from analysis.base import Reading
from analysis.docs import DOC_PATH, facts_markdown
from analysis.liquidation_map import LEVEL_MODEL, LevelModel
from analysis.registry import FactSpec, RegistryError, fixed, validate
from models import Dataset, Fact
from pipeline import default_as_of
from settings import AnalysisSettings
from sources import load_snapshot
from sources.calendar import load_fomc
from tests.conftest import DEMO
from values import FundingFlip, Squeeze, fact_ids, to_json

TESTS = Path(__file__).parent


def test_ids_are_unique_and_namespaced() -> None:
    ids = [s.id for s in FACTS]
    assert len(ids) == len(set(ids))
    namespaces = {"price", "momentum", "funding", "open_interest", "liquidations", "positioning"}
    namespaces |= {"clusters", "sentiment", "macro", "cross", "outlook", "context"}
    assert all(i.split(".")[0] in namespaces for i in ids)


def test_every_fact_has_a_docstring_and_a_reference_test() -> None:
    tested = "".join(p.read_text() for p in TESTS.glob("test_*.py"))
    for spec in FACTS:
        assert spec.doc, spec.id
        assert f".{spec.function.__name__}(" in tested, f"{spec.id} has no reference test"


def test_every_value_type_belongs_to_a_registered_fact() -> None:
    assert sorted(fact_ids()) == sorted(s.id for s in FACTS)


def test_docs_facts_md_is_generated_from_the_registry() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == facts_markdown(), (
        "docs/facts.md is stale: run `python -m analysis.docs`"
    )


# --- every computed value has its declared type and its facts.json form ------------------------


@pytest.fixture(scope="module")
def demo_facts() -> list[Fact]:
    snapshot = load_snapshot(DEMO)
    return compute_facts(snapshot, default_as_of(snapshot), fomc=load_fomc())


def test_every_demo_value_has_its_declared_type(demo_facts: list[Fact]) -> None:
    types = {s.id: s.value_type for s in FACTS}
    assert {f.id for f in demo_facts} == set(types), "the demo should exercise every fact"
    for f in demo_facts:
        assert type(f.value) is types[f.id], f"{f.key}: {type(f.value).__name__}"


def test_values_serialise_as_their_json_objects(demo_facts: list[Fact]) -> None:
    for f in demo_facts:
        assert json.dumps(f.value) == json.dumps(to_json(f.value)), f.key
    flip = next(f.value for f in demo_facts if f.id == "funding.flip")
    assert list(to_json(flip)) == ["from", "to", "at", "prints_since", "current_pct"]
    assert flip["from"] == flip.from_ == "negative"
    with pytest.raises(KeyError):
        flip["from_"]


# --- validation: bad declarations and their fixes -----------------------------------------------


def flip(fundng: Dataset, as_of: pd.Timestamp) -> Reading[FundingFlip] | None:
    """A flip whose dataset parameter is misspelled."""
    return None


def squeeze(
    liquidations: Dataset, candles: Dataset, as_of: pd.Timestamp, *, squeeze_min_move_pc: float
) -> Reading[Squeeze] | None:
    """A squeeze whose setting is misspelled."""
    return None


def _error(*specs: FactSpec) -> str:
    with pytest.raises(RegistryError) as raised:
        validate(specs, DERIVED)
    return str(raised.value)


def test_a_misspelled_input_names_the_fix() -> None:
    message = _error(FactSpec("funding.flip", flip, "derivatives"))
    assert "funding.flip: parameter 'fundng' is not a dataset input (known: candles, daily" in (
        message
    )
    assert message.endswith("did you mean 'funding'?")


def test_a_misspelled_setting_names_the_fix() -> None:
    message = _error(FactSpec("liquidations.squeeze", squeeze, "derivatives"))
    assert "keyword-only parameter 'squeeze_min_move_pc' is not an [analysis] setting" in message
    assert "did you mean 'squeeze_min_move_pct'?" in message


def test_a_misspelled_fact_fails_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = FactSpec("funding.flip", flip, "derivatives")
    specs = [bad if s.id == "funding.flip" else s for s in derivatives.register.specs]
    monkeypatch.setattr(derivatives.register, "specs", specs)
    try:
        with pytest.raises(RegistryError, match="did you mean 'funding'"):
            importlib.reload(analysis)
    finally:
        monkeypatch.undo()
        importlib.reload(analysis)


def _good(
    funding: Dataset, as_of: pd.Timestamp, *, squeeze_min_share: float
) -> Reading[FundingFlip] | None:
    """A well-declared function under the wrong name."""
    return None


def with_default(funding: Dataset, *, model: LevelModel = LEVEL_MODEL) -> Reading[float] | None:
    """A setting with a default of its own, and a wrong value type."""
    return None


def rate(funding: Dataset, fear_greed: Dataset) -> Reading[float] | None:
    """Per-asset and market-wide inputs at once."""
    return None


def test_each_rule_names_its_fix() -> None:
    message = _error(
        FactSpec("funding.flip", _good, "derivatives"),
        FactSpec("open_interest.with_default", with_default, "derivatives"),
        FactSpec("funding.rate", rate, "derivatives", score=lambda f: 1.0),
        FactSpec("funding.rate", rate, "derivatives", worth=lambda f, facts, n: True),
    )
    assert "funding.flip: the function is named '_good'; name it 'flip'" in message
    assert "'model': drop its default; it comes from settings.AnalysisSettings" in message
    assert "open_interest.with_default: no value type in values.py" in message
    assert "funding.rate: declared 2 times" in message
    assert "funding.rate: it mixes per-asset and market-wide inputs" in message
    assert "funding.rate: the function returns" in message and "Reading[FundingRate]" in message
    assert "its score function needs a docstring" in message
    assert "funding.rate: its worth function needs a docstring stating the rule" in message


def test_the_registry_itself_is_valid() -> None:
    assert validate(FACTS, DERIVED) == FACTS
    assert fixed(15.0).__doc__ == "15."


# --- options -------------------------------------------------------------------------------------


def test_an_option_no_fact_takes_raises() -> None:
    snapshot = load_snapshot(DEMO)
    with pytest.raises(RegistryError, match="did you mean 'squeeze_min_share'"):
        compute_facts(snapshot, default_as_of(snapshot), options={"squeeze_min_shares": 0.9})


def test_options_take_the_settings_names_and_the_derived_model() -> None:
    options = analysis.analysis_options(AnalysisSettings(maintenance_margin=0.01))
    assert options.keys() == {
        "squeeze_min_move_pct",
        "squeeze_min_share",
        "squeeze_min_multiple",
        "level_major_steps",
        "level_minor_steps",
        "range_days",
        "level_min_age_days",
        "level_minor_unseen_days",
        "funding_flip_min_prints",
        "funding_flip_min_pct",
        "relative_in_step_pp",
        "base_rate_min_cases",
        "base_rate_ath_gap_days",
        "base_rate_move_pct",
        "base_rate_fear_greed_extreme",
        "model",
    }
    model = options["model"]
    assert isinstance(model, LevelModel) and model.mmr == 0.01
