"""Delivery: taking a written brief to its readers.

- ``ledger``: subscribers, written briefs and the per-address delivery ledger (SQLite store).
- ``email``: one MIME message per subscriber (``mime``), sent over SMTP (``smtp``) at a set rate
  with retries; the ledger makes every run send each address at most what is still owed.
- ``blog``: the static site (posts, index, Atom feed, sitemap), published atomically.
- ``daily``: the cron-safe run that writes the brief, publishes and emails it, under a lock.

Every channel reads the brief from its folder (``brief.read_brief``): facts.json for the
headline and takeaways, brief.html, brief.pdf and charts/.
"""

from delivery.brief import BriefFiles, read_brief

__all__ = ["BriefFiles", "read_brief"]
