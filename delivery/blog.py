"""The static blog: one folder any web server (or a Pages host) can serve as it is.

::

    <site_dir>/                  a symlink to the current build, swapped atomically
      index.html                 the latest brief, then the archive by month
      feed.xml                   Atom feed of the latest posts, each with its whole note
      sitemap.xml
      robots.txt                 allows everything, names the sitemap
      posts/YYYY-MM-DD/
        index.html               the brief's page, with the blog's head, nav bar and pager added
        brief.pdf
        charts/*.png
        post.json                what the index and the feed need (headline, lede...)
        index.md                 optional (``markdown_layout = "hugo"``): a Hugo page bundle
      _posts/YYYY-MM-DD-SLUG.md  optional (``markdown_layout = "jekyll"``)

Pages link relatively only; full URLs (from the ``site_url`` setting) appear only where a
format requires them: Atom ids, links and entry content, the sitemap, robots.txt, Open Graph
tags and the canonical link (plus the Subscribe link, wherever ``subscribe_url`` points).

A post's page is its brief.html, byte for byte, with three marked blocks added (``<!--
blog:head -->``, ``blog:nav``, ``blog:foot``) and circled letters such as the "Ⓢ" of
"Binance USDⓈ-M futures" drawn as a ringed letter, since the page's fonts lack them. Every
publish renders the blocks of every post again (the pager needs the newer post, the nav the
current settings) and rewrites a page only when they changed, so the index, the posts and
their neighbours stay consistent. Every folder is made 0755 and every file 0644 whatever the
umask, so a copy to a web server (rsync -a) stays readable.

Publishing builds a new folder beside the live one (unchanged posts are hard-linked, not
copied), then points the ``site_dir`` symlink at it with one ``rename``: a reader sees the old
site or the new one, never a mix. Re-publishing a day replaces that day's post only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from itertools import groupby
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree as ET

import pandas as pd

from delivery import ledger
from delivery.brief import BriefFiles
from delivery.channels import ChannelReport, RunContext
from delivery.email import png_size
from delivery.markdown import to_markdown
from delivery.templates import call
from errors import DeliveryError
from settings import BlogSettings

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_ENTRIES = 30
"""Posts in feed.xml, newest first."""
KEEP_BUILDS = 2
"""Builds kept: the live one and the one before (a reader may still be reading it)."""
DIR_MODE, FILE_MODE = 0o755, 0o644
"""Modes of every folder and file of a build, whatever the umask (a web server reads them)."""
JEKYLL_DIR = "_posts"
BLOCKS = ("head", "nav", "foot")
"""The marked blocks the blog adds to a post's page (macros of templates/blog/post.html)."""
_BLOCK = re.compile(r"(<!-- blog:(\w+) -->\n).*?(\n<!-- /blog:\2 -->)", re.DOTALL)
_CIRCLED = re.compile(r"(<[^>]*>)|([\u2460-\u24ff])")
_REF = re.compile(r'\b((?:href|src)=")([^"]*)"')


@dataclass(frozen=True)
class PostView:
    """One post, as templates/blog/*.html and the feed see it (stored as post.json)."""

    brief_id: str
    headline: str
    as_of: str
    lede: tuple[str, ...]
    """The note's lede: what happened, then why or the contrast."""
    demo: bool
    image: str | None
    """The lead asset's price chart, relative to the post folder (``charts/btc_daily.png``)."""
    image_alt: str
    image_width: int
    image_height: int
    site_title: str = ""
    site_url: str = ""
    assets: tuple[str, ...] = ()
    """Asset codes, lead first (the Markdown's tags)."""

    @property
    def description(self) -> str:
        """The lede's first sentence (the summary shown in link previews)."""
        return self.lede[0] if self.lede else self.headline

    @property
    def href(self) -> str:
        """The post's page, relative to the site root."""
        return f"posts/{self.brief_id}/index.html"

    @property
    def image_href(self) -> str:
        """The price chart, relative to the site root."""
        return f"posts/{self.brief_id}/{self.image}"

    @property
    def url(self) -> str:
        """The post's full URL (feed, sitemap, Open Graph, canonical link)."""
        return f"{self.site_url}posts/{self.brief_id}/"

    @property
    def image_url(self) -> str:
        """The price chart's full URL (Open Graph)."""
        return f"{self.site_url}{self.image_href}"

    @property
    def date(self) -> str:
        """``Monday 23 November 2026, 08:00 UTC``."""
        return pd.Timestamp(self.as_of).strftime("%A %-d %B %Y, %H:%M UTC")

    @property
    def day(self) -> str:
        """``23 November 2026`` (the pager's link text)."""
        return pd.Timestamp(self.as_of).strftime("%-d %B %Y")

    @property
    def short_date(self) -> str:
        """``23 Nov``."""
        return pd.Timestamp(self.as_of).strftime("%-d %b")


