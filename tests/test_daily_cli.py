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


def _config(tmp: Path, port: int, lock_wait: float = 120.0) -> Path:
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
security = "none"
rate = 0
backoff = 0.01
timeout = 10
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


def _daily(config: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "generate.py"), "daily", "--config", str(config), *extra],
        cwd=ROOT,
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
        assert msg["Subject"].startswith("[Demo data] ")
        assert msg.get_payload()[1].get_filename() == "market-note-2026-11-23.pdf"
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
    from tests.delivery.smtpd import free_port

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


def test_dry_run_renders_and_sends_nothing(tmp_path: Path) -> None:
    with Server() as smtp:
        _subscribe(tmp_path, 2)
        code, out, err = _finish(_daily(_config(tmp_path, smtp.port), "--dry-run"))
        assert code == 0, err
        assert "2 message(s) rendered" in out and "none sent" in out
        assert smtp.handler.received == []
        assert not (tmp_path / "out").exists() and not (tmp_path / "site").exists()
