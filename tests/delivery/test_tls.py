"""SMTP over TLS (``ssl`` and ``starttls``) against aiosmtpd with a self-signed certificate made
in the test, trusted through ``[email] ca_file``; login with the password from the environment
variable named by ``password_env``. Verification is never off: an untrusted certificate or a
wrong host name stops the run with nothing sent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from delivery import ledger, read_brief
from delivery.email import Composer, SendSummary, send_brief
from delivery.smtp import SmtpTransport, scrub
from store import Store, open_store
from tests.delivery.certs import CertFiles, self_signed
from tests.delivery.conftest import KEY, settings_for
from tests.delivery.smtpd import Server

ADDRESSES = ["ann@example.com", "bob@example.org"]
PASSWORD = "pw-Zq8#tls-only"
ENV = "MARKETNOTES_TEST_SMTP_PASSWORD"


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> CertFiles:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(params=["ssl", "starttls"])
def tls_server(request: pytest.FixtureRequest, cert: CertFiles) -> Iterator[Server]:
    with Server(request.param, cert, users={"notes": PASSWORD}) as server:
        server.security = request.param  # type: ignore[attr-defined]
        yield server


def _send(
    tmp_path: Path, brief_dir: Path, server: Server, **email: Any
) -> tuple[Store, SendSummary]:
    config = settings_for(tmp_path, server.port)
    security = server.security  # type: ignore[attr-defined]
    config = replace(
        config,
        email=replace(config.email, security=security, user="notes", password_env=ENV, **email),
    )
    store = open_store(config.store.path)
    for a in ADDRESSES:
        ledger.add_subscriber(store, a)
    composer = Composer(read_brief(brief_dir), config.email, None, KEY)
    password = config.secret(config.email.password_env)  # as the email channel reads it
    return store, send_brief(store, composer, SmtpTransport(config.email, password))


def test_login_over_tls_trusting_the_self_signed_certificate(
    tmp_path, brief_dir, tls_server: Server, cert: CertFiles, monkeypatch
) -> None:
    monkeypatch.setenv(ENV, PASSWORD)
    store, summary = _send(tmp_path, brief_dir, tls_server, ca_file=str(cert.cert))
    assert (summary.sent, summary.left, summary.stopped) == (2, 0, None)
    received = tls_server.handler.received
    assert [(r.rcpt, r.tls, r.login) for r in received] == [([a], True, "notes") for a in ADDRESSES]
    assert [r.status for r in ledger.deliveries(store, "2026-11-23")] == ["sent", "sent"]


def test_an_untrusted_certificate_stops_the_run_and_sends_nothing(
    tmp_path, brief_dir, tls_server: Server, monkeypatch
) -> None:
    monkeypatch.setenv(ENV, PASSWORD)
    store, summary = _send(tmp_path, brief_dir, tls_server)  # no ca_file: the system's CAs
    assert summary.sent == 0 and summary.left == 2 and tls_server.handler.received == []
    assert summary.stopped and "TLS certificate refused" in summary.stopped
    assert "self-signed" in summary.stopped and "ca_file" in summary.stopped
    rows = ledger.deliveries(store, "2026-11-23")
    assert [(r.status, r.attempts) for r in rows] == [("pending", 0), ("pending", 0)]


def test_a_certificate_for_another_host_is_refused_even_if_trusted(
    tmp_path, brief_dir, monkeypatch
) -> None:
    other = self_signed(tmp_path / "other", hosts=("smtp.example.net",))
    with Server("ssl", other, users={"notes": PASSWORD}) as server:
        server.security = "ssl"  # type: ignore[attr-defined]
        monkeypatch.setenv(ENV, PASSWORD)
        _, summary = _send(tmp_path, brief_dir, server, ca_file=str(other.cert))
    assert summary.sent == 0 and summary.stopped
    assert "TLS certificate refused" in summary.stopped and "mismatch" in summary.stopped


def test_a_missing_ca_file_is_named(tmp_path, brief_dir, tls_server: Server, monkeypatch) -> None:
    monkeypatch.setenv(ENV, PASSWORD)
    _, summary = _send(tmp_path, brief_dir, tls_server, ca_file=str(tmp_path / "nope.pem"))
    assert summary.stopped == f"[email] ca_file {tmp_path / 'nope.pem'}: No such file or directory"


def test_a_wrong_password_stops_the_run_and_is_never_shown(
    tmp_path, brief_dir, tls_server: Server, cert: CertFiles, monkeypatch
) -> None:
    wrong = "wrong-" + PASSWORD
    monkeypatch.setenv(ENV, wrong)
    store, summary = _send(tmp_path, brief_dir, tls_server, ca_file=str(cert.cert))
    assert summary.sent == 0 and summary.stopped and "login refused" in summary.stopped
    texts = [summary.stopped, summary.last_error, repr(ledger.deliveries(store, "2026-11-23"))]
    assert not any(wrong in (t or "") or PASSWORD in (t or "") for t in texts)


def test_scrub_hides_the_password_and_its_base64_form() -> None:
    assert scrub("535 bad cHctWnE4I3Rscy1vbmx5 for pw-Zq8#tls-only", PASSWORD) == (
        "535 bad *** for ***"
    )
    assert scrub("no secret here", None) == "no secret here"
