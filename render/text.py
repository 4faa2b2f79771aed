"""The note as plain text (brief.txt), read off its rendered HTML so it can never say
anything the page does not: headings, paragraphs, bullets and table rows on their own lines,
the appendix left out.
"""

from __future__ import annotations

from html.parser import HTMLParser

BLOCKS = frozenset({"p", "h1", "h2", "h3", "li", "tr", "caption", "section", "div", "header"})
"""Elements that start a new line of text."""
SKIPPED = frozenset({"style", "script", "title", "figure", "head"})


class _Text(HTMLParser):
    """Collects the text of the note's body, a line per block element, until the appendix."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skipping = 0
        self.done = False

    def _flush(self) -> None:
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "section" and ("class", "appendix") in attrs:
            self._flush()
            self.done = True
        elif tag in SKIPPED:
            self.skipping += 1
        elif tag in BLOCKS:
            self._flush()
            if tag == "li":
                self.current.append("- ")
            elif tag in ("h1", "h2"):
                self.lines.append("")
        elif tag in ("td", "th"):
            self.current.append("  ")

    def handle_endtag(self, tag: str) -> None:
        if self.done:
            return
        if tag in SKIPPED:
            self.skipping -= 1
        elif tag in BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.done and not self.skipping:
            self.current.append(data)


def note_text(html: str) -> str:
    """The note of ``html`` (a rendered brief.html) as plain text, one block per line, a blank
    line before each heading; the appendix (every fact, unchosen charts) left out."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser._flush()
    text = "\n".join(parser.lines).strip()
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text + "\n"
