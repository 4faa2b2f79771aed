"""Fact values: frozen, JSON objects by their JSON names, typed lookups that never guess."""

from __future__ import annotations

import copy
import json
import pickle
from dataclasses import FrozenInstanceError
from typing import cast

import pandas as pd
import pytest

from analysis.docs import attribute_docs
from models import Fact
from values import (
    FactValue,
    FundingFlip,
    LevelCalibration,
    LongClusterBelow,
    NearestCluster,
    PriceLevelBreak,
    ShortClusterAbove,
    Swept,
    UnknownFact,
    as_number,
    as_value,
    fact_ids,
    number_of,
    to_json,
    value_of,
    value_type,
)

AS_OF = pd.Timestamp("2026-11-23T08:00:00Z")
FLIP = FundingFlip(
    from_="negative", to="positive", at="2026-11-21T16:00:00Z", prints_since=6, current_pct=0.01
)


def fact(fact_id: str, value: object, asset: str | None = "BTC") -> Fact:
    return Fact(fact_id, asset, value, "state", AS_OF, ("Test",))


def test_a_value_is_its_json_object_under_json_names() -> None:
    assert json.dumps(FLIP) == (
        '{"from": "negative", "to": "positive", "at": "2026-11-21T16:00:00Z", '
        '"prints_since": 6, "current_pct": 0.01}'
    )
    assert FLIP["from"] == FLIP.from_ and FLIP["to"] == "positive"
    with pytest.raises(KeyError):
        FLIP["from_"]


def test_nested_values_serialise_and_read_by_key() -> None:
    calibration = LevelCalibration(k=0.02, fit_days=52, checked_days=39, within_2x_days=36)
    swept = Swept(
        total_usd=40e6,
        short_share=0.9,
        realized_usd=None,
        realized_short_share=None,
        calibration=calibration,
    )
    assert swept["calibration"]["within_2x_days"] == 36
    assert to_json(swept) == json.loads(json.dumps(swept))
    assert to_json(swept)["calibration"] == dict(calibration)
    assert type(to_json(swept)["calibration"]) is dict
    assert to_json(swept)["realized_usd"] is None


def test_values_are_frozen_and_survive_pickling() -> None:
    with pytest.raises(FrozenInstanceError):
        FLIP.to = "negative"  # type: ignore[misc]
    with pytest.raises(TypeError, match="frozen"):
        FLIP["to"] = "negative"
    with pytest.raises(TypeError, match="frozen"):
        FLIP.update({"to": "negative"})
    assert pickle.loads(pickle.dumps(FLIP)) == FLIP and copy.deepcopy(FLIP) == FLIP


def test_equal_fields_of_two_facts_are_not_equal_values() -> None:
    fields = (2.0, 1e6, 0.1, 100.0, 101.0, 100.5, None, 0.05, 0.5)
    short, long = ShortClusterAbove(*fields), LongClusterBelow(*fields)
    assert short != long
    assert (short == long) is False
    assert short == ShortClusterAbove(*fields)


def test_lookups_are_typed_and_checked() -> None:
    brk = PriceLevelBreak(120_000.0, "up", None)
    facts = {f.key: f for f in (fact("price.level_break", brk), fact("price.ath", 1.5))}
    assert value_of(facts, "BTC", PriceLevelBreak) is brk
    assert value_of(facts, "ETH", PriceLevelBreak) is None
    assert number_of(facts, "BTC", "price.ath") == 1.5
    assert number_of(facts, "ETH", "price.ath") is None
    with pytest.raises(UnknownFact, match=r"did you mean 'price\.ath'"):
        number_of(facts, "BTC", "price.athh")
    with pytest.raises(TypeError, match="not a number fact"):
        number_of(facts, "BTC", "price.new_ath")  # a flag, not a number
    with pytest.raises(TypeError, match="not a PriceLevelBreak"):
        as_value(fact("price.level_break", {"level": 1.0}), PriceLevelBreak)
    with pytest.raises(TypeError, match="not a number"):
        as_number(fact("price.ath", "1.5"))
    with pytest.raises(TypeError, match="look up a subclass"):
        value_of(facts, "BTC", NearestCluster)


def test_every_fact_id_has_one_value_type_and_every_field_a_meaning() -> None:
    for fact_id in fact_ids():
        kind = value_type(fact_id)
        assert kind in (float, bool) or (issubclass(kind, FactValue) and kind.fact_id == fact_id)
        if kind not in (float, bool):
            cls = cast(type[FactValue], kind)
            assert set(attribute_docs(cls)) == set(cls.json_keys()), cls.__name__
    with pytest.raises(TypeError, match="two value types"):

        class Again(FactValue):
            fact_id = "price.level_break"
