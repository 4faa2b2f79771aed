"""What an operator running ``daily`` from cron needs: failures that exit non-zero, ``status``,
a health ping, no stale or future notes emailed, a dry run kept, a test send, a commented
settings file, timestamped log lines, a waiting run that says whom it waits for."""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

import daily
import generate
import settings
from delivery import BriefFiles, Channel, ChannelReport, RunContext, ledger
from delivery.blog import BlogChannel
from errors import BusyError
from store import open_store
from tests.delivery.smtpd import Server

TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


@pytest.fixture(autouse=True)
def _unsubscribe_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARKETNOTES_UNSUBSCRIBE_SECRET", "a-test-secret-of-some-length")


def _config(tmp: Path, port: int = 9, extra: str = "") -> Path:
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
attempts = 1
timeout = 10
sender = "Notes <notes@notes.example>"
unsubscribe_mailto = "unsubscribe@notes.example"
unsubscribe_url = "https://notes.example/unsubscribe?token={{token}}"
{extra}
"""
    )
    return path


def _subscribe(tmp: Path, *addresses: str) -> None:
    store = open_store(tmp / "store.sqlite")
    for a in addresses:
        ledger.add_subscriber(store, a)
    store.close()


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def test_permanent_failures_exit_5_and_status_shows_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Server() as smtp:
        smtp.handler.reject = {"gone@example.org": "550 5.1.1 no such user"}
        _subscribe(tmp_path, "gone@example.org", "here@example.org")
        config = str(_config(tmp_path, smtp.port))
        assert generate.main(["daily", "--config", config]) == 5
        err = _errors(capsys.readouterr().err)
        assert len(err) == 1 and "1 message(s) failed permanently" in err[0], err
        assert "gone@example.org: 550" in err[0]
        # a rerun repeats nothing and says what failed before
        assert generate.main(["daily", "--config", config]) == 0
        out = capsys.readouterr().out
        assert "0 failed (1 earlier)" in out and "1 sent earlier" in out
    assert generate.main(["status", "--config", config]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "last runs:"
    assert re.fullmatch(rf"  {TIME}  brief 2026-11-23  exit 0", lines[1])
    assert re.fullmatch(rf"  {TIME}  brief 2026-11-23  exit 5", lines[2])
    assert "1 message(s) failed permanently" in lines[3]
    brief = next(line for line in lines if line.startswith("  2026-11-23  written"))
    assert "published" in brief and "email 1 sent · 0 pending · 1 failed" in brief
    assert any("failed: gone@example.org: 550" in line for line in lines)


def test_status_without_a_store_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert generate.main(["status", "--config", str(_config(tmp_path))]) == 2
    assert capsys.readouterr().err.startswith("error: status: no store at ")


def test_pending_messages_of_an_earlier_brief_are_reported_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _subscribe(tmp_path, "reader@example.org")
    store = open_store(tmp_path / "store.sqlite")
    ledger.plan_deliveries(store, "2026-11-22", [("reader@example.org", "<m@x>")])
    store.close()
    with Server() as smtp:
        config = str(_config(tmp_path, smtp.port))
        assert generate.main(["daily", "--config", config]) == 5
        err = _errors(capsys.readouterr().err)
        assert err == [
            "error: email: 1 message(s) of brief 2026-11-22 were never sent (superseded by "
            "2026-11-23; see generate.py status)"
        ]
        assert generate.main(["daily", "--config", config]) == 0
    store = open_store(tmp_path / "store.sqlite")
    [row] = ledger.deliveries(store, "2026-11-22")
    store.close()
    assert row.status == "failed" and row.last_error == "never sent: brief 2026-11-23 superseded it"


@dataclass(frozen=True)
class Fresh:
    """A channel that takes only today's news, recording whether it ran."""

    ran: list[str]
    name: str = "fresh"
    fresh_only: bool = True

    def publish(self, brief: BriefFiles, run: RunContext) -> ChannelReport:
        self.ran.append(brief.brief_id)
        return ChannelReport(self.name, "done")


def test_a_backfilled_brief_goes_to_the_blog_only(tmp_path: Path) -> None:
    config = settings.load_settings(_config(tmp_path))
    ran: list[str] = []
    channels: list[Channel] = [BlogChannel(config.blog), Fresh(ran)]
    as_of = pd.Timestamp("2026-11-20T08:00Z")
    report = daily.run_daily(config, daily.DailyOptions(as_of=as_of), channels=channels)
    assert [c.status for c in report.channels] == ["published", "not sent"]
    assert report.channels[1].target.startswith("backfill: as of 2026-11-20 08:00")
    assert ran == [] and report.exit_code == 0
    assert (tmp_path / "site" / "posts" / "2026-11-20" / "index.html").is_file()


def test_a_future_as_of_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(_config(tmp_path))
    assert generate.main(["daily", "--config", config, "--as-of", "2030-01-01T08:00Z"]) == 2
    assert "is in the future" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and not (tmp_path / "site").exists()


