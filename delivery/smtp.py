"""The one module that talks SMTP (``smtplib``): one connection reused for many messages.

Every failure becomes a :class:`SendError` that says what the caller should do: retry later
(``transient``: a 4xx answer, a refused or dropped connection, a timeout), give up on this one
address (``permanent``: a 5xx answer to its RCPT or DATA), or stop sending altogether
(``fatal``: the login or the sender address is refused, so every message would fail). Error
texts carry the server's answer, never the password.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from typing import Literal, Protocol

from settings import EmailSettings

Kind = Literal["transient", "permanent", "fatal"]


class SendError(Exception):
    """A message was not accepted; ``kind`` says whether to retry, skip or stop."""

    def __init__(self, kind: Kind, message: str, connection: bool = False) -> None:
        super().__init__(message)
        self.kind: Kind = kind
        self.connection = connection
        """True when no server answered (refused, dropped, timed out) rather than a 4xx."""


class Transport(Protocol):
    """What the sender needs from a mail transport (tests may pass a fake)."""

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        """Hand one message to the server, or raise ``SendError``."""

    def close(self) -> None:
        """End the session, if any."""


def _answer(code: int, text: bytes | str) -> str:
    body = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(body.split())}"


def _kind(code: int) -> Kind:
    return "permanent" if code >= 500 else "transient"


class SmtpTransport:
    """SMTP over a connection opened on first use and reopened after it drops."""

    def __init__(self, config: EmailSettings, password: str | None) -> None:
        self.config = config
        self._password = password
        self._smtp: smtplib.SMTP | None = None

    def _where(self) -> str:
        return f"SMTP {self.config.smtp_host}:{self.config.smtp_port}"

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        smtp: smtplib.SMTP | None = None
        try:
            if c.security == "ssl":
                context = ssl.create_default_context()
                smtp = smtplib.SMTP_SSL(
                    c.smtp_host, c.smtp_port, timeout=c.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(c.smtp_host, c.smtp_port, timeout=c.timeout)
                if c.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if c.user:
                smtp.login(c.user, self._password or "")
            return smtp
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError) as exc:
            self._close_quietly(smtp)
            raise SendError("fatal", f"{self._where()}: login refused ({exc})") from None
        except smtplib.SMTPResponseException as exc:
            self._close_quietly(smtp)
            answer = _answer(exc.smtp_code, exc.smtp_error)
            raise SendError("transient", f"{self._where()}: {answer}", True) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._close_quietly(smtp)
            reason = str(exc) or type(exc).__name__
            raise SendError("transient", f"{self._where()}: {reason}", True) from None

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
            raise SendError(_kind(code), _answer(code, text)) from None
        except smtplib.SMTPSenderRefused as exc:
            kind: Kind = "fatal" if exc.smtp_code >= 500 else "transient"
            answer = _answer(exc.smtp_code, exc.smtp_error)
            raise SendError(kind, f"sender refused: {answer}") from None
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code in (421, -1):
                self._drop()
                raise SendError("transient", _answer(exc.smtp_code, exc.smtp_error), True) from None
            raise SendError(_kind(exc.smtp_code), _answer(exc.smtp_code, exc.smtp_error)) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            reason = str(exc) or type(exc).__name__
            raise SendError("transient", f"{self._where()}: {reason}", True) from None

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
