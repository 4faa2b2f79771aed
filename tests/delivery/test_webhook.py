"""The webhook channel against a real HTTP server on loopback: posted once, failures left for the
next run, the secret URL never printed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import settings
from delivery import RunContext, channels_from_settings, publish_all, read_brief
from delivery.webhook import WebhookChannel
from store import open_store


class Hook(ThreadingHTTPServer):
    """Records every POST body; answers ``status``."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.bodies: list[dict[str, object]] = []
        self.status = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/SECRET-TOKEN"


class Handler(BaseHTTPRequestHandler):
    server: Hook

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _config(tmp_path: Path) -> settings.Settings:
    base = settings.Settings()
    return replace(
        base,
        store=replace(base.store, path=tmp_path / "store.sqlite"),
        blog=replace(base.blog, site_url="https://notes.example/"),
        delivery=replace(base.delivery, channels=("webhook",)),
    )


def test_posts_the_brief_once_and_a_rerun_skips_it(
    hook: Hook, brief_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKETNOTES_WEBHOOK_URL", hook.url)
    config = _config(tmp_path)
    [channel] = channels_from_settings(config)
    assert isinstance(channel, WebhookChannel)
    store = open_store(config.store.path)
    brief = read_brief(brief_dir)
    first = publish_all([channel], brief, RunContext(store))
    again = publish_all([channel], brief, RunContext(store))
    store.close()
    assert [first[0].status, again[0].status] == ["posted", "already posted"]
    assert len(hook.bodies) == 1
    body = hook.bodies[0]
    url = "https://notes.example/posts/2026-11-23/"
    assert body["text"] == body["content"] == f"[Demo data] Bitcoin <b>sets</b> a record\n{url}"
    assert body["brief"] == {
        "id": "2026-11-23",
        "as_of": "2026-11-23T08:00:00Z",
        "headline": "Bitcoin <b>sets</b> a record",
        "lede": ["Bitcoin set a record high of $124,610.", "Ether tops $4,000 & more."],
        "url": url,
        "demo": True,
    }


def test_a_refused_post_is_left_for_the_next_run_and_hides_the_secret(
    hook: Hook, brief_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKETNOTES_WEBHOOK_URL", hook.url)
    config = _config(tmp_path)
    store = open_store(config.store.path)
    brief = read_brief(brief_dir)
    hook.status = 500
    [failed] = publish_all(channels_from_settings(config), brief, RunContext(store))
    assert failed.status == "FAILED"
    assert failed.problems == ["webhook: 127.0.0.1 answered 500; the next run retries"]
    assert "SECRET-TOKEN" not in " ".join(failed.problems)
    hook.status = 200
    [ok] = publish_all(channels_from_settings(config), brief, RunContext(store))
    store.close()
    assert ok.status == "posted" and len(hook.bodies) == 2


def test_an_unreachable_or_unset_webhook_is_a_problem_not_a_crash(
    brief_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path)
    store = open_store(config.store.path)
    brief = read_brief(brief_dir)
    monkeypatch.delenv("MARKETNOTES_WEBHOOK_URL", raising=False)
    [unset] = publish_all(channels_from_settings(config), brief, RunContext(store))
    assert unset.problems == ["webhook: $MARKETNOTES_WEBHOOK_URL is empty; nothing was posted"]
    monkeypatch.setenv("MARKETNOTES_WEBHOOK_URL", "http://127.0.0.1:9/hooks/x")  # discard port
    [down] = publish_all(channels_from_settings(config), brief, RunContext(store))
    store.close()
    assert down.status == "FAILED" and "POST to 127.0.0.1 failed (ConnectError)" in down.problems[0]


def test_a_dry_run_renders_the_body_and_posts_nothing(
    hook: Hook, brief_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKETNOTES_WEBHOOK_URL", hook.url)
    run = RunContext(None, dry_run=tmp_path)
    [report] = publish_all(channels_from_settings(_config(tmp_path)), read_brief(brief_dir), run)
    assert report.status == "rendered (dry run)" and hook.bodies == []
    assert json.loads((tmp_path / "webhook.json").read_text())["brief"]["id"] == "2026-11-23"
