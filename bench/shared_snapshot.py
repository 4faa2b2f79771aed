"""Turn the real market data in ``../shared/marketdata`` into a snapshot, for validation and
benchmarks. Nothing here is bundled: it only works where ``../shared`` sits beside the repo.

``python -m bench.shared_snapshot OUT_DIR`` writes BTC and ETH with Binance spot daily candles,
Binance spot hourly candles, Binance USDⓈ-M funding, CoinGlass 1h BTC liquidations, Fear & Greed
and DXY.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

SHARED = Path(__file__).resolve().parents[2] / "shared" / "marketdata"


def _write(frame: pd.DataFrame, times: pd.Series, out: Path, cols: list[str]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    table = frame[cols].copy()
    table.insert(0, "time", pd.to_datetime(times, utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    table.to_csv(out, index=False)


def build(out: Path, shared: Path = SHARED) -> Path:
    """Write the snapshot to ``out`` and return it."""
    candle = ["open", "high", "low", "close", "volume"]
    datasets: dict[str, dict[str, str]] = {}
    for asset, daily_file, hourly_file in (
        ("BTC", "btc_daily.csv", "BTCUSDT_1h.csv"),
        ("ETH", "ETHUSDT.csv", "ETHUSDT_1h.csv"),
    ):
        d = pd.read_csv(shared / "binance_spot_daily_btctree" / daily_file)
        _write(d, d["date"], out / f"candles_1d/{asset}.csv", candle)
        h = pd.read_csv(shared / "binance_spot_1h_wanglz111" / hourly_file)
        _write(h, h["datetime"], out / f"candles_1h/{asset}.csv", candle)
        f = pd.read_csv(shared / "binance_usdm_perp_luckys4900" / f"{asset}_USDT_USDT_funding.csv")
        _write(f, f["timestamp"], out / f"funding/{asset}.csv", ["rate"])
        datasets |= {f"candles_1d/{asset}.csv": {"source": "Binance spot"}}
        datasets |= {f"candles_1h/{asset}.csv": {"source": "Binance spot"}}
        datasets |= {f"funding/{asset}.csv": {"source": "Binance USDⓈ-M futures"}}
    liq = pd.read_csv(shared / "coinglass_1h_ismethanhtung" / "coinglass_BTC_liquidation_1h_2y.csv")
    liq = liq.rename(columns={"longUsd": "long_usd", "shortUsd": "short_usd"})
    _write(
        liq,
        pd.to_datetime(liq["timestamp"], unit="ms"),
        out / "liquidations/BTC.csv",
        ["long_usd", "short_usd"],
    )
    datasets["liquidations/BTC.csv"] = {"source": "CoinGlass"}
    fng = pd.read_csv(shared / "fear_greed_alternative_me" / "fng.csv")
    _write(fng, fng["date"], out / "fear_greed.csv", ["value", "classification"])
    dxy = pd.read_csv(shared / "dxy_yahoo_kittycapital" / "DXY.csv").rename(columns=str.lower)
    _write(dxy, dxy["date"], out / "dxy.csv", ["close"])
    datasets |= {"fear_greed.csv": {"source": "Alternative.me Fear & Greed Index"}}
    datasets |= {"dxy.csv": {"source": "ICE US Dollar Index via Yahoo Finance"}}
    manifest = {
        "format": "marketnotes-snapshot/1",
        "created_at": "2026-07-04T00:00:00Z",
        "demo": False,
        "assets": ["BTC", "ETH"],
        "datasets": datasets,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
