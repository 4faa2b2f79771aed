"""Hand-made point-in-time datasets (funding, open interest, liquidations...) for tests."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from models import Dataset

HOUR, DAY = pd.Timedelta(hours=1), pd.Timedelta(days=1)


def times(start: str, n: int, step: pd.Timedelta = HOUR) -> pd.DatetimeIndex:
    """``n`` UTC times from ``start`` every ``step``."""
    return pd.date_range(pd.Timestamp(start, tz="UTC"), periods=n, freq=step, name="time")


def table(
    name: str,
    columns: dict[str, Sequence[float]],
    index: pd.DatetimeIndex | Sequence[str],
    *,
    asset: str | None = "BTC",
    interval: pd.Timedelta | None = None,
    source: str = "Test source",
) -> Dataset:
    """A dataset called ``name`` with float ``columns`` on ``index`` (UTC times)."""
    idx = pd.DatetimeIndex(
        index
        if isinstance(index, pd.DatetimeIndex)
        else [pd.Timestamp(t, tz="UTC") for t in index],
        name="time",
    )
    frame = pd.DataFrame({k: list(map(float, v)) for k, v in columns.items()}, index=idx)
    return Dataset(name, asset, source, frame, interval)


def funding(rates: Sequence[float], index: pd.DatetimeIndex | Sequence[str]) -> Dataset:
    """Settled funding rates (fractions per interval)."""
    return table("funding", {"rate": rates}, index)


def open_interest(usd: Sequence[float], index: pd.DatetimeIndex | Sequence[str]) -> Dataset:
    """Open interest in USD."""
    return table("open_interest", {"oi_usd": usd}, index)


def liquidations(
    longs: Sequence[float], shorts: Sequence[float], index: pd.DatetimeIndex
) -> Dataset:
    """Liquidation buckets starting at ``index``."""
    return table("liquidations", {"long_usd": longs, "short_usd": shorts}, index)


def long_short(pct: Sequence[float], index: pd.DatetimeIndex | Sequence[str]) -> Dataset:
    """Percent of accounts net long."""
    return table("long_short", {"long_pct": pct}, index)
