"""Delivery: taking a written brief to its readers, through channels (``channels.Channel``).

- ``blog``: the static site (posts, index, Atom feed, sitemap), published atomically.
- ``email``: one MIME message per subscriber (``mime``), sent over SMTP (``smtp``) at a set
  rate with retries; the ledger makes every run send each address at most what is still owed.
- ``webhook``: one JSON POST per brief to a chat webhook (Slack, Discord, Mattermost).
- ``ledger``: subscribers, written briefs and the per-address delivery ledger (SQLite store).

Every channel reads the brief from its folder (``brief.read_brief``): facts.json for the
headline and lede, brief.html, brief.pdf and charts/. ``CHANNELS`` names them for
``[delivery] channels``; ``channels_from_settings`` builds the enabled ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from delivery.blog import BlogChannel
from delivery.brief import BriefFiles, read_brief
from delivery.channels import Channel, ChannelReport, RunContext, publish_all
from delivery.email import EmailChannel
from delivery.webhook import WebhookChannel
from errors import InputError
from settings import Settings

CHANNELS: Mapping[str, Callable[[Settings], Channel]] = {
    "blog": lambda config: BlogChannel(config.blog),
    "email": lambda config: EmailChannel(config),
    "webhook": lambda config: WebhookChannel(config),
}
"""Every channel by its ``[delivery] channels`` name, built from the settings."""


def channels_from_settings(
    config: Settings, override: Mapping[str, Channel] | None = None
) -> list[Channel]:
    """The channels ``[delivery] channels`` enables, in order; ``override`` replaces some by
    name (tests inject an email channel with their own transport). ``InputError`` names an
    unknown channel."""
    out = []
    for name in config.delivery.channels:
        if name not in CHANNELS:
            known = ", ".join(CHANNELS)
            raise InputError(f"[delivery] channels: unknown channel {name!r} (known: {known})")
        out.append((override or {}).get(name) or CHANNELS[name](config))
    return out


__all__ = [
    "CHANNELS",
    "BriefFiles",
    "Channel",
    "ChannelReport",
    "RunContext",
    "channels_from_settings",
    "publish_all",
    "read_brief",
]
