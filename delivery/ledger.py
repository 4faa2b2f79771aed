"""Subscribers, written briefs and the delivery ledger, over the store's delivery tables.

Addresses are validated and normalised (domain lower-cased) on the way in; the same address in
another case is the same subscriber. Every write is one short transaction.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from errors import InputError
from store import Store

_ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def now() -> str:
    """The current UTC time as ISO-8601 with seconds, as the ledger stores it."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def normalize_address(text: str) -> str:
    """``text`` as a bare address (``local@domain``, domain lower-cased) or ``InputError``."""
    address = text.strip()
    if len(address) > 254 or not _ADDRESS.match(address):
        raise InputError(f"{text!r} is not an email address (expected name@domain.tld)")
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


@dataclass(frozen=True)
class Subscriber:
    """One row of ``subscribers``."""

    address: str
    status: str
    added_at: str
    changed_at: str


def add_subscriber(store: Store, text: str) -> str:
    """Add an address; ``InputError`` if invalid or already known (active or unsubscribed)."""
    address = normalize_address(text)
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT status FROM subscribers WHERE address = ?", (address,)
        ).fetchone()
        if row is not None:
            raise InputError(f"{address} is already in the list ({row[0]})")
        stamp = now()
        conn.execute("INSERT INTO subscribers VALUES (?, 'active', ?, ?)", (address, stamp, stamp))
    return address


def remove_subscriber(store: Store, text: str) -> str:
    """Mark an address unsubscribed (kept, so no import adds it back); ``InputError`` if
    unknown."""
    return _change_status(
        store, text, "unsubscribed", "is already unsubscribed", "is not subscribed"
    )


def resubscribe(store: Store, text: str) -> str:
    """Make an unsubscribed address active again (the subscriber asked to come back);
    ``InputError`` if it is unknown or already active."""
    return _change_status(store, text, "active", "is already subscribed", "is not in the list")


def _change_status(store: Store, text: str, status: str, already: str, unknown: str) -> str:
    """Set the address's status to ``status`` (from the other one); ``InputError`` saying
    ``already`` or ``unknown`` when there is nothing to change."""
    address = normalize_address(text)
    other = "active" if status == "unsubscribed" else "unsubscribed"
    with store.transaction() as conn:
        cur = conn.execute(
            "UPDATE subscribers SET status = ?, changed_at = ? WHERE address = ? AND status = ?",
            (status, now(), address, other),
        )
        if cur.rowcount == 0:
            known = conn.execute(
                "SELECT 1 FROM subscribers WHERE address = ?", (address,)
            ).fetchone()
            raise InputError(f"{address} {already if known else unknown}")
    return address


def list_subscribers(store: Store) -> list[Subscriber]:
    """Every address ever added, in the order added."""
    rows = store.conn.execute(
        "SELECT address, status, added_at, changed_at FROM subscribers ORDER BY added_at, rowid"
    )
    return [Subscriber(*r) for r in rows]


def active_addresses(store: Store) -> list[str]:
    """Addresses that currently receive the brief, in the order added."""
    rows = store.conn.execute(
        "SELECT address FROM subscribers WHERE status = 'active' ORDER BY added_at, rowid"
    )
    return [r[0] for r in rows]


@dataclass(frozen=True)
class ImportResult:
    """What ``import_subscribers`` did."""

    added: list[str]
    duplicates: list[str]
    unsubscribed: list[str]


def import_subscribers(store: Store, path: Path) -> ImportResult:
    """Add the addresses of a CSV file (column ``email`` or ``address`` if there is a header,
    else the first column). All rows are validated first: one bad row (named) adds nothing.
    Known addresses are refused, and unsubscribed ones are not added back."""
    addresses = _read_csv(path)
    added: list[str] = []
    dupes: list[str] = []
    gone: list[str] = []
    with store.transaction() as conn:
        known = dict(conn.execute("SELECT address, status FROM subscribers").fetchall())
        known = {a.lower(): s for a, s in known.items()}
        stamp = now()
        for address in addresses:
            status = known.get(address.lower())
            if status == "unsubscribed":
                gone.append(address)
            elif status is not None:
                dupes.append(address)
            else:
                conn.execute(
                    "INSERT INTO subscribers VALUES (?, 'active', ?, ?)", (address, stamp, stamp)
                )
                known[address.lower()] = "active"
                added.append(address)
    return ImportResult(added, dupes, gone)


