"""The static blog: posts, index, feed, sitemap, Open Graph, atomic swaps, and a real browser."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import stat
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

import pipeline
import settings
from delivery import read_brief
from delivery.blog import ATOM, SITEMAP, publish
from errors import InputError
from settings import BlogSettings
from tests.delivery.conftest import make_brief

A = f"{{{ATOM}}}"


@pytest.fixture
def config(tmp_path: Path) -> BlogSettings:
    return BlogSettings(
        site_dir=tmp_path / "site", site_url="https://notes.example/", title="Notes"
    )


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo brief as the pipeline writes it (HTML and facts; a stand-in PDF)."""
    out = tmp_path_factory.mktemp("demo")
    request = pipeline.BriefRequest.from_settings(
        settings.Settings(), out=out, formats=("html", "json")
    )
    folder = pipeline.write_brief(request).folder
    (folder / "brief.pdf").write_bytes(b"%PDF-1.4\n% stand-in\n%%EOF\n")
    return folder


def _publish_days(tmp_path: Path, config: BlogSettings, days: list[str]) -> None:
    for day in days:
        publish(read_brief(make_brief(tmp_path / "out", day, f"Note of {day}")), config)


def _post(config: BlogSettings, day: str) -> str:
    return (config.site_dir / "posts" / day / "index.html").read_text()


def _styles(page: str) -> str:
    return "".join(re.findall(r"<style>(.*?)</style>", page, re.DOTALL))


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
        text = re.sub(r'<link rel="canonical"[^>]*>', "", page.read_text())  # a full URL
        for ref in re.findall(r'(?:href|src)="([^"]+)"', text):
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


def test_feed_entries_carry_the_whole_note_with_absolute_urls(tmp_path: Path, config) -> None:
    _publish_days(tmp_path, config, ["2026-11-22", "2026-11-23"])
    root = ET.parse(config.site_dir / "feed.xml").getroot()
    for entry in root.findall(A + "entry"):
        assert _find(entry, A + "content").get("type") == "html"
        content = _text(entry, A + "content")
        day = _text(entry, A + "id").rstrip("/").rsplit("/", 1)[1]
        assert f"<h1>Note of {day}</h1>" in content  # the note's body, not a summary
        refs = re.findall(r'(?:href|src)="([^"]+)"', content)
        assert f"https://notes.example/posts/{day}/charts/btc_funding.png" in refs
        assert all(ref.startswith("https://notes.example/posts/") for ref in refs), refs


def test_post_pages_link_older_and_newer_posts_pdf_and_canonical(tmp_path: Path, config) -> None:
    days = ["2026-11-21", "2026-11-22", "2026-11-23"]
    _publish_days(tmp_path, config, days)

    def rel(page: str, kind: str) -> list[str]:
        return re.findall(rf'<a [^>]*rel="{kind}" href="([^"]+)"', page)

    oldest, middle, newest = (_post(config, day) for day in days)
    assert rel(middle, "prev") == ["../2026-11-21/index.html"]
    assert rel(middle, "next") == ["../2026-11-23/index.html"]
    assert rel(oldest, "prev") == [] and rel(oldest, "next") == ["../2026-11-22/index.html"]
    assert rel(newest, "prev") == ["../2026-11-22/index.html"] and rel(newest, "next") == []
    for day, page in zip(days, (oldest, middle, newest), strict=True):
        pdf = config.site_dir / "posts" / day / "brief.pdf"
        assert pdf.read_bytes() == (tmp_path / "out" / day / "brief.pdf").read_bytes()
        assert 'href="brief.pdf"' in page
        canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', page)
        assert canonical == [f"https://notes.example/posts/{day}/"]
        assert page.index("canonical") < page.index("</head>")
        assert "Subscribe" not in page  # no subscribe_url: no link


def test_the_subscribe_link_is_on_every_page_when_set(tmp_path: Path, config) -> None:
    config = replace(config, subscribe_url="https://notes.example/join?list=daily&x=1")
    _publish_days(tmp_path, config, ["2026-11-23"])
    link = '<a href="https://notes.example/join?list=daily&amp;x=1">Subscribe</a>'
    assert link in _post(config, "2026-11-23")
    assert link in (config.site_dir / "index.html").read_text()