@dataclass(frozen=True)
class PageView:
    """What templates/blog/post.html adds to one post's page."""

    post: PostView
    older: PostView | None
    newer: PostView | None
    subscribe_url: str
    """The Subscribe link's address; empty: no link."""


@dataclass(frozen=True)
class MonthView:
    """One month of the archive."""

    label: str
    posts: tuple[PostView, ...]


@dataclass(frozen=True)
class SiteView:
    """What templates/blog/index.html shows."""

    title: str
    url: str
    latest: PostView | None
    months: tuple[MonthView, ...]
    subscribe_url: str = ""


def _site_url(config: BlogSettings) -> str:
    return config.site_url if config.site_url.endswith("/") else config.site_url + "/"


def post_view(brief: BriefFiles, config: BlogSettings) -> PostView:
    """The post of ``brief``."""
    charts = brief.note_charts or brief.charts
    image, alt, width, height = None, "", 0, 0
    if charts:
        image = charts[0].path.relative_to(brief.folder).as_posix()
        alt = charts[0].alt
        width, height = png_size(charts[0].path.read_bytes())
    return PostView(
        brief_id=brief.brief_id,
        headline=brief.headline,
        as_of=brief.as_of,
        lede=brief.lede,
        demo=brief.demo,
        image=image,
        image_alt=alt,
        image_width=width,
        image_height=height,
        site_title=config.title,
        site_url=_site_url(config),
        assets=brief.assets,
    )


@dataclass(frozen=True)
class BlogChannel:
    """The static blog channel (``[blog]``): publishes each brief once."""

    config: BlogSettings
    name: str = "blog"
    fresh_only: bool = False

    def publish(self, brief: BriefFiles, run: RunContext) -> ChannelReport:
        """Publish ``brief`` unless the store says it already is; ``DeliveryError`` if the
        site cannot be written (the live site is then unchanged)."""
        if run.dry_run is not None:
            publish(brief, replace(self.config, site_dir=run.dry_run / "site"))
            return ChannelReport(self.name, "rendered (dry run)")
        post = str(self.config.site_dir / "posts" / brief.brief_id / "index.html")
        row = ledger.find_brief(run.store, brief.brief_id) if run.store else None
        if row is not None and row.published_at is not None:
            return ChannelReport(self.name, "already published", post)
        publish(brief, self.config)
        if run.store is not None:
            ledger.record_published(run.store, brief.brief_id)
        run.progress(f"published {post}")
        return ChannelReport(self.name, "published", post)


def publish(brief: BriefFiles, config: BlogSettings) -> Path:
    """Publish ``brief`` to the site at ``config.site_dir``; the post's folder in the live site.

    ``DeliveryError`` if the site cannot be written (the live site is then unchanged).
    """
    site = config.site_dir
    builds = site.parent / f".{site.name}.builds"
    new = builds / f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
    try:
        new.mkdir(parents=True)
        current = site.resolve() if site.exists() else None
        if current is not None:
            _link_posts(current, new, skip=brief.brief_id)
        _write_post(brief, config, new)
        posts = _read_posts(new / "posts", config)
        _dress_posts(new / "posts", config, posts)
        _write_index(new, config, posts)
        _open_modes(new, builds)
        _swap(site, new, builds)
    except OSError as exc:
        shutil.rmtree(new, ignore_errors=True)
        raise DeliveryError(f"blog: cannot publish to {site}: {exc}") from None
    _prune(builds, keep={new.name})
    return site / "posts" / brief.brief_id


