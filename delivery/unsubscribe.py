"""Unsubscribe links that only their subscriber can use, and the small web app that honours
them (RFC 8058 one-click, plus a confirmation page for people).

Each subscriber's token is HMAC-SHA256, keyed with the secret held by the environment variable
``[email] unsubscribe_secret_env``, over the normalised, lower-cased address (the store treats
case variants as one subscriber), in unpadded base64url: 43 characters that name nobody and
cannot be made without the secret. There is no fallback secret: without one, the email channel
sends nothing and ``serve-unsubscribe`` does not start (one line says what to set), so a link in
a sent message never stops working because a secret was generated somewhere and lost.

The app (``UnsubscribeApp``, WSGI; ``serve`` runs it on ``wsgiref`` for a web server to proxy):

- ``GET ?token=T``: a page that asks to confirm, with a POST button; a GET never unsubscribes
  (mail scanners and link previews follow links).
- ``POST ?token=T`` (or ``token`` in the form) with ``List-Unsubscribe=One-Click`` in the body
  (``application/x-www-form-urlencoded`` or ``multipart/form-data``, as RFC 8058 allows; the
  confirmation form sends the same field): marks the subscriber unsubscribed in the store;
  repeating it is harmless.
- A missing token or a POST without the field: 400; a token that is not any subscriber's
  (forged, tampered, or for an address no longer in the store): 403. Neither changes anything.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from delivery import ledger
from delivery.templates import call
from errors import InputError
from settings import Settings
from store import Store, open_store

MIN_SECRET = 16
"""Shortest secret accepted (characters)."""
MAX_BODY = 16_384
"""Largest POST body read (bytes); a longer one is refused with 413."""
ONE_CLICK = ("List-Unsubscribe", "One-Click")
"""The form field (name, value) of an unsubscribe POST (RFC 8058)."""

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def signing_key(config: Settings) -> bytes:
    """The unsubscribe secret from ``$[email] unsubscribe_secret_env``; ``InputError`` saying
    what to set when it is unset or too short."""
    name = config.email.unsubscribe_secret_env
    secret = config.secret(name)
    if secret is None:
        raise InputError(
            f"${name} is empty: set it to a random secret (e.g. `openssl rand -hex 32`) that "
            "signs the unsubscribe links ([email] unsubscribe_secret_env)"
        )
    if len(secret) < MIN_SECRET:
        raise InputError(f"${name} is shorter than {MIN_SECRET} characters")
    return secret.encode()


def token(key: bytes, address: str) -> str:
    """The unsubscribe token of ``address`` (any case) under ``key``."""
    normal = ledger.normalize_address(address).lower()
    digest = hmac.new(key, b"unsubscribe\0" + normal.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class TokenIndex:
    """Token -> address of every subscriber in the store (active or not); rebuilt only when
    the store holds more subscribers than when it was built (rows are never deleted), so a
    forged token costs one ``COUNT``, not a token per subscriber."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._seen = -1
        self._addresses: dict[str, str] = {}

    def address(self, store: Store, value: str) -> str | None:
        """The subscriber whose token is ``value``, or None."""
        if value not in self._addresses:
            count = store.conn.execute("SELECT COUNT(*) FROM subscribers").fetchone()[0]
            if count != self._seen:
                rows = ledger.list_subscribers(store)
                self._addresses = {token(self.key, s.address): s.address for s in rows}
                self._seen = count
        return self._addresses.get(value)


@dataclass(frozen=True)
class Page:
    """What templates/unsubscribe.html shows."""

    state: str
    """``confirm`` (asks, with the button), ``done``, ``already`` (unsubscribed before),
    ``invalid`` (a token that is no subscriber's) or ``missing`` (no token, or a POST without
    ``List-Unsubscribe=One-Click``)."""
    list_name: str
    address: str = ""
    token: str = ""


STATUS = {
    "confirm": "200 OK",
    "done": "200 OK",
    "already": "200 OK",
    "invalid": "403 Forbidden",
    "missing": "400 Bad Request",
}
CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
"""The pages load nothing and post only to this app."""
HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    ),
]


def form_fields(content_type: str, body: bytes) -> dict[str, str]:
    """The fields of a POST body (``application/x-www-form-urlencoded`` or
    ``multipart/form-data``), first value of each."""
    if content_type.lower().startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
        message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
        fields: dict[str, str] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields.setdefault(name, payload.decode("utf-8", "replace").strip())
        return fields
    query = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in query.items()}


class UnsubscribeApp:
    """The WSGI app of the unsubscribe links (see the module docstring)."""

    def __init__(self, store_path: Path, key: bytes, list_name: str) -> None:
        self.store_path = store_path
        self.index = TokenIndex(key)
        self.list_name = list_name

    @classmethod
    def from_settings(cls, config: Settings) -> UnsubscribeApp:
        """The app over ``[store] path`` with the secret of ``[email]``; ``InputError``
        without the secret."""
        name = parseaddr(config.email.sender)[0] or config.blog.title
        return cls(config.store.path, signing_key(config), name)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "POST"):
            start_response("405 Method Not Allowed", [("Allow", "GET, POST")])
            return [b"GET or POST only\n"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        fields: dict[str, str] = {}
        if method == "POST":
            raw = str(environ.get("CONTENT_LENGTH") or "0")
            length = int(raw) if raw.isdigit() else 0
            if length > MAX_BODY:
                start_response("413 Content Too Large", [("Content-Type", "text/plain")])
                return [b"request body too large\n"]
            body = environ["wsgi.input"].read(length) if length > 0 else b""
            fields = form_fields(environ.get("CONTENT_TYPE", ""), body)
        page = self.handle(method, query.get("token") or fields.get("token", ""), fields)
        start_response(STATUS[page.state], list(HEADERS))
        return [call("unsubscribe.html", "page", page).encode()]

    def handle(self, method: str, value: str, fields: dict[str, str]) -> Page:
        """What a request with token ``value`` (and POST ``fields``) does and shows."""
        one_click = fields.get(ONE_CLICK[0]) == ONE_CLICK[1]
        if not value or (method == "POST" and not one_click):
            return Page("missing", self.list_name)
        store = open_store(self.store_path)
        try:
            address = self.index.address(store, value)
            if address is None:
                return Page("invalid", self.list_name)
            if method == "GET":
                row = store.conn.execute(
                    "SELECT status FROM subscribers WHERE address = ?", (address,)
                ).fetchone()
                state = "confirm" if row[0] == "active" else "already"
                return Page(state, self.list_name, address, value)
            with contextlib.suppress(InputError):  # already unsubscribed: nothing to do
                ledger.remove_subscriber(store, address)
            return Page("done", self.list_name, address)
        finally:
            store.close()


class _QuietHandler(WSGIRequestHandler):
    """Logs method, path and status, never the query string (it holds the token)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = self.path.split("?", 1)[0]
        sys.stderr.write(f"{self.log_date_time_string()} {self.command} {path} {code}\n")


def serve(app: UnsubscribeApp, host: str, port: int, ready: Callable[[str], None]) -> None:
    """Serve ``app`` on ``host:port`` with ``wsgiref`` until SIGTERM or Ctrl-C, then finish the
    request in flight and return; ``ready`` gets the address once it listens."""
    with make_server(host, port, app, handler_class=_QuietHandler) as server:
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        worker = threading.Thread(target=server.serve_forever, name="unsubscribe")
        worker.start()
        ready(f"http://{host}:{server.server_port}/")
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
            worker.join()
            signal.signal(signal.SIGTERM, previous)
