"""The level model's sentences say what they are: estimates, beside realized liquidations.

Model numbers are never phrased as data ("the price has run through $X of liquidations"), never
as magnets or pockets, and every amount or share of the model is called estimated where it is
said; without a fitted scale the sentences give shares, never USD.
"""

from __future__ import annotations

import re

import pytest

from tests.render.make import BRANCHES
from tests.render.test_fact_partials import MACROS, say

LEVEL_BRANCHES = [name for name in BRANCHES if name.startswith("clusters.")]
BANNED = ("run through", "ran through", "magnet", "pocket", "swept", "sweeps")


@pytest.mark.parametrize("name", LEVEL_BRANCHES)
@pytest.mark.parametrize("macro", MACROS)
def test_model_numbers_are_called_estimates(name: str, macro: str) -> None:
    text = say(macro, BRANCHES[name])
    assert "estimat" in text.lower(), text
    assert not any(word in text.lower() for word in BANNED), text


@pytest.mark.parametrize("name", LEVEL_BRANCHES)
def test_without_a_scale_there_are_shares_and_no_usd(name: str) -> None:
    f = BRANCHES[name]
    relative = (
        f.value["calibration"]["k"] is None
        if "calibration" in f.value
        else (f.value["usd"] is None)
    )
    text = " ".join(say(macro, f) for macro in MACROS)
    if relative:
        assert "$" not in re.sub(r"at \$[\d,]+\u2013\$[\d,]+", "", text), text
        assert "%" in text
    else:
        assert re.search(r"\$[\d.]+[KMB]", text), text


def test_the_realized_total_is_said_beside_the_estimate() -> None:
    text = say("sentence", BRANCHES["clusters.swept_24h/shorts"])
    assert "estimated about $173M" in text and "against $431M realized" in text
    assert "within 2\u00d7 of the realized total on 36 of the last 39 days" in text
