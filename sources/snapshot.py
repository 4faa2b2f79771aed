"""Load a snapshot directory (docs/snapshot-format.md) into a validated ``Snapshot``.

A snapshot may come from anywhere, so nothing in it is trusted before it is checked, and every
problem is a ``SnapshotError`` (one line, exit 2): each file is read only if it is a regular
file inside the snapshot (a symlink may point within it) no larger than ``max_mb``; the
manifest is JSON of the documented shape (however deeply nested or oversized it is otherwise);
asset codes are codes (they become file names) and source and venue names are plain text
(they are printed in the note and drawn in the charts).
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import pandas as pd

from datasets import DATASETS, DatasetSpec, for_file, of_scope
from errors import SnapshotError
from models import AssetData, Dataset, Snapshot
from settings import SourcesSettings
from sources.schema import text_problem, validate_table

FORMAT = "marketnotes-snapshot/1"
ASSET_CODE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,18}[A-Za-z0-9])?")
"""An asset code: up to 20 letters, digits, ``_`` or ``-`` (``BTC``, ``1000PEPE``)."""
NAME_LIMIT = 200
"""Most characters of a source or venue name."""
MAX_MB = SourcesSettings.max_file_mb
"""The default size cap of a snapshot file (``[sources] max_file_mb``)."""


def load_snapshot(
    path: Path, assets: list[str] | None = None, *, max_mb: float = MAX_MB
) -> Snapshot:
    """Read and validate every table of the snapshot at ``path`` (optionally only ``assets``);
    a file larger than ``max_mb`` megabytes is refused unread."""
    limit = int(max_mb * 1_000_000)
    manifest = _read_manifest(path, limit)
    listed: dict[str, Any] = manifest["datasets"]
    wanted = assets or list(manifest["assets"])
    unknown = [a for a in wanted if a not in manifest["assets"]]
    if unknown:
        shown = ", ".join(_shown(a) for a in unknown)
        raise SnapshotError("manifest.json", f"asset(s) {shown} not in {manifest['assets']}")
    _check_listed(path, listed)

    def load(spec: DatasetSpec, asset: str | None) -> Dataset | None:
        rel = spec.file(asset)
        if rel not in listed:
            return None
        frame = validate_table(_read_csv(path, rel, limit), spec.name, rel)
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


def _read_manifest(path: Path, limit: int) -> dict[str, Any]:
    if not path.is_dir():
        raise SnapshotError(str(path), "snapshot directory not found")
    if not os.path.lexists(path / "manifest.json"):
        raise SnapshotError(str(path / "manifest.json"), "not found: is this a snapshot directory?")
    text = _read(path, "manifest.json", limit)
    try:
        manifest = json.loads(text)
    except RecursionError:
        raise SnapshotError("manifest.json", "not valid JSON (nested too deeply)") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, an overlong number
        raise SnapshotError("manifest.json", f"not valid JSON ({_first_line(exc)})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SnapshotError("manifest.json", f'"format" must be "{FORMAT}"')
    assets, datasets = manifest.get("assets"), manifest.get("datasets")
    if not isinstance(assets, list) or not assets or not all(isinstance(a, str) for a in assets):
        raise SnapshotError("manifest.json", '"assets" must be a non-empty list of codes')
    for code in assets:
        if not ASSET_CODE.fullmatch(code):
            raise SnapshotError(
                "manifest.json",
                f"asset {_shown(code)} is not a code (up to 20 letters, digits, _ or -: BTC)",
            )
    if not isinstance(datasets, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("source"), str) for v in datasets.values()
    ):
        raise SnapshotError("manifest.json", '"datasets" must map each file to {"source": ...}')
    for rel, entry in datasets.items():
        _check_names(_shown(rel), entry)
    return manifest


def _check_names(rel: str, entry: dict[str, Any]) -> None:
    """The source and venues of a manifest entry are plain names."""
    venues = entry.get("venues", [])
    if not isinstance(venues, list) or not all(isinstance(v, str) for v in venues):
        raise SnapshotError("manifest.json", f'"venues" of {rel} must be a list of names')
    for key, name in [("source", entry["source"]), *(("venues", v) for v in venues)]:
        problem = "is empty" if not name.strip() else text_problem(name, NAME_LIMIT)
        if problem:
            raise SnapshotError("manifest.json", f'"{key}" of {rel} {problem}: {_shown(name)}')


def _check_listed(path: Path, listed: dict[str, Any]) -> None:
    """Every data file must be cited in the manifest, and every cited file must exist."""
    on_disk = {p.relative_to(path).as_posix() for p in path.rglob("*.csv")}
    uncited = sorted(on_disk - set(listed))
    if uncited:
        raise SnapshotError(
            _shown(uncited[0]), "not listed in manifest.json (its source is unknown)"
        )
    absent = sorted(set(listed) - on_disk)
    if absent:
        raise SnapshotError(_shown(absent[0]), "listed in manifest.json but not found")
    for rel in sorted(on_disk):
        if for_file(rel) is None:
            raise SnapshotError(_shown(rel), "not a dataset of the snapshot format")


def _read(root: Path, rel: str, limit: int) -> bytes:
    """The bytes of ``root/rel``: a regular file within the snapshot (a symlink must stay in
    it) of at most ``limit`` bytes, else ``SnapshotError``. Opened without blocking and
    checked again once open, so a FIFO or a swapped file is never read."""
    file = root / rel
    try:
        real = file.resolve(strict=True)
        inside = real.is_relative_to(root.resolve(strict=True))
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW) if inside else -1
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        raise SnapshotError(_shown(rel), f"cannot be read ({_first_line(exc)})") from None
    if fd < 0:
        raise SnapshotError(_shown(rel), "is a symlink to outside the snapshot")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SnapshotError(_shown(rel), "is not a regular file")
        too_big = SnapshotError(_shown(rel), f"is larger than {_mb(limit)} ([sources] max_file_mb)")
        if info.st_size > limit:
            raise too_big
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise too_big
    return data


def _read_csv(root: Path, rel: str, limit: int) -> pd.DataFrame:
    data = _read(root, rel, limit)
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""])
    except ValueError as exc:  # ParserError, EmptyDataError, UnicodeDecodeError
        raise SnapshotError(rel, f"not a readable CSV ({_first_line(exc)})") from None


def _shown(text: str) -> str:
    """``text`` as a message may quote it: as it is when printable and short, else its repr
    cut to 60 characters (a name from outside never breaks the one-line error)."""
    return text if text.isprintable() and len(text) <= 60 else repr(text)[:60]


def _first_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    return lines[0][:200] if lines else type(exc).__name__


def _mb(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB"


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
