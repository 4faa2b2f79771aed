"""Emailing a brief to every subscriber, at most once each, through the ledger.

``Composer`` turns (brief, address) into the bytes of one message (``mime``): the text and a
fluid HTML body (a card at most 600 px wide that shrinks on phones; charts re-encoded small
once per brief), the PDF attached or linked (``[email] attach``), and an unsubscribe link
signed for that address (``unsubscribe``). ``send_brief``
adds the missing ledger rows, then sends every ``pending`` row at the configured rate: a
transient failure is retried with exponential backoff, then left ``pending`` for the next run,
until the row has had ``max_attempts`` tries over all runs, when it is marked ``failed`` with its
last error (a server that cannot be reached at all costs the rows nothing: the message was not
tried); a permanent one marks the row ``failed``; a fatal one (login, sender or certificate
refused) stops the run, and so does ``stop()`` (SIGTERM), checked between messages and during
the backoff, never in the middle of one. A message is marked ``sent`` only once the server has
accepted it; a run killed between the two resends that one message on the next run, with the
same Message-ID.
"""

from __future__ import annotations

import io
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parseaddr

import pandas as pd

from delivery import ledger, unsubscribe
from delivery.brief import AssetPrice, BriefFiles
from delivery.channels import ChannelReport, RunContext
from delivery.inline_css import inline_css
from delivery.mime import Envelope, InlineImage, SharedParts, list_id, message_bytes, message_id
from delivery.mime import shared_parts as encode_shared
from delivery.smtp import SendError, SmtpTransport, Transport
from errors import DeliveryError, InputError
from settings import EmailSettings, Settings
from store import Store

TransportFactory = Callable[[EmailSettings, str | None], Transport]
"""Opens the SMTP connection: ``(settings, password)``; tests and benchmarks inject theirs."""
SAMPLE_TO = "reader@example.com"
"""The address of a dry run's sample message when there are no subscribers."""
EMAIL_WIDTH = 552
"""Width (px) charts are shown at in the email card (600 px at most; narrower on phones)."""
MAX_CHART_WIDTH = 2 * EMAIL_WIDTH
"""Widest chart sent (px), sharp on 2x screens at ``EMAIL_WIDTH``; wider ones are scaled."""


@dataclass(frozen=True)
class ChartView:
    """An inline chart of the email."""

    cid: str
    alt: str
    width: int
    height: int


