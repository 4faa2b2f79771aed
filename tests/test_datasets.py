"""The dataset registry and everything that must agree with it: the dataset fields of
AssetData and Snapshot, Snapshot.cut, the CSV formats (writing and loading round-trip), the
[stale_after] settings, the manifest's venues and the documented snapshot format."""

from __future__ import annotations

import dataclasses
import json
import shutil
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import datasets
import settings
from datasets import ASSET_DATASETS, DATASETS, MARKET_DATASETS, REGISTRY, DatasetSpec, of_scope
from errors import SnapshotError
from models import AssetData, Dataset, Snapshot, check_dataset_fields
from render import filters
from sources import load_snapshot
from sources.schema import validate_table
from sources.snapshot import to_csv
from tests.conftest import DEMO

START = pd.Timestamp("2026-01-01T00:00Z")
AS_OF = START + pd.Timedelta(hours=30)


def test_every_spec_is_well_formed() -> None:
    assert len(DATASETS) == len(REGISTRY)  # names are unique
    assert (*ASSET_DATASETS, *MARKET_DATASETS) == tuple(DATASETS)  # per-asset ones first
    for spec in REGISTRY:
        assert spec.scope in ("asset", "market"), spec.name
        assert spec.bounds, f"{spec.name} has no numeric column"
        assert all(c.format == "s" for c in spec.columns if c.bounds is None), spec.name
        assert pd.Timedelta(spec.stale_after) > pd.Timedelta(0), spec.name
        assert spec.step > pd.Timedelta(0) and spec.noun, spec.name
        assert not spec.required or spec.scope == "asset", spec.name


def _table(spec: DatasetSpec, rows: int = 48) -> pd.DataFrame:
    """``rows`` hourly rows of ``spec``'s columns, in bounds (candles consistent), with a
    ``time`` column: what an adapter or the demo hands to the CSV writer."""
    frame = pd.DataFrame({"time": pd.date_range(START, periods=rows, freq="h")})
    for column in spec.columns:
        if column.bounds is None:
            frame[column.name] = [f"text {i}" for i in range(rows)]
        else:
            lo, hi = column.bounds
            frame[column.name] = np.linspace(max(lo, 0.0) + 1, min(hi, 100.0) - 1, rows).round(2)
    return frame


def _read_back(spec: DatasetSpec) -> pd.DataFrame:
    """``_table(spec)`` written as CSV and read back as the loader reads it (strings)."""
    return pd.read_csv(StringIO(to_csv(_table(spec), spec.name)), dtype=str)


def _dataset(spec: DatasetSpec, asset: str | None) -> Dataset:
    frame = validate_table(_read_back(spec), spec.name, spec.file(asset))
    return Dataset(spec.name, asset, "Test", frame, spec.interval, ("Venue",))


def _full_snapshot() -> Snapshot:
    """A snapshot holding every registered dataset, built from the registry alone."""
    assets = {
        code: AssetData(code, **{s.name: _dataset(s, code) for s in of_scope("asset")})
        for code in ("BTC", "ETH")
    }
    market = {s.name: _dataset(s, None) for s in of_scope("market")}
    return Snapshot(Path("."), START, False, assets, **market)


def test_cut_keeps_every_registered_dataset_and_cuts_each() -> None:
    cut = _full_snapshot().cut(AS_OF)
    for code, data in cut.assets.items():
        for spec in of_scope("asset"):
            _check_cut(getattr(data, spec.name), spec, code)
    for spec in of_scope("market"):
        _check_cut(getattr(cut, spec.name), spec, None)


def _check_cut(d: Dataset | None, spec: DatasetSpec, asset: str | None) -> None:
    assert d is not None, f"{spec.name} of {asset} became None after cut"
    assert (d.name, d.asset, d.source, d.venues) == (spec.name, asset, "Test", ("Venue",))
    assert d.frame.index[-1] == AS_OF - (spec.interval or pd.Timedelta(0)), spec.name
    assert list(d.frame.columns) == [c.name for c in spec.columns]


def test_the_holders_of_datasets_match_the_registry() -> None:
    check_dataset_fields(AssetData, "asset")
    check_dataset_fields(Snapshot, "market")
    fields = {f.name for f in dataclasses.fields(AssetData)} - {"asset"}
    assert fields == set(ASSET_DATASETS)


@dataclasses.dataclass(frozen=True)
class _MissingOne:
    asset: str
    candles_1d: Dataset
    candles_1h: Dataset | None = None


@dataclasses.dataclass(frozen=True)
class _OneTooMany(AssetData):
    order_book: Dataset | None = None


