"""The static blog: posts, index, feed, sitemap, Open Graph, atomic swaps, and a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import urllib.parse
import urllib.request
from dataclasses import replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from delivery import read_brief
from delivery.blog import ATOM, SITEMAP, publish
from settings import BlogSettings
from tests.delivery.conftest import make_brief


@pytest.fixture
def config(tmp_path: Path) -> BlogSettings:
    return BlogSettings(
        site_dir=tmp_path / "site", site_url="https://notes.example/", title="Notes"
    )


def _publish_days(tmp_path: Path, config: BlogSettings, days: list[str]) -> None:
    for day in days:
        publish(read_brief(make_brief(tmp_path / "out", day, f"Note of {day}")), config)


def test_posts_index_and_archive(tmp_path: Path, config: BlogSettings) -> None:
    _publish_days(tmp_path, config, ["2026-10-30", "2026-11-22", "2026-11-23"])
    site = config.site_dir
    for day in ("2026-10-30", "2026-11-22", "2026-11-23"):
        assert (site / "posts" / day / "index.html").is_file()
        assert (site / "posts" / day / "charts" / "btc_daily.png").is_file()
    index = (site / "index.html").read_text()
    latest = index.split('id="archive"')[0]
    assert "Note of 2026-11-23" in latest and "Note of 2026-11-22" not in latest
    archive = index.split('id="archive"')[1]
    assert archive.index("November 2026") < archive.index("October 2026")
    assert archive.index("Note of 2026-11-23") < archive.index("Note of 2026-11-22")


def test_every_link_is_relative_and_resolves_on_disk(tmp_path: Path, config) -> None:
    _publish_days(tmp_path, config, ["2026-11-22", "2026-11-23"])
    site = config.site_dir
    for page in [site / "index.html", *site.glob("posts/*/index.html")]:
        for ref in re.findall(r'(?:href|src)="([^"]+)"', page.read_text()):
            if ref.startswith("data:"):
                continue
            assert not re.match(r"^[a-z]+:|^/", ref), f"{page}: {ref} is not relative"
            assert (page.parent / ref.split("#")[0]).resolve().is_file(), f"{page}: {ref}"


def test_open_graph_tags_name_the_headline_and_price_chart(tmp_path: Path, config) -> None:
    _publish_days(tmp_path, config, ["2026-11-23"])
    page = (config.site_dir / "posts" / "2026-11-23" / "index.html").read_text()
    meta = dict(re.findall(r'<meta property="(og:[a-z:]+)" content="([^"]*)"', page))
    assert meta["og:title"] == "Note of 2026-11-23"
    assert meta["og:image"] == "https://notes.example/posts/2026-11-23/charts/btc_daily.png"
    assert meta["og:url"] == "https://notes.example/posts/2026-11-23/"
    assert meta["og:image:width"] == "64" and meta["og:type"] == "article"
    assert page.index("og:title") < page.index("</head>")


def _find(element: ET.Element, path: str) -> ET.Element:
    found = element.find(path)
    assert found is not None, path
    return found


def _text(element: ET.Element, path: str) -> str:
    text = _find(element, path).text
    assert text is not None, path
    return text


def test_feed_is_wellformed_atom_with_required_elements(tmp_path: Path, config) -> None:
    _publish_days(tmp_path, config, ["2026-11-22", "2026-11-23"])
    root = ET.parse(config.site_dir / "feed.xml").getroot()
    a = f"{{{ATOM}}}"
    assert root.tag == f"{a}feed"
    for required in ("id", "title", "updated"):
        assert _text(root, a + required)
    assert root.find(f"{a}author/{a}name") is not None
    assert _find(root, f"{a}link[@rel='self']").get("href") == "https://notes.example/feed.xml"
    entries = root.findall(a + "entry")
    assert [_text(e, a + "title") for e in entries] == [
        "Note of 2026-11-23",
        "Note of 2026-11-22",
    ]
    for e in entries:
        for required in ("id", "title", "updated", "summary"):
            assert _text(e, a + required)
        assert _find(e, f"{a}link[@rel='alternate']").get("href", "").startswith("https://")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", _text(e, a + "updated"))
    assert len({_text(e, a + "id") for e in entries}) == 2
    sitemap = ET.parse(config.site_dir / "sitemap.xml").getroot()
    locs = [_text(u, f"{{{SITEMAP}}}loc") for u in sitemap]
    assert locs == [
        "https://notes.example/",
        "https://notes.example/posts/2026-11-23/",
        "https://notes.example/posts/2026-11-22/",
    ]


def test_republishing_a_day_replaces_only_that_post(tmp_path: Path, config) -> None:
    _publish_days(tmp_path, config, ["2026-11-22", "2026-11-23"])
    site = config.site_dir
    before = (site / "posts" / "2026-11-22" / "index.html").stat().st_ino
    shutil.rmtree(tmp_path / "out" / "2026-11-23")
    publish(read_brief(make_brief(tmp_path / "out", "2026-11-23", "Corrected note")), config)
    assert "Corrected note" in (site / "posts" / "2026-11-23" / "index.html").read_text()
    assert (site / "posts" / "2026-11-22" / "index.html").stat().st_ino == before  # hard link
    assert "Corrected note" in (site / "index.html").read_text()
    assert site.is_symlink()
    builds = list((tmp_path / ".site.builds").iterdir())
    assert len(builds) == 2  # the live build and the one before


def test_a_failed_publish_leaves_the_live_site_unchanged(tmp_path: Path, config) -> None:
    _publish_days(tmp_path, config, ["2026-11-22"])
    live = config.site_dir.resolve()
    brief = read_brief(make_brief(tmp_path / "out", "2026-11-23"))
    shutil.rmtree(brief.folder / "charts")
    with pytest.raises(Exception):  # noqa: B017
        publish(brief, config)
    assert config.site_dir.resolve() == live
    assert not (config.site_dir / "posts" / "2026-11-23").exists()


def test_markdown_with_front_matter(tmp_path: Path, config) -> None:
    _publish_days(tmp_path, replace(config, markdown=True), ["2026-11-23"])
    text = (config.site_dir / "posts" / "2026-11-23" / "index.md").read_text()
    front = text.split("---\n")[1]
    fields = {k: json.loads(v) for k, v in (line.split(": ", 1) for line in front.splitlines())}
    assert fields["title"] == "Note of 2026-11-23" and fields["image"] == "charts/btc_daily.png"
    assert "![Chart btc_daily.png](charts/btc_daily.png)" in text


# --- a real browser on loopback --------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class _LoggingHandler(SimpleHTTPRequestHandler):
    log: list[tuple[str, int]]

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.log.append((self.path, int(code)))

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_the_site_renders_in_headless_chromium(tmp_path: Path, config) -> None:
    if not Path(CHROMIUM).exists():
        print("skipped: chromium is not installed (scripts/ensure-system-libs installs it)")
        pytest.skip("chromium is not installed")
    _publish_days(tmp_path, config, ["2026-11-22", "2026-11-23"])
    log: list[tuple[str, int]] = []
    handler = type("H", (_LoggingHandler,), {"log": log})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(config.site_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        for page, text in [
            ("index.html", "Note of 2026-11-23"),
            ("posts/2026-11-22/index.html", "Note of 2026-11-22"),
        ]:
            dom = _dump_dom(base + page, tmp_path / "profile")
            assert text in dom and "</body>" in dom
            images = re.findall(r'<img[^>]+src="([^"]+)"', dom)
            assert images
            # every link of the rendered page resolves on the server
            for ref in re.findall(r'<a[^>]+href="([^"#]+)', dom):
                url = urllib.parse.urljoin(base + page, ref)
                with urllib.request.urlopen(url, timeout=5) as response:
                    assert response.status == 200
        fetched = [p for p, _ in log]
        assert any(p.endswith("btc_daily.png") for p in fetched)  # the browser loaded images
        assert all(code == 200 for _, code in log), log
    finally:
        server.shutdown()
        server.server_close()


def _dump_dom(url: str, profile: Path) -> str:
    args = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=3000",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
