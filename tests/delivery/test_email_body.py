"""What each message shows and weighs: the fluid HTML body (measured in headless Chromium at
phone and desktop widths), the preheader, the at-a-glance table, the PDF linked or attached,
the footer, the re-encoded charts, and the channel's refusal without the unsubscribe secret."""

from __future__ import annotations

import html as htmllib
import io
import json
import re
import shutil
import subprocess
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from delivery import ledger, read_brief
from delivery.channels import RunContext
from delivery.email import MAX_CHART_WIDTH, Composer, EmailChannel, email_png, png_size
from settings import EmailSettings
from store import open_store
from tests.delivery.conftest import KEY, NOTE_CHARTS, SECRET_ENV, png, settings_for
from tests.delivery.smtpd import Server

WEB = "https://notes.example/posts/2026-11-23/"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _message(brief_dir: Path, web: str | None = WEB, **email: object) -> EmailMessage:
    config = replace(EmailSettings(), **email)  # type: ignore[arg-type]
    data = Composer(read_brief(brief_dir), config, web, KEY).message_bytes("ann@example.com")
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _bodies(msg: EmailMessage) -> tuple[str, str]:
    """The (HTML, text) bodies of ``msg``."""
    parts = {p.get_content_type(): p for p in msg.walk()}
    return parts["text/html"].get_content(), parts["text/plain"].get_content()


