"""Reference tables for every filter: number or time in, exact text out."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime

import pandas as pd
import pytest

from models import ChartRef, DataGap, Fact
from render import filters as F
from render.filters import MINUS, NBSP


@pytest.mark.parametrize(
    ("x", "decimals", "text"),
    [
        (123456.78, None, "$123,457"),
        (1000, None, "$1,000"),
        (999.99, None, "$999.99"),
        (4.0812, None, "$4.08"),
        (0.5, None, "$0.50"),
        (0, None, "$0.00"),
        (-1234.5, None, f"{MINUS}$1,234"),
        (-0.001, None, "$0.00"),
        (123456.78, 2, "$123,456.78"),
        (4.0812, 4, "$4.0812"),
    ],
)
def test_usd(x: float, decimals: int | None, text: str) -> None:
    assert F.usd(x, decimals) == text


@pytest.mark.parametrize(
    ("days", "adjective", "words"),
    [
        (14, False, "two weeks"),
        (14, True, "two-week"),
        (7, False, "week"),
        (7, True, "one-week"),
        (10, False, "10 days"),
        (10, True, "10-day"),
    ],
)
def test_period(days: int, adjective: bool, words: str) -> None:
    assert F.period(days, adjective) == words


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (12_500, "$12.5K"),
        (345_000_000, "$345M"),
        (1_234_000_000, "$1.2B"),
        (2.5e12, "$2.5T"),
        (99_960, "$100K"),
        (999_960, "$1.0M"),
        (100_000_000, "$100M"),
        (-12_500_000, f"{MINUS}$12.5M"),
        (950, "$950.00"),
    ],
)
def test_usd_compact(x: float, text: str) -> None:
    assert F.usd_compact(x) == text


@pytest.mark.parametrize(
    ("x", "n", "text"),
    [
        (2.345, 1, "2.3%"),
        (2.35, 2, "2.35%"),
        (-1.25, 1, f"{MINUS}1.2%"),
        (-0.04, 1, "0.0%"),
        (38.3145, 0, "38%"),
        (1234.5, 1, "1,234.5%"),
    ],
)
def test_pct(x: float, n: int, text: str) -> None:
    assert F.pct(x, n) == text


@pytest.mark.parametrize(
    ("x", "text"),
    [(2.34, "+2.3%"), (-1.2, f"{MINUS}1.2%"), (0.0, "0.0%"), (0.04, "0.0%"), (-0.04, "0.0%")],
)
def test_signed_pct(x: float, text: str) -> None:
    assert F.signed_pct(x) == text


def test_pp() -> None:
    assert F.pp(1.5) == f"1.5{NBSP}pp"
    assert F.pp(1.5, signed=True) == f"+1.5{NBSP}pp"
    assert F.pp(-0.25, 2, signed=True) == f"{MINUS}0.25{NBSP}pp"


@pytest.mark.parametrize(
    ("eth", "btc", "gap"),
    [
        (4.64, 2.76, 1.8),
        (2.76, 4.64, -1.8),
        (-1.26, -1.1, -0.2),
        (0.04, -0.04, 0.0),
        (12.0, 2.05, 10.0),
    ],
)
def test_shown_gap_is_the_gap_of_the_changes_as_shown(eth: float, btc: float, gap: float) -> None:
    assert F.shown_gap({"ETH": eth, "BTC": btc}, "ETH") == gap
    assert F.pp(F.shown_gap({"ETH": eth, "BTC": btc}, "ETH")) == F.pp(
        float(F.pct(eth).replace(MINUS, "-")[:-1]) - float(F.pct(btc).replace(MINUS, "-")[:-1])
    )


@pytest.mark.parametrize(
    ("x", "n", "text"),
    [(1647.618, 2, "1,647.62"), (70.96, 1, "71.0"), (-12.5, 1, f"{MINUS}12.5"), (3, 0, "3")],
)
def test_number(x: float, n: int, text: str) -> None:
    assert F.number(x, n) == text


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, True])
def test_non_numbers_raise(bad: float) -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        F.number(bad, 1)


@pytest.mark.parametrize(
    ("x", "text"),
    [(6.49, "gained 6.5%"), (-1.25, "lost 1.2%"), (0.04, "was flat"), (-0.04, "was flat")],
)
def test_move(x: float, text: str) -> None:
    assert F.move(x, "gained {}", "lost {}", "was flat") == text


def test_move_without_placeholder_picks_a_word() -> None:
    assert F.move(-3.0, "up", "down", "flat") == "down"


@pytest.mark.parametrize(
    ("x", "n", "unit", "text"),
    [
        (-1.0192, 1, "pp", f"behind by 1.0{NBSP}pp"),
        (2.1, 1, "pp", f"ahead by 2.1{NBSP}pp"),
        (0.01, 1, "pp", f"level at 0.0{NBSP}pp"),
        (27.0, 0, "points", "ahead by 27 points"),
        (-1.0, 0, "points", "behind by 1 point"),
        (0.4, 0, "points", "level at 0 points"),
        (-0.2865, 2, "%", "behind by 0.29%"),
    ],
)
def test_move_units(x: float, n: int, unit: str, text: str) -> None:
    assert F.move(x, "ahead by {}", "behind by {}", "level at {}", n, unit) == text


def test_move_rejects_an_unknown_unit() -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        F.move(1.0, "{}", "{}", unit="bp")


@pytest.mark.parametrize(("x", "n", "text"), [(0.9439, 0, "94%"), (0.5, 1, "50.0%"), (0, 0, "0%")])
def test_share(x: float, n: int, text: str) -> None:
    assert F.share(x, n) == text


@pytest.mark.parametrize(
    ("n", "text"), [(0, "zero"), (2, "two"), (6, "six"), (10, "10"), (1234, "1,234")]
)
def test_cardinal(n: int, text: str) -> None:
    assert F.cardinal(n) == text


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "first"),
        (2, "second"),
        (9, "ninth"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (14, "14th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (111, "111th"),
    ],
)
def test_ordinal(n: int, text: str) -> None:
    assert F.ordinal(n) == text


@pytest.mark.parametrize(("n", "text"), [(0, "today"), (1, "yesterday"), (14, "14 days ago")])
def test_days_ago(n: int, text: str) -> None:
    assert F.days_ago(n) == text


@pytest.mark.parametrize(("n", "text"), [(0, "today"), (1, "tomorrow"), (16, "in 16 days")])
def test_days_ahead(n: int, text: str) -> None:
    assert F.days_ahead(n) == text


WHEN = [
    "2026-11-23T08:00:00Z",
    "2026-11-23T08:00:00+00:00",
    "2026-11-23T09:00:00+01:00",
    "2026-11-23 08:00",
    pd.Timestamp("2026-11-23T08:00Z"),
    datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
]


@pytest.mark.parametrize("when", WHEN)
def test_times_are_shown_in_utc(when: object) -> None:
    assert F.date(when) == "23 November 2026"  # type: ignore[arg-type]
    assert F.short_date(when) == "23 Nov"  # type: ignore[arg-type]
    assert F.day_month(when) == "23 November"  # type: ignore[arg-type]
    assert F.month_year(when) == "November 2026"  # type: ignore[arg-type]
    assert F.time_utc(when) == "08:00 UTC"  # type: ignore[arg-type]
    assert F.datetime_utc(when) == "23 November 2026, 08:00 UTC"  # type: ignore[arg-type]
    assert F.iso_utc(when) == "2026-11-23T08:00:00Z"  # type: ignore[arg-type]


def test_plain_dates() -> None:
    assert F.date("2026-02-01") == "1 February 2026"
    assert F.month_year("2026-02-10") == "February 2026"


def test_bad_time_raises() -> None:
    with pytest.raises(ValueError):
        F.date("not a date")


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ("2026-11-13", "2026-11-19", "13\u201319 November 2026"),
        ("2026-10-28", "2026-11-03", "28 October \u2013 3 November 2026"),
        ("2025-12-29", "2026-01-04", "29 December 2025 \u2013 4 January 2026"),
    ],
)
def test_date_range(start: str, end: str, text: str) -> None:
    assert F.date_range(start, end) == text


@pytest.mark.parametrize(
    ("when", "text"),
    [
        ("2026-02-10", "February 2026"),
        ("2025-11-30", "November 2025"),
        ("2026-11-03", "3 November"),
    ],
)
def test_since(when: str, text: str) -> None:
    assert F.since(when, "2026-11-23T08:00:00Z") == text


@pytest.mark.parametrize(
    ("when", "text"), [("2026-01-02", "2 January"), ("2025-12-31", "31 December 2025")]
)
def test_day_of(when: str, text: str) -> None:
    assert F.day_of(when, "2026-11-23T08:00:00Z") == text


@pytest.mark.parametrize(
    ("sources", "text"),
    [
        (["Binance spot"], "Binance spot data"),
        ("Binance spot", "Binance spot data"),
        (["Binance spot", "CoinGlass"], "Binance spot and CoinGlass data"),
        (["Binance spot", "CoinGlass", "Binance spot"], "Binance spot and CoinGlass data"),
        (["A", "B", "C"], "A, B and C data"),
        (["Federal Reserve"], "the Federal Reserve's calendar"),
        (["Alternative.me Fear & Greed Index"], "Alternative.me"),
        (["ICE US Dollar Index via Yahoo Finance"], "ICE US Dollar Index data via Yahoo Finance"),
        (
            ["CoinGlass", "Federal Reserve", "Binance spot"],
            "CoinGlass and Binance spot data and the Federal Reserve's calendar",
        ),
        (["Federal Reserve", "CoinGlass"], "the Federal Reserve's calendar and CoinGlass data"),
    ],
)
def test_cite(sources: list[str] | str, text: str) -> None:
    assert F.cite(sources) == text


def test_cite_requires_a_source() -> None:
    with pytest.raises(ValueError, match="at least one source"):
        F.cite([])


@pytest.mark.parametrize(
    ("code", "name"), [("BTC", "Bitcoin"), ("ETH", "Ether"), ("SOL", "SOL"), (None, "the market")]
)
def test_asset_name(code: str | None, name: str) -> None:
    assert F.asset_name(code) == name


def test_and_list() -> None:
    assert F.and_list([]) == ""
    assert F.and_list(["funding rates for ETH"]) == "funding rates for ETH"
    assert F.and_list(["a", "b", "c"]) == "a, b and c"


def test_oneline_keeps_markup() -> None:
    from markupsafe import Markup

    assert F.oneline("  a\n  b  ") == "a b"
    out = F.oneline(Markup("<b>x</b>\n y"))
    assert isinstance(out, Markup) and out == Markup("<b>x</b> y")


def test_every_public_filter_is_registered() -> None:
    public = {
        name
        for name, obj in vars(F).items()
        if callable(obj)
        and not isinstance(obj, type)
        and not name.startswith("_")
        and getattr(obj, "__module__", "") == F.__name__
    }
    assert public == set(F.FILTERS)


def test_upper_first_keeps_the_rest() -> None:
    assert F.upper_first("fear & Greed index data") == "Fear & Greed index data"
    assert F.upper_first("") == ""


def _fact(fact_id: str) -> Fact:
    return Fact(fact_id, "BTC", 1.0, "USD", pd.Timestamp("2026-11-23T08:00Z"), ("X",))


def test_glance_picks_the_summary_facts_of_one_asset() -> None:
    facts = {f.key: f for f in (_fact("price.last"), _fact("price.pct_below_ath"))}
    row = F.glance(facts, "BTC")
    assert row.last is facts["BTC:price.last"] and row.below_ath is facts["BTC:price.pct_below_ath"]
    assert row.change_24h is None and row.change_7d is None
    assert F.glance(facts, "ETH") == (None, None, None, None)


GAPS = (
    DataGap("funding", "BTC", None),
    DataGap("open_interest", "BTC", None),
    DataGap("funding", "ETH", None),
    DataGap("liquidations", "SOL", pd.Timestamp("2026-11-20T00:00Z")),  # stale, not absent
    DataGap("liquidations", "ETH", pd.Timestamp("2026-11-20T00:00Z")),
    DataGap("liquidations", "XRP", pd.Timestamp("2026-11-21T00:00Z")),
    DataGap("dxy", None, None),
)


def test_gap_groups_share_an_item_between_datasets_of_the_same_assets_and_state() -> None:
    assert F.gap_groups(GAPS, stale=False) == [
        F.GapGroup(("funding",), ("BTC", "ETH"), None),
        F.GapGroup(("open_interest",), ("BTC",), None),
        F.GapGroup(("dxy",), (None,), None),
    ]
    assert F.gap_groups(GAPS, stale=True) == [
        F.GapGroup(("liquidations",), ("SOL", "ETH"), pd.Timestamp("2026-11-20T00:00Z")),
        F.GapGroup(("liquidations",), ("XRP",), pd.Timestamp("2026-11-21T00:00Z")),
    ]
    both = (DataGap("funding", "BTC", None), DataGap("open_interest", "BTC", None))
    assert F.gap_groups(both, stale=False) == [
        F.GapGroup(("funding", "open_interest"), ("BTC",), None)
    ]
    assert F.gap_groups((), stale=True) == []


def _chart(name: str, section: str) -> ChartRef:
    return ChartRef(name, f"charts/{name}.png", name, 10, 10, section)


CHARTS = {
    "BTC": (_chart("btc_daily", "price"), _chart("btc_funding", "derivatives")),
    "market": (_chart("dxy", "macro"),),
}


def test_charts_in_places_the_shown_charts_in_their_section_in_the_story_s_order() -> None:
    shown = ("btc_funding", "dxy", "btc_daily")
    blocks = ["markets", "leverage", "macro"]
    assert [c.name for c in F.charts_in(CHARTS, shown, "markets", blocks)] == ["btc_daily"]
    assert [c.name for c in F.charts_in(CHARTS, shown, "leverage", blocks)] == ["btc_funding"]
    assert [c.name for c in F.charts_in(CHARTS, ("btc_daily",), "macro", blocks)] == []
    # a chart whose section the note lacks goes to the last section there is
    assert [c.name for c in F.charts_in(CHARTS, shown, "markets", ["markets"])] == [
        "btc_funding",
        "dxy",
        "btc_daily",
    ]
    assert [c.name for c in F.charts_in(CHARTS, None, "leverage", blocks)] == ["btc_funding"]


def test_traced_wraps_each_figure_of_a_phrase_once_and_leaves_other_facts_figures() -> None:
    f = Fact("price.last", "BTC", 1.0, "USD", pd.Timestamp("2026-11-23T08:00Z"), ("Binance spot",))
    span = '<span data-fact="BTC:price.last" title="Binance spot, 23 November 2026, 08:00 UTC">'
    out = F.traced('Up <b>4.7%</b> to $123,654 at 05:00 UTC, <span data-fact="X:y">9</span>', f)
    assert out == (
        f"Up <b>{span}4.7%</span></b> to {span}$123,654</span> at {span}05:00</span> UTC, "
        '<span data-fact="X:y">9</span>'
    )
    assert F.traced(out, f) == out
    assert F.traced("Bitcoin &amp; Ether", f) == "Bitcoin &amp; Ether"


@pytest.mark.parametrize(
    ("text", "clause"),
    [("It rose.", "It rose"), ("It rose", "It rose"), ("Up 1.5%. ", "Up 1.5%")],
)
def test_unstop_drops_a_final_full_stop(text: str, clause: str) -> None:
    assert F.unstop(text) == clause


def test_provenance_names_sources_and_the_fact_s_own_time() -> None:
    at = pd.Timestamp("2026-11-23T08:00Z")
    f = Fact("funding.rate", "BTC", 1.0, "pct", at, ("A", "B"), {"time": "2026-11-23T00:00:00Z"})
    assert F.provenance(f) == "A, B, 23 November 2026, 00:00 UTC"
    assert F.provenance(replace(f, evidence={})) == "A, B, 23 November 2026, 08:00 UTC"
