"""The warehouse directory: published versions, the CURRENT pointer and the writer lock.

Layout of ``--warehouse PATH``::

    PATH/CURRENT                 name of the published version, e.g. ``v000003``
    PATH/versions/v000003.duckdb one complete DuckDB file per published version
    PATH/access.sqlite           token hashes and the audit log (never in a version file)
    PATH/corrections.sqlite      organizations' corrections of event labels (kept across versions)
    PATH/rejects/                rejects files of loads that gave no ``--rejects``
    PATH/.lock                   held by the one process that writes
    PATH/.watch.lock             held by the one drop-folder watcher (warehouse/ingest/watch.py)

A load builds the next version in ``versions/.building-*.duckdb`` beside the current one and
publishes it by renaming it into place and then replacing ``CURRENT`` atomically
(``os.replace``). A load that dies half-way leaves only a ``.building-*`` file, which the next
load removes; readers never see it. The previous version is kept so that a server still
answering from it can finish; older ones are removed.

>>> import tempfile
>>> store = WarehouseStore(Path(tempfile.mkdtemp()) / "wh")
>>> store.current_version() is None
True
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from cid_graph.errors import WarehouseError, WarehouseLockedError

_VERSION_RE = re.compile(r"^v(\d{6,})$")
KEEP_VERSIONS = 2


@dataclass(frozen=True)
class Version:
    number: int
    path: Path

    @property
    def name(self) -> str:
        return f"v{self.number:06d}"


class WarehouseStore:
    """Find, lock and publish the versions of one warehouse directory."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser()

    @property
    def versions_dir(self) -> Path:
        return self.root / "versions"

    @property
    def access_db(self) -> Path:
        return self.root / "access.sqlite"

    @property
    def corrections_db(self) -> Path:
        return self.root / "corrections.sqlite"

    @property
    def rejects_dir(self) -> Path:
        return self.root / "rejects"

    def version_path(self, number: int) -> Path:
        return self.versions_dir / f"v{number:06d}.duckdb"

    def current_version(self) -> Version | None:
        """The published version, or None when nothing was ever published."""
        pointer = self.root / "CURRENT"
        try:
            name = pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        m = _VERSION_RE.match(name)
        if not m:
            raise WarehouseError(
                f"{pointer} holds {name!r}, which is not a version name",
                hint="Restore it to the newest file name in versions/ without .duckdb, e.g. v000003.",
            )
        version = Version(int(m.group(1)), self.version_path(int(m.group(1))))
        if not version.path.is_file():
            raise WarehouseError(
                f"{pointer} names {name}, but {version.path} is missing",
                hint="Point CURRENT at a version file that exists, or load the data again.",
            )
        return version

    def require_current(self) -> Version:
        version = self.current_version()
        if version is None:
            raise WarehouseError(
                f"no published warehouse at {self.root}",
                hint="Load data first: `cid-graph ingest --warehouse PATH ...` or `cid-graph demo --warehouse PATH`.",
            )
        return version

    def writer_lock(self) -> AbstractContextManager[None]:
        """Hold the one-writer lock; a second writer fails at once with a clear message."""
        return writer_lock(self.root)

    def watch_lock(self) -> AbstractContextManager[None]:
        """Hold the one-watcher lock: a second drop-folder watcher on this warehouse fails at once.

        Each load the watcher starts still takes :meth:`writer_lock`, only for as long as it runs."""
        return writer_lock(self.root, ".watch.lock", "watched")

    def start_building(self) -> tuple[int, Path]:
        """Prepare the file of the next version: a copy of the current one, or a new file."""
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.versions_dir.glob(".building-*"):
            stale.unlink()
        current = self.current_version()
        number = (current.number if current else 0) + 1
        building = self.versions_dir / f".building-v{number:06d}.duckdb"
        if current is not None:
            shutil.copyfile(current.path, building)
        return number, building

    def publish(self, number: int, building: Path) -> Version:
        """Make a fully written version file the published one, atomically."""
        final = self.version_path(number)
        os.replace(building, final)
        fsync_dir(self.versions_dir)
        write_pointer(self.root, f"v{number:06d}")
        self._prune(number)
        return Version(number, final)

    def _prune(self, current: int) -> None:
        for path in self.versions_dir.glob("v*.duckdb"):
            m = _VERSION_RE.match(path.stem)
            if m and int(m.group(1)) <= current - KEEP_VERSIONS:
                path.unlink(missing_ok=True)
                Path(str(path) + ".wal").unlink(missing_ok=True)


@contextmanager
def writer_lock(root: Path, name: str = ".lock", doing: str = "written") -> Iterator[None]:
    """Hold ``root/.lock``, the one-writer lock of a directory; a second writer fails at once."""
    root.mkdir(parents=True, exist_ok=True)
    lock_path = root / name
    with open(lock_path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise WarehouseLockedError(
                f"{root} is being {doing} by {holder}",
                hint="Wait for that process to finish and run this command again.",
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_pointer(root: Path, name: str) -> None:
    """Make ``root/CURRENT`` name ``name``, atomically (write, fsync, rename, fsync the folder)."""
    tmp = root / ".CURRENT.tmp"
    tmp.write_text(f"{name}\n", encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, root / "CURRENT")
    fsync_dir(root)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
