"""Load a snapshot directory (docs/snapshot-format.md) into a validated ``Snapshot``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from datasets import DATASETS, DatasetSpec, for_file, of_scope
from errors import SnapshotError
from models import AssetData, Dataset, Snapshot
from sources.schema import validate_table

FORMAT = "marketnotes-snapshot/1"


def load_snapshot(path: Path, assets: list[str] | None = None) -> Snapshot:
    """Read and validate every table of the snapshot at ``path`` (optionally only ``assets``)."""
    manifest = _read_manifest(path)
    listed: dict[str, Any] = manifest["datasets"]
    wanted = assets or list(manifest["assets"])
    unknown = [a for a in wanted if a not in manifest["assets"]]
    if unknown:
        raise SnapshotError(
            "manifest.json", f"asset(s) {', '.join(unknown)} not in {manifest['assets']}"
        )
    _check_listed(path, listed)

    def load(spec: DatasetSpec, asset: str | None) -> Dataset | None:
        rel = spec.file(asset)
        if not (path / rel).is_file():
            return None
        frame = validate_table(_read_csv(path / rel, rel), spec.name, rel)
        entry = listed[rel]
        venues = tuple(entry.get("venues", ()))
        return Dataset(spec.name, asset, str(entry["source"]), frame, spec.interval, venues)

    loaded: dict[str, AssetData] = {}
    for asset in wanted:
        found: dict[str, Any] = {spec.name: load(spec, asset) for spec in of_scope("asset")}
        for spec in of_scope("asset"):
            if spec.required and found[spec.name] is None:
                raise SnapshotError(spec.file(asset), f"missing ({spec.noun} are required)")
        loaded[asset] = AssetData(asset, **found)
    market: dict[str, Any] = {spec.name: load(spec, None) for spec in of_scope("market")}
    return Snapshot(
        path=path,
        created_at=_created_at(manifest),
        demo=bool(manifest.get("demo", False)),
        assets=loaded,
        **market,
    )


def _read_manifest(path: Path) -> dict[str, Any]:
    file = path / "manifest.json"
    if not path.is_dir():
        raise SnapshotError(str(path), "snapshot directory not found")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SnapshotError(str(file), "not found: is this a snapshot directory?") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SnapshotError("manifest.json", f"not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SnapshotError("manifest.json", f'"format" must be "{FORMAT}"')
    assets, datasets = manifest.get("assets"), manifest.get("datasets")
    if not isinstance(assets, list) or not assets or not all(isinstance(a, str) for a in assets):
        raise SnapshotError("manifest.json", '"assets" must be a non-empty list of codes')
    if not isinstance(datasets, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("source"), str) for v in datasets.values()
    ):
        raise SnapshotError("manifest.json", '"datasets" must map each file to {"source": ...}')
    for rel, entry in datasets.items():
        venues = entry.get("venues", [])
        if not isinstance(venues, list) or not all(isinstance(v, str) for v in venues):
            raise SnapshotError("manifest.json", f'"venues" of {rel} must be a list of names')
    return manifest


def _check_listed(path: Path, listed: dict[str, Any]) -> None:
    """Every data file must be cited in the manifest, and every cited file must exist."""
    on_disk = {p.relative_to(path).as_posix() for p in path.rglob("*.csv")}
    uncited = sorted(on_disk - set(listed))
    if uncited:
        raise SnapshotError(uncited[0], "not listed in manifest.json (its source is unknown)")
    absent = sorted(set(listed) - on_disk)
    if absent:
        raise SnapshotError(absent[0], "listed in manifest.json but not found")
    for rel in sorted(on_disk):
        if for_file(rel) is None:
            raise SnapshotError(rel, "not a dataset of the snapshot format")


def _read_csv(file: Path, rel: str) -> pd.DataFrame:
    try:
        return pd.read_csv(file, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise SnapshotError(rel, f"not a readable CSV ({str(exc).splitlines()[0]})") from None


def _created_at(manifest: dict[str, Any]) -> pd.Timestamp:
    try:
        return pd.Timestamp(manifest["created_at"]).tz_convert("UTC")
    except (KeyError, ValueError, TypeError):
        raise SnapshotError("manifest.json", '"created_at" must be an ISO-8601 UTC time') from None


def to_csv(frame: pd.DataFrame, name: str) -> str:
    """CSV text of a ``frame`` of dataset ``name`` (a ``time`` column, then its columns):
    ``time`` as ISO UTC with ``Z``, then each column in its registry format. Every writer of
    snapshots (live gathering, the demo generator) writes through it, so they write the same
    bytes."""
    columns = DATASETS[name].columns
    cells = [frame["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ").tolist()]
    for column in columns:
        cells.append([format(value, column.format) for value in frame[column.name].tolist()])
    header = ",".join(["time", *(column.name for column in columns)])
    return "\n".join([header, *(",".join(row) for row in zip(*cells, strict=True))]) + "\n"
