"""Reference cases for relative performance."""

from __future__ import annotations

import pytest

from analysis import cross
from models import Dataset
from settings import AnalysisSettings
from tests.analysis.frames import HOUR, approx, candles
from values import Relative24h

IN_STEP = AnalysisSettings().relative_in_step_pp


def rising(pct: float, asset: str) -> Dataset:
    return candles([100.0] * 24 + [100.0 + pct], start="2026-01-01", interval=HOUR, asset=asset)


def test_the_in_step_threshold_is_the_rounding_shown() -> None:
    assert IN_STEP == 0.15  # a gap shown as 0.1 pp or less is inside two changes' rounding


def test_relative_24h_in_points_against_btc_and_the_leader() -> None:
    data = {"BTC": rising(2.0, "BTC"), "ETH": rising(5.0, "ETH"), "SOL": rising(-1.0, "SOL")}
    r = cross.relative_24h(data, relative_in_step_pp=IN_STEP)
    assert r is not None and r.unit == "pp"
    assert r.value == Relative24h(
        vs_btc={"ETH": approx(3.0), "SOL": approx(-3.0)}, leader="ETH", in_step=()
    )
    assert r.evidence["change_24h_pct"]["BTC"] == pytest.approx(2.0)


def test_relative_24h_btc_leading_and_absent_without_btc() -> None:
    r = cross.relative_24h(
        {"BTC": rising(4.0, "BTC"), "ETH": rising(3.0, "ETH")}, relative_in_step_pp=IN_STEP
    )
    assert r is not None and r.value.leader == "BTC"
    assert r.value.vs_btc["ETH"] == pytest.approx(-1.0)
    assert cross.relative_24h({"ETH": rising(3.0, "ETH")}, relative_in_step_pp=IN_STEP) is None
    assert cross.relative_24h({"BTC": rising(3.0, "BTC")}, relative_in_step_pp=IN_STEP) is None


@pytest.mark.parametrize(
    ("eth", "leader", "in_step"),
    [
        (3.0, None, ("ETH",)),  # 0.1 pp ahead: inside the rounding shown, in step
        (3.04, None, ("ETH",)),  # 0.14 pp
        (3.1, "ETH", ()),  # 0.2 pp: a lead
        (2.8, None, ("ETH",)),  # 0.1 pp behind
    ],
)
def test_a_lead_inside_the_rounding_is_in_step(
    eth: float, leader: str | None, in_step: tuple[str, ...]
) -> None:
    data = {"BTC": rising(2.9, "BTC"), "ETH": rising(eth, "ETH")}
    r = cross.relative_24h(data, relative_in_step_pp=IN_STEP)
    assert r is not None and (r.value.leader, r.value.in_step) == (leader, in_step)


def test_in_step_with_btc_and_a_clear_leader_elsewhere() -> None:
    data = {"BTC": rising(1.0, "BTC"), "ETH": rising(1.05, "ETH"), "SOL": rising(5.0, "SOL")}
    r = cross.relative_24h(data, relative_in_step_pp=IN_STEP)
    assert r is not None and (r.value.leader, r.value.in_step) == ("SOL", ("ETH",))
