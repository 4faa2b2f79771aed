"""Emailing a brief through a real SMTP server on loopback; messages parsed back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from delivery import ledger, read_brief, unsubscribe
from delivery.email import Composer, send_brief
from delivery.inline_css import inline_css
from delivery.smtp import SmtpTransport
from store import open_store
from tests.delivery.conftest import KEY, NOTE_CHARTS, settings_for
from tests.delivery.smtpd import Server

ADDRESSES = ["ann@example.com", "bob@example.org", "cy@example.net"]


def _send(tmp_path: Path, brief_dir: Path, port: int, addresses=ADDRESSES, **email):
    config = settings_for(tmp_path, port)
    from dataclasses import replace

    config = replace(config, email=replace(config.email, **email))
    store = open_store(config.store.path)
    for a in addresses:
        ledger.add_subscriber(store, a)
    composer = Composer(read_brief(brief_dir), config.email, "https://notes.example/posts/x/", KEY)
    summary = send_brief(store, composer, SmtpTransport(config.email, None))
    return store, summary


def test_each_subscriber_gets_one_complete_message(tmp_path, brief_dir, smtp: Server) -> None:
    store, summary = _send(tmp_path, brief_dir, smtp.port, attach="pdf")
    assert (summary.sent, summary.left, summary.failed) == (3, 0, [])
    assert smtp.handler.by_recipient() == {a: 1 for a in ADDRESSES}
    msg = smtp.handler.received[0].message()
    assert msg.get_content_type() == "multipart/mixed"
    alternative, pdf = msg.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, related = alternative.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, *images = related.iter_parts()
    html = html_part.get_content()
    # every cid: reference has its inline image part, and every image is referenced
    cids = set(re.findall(r'src="cid:([^"]+)"', html))
    assert cids == {p["Content-ID"].strip("<>") for p in images} and len(cids) == 2
    assert all(p.get_content_type() == "image/png" for p in images)
    assert images[0].get_content() == (brief_dir / "charts" / "btc_daily.png").read_bytes()
    # the inlined rules are gone; the dark-mode / small-screen block stays as a <style>
    assert 'src="data:' not in html and "<style data-inline" not in html and 'style="' in html
    assert html.count("<style") == 1 and "prefers-color-scheme: dark" in html
    assert "<table" in html and "&lt;b&gt;sets&lt;/b&gt;" in html  # escaped headline
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "market-note-2026-11-23.pdf"
    assert pdf.get_content_disposition() == "attachment"
    assert pdf.get_content() == (brief_dir / "brief.pdf").read_bytes()
    assert "Ether tops $4,000 & more." in plain.get_content()
    assert msg["Subject"] == "[Demo data] Bitcoin <b>sets</b> a record"
    assert msg["From"] == "Market notes <notes@example.com>"
    assert msg["To"] == "ann@example.com" and msg["Date"]
    assert re.fullmatch(r"<2026-11-23\.[0-9a-f]{20}@example\.com>", msg["Message-ID"])
    token = unsubscribe.token(KEY, "ann@example.com")
    assert " ".join(msg["List-Unsubscribe"].split()) == (  # folded: the URL is long
        "<mailto:unsubscribe@example.com?subject=unsubscribe>, "
        f"<https://example.com/unsubscribe?token={token}>"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Id"] == "Market notes <notes.example.com>"
    assert "ann%40" not in html and "ann@example.com" not in msg["List-Unsubscribe"]
    rows = ledger.deliveries(store, "2026-11-23")
    assert [(r.status, r.attempts, r.message_id) for r in rows] == [
        ("sent", 1, m.message()["Message-ID"]) for m in smtp.handler.received
    ]


def test_a_second_send_repeats_nothing(tmp_path, brief_dir, smtp: Server) -> None:
    store, _ = _send(tmp_path, brief_dir, smtp.port)
    composer = Composer(read_brief(brief_dir), settings_for(tmp_path, smtp.port).email, None, KEY)
    again = send_brief(store, composer, SmtpTransport(composer.config, None))
    assert (again.sent, again.already_sent) == (0, 3)
    assert len(smtp.handler.received) == 3


def test_a_rejected_recipient_is_failed_and_the_others_sent(tmp_path, brief_dir, smtp) -> None:
    smtp.handler.reject["bob@example.org"] = "550 5.1.1 no such user"
    store, summary = _send(tmp_path, brief_dir, smtp.port)
    assert summary.sent == 2 and summary.left == 0
    assert summary.failed == [("bob@example.org", "550 5.1.1 no such user")]
    assert smtp.handler.by_recipient() == {"ann@example.com": 1, "cy@example.net": 1}
    bob = [r for r in ledger.deliveries(store, "2026-11-23") if r.address == "bob@example.org"]
    assert (bob[0].status, bob[0].attempts) == ("failed", 1)


def test_a_transient_refusal_is_retried(tmp_path, brief_dir, smtp) -> None:
    smtp.handler.transient["cy@example.net"] = 2
    store, summary = _send(tmp_path, brief_dir, smtp.port)
    assert summary.sent == 3
    cy = [r for r in ledger.deliveries(store, "2026-11-23") if r.address == "cy@example.net"]
    assert (cy[0].status, cy[0].attempts, cy[0].last_error) == ("sent", 3, None)


def test_a_dropped_connection_is_reopened_and_the_message_resent(tmp_path, brief_dir, smtp):
    smtp.handler.drop_before = {1}
    store, summary = _send(tmp_path, brief_dir, smtp.port)
    assert summary.sent == 3 and summary.left == 0
    assert smtp.handler.by_recipient() == {a: 1 for a in ADDRESSES}
    attempts = {r.address: r.attempts for r in ledger.deliveries(store, "2026-11-23")}
    assert attempts == {"ann@example.com": 1, "bob@example.org": 2, "cy@example.net": 1}


def test_a_server_that_is_down_leaves_everything_pending(tmp_path, brief_dir) -> None:
    from devtools.net import free_port

    store, summary = _send(tmp_path, brief_dir, free_port())
    assert summary.sent == 0 and summary.left == 3
    assert summary.stopped and "unreachable" in summary.stopped
    rows = ledger.deliveries(store, "2026-11-23")
    assert [r.status for r in rows] == ["pending"] * 3
    # not offered to any server: the error is noted, the attempt not counted (max_attempts)
    assert rows[0].attempts == 0 and "refused" in (rows[0].last_error or "").lower()
    assert rows[1].last_error is None  # stopped after the first address: no hammering


def test_the_next_run_sends_what_was_left(tmp_path, brief_dir) -> None:
    from tests.delivery.smtpd import Server

    with Server() as down_then_up:
        port = down_then_up.port
    store, summary = _send(tmp_path, brief_dir, port)
    assert summary.left == 3
    store.close()
    server = Server()
    server.port, server.controller.port = port, port
    with server:
        config = settings_for(tmp_path, port)
        store = open_store(config.store.path)
        composer = Composer(read_brief(brief_dir), config.email, None, KEY)
        again = send_brief(store, composer, SmtpTransport(config.email, None))
        assert (again.sent, again.left) == (3, 0)
        assert server.handler.by_recipient() == {a: 1 for a in ADDRESSES}


def test_a_transient_failure_is_retried_by_later_runs_up_to_max_attempts(
    tmp_path, brief_dir, smtp
) -> None:
    """attempts = 2 per run, max_attempts = 5 over all runs: cy is tried 2 + 2 + 1 times, then
    failed with the server's last answer; the fourth run leaves it alone."""
    smtp.handler.transient["cy@example.net"] = 100
    config = settings_for(tmp_path, smtp.port)
    from dataclasses import replace

    email = replace(config.email, attempts=2, max_attempts=5)
    store = open_store(config.store.path)
    for a in ADDRESSES:
        ledger.add_subscriber(store, a)
    composer = Composer(read_brief(brief_dir), email, None, KEY)

    def cy() -> ledger.Delivery:
        return next(
            r for r in ledger.deliveries(store, "2026-11-23") if r.address == "cy@example.net"
        )

    runs, rows = [], []
    for _ in range(4):
        runs.append(send_brief(store, composer, SmtpTransport(email, None)))
        rows.append(cy())
    assert [r.sent for r in runs] == [2, 0, 0, 0]
    assert [r.left for r in runs] == [1, 1, 0, 0]
    assert [(r.status, r.attempts) for r in rows] == [
        ("pending", 2),
        ("pending", 4),
        ("failed", 5),
        ("failed", 5),
    ]
    assert runs[2].failed == [
        ("cy@example.net", "gave up after 5 attempts: 451 4.3.0 try again later")
    ]
    assert cy().last_error == "451 4.3.0 try again later"
    assert smtp.handler.transient["cy@example.net"] == 95  # five RCPTs in all, none in run 4
    assert smtp.handler.by_recipient() == {"ann@example.com": 1, "bob@example.org": 1}