def _chart(width: int = 1008, height: int = 784, noise: bool = False) -> bytes:
    """An RGB PNG like our charts: white, grid lines, a coloured series (and with ``noise``,
    a band of grain that compresses badly, as a photo-like chart would)."""
    image = Image.new("RGB", (width, height), "white")
    if noise:
        grain = Image.effect_noise((width, height // 4), 64).convert("RGB")
        image.paste(grain, (0, 0))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 90):
        draw.line([(x, 0), (x, height)], fill=(230, 230, 230))
    points = [(x, height // 2 + int(200 * ((x * 7919) % 97 - 48) / 48)) for x in range(0, width, 8)]
    draw.line(points, fill=(38, 166, 154), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _text(cell: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def test_link_mode_attaches_no_pdf_and_links_the_blog_copy(brief_dir: Path) -> None:
    msg = _message(brief_dir)  # attach = "link" is the default
    assert msg.get_content_type() == "multipart/alternative"
    assert not any(p.get_content_type() == "application/pdf" for p in msg.walk())
    html, text = _bodies(msg)
    assert f'href="{WEB}brief.pdf"' in html and f"{WEB}brief.pdf" in text
    assert "attached" not in html + text
    attached = _message(brief_dir, attach="pdf")
    assert attached.get_content_type() == "multipart/mixed"
    html, text = _bodies(attached)
    assert "brief.pdf" not in html + text and "attached as a PDF" in html


def test_the_body_opens_with_the_preheader_and_a_view_in_browser_link(brief_dir: Path) -> None:
    html, text = _bodies(_message(brief_dir))
    body = re.split(r"<body[^>]*>", html, maxsplit=1)[1].lstrip()
    preheader = re.match(r'<div class="preheader" style="([^"]*)">([^<]*)</div>', body)
    assert preheader is not None, body[:300]
    assert "display: none" in preheader.group(1) and "max-height: 0" in preheader.group(1)
    assert htmllib.unescape(preheader.group(2)).startswith("Bitcoin set a record high of $124,610.")
    assert f'<a href="{WEB}" style="' in html and ">View in browser</a>" in html
    assert f"View in browser: {WEB}" in text
    assert '<meta name="color-scheme" content="light dark">' in html
    assert '<meta name="supported-color-schemes" content="light dark">' in html
    without = _bodies(_message(brief_dir, web=None))
    assert "View in browser" not in "".join(without) and "brief.pdf" not in "".join(without)


def test_the_body_says_the_note_s_lede_table_and_what_to_watch(brief_dir: Path) -> None:
    """The same lede and What to watch as the note (facts.json holds them as the note has
    them), around the at-a-glance table, in both bodies."""
    html, text = _bodies(_message(brief_dir))
    lede = "Bitcoin set a record high of $124,610. Ether tops $4,000 &amp; more."
    assert f'<p class="lede">{lede}</p>' in html
    watch = html.index(">What to watch</h2>")
    assert html.index('class="lede"') < html.index("At a glance") < watch
    assert ">Ether: $4,000 to hold &amp; more.</li>" in html[watch:]
    plain = " ".join(text.split())
    assert "Bitcoin set a record high of $124,610. Ether tops $4,000 & more." in plain
    assert "What to watch - Bitcoin: $120,000 to hold. - Ether: $4,000 to hold & more." in plain


def test_the_preheader_is_the_headline_when_there_is_no_lede(brief_dir: Path) -> None:
    doc = json.loads((brief_dir / "facts.json").read_text())
    (brief_dir / "facts.json").write_text(json.dumps({**doc, "lede": []}))
    html, _ = _bodies(_message(brief_dir))
    assert '<div class="preheader"' in html
    assert re.search(r'class="preheader"[^>]*>Bitcoin &lt;b&gt;sets&lt;/b&gt; a record&#847;', html)


def test_the_glance_table_shows_each_assets_price_facts(brief_dir: Path) -> None:
    html, text = _bodies(_message(brief_dir))
    table = html.split('<table class="glance"', 1)[1].split("</table>", 1)[0]
    rows = [
        [_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table)
    ]
    assert rows == [
        ["Asset", "Price", "24 h", "7 d"],
        ["Bitcoin", "$123,654", "+4.7%", "\u22121.3%"],
        ["Ether", "$4,089", "+3.6%", "\u2014"],  # facts.json has no 7-day change for ETH
    ]
    assert "- Bitcoin: $123,654 (+4.7% in 24 h, \u22121.3% in 7 d)" in text
    assert "- Ether: $4,089 (+3.6% in 24 h, - in 7 d)" in text


def test_no_glance_table_without_price_facts(brief_dir: Path) -> None:
    doc = json.loads((brief_dir / "facts.json").read_text())
    (brief_dir / "facts.json").write_text(json.dumps({**doc, "facts": []}))
    html, text = _bodies(_message(brief_dir))
    assert "glance" not in html and "At a glance" not in text


def test_the_footer_prints_the_postal_address_only_when_set(brief_dir: Path) -> None:
    street = "Market notes, 1 Example Street, 10115 Berlin"
    html, text = _bodies(_message(brief_dir, postal_address=street))
    assert f"<br>{street}</td>" in html and text.rstrip().endswith(street)
    html, text = _bodies(_message(brief_dir))
    assert "<br></td>" not in html and text.rstrip().splitlines()[-1].startswith("Unsubscribe: ")


def test_charts_are_reencoded_small_and_at_most_twice_the_shown_width(tmp_path: Path) -> None:
    chart = _chart()
    small = email_png(chart)
    assert len(small) < len(chart) and png_size(small) == (1008, 784)
    with Image.open(io.BytesIO(small)) as a, Image.open(io.BytesIO(chart)) as b:
        assert a.mode == "P"
        diff = [abs(x - y) for x, y in zip(a.convert("RGB").tobytes(), b.tobytes(), strict=True)]
        assert sum(diff) / len(diff) < 1.0  # the same picture, to the eye
    wide = _chart(2400, 1200, noise=True)
    assert png_size(email_png(wide)) == (MAX_CHART_WIDTH, 552)
    assert email_png(_chart(2400, 1200)) == _chart(2400, 1200)  # smaller as it is: kept
    grey = png(64, 32)
    assert email_png(grey) == grey  # not RGB: not one of ours, sent as it is


def test_the_message_carries_the_note_s_charts_reencoded(brief_dir: Path) -> None:
    for chart in ("btc_daily.png", "btc_funding.png", "eth_daily.png"):
        (brief_dir / "charts" / chart).write_bytes(_chart())
    msg = _message(brief_dir)
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert [p.get_content() for p in images] == [email_png(_chart())] * 2
    assert [p.get_filename() for p in images] == list(NOTE_CHARTS)  # not the appendix's
    html, _ = _bodies(msg)
    assert html.count('width="552" height="429"') == 2


def test_the_channel_sends_nothing_without_the_unsubscribe_secret(
    tmp_path: Path, brief_dir: Path, smtp: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = settings_for(tmp_path, smtp.port)
    store = open_store(config.store.path)
    ledger.add_subscriber(store, "ann@example.com")
    brief = read_brief(brief_dir)
    monkeypatch.delenv(SECRET_ENV, raising=False)
    for dry_run in (None, tmp_path / "dry"):
        report = EmailChannel(config).publish(brief, RunContext(store, dry_run=dry_run))
        assert report.status == "not sent" and len(report.problems) == 1
        assert f"${SECRET_ENV} is empty" in report.problems[0], report.problems
    monkeypatch.setenv(SECRET_ENV, "too-short")
    report = EmailChannel(config).publish(brief, RunContext(store))
    assert report.problems == [f"email: ${SECRET_ENV} is shorter than 16 characters; nothing sent"]
    assert smtp.handler.received == [] and ledger.deliveries(store, brief.brief_id) == []
    monkeypatch.setenv(SECRET_ENV, KEY.decode())
    report = EmailChannel(config).publish(brief, RunContext(store))
    assert report.problems == [] and len(smtp.handler.received) == 1


# --- the body in a real browser, at phone and desktop widths ----------------------------------

MEASURE = """<script>window.addEventListener("load", () => {
  const frame = document.getElementById("email"), doc = frame.contentDocument;
  document.body.setAttribute("data-measure", JSON.stringify({
    scroll: doc.documentElement.scrollWidth,
    viewport: frame.contentWindow.innerWidth,
    images: [...doc.images].map(i => [i.naturalWidth, i.getBoundingClientRect().right]),
    tables: [...doc.querySelectorAll("table")].map(t => t.getBoundingClientRect().right),
  }));
});</script>"""


def _chromium(profile: Path, *args: str) -> str:
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=3000",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_email_fits_a_phone_and_a_desktop_in_headless_chromium(
    tmp_path: Path, brief_dir: Path
) -> None:
    """At 390 and 600 px the body never scrolls sideways and the 1008 px charts scale down.
    Measured in an iframe of that width (Chromium's own windows are 500 px at least); a
    screenshot of each width is kept next to the page for a person to look at."""
    if not Path(CHROMIUM).exists():
        print("skipped: chromium is not installed (scripts/ensure-system-libs --browser)")
        pytest.skip("chromium is not installed")
    for chart in NOTE_CHARTS:
        (brief_dir / "charts" / chart).write_bytes(_chart())
    msg = _message(brief_dir, postal_address="1 Example Street, Berlin")
    page = tmp_path / "page"
    page.mkdir()
    html, _ = _bodies(msg)
    for part in msg.walk():
        filename = part.get_filename()
        if part.get_content_type() == "image/png" and filename:
            (page / filename).write_bytes(part.get_content())
            html = html.replace(f"cid:{part['Content-ID'].strip('<>')}", filename)
    (page / "email.html").write_text(html)
    for width in (390, 600):
        host = page / f"at-{width}.html"
        host.write_text(
            '<!DOCTYPE html><html><body style="margin:0">'
            f'<iframe id="email" style="width:{width}px;height:4000px;border:0" '
            f'srcdoc="{htmllib.escape(html)}"></iframe>{MEASURE}</body></html>'
        )
        dom = _chromium(tmp_path / "profile", "--window-size=800,4000", "--dump-dom", host.as_uri())
        found = re.search(r'data-measure="([^"]*)"', dom)
        assert found, dom[-500:]
        m = json.loads(htmllib.unescape(found.group(1)))
        assert m["viewport"] == width and m["scroll"] <= width, m
        assert [n for n, _ in m["images"]] == [1008, 1008], m  # both charts loaded...
        assert all(right <= width for _, right in m["images"]), m  # ...and scaled to fit
        assert all(right <= width for right in m["tables"]), m
        shot = page / f"screenshot-{width}.png"
        _chromium(
            tmp_path / "profile",
            f"--window-size={width},2400",
            f"--screenshot={shot}",
            (page / "email.html").as_uri(),
        )
        assert png_size(shot.read_bytes()) == (width, 2400)