@dataclass(frozen=True)
class EmailView:
    """All templates/email.html and email.txt show; built by ``Composer``."""

    headline: str
    date: str
    demo: bool
    preheader: str
    """The inbox preview: the lede's first sentence (the headline if there is none)."""
    lede: tuple[str, ...]
    watch: tuple[str, ...]
    prices: tuple[AssetPrice, ...]
    """The at-a-glance table: each asset's last price and 24 h / 7 d changes."""
    charts: tuple[ChartView, ...]
    pdf_name: str
    pdf_attached: bool
    pdf_url: str | None
    """Where the PDF is on the blog, when it is linked rather than attached."""
    web_url: str | None
    """The brief's page on the blog ("View in browser"), if any."""
    address: str
    unsubscribe_url: str
    postal_address: str
    """The sender's postal address for the footer; empty: none shown."""


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise DeliveryError("chart is not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def email_png(data: bytes) -> bytes:
    """A chart made small for email: at most ``MAX_CHART_WIDTH`` wide, in a 256-colour
    palette (charts are flat colours and anti-aliased lines), or ``data`` itself when that is
    not smaller or the PNG is not RGB (only our charts are re-encoded)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.mode != "RGB":
            return data
        chart: Image.Image = image.copy()
    if chart.width > MAX_CHART_WIDTH:
        height = round(chart.height * MAX_CHART_WIDTH / chart.width)
        chart = chart.resize((MAX_CHART_WIDTH, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    chart.quantize(colors=256, dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    small = out.getvalue()
    return small if len(small) < len(data) else data


class Composer:
    """Builds each subscriber's message of one brief; the charts and PDF are encoded once.
    ``key`` signs the unsubscribe tokens (``unsubscribe.signing_key``)."""

    def __init__(
        self, brief: BriefFiles, config: EmailSettings, web_url: str | None, key: bytes
    ) -> None:
        self.brief = brief
        self.config = config
        self.web_url = web_url
        self.key = key
        images, views = [], []
        domain = parseaddr(config.sender)[1].rpartition("@")[2] or "marketnotes.invalid"
        for chart in brief.note_charts:
            data = email_png(chart.path.read_bytes())
            width, height = png_size(data)
            cid = f"{chart.path.stem}.{brief.brief_id}@{domain}"
            images.append(InlineImage(cid, chart.path.name, data))
            views.append(ChartView(cid, chart.alt, EMAIL_WIDTH, EMAIL_WIDTH * height // width))
        self.charts = tuple(views)
        self.pdf_name = f"market-note-{brief.brief_id}.pdf"
        attached = config.attach == "pdf"
        self.pdf_url = None if attached or web_url is None else web_url + "brief.pdf"
        pdf = brief.pdf.read_bytes() if attached else None
        self.shared: SharedParts = encode_shared(images, pdf, self.pdf_name)
        as_of = pd.Timestamp(brief.as_of)
        self.date = as_of.strftime("%A %-d %B %Y, %H:%M UTC")
        prefix = "[Demo data] " if brief.demo else ""
        self.subject = prefix + brief.headline
        self.list_id = list_id(config.sender)

    def unsubscribe_url(self, address: str) -> str:
        """The one-click unsubscribe URL of ``address``, with its signed token."""
        return self.config.unsubscribe_url.replace("{token}", unsubscribe.token(self.key, address))

    def view(self, address: str) -> EmailView:
        """What the templates show to ``address``."""
        brief = self.brief
        return EmailView(
            headline=brief.headline,
            date=self.date,
            demo=brief.demo,
            preheader=(brief.lede or (brief.headline,))[0],
            lede=brief.lede,
            watch=brief.watch,
            prices=brief.prices,
            charts=self.charts,
            pdf_name=self.pdf_name,
            pdf_attached=self.shared.pdf is not None,
            pdf_url=self.pdf_url,
            web_url=self.web_url,
            address=address,
            unsubscribe_url=self.unsubscribe_url(address),
            postal_address=self.config.postal_address,
        )

    def message_bytes(self, address: str, now: datetime | None = None) -> bytes:
        """The whole message for ``address``, ready for SMTP (CRLF line endings)."""
        from delivery.templates import call

        view = self.view(address)
        mailto = f"mailto:{self.config.unsubscribe_mailto}?subject=unsubscribe"
        envelope = Envelope(
            sender=self.config.sender,
            to=address,
            subject=self.subject,
            message_id=message_id(self.brief.brief_id, address, self.config.sender),
            date=now or datetime.now(UTC),
            unsubscribe=(mailto, view.unsubscribe_url),
            list_id=self.list_id,
        )
        text = call("email.txt", "message", view).strip() + "\n"
        html = inline_css(call("email.html", "message", view).strip() + "\n")
        return message_bytes(envelope, text, html, self.shared)


@dataclass
class SendSummary:
    """What one ``send_brief`` call did for one brief."""

    sent: int = 0
    already_sent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(address, error) of rows marked failed by this run."""
    left: int = 0
    """Rows still pending after this run (the next run retries them)."""
    last_error: str | None = None
    stopped: str | None = None
    """Why sending stopped early (server down, login refused, interrupted), if it did."""
    seconds: float = 0.0


@dataclass
class Pacer:
    """Spaces messages ``1/rate`` seconds apart (rate 0: no limit)."""

    rate: float
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _next: float = 0.0

    def wait(self) -> None:
        """Sleep until the next message may go."""
        if self.rate <= 0:
            return
        now = self.clock()
        if now < self._next:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + 1.0 / self.rate


def send_brief(
    store: Store,
    composer: Composer,
    transport: Transport,
    progress: Callable[[str], None] = lambda _: None,
    stop: Callable[[], str | None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendSummary:
    """Send every pending message of the brief (see the module docstring)."""
    start = time.monotonic()
    config, brief_id = composer.config, composer.brief.brief_id
    sender = parseaddr(config.sender)[1]
    ledger.plan_deliveries(
        store,
        brief_id,
        ((a, message_id(brief_id, a, config.sender)) for a in ledger.active_addresses(store)),
    )
    summary = SendSummary(already_sent=ledger.counts(store, brief_id)["sent"])
    pacer = Pacer(config.rate, sleep)
    todo = ledger.pending(store, brief_id)
    try:
        for number, row in enumerate(todo, start=1):
            summary.stopped = stop()
            if summary.stopped:
                break
            if row.attempts >= config.max_attempts:  # max_attempts lowered since the last run
                _give_up(store, row, row.attempts, row.last_error or "no error recorded", summary)
                continue
            data = composer.message_bytes(row.address)
            summary.stopped = _send_one(
                store, transport, pacer, config, sender, row, data, summary, stop
            )
            if summary.stopped:
                break
            if number % 100 == 0:
                progress(f"{number} of {len(todo)} emails handled")
    finally:
        transport.close()
    summary.left = ledger.counts(store, brief_id)["pending"]
    summary.seconds = time.monotonic() - start
    return summary


def _give_up(
    store: Store, row: ledger.Delivery, tries: int, error: str, summary: SendSummary
) -> None:
    """Mark ``row`` failed for good after ``tries`` attempts, keeping its last error."""
    ledger.record_error(store, row.brief_id, row.address, error, status="failed")
    summary.failed.append((row.address, f"gave up after {tries} attempts: {error}"))


def _pause(seconds: float, stop: Callable[[], str | None], sleep: Callable[[float], None]) -> str:
    """Sleep ``seconds`` in short steps; the reason to stop (and at once) if one comes up."""
    deadline = time.monotonic() + seconds
    while (reason := stop()) is None:
        left = deadline - time.monotonic()
        if left <= 0:
            return ""
        sleep(min(left, 0.1))
    return reason


def _send_one(
    store: Store,
    transport: Transport,
    pacer: Pacer,
    config: EmailSettings,
    sender: str,
    row: ledger.Delivery,
    data: bytes,
    summary: SendSummary,
    stop: Callable[[], str | None],
) -> str | None:
    """Try one message up to ``config.attempts`` times in this run (and ``max_attempts`` over
    all runs); a reason to stop sending, or None."""
    tries = row.attempts
    for attempt in range(config.attempts):
        pacer.wait()
        try:
            transport.send(sender, row.address, data)
        except SendError as exc:
            error = str(exc)
            summary.last_error = f"{row.address}: {error}"
            if exc.kind == "permanent":
                ledger.record_attempt(store, row.brief_id, row.address, "failed", error)
                summary.failed.append((row.address, error))
                return None
            if exc.connecting:  # not offered: the server, not this message, is the problem
                ledger.record_error(store, row.brief_id, row.address, error)
            else:
                tries += 1
                if exc.kind == "transient" and tries >= config.max_attempts:
                    ledger.record_attempt(store, row.brief_id, row.address, "failed", error)
                    summary.failed.append((row.address, f"gave up after {tries} attempts: {error}"))
                    return None
                ledger.record_attempt(store, row.brief_id, row.address, "pending", error)
            if exc.kind == "fatal":
                return error
            if attempt + 1 < config.attempts:
                reason = _pause(config.backoff * 2**attempt, stop, pacer.sleep)
                if reason:
                    return reason
                continue
            return f"the server is unreachable ({error})" if exc.connection else None
        ledger.record_attempt(store, row.brief_id, row.address, "sent", None)
        summary.sent += 1
        return None
    return None


def web_url(config: Settings, brief_id: str) -> str:
    """The brief's page on the blog (the email's "view in browser" link)."""
    site = config.blog.site_url
    return f"{site if site.endswith('/') else site + '/'}posts/{brief_id}/"


@dataclass(frozen=True)
class EmailChannel:
    """The email channel (``[email]``): every active subscriber gets each brief once."""

    config: Settings
    transport: TransportFactory = SmtpTransport
    name: str = "email"
    fresh_only: bool = True

    def publish(self, brief: BriefFiles, run: RunContext) -> ChannelReport:
        """Send what the ledger says is still owed (see the module docstring); nothing without
        the unsubscribe secret (in a dry run too: it reports the same problem)."""
        try:
            key = unsubscribe.signing_key(self.config)
        except InputError as exc:
            return ChannelReport(self.name, "not sent", problems=[f"email: {exc}; nothing sent"])
        url = web_url(self.config, brief.brief_id)
        composer = Composer(brief, self.config.email, url, key)
        if run.dry_run is not None:
            return self._dry_run(brief, composer, run)
        assert run.store is not None, "a real run has a store"
        email = self.config.email
        password = None
        if email.user:
            password = self.config.secret(email.password_env)
            if password is None:
                why = f"email: [email] user is set but ${email.password_env} is empty"
                return ChannelReport(self.name, "not sent", problems=[f"{why}; nothing was sent"])
        transport = self.transport(email, password)
        summary = send_brief(run.store, composer, transport, run.progress, run.stop)
        total = len(ledger.active_addresses(run.store))
        earlier = ledger.counts(run.store, brief.brief_id)["failed"] - len(summary.failed)
        failed_earlier = f" ({earlier} earlier)" if earlier else ""
        report = ChannelReport(
            self.name,
            f"{summary.sent} sent · {len(summary.failed)} failed{failed_earlier} · "
            f"{summary.left} left for the next run · {summary.already_sent} sent earlier "
            f"({total} subscribers, {summary.seconds:.1f} s)",
            details=[f"failed: {a}: {e}" for a, e in summary.failed[:5]],
            figures={
                "sent": summary.sent,
                "failed": len(summary.failed),
                "left": summary.left,
                "seconds": summary.seconds,
            },
        )
        if len(summary.failed) > 5:
            report.details.append(f"... and {len(summary.failed) - 5} more failed")
        if summary.failed:
            address, error = summary.failed[0]
            report.problems.append(
                f"email: {len(summary.failed)} message(s) failed permanently (first: {address}: "
                f"{error}); see generate.py status"
            )
        if summary.stopped or summary.left:
            why = summary.stopped or summary.last_error or "not sent"
            report.problems.append(
                f"email: {summary.left} message(s) not sent ({why}); the next run retries them"
            )
        return report

    def _dry_run(self, brief: BriefFiles, composer: Composer, run: RunContext) -> ChannelReport:
        addresses: list[str] = []
        if run.store is not None:
            sent = {
                d.address.lower()
                for d in ledger.deliveries(run.store, brief.brief_id)
                if d.status != "pending"
            }
            addresses = [a for a in ledger.active_addresses(run.store) if a.lower() not in sent]
        size = sum(len(composer.message_bytes(a)) for a in addresses)
        sample = run.dry_run / "email-sample.eml" if run.dry_run is not None else None
        if sample is not None:  # what a subscriber would get, to open in a mail client
            sample.write_bytes(composer.message_bytes(addresses[0] if addresses else SAMPLE_TO))
        status = f"{len(addresses)} message(s) rendered, {size / 1e6:.1f} MB, none sent (dry run)"
        return ChannelReport(self.name, status)
