"""Market history that accumulates run after run: dataset rows and recorded liquidation events.

Binance keeps only 30 days of open interest and long/short ratios, and liquidations exist only
as far as someone recorded them, so every gather appends what it fetched here and the snapshot
draws on it. Appends are idempotent: a row is keyed by (dataset, asset, time), an event by its
exchange, symbol, time, side, price and amount; re-gathering the same hours changes nothing. A
row fetched again by the same source with other values (a revised recent row) replaces the
stored one; a row of another source never does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from store.base import Migration, Store

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "history-1",
        """
CREATE TABLE history_rows (
    dataset TEXT NOT NULL,
    asset TEXT NOT NULL DEFAULT '',
    time_ms INTEGER NOT NULL,
    source TEXT NOT NULL,
    data TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (dataset, asset, time_ms)
);
CREATE TABLE liquidation_events (
    exchange TEXT NOT NULL,
    symbol TEXT NOT NULL,
    asset TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    liquidated_side TEXT NOT NULL CHECK (liquidated_side IN ('long', 'short')),
    price REAL NOT NULL,
    amount REAL NOT NULL,
    usd REAL NOT NULL,
    PRIMARY KEY (exchange, symbol, time_ms, liquidated_side, price, amount)
);
""",
    ),
)
"""This feature's tables, oldest first (listed in ``store.MIGRATIONS``)."""


@dataclass(frozen=True)
class LiquidationEvent:
    """One liquidation, normalised: which side's position was closed, and its USD value."""

    exchange: str
    symbol: str
    asset: str
    time_ms: int
    liquidated_side: str
    price: float
    amount: float
    usd: float


def append_rows(
    store: Store,
    dataset: str,
    asset: str | None,
    source: str,
    frame: pd.DataFrame,
    fetched_at: pd.Timestamp,
) -> int:
    """Add ``frame``'s rows (a ``time`` column plus values) not stored yet, or revised by the
    same source; return how many changed."""
    if frame.empty:
        return 0
    values = frame.drop(columns="time")
    times = pd.DatetimeIndex(frame["time"]).as_unit("ms").asi8.tolist()
    rows = [
        (dataset, asset or "", t, source, json.dumps(rec), fetched_at.isoformat())
        for t, rec in zip(times, values.to_dict(orient="records"), strict=True)
    ]
    with store.transaction() as conn:
        before = conn.total_changes
        conn.executemany(
            "INSERT INTO history_rows (dataset, asset, time_ms, source, data, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET data = excluded.data, "
            "fetched_at = excluded.fetched_at "
            "WHERE history_rows.source = excluded.source AND history_rows.data != excluded.data",
            rows,
        )
        return conn.total_changes - before


def read_rows(
    store: Store,
    dataset: str,
    asset: str | None,
    since: pd.Timestamp | None,
    until: pd.Timestamp,
    source: str | None = None,
) -> pd.DataFrame:
    """Stored rows of one dataset with ``since <= time <= until`` (``since`` None: all), oldest
    first, plus their source; only ``source``'s rows when given."""
    sql = (
        "SELECT time_ms, source, data FROM history_rows WHERE dataset = ? AND asset = ? "
        "AND time_ms BETWEEN ? AND ?"
    )
    args: list[object] = [dataset, asset or "", -(2**62) if since is None else _ms(since)]
    args.append(_ms(until))
    if source is not None:
        sql += " AND source = ?"
        args.append(source)
    cur = store.conn.execute(sql + " ORDER BY time_ms", args)
    records = [{"time_ms": t, "source": s, **json.loads(d)} for t, s, d in cur]
    if not records:
        return pd.DataFrame(columns=["time", "source"])
    frame = pd.DataFrame.from_records(records)
    frame.insert(0, "time", pd.to_datetime(frame.pop("time_ms"), unit="ms", utc=True))
    return frame


def newest_row(
    store: Store, dataset: str, asset: str | None, source: str | None = None
) -> tuple[pd.Timestamp, str] | None:
    """Time and source of the newest stored row of a dataset (of ``source`` when given)."""
    sql = "SELECT time_ms, source FROM history_rows WHERE dataset = ? AND asset = ?"
    args: list[object] = [dataset, asset or ""]
    if source is not None:
        sql += " AND source = ?"
        args.append(source)
    row = store.conn.execute(sql + " ORDER BY time_ms DESC LIMIT 1", args).fetchone()
    if row is None:
        return None
    return pd.Timestamp(row[0], unit="ms", tz="UTC"), str(row[1])


def append_events(store: Store, events: Iterable[LiquidationEvent]) -> int:
    """Add liquidation events not stored yet; return how many were new."""
    rows = [
        (e.exchange, e.symbol, e.asset, e.time_ms, e.liquidated_side, e.price, e.amount, e.usd)
        for e in events
    ]
    with store.transaction() as conn:
        before = conn.total_changes
        conn.executemany(
            "INSERT INTO liquidation_events (exchange, symbol, asset, time_ms, liquidated_side, "
            "price, amount, usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            rows,
        )
        return conn.total_changes - before


def event_buckets(
    store: Store, asset: str, since: pd.Timestamp, until: pd.Timestamp
) -> pd.DataFrame:
    """Recorded events of ``asset`` summed into hourly ``long_usd``/``short_usd`` buckets."""
    cur = store.conn.execute(
        "SELECT (time_ms / 3600000) * 3600000 AS hour, "
        "SUM(CASE WHEN liquidated_side = 'long' THEN usd ELSE 0 END), "
        "SUM(CASE WHEN liquidated_side = 'short' THEN usd ELSE 0 END) "
        "FROM liquidation_events WHERE asset = ? AND time_ms >= ? AND time_ms < ? "
        "GROUP BY hour ORDER BY hour",
        (asset, _ms(since), _ms(until)),
    )
    rows = cur.fetchall()
    return pd.DataFrame(
        {
            "time": pd.to_datetime([r[0] for r in rows], unit="ms", utc=True),
            "long_usd": [float(r[1]) for r in rows],
            "short_usd": [float(r[2]) for r in rows],
        }
    )


def _ms(ts: pd.Timestamp) -> int:
    return int(ts.value // 1_000_000)
