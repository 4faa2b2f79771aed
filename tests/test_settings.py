"""Settings: defaults, the TOML file, one-line errors, and docs/settings.md kept current."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

import settings
from errors import InputError


def test_every_setting_has_help_and_the_docs_are_current() -> None:
    for name in settings.SECTIONS:
        for f in fields(getattr(settings.Settings(), name)):
            assert f.metadata.get("help"), f"[{name}] {f.name} has no help text"
    assert settings.DOC_PATH.read_text(encoding="utf-8") == settings.settings_markdown(), (
        "docs/settings.md is stale: run `python -m settings`"
    )


def test_the_documented_example_is_a_valid_settings_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(settings.ROOT)  # the example's paths are relative to the repository
    toml = "\n".join(
        line
        for block in settings.settings_markdown().split("```toml\n")[1:]
        for line in block.split("```")[0].splitlines()
    )
    (tmp_path / "s.toml").write_text(toml)
    loaded = settings.load_settings(tmp_path / "s.toml")
    assert loaded.brief.out.resolve() == settings.Settings().brief.out
    assert (loaded.brief.assets, loaded.brief.formats) == ((), settings.FORMATS)
    assert loaded.stale_after == settings.Settings().stale_after


def test_file_overrides_defaults(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(
        '[brief]\nassets = ["BTC"]\nout = "briefs"\nformats = ["pdf"]\n[stale_after]\ndxy = "5D"\n'
    )
    loaded = settings.load_settings(tmp_path / "s.toml")
    assert loaded.brief.assets == ("BTC",) and loaded.brief.out == Path("briefs")
    assert loaded.brief.formats == ("pdf",) and loaded.stale_after.limit("dxy") == "5D"
    assert loaded.stale_after.limit("funding") == "17h"  # untouched keys keep their defaults


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[brief\n", "not valid TOML"),
        (
            "[mail]\nx = 1\n",
            "unknown section [mail] (known: brief, analysis, narrative, stale_after, sources",
        ),
        ("[brief]\ncolour = 1\n", "[brief] unknown key 'colour'"),
        ('[brief]\nassets = "BTC"\n', "[brief] assets = 'BTC': expected a list of strings"),
        ('[brief]\nformats = ["doc"]\n', "[brief] formats: unknown doc"),
        ('[stale_after]\ndxy = "soon"\n', "[stale_after] dxy = 'soon': expected a duration"),
    ],
)
def test_bad_settings_fail_with_one_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "s.toml").write_text(text)
    with pytest.raises(InputError) as err:
        settings.load_settings(tmp_path / "s.toml")
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith(str(tmp_path / "s.toml"))


def test_missing_file() -> None:
    with pytest.raises(InputError, match="settings file not found"):
        settings.load_settings(Path("/nonexistent/settings.toml"))


def test_secrets_come_from_the_named_environment_variable(monkeypatch) -> None:
    monkeypatch.setenv("MN_TEST_SECRET", "s3cret")
    assert settings.Settings().secret("MN_TEST_SECRET") == "s3cret"
    monkeypatch.delenv("MN_TEST_SECRET")
    assert settings.Settings().secret("MN_TEST_SECRET") is None


def test_analysis_settings_reach_the_facts(tmp_path: Path) -> None:
    import json

    import pipeline

    def squeezes(analysis: settings.AnalysisSettings) -> dict[str, dict[str, Any]]:
        config = settings.Settings(analysis=analysis)
        request = pipeline.BriefRequest.from_settings(config, out=tmp_path, formats=("json",))
        doc = json.loads((pipeline.write_brief(request).folder / "facts.json").read_text())
        return {f["asset"]: f for f in doc["facts"] if f["id"] == "liquidations.squeeze"}

    # The demo's BTC squeeze has shorts at 94 % of liquidations, ETH's at 90 %.
    assert set(squeezes(settings.AnalysisSettings())) == {"BTC", "ETH"}
    assert set(squeezes(settings.AnalysisSettings(squeeze_min_share=0.92))) == {"BTC"}


def test_leverage_mix_is_the_level_model_and_must_sum_to_one(tmp_path: Path) -> None:
    mix = {"10": 0.5, "20": 0.5}
    model = settings.AnalysisSettings(leverage_mix=mix).options()["model"]
    assert dict(model.leverage) == {10: 0.5, 20: 0.5}  # type: ignore[attr-defined]
    (tmp_path / "s.toml").write_text('[analysis]\nleverage_mix = { "5" = 0.5, "10" = 0.2 }\n')
    with pytest.raises(InputError, match=r"\[analysis\] leverage_mix: shares must sum to 1"):
        settings.load_settings(tmp_path / "s.toml")


def test_level_steps_come_from_the_file_and_are_checked(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(
        "[analysis]\nlevel_major_steps = { BTC = 10000, SOL = 25 }\nlevel_minor_steps = {}\n"
    )
    loaded = settings.load_settings(tmp_path / "s.toml").analysis
    assert loaded.level_major_steps == {"BTC": 10000, "SOL": 25}
    assert loaded.options()["level_minor_steps"] == {}
    (tmp_path / "s.toml").write_text("[analysis]\nlevel_major_steps = { BTC = 2500 }\n")
    with pytest.raises(InputError, match=r"BTC = 2500 is not a multiple of its minor step 1000"):
        settings.load_settings(tmp_path / "s.toml")
    (tmp_path / "s.toml").write_text("[analysis]\nlevel_minor_steps = { ETH = 0 }\n")
    with pytest.raises(InputError, match=r"level_minor_steps: ETH = 0: expected a positive"):
        settings.load_settings(tmp_path / "s.toml")


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST.", "127.0.0.1", "127.8.9.10", "::1"])
def test_plain_smtp_is_allowed_to_loopback_hosts(tmp_path: Path, host: str) -> None:
    (tmp_path / "s.toml").write_text(f'[email]\nsmtp_host = "{host}"\nsecurity = "none"\n')
    assert settings.load_settings(tmp_path / "s.toml").email.security == "none"


@pytest.mark.parametrize("host", ["smtp.example.com", "10.0.0.5", "128.0.0.1", "::2", ""])
def test_plain_smtp_to_another_host_is_refused_in_one_line(tmp_path: Path, host: str) -> None:
    """The password would cross the network in clear: a misconfiguration, refused up front."""
    (tmp_path / "s.toml").write_text(f'[email]\nsmtp_host = "{host}"\nsecurity = "none"\n')
    with pytest.raises(InputError) as err:
        settings.load_settings(tmp_path / "s.toml")
    message = str(err.value)
    assert "\n" not in message and "loopback" in message and repr(host) in message
    (tmp_path / "s.toml").write_text(f'[email]\nsmtp_host = "{host}"\nsecurity = "starttls"\n')
    assert settings.load_settings(tmp_path / "s.toml").email.smtp_host == host
