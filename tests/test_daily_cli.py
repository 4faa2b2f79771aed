"""``generate.py daily`` end to end on the demo snapshot, against a loopback SMTP server:
one run, two runs started together, and a run killed while sending, then rerun."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from delivery import ledger
from store import open_store
from tests.delivery.smtpd import Server, wait_for

ROOT = Path(__file__).resolve().parents[1]
SECRET = {"MARKETNOTES_UNSUBSCRIBE_SECRET": "daily-test-secret-0123456789"}
"""The unsubscribe secret of every run (without it, the email channel sends nothing)."""


def _config(tmp: Path, port: int, lock_wait: float = 120.0, email: str = "") -> Path:
    path = tmp / "marketnotes.toml"
    path.write_text(
        f"""
[store]
path = "{tmp}/store.sqlite"
[brief]
out = "{tmp}/out"
[blog]
site_dir = "{tmp}/site"
site_url = "https://notes.example/"
[email]
smtp_host = "127.0.0.1"
smtp_port = {port}
rate = 0
backoff = 0.01
timeout = 10
{email or 'security = "none"'}
[daily]
lock_wait = {lock_wait}
"""
    )
    return path


def _subscribe(tmp: Path, n: int) -> list[str]:
    store = open_store(tmp / "store.sqlite")
    addresses = [f"reader{i:03d}@example.com" for i in range(n)]
    for a in addresses:
        ledger.add_subscriber(store, a)
    store.close()
    return addresses


def _daily(config: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "generate.py"), "daily", "--config", str(config), *extra],
        cwd=ROOT,
        env={**os.environ, **SECRET, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def test_daily_writes_publishes_sends_and_a_rerun_repeats_nothing(tmp_path: Path) -> None:
    with Server() as smtp:
        addresses = _subscribe(tmp_path, 5)
        config = _config(tmp_path, smtp.port)
        code, out, err = _finish(_daily(config))
        assert code == 0, err
        assert "brief  written" in out and "blog   published" in out and "5 sent" in out
        assert smtp.handler.by_recipient() == {a: 1 for a in addresses}
        msg = smtp.handler.received[0].message()
        assert msg["Subject"].lstrip().startswith("[Demo data] ")  # a long one is folded
        # [email] attach = "link": no PDF (933 kB alone), a link to the blog's copy, and the
        # note's two charts (the lead's daily chart and its mechanism's) re-encoded once: the
        # message is their base64 (4/3, plus CRLF every 76 characters) and a few kB of text
        # and headers, well under 400 kB
        from delivery.email import email_png

        folder = tmp_path / "out" / "2026-11-23"
        charts = [folder / "charts/btc_daily.png", folder / "charts/btc_liquidations.png"]
        parts = {name: p.get_content() for p in msg.walk() if (name := p.get_filename())}
        assert sorted(parts) == ["btc_daily.png", "btc_liquidations.png"]
        assert sorted(parts.values()) == sorted(email_png(f.read_bytes()) for f in charts)
        assert sum(map(len, parts.values())) < sum(f.stat().st_size for f in charts) / 2
        encoded = sum(map(len, parts.values())) * 4 / 3 * 78 / 76
        assert encoded < len(smtp.handler.received[0].data) < encoded + 30_000 < 400_000
        body = msg.get_body(("html",))
        assert body is not None
        assert 'href="https://notes.example/posts/2026-11-23/brief.pdf"' in body.get_content()
        assert (tmp_path / "site" / "posts" / "2026-11-23" / "index.html").is_file()
        assert (tmp_path / "out" / "2026-11-23" / "brief.pdf").is_file()
        brief_mtime = (tmp_path / "out" / "2026-11-23" / "brief.pdf").stat().st_mtime_ns
        site = (tmp_path / "site").resolve()
        code, out, err = _finish(_daily(config))
        assert code == 0, err
        assert "already written" in out and "already published" in out and "0 sent" in out
        assert len(smtp.handler.received) == 5
        assert (tmp_path / "out" / "2026-11-23" / "brief.pdf").stat().st_mtime_ns == brief_mtime
        assert (tmp_path / "site").resolve() == site


def test_two_runs_started_together_deliver_once(tmp_path: Path) -> None:
    with Server() as smtp:
        addresses = _subscribe(tmp_path, 8)
        config = _config(tmp_path, smtp.port)
        first, second = _daily(config), _daily(config)
        results = [_finish(first), _finish(second)]
        assert [r[0] for r in results] == [0, 0], [r[2] for r in results]
        assert smtp.handler.by_recipient() == {a: 1 for a in addresses}
        outs = sorted(r[1] for r in results)
        assert sum("brief  written" in o for o in outs) == 1
        assert sum("already written" in o for o in outs) == 1
        assert [p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")] == [
            "2026-11-23"
        ]


def test_server_down_then_a_run_killed_while_sending_then_a_rerun(tmp_path: Path) -> None:
    """Down: exit 5 with one line, nothing sent. Killed mid-send (SIGKILL while the server
    holds the 6th message): the rerun sends only what is left. Every subscriber: one message."""
    from devtools.net import free_port

    port = free_port()
    addresses = _subscribe(tmp_path, 12)
    config = _config(tmp_path, port)
    code, out, err = _finish(_daily(config))
    assert code == 5
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "12 message(s) not sent" in errors[0], err
    assert "unreachable" in errors[0] and "next run retries" in errors[0]
    server = Server()
    server.port = server.controller.port = port
    with server as smtp:
        smtp.handler.hold_at = 5  # the 6th message hangs in DATA until released
        proc = _daily(config)
        wait_for(smtp.handler.holding.is_set, timeout=60)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        assert len(smtp.handler.received) == 5
        smtp.handler.hold_at = None
        smtp.handler.release.set()
        code, out, err = _finish(_daily(config))
        assert code == 0, err
        assert "already written" in out and "7 sent" in out and "5 sent earlier" in out
        assert smtp.handler.by_recipient() == {a: 1 for a in addresses}


def test_sigterm_while_sending_stops_after_the_message_in_flight_then_a_rerun(
    tmp_path: Path,
) -> None:
    """SIGTERM (``systemctl stop``) while a slow server takes each message: the message in
    flight is finished and recorded, nothing more is sent, exit 5 with one line saying so; the
    rerun sends only the rest. Every subscriber: exactly one message."""
    with Server() as smtp:
        addresses = _subscribe(tmp_path, 12)
        config = _config(tmp_path, smtp.port)
        smtp.handler.delay = 0.3
        proc = _daily(config)
        wait_for(lambda: len(smtp.handler.received) >= 3, timeout=90)
        os.kill(proc.pid, signal.SIGTERM)
        code, out, err = _finish(proc)
        assert code == 5, err
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "(stopped by SIGTERM)" in errors[0], err
        assert "Traceback" not in err
        received = [r.rcpt[0] for r in smtp.handler.received]
        assert 3 <= len(received) < 12 and f"{12 - len(received)} message(s) not sent" in err
        store = open_store(tmp_path / "store.sqlite")
        rows = {r.address: r.status for r in ledger.deliveries(store, "2026-11-23")}
        store.close()
        # what the server took is exactly what the ledger says was sent (incl. the one in flight)
        assert sorted(a for a, s in rows.items() if s == "sent") == sorted(received)
        assert all(s == "pending" for a, s in rows.items() if a not in received)
        smtp.handler.delay = 0.0
        code, out, err = _finish(_daily(config))
        assert code == 0, err
        assert f"{12 - len(received)} sent" in out and f"{len(received)} sent earlier" in out
        assert smtp.handler.by_recipient() == {a: 1 for a in addresses}


def test_daily_over_starttls_with_a_login_never_shows_the_password(tmp_path: Path) -> None:
    """STARTTLS to a server with a self-signed certificate trusted by [email] ca_file, login
    with the password from $password_env: a wrong password stops the run (exit 5, one line),
    the right one sends; neither appears in the output, the error line or the store."""
    from tests.delivery.certs import self_signed

    cert = self_signed(tmp_path / "tls")
    right, wrong = "Right-pw-4f9#x", "Wrong-pw-8k2!y"
    env_name = "MARKETNOTES_TEST_SMTP_PASSWORD"
    with Server("starttls", cert, users={"notes": right}) as smtp:
        addresses = _subscribe(tmp_path, 3)
        email = (
            f'security = "starttls"\nca_file = "{cert.cert}"\nuser = "notes"\n'
            f'password_env = "{env_name}"'
        )
        config = _config(tmp_path, smtp.port, email=email)
        code, out1, err1 = _finish(_daily(config, env={env_name: wrong}))
        assert code == 5 and smtp.handler.received == []
        errors = [line for line in err1.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "login refused" in errors[0], err1
        code, out2, err2 = _finish(_daily(config, env={env_name: right}))
        assert code == 0, err2
        assert smtp.handler.by_recipient() == {a: 1 for a in addresses}
        assert all(r.tls and r.login == "notes" for r in smtp.handler.received)
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("store.sqlite*"))
    for secret in (right, wrong):
        assert secret not in out1 + err1 + out2 + err2
        assert secret.encode() not in stored


def test_dry_run_renders_and_sends_nothing(tmp_path: Path) -> None:
    with Server() as smtp:
        _subscribe(tmp_path, 2)
        code, out, err = _finish(_daily(_config(tmp_path, smtp.port), "--dry-run"))
        assert code == 0, err
        assert "2 message(s) rendered" in out and "none sent" in out
        assert smtp.handler.received == []
        assert not (tmp_path / "out").exists() and not (tmp_path / "site").exists()
