"""One driver: every run (``brief``, ``daily``) makes its request the same way, from the settings,
and ``daily`` delivers through channels that fail alone."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

import generate
import settings
from daily import DailyOptions, run_daily
from delivery import BriefFiles, ChannelReport, RunContext, channels_from_settings
from errors import InputError
from tests.conftest import DEMO, ROOT


def _config(tmp: Path, extra: str = "") -> Path:
    path = tmp / "marketnotes.toml"
    path.write_text(
        f"""
[store]
path = "{tmp}/store.sqlite"
[brief]
out = "{tmp}/daily-out"
[blog]
site_dir = "{tmp}/site"
[delivery]
channels = ["blog"]
[analysis]
squeeze_min_share = 0.92
{extra}
"""
    )
    return path


def _facts(folder: Path) -> list[dict[str, object]]:
    doc = json.loads((folder / "facts.json").read_text())
    facts: list[dict[str, object]] = doc["facts"]
    return facts


def test_daily_and_brief_compute_the_same_facts_from_the_same_settings(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert generate.main(["daily", "--config", str(config)]) == 0
    args = ["--config", str(config), "brief", "--snapshot", str(DEMO), "--out", str(tmp_path / "b")]
    assert generate.main(args) == 0
    daily, brief = (
        _facts(tmp_path / "daily-out" / "2026-11-23"),
        _facts(tmp_path / "b" / "2026-11-23"),
    )
    assert daily == brief
    # [analysis] reached both: with squeeze_min_share 0.92 only BTC's squeeze (94 %) qualifies
    squeezes = {f["asset"] for f in daily if f["id"] == "liquidations.squeeze"}
    assert squeezes == {"BTC"}


def test_daily_as_of_reaches_the_brief(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert generate.main(["daily", "--config", str(config), "--as-of", "2026-11-20T08:00Z"]) == 0
    doc = json.loads((tmp_path / "daily-out" / "2026-11-20" / "facts.json").read_text())
    assert doc["as_of"] == "2026-11-20T08:00:00Z"


@dataclass(frozen=True)
class Broken:
    """A channel that raises what no channel should."""

    name: str = "broken"
    fresh_only: bool = True

    def publish(self, brief: BriefFiles, run: RunContext) -> ChannelReport:
        raise RuntimeError("disk on fire")


@dataclass
class Recording:
    """A channel that records what it was given."""

    name: str = "recording"
    got: list[str] | None = None
    fresh_only: bool = True

    def publish(self, brief: BriefFiles, run: RunContext) -> ChannelReport:
        self.got = [brief.brief_id, brief.headline]
        return ChannelReport(self.name, "done", "somewhere")


def test_a_failing_channel_is_reported_alone_and_the_others_still_run(tmp_path: Path) -> None:
    config = settings.load_settings(_config(tmp_path))
    after = Recording()
    report = run_daily(config, DailyOptions(), channels=[Broken(), after])
    assert after.got is not None and after.got[0] == "2026-11-23"
    assert [c.status for c in report.channels] == ["FAILED", "done"]
    assert report.problems == ["broken: RuntimeError: disk on fire"]
    lines = "\n".join(report.lines())
    assert "broken FAILED" in lines and "recording done" in lines


def test_a_failing_channel_makes_daily_exit_5(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site-is-a-file"
    site.write_text("not a folder")
    config = _config(tmp_path, extra="")
    text = config.read_text().replace(f'site_dir = "{tmp_path}/site"', f'site_dir = "{site}/x"')
    config.write_text(text)
    assert generate.main(["daily", "--config", str(config)]) == 5
    err = [line for line in capsys.readouterr().err.splitlines() if " · " not in line]
    assert len(err) == 1 and err[0].startswith("error: blog: cannot publish"), err


def test_unknown_channel_is_a_settings_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    config.write_text(config.read_text().replace('channels = ["blog"]', 'channels = ["blgo"]'))
    assert generate.main(["daily", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "unknown channel 'blgo' (known: blog, email" in err
    with pytest.raises(InputError):
        channels_from_settings(settings.load_settings(config))


def test_brief_requests_are_made_only_from_settings() -> None:
    """``BriefRequest(...)`` is called only by ``BriefRequest.from_settings``: no caller can
    forget a settings section (as the old daily run forgot [analysis])."""
    calls = []
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts or path.name == "test_driver.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if name == "BriefRequest":
                    calls.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert calls == [], calls
