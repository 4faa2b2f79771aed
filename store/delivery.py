"""Tables of the delivery feature: subscribers, the briefs a daily run wrote, the email ledger.

- ``subscribers``: one row per address ever added; removing one keeps it as ``unsubscribed``
  so that an import never re-subscribes someone who left.
- ``briefs``: one row per brief id (the as-of date, ``YYYY-MM-DD``) once written, and when it was
  published to the blog; a rerun reads it instead of writing the brief again.
- ``deliveries``: the ledger, one row per (brief, address): ``pending`` until the SMTP server
  accepts the message (``sent``) or refuses it for good (``failed``), with the Message-ID, the
  number of attempts, the last error and when the row last changed.
- ``channel_runs``: one row per (brief, channel) once a channel without a ledger of its own
  (a webhook) has delivered the brief; a rerun skips it.
- ``daily_runs``: one row per finished daily run (not dry runs): when, which brief, its exit
  code and its problems, for ``generate.py status``.
"""

from __future__ import annotations

from store.base import Migration

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "delivery-1",
        """
CREATE TABLE subscribers (
    address TEXT PRIMARY KEY COLLATE NOCASE,
    status TEXT NOT NULL CHECK (status IN ('active', 'unsubscribed')),
    added_at TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE TABLE briefs (
    brief_id TEXT PRIMARY KEY,
    folder TEXT NOT NULL,
    headline TEXT NOT NULL,
    written_at TEXT NOT NULL,
    published_at TEXT
);
CREATE TABLE deliveries (
    brief_id TEXT NOT NULL,
    address TEXT NOT NULL COLLATE NOCASE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    message_id TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (brief_id, address)
);
CREATE INDEX deliveries_status ON deliveries (brief_id, status);
""",
    ),
    Migration(
        "delivery-2",
        """
CREATE TABLE channel_runs (
    brief_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    done_at TEXT NOT NULL,
    PRIMARY KEY (brief_id, channel)
);
""",
    ),
    Migration(
        "delivery-3",
        """
CREATE TABLE daily_runs (
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    brief_id TEXT NOT NULL,
    exit_code INTEGER NOT NULL,
    problems TEXT NOT NULL
);
""",
    ),
)
"""The delivery tables, oldest first; ``store.MIGRATIONS`` includes them."""
