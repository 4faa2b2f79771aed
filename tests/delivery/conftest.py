"""Fixtures of the delivery tests: a loopback SMTP server, a small fake brief, settings."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import settings
from tests.delivery.smtpd import Server


def png(width: int = 64, height: int = 32) -> bytes:
    """A valid grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


NOTE_CHARTS = ("btc_daily.png", "btc_funding.png")
"""The charts the made brief's note shows; eth_daily.png is in its appendix."""


def make_brief(
    out: Path, day: str = "2026-11-23", headline: str = "Bitcoin <b>sets</b> a record"
) -> Path:
    """A brief folder with every file delivery reads (not rendered by the pipeline)."""
    folder = out / day
    (folder / "charts").mkdir(parents=True)
    for name in ("btc_daily.png", "eth_daily.png", "btc_funding.png"):
        (folder / "charts" / name).write_bytes(png())
    imgs = "".join(f'<img src="charts/{n}" alt="Chart {n}">' for n in NOTE_CHARTS)
    imgs += '<section class="appendix"><section><h2>Charts</h2></section>'
    imgs += '<img src="charts/eth_daily.png" alt="Chart eth_daily.png"></section>'
    (folder / "brief.html").write_text(
        f'<!DOCTYPE html><html><head><title>t</title></head><body class="demo"><h1>{headline}'
        f"</h1>{imgs}</body></html>"
    )
    (folder / "brief.pdf").write_bytes(b"%PDF-1.4\n% fake pdf for tests\n%%EOF\n")
    doc = {
        "as_of": f"{day}T08:00:00Z",
        "demo": True,
        "assets": ["BTC", "ETH"],
        "headline": headline,
        "lede": ["Bitcoin set a record high of $124,610.", "Ether tops $4,000 & more."],
        "watch": ["Bitcoin: $120,000 to hold.", "Ether: $4,000 to hold & more."],
        "facts": [
            {"id": "price.last", "asset": "BTC", "value": 123654.26},
            {"id": "price.change_24h_pct", "asset": "BTC", "value": 4.665},
            {"id": "price.change_7d_pct", "asset": "BTC", "value": -1.26},
            {"id": "price.last", "asset": "ETH", "value": 4089.22},
            {"id": "price.change_24h_pct", "asset": "ETH", "value": 3.646},
            {"id": "price.ath", "asset": "ETH", "value": 4953.17},
        ],
    }
    (folder / "facts.json").write_text(json.dumps(doc))
    return folder


@pytest.fixture
def brief_dir(tmp_path: Path) -> Path:
    return make_brief(tmp_path / "out")


@pytest.fixture
def smtp() -> Iterator[Server]:
    with Server() as server:
        yield server


KEY = b"test-unsubscribe-secret-0123456789"
"""The unsubscribe signing key of the tests (``Composer(..., KEY)``)."""
SECRET_ENV = "MARKETNOTES_UNSUBSCRIBE_SECRET"
"""``[email] unsubscribe_secret_env``'s default: set it to ``KEY`` for a channel or a daily run."""


def settings_for(tmp_path: Path, port: int) -> settings.Settings:
    """Settings pointing everything at ``tmp_path`` and the loopback server on ``port``."""
    base = settings.Settings()
    return replace(
        base,
        store=replace(base.store, path=tmp_path / "store.sqlite"),
        brief=replace(base.brief, out=tmp_path / "out"),
        blog=replace(base.blog, site_dir=tmp_path / "site", site_url="https://notes.example/"),
        email=replace(
            base.email,
            smtp_host="127.0.0.1",
            smtp_port=port,
            security="none",
            rate=0.0,
            backoff=0.01,
            timeout=5.0,
        ),
    )