def _link_posts(src: Path, dst: Path, skip: str) -> None:
    """Hard-link every post (folder, and Jekyll file) but ``skip``'s from build ``src`` into
    build ``dst``."""
    if (src / "posts").is_dir():
        for post in sorted((src / "posts").iterdir()):
            if post.is_dir() and post.name != skip:
                shutil.copytree(post, dst / "posts" / post.name, copy_function=_link_or_copy)
    if (src / JEKYLL_DIR).is_dir():
        (dst / JEKYLL_DIR).mkdir()
        for md in sorted((src / JEKYLL_DIR).glob("*.md")):
            if not md.name.startswith(f"{skip}-"):
                _link_or_copy(str(md), str(dst / JEKYLL_DIR / md.name))


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _write_post(brief: BriefFiles, config: BlogSettings, root: Path) -> None:
    view = post_view(brief, config)
    folder = root / "posts" / brief.brief_id
    folder.mkdir(parents=True)
    shutil.copytree(brief.folder / "charts", folder / "charts")
    shutil.copyfile(brief.pdf, folder / "brief.pdf")
    note = brief.html.read_text(encoding="utf-8")
    page = _insert(note, "</head>", _block("head"), before=True)
    page = _insert(page, "<body", _block("nav"), before=False)
    page = _insert(page, "</body>", _block("foot"), before=True)
    body = page.index("<body")
    page = page[:body] + draw_circled(page[body:])
    (folder / "index.html").write_text(page, encoding="utf-8")
    (folder / "post.json").write_text(json.dumps(asdict(view), indent=2) + "\n", "utf-8")
    if not config.markdown:
        return
    if config.markdown_layout == "jekyll":
        (root / JEKYLL_DIR).mkdir(exist_ok=True)
        name = f"{brief.brief_id}-{slug(view.headline)}.md"
        (root / JEKYLL_DIR / name).write_text(markdown(view, note, "jekyll"), encoding="utf-8")
    else:
        (folder / "index.md").write_text(markdown(view, note, "hugo"), encoding="utf-8")


def _block(name: str) -> str:
    """The empty marked block ``name`` (:func:`dress` fills it)."""
    return f"<!-- blog:{name} -->\n\n<!-- /blog:{name} -->"


def _insert(page: str, marker: str, text: str, before: bool) -> str:
    """``text`` inserted before ``marker``, or after the end of the tag ``marker`` opens."""
    at = page.rfind(marker) if before else page.find(marker)
    if at < 0:
        raise DeliveryError(f"blog: brief.html has no {marker}")
    if not before:
        at = page.index(">", at) + 1
    return page[:at] + "\n" + text.strip() + "\n" + page[at:]


def draw_circled(html: str) -> str:
    """``html`` with each circled letter or digit in its text (``Ⓢ``, ``①``) written as the
    plain letter in a ``span.circled`` that blog.css draws a ring around: the page's fonts
    have no glyph for them. Tags and their attributes are left as they are."""

    def one(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1)
        ch = m.group(2)
        kind, _, codes = unicodedata.decomposition(ch).partition(" ")
        if kind != "<circle>":
            return ch
        plain = "".join(chr(int(c, 16)) for c in codes.split())
        return f'<span class="circled">{plain}</span>'

    return _CIRCLED.sub(one, html)


def _dress_posts(posts_dir: Path, config: BlogSettings, posts: Sequence[PostView]) -> None:
    """Render the blocks of every post's page (newest first in ``posts``); a page whose blocks
    changed is replaced by a new file, so the build it is hard-linked from keeps its own."""
    for i, post in enumerate(posts):
        newer = posts[i - 1] if i > 0 else None
        older = posts[i + 1] if i + 1 < len(posts) else None
        view = PageView(post, older, newer, config.subscribe_url)
        path = posts_dir / post.brief_id / "index.html"
        page = path.read_text(encoding="utf-8")
        dressed = dress(page, view)
        if dressed != page:
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(dressed, encoding="utf-8")
            os.replace(tmp, path)


