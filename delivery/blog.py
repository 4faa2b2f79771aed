"""The static blog: one folder any web server (or a Pages host) can serve as it is.

::

    <site_dir>/                  a symlink to the current build, swapped atomically
      index.html                 the latest brief, then the archive by month
      feed.xml                   Atom feed of the latest posts
      sitemap.xml
      posts/YYYY-MM-DD/
        index.html               the brief's page, with Open Graph tags and navigation added
        charts/*.png
        post.json                what the index and the feed need (headline, takeaways...)
        index.md                 optional: front matter + Markdown, for Hugo and Jekyll

Pages link relatively only; full URLs (from the ``site_url`` setting) appear only where a
format requires them: Atom ids and links, the sitemap, and Open Graph tags.

Publishing builds a new folder beside the live one (unchanged posts are hard-linked, not
copied), then points the ``site_dir`` symlink at it with one ``rename``: a reader sees the old
site or the new one, never a mix. Re-publishing a day replaces that day's post only.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from itertools import groupby
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from delivery import ledger
from delivery.brief import BriefFiles
from delivery.channels import ChannelReport, RunContext
from delivery.email import png_size
from delivery.templates import call
from errors import DeliveryError
from settings import BlogSettings

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_ENTRIES = 30
"""Posts in feed.xml, newest first."""
KEEP_BUILDS = 2
"""Builds kept: the live one and the one before (a reader may still be reading it)."""


@dataclass(frozen=True)
class PostView:
    """One post, as templates/blog/*.html and the feed see it (stored as post.json)."""

    brief_id: str
    headline: str
    as_of: str
    takeaways: tuple[str, ...]
    demo: bool
    image: str | None
    """The lead asset's price chart, relative to the post folder (``charts/btc_daily.png``)."""
    image_alt: str
    image_width: int
    image_height: int
    site_title: str = ""
    site_url: str = ""

    @property
    def description(self) -> str:
        """The first takeaway (the summary shown in link previews)."""
        return self.takeaways[0] if self.takeaways else self.headline

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
        """The post's full URL (feed, sitemap, Open Graph)."""
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
    def short_date(self) -> str:
        """``23 Nov``."""
        return pd.Timestamp(self.as_of).strftime("%-d %b")


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


def _site_url(config: BlogSettings) -> str:
    return config.site_url if config.site_url.endswith("/") else config.site_url + "/"


def post_view(brief: BriefFiles, config: BlogSettings) -> PostView:
    """The post of ``brief``."""
    charts = brief.price_charts or brief.charts
    image, alt, width, height = None, "", 0, 0
    if charts:
        image = charts[0].path.relative_to(brief.folder).as_posix()
        alt = charts[0].alt
        width, height = png_size(charts[0].path.read_bytes())
    return PostView(
        brief_id=brief.brief_id,
        headline=brief.headline,
        as_of=brief.as_of,
        takeaways=brief.takeaways,
        demo=brief.demo,
        image=image,
        image_alt=alt,
        image_width=width,
        image_height=height,
        site_title=config.title,
        site_url=_site_url(config),
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
            _link_posts(current / "posts", new / "posts", skip=brief.brief_id)
        _write_post(brief, config, new / "posts" / brief.brief_id)
        posts = _read_posts(new / "posts", config)
        _write_index(new, config, posts)
        _swap(site, new, builds)
    except OSError as exc:
        shutil.rmtree(new, ignore_errors=True)
        raise DeliveryError(f"blog: cannot publish to {site}: {exc}") from None
    _prune(builds, keep={new.name})
    return site / "posts" / brief.brief_id


def _link_posts(src: Path, dst: Path, skip: str) -> None:
    """Hard-link every post folder but ``skip`` from the live build into the new one."""
    if not src.is_dir():
        return
    for post in sorted(src.iterdir()):
        if post.is_dir() and post.name != skip:
            shutil.copytree(post, dst / post.name, copy_function=_link_or_copy)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _write_post(brief: BriefFiles, config: BlogSettings, folder: Path) -> None:
    view = post_view(brief, config)
    folder.mkdir(parents=True)
    shutil.copytree(brief.folder / "charts", folder / "charts")
    page = brief.html.read_text(encoding="utf-8")
    page = _insert(page, "</head>", call("blog/post.html", "head", view), before=True)
    page = _insert(page, "<body", call("blog/post.html", "nav", view), before=False)
    (folder / "index.html").write_text(page, encoding="utf-8")
    (folder / "post.json").write_text(json.dumps(asdict(view), indent=2) + "\n", "utf-8")
    if config.markdown:
        (folder / "index.md").write_text(markdown(view), encoding="utf-8")


def _insert(page: str, marker: str, text: str, before: bool) -> str:
    """``text`` inserted before ``marker``, or after the end of the tag ``marker`` opens."""
    at = page.find(marker)
    if at < 0:
        raise DeliveryError(f"blog: brief.html has no {marker}")
    if not before:
        at = page.index(">", at) + 1
    return page[:at] + "\n" + text.strip() + "\n" + page[at:]


def markdown(view: PostView) -> str:
    """The post as Markdown with YAML front matter (strings JSON-quoted, which YAML reads)."""
    front = {
        "title": view.headline,
        "date": view.as_of,
        "description": view.description,
        "image": view.image,
        "demo": view.demo,
    }
    lines = ["---", *(f"{k}: {json.dumps(v)}" for k, v in front.items()), "---", ""]
    lines += [f"- {t}" for t in view.takeaways]
    if view.image:
        lines += ["", f"![{view.image_alt}]({view.image})"]
    lines += ["", "[The full note](index.html)", ""]
    return "\n".join(lines)


def _read_posts(posts: Path, config: BlogSettings) -> list[PostView]:
    """Every post of a build, newest first."""
    found = []
    for meta in posts.glob("*/post.json"):
        doc = json.loads(meta.read_text(encoding="utf-8"))
        doc.update(takeaways=tuple(doc["takeaways"]), site_title=config.title)
        doc["site_url"] = _site_url(config)
        found.append(PostView(**doc))
    return sorted(found, key=lambda p: p.brief_id, reverse=True)


def _write_index(root: Path, config: BlogSettings, posts: Sequence[PostView]) -> None:
    months = tuple(
        MonthView(pd.Timestamp(f"{key}-01").strftime("%B %Y"), tuple(group))
        for key, group in groupby(posts, key=lambda p: p.brief_id[:7])
    )
    view = SiteView(config.title, _site_url(config), posts[0] if posts else None, months)
    (root / "index.html").write_text(call("blog/index.html", "page", view), encoding="utf-8")
    (root / "feed.xml").write_bytes(atom_feed(config, posts))
    (root / "sitemap.xml").write_bytes(sitemap(config, posts))


def _iso(ts: str) -> str:
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(config: BlogSettings, posts: Sequence[PostView]) -> bytes:
    """The Atom feed (RFC 4287) of the newest posts."""
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
        sub(entry, "summary", " ".join(post.takeaways) or post.headline)
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