def test_rows_past_a_lowered_max_attempts_are_failed_without_a_try(
    tmp_path, brief_dir, smtp
) -> None:
    from dataclasses import replace

    smtp.handler.transient["ann@example.com"] = 100
    store, first = _send(tmp_path, brief_dir, smtp.port, attempts=3)
    assert first.left == 1
    email = replace(settings_for(tmp_path, smtp.port).email, max_attempts=2)
    again = send_brief(
        store, Composer(read_brief(brief_dir), email, None, KEY), SmtpTransport(email, None)
    )
    assert again.failed == [
        ("ann@example.com", "gave up after 3 attempts: 451 4.3.0 try again later")
    ]
    assert smtp.handler.transient["ann@example.com"] == 97
    row = ledger.deliveries(store, "2026-11-23")[0]
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "451 4.3.0 try again later")


def test_rate_limit_spaces_messages(tmp_path, brief_dir, smtp) -> None:
    _, summary = _send(tmp_path, brief_dir, smtp.port, rate=20.0)
    assert summary.sent == 3 and summary.seconds >= 0.1


def test_unsubscribed_addresses_get_nothing(tmp_path, brief_dir, smtp) -> None:
    config = settings_for(tmp_path, smtp.port)
    store = open_store(config.store.path)
    for a in ADDRESSES:
        ledger.add_subscriber(store, a)
    ledger.remove_subscriber(store, "BOB@example.org")
    composer = Composer(read_brief(brief_dir), config.email, None, KEY)
    send_brief(store, composer, SmtpTransport(config.email, None))
    assert set(smtp.handler.by_recipient()) == {"ann@example.com", "cy@example.net"}


