"""The one module that talks SMTP (``smtplib``): one connection reused for many messages.

Every failure becomes a :class:`SendError` that says what the caller should do: retry later
(``transient``: a 4xx answer, a refused or dropped connection, a timeout), give up on this one
address (``permanent``: a 5xx answer to its RCPT or DATA), or stop sending altogether
(``fatal``: the login, the sender address or the server's certificate is refused, so every
message would fail). Error texts carry the server's answer, never the password: any text that
contains it (or its base64 form, as AUTH LOGIN sends it) has it replaced by ``***``.

TLS (``ssl``, ``starttls``) always verifies the server's certificate and host name, against the
system's trusted authorities or, with ``ca_file``, against the certificates of that file only
(a private authority or a self-signed server certificate); there is no switch to turn
verification off.
"""

from __future__ import annotations

import base64
import contextlib
import smtplib
import ssl
from typing import Literal, Protocol

from settings import EmailSettings

Kind = Literal["transient", "permanent", "fatal"]


class SendError(Exception):
    """A message was not accepted; ``kind`` says whether to retry, skip or stop."""

    def __init__(
        self, kind: Kind, message: str, connection: bool = False, connecting: bool = False
    ) -> None:
        super().__init__(message)
        self.kind: Kind = kind
        self.connection = connection
        """True when no server answered (refused, dropped, timed out) rather than a 4xx."""
        self.connecting = connecting
        """True when it failed before the message was offered (connecting, TLS, login): the
        message itself was not tried, so the attempt does not count against it."""


class Transport(Protocol):
    """What the sender needs from a mail transport (tests may pass a fake)."""

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        """Hand one message to the server, or raise ``SendError``."""

    def close(self) -> None:
        """End the session, if any."""


def _answer(code: int, text: bytes | str) -> str:
    body = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(body.split())}"


def scrub(text: str, secret: str | None) -> str:
    """``text`` with ``secret`` (as is, and base64-encoded as AUTH LOGIN sends it) replaced
    by ``***``."""
    if not secret:
        return text
    forms = {secret, base64.b64encode(secret.encode()).decode()}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def _kind(code: int) -> Kind:
    return "permanent" if code >= 500 else "transient"


class SmtpTransport:
    """SMTP over a connection opened on first use and reopened after it drops."""

    def __init__(self, config: EmailSettings, password: str | None) -> None:
        self.config = config
        self._password = password
        self._smtp: smtplib.SMTP | None = None
        self._context: ssl.SSLContext | None = None

    def _where(self) -> str:
        return f"SMTP {self.config.smtp_host}:{self.config.smtp_port}"

    def _error(self, kind: Kind, message: str, connection: bool = False) -> SendError:
        """A ``SendError`` whose text cannot show the password."""
        return SendError(kind, scrub(message, self._password), connection)

    def _tls(self) -> ssl.SSLContext:
        """The verifying TLS context: the system's authorities, or those of ``ca_file``."""
        if self._context is None:
            ca_file = self.config.ca_file or None
            try:
                self._context = ssl.create_default_context(cafile=ca_file)
            except (OSError, ssl.SSLError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                raise SendError(
                    "fatal", f"[email] ca_file {ca_file}: {reason}", connecting=True
                ) from None
        return self._context

    def _connect(self) -> smtplib.SMTP:
        try:
            return self._open()
        except SendError as exc:
            exc.connecting = True
            raise

    def _open(self) -> smtplib.SMTP:
        c = self.config
        context = self._tls() if c.security != "none" else None
        smtp: smtplib.SMTP | None = None
        try:
            if c.security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    c.smtp_host, c.smtp_port, timeout=c.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(c.smtp_host, c.smtp_port, timeout=c.timeout)
                if context is not None:
                    smtp.starttls(context=context)
            if c.user:
                smtp.login(c.user, self._password or "")
            return smtp
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError) as exc:
            self._close_quietly(smtp)
            raise self._error("fatal", f"{self._where()}: login refused ({exc})") from None
        except ssl.SSLCertVerificationError as exc:
            self._close_quietly(smtp)
            hint = "" if c.ca_file else " (a private or self-signed certificate: see ca_file)"
            raise self._error(
                "fatal", f"{self._where()}: TLS certificate refused: {exc.verify_message}{hint}"
            ) from None
        except smtplib.SMTPResponseException as exc:
            self._close_quietly(smtp)
            answer = _answer(exc.smtp_code, exc.smtp_error)
            raise self._error("transient", f"{self._where()}: {answer}", True) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._close_quietly(smtp)
            reason = str(exc) or type(exc).__name__
            raise self._error("transient", f"{self._where()}: {reason}", True) from None

    @staticmethod
    def _close_quietly(smtp: smtplib.SMTP | None) -> None:
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        """Send one message to one recipient (see the module docstring for the errors)."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise self._error(_kind(code), _answer(code, text)) from None
        except smtplib.SMTPSenderRefused as exc:
            kind: Kind = "fatal" if exc.smtp_code >= 500 else "transient"
            answer = _answer(exc.smtp_code, exc.smtp_error)
            raise self._error(kind, f"sender refused: {answer}") from None
        except smtplib.SMTPResponseException as exc:
            answer = _answer(exc.smtp_code, exc.smtp_error)
            if exc.smtp_code in (421, -1):
                self._drop()
                raise self._error("transient", answer, True) from None
            raise self._error(_kind(exc.smtp_code), answer) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            reason = str(exc) or type(exc).__name__
            raise self._error("transient", f"{self._where()}: {reason}", True) from None

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        self._close_quietly(smtp)

    def close(self) -> None:
        """QUIT, if connected."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
