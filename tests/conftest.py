"""Shared fixtures: the demo snapshot path, golden-file updating, the real-data snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo" / "snapshot"
SHARED = ROOT.parent / "shared" / "marketdata"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/ from current output"
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run should rewrite golden files instead of comparing with them."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def real_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot built from ../shared/marketdata (real Binance, CoinGlass, DXY, F&G data)."""
    if not SHARED.is_dir():
        pytest.skip(f"real market data not found at {SHARED} (../shared is absent)")
    from bench.shared_snapshot import build

    return build(tmp_path_factory.mktemp("real"), SHARED)