def test_a_new_post_rewrites_its_older_neighbour_only(tmp_path: Path, config) -> None:
    _publish_days(tmp_path, config, ["2026-11-21", "2026-11-22"])
    posts = config.site_dir / "posts"
    previous_build = config.site_dir.resolve()
    inodes = {d: (posts / d / "index.html").stat().st_ino for d in ("2026-11-21", "2026-11-22")}
    _publish_days(tmp_path, config, ["2026-11-23"])
    assert (posts / "2026-11-21" / "index.html").stat().st_ino == inodes["2026-11-21"]
    assert (posts / "2026-11-22" / "index.html").stat().st_ino != inodes["2026-11-22"]
    assert 'rel="next" href="../2026-11-23/index.html"' in _post(config, "2026-11-22")
    # the build before (a reader may still be on it) keeps its own page, without the new link
    before = (previous_build / "posts" / "2026-11-22" / "index.html").read_text()
    assert 'rel="next"' not in before


def test_robots_txt_allows_everything_and_names_the_sitemap(tmp_path: Path, config) -> None:
    _publish_days(tmp_path, config, ["2026-11-23"])
    lines = (config.site_dir / "robots.txt").read_text().splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    assert "Sitemap: https://notes.example/sitemap.xml" in lines
    assert not any(line.startswith("Disallow") for line in lines)


def test_index_and_posts_share_one_typography(tmp_path: Path, config, demo_folder) -> None:
    publish(read_brief(demo_folder), config)
    index = _styles((config.site_dir / "index.html").read_text())
    post = _styles(_post(config, "2026-11-23"))

    def fonts(css: str) -> set[str]:
        return {" ".join(d.split()) for d in re.findall(r"font(?:-family)?:\s*([^;}]+)", css)}

    assert fonts(index) == fonts(post)
    assert '"DejaVu Sans", "Helvetica Neue", Arial' in " ".join(fonts(index))


def test_circled_letters_are_drawn_with_the_page_fonts(tmp_path: Path, config, demo_folder):
    original = (demo_folder / "brief.html").read_bytes()
    assert "USDⓈ-M".encode() in original
    publish(read_brief(demo_folder), config)
    post = _post(config, "2026-11-23")
    body = post[post.index("<body") :]
    assert "Ⓢ" not in re.sub(r"<[^>]*>", "", body)  # no text the fonts cannot draw
    assert 'Binance USD<span class="circled">S</span>-M futures' in body
    assert ".circled {" in _styles(post) and ".circled {" in _styles(
        (config.site_dir / "index.html").read_text()
    )
    content = _text(ET.parse(config.site_dir / "feed.xml").getroot(), f"{A}entry/{A}content")
    assert "Ⓢ" not in re.sub(r"<[^>]*>", "", content)
    assert (demo_folder / "brief.html").read_bytes() == original  # the brief is untouched


def test_markdown_is_the_whole_note(tmp_path: Path, config, demo_folder) -> None:
    publish(read_brief(demo_folder), replace(config, markdown=True))
    text = (config.site_dir / "posts" / "2026-11-23" / "index.md").read_text()
    _, front, body = text.split("---\n", 2)
    fields = {k: json.loads(v) for k, v in (line.split(": ", 1) for line in front.splitlines())}
    assert fields["draft"] is False and fields["tags"] == ["BTC", "ETH"]
    assert fields["title"].startswith("Bitcoin sets record high")
    headings = re.findall(r"^(#+) (.+)$", body, re.MULTILINE)
    assert ("##", "Markets") in headings and ("##", "What to watch") in headings
    assert ("##", "Sources") in headings and not any(h == "#" for h, _ in headings)
    assert "| Asset | Last price | 24 h | 7 d | Below ATH |\n| --- | ---: |" in body
    assert "- Binance USDⓈ-M futures" in body
    charts = sorted(p.name for p in (demo_folder / "charts").iterdir())
    shown = sorted(re.findall(r"!\[[^\]]+\]\(charts/([a-z0-9_]+\.png)\)", body))
    assert shown == charts
    facts = json.loads((demo_folder / "facts.json").read_text())
    assert all(f"- {t}" in body for t in facts["watch"])
    assert " ".join(facts["lede"]) in " ".join(body.split())
    assert "[The note as a PDF](brief.pdf)" in body