def _read_csv(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    rows = [r for r in csv.reader(text.splitlines()) if any(c.strip() for c in r)]
    column, start = 0, 0
    if rows and "@" not in rows[0][0]:
        header = [c.strip().lower() for c in rows[0]]
        names = [n for n in ("email", "address", "e-mail") if n in header]
        if not names:
            raise InputError(f"{path}, row 1: no 'email' or 'address' column in the header")
        column, start = header.index(names[0]), 1
    out = []
    for number, row in enumerate(rows[start:], start=start + 1):
        cell = row[column] if column < len(row) else ""
        try:
            out.append(normalize_address(cell))
        except InputError as exc:
            raise InputError(f"{path}, row {number}: {exc}") from None
    return out


# --- briefs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefRow:
    """One row of ``briefs``: a brief the daily run wrote, and when it was published."""

    brief_id: str
    folder: Path
    headline: str
    written_at: str
    published_at: str | None


def find_brief(store: Store, brief_id: str) -> BriefRow | None:
    """The recorded brief ``brief_id``, if a run wrote it."""
    row = store.conn.execute(
        "SELECT brief_id, folder, headline, written_at, published_at FROM briefs "
        "WHERE brief_id = ?",
        (brief_id,),
    ).fetchone()
    return None if row is None else BriefRow(row[0], Path(row[1]), *row[2:])


def record_brief(store: Store, brief_id: str, folder: Path, headline: str) -> None:
    """Record that brief ``brief_id`` was written to ``folder`` (not yet published)."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO briefs VALUES (?, ?, ?, ?, NULL)",
            (brief_id, str(folder), headline, now()),
        )


def record_published(store: Store, brief_id: str) -> None:
    """Record that brief ``brief_id`` is on the blog."""
    with store.transaction() as conn:
        conn.execute("UPDATE briefs SET published_at = ? WHERE brief_id = ?", (now(), brief_id))


@dataclass(frozen=True)
class RunRow:
    """One finished daily run."""

    started_at: str
    finished_at: str
    brief_id: str
    exit_code: int
    problems: str
    """Its problems, one per line; empty when everything was delivered."""


def record_run(store: Store, run: RunRow) -> None:
    """Record a finished daily run."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO daily_runs VALUES (?, ?, ?, ?, ?)",
            (run.started_at, run.finished_at, run.brief_id, run.exit_code, run.problems),
        )


def last_runs(store: Store, n: int = 5) -> list[RunRow]:
    """The ``n`` latest daily runs, newest first."""
    rows = store.conn.execute(
        "SELECT started_at, finished_at, brief_id, exit_code, problems FROM daily_runs "
        "ORDER BY rowid DESC LIMIT ?",
        (n,),
    )
    return [RunRow(*row) for row in rows]


def last_briefs(store: Store, n: int = 5) -> list[BriefRow]:
    """The ``n`` latest briefs written, newest first."""
    rows = store.conn.execute(
        "SELECT brief_id, folder, headline, written_at, published_at FROM briefs "
        "ORDER BY brief_id DESC LIMIT ?",
        (n,),
    )
    return [BriefRow(r[0], Path(r[1]), *r[2:]) for r in rows]