def dress(page: str, view: PageView) -> str:
    """``page`` with each marked block holding its macro of templates/blog/post.html."""

    def block(m: re.Match[str]) -> str:
        return m.group(1) + call("blog/post.html", m.group(2), view).strip() + m.group(3)

    return _BLOCK.sub(block, page)


def slug(headline: str) -> str:
    """``bitcoin-sets-record-high-at-124-610``: the headline in lower-case ASCII words, at
    most 60 characters (``note`` if none is left)."""
    ascii_ = unicodedata.normalize("NFKD", headline).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_.lower())
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > 60:
            break
        out = f"{out}-{word}" if out else word
    return out or (words[0][:60] if words else "note")


def _front_value(value: object) -> str:
    """``value`` as YAML (JSON, which YAML reads; ``<`` and ``>`` as ``\\u`` escapes)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def markdown(view: PostView, note: str, layout: str = "hugo") -> str:
    """The whole note (brief.html ``note``) as Markdown with YAML front matter, for a Hugo
    page bundle (links relative to the post folder) or a Jekyll post (links through
    ``relative_url`` to the post folder)."""

    def link(ref: str) -> str:
        if layout != "jekyll" or urlsplit(ref).scheme or ref.startswith(("/", "#")):
            return ref
        return "{{ " + json.dumps(f"/posts/{view.brief_id}/{ref}") + " | relative_url }}"

    image = view.image
    if image and layout == "jekyll":
        image = f"/posts/{view.brief_id}/{image}"
    front = {
        "title": view.headline,
        "date": view.as_of,
        "description": view.description,
        "image": image,
        "demo": view.demo,
        "draft": False,
        "tags": list(view.assets),
    }
    lines = ["---", *(f"{k}: {_front_value(v)}" for k, v in front.items()), "---", ""]
    lines.append(to_markdown(note, link, skip=_left_out).rstrip("\n"))
    lines += ["", f"[The note as a PDF]({link('brief.pdf')})", ""]
    return "\n".join(lines)


def _left_out(tag: str, attrs: dict[str, str]) -> bool:
    """What the Markdown leaves to the front matter: the headline (``title``), the dateline
    (``date``) and the colophon."""
    return tag in ("h1", "footer") or "dateline" in attrs.get("class", "").split()


def _read_posts(posts: Path, config: BlogSettings) -> list[PostView]:
    """Every post of a build, newest first."""
    found = []
    for meta in posts.glob("*/post.json"):
        doc = json.loads(meta.read_text(encoding="utf-8"))
        lede = doc.pop("lede", None) or doc.pop("takeaways", ())  # posts before the lede
        doc.update(lede=tuple(lede), assets=tuple(doc.get("assets", ())))
        doc.update(site_title=config.title, site_url=_site_url(config))
        found.append(PostView(**doc))
    return sorted(found, key=lambda p: p.brief_id, reverse=True)


def _write_index(root: Path, config: BlogSettings, posts: Sequence[PostView]) -> None:
    months = tuple(
        MonthView(pd.Timestamp(f"{key}-01").strftime("%B %Y"), tuple(group))
        for key, group in groupby(posts, key=lambda p: p.brief_id[:7])
    )
    latest = posts[0] if posts else None
    view = SiteView(config.title, _site_url(config), latest, months, config.subscribe_url)
    page = call("blog/index.html", "page", view)
    body = page.index("<body")
    (root / "index.html").write_text(page[:body] + draw_circled(page[body:]), encoding="utf-8")
    notes = {p.brief_id: _note_body(root / p.href) for p in posts[:FEED_ENTRIES]}
    (root / "feed.xml").write_bytes(atom_feed(config, posts, notes))
    (root / "sitemap.xml").write_bytes(sitemap(config, posts))
    (root / "robots.txt").write_text(robots(config), encoding="utf-8")


def _note_body(page: Path) -> str | None:
    """The note in a post's page: its body between the blog's nav and foot blocks (None for a
    page published before the blocks existed)."""
    text = page.read_text(encoding="utf-8")
    start, end = text.find("<!-- /blog:nav -->"), text.find("<!-- blog:foot -->")
    if start < 0 or end < start:
        return None
    return text[start + len("<!-- /blog:nav -->") : end].strip()


def absolute_urls(html: str, base: str) -> str:
    """``html`` with every ``href`` and ``src`` resolved against the full URL ``base``."""
    return _REF.sub(lambda m: f'{m.group(1)}{urljoin(base, m.group(2))}"', html)


def _iso(ts: str) -> str:
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(
    config: BlogSettings, posts: Sequence[PostView], notes: Mapping[str, str | None]
) -> bytes:
    """The Atom feed (RFC 4287) of the newest posts; ``notes`` maps a post's id to its note's
    HTML, the entry's content (links made absolute)."""
    ET.register_namespace("", ATOM)
    url = _site_url(config)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        node.text = text
        return node

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "title", config.title)
    sub(feed, "id", url)
    sub(feed, "updated", _iso(posts[0].as_of) if posts else "1970-01-01T00:00:00Z")
    sub(feed, "link", rel="self", type="application/atom+xml", href=f"{url}feed.xml")
    sub(feed, "link", rel="alternate", type="text/html", href=url)
    author = sub(feed, "author")
    sub(author, "name", config.title)
    sub(feed, "generator", "marketnotes")
    for post in posts[:FEED_ENTRIES]:
        entry = sub(feed, "entry")
        sub(entry, "title", post.headline)
        sub(entry, "id", post.url)
        sub(entry, "link", rel="alternate", type="text/html", href=post.url)
        sub(entry, "published", _iso(post.as_of))
        sub(entry, "updated", _iso(post.as_of))
        sub(entry, "summary", " ".join(post.lede) or post.headline)
        note = notes.get(post.brief_id)
        if note:
            sub(entry, "content", absolute_urls(note, post.url), type="html")
    data: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def sitemap(config: BlogSettings, posts: Sequence[PostView]) -> bytes:
    """sitemap.xml: the front page and every post."""
    ET.register_namespace("", SITEMAP)
    url = _site_url(config)
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    pages = [(url, posts[0].as_of if posts else None)] + [(p.url, p.as_of) for p in posts]
    for loc, as_of in pages:
        node = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(node, f"{{{SITEMAP}}}loc").text = loc
        if as_of:
            ET.SubElement(node, f"{{{SITEMAP}}}lastmod").text = _iso(as_of)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def robots(config: BlogSettings) -> str:
    """robots.txt: every crawler may read everything; where the sitemap is. (Crawlers read it
    at the root of a host only: when ``site_url`` has a path, copy it to the host's root.)"""
    return f"User-agent: *\nAllow: /\n\nSitemap: {_site_url(config)}sitemap.xml\n"


def _open_modes(build: Path, builds: Path) -> None:
    """Every folder of ``build`` (and ``builds``, which the site symlink goes through) 0755,
    every file 0644, whatever the umask."""
    builds.chmod(DIR_MODE)
    build.chmod(DIR_MODE)
    for folder, dirs, files in os.walk(build):
        for name in dirs:
            os.chmod(os.path.join(folder, name), DIR_MODE)
        for name in files:
            os.chmod(os.path.join(folder, name), FILE_MODE)


def _swap(site: Path, new: Path, builds: Path) -> None:
    """Point the ``site`` symlink at ``new`` in one rename (a real folder is moved aside once)."""
    if site.exists() and not site.is_symlink():
        site.rename(builds / f"{0:020d}-previous")
    link = site.with_name(f".{site.name}.link-{uuid.uuid4().hex[:8]}")
    link.symlink_to(new.relative_to(site.parent))
    os.replace(link, site)


def _prune(builds: Path, keep: set[str]) -> None:
    """Remove all but the newest ``KEEP_BUILDS`` builds (never one in ``keep``)."""
    olds = sorted((p for p in builds.iterdir() if p.is_dir()), key=lambda p: p.name)
    for old in olds[:-KEEP_BUILDS]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