def test_markdown_for_jekyll_goes_to_posts_named_by_date_and_slug(tmp_path: Path, config):
    config = replace(config, markdown=True, markdown_layout="jekyll")
    _publish_days(tmp_path, config, ["2026-11-22", "2026-11-23"])
    jekyll = config.site_dir / "_posts"
    assert sorted(p.name for p in jekyll.iterdir()) == [
        "2026-11-22-note-of-2026-11-22.md",
        "2026-11-23-note-of-2026-11-23.md",
    ]
    text = (jekyll / "2026-11-23-note-of-2026-11-23.md").read_text()
    assert (
        '![Chart btc_daily.png]({{ "/posts/2026-11-23/charts/btc_daily.png" | relative_url }})'
        in text
    )
    assert 'image: "/posts/2026-11-23/charts/btc_daily.png"' in text
    assert not (config.site_dir / "posts" / "2026-11-23" / "index.md").exists()
    shutil.rmtree(tmp_path / "out" / "2026-11-23")
    publish(read_brief(make_brief(tmp_path / "out", "2026-11-23", "Corrected")), config)
    assert sorted(p.name for p in jekyll.iterdir()) == [
        "2026-11-22-note-of-2026-11-22.md",
        "2026-11-23-corrected.md",
    ]


def test_an_unknown_markdown_layout_is_refused() -> None:
    with pytest.raises(InputError, match="markdown_layout = 'gatsby'"):
        BlogSettings(markdown_layout="gatsby")


def test_raw_html_in_the_headline_and_lede_is_escaped_everywhere(tmp_path: Path, config):
    headline = "Bitcoin <svg onload=alert(1)> record"
    folder = make_brief(tmp_path / "out", "2026-11-23", headline)
    doc = json.loads((folder / "facts.json").read_text())
    takeaway = "Ether <img src=x onerror=alert(2)> tops $4,000"
    doc["lede"] = [takeaway, "Plain."]
    (folder / "facts.json").write_text(json.dumps(doc))
    # the pipeline's renderer escapes every value (render/environment.py): the fake brief too
    page = (folder / "brief.html").read_text().replace(headline, html.escape(headline))
    note = f"<ul><li>{html.escape(takeaway)}</li></ul><p>&lt;svg/&gt;</p></body>"
    (folder / "brief.html").write_text(page.replace("</body>", note))
    for name, layout in [("hugo", {}), ("jekyll", {"markdown_layout": "jekyll"})]:
        site = replace(config, site_dir=tmp_path / name, markdown=True, **layout)
        publish(read_brief(folder), site)
        files = [*site.site_dir.glob("**/*.md"), *site.site_dir.glob("**/*.html")]
        assert len(files) == 3
        for path in [*files, site.site_dir / "feed.xml"]:
            text = path.read_text()
            assert not re.search(r"<(svg|img src=x)", text, re.IGNORECASE), path
        md = next(site.site_dir.glob("**/*.md")).read_text()
        assert "- Ether &lt;img src=x onerror=alert(2)&gt; tops $4,000" in md
        assert "&lt;svg/&gt;" in md
        assert json.loads(md.split("\n")[1].split(": ", 1)[1]) == headline  # data kept exact
        feed = ET.parse(site.site_dir / "feed.xml").getroot()
        assert "<svg" not in _text(feed, f"{A}entry/{A}content")


def test_files_are_world_readable_whatever_the_umask(tmp_path: Path, config) -> None:
    old = os.umask(0o077)
    try:
        _publish_days(tmp_path, replace(config, markdown=True), ["2026-11-22", "2026-11-23"])
    finally:
        os.umask(old)
    builds = tmp_path / ".site.builds"
    modes = {stat.S_IMODE(builds.stat().st_mode)}
    for path in config.site_dir.resolve().rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))
        modes.add(mode)
    assert stat.S_IMODE(builds.stat().st_mode) == 0o755 and modes == {0o755, 0o644}


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
