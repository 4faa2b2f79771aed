"""A note's HTML as Markdown (CommonMark with pipe tables: Hugo's Goldmark, Jekyll's kramdown).

:func:`to_markdown` keeps the note's structure: headings, paragraphs, lists, the summary table
(a pipe table, numbers right-aligned), images (``![alt](src)``), links, bold and italic. Text is
escaped, never passed through: ``<`` and ``>`` become ``&lt;`` and ``&gt;``, and the characters
Markdown (or Jekyll's Liquid) would read as syntax get a backslash, so a headline holding
``<svg onload=...>`` stays text. Elements the caller names (and ``<head>``) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

Attrs = list[tuple[str, str | None]]
Skip = Callable[[str, dict[str, str]], bool]
"""Whether to leave out an element, from its tag and attributes."""

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
OPEN_MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*", "br": " "}
"""Inline tags written as a mark where they open (``br`` as a space)."""
BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "caption", "div", "figcaption"}
    | {"figure", "footer", "header", "html", "li", "main", "nav", "ol", "p", "section"}
    | {"table", "ul", *HEADINGS}
)
"""Elements that end the paragraph before them and start a new one."""
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
"""Elements without an end tag."""
DROPPED = frozenset({"head", "script", "style", "template", "title"})
_SYNTAX = re.compile(r"([\\`*\[\]{}|~]|(?<![^\W_])_|_(?![^\W_]))")
"""Markdown (and Liquid) syntax; ``_`` only at a word's edge (``btc_daily`` stays as it is)."""
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^(?:([#+=-])|(\d+)([.)]))(?=\s|$)")


def escape(text: str) -> str:
    """``text`` as Markdown that shows exactly ``text`` (no HTML, no emphasis, no Liquid)."""
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    return _SYNTAX.sub(r"\\\1", text)


def _guard_start(text: str) -> str:
    """``text`` with a leading ``#``, ``-``, ``+``, ``=`` or ``1.`` escaped (no heading or list)."""
    m = _LINE_START.match(text)
    if m is None:
        return text
    if m.group(1):
        return "\\" + text
    return f"{m.group(2)}\\{text[len(m.group(2)) :]}"


def _url(ref: str) -> str:
    """``ref`` safe inside ``(...)``: spaces, brackets, quotes and parentheses percent-encoded."""
    return quote(ref, safe="/:?#&=%+,;@!$'*~.-_")


@dataclass
class _Table:
    caption: str = ""
    rows: list[list[str]] = field(default_factory=list)
    right: dict[int, bool] = field(default_factory=dict)
    """Column index -> right-aligned (its header cell has class ``num``)."""

    def lines(self) -> list[str]:
        width = max(len(r) for r in self.rows)
        rows = [r + [""] * (width - len(r)) for r in self.rows]
        rule = ["---:" if self.right.get(i) else "---" for i in range(width)]
        return [f"| {' | '.join(cells)} |" for cells in (rows[0], rule, *rows[1:])]


class _Converter(HTMLParser):
    def __init__(self, link: Callable[[str], str], skip: Skip) -> None:
        super().__init__(convert_charrefs=True)
        self.link, self.skip = link, skip
        self.lines: list[str] = []
        self.inline: list[str] = []
        self.skipping = 0
        """Depth inside a left-out element (0: not in one)."""
        self.heading = 0
        self.lists: list[list[int]] = []
        """Open lists, outermost first: [marker width, next number or 0 for bullets]."""
        self.item_start = False
        self.after_item = False
        """The last line written is a list item (the next item follows it directly)."""
        self.open: list[tuple[str, bool]] = []
        """Open elements: tag, and whether it quotes its text (``blockquote``, ``role=note``)."""
        self.table: _Table | None = None
        self.hrefs: list[str] = []

    # -- parser events ------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: Attrs) -> None:
        a = {k: v or "" for k, v in attrs}
        if self.skipping:
            self.skipping += tag not in VOID
            return
        if tag in DROPPED or self.skip(tag, a):
            self.skipping = int(tag not in VOID)
            return
        if tag in BLOCKS or tag in ("tr", "th", "td"):
            self._flush()
        if tag not in VOID:
            self.open.append((tag, tag == "blockquote" or a.get("role") == "note"))
        self._open(tag, a)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            self.skipping -= tag not in VOID
            return
        if tag in BLOCKS:
            self._flush()
        if any(t == tag for t, _ in self.open):
            while self.open.pop()[0] != tag:
                pass
        self._close(tag)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.inline.append(escape(data))

    # -- elements -----------------------------------------------------------------------------
    def _open(self, tag: str, a: dict[str, str]) -> None:
        if tag in OPEN_MARKS:
            self.inline.append(OPEN_MARKS[tag])
        elif tag in HEADINGS:
            self.heading = int(tag[1])
        elif tag in ("ul", "ol"):
            self.lists.append([3, 1] if tag == "ol" else [2, 0])
        elif tag == "li":
            self.item_start = True
        elif tag == "table":
            self.table = _Table()
        elif tag == "tr" and self.table is not None:
            self.table.rows.append([])
        elif tag in ("th", "td") and self.table is not None and self.table.rows:
            if len(self.table.rows) == 1:
                self.table.right[len(self.table.rows[0])] = "num" in a.get("class", "").split()
        elif tag == "a":
            self.hrefs.append(a.get("href", ""))
            self.inline.append("[")
        elif tag == "img":
            alt = escape(a.get("alt", ""))
            self.inline.append(f"![{alt}]({self.link(_url(a.get('src', '')))})")

    def _close(self, tag: str) -> None:
        if tag in HEADINGS:
            self.heading = 0
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.after_item = self.after_item and bool(self.lists)  # a new list stands apart
        elif tag in ("th", "td") and self.table is not None and self.table.rows:
            self.table.rows[-1].append(self._take())
        elif tag == "caption" and self.table is not None:
            self.table.caption = self._take()
        elif tag == "table" and self.table is not None:
            self._emit_table(self.table)
            self.table = None
        elif tag in ("strong", "b"):
            self.inline.append("**")
        elif tag in ("em", "i"):
            self.inline.append("*")
        elif tag == "a" and self.hrefs:
            self.inline.append(f"]({self.link(_url(self.hrefs.pop()))})")

    # -- output -------------------------------------------------------------------------------
    def _take(self) -> str:
        """The inline text gathered since the last block, whitespace collapsed."""
        text = " ".join("".join(self.inline).split())
        self.inline = []
        return text

    def _flush(self) -> None:
        if self.table is not None:
            return  # a table's text belongs to its cells and caption
        text = self._take()
        if not text:
            return
        item = False
        if self.heading:
            line = "#" * self.heading + " " + text
        elif self.lists:
            indent = " " * sum(w for w, _ in self.lists[:-1])
            width, number = self.lists[-1]
            if self.item_start:
                marker = f"{number}." if number else "-"
                line = f"{indent}{marker.ljust(width - 1)} {_guard_start(text)}"
                self.lists[-1][1] = number + 1 if number else 0
                self.item_start, item = False, True
            else:
                line = indent + " " * width + _guard_start(text)
        else:
            line = _guard_start(text)
        prefix = "> " * sum(q for _, q in self.open)
        self._emit([prefix + line], tight=item and self.after_item)
        self.after_item = item

    def _emit_table(self, table: _Table) -> None:
        self.inline = []
        if table.caption:
            self._emit([f"*{table.caption}*"])
        if table.rows:
            self._emit(table.lines())
        self.after_item = False

    def _emit(self, lines: list[str], tight: bool = False) -> None:
        if self.lines and not tight:
            self.lines.append("")
        self.lines += lines


def to_markdown(
    html: str, link: Callable[[str], str] = lambda ref: ref, skip: Skip = lambda t, a: False
) -> str:
    """The Markdown of ``html``; ``link`` maps each ``src`` and ``href`` (already URL-safe),
    ``skip`` says which elements to leave out."""
    converter = _Converter(link, skip)
    converter.feed(html)
    converter.close()
    converter._flush()
    return "\n".join(converter.lines) + "\n"
