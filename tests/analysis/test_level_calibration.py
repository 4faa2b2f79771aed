"""The level model's k: days aligned on as-of, realized totals that cover their day, a fit on
earlier days only, and one replay that says what the note said on each of them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import level_calibration as cal
from analysis import liquidation_map as lm
from bench.liquidation_model import FIXTURE, Inputs, from_snapshot
from tests.analysis.frames import DAY, HOUR, at
from tests.analysis.points import liquidations, times

AS_OF = at("2026-01-04 08:00")


def test_realized_days_end_at_as_of_and_need_every_bucket() -> None:
    index = times("2026-01-01 08:00", 72)  # hourly buckets to 2026-01-04 08:00
    shorts = np.arange(72, dtype=np.float64)
    data = liquidations([1.0] * 72, shorts.tolist(), index)
    total, short = cal.realized_by_day(data, AS_OF, 4)
    # day 0: buckets opened 3 Jan 08:00 to 4 Jan 07:00 (ending in the 24 hours to as-of)
    assert total[:3] == pytest.approx(
        [24 + shorts[48:].sum(), 24 + shorts[24:48].sum(), 24 + shorts[:24].sum()]
    )
    assert short[0] == pytest.approx(shorts[48:].sum())
    assert np.isnan(total[3])  # before the data: not covered
    gappy = liquidations([1.0] * 71, shorts[:71].tolist(), index.delete(30))
    total, _ = cal.realized_by_day(gappy, AS_OF, 3)
    assert np.isnan(total[1]) and np.isfinite(total[0]) and np.isfinite(total[2])


def test_four_hour_buckets_cover_a_day_six_at_a_time() -> None:
    index = times("2026-01-02 08:00", 12, step=4 * HOUR)
    data = liquidations([2.0] * 12, [1.0] * 12, index)
    assert cal.bucket_length(data) == 4 * HOUR
    total, short = cal.realized_by_day(data, AS_OF, 3)
    assert total[:2] == pytest.approx([18.0, 18.0]) and short[0] == pytest.approx(6.0)
    assert np.isnan(total[2])


def totals(swept: list[float], realized: list[float]) -> cal.DayTotals:
    n = len(swept)
    ends = pd.DatetimeIndex([AS_OF - i * DAY for i in range(n)])
    s, r = np.array(swept, dtype=np.float64), np.array(realized, dtype=np.float64)
    return cal.DayTotals(ends, s, s / 2, r, r / 2)


def test_k_is_the_median_ratio_of_the_earlier_days() -> None:
    t = totals([1, 1, 2, 4, 1, np.nan, 1], [9, 3, 2, 12, 0, 5, 6])
    ratio = t.log_ratio
    assert np.isnan(ratio[4]) and np.isnan(ratio[5])  # nothing realized; no model yet
    # day 0's k: days 1-6 with both totals, ratios 3, 1, 3, 6: median of the logs is sqrt(9)
    assert cal.fit_k(ratio, 0, fit_days=60, min_days=4) == pytest.approx(3.0)
    assert cal.fit_k(ratio, 0, fit_days=60, min_days=5) is None
    assert cal.fit_k(ratio, 0, fit_days=2, min_days=1) == pytest.approx(np.sqrt(3.0))


def test_a_day_never_enters_its_own_k_or_a_later_days() -> None:
    rng = np.random.default_rng(3)
    swept = rng.uniform(1, 2, 40).tolist()
    realized = rng.uniform(1, 2, 40).tolist()
    base = cal.walk_forward(totals(swept, realized), fit_days=10, min_days=5)
    changed = list(realized)
    changed[12] *= 50  # day 12 (older days have higher indices)
    moved = cal.walk_forward(totals(swept, changed), fit_days=10, min_days=5)
    np.testing.assert_array_equal(base[12:], moved[12:])
    assert not np.allclose(base[2:12], moved[2:12])


def test_accuracy_is_counted_on_walk_forward_estimates() -> None:
    # Realized = 2 x swept every day, except day 1 (10 x): each k is 2, so day 1 is off.
    swept = [1.0] * 30
    realized = [2.0] * 30
    realized[1] = 10.0
    c = cal.calibrate(totals(swept, realized), fit_days=20, min_days=5)
    assert c.k == pytest.approx(2.0) and c.fit_days == 20
    assert c.checked_days == 20 and c.within_2x_days == 19


@pytest.fixture(scope="module")
def fixture_inputs() -> Inputs:
    return from_snapshot(FIXTURE)[0]


def test_the_replay_says_what_the_note_said_on_each_day(fixture_inputs: Inputs) -> None:
    """One replay over the fixture gives each day's swept total exactly as ``swept_24h``
    computed on the data cut at that day's end, and the same k: no day sees its future."""
    inputs = fixture_inputs
    model = lm.LEVEL_MODEL
    run = lm.replay(inputs.open_interest, inputs.hourly, None, model)
    assert run is not None
    end = pd.Timestamp("2026-03-14", tz="UTC")
    days = int((end - run.opens[0]) / DAY)
    t = cal.day_totals(run, inputs.liquidations, end, days, model.window)
    ks = cal.walk_forward(t, model.fit_days, model.fit_min_days)
    for j in (0, 9, 25):
        as_of = t.ends[j]
        cut = [d.cut(as_of) for d in (inputs.open_interest, inputs.hourly, inputs.liquidations)]
        r = lm.swept_24h(cut[0], cut[1], as_of, liquidations=cut[2], model=model)
        assert r is not None
        assert r.evidence["swept_model_usd"] == pytest.approx(t.swept[j], rel=1e-9)
        assert r.value.realized_usd == pytest.approx(t.realized[j])
        assert r.evidence["k"] == pytest.approx(ks[j], rel=1e-9)
