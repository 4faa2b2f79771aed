"""Measuring a rendered note's prose, for the budget tests (demo and scenarios).

The prose is the lede, the sections and What to watch: not the headline, the at-a-glance
table, the charts, the foot or the appendix. Independent of the renderer: plain regular
expressions over the page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from html import unescape

PARTS = re.compile(
    r'<p class="lede">.*?</p>|<section class="story-section[^"]*".*?</section>', re.S
)
SPAN = re.compile(r'<span data-fact="([^"]+)" title="([^"]+)">([^<]*)</span>')
MONEY_OR_SHARE = re.compile(r"[$%]|\bpp\b")
NAMES = re.compile(r"\b(Bitcoin|Ether)\b")
NUMBER = re.compile(r"[+\u2212-]?\$?\d[\d,.:]*%?[KMBT]?")


def text(html: str) -> str:
    """Words of ``html``: inline spans dropped, other tags as spaces, entities decoded."""
    inline = re.sub(r"</?span[^>]*>", "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline)).split())


@dataclass(frozen=True)
class Prose:
    """What the budget tests measure of one note."""

    html: str
    """The prose's HTML, charts left out."""

    @classmethod
    def of(cls, page: str) -> Prose:
        body = page.split('<section class="appendix"')[0]
        body = re.sub(r"<figure.*?</figure>", " ", body, flags=re.S)
        return cls(" ".join(PARTS.findall(body)))

    @property
    def words(self) -> int:
        """Words with a letter or digit, headings included."""
        return sum(1 for w in text(self.html).split() if re.search(r"\w", w))

    @property
    def sentences(self) -> list[str]:
        """Each sentence (or bullet) of the prose, headings left out."""
        body = re.sub(r"<h2[^>]*>.*?</h2>", " ", self.html, flags=re.S)
        chunks = re.findall(r"<(?:p|li)[^>]*>(.*?)</(?:p|li)>", body, re.S)
        return [s for c in chunks for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text(c)) if s]

    @property
    def figures(self) -> Counter[tuple[str, str]]:
        """Each amount, percentage or point figure the prose says, by its fact and text, with
        its count (two facts that happen to read the same are two figures)."""
        return Counter((k, m) for k, _, m in SPAN.findall(self.html) if MONEY_OR_SHARE.search(m))

    @property
    def untraced(self) -> list[str]:
        """Numbers outside a data-fact span."""
        return NUMBER.findall(text(SPAN.sub("", self.html)))

    @property
    def skeletons(self) -> Counter[str]:
        """Each sentence with names and numbers blanked, with its count."""
        return Counter(NUMBER.sub("N", NAMES.sub("X", s)) for s in self.sentences)

    def count(self, phrase: str) -> int:
        return text(self.html).count(phrase)


def lede(page: str) -> list[str]:
    """The lede's sentences."""
    found = re.search(r'<p class="lede">(.*?)</p>', page, re.S)
    words = text(found.group(1)) if found else ""
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", words) if s]


def watch(page: str) -> list[str]:
    """The What to watch bullets."""
    found = re.search(r'<section class="story-section watch".*?</section>', page, re.S)
    return [text(li) for li in re.findall(r"<li>(.*?)</li>", found.group(0), re.S)] if found else []


def headline(page: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", page, re.S)
    return text(found.group(1)) if found else ""