class Pings(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), PingHandler)
        self.got: list[tuple[str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/ping/abc"


class PingHandler(BaseHTTPRequestHandler):
    server: Pings

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.got.append((self.path, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def pings() -> Iterator[Pings]:
    server = Pings()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_health_ping_says_success_and_failure(tmp_path: Path, pings: Pings) -> None:
    extra = f'[daily]\nping_url = "{pings.url}"\n[delivery]\nchannels = ["blog"]\n'
    config = str(_config(tmp_path, extra=extra))
    assert generate.main(["daily", "--config", config]) == 0
    assert generate.main(["daily", "--config", config, "--as-of", "2030-01-01T08:00Z"]) == 2
    assert pings.got[0] == ("/ping/abc", "ok")
    path, body = pings.got[1]
    assert path == "/ping/abc/fail" and "is in the future" in body


def test_dry_run_keep_keeps_what_it_rendered_and_touches_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(_config(tmp_path))
    keep = tmp_path / "preview"
    assert generate.main(["daily", "--config", config, "--dry-run", "--keep", str(keep)]) == 0
    assert (keep / "out" / "2026-11-23" / "brief.pdf").is_file()
    assert (keep / "site" / "posts" / "2026-11-23" / "index.html").is_file()
    unfolded = (keep / "email-sample.eml").read_bytes().replace(b"\r\n ", b" ")
    assert b"Subject: [Demo data] " in unfolded
    assert not (tmp_path / "out").exists() and not (tmp_path / "site").exists()
    assert generate.main(["daily", "--config", config, "--keep", str(keep)]) == 2
    assert "--keep DIR needs --dry-run" in capsys.readouterr().err


def test_test_to_sends_one_message_and_records_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _subscribe(tmp_path, "subscriber@example.org")
    with Server() as smtp:
        config = str(_config(tmp_path, smtp.port))
        assert generate.main(["daily", "--config", config, "--test-to", "me@example.org"]) == 0
        assert [r.rcpt for r in smtp.handler.received] == [["me@example.org"]]
    assert "test message of brief 2026-11-23 sent to me@example.org" in capsys.readouterr().out
    store = open_store(tmp_path / "store.sqlite")
    assert (
        ledger.deliveries(store, "2026-11-23") == []
        and ledger.find_brief(store, "2026-11-23") is None
    )
    store.close()
    assert not (tmp_path / "site").exists()


def test_example_values_are_warned_about(tmp_path: Path) -> None:
    config = settings.Settings()
    warnings = daily.example_warnings(config, [BlogChannel(config.blog)])
    assert warnings == ["[blog] site_url is still an example.com value"]
    mine = settings.load_settings(_config(tmp_path))
    assert daily.example_warnings(mine, [BlogChannel(mine.blog)]) == []


def test_progress_lines_carry_utc_timestamps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(_config(tmp_path, extra='[delivery]\nchannels = ["blog"]\n'))
    assert generate.main(["daily", "--config", config]) == 0
    progress = [line for line in capsys.readouterr().err.splitlines() if " · " in line]
    assert progress and all(re.match(rf"{TIME} · ", line) for line in progress), progress


def test_a_waiting_run_says_whom_it_waits_for(tmp_path: Path) -> None:
    lock = tmp_path / "store.sqlite.daily.lock"
    said: list[str] = []
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with daily.run_lock(lock, wait=1):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    busy = pytest.raises(BusyError, match=r"another daily run \(pid \d+ since ")
    with busy, daily.run_lock(lock, wait=0.3, progress=said.append):
        pass
    release.set()
    thread.join()
    assert len(said) == 1 and re.fullmatch(
        rf"waiting up to 0.3 s for the daily run \(pid \d+ since {TIME}\)", said[0]
    )


def test_init_writes_the_commented_settings_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "marketnotes.toml"
    assert generate.main(["init", str(target)]) == 0
    assert target.read_text() == settings.EXAMPLE_PATH.read_text()
    assert generate.main(["init", str(target)]) == 2
    assert "exists" in capsys.readouterr().err


def _absolute(config: settings.Settings) -> settings.Settings:
    """``config`` with its relative paths taken from the project root (where the shipped
    example's paths are relative to)."""
    sections = {}
    for name in settings.SECTIONS:
        section = getattr(config, name)
        paths = {
            k: settings.ROOT / v
            for k, v in vars(section).items()
            if isinstance(v, Path) and not v.is_absolute()
        }
        sections[name] = replace(section, **paths)
    return replace(config, **sections, file=None)


def test_the_example_settings_file_is_current_and_uncommented_gives_the_defaults(
    tmp_path: Path,
) -> None:
    text = settings.EXAMPLE_PATH.read_text(encoding="utf-8")
    assert text == settings.example_toml(), "run `python -m settings`"
    uncommented = "\n".join(
        line[2:] if re.match(r"# \w+ = ", line) else line for line in text.splitlines()
    )
    assert set(tomllib.loads(uncommented)) == set(settings.SECTIONS)
    path = tmp_path / "uncommented.toml"
    path.write_text(uncommented)
    assert _absolute(settings.load_settings(path)) == settings.Settings()