def test_login_failure_stops_and_never_shows_the_password(tmp_path, brief_dir, smtp) -> None:
    from dataclasses import replace

    config = settings_for(tmp_path, smtp.port)
    config = replace(config, email=replace(config.email, user="me"))
    store = open_store(config.store.path)
    ledger.add_subscriber(store, "ann@example.com")
    composer = Composer(read_brief(brief_dir), config.email, None, KEY)
    summary = send_brief(store, composer, SmtpTransport(config.email, "s3cret-pw"))
    assert summary.stopped and summary.sent == 0 and summary.left == 1
    assert "s3cret-pw" not in summary.stopped
    assert "s3cret-pw" not in str(ledger.deliveries(store, "2026-11-23"))


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<p class="x">a</p>', '<p class="x" style="color: red; margin: 0">a</p>'),
        ('<p class="x" style="color: blue">a</p>', 'style="color: red; margin: 0; color: blue"'),
        ("<td>a</td>", "<td>a</td>"),
    ],
)
def test_inline_css(html: str, expected: str) -> None:
    page = "<style data-inline>p { color: red } .x { margin: 0 }</style>" + html
    out = inline_css(page)
    assert expected in out and "<style" not in out


def test_inline_css_refuses_selectors_it_cannot_do() -> None:
    with pytest.raises(ValueError, match="unsupported selector"):
        inline_css("<style data-inline>td > p { color: red }</style><p>a</p>")


@pytest.mark.parametrize("length", [40, 66, 70, 71, 74, 77, 80, 99, 130])
def test_a_subject_of_any_length_reads_back_whole_and_folds_between_words(length: int) -> None:
    """The standard folder breaks a 70-77 character value right after "Subject:", and
    parsers then read a leading space into it (``delivery.mime.POLICY`` folds between words)."""
    from email import policy
    from email.message import EmailMessage
    from email.parser import BytesParser

    from delivery.mime import POLICY

    subject = " ".join(["Bitcoin"] * 40)[:length].strip()
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = subject
    msg.set_content("body")
    raw = msg.as_bytes()
    assert raw.startswith(b"Subject: Bitcoin")
    assert all(len(line) <= 78 for line in raw.split(b"\r\n"))
    assert BytesParser(policy=policy.default).parsebytes(raw)["Subject"] == subject
    accented = EmailMessage(policy=POLICY)
    accented["Subject"] = "Ether’s " + subject  # non-ASCII: encoded words, the standard folder
    parsed = BytesParser(policy=policy.default).parsebytes(accented.as_bytes())
    assert parsed["Subject"] == "Ether’s " + subject


def test_the_brief_s_note_charts_are_those_before_its_appendix(brief_dir: Path) -> None:
    brief = read_brief(brief_dir)
    assert [c.path.name for c in brief.charts] == [*NOTE_CHARTS, "eth_daily.png"]
    assert [c.path.name for c in brief.note_charts] == list(NOTE_CHARTS)


def test_a_rendered_brief_s_email_charts_are_the_note_s(tmp_path: Path) -> None:
    from pipeline import BriefRequest, write_brief
    from settings import Settings
    from tests.conftest import DEMO

    request = BriefRequest.from_settings(Settings(), snapshot=DEMO, out=tmp_path)
    brief = read_brief(write_brief(request).folder)
    html = brief.html.read_text()
    shown = re.findall(r'src="(charts/[^"]+)"', html.split('<section class="appendix"')[0])
    assert [f"charts/{c.path.name}" for c in brief.note_charts] == shown and len(shown) == 2
    assert len(brief.charts) > len(shown)  # the appendix's are read too, for the blog
