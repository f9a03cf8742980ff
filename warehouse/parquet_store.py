"""The Parquet export directory: exported versions, their manifests and the CURRENT pointer.

Layout of ``--parquet DIR`` (written by :mod:`warehouse.export`, read by the spark engine)::

    DIR/CURRENT                                 name of the published export, e.g. v000003-4f1c0a9e2b7d
    DIR/v000003-4f1c0a9e2b7d/_manifest.json     what the export holds (written last)
    DIR/v000003-4f1c0a9e2b7d/buyers/purchase_year=2025/data_0.parquet
    DIR/v000003-4f1c0a9e2b7d/events/data_0.parquet
    DIR/.building-v000003-4f1c0a9e2b7d/         an export being written (never read)
    DIR/.lock                                   held by the one process that writes

An export's name is the warehouse version it was made from (``v000003``) and a fingerprint of
that version's identity (its number and publication time), so a warehouse rebuilt from scratch
never passes for an export of an older one. It is written in ``.building-*``, renamed into place
and published by replacing ``CURRENT`` atomically, exactly like the DuckDB versions of
:mod:`warehouse.store`; the previous export is kept for servers still reading it.

>>> import tempfile
>>> ParquetStore(Path(tempfile.mkdtemp())).current() is None
True
"""

from __future__ import annotations

import json
import os
import re
import shutil
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cid_graph.errors import WarehouseError
from warehouse.store import Version, fsync_dir, write_pointer, writer_lock

MANIFEST = "_manifest.json"
FORMAT = 1
_NAME_RE = re.compile(r"^v(\d{6,})-([0-9a-f]{12})$")


@dataclass(frozen=True)
class ExportedTable:
    """One exported table or view: where its files are and what its columns are."""

    name: str
    kind: str  # "table" or "view" in the version file
    rows: int
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type) as served
    partition_by: tuple[str, ...] = ()  # Hive partition columns (only in the paths, not served)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "rows": self.rows,
                "columns": [list(c) for c in self.columns], "partition_by": list(self.partition_by)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportedTable:
        return cls(str(data["name"]), str(data["kind"]), int(data["rows"]),
                   tuple((str(n), str(t)) for n, t in data["columns"]),
                   tuple(str(c) for c in data.get("partition_by", ())))


@dataclass(frozen=True)
class ExportedVersion:
    """A published export: the warehouse version it holds and its tables."""

    name: str
    path: Path
    tables: tuple[ExportedTable, ...]
    source: dict[str, Any]

    @property
    def number(self) -> int:
        return int(self.name[1:].split("-")[0])

    @property
    def version(self) -> Version:
        return Version(self.number, self.path)

    def table(self, name: str) -> ExportedTable:
        for t in self.tables:
            if t.name == name:
                return t
        raise WarehouseError(f"the Parquet export {self.name} has no table {name!r}",
                             hint="Export the warehouse again: `cid-graph export --warehouse PATH --parquet DIR`.")


def export_name(number: int, fingerprint: str) -> str:
    """The directory name of the export of warehouse version ``number``.

    >>> export_name(3, "4f1c0a9e2b7d0000")
    'v000003-4f1c0a9e2b7d'
    """
    return f"v{number:06d}-{fingerprint[:12]}"


class ParquetStore:
    """Find, lock and publish the exports of one Parquet directory."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser()

    def writer_lock(self) -> AbstractContextManager[None]:
        return writer_lock(self.root)

    def current_name(self) -> str | None:
        """What ``CURRENT`` names, or None when nothing was exported."""
        pointer = self.root / "CURRENT"
        try:
            name = pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        if not _NAME_RE.match(name):
            raise WarehouseError(
                f"{pointer} holds {name!r}, which is not an export name",
                hint="Export again with `cid-graph export --warehouse PATH --parquet DIR`.",
            )
        return name

    def current(self) -> ExportedVersion | None:
        """The published export with its manifest, or None when nothing was exported."""
        name = self.current_name()
        return None if name is None else self.read(name)

    def require(self) -> ExportedVersion:
        current = self.current()
        if current is None:
            raise WarehouseError(
                f"no Parquet export at {self.root}",
                hint="Export the warehouse first: `cid-graph export --warehouse PATH --parquet DIR`.",
            )
        return current

    def read(self, name: str, folder: Path | None = None) -> ExportedVersion:
        """The export ``name`` (in ``folder``, by default its published place)."""
        path = folder or self.root / name
        manifest = path / MANIFEST
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise WarehouseError(
                f"{manifest} is missing: the export {name} is incomplete",
                hint="Export again with `cid-graph export --warehouse PATH --parquet DIR`.",
            ) from None
        except ValueError as exc:
            raise WarehouseError(f"{manifest} is not valid JSON ({exc})",
                                 hint="Export again with `cid-graph export`.") from None
        if data.get("format") != FORMAT or data.get("name") != name:
            raise WarehouseError(
                f"{manifest} is of format {data.get('format')!r} for {data.get('name')!r}, not format {FORMAT} for {name}",
                hint="Export again with this version of CID Graph: `cid-graph export`.",
            )
        tables = tuple(ExportedTable.from_json(t) for t in data["tables"])
        return ExportedVersion(name, path, tables, dict(data.get("source", {})))

    def building_dir(self, name: str) -> Path:
        """A fresh folder to write the export ``name`` in (stale ones are removed)."""
        self.root.mkdir(parents=True, exist_ok=True)
        for stale in self.root.glob(".building-*"):
            shutil.rmtree(stale, ignore_errors=True)
        building = self.root / f".building-{name}"
        building.mkdir()
        return building

    def write_manifest(self, folder: Path, name: str, tables: list[ExportedTable],
                       source: dict[str, Any]) -> None:
        data = {"format": FORMAT, "name": name, "source": source, "tables": [t.to_json() for t in tables]}
        tmp = folder / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(folder / MANIFEST)

    def publish(self, name: str, building: Path | None) -> ExportedVersion:
        """Move a complete export into place (when ``building``) and make it the current one."""
        final = self.root / name
        if building is not None:
            _fsync_tree(building)
            if final.exists():  # an unpublished leftover of the same export
                shutil.rmtree(final)
            building.rename(final)
            fsync_dir(self.root)
        published = self.read(name)
        try:
            previous = self.current_name()
        except WarehouseError:
            previous = None
        write_pointer(self.root, name)
        self._prune({name, previous})
        return published

    def _prune(self, keep: set[str | None]) -> None:
        """Remove every export but the current one and the one before (servers may still read it)."""
        for path in self.root.iterdir():
            if _NAME_RE.match(path.name) and path.is_dir() and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        elif path.is_dir():
            fsync_dir(path)
    fsync_dir(folder)