def supersede_pending(store: Store, brief_id: str) -> dict[str, int]:
    """Mark the pending messages of briefs older than ``brief_id`` failed ("never sent: a newer
    brief superseded it"); how many of each earlier brief, by brief id."""
    with store.transaction() as conn:
        rows = conn.execute(
            "SELECT brief_id, COUNT(*) FROM deliveries WHERE status = 'pending' AND brief_id < ? "
            "GROUP BY brief_id ORDER BY brief_id",
            (brief_id,),
        ).fetchall()
        conn.execute(
            "UPDATE deliveries SET status = 'failed', last_error = ?, updated_at = ? "
            "WHERE status = 'pending' AND brief_id < ?",
            (f"never sent: brief {brief_id} superseded it", now(), brief_id),
        )
    return {str(b): int(c) for b, c in rows}


def channel_done(store: Store, brief_id: str, channel: str) -> str | None:
    """When ``channel`` delivered brief ``brief_id`` (ISO time), or None if it has not."""
    row = store.conn.execute(
        "SELECT done_at FROM channel_runs WHERE brief_id = ? AND channel = ?", (brief_id, channel)
    ).fetchone()
    return None if row is None else str(row[0])


def record_channel_done(store: Store, brief_id: str, channel: str) -> None:
    """Record that ``channel`` delivered brief ``brief_id``."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO channel_runs VALUES (?, ?, ?)", (brief_id, channel, now())
        )


# --- the delivery ledger -------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """One row of the ledger."""

    brief_id: str
    address: str
    status: str
    message_id: str
    attempts: int
    last_error: str | None
    updated_at: str


def plan_deliveries(store: Store, brief_id: str, message_ids: Iterable[tuple[str, str]]) -> None:
    """Add a ``pending`` row for each (address, Message-ID) that has no row for this brief."""
    stamp = now()
    with store.transaction() as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO deliveries (brief_id, address, status, message_id, updated_at) "
            "VALUES (?, ?, 'pending', ?, ?)",
            [(brief_id, a, m, stamp) for a, m in message_ids],
        )


def pending(store: Store, brief_id: str) -> list[Delivery]:
    """Rows still to send for ``brief_id`` whose address is still subscribed, in order added."""
    rows = store.conn.execute(
        "SELECT d.brief_id, d.address, d.status, d.message_id, d.attempts, d.last_error, "
        "d.updated_at FROM deliveries d JOIN subscribers s ON s.address = d.address "
        "WHERE d.brief_id = ? AND d.status = 'pending' AND s.status = 'active' "
        "ORDER BY s.added_at, s.rowid",
        (brief_id,),
    )
    return [Delivery(*r) for r in rows]


def record_attempt(
    store: Store, brief_id: str, address: str, status: str, error: str | None
) -> None:
    """Count one attempt and set the row's status (``sent``, ``failed`` or ``pending``)."""
    with store.transaction() as conn:
        conn.execute(
            "UPDATE deliveries SET status = ?, attempts = attempts + 1, last_error = ?, "
            "updated_at = ? WHERE brief_id = ? AND address = ?",
            (status, error, now(), brief_id, address),
        )


def record_error(
    store: Store, brief_id: str, address: str, error: str, status: str = "pending"
) -> None:
    """Note an error without counting an attempt: the message was not offered (the server
    could not be reached), or the row is given up (``status='failed'``) after its attempts."""
    with store.transaction() as conn:
        conn.execute(
            "UPDATE deliveries SET status = ?, last_error = ?, updated_at = ? "
            "WHERE brief_id = ? AND address = ?",
            (status, error, now(), brief_id, address),
        )


def deliveries(store: Store, brief_id: str) -> list[Delivery]:
    """Every ledger row of ``brief_id``."""
    rows = store.conn.execute(
        "SELECT brief_id, address, status, message_id, attempts, last_error, updated_at "
        "FROM deliveries WHERE brief_id = ? ORDER BY rowid",
        (brief_id,),
    )
    return [Delivery(*r) for r in rows]


def counts(store: Store, brief_id: str) -> dict[str, int]:
    """Ledger rows of ``brief_id`` by status."""
    rows = store.conn.execute(
        "SELECT status, COUNT(*) FROM deliveries WHERE brief_id = ? GROUP BY status", (brief_id,)
    )
    return {"pending": 0, "sent": 0, "failed": 0, **dict(rows.fetchall())}
