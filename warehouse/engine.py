"""Executing compiled queries on the published warehouse version.

The engine opens the published version read-only and gives each worker thread its own cursor
(one DuckDB connection must not be used from several threads). Between queries it notices a
newly published version and moves to it: queries already running finish on the old file, new
ones run on the new one, and no query ever sees a half-built version (versions are whole files
published by rename). Each query has a time limit (the cursor running it is interrupted) and a
row cap. It is the default :class:`~warehouse.serving.ServingEngine`.

>>> import tempfile; from pathlib import Path
>>> engine = Engine(Path(tempfile.mkdtemp()))
>>> engine.current() is None
True
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from cid_graph.errors import WarehouseError
from warehouse.serving import Deadlines, check_row_cap, query_timeout
from warehouse.store import Version, WarehouseStore
from warehouse.watchdog import Watchdog

# Queries run with ``execute``, not ``sql``: a relation from ``sql()`` binds the query once to
# know its columns and again to run it, a fifth of a dashboard widget's CPU. DuckDB then warns
# that Arrow from a DB-API result copies the rows; results here are at most ``row_cap`` rows.
# Set once at import: ``warnings.catch_warnings`` is not thread-safe and queries run in threads.
_ARROW_COPY_WARNING = "Arrow output on a DB-API result makes an extra copy"
warnings.filterwarnings("ignore", message=_ARROW_COPY_WARNING, category=UserWarning)

#: Interrupts queries past their time limit (one thread for every engine of the process).
_WATCHDOG = Watchdog()


@dataclass
class _Open:
    version: Version
    con: duckdb.DuckDBPyConnection
    local: threading.local
    #: Facts this version holds in an older form, with what they lack: queries of them are
    #: refused with a hint to load again; the rest of the version is served.
    outdated: dict[str, str] = field(default_factory=dict)


class Engine:
    """Read-only access to the current warehouse version from many threads."""

    dialect = "duckdb"

    def __init__(self, root: Path | str, *, timeout_s: float = 15.0, threads: int = 2) -> None:
        self.store = WarehouseStore(root)
        self.timeout_s = timeout_s
        self.threads = threads
        self._lock = threading.Lock()
        self._open: _Open | None = None
        self._retired: list[_Open] = []
        self._deadlines = Deadlines()

    # -- versions ---------------------------------------------------------------------------
    def current(self) -> _Open | None:
        """The open current version, reopening when a newer one was published."""
        version = self.store.current_version()
        if version is None:
            return None
        with self._lock:
            if self._open is None or self._open.version != version:
                con = duckdb.connect(str(version.path), read_only=True,
                                     config={"threads": max(1, self.threads)})
                con.execute("SET TimeZone = 'UTC'")
                _check_serving_tables(con, version)
                if self._open is not None:
                    # Keep the old connection until garbage: queries may still run on it.
                    self._retired = [self._open]
                self._open = _Open(version, con, threading.local(), _outdated_facts(con))
            return self._open

    def require(self) -> _Open:
        opened = self.current()
        if opened is None:
            raise WarehouseError(
                f"no published warehouse at {self.store.root}",
                hint="Load data first: `cid-graph demo --warehouse PATH` or `cid-graph ingest ...`.",
            )
        return opened

    @property
    def version(self) -> int:
        return self.require().version.number

    def published(self) -> int | None:
        version = self.store.current_version()
        return None if version is None else version.number

    # -- queries ----------------------------------------------------------------------------
    def cursor(self, opened: _Open | None = None) -> duckdb.DuckDBPyConnection:
        opened = opened or self.require()
        cur = getattr(opened.local, "cursor", None)
        if cur is None:
            cur = opened.con.cursor()
            cur.execute("SET TimeZone = 'UTC'")
            opened.local.cursor = cur
        return cur

    def execute(
        self,
        sql: str,
        params: Sequence[Any] = (),
        *,
        row_cap: int | None = None,
        timeout_s: float | None = None,
        opened: _Open | None = None,
    ) -> pa.Table:
        """Run one query on this thread's cursor; interrupt it past the time limit."""
        cur = self.cursor(opened)
        limit = self._deadlines.time_left(self.timeout_s if timeout_s is None else timeout_s)
        ticket = _WATCHDOG.watch(limit, cur.interrupt)
        timed_out = False
        try:
            table = cur.execute(sql, list(params) or None).to_arrow_table()
        except duckdb.Error as exc:
            timed_out = _WATCHDOG.done(ticket)
            if timed_out or isinstance(exc, duckdb.InterruptException):
                raise query_timeout(limit) from None
            raise
        finally:
            if not timed_out:
                _WATCHDOG.done(ticket)
        return check_row_cap(table, row_cap)

    def deadline(self, seconds: float) -> contextlib.AbstractContextManager[None]:
        """Give every query this thread runs inside the block at most ``seconds`` in total."""
        return self._deadlines.deadline(seconds)

    def close(self) -> None:
        with self._lock:
            for opened in [self._open, *self._retired]:
                if opened is not None:
                    opened.con.close()
            self._open, self._retired = None, []


#: Tables every served version must hold (older versions lack the later ones).
SERVING_TABLES = ("buyers", "events", "organizations", "regions", "org_noise")


#: Optional facts and a column each needs in this CID Graph's form (absent: an older version).
_FACT_COLUMNS = {"survey_answers": ("question_kind", "survey metrics (survey answers with question kinds, "
                                                      "NPS groups and main ratings)")}


def _outdated_facts(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    columns = set(con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall())
    return {table: what for table, (column, what) in _FACT_COLUMNS.items() if (table, column) not in columns}


def _check_serving_tables(con: duckdb.DuckDBPyConnection, version: Version) -> None:
    present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    missing = [t for t in SERVING_TABLES if t not in present]
    if "org_noise" in present and not con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'org_noise' AND column_name = 'slot'"
    ).fetchone()[0]:  # type: ignore[index]
        missing.append("org_noise per measure (an older one-factor org_noise)")
    if "buyers" in present and not con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'buyers' AND column_name = 'customer_status'"
    ).fetchone()[0]:  # type: ignore[index]
        missing.append("customer history (customer status, frequency, spend and lead time of buyer rows)")
    if missing:
        con.close()
        raise older_version_error(version, ", ".join(missing))


def older_version_error(version: Version, lacks: str) -> WarehouseError:
    """The error for a version an older CID Graph built, which lacks ``lacks``."""
    return WarehouseError(
        f"warehouse version {version.name} lacks {lacks}: it was built by an older CID Graph",
        hint="Load again with `cid-graph ingest` (the organizations file already loaded is enough): the new "
             "version gets what this one lacks. Or rebuild the demo with `cid-graph demo`.",
    )
