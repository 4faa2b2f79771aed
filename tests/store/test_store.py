"""The store's schema versioning on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from store import Migration, StoreError, open_store

V1 = (Migration("t-1", "CREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (1);"),)
V2 = (*V1, Migration("t-2", "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x';"))


def test_new_file_gets_every_migration(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite", V2)
    assert store.applied() == ["t-1", "t-2"]
    assert store.conn.execute("SELECT a, b FROM t").fetchall() == [(1, "x")]


def test_older_file_is_migrated_in_place_keeping_its_rows(tmp_path: Path) -> None:
    old = open_store(tmp_path / "s.sqlite", V1)
    with old.transaction() as conn:
        conn.execute("INSERT INTO t (a) VALUES (2)")
    old.close()
    new = open_store(tmp_path / "s.sqlite", V2)
    assert new.applied() == ["t-1", "t-2"]
    assert new.conn.execute("SELECT a, b FROM t ORDER BY a").fetchall() == [(1, "x"), (2, "x")]
    new.close()
    again = open_store(tmp_path / "s.sqlite", V2)  # reopening applies nothing twice
    assert again.conn.execute("SELECT COUNT(*) FROM t").fetchone() == (2,)


def test_a_failed_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    open_store(tmp_path / "s.sqlite", V1).close()
    broken = (*V1, Migration("t-2", "ALTER TABLE t ADD COLUMN b TEXT;\nNOT SQL;"))
    with pytest.raises(sqlite3.OperationalError):
        open_store(tmp_path / "s.sqlite", broken)
    store = open_store(tmp_path / "s.sqlite", V1)
    assert store.applied() == ["t-1"]
    assert [r[1] for r in store.conn.execute("PRAGMA table_info(t)")] == ["a"]


def test_a_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    open_store(tmp_path / "s.sqlite", V2).close()
    with pytest.raises(StoreError, match="written by a newer marketnotes"):
        open_store(tmp_path / "s.sqlite", V1)


def test_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "s.sqlite").write_text("hello, I am not SQLite" * 100)
    with pytest.raises(StoreError, match="not a usable SQLite store"):
        open_store(tmp_path / "s.sqlite", V1)
