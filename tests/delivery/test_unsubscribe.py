"""Signed unsubscribe links: the tokens, the WSGI app on a real wsgiref server on loopback
(GET confirms, RFC 8058 one-click POST unsubscribes, forged tokens change nothing), the
``serve-unsubscribe`` and ``subscribers resubscribe`` commands."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server
from wsgiref.util import setup_testing_defaults

import pytest

import settings
from delivery import ledger, read_brief
from delivery.email import Composer, send_brief
from delivery.smtp import SmtpTransport
from delivery.unsubscribe import UnsubscribeApp, signing_key, token
from devtools.net import free_port
from errors import InputError
from store import open_store
from tests.delivery.conftest import KEY, SECRET_ENV, settings_for
from tests.delivery.smtpd import Server

ROOT = Path(__file__).resolve().parents[2]
ANN, BOB = "ann@example.com", "bob@example.org"


class _Silent(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "store.sqlite"
    store = open_store(path)
    for a in (ANN, BOB):
        ledger.add_subscriber(store, a)
    store.close()
    return path


@pytest.fixture
def base(store_path: Path) -> Iterator[str]:
    """The app on a real wsgiref server on 127.0.0.1; its base URL."""
    app = UnsubscribeApp(store_path, KEY, "Market notes")
    server = make_server("127.0.0.1", 0, app, handler_class=_Silent)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/unsubscribe"
    server.shutdown()
    server.server_close()


def _request(
    url: str, data: bytes | None = None, content_type: str = "", method: str | None = None
) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


ONE_CLICK = b"List-Unsubscribe=One-Click"
FORM = "application/x-www-form-urlencoded"


def _statuses(store_path: Path) -> dict[str, str]:
    store = open_store(store_path)
    try:
        return {s.address: s.status for s in ledger.list_subscribers(store)}
    finally:
        store.close()


def test_tokens_are_per_address_and_key_and_ignore_case() -> None:
    t = token(KEY, ANN)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", t)
    assert token(KEY, "Ann@EXAMPLE.com") == token(KEY, " ann@example.com ") == t
    assert token(KEY, BOB) != t and token(b"another-secret-0123456789", ANN) != t


def test_the_secret_comes_from_the_environment_and_must_be_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = settings.Settings()
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(InputError, match=rf"\${SECRET_ENV} is empty: set it"):
        signing_key(config)
    monkeypatch.setenv(SECRET_ENV, "short")
    with pytest.raises(InputError, match="shorter than 16 characters"):
        signing_key(config)
    monkeypatch.setenv(SECRET_ENV, KEY.decode())
    assert signing_key(config) == KEY


@pytest.mark.parametrize(
    "url",
    ["https://example.com/u?address={address}", "https://example.com/u?a={address}&t={token}"],
)
def test_an_unsubscribe_url_without_a_token_or_with_the_address_is_refused(url: str) -> None:
    with pytest.raises(InputError, match=r"put \{token\} in it"):
        settings.EmailSettings(unsubscribe_url=url)


def test_get_asks_to_confirm_and_unsubscribes_no_one(base: str, store_path: Path) -> None:
    code, page = _request(f"{base}?token={token(KEY, ANN)}")
    assert code == 200 and "Unsubscribe from Market notes?" in page and ANN in page
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    assert form is not None and form.group(1) == f"?token={token(KEY, ANN)}"
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in form.group(2)
    assert _statuses(store_path) == {ANN: "active", BOB: "active"}


def test_a_one_click_post_unsubscribes_that_subscriber_only(base: str, store_path: Path) -> None:
    url = f"{base}?token={token(KEY, ANN)}"
    code, page = _request(url, ONE_CLICK, FORM)
    assert code == 200 and "You are unsubscribed" in page
    assert _statuses(store_path) == {ANN: "unsubscribed", BOB: "active"}
    assert _request(url, ONE_CLICK, FORM)[0] == 200  # again: harmless
    code, page = _request(url)
    assert code == 200 and "Already unsubscribed" in page and "<form" not in page


def test_the_confirmation_form_and_multipart_posts_unsubscribe(base: str, store_path: Path) -> None:
    # the form as a browser posts it: the token in the action's query, the hidden field
    _, page = _request(f"{base}?token={token(KEY, ANN)}")
    action = re.search(r'action="([^"]+)"', page)
    assert action is not None
    target = urllib.parse.urljoin(base, action.group(1))
    assert _request(target, ONE_CLICK, FORM)[0] == 200
    # multipart/form-data, as RFC 8058 recommends, with the token in the body
    boundary = "b0undary"
    fields = {"List-Unsubscribe": "One-Click", "token": token(KEY, BOB)}
    body = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    )
    data = (body + f"--{boundary}--\r\n").encode()
    code, _ = _request(base, data, f"multipart/form-data; boundary={boundary}")
    assert code == 200
    assert _statuses(store_path) == {ANN: "unsubscribed", BOB: "unsubscribed"}


def test_forged_and_tampered_tokens_are_refused_and_change_nothing(
    base: str, store_path: Path
) -> None:
    real = token(KEY, ANN)
    tampered = real[:-1] + ("A" if real[-1] != "A" else "B")
    forged = [
        tampered,
        token(b"guessed-secret-0123456789", ANN),  # signed with another key
        token(KEY, "eve@example.com"),  # a valid signature, but no such subscriber
        urllib.parse.quote(ANN),  # the old scheme: the raw address
    ]
    for value in forged:
        url = f"{base}?token={value}"
        code, page = _request(url, ONE_CLICK, FORM)
        assert code == 403 and "not valid" in page, (value, code)
        assert _request(url)[0] == 403
    assert _statuses(store_path) == {ANN: "active", BOB: "active"}


def test_requests_without_a_token_or_the_one_click_field_are_bad(
    base: str, store_path: Path
) -> None:
    assert _request(base)[0] == 400
    assert _request(base, ONE_CLICK, FORM)[0] == 400
    url = f"{base}?token={token(KEY, ANN)}"
    assert _request(url, b"List-Unsubscribe=Yes", FORM)[0] == 400
    assert _request(url, b"", FORM)[0] == 400
    assert _request(url, b"x", FORM, method="PUT")[0] == 405
    assert _request(url, b"List-Unsubscribe=One-Click&" + b"x" * 20_000, FORM)[0] == 413
    assert _statuses(store_path) == {ANN: "active", BOB: "active"}


def test_a_garbled_content_length_is_an_empty_body(store_path: Path) -> None:
    """The app called directly with a real environ: ``Content-Length: abc`` reads nothing."""
    environ: dict[str, object] = {}
    setup_testing_defaults(environ)
    body = io.BytesIO(ONE_CLICK)
    environ.update(
        REQUEST_METHOD="POST",
        QUERY_STRING=f"token={token(KEY, ANN)}",
        CONTENT_TYPE=FORM,
        CONTENT_LENGTH="abc",
        **{"wsgi.input": body},
    )
    answers: list[str] = []
    app = UnsubscribeApp(store_path, KEY, "Market notes")
    page = b"".join(app(environ, lambda status, headers: answers.append(status)))
    assert answers == ["400 Bad Request"] and b"incomplete" in page and body.tell() == 0
    assert _statuses(store_path)[ANN] == "active"


def test_a_new_subscriber_s_token_works_without_restarting_the_app(
    base: str, store_path: Path
) -> None:
    assert _request(f"{base}?token={token(KEY, ANN)}")[0] == 200  # the index is built
    store = open_store(store_path)
    ledger.add_subscriber(store, "cy@example.net")
    store.close()
    code, _ = _request(f"{base}?token={token(KEY, 'cy@example.net')}", ONE_CLICK, FORM)
    assert code == 200 and _statuses(store_path)["cy@example.net"] == "unsubscribed"


def test_the_link_in_a_sent_message_unsubscribes_its_recipient(
    tmp_path: Path, brief_dir: Path, smtp: Server
) -> None:
    config = settings_for(tmp_path, smtp.port)
    store = open_store(config.store.path)
    for a in (ANN, BOB):
        ledger.add_subscriber(store, a)
    composer = Composer(read_brief(brief_dir), config.email, None, KEY)
    send_brief(store, composer, SmtpTransport(config.email, None))
    store.close()
    msg = next(r.message() for r in smtp.handler.received if r.rcpt == [BOB])
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https = re.findall(r"<(https://[^>]+)>", msg["List-Unsubscribe"])
    body = msg.get_body(("html",))
    assert body is not None and len(https) == 1 and https[0] in body.get_content()
    link = urllib.parse.urlsplit(https[0])
    app = UnsubscribeApp(config.store.path, KEY, "Market notes")
    server = make_server("127.0.0.1", 0, app, handler_class=_Silent)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        local = f"http://127.0.0.1:{server.server_port}{link.path}?{link.query}"
        assert _request(local, ONE_CLICK, FORM)[0] == 200  # what a mailbox provider sends
    finally:
        server.shutdown()
        server.server_close()
    assert _statuses(config.store.path) == {ANN: "active", BOB: "unsubscribed"}


def test_resubscribe_makes_an_unsubscribed_address_active_again(store_path: Path) -> None:
    store = open_store(store_path)
    try:
        ledger.remove_subscriber(store, ANN)
        assert ledger.resubscribe(store, "ann@EXAMPLE.com") == ANN
        assert ANN in ledger.active_addresses(store)
        with pytest.raises(InputError, match="already subscribed"):
            ledger.resubscribe(store, ANN)
        with pytest.raises(InputError, match="not in the list"):
            ledger.resubscribe(store, "nobody@example.com")
    finally:
        store.close()


# --- the commands -----------------------------------------------------------------------------


def _config(tmp_path: Path, store_path: Path) -> Path:
    path = tmp_path / "marketnotes.toml"
    path.write_text(f'[store]\npath = "{store_path}"\n')
    return path


def _generate(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """``generate.py ARGS`` with ``env`` over this environment (an empty value unsets)."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "generate.py"), *args],
        cwd=ROOT,
        env={k: v for k, v in {**os.environ, **env}.items() if v},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_serve_unsubscribe_serves_the_links_until_stopped(tmp_path: Path, store_path: Path) -> None:
    port = free_port()
    config = _config(tmp_path, store_path)
    args = ("serve-unsubscribe", "--config", str(config), "--port", str(port))
    proc = _generate(*args, env={SECRET_ENV: KEY.decode()})
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == f"serving unsubscribe links on http://127.0.0.1:{port}/\n", line
        url = f"http://127.0.0.1:{port}/unsubscribe?token={token(KEY, BOB)}"
        assert _request(url, ONE_CLICK, FORM)[0] == 200
    finally:
        proc.terminate()  # SIGTERM: finish the request in flight, then stop
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert _statuses(store_path) == {ANN: "active", BOB: "unsubscribed"}
    assert "POST /unsubscribe 200" in err and token(KEY, BOB) not in err  # no token in the log


def test_serve_unsubscribe_without_the_secret_says_what_to_set(
    tmp_path: Path, store_path: Path
) -> None:
    config = str(_config(tmp_path, store_path))
    proc = _generate("serve-unsubscribe", "--config", config, env={SECRET_ENV: ""})  # unset
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out) == (2, "")
    assert err.startswith(f"error: ${SECRET_ENV} is empty: set it") and err.count("\n") == 1


def test_subscribers_resubscribe_command(tmp_path: Path, store_path: Path) -> None:
    config = str(_config(tmp_path, store_path))
    env = {SECRET_ENV: ""}
    proc = _generate("subscribers", "--config", config, "remove", ANN, env=env)
    assert proc.communicate(timeout=60)[0] == f"unsubscribed {ANN}\n"
    proc = _generate("subscribers", "--config", config, "resubscribe", ANN, env=env)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out) == (0, f"resubscribed {ANN}\n"), err
    assert _statuses(store_path)[ANN] == "active"
    proc = _generate("subscribers", "--config", config, "resubscribe", ANN, env=env)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and err == f"error: {ANN} is already subscribed\n"
