"""The webhook channel: one JSON POST per brief to a chat webhook, at most once per brief.

The body carries the headline and the brief's link as ``text`` (Slack, Mattermost) and
``content`` (Discord), plus the brief itself (``brief``: id, as-of, headline, lede, url,
demo) for any other receiver. The URL is a secret, read from the environment variable named by
``[webhook] url_env``. A delivered brief is recorded in the store (``channel_runs``); a failed
POST is left for the next run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from delivery import ledger
from delivery.brief import BriefFiles
from delivery.channels import ChannelReport, RunContext
from delivery.email import web_url
from settings import Settings

ClientFactory = Callable[[float], httpx.Client]
"""Opens the HTTP client with a timeout (seconds); tests may inject theirs."""


def body(brief: BriefFiles, url: str) -> dict[str, Any]:
    """The JSON posted for ``brief``, whose page is at ``url``."""
    prefix = "[Demo data] " if brief.demo else ""
    text = f"{prefix}{brief.headline}\n{url}"
    return {
        "text": text,
        "content": text,
        "brief": {
            "id": brief.brief_id,
            "as_of": brief.as_of,
            "headline": brief.headline,
            "lede": list(brief.lede),
            "url": url,
            "demo": brief.demo,
        },
    }


def _client(timeout: float) -> httpx.Client:
    return httpx.Client(timeout=timeout, follow_redirects=False)


@dataclass(frozen=True)
class WebhookChannel:
    """The webhook channel (``[webhook]``)."""

    config: Settings
    client: ClientFactory = _client
    name: str = "webhook"
    fresh_only: bool = True

    def publish(self, brief: BriefFiles, run: RunContext) -> ChannelReport:
        """POST the brief once; a refused or failed POST is a problem the next run retries."""
        target = self.config.secret(self.config.webhook.url_env)
        if target is None:
            why = f"webhook: ${self.config.webhook.url_env} is empty; nothing was posted"
            return ChannelReport(self.name, "not posted", problems=[why])
        payload = body(brief, web_url(self.config, brief.brief_id))
        if run.dry_run is not None:
            text = json.dumps(payload, indent=2, ensure_ascii=False)
            (run.dry_run / "webhook.json").write_text(text + "\n", encoding="utf-8")
            return ChannelReport(self.name, "rendered (dry run)")
        assert run.store is not None, "a real run has a store"
        if ledger.channel_done(run.store, brief.brief_id, self.name):
            return ChannelReport(self.name, "already posted")
        host = httpx.URL(target).host
        try:
            with self.client(self.config.webhook.timeout) as client:
                answer = client.post(target, json=payload)
        except httpx.HTTPError as exc:
            why = f"webhook: POST to {host} failed ({type(exc).__name__}); the next run retries"
            return ChannelReport(self.name, "FAILED", problems=[why])
        if not answer.is_success:
            why = f"webhook: {host} answered {answer.status_code}; the next run retries"
            return ChannelReport(self.name, "FAILED", problems=[why])
        ledger.record_channel_done(run.store, brief.brief_id, self.name)
        run.progress(f"posted to the webhook at {host}")
        return ChannelReport(self.name, "posted", host)
