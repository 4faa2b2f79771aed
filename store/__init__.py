"""The embedded SQLite store: history that accumulates run after run, subscribers, deliveries.

One file (path a setting). Each feature owns its tables and declares them as named migrations
in its own module (``store/history.py``, ``store/delivery.py``); ``MIGRATIONS`` lists them in
the order they were written. ``open_store`` applies, in one transaction each, the migrations a
file has not seen yet and records them in ``schema_migrations``, so a store written by an older
version is migrated in place, never dropped. A file that records a migration this version does
not know (written by a newer version) is refused rather than guessed at.

``Migration``, ``Store`` and ``StoreError`` are defined in ``store/base.py``, which the feature
modules import, and re-exported here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from store import delivery as _delivery
from store import history as _history
from store.base import Migration, Store, StoreError

MIGRATIONS: tuple[Migration, ...] = (*_delivery.MIGRATIONS, *_history.MIGRATIONS)
"""Every migration, oldest first. Append new ones; never edit or reorder applied ones."""

__all__ = ["MIGRATIONS", "Migration", "Store", "StoreError", "open_store"]


def open_store(path: Path, migrations: tuple[Migration, ...] | None = None) -> Store:
    """Open (creating if needed) the store at ``path`` and bring its schema up to date."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(id TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a usable SQLite store ({exc})") from None
    store = Store(path, conn)
    _migrate(store, MIGRATIONS if migrations is None else migrations)
    return store


def _migrate(store: Store, migrations: tuple[Migration, ...]) -> None:
    known = {m.id for m in migrations}
    with store.transaction() as conn:
        done = [r[0] for r in conn.execute("SELECT id FROM schema_migrations ORDER BY rowid")]
        newer = [m for m in done if m not in known]
        if newer:
            raise StoreError(
                f"{store.path}: written by a newer marketnotes (migration {newer[0]} is unknown "
                "here); upgrade instead of using this version"
            )
        for migration in migrations:
            if migration.id not in done:
                for statement in _statements(migration.sql):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations (id) VALUES (?)", (migration.id,))


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (``executescript`` would COMMIT midway)."""
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    if current.strip():
        out.append(current.strip())
    return out
