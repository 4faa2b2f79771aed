"""The store's parts every feature module uses: a migration, an open store and its error.

Feature modules (``store/history.py``, ``store/delivery.py``) import these from here, and
``store/__init__`` imports the feature modules to list their migrations: no module imports its
own importer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from errors import InputError


@dataclass(frozen=True)
class Migration:
    """One schema change: a unique id (``history-1``) and the SQL script that makes it."""

    id: str
    sql: str


class StoreError(InputError):
    """The store file cannot be used (unreadable, or written by a newer version)."""


class Store:
    """An open store. ``transaction()`` groups writes; reads use ``conn`` directly."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (or ROLLBACK on error): one writer at a time."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def applied(self) -> list[str]:
        """Ids of the migrations this file has recorded, in the order applied."""
        rows = self.conn.execute("SELECT id FROM schema_migrations ORDER BY rowid")
        return [r[0] for r in rows]

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
