"""Subscribers in the store: validation, duplicates, unsubscribes kept, CSV import."""

from __future__ import annotations

from pathlib import Path

import pytest

from delivery import ledger
from errors import InputError
from store import open_store


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path / "s.sqlite")
    yield s
    s.close()


@pytest.mark.parametrize(
    "bad", ["", "ann", "ann@", "@x.com", "ann@localhost", "a b@x.com", "a@x..com"]
)
def test_invalid_addresses_are_refused(store, bad: str) -> None:
    with pytest.raises(InputError, match="not an email address"):
        ledger.add_subscriber(store, bad)


def test_add_normalises_and_refuses_duplicates_in_any_case(store) -> None:
    assert ledger.add_subscriber(store, "  Ann@Example.COM ") == "Ann@example.com"
    with pytest.raises(InputError, match="already in the list"):
        ledger.add_subscriber(store, "ann@example.com")


def test_remove_keeps_the_address_as_unsubscribed(store) -> None:
    ledger.add_subscriber(store, "ann@example.com")
    ledger.add_subscriber(store, "bob@example.com")
    ledger.remove_subscriber(store, "ann@example.com")
    assert [(s.address, s.status) for s in ledger.list_subscribers(store)] == [
        ("ann@example.com", "unsubscribed"),
        ("bob@example.com", "active"),
    ]
    assert ledger.active_addresses(store) == ["bob@example.com"]
    with pytest.raises(InputError, match="already unsubscribed"):
        ledger.remove_subscriber(store, "ann@example.com")
    with pytest.raises(InputError, match="already in the list"):
        ledger.add_subscriber(store, "ann@example.com")
    with pytest.raises(InputError, match="not subscribed"):
        ledger.remove_subscriber(store, "cy@example.com")


def test_import_adds_new_and_refuses_known_and_unsubscribed(store, tmp_path: Path) -> None:
    ledger.add_subscriber(store, "ann@example.com")
    ledger.add_subscriber(store, "gone@example.com")
    ledger.remove_subscriber(store, "gone@example.com")
    csv = tmp_path / "list.csv"
    csv.write_text(
        "name,Email\nA,ann@example.com\nB,bob@example.com\nG,GONE@example.com\nB2,bob@example.com\n"
    )
    result = ledger.import_subscribers(store, csv)
    assert result.added == ["bob@example.com"]
    assert result.duplicates == ["ann@example.com", "bob@example.com"]
    assert result.unsubscribed == ["GONE@example.com"]
    assert ledger.active_addresses(store) == ["ann@example.com", "bob@example.com"]


def test_import_without_header_and_a_bad_row_adds_nothing(store, tmp_path: Path) -> None:
    csv = tmp_path / "list.csv"
    csv.write_text("ann@example.com\nnot-an-address\n")
    with pytest.raises(InputError, match=r"list.csv, row 2: 'not-an-address'"):
        ledger.import_subscribers(store, csv)
    assert ledger.list_subscribers(store) == []
    csv.write_text("ann@example.com\ncy@example.com\n")
    assert ledger.import_subscribers(store, csv).added == ["ann@example.com", "cy@example.com"]
