"""Reference cases for relative performance."""

from __future__ import annotations

import pytest

from analysis import cross
from models import Dataset, Fact
from settings import AnalysisSettings
from tests.analysis.frames import HOUR, approx, candles
from tests.render.make import fact
from values import Relative7d, Relative24h

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


def test_relative_7d_reads_the_7_day_changes() -> None:
    # 169 hourly candles: BTC +4 % in the last hour, ETH +1 % an hour over the last 8.
    btc = candles([100.0] * 168 + [104.0], start="2026-01-01", interval=HOUR)
    week = [100.0] * 161 + [100.0 * 1.01**i for i in range(1, 9)]
    eth = candles(week, start="2026-01-01", interval=HOUR, asset="ETH")
    r = cross.relative_7d({"BTC": btc, "ETH": eth}, relative_in_step_pp=IN_STEP)
    assert r is not None and r.unit == "pp"
    eth_7d = (1.01**8 - 1) * 100
    assert r.value == Relative7d(vs_btc={"ETH": approx(eth_7d - 4.0)}, leader="ETH", in_step=())
    assert r.evidence["change_7d_pct"] == {"BTC": approx(4.0), "ETH": approx(eth_7d)}
    short = {"BTC": rising(1.0, "BTC"), "ETH": rising(2.0, "ETH")}  # 25 hours: no 7-day change
    assert cross.relative_7d(short, relative_in_step_pp=IN_STEP) is None


# -- phrasing cases of templates/facts/cross.relative_7d.html (the 24-hour fact's are in
# tests/render/make.py), rendered by tests/render/test_fact_partials.py


def _week(
    vs_btc: dict[str, float],
    leader: str | None,
    changes: dict[str, float],
    in_step: tuple[str, ...] = (),
) -> Fact:
    value = Relative7d(vs_btc=vs_btc, leader=leader, in_step=in_step)
    return fact("cross.relative_7d", value, {"change_7d_pct": dict(changes)}, asset=None, unit="pp")


PHRASINGS: dict[str, Fact] = {
    "cross.relative_7d/eth-leads": _week({"ETH": 4.5}, "ETH", {"BTC": 2.0, "ETH": 6.5}),
    "cross.relative_7d/btc-leads-falling": _week({"ETH": -3.6}, "BTC", {"BTC": -1.2, "ETH": -4.8}),
    "cross.relative_7d/in-step": _week({"ETH": 0.1}, None, {"BTC": 5.0, "ETH": 5.1}, ("ETH",)),
    "cross.relative_7d/two-lead-together": _week(
        {"ETH": 4.0, "SOL": 4.05}, None, {"BTC": 1.0, "ETH": 5.0, "SOL": 5.05}
    ),
}


@pytest.mark.parametrize(
    ("name", "macro", "text"),
    [
        (
            "cross.relative_7d/eth-leads",
            "sentence",
            "Ether led over the past seven days with a 6.5% gain, 4.5 pp ahead of Bitcoin, which "
            "rose 2.0%, according to Binance spot data.",
        ),
        (
            "cross.relative_7d/btc-leads-falling",
            "takeaway",
            "Bitcoin led over seven days, 3.6 pp ahead of Ether.",
        ),
        (
            "cross.relative_7d/btc-leads-falling",
            "sentence",
            "Bitcoin held up best over the past seven days, down 1.2%; Ether fell 4.8%, 3.6 pp "
            "behind Bitcoin, according to Binance spot data.",
        ),
        (
            "cross.relative_7d/eth-leads",
            "headline",
            "Ether outpaces Bitcoin by 4.5 pp over seven days",
        ),
        ("cross.relative_7d/in-step", "headline", "Ether in step with Bitcoin over seven days"),
        ("cross.relative_7d/in-step", "clause", "Ether moved in step with Bitcoin over seven days"),
        (
            "cross.relative_7d/two-lead-together",
            "headline",
            "No single seven-day leader among the assets covered",
        ),
    ],
)
def test_7_day_phrasings(name: str, macro: str, text: str) -> None:
    from tests.render.test_fact_partials import say

    assert say(macro, PHRASINGS[name]) == text
