"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the tests, with switchable misbehaviour,
optionally over TLS (implicit ``ssl`` or ``starttls``) and with a login."""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from devtools.net import free_port
from tests.delivery.certs import CertFiles


@dataclass
class Received:
    sender: str
    rcpt: list[str]
    data: bytes
    tls: bool = False
    """Whether the message came over TLS."""
    login: str | None = None

    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class Handler:
    """Records accepted messages; ``reject``: address -> reply; ``drop_before``: message counts
    at which the connection is dropped instead of answering DATA; ``hold``: block DATA when
    this many messages have been received, until ``release`` is set (then answer 451);
    ``delay``: seconds each DATA takes before it is answered (a slow server)."""

    received: list[Received] = field(default_factory=list)
    reject: dict[str, str] = field(default_factory=dict)
    transient: dict[str, int] = field(default_factory=dict)
    drop_before: set[int] = field(default_factory=set)
    delay: float = 0.0
    hold_at: int | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.reject:
            return self.reject[address]
        with self.lock:
            if self.transient.get(address, 0) > 0:
                self.transient[address] -= 1
                return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            count = len(self.received)
            if count in self.drop_before:
                self.drop_before.discard(count)
                server.transport.close()
                return "421 closing"
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold_at is not None and count >= self.hold_at:
            self.holding.set()
            while not self.release.wait(0.05):
                pass
            return "451 held"
        with self.lock:
            tls = server.transport.get_extra_info("ssl_object") is not None
            login = session.auth_data.login.decode() if session.authenticated else None
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    bytes(envelope.content),
                    tls,
                    login,
                )
            )
        return "250 Message accepted"

    def by_recipient(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.received:
            for a in r.rcpt:
                out[a] = out.get(a, 0) + 1
        return out


class Server:
    """aiosmtpd on 127.0.0.1:<port> (a free one by default), started and stopped by the fixture.

    ``security``: ``none``, ``ssl`` (TLS from the start) or ``starttls`` (required before MAIL),
    both with ``cert``; ``users``: login -> password, then a login is required.
    """

    def __init__(
        self,
        security: str = "none",
        cert: CertFiles | None = None,
        users: dict[str, str] | None = None,
        port: int | None = None,
    ) -> None:
        self.handler = Handler()
        self.port = port or free_port()
        self.users = users or {}
        kwargs: dict[str, Any] = {}
        if security != "none":
            assert cert is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert.cert, cert.key)
            if security == "ssl":
                # aiosmtpd counts only STARTTLS as TLS (and then warns when a login is required):
                # the whole session is TLS here; ``Received.login`` shows who logged in
                kwargs.update(ssl_context=context, auth_require_tls=False)
            else:
                kwargs.update(tls_context=context, require_starttls=True)
        if self.users:
            kwargs.update(authenticator=self._authenticate, auth_required=security != "ssl")
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (
            self.users.get(data.login.decode()) == data.password.decode()
        )
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    def __enter__(self) -> Server:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.handler.release.set()
        self.controller.stop()


def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.02)
