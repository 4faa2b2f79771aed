"""A written brief as the delivery channels see it: the files of ``<out>/<YYYY-MM-DD>/``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from errors import DeliveryError


@dataclass(frozen=True)
class Chart:
    """One chart file of the brief and its alt text (from brief.html)."""

    path: Path
    alt: str
    in_note: bool = True
    """Whether the note shows it (False: the appendix's)."""


@dataclass(frozen=True)
class AssetPrice:
    """One asset's price facts (``price.last``, ``price.change_24h_pct``,
    ``price.change_7d_pct``): the email's at-a-glance row; a change the brief lacks is None."""

    asset: str
    last: float
    """USD."""
    change_24h_pct: float | None
    change_7d_pct: float | None


@dataclass(frozen=True)
class BriefFiles:
    """The brief of one day: its texts from facts.json and the paths of its files."""

    brief_id: str
    """The as-of date, ``YYYY-MM-DD``: the folder's name and the ledger's key."""
    folder: Path
    as_of: str
    """ISO-8601 UTC, as in facts.json (``2026-11-23T08:00:00Z``)."""
    demo: bool
    headline: str
    lede: tuple[str, ...]
    """The lede's sentences: what happened, then why or the contrast."""
    watch: tuple[str, ...]
    """The What to watch bullets."""
    assets: tuple[str, ...]
    charts: tuple[Chart, ...]
    """Every chart, in the order brief.html shows them."""
    prices: tuple[AssetPrice, ...] = ()
    """Each asset's price facts, in the order of ``assets`` (those with a ``price.last``)."""

    @property
    def html(self) -> Path:
        """The page (brief.html)."""
        return self.folder / "brief.html"

    @property
    def pdf(self) -> Path:
        """The PDF (brief.pdf)."""
        return self.folder / "brief.pdf"

    @property
    def note_charts(self) -> tuple[Chart, ...]:
        """The charts the note shows before its appendix (the lead asset's daily chart first,
        then its story's mechanism): what the email shows and the blog's cover."""
        return tuple(c for c in self.charts if c.in_note)


class _Images(HTMLParser):
    """The page's images in order, each with whether it sits outside the appendix section."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, bool]] = []
        self.appendix = 0
        """Open sections since the appendix's began (0: outside it)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and (self.appendix or "appendix" in (a.get("class") or "").split()):
            self.appendix += 1
        if tag == "img" and a.get("src"):
            self.found.append((a["src"] or "", a.get("alt") or "", not self.appendix))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self.appendix:
            self.appendix -= 1


def prices(doc: dict[str, Any]) -> tuple[AssetPrice, ...]:
    """The price facts of facts.json's ``doc``, by asset."""
    values = {(f["id"], f.get("asset")): f["value"] for f in doc.get("facts", [])}

    def change(fact: str, asset: str) -> float | None:
        value = values.get((fact, asset))
        return None if value is None else float(value)

    return tuple(
        AssetPrice(
            asset=a,
            last=float(values[("price.last", a)]),
            change_24h_pct=change("price.change_24h_pct", a),
            change_7d_pct=change("price.change_7d_pct", a),
        )
        for a in doc["assets"]
        if ("price.last", a) in values
    )


def read_brief(folder: Path) -> BriefFiles:
    """The brief in ``folder``; ``DeliveryError`` if a file delivery needs is missing."""
    for name in ("facts.json", "brief.html", "brief.pdf"):
        if not (folder / name).is_file():
            raise DeliveryError(f"{folder}: {name} is missing (write the brief with all formats)")
    doc = json.loads((folder / "facts.json").read_text(encoding="utf-8"))
    parser = _Images()
    parser.feed((folder / "brief.html").read_text(encoding="utf-8"))
    charts = tuple(
        Chart(folder / src, alt, in_note)
        for src, alt, in_note in dict.fromkeys(parser.found)
        if src.startswith("charts/") and (folder / src).is_file()
    )
    return BriefFiles(
        brief_id=folder.name,
        folder=folder,
        as_of=str(doc["as_of"]),
        demo=bool(doc["demo"]),
        headline=str(doc["headline"]),
        lede=tuple(str(t) for t in doc["lede"]),
        watch=tuple(str(t) for t in doc["watch"]),
        assets=tuple(str(a) for a in doc["assets"]),
        charts=charts,
        prices=prices(doc),
    )
