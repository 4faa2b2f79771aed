"""The blog's HTML-to-Markdown converter: structure kept, text escaped, links mapped."""

from __future__ import annotations

import pytest

from delivery.markdown import escape, to_markdown


def test_headings_paragraphs_lists_and_images_keep_their_structure() -> None:
    html = """<body><header><h1>Title</h1></header><main>
      <section><h2 id="x">Price   action</h2>
        <h3>Bitcoin</h3>
        <p>First
           paragraph, <strong>bold</strong> and <em>italic</em>.</p><p>Second.</p>
        <figure class="chart"><img src="charts/btc daily.png" alt="BTC (daily)"></figure>
        <ul><li>one</li><li>two<ul><li>two.a</li></ul></li><li>three</li></ul>
        <ol><li>first</li><li>second</li></ol>
        <p>See <a href="../other/index.html">the other note</a>.</p>
      </section></main></body>"""
    assert to_markdown(html, skip=lambda tag, a: tag == "h1") == (
        "## Price action\n\n### Bitcoin\n\n"
        "First paragraph, **bold** and *italic*.\n\nSecond.\n\n"
        "![BTC (daily)](charts/btc%20daily.png)\n\n"
        "- one\n- two\n  - two.a\n- three\n\n"
        "1. first\n2. second\n\n"
        "See [the other note](../other/index.html).\n"
    )


def test_tables_become_pipe_tables_with_numbers_right_aligned() -> None:
    html = """<table class="summary"><caption>At a glance</caption>
      <thead><tr><th scope="col">Asset</th><th class="num">Price</th></tr></thead>
      <tbody><tr><th>Bitcoin <span class="code">BTC</span></th><td class="num">$1|2</td></tr>
      </tbody></table><p>After.</p>"""
    assert to_markdown(html) == (
        "*At a glance*\n\n| Asset | Price |\n| --- | ---: |\n| Bitcoin BTC | $1\\|2 |\n\nAfter.\n"
    )


def test_notes_are_quoted_and_left_out_elements_vanish_with_their_children() -> None:
    html = (
        "<head><title>t</title><style>p { color: red }</style></head><body>"
        '<div class="demo-banner" role="note">Demo data.</div>'
        '<p class="dateline">Market note · <time>23 Nov</time></p><p>Kept.</p>'
        "<footer><p>colophon</p></footer></body>"
    )

    def skip(tag: str, attrs: dict[str, str]) -> bool:
        return tag == "footer" or attrs.get("class") == "dateline"

    assert to_markdown(html, skip=skip) == "> Demo data.\n\nKept.\n"


def test_links_and_images_go_through_the_link_function() -> None:
    html = '<p><a href="brief.pdf">PDF</a> <img src="charts/a.png" alt="a"></p>'
    assert to_markdown(html, link=lambda ref: "/base/" + ref) == (
        "[PDF](/base/brief.pdf) ![a](/base/charts/a.png)\n"
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<svg onload=alert(1)>", "&lt;svg onload=alert(1)&gt;"),
        ("a * b _c_ `d` [e](f) ~~g~~ {{ h }} {% i %}", None),
        ("btc_daily.png & Fear &amp; Greed", "btc_daily.png & Fear &amp;amp; Greed"),
    ],
)
def test_text_is_escaped_not_passed_through(text: str, shown: str | None) -> None:
    escaped = escape(text)
    if shown is not None:
        assert escaped == shown
    for syntax in ("*", "_c", "`", "[", "]", "~", "{", "}", "<"):
        assert syntax not in escaped.replace("\\" + syntax[0], ""), (syntax, escaped)


def test_raw_html_in_text_never_reaches_the_markdown() -> None:
    html = "<h2>&lt;script&gt;x&lt;/script&gt;</h2><ul><li>&lt;svg onload=alert(1)&gt;</li></ul>"
    md = to_markdown(html)
    assert "<" not in md and md.startswith("## &lt;script&gt;x&lt;/script&gt;\n")
    assert "- &lt;svg onload=alert(1)&gt;" in md


@pytest.mark.parametrize(
    ("text", "line"),
    [("# not a heading", "\\# not a heading"), ("1. not a list", "1\\. not a list")],
)
def test_a_paragraph_never_turns_into_a_heading_or_a_list(text: str, line: str) -> None:
    assert to_markdown(f"<p>{text}</p><ul><li>{text}</li></ul>") == f"{line}\n\n- {line}\n"
