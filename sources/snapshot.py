"""Load a snapshot directory (docs/snapshot-format.md) into a validated ``Snapshot``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from errors import SnapshotError
from models import ASSET_DATASETS, MARKET_DATASETS, AssetData, Dataset, Snapshot
from sources.schema import SCHEMAS, validate_table

FORMAT = "marketnotes-snapshot/1"

#: How each column after ``time`` is written, per dataset (``format()`` specs), so that
#: every writer of snapshots (live gathering, the demo generator) writes the same bytes.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "candles_1d": (
        ("open", ".2f"),
        ("high", ".2f"),
        ("low", ".2f"),
        ("close", ".2f"),
        ("volume", ".4f"),
    ),
    "funding": (("rate", ".8f"),),
    "open_interest": (("oi_usd", ".2f"),),
    "liquidations": (("long_usd", ".2f"), ("short_usd", ".2f")),
    "long_short": (("long_pct", ".2f"),),
    "fear_greed": (("value", "d"), ("classification", "s")),
    "dxy": (("close", ".3f"),),
}
COLUMNS["candles_1h"] = COLUMNS["candles_1d"]


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

    def load(rel: str, name: str, asset: str | None) -> Dataset | None:
        if not (path / rel).is_file():
            return None
        raw = _read_csv(path / rel, rel)
        frame = validate_table(raw, name, rel)
        return Dataset(name, asset, str(listed[rel]["source"]), frame, SCHEMAS[name].interval)

    loaded: dict[str, AssetData] = {}
    for asset in wanted:
        found = {name: load(f"{name}/{asset}.csv", name, asset) for name in ASSET_DATASETS}
        daily = found.pop("candles_1d")
        if daily is None:
            raise SnapshotError(f"candles_1d/{asset}.csv", "missing (daily candles are required)")
        loaded[asset] = AssetData(asset, daily, **found)
    market = {name: load(f"{name}.csv", name, None) for name in MARKET_DATASETS}
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
    known = {*(f"{n}/" for n in ASSET_DATASETS), *(f"{n}.csv" for n in MARKET_DATASETS)}
    for rel in on_disk:
        if not any(rel.startswith(k) if k.endswith("/") else rel == k for k in known):
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


def to_csv(frame: pd.DataFrame, columns: tuple[tuple[str, str], ...]) -> str:
    """CSV text of ``frame``: ``time`` as ISO UTC with ``Z``, then each column in its format."""
    cells = [frame["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ").tolist()]
    for column, spec in columns:
        cells.append([format(value, spec) for value in frame[column].tolist()])
    header = ",".join(["time", *(column for column, _ in columns)])
    return "\n".join([header, *(",".join(row) for row in zip(*cells, strict=True))]) + "\n"
