"""brief.txt: the note's text, read off its HTML, the appendix left out."""

from __future__ import annotations

from render import note_text

PAGE = """<html><head><title>T</title><style>p { x: 1 }</style></head><body>
<header><p class="dateline">Market note</p>
<h1>Bitcoin <span data-fact="k" title="t">up</span></h1></header>
<p class="lede">It rose <span data-fact="k" title="t">4.7%</span>.   Then more.</p>
<table><tr><th>Asset</th><th>Price</th></tr>
<tr><td>Bitcoin</td><td>$1</td></tr></table>
<section class="story-section"><h2>Markets</h2><figure><img alt="chart"></figure>
<p>One.</p></section>
<section class="watch"><h2>What to watch</h2>
<ul><li>First &amp; best.</li><li>Second.</li></ul></section>
<section class="appendix"><h2>Appendix</h2><p>Every fact.</p></section>
</body></html>"""


def test_the_text_has_a_line_per_block_and_no_appendix() -> None:
    assert note_text(PAGE) == (
        "Market note\n\nBitcoin up\nIt rose 4.7%. Then more.\nAsset Price\nBitcoin $1\n\n"
        "Markets\nOne.\n\nWhat to watch\n- First & best.\n- Second.\n"
    )
