"""Building the email of one brief for one subscriber (the standard library's ``email``).

Structure::

    multipart/mixed                  (only with the PDF attached: [email] attach = "pdf")
    ├── multipart/alternative
    │   ├── text/plain
    │   └── multipart/related
    │       ├── text/html            (charts as <img src="cid:...">)
    │       └── image/png ...        (Content-ID, inline)
    └── application/pdf              (attachment)

The PNG and PDF parts are encoded and serialized once per brief (``SharedParts``): each
message is built with a short placeholder body in their place, and the serialized bodies are
spliced in after flattening, so a message costs only its small text parts and its headers
(the standard generator would otherwise re-write a megabyte of base64 per subscriber).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, parseaddr
from typing import cast


class _Policy(policy.EmailPolicy):
    """``policy.SMTP``, except that an ASCII header the standard folder would break right
    after its name (it does for values of about 70-77 characters, so that parsers read a
    leading space into the value) is folded between words instead."""

    def fold(self, name: str, value: str) -> str:
        return self._after_name(name, value, super().fold(name, value))

    def fold_binary(self, name: str, value: str) -> bytes:
        folded = super().fold_binary(name, value)
        fixed = self._after_name(name, value, folded.decode("ascii", "replace"))
        return fixed.encode("ascii") if fixed.isascii() else folded

    def _after_name(self, name: str, value: str, folded: str) -> str:
        text = str(value)
        if not folded.startswith(f"{name}:{self.linesep} ") or not text.isascii():
            return folded
        lines = [f"{name}:"]
        for word in text.split():
            if (
                len(lines[-1]) + 1 + len(word) > (self.max_line_length or 78)
                and lines[-1] != f"{name}:"
            ):
                lines.append("")
            lines[-1] += " " + word
        return self.linesep.join(lines) + self.linesep


POLICY = _Policy(linesep="\r\n")
"""CRLF line endings, headers folded as SMTP expects (``policy.SMTP``), never right after a
header's name."""


@dataclass(frozen=True)
class InlineImage:
    """A PNG shown in the HTML body, referenced there as ``cid:<cid>``."""

    cid: str
    filename: str
    data: bytes


@dataclass(frozen=True)
class SharedParts:
    """The parts every subscriber's message of one brief shares: each one's headers with a
    placeholder body, and the serialized bodies that replace the placeholders."""

    images: tuple[MIMEPart, ...]
    pdf: MIMEPart | None
    """The PDF attachment; None when the message links to the PDF instead."""
    bodies: dict[bytes, bytes]
    """Placeholder -> the part's base64 body, CRLF line endings."""

    def splice(self, flat: bytes) -> bytes:
        """A flattened message with the placeholders replaced by the real bodies."""
        for token, body in self.bodies.items():
            flat = flat.replace(token, body, 1)
        return flat


def _part(data: bytes, maintype: str, subtype: str, **kw: str) -> MIMEPart:
    part = MIMEPart(policy=POLICY)
    part.set_content(data, maintype, subtype, **kw)  # type: ignore[arg-type]
    return part


def _placeholder(part: MIMEPart, bodies: dict[bytes, bytes]) -> MIMEPart:
    """``part`` with its body moved to ``bodies`` under a unique token."""
    body = part.as_bytes().split(b"\r\n\r\n", 1)[1].rstrip(b"\r\n")
    token = f"MARKETNOTES-SHARED-{uuid.uuid4().hex}".encode()
    part.set_payload(token.decode())
    bodies[token] = body
    return part


def shared_parts(images: Sequence[InlineImage], pdf: bytes | None, pdf_name: str) -> SharedParts:
    """Encode the inline images and the PDF attachment (if any) once."""
    bodies: dict[bytes, bytes] = {}
    parts = []
    for image in images:
        part = _part(image.data, "image", "png", disposition="inline", filename=image.filename)
        part["Content-ID"] = f"<{image.cid}>"
        parts.append(_placeholder(part, bodies))
    if pdf is None:
        return SharedParts(tuple(parts), None, bodies)
    attachment = _part(pdf, "application", "pdf", disposition="attachment", filename=pdf_name)
    return SharedParts(tuple(parts), _placeholder(attachment, bodies), bodies)


def list_id(sender: str) -> str:
    """The List-Id of the notes sent as ``sender``: its display name and
    ``<local-part>.<domain>`` (``Market notes <notes.example.com>``)."""
    name, address = parseaddr(sender)
    local, _, domain = address.rpartition("@")
    label = re.sub(r"[^A-Za-z0-9-]+", "-", local).strip("-") or "notes"
    phrase = re.sub(r'[<>"\\]', "", name).strip()
    ident = f"<{label}.{domain.lower() or 'marketnotes.invalid'}>"
    return f"{phrase} {ident}" if phrase else ident


def message_id(brief_id: str, address: str, sender: str) -> str:
    """A Message-ID fixed by brief and address, so a resend after a crash is recognisably the
    same message: ``<2026-11-23.3f2a...@example.com>``."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "marketnotes.invalid"
    digest = hashlib.sha256(f"{brief_id}\0{address.lower()}".encode()).hexdigest()[:20]
    return f"<{brief_id}.{digest}@{domain}>"


@dataclass(frozen=True)
class Envelope:
    """The headers of one message."""

    sender: str
    to: str
    subject: str
    message_id: str
    date: datetime
    unsubscribe: tuple[str, ...]
    """List-Unsubscribe URIs (``mailto:...``, ``https://...``); with an https one, the message
    also gets ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058)."""
    list_id: str = ""
    """The List-Id header (RFC 2919: ``Market notes <notes.example.com>``); empty: none."""


def build_message(envelope: Envelope, text: str, html: str, shared: SharedParts) -> EmailMessage:
    """One subscriber's message: text and HTML alternatives, inline charts, the PDF if
    attached (still as placeholders: flatten it with ``message_bytes``)."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = envelope.sender
    msg["To"] = Address(addr_spec=envelope.to)
    msg["Subject"] = envelope.subject
    msg["Date"] = format_datetime(envelope.date)
    msg["Message-ID"] = envelope.message_id
    if envelope.list_id:
        msg["List-Id"] = envelope.list_id
    if envelope.unsubscribe:
        msg["List-Unsubscribe"] = ", ".join(f"<{u}>" for u in envelope.unsubscribe)
        if any(u.startswith("https:") for u in envelope.unsubscribe):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    html_part = cast(MIMEPart, msg.get_payload()[1])  # type: ignore[index]
    if shared.images:
        html_part.make_related()
        for image in shared.images:
            html_part.attach(cast(EmailMessage, image))
    if shared.pdf is not None:
        msg.make_mixed()
        msg.attach(cast(EmailMessage, shared.pdf))
    return msg


def message_bytes(envelope: Envelope, text: str, html: str, shared: SharedParts) -> bytes:
    """The message of ``build_message``, flattened for SMTP with the shared bodies in place."""
    return shared.splice(build_message(envelope, text, html, shared).as_bytes())