@dataclasses.dataclass(frozen=True)
class _OptionalDaily(AssetData):
    candles_1d: Dataset | None = None  # type: ignore[assignment]  # the mistake under test


@pytest.mark.parametrize(
    ("holder", "message"),
    [
        (_MissingOne, r"dataset fields \['candles_1d', 'candles_1h'\]"),
        (_OneTooMany, r"'order_book'.*add or remove the field or the DatasetSpec"),
        (_OptionalDaily, r"_OptionalDaily.candles_1d must be typed Dataset$"),
    ],
)
def test_a_holder_that_disagrees_with_the_registry_fails(holder: type, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        check_dataset_fields(holder, "asset")


def test_an_optional_dataset_typed_required_fails() -> None:
    @dataclasses.dataclass(frozen=True)
    class Market:
        dxy: Dataset
        fear_greed: Dataset | None = None

    with pytest.raises(TypeError, match=r"Market.dxy must be typed Dataset \| None"):
        check_dataset_fields(Market, "market")


@pytest.mark.parametrize("spec", REGISTRY, ids=lambda s: s.name)
def test_writing_then_loading_gives_the_table_back(spec: DatasetSpec) -> None:
    table = _table(spec)
    text = to_csv(table, spec.name)
    assert text.splitlines()[0] == ",".join(["time", *(c.name for c in spec.columns)])
    loaded = validate_table(_read_back(spec), spec.name, spec.file("BTC"))
    assert to_csv(loaded.reset_index(), spec.name) == text


def test_the_demo_snapshot_round_trips_through_the_registry_formats() -> None:
    snap = load_snapshot(DEMO)
    held = [getattr(a, name) for a in snap.assets.values() for name in ASSET_DATASETS]
    held += [getattr(snap, name) for name in MARKET_DATASETS]
    files = {DATASETS[d.name].file(d.asset): d for d in held if d is not None}
    assert sorted(files) == sorted(p.relative_to(DEMO).as_posix() for p in DEMO.rglob("*.csv"))
    for rel, d in files.items():
        assert to_csv(d.frame.reset_index(), d.name) == (DEMO / rel).read_text(), rel


def test_venues_are_loaded_from_the_manifest(tmp_path: Path) -> None:
    snap = load_snapshot(DEMO)
    assert snap.assets["BTC"].liquidations is not None and snap.dxy is not None
    assert snap.assets["BTC"].liquidations.venues == ("Binance", "OKX", "Bybit")
    assert snap.assets["ETH"].candles_1h is not None
    assert snap.assets["ETH"].candles_1h.venues == ("Binance",)
    assert snap.dxy.venues == ()
    copy = tmp_path / "snap"
    shutil.copytree(DEMO, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["datasets"]["dxy.csv"]["venues"]  # older snapshots have none
    manifest["datasets"]["funding/BTC.csv"]["venues"] = ["Binance", "Bybit"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    again = load_snapshot(copy)
    assert again.dxy is not None and again.dxy.venues == ()
    assert again.assets["BTC"].funding is not None
    assert again.assets["BTC"].funding.venues == ("Binance", "Bybit")
    manifest["datasets"]["funding/BTC.csv"]["venues"] = "Binance"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotError, match=r'"venues" of funding/BTC.csv must be a list'):
        load_snapshot(copy)


def test_stale_after_has_one_key_per_dataset_with_its_default() -> None:
    stale = settings.StaleSettings()
    assert [f.name for f in dataclasses.fields(stale)] == list(DATASETS)
    assert {n: stale.limit(n) for n in DATASETS} == {s.name: s.stale_after for s in REGISTRY}
    assert settings.StaleSettings(**{"funding": "9h"}).limit("funding") == "9h"
    assert "Funding rates (8-hourly prints)." in settings.settings_markdown()


def test_coinglass_covers_the_default_venues_of_liquidations() -> None:
    exchanges = settings.SourcesSettings().coinglass_exchanges.split(",")
    assert tuple(exchanges) == DATASETS["liquidations"].venues


def test_the_note_names_datasets_from_the_registry() -> None:
    assert filters.dataset_name("long_short") == DATASETS["long_short"].noun


def test_the_snapshot_format_documents_every_dataset() -> None:
    doc = datasets.DOC_PATH.read_text(encoding="utf-8")
    assert doc == datasets.documented(doc), "docs/snapshot-format.md is stale: python -m datasets"
    for spec in REGISTRY:
        assert f"| `{spec.file('<ASSET>')}` | `time,{','.join(spec.bounds)}" in doc, spec.name
    with pytest.raises(ValueError, match="lacks the markers"):
        datasets.documented("# no table here\n")
