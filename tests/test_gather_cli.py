"""``generate.py gather`` and ``brief --live [--strict]`` against the loopback replay server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import generate
import pipeline
from demo.replay import ReplayData
from demo.scenario import AS_OF
from devtools.replay_server import Fault, ReplayServer


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    srv = ReplayServer(ReplayData.build()).start()
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def _quick_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """ccxt waits a quarter second on close for TLS connections to wind down; the loopback
    server has none."""
    from ccxt.async_support.base.exchange import Exchange

    monkeypatch.setattr(Exchange, "timeout_on_exit", 0)


def _config(server: ReplayServer, tmp_path: Path) -> Path:
    urls = "\n".join(
        f'{k} = "{server.url}"'
        for k in (
            "binance_spot_url",
            "binance_futures_url",
            "okx_url",
            "coinglass_url",
            "alternative_me_url",
            "yahoo_url",
            "frankfurter_url",
        )
    )
    path = tmp_path / "live.toml"
    path.write_text(
        f'[sources]\n{urls}\ntimeout = 2.0\nretries = 0\n\n[store]\npath = "{tmp_path}/s.sqlite"\n'
    )
    return path


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(pipeline, "utc_now", lambda: AS_OF)
    monkeypatch.setenv("COINGLASS_API_KEY", "k")
    yield


@pytest.mark.usefixtures("at")
def test_gather_command_writes_a_snapshot(
    server: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = generate.main(
        [
            "--config",
            str(_config(server, tmp_path)),
            "gather",
            "--assets",
            "BTC",
            "--out",
            str(tmp_path / "snap"),
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "snap")
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    assert manifest["assets"] == ["BTC"] and manifest["demo"] is False


@pytest.mark.usefixtures("at")
def test_brief_live_writes_the_note_and_keeps_the_snapshot(
    server: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = [
        "--config",
        str(_config(server, tmp_path)),
        "brief",
        "--live",
        "--assets",
        "BTC",
        "--formats",
        "json",
        "--out",
        str(out),
    ]
    assert generate.main(args) == 0
    folder = out / "2026-11-23"
    facts = json.loads((folder / "facts.json").read_text())
    assert facts["as_of"] == "2026-11-23T08:00:00Z" and not facts["demo"]
    assert (folder / "snapshot" / "manifest.json").is_file()
    assert (folder / "snapshot" / "raw" / "index.json").is_file()


def test_brief_live_strict_refuses_stale_required_data(
    server: ReplayServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(pipeline, "utc_now", lambda: AS_OF + pd.Timedelta(days=3))
    out = tmp_path / "out"
    args = [
        "--config",
        str(_config(server, tmp_path)),
        "brief",
        "--live",
        "--strict",
        "--assets",
        "BTC",
        "--formats",
        "json",
        "--out",
        str(out),
    ]
    assert generate.main(args) == 4
    assert "candles_1h/BTC.csv stale" in capsys.readouterr().err
    assert not any(p.name.startswith("2026") for p in out.iterdir())
    # without --strict the note is written and states the stale data
    assert generate.main(args[:4] + args[5:]) == 0


def test_the_demo_path_does_not_import_ccxt() -> None:
    import subprocess
    import sys

    code = "import sys, generate, pipeline; print('ccxt' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def _daily_config(server: ReplayServer, tmp_path: Path) -> Path:
    path = _config(server, tmp_path)
    path.write_text(
        path.read_text()
        + f'\n[brief]\nout = "{tmp_path}/out"\nassets = ["BTC"]\n'
        + f'[blog]\nsite_dir = "{tmp_path}/site"\n[delivery]\nchannels = ["blog"]\n'
    )
    return path


@pytest.mark.usefixtures("at")
def test_daily_live_writes_through_the_same_live_path(server: ReplayServer, tmp_path: Path) -> None:
    assert generate.main(["daily", "--config", str(_daily_config(server, tmp_path)), "--live"]) == 0
    folder = tmp_path / "out" / "2026-11-23"
    assert json.loads((folder / "facts.json").read_text())["as_of"] == "2026-11-23T08:00:00Z"
    assert (folder / "snapshot" / "manifest.json").is_file()
    assert (tmp_path / "site" / "posts" / "2026-11-23" / "index.html").is_file()


def test_daily_live_holds_the_note_when_required_data_is_stale(
    server: ReplayServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(pipeline, "utc_now", lambda: AS_OF + pd.Timedelta(days=3))
    monkeypatch.setenv("COINGLASS_API_KEY", "k")
    config = _daily_config(server, tmp_path)
    assert generate.main(["daily", "--config", str(config), "--live"]) == 4
    assert "candles_1h/BTC.csv stale" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()
    assert not any(p.name.startswith("2026") for p in (tmp_path / "out").iterdir())


@pytest.mark.usefixtures("at")
def test_a_trickling_source_cannot_hold_the_daily_run_or_its_lock(
    server: ReplayServer, tmp_path: Path
) -> None:
    """Alternative.me sending a byte every 50 ms: the gather budget ends the wait, the note is
    written without the Fear & Greed index, and the lock is free for the next run."""
    import time

    import daily
    import settings

    config = _daily_config(server, tmp_path)
    config.write_text(
        config.read_text().replace("retries = 0\n", "retries = 0\ngather_budget = 6.0\n")
    )
    server.faults["/fng/"] = Fault(drip=0.05)
    start = time.monotonic()
    try:
        assert generate.main(["daily", "--config", str(config), "--live"]) == 0
    finally:
        server.faults.clear()
    assert time.monotonic() - start < 6.0 + 60  # the budget, then the brief and the blog
    folder = tmp_path / "out" / "2026-11-23"
    manifest = json.loads((folder / "snapshot" / "manifest.json").read_text())
    assert "gather budget of 6 s ran out" in manifest["unavailable"]["fear_greed.csv"]["error"]
    with daily.run_lock(daily.lock_path(settings.load_settings(config)), 0.0):
        pass  # free: BusyError otherwise
