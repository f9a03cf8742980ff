"""What every serving engine offers the resolvers, and the choice between them.

The resolvers never name an engine: they get a :class:`ServingEngine` and render their SQL in its
``dialect``. Two implement it:

- :class:`warehouse.engine.Engine` (``duckdb``, the default): the published version file,
  read-only, a cursor per worker thread;
- :class:`warehouse.spark_engine.SparkEngine` (``spark``): Apache Spark SQL over the Parquet
  export of the published version (``cid-graph export``), on an embedded ``local[N]`` Spark or a
  cluster behind Spark Connect (``sc://host:port``).

Both move to a newly published version between queries, give each query a time limit (past it
the query is cancelled on the engine) and each request a time budget (:meth:`deadline`).

>>> import tempfile; from pathlib import Path
>>> from cid_graph.settings import Settings
>>> settings = Settings.load(env={}, dotenv=None, warehouse=tempfile.mkdtemp())
>>> engine = open_engine(settings)
>>> engine.dialect, engine.current() is None
('duckdb', True)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

import pyarrow as pa

from cid_graph.errors import QueryError, QueryTimeoutError
from cid_graph.settings import Settings
from warehouse.store import Version


class OpenVersion(Protocol):
    """One published version, open for queries."""

    @property
    def version(self) -> Version: ...


class ServingEngine(Protocol):
    """Read-only queries on the published version, from many threads."""

    #: sqlglot's name of the SQL dialect the engine speaks (``duckdb`` or ``spark``).
    dialect: str

    def current(self) -> OpenVersion | None:
        """The open current version (reopened when a newer one was published), or None."""
        ...

    def require(self) -> OpenVersion:
        """Like :meth:`current`, but a clear ``WarehouseError`` when nothing is published."""
        ...

    @property
    def version(self) -> int: ...

    def published(self) -> int | None:
        """The published version's number, without opening it (for health checks)."""
        ...

    def execute(self, sql: str, params: Sequence[Any] = (), *, row_cap: int | None = None,
                timeout_s: float | None = None, opened: Any = None) -> pa.Table:
        """Run one query (``?`` parameters) within the time limit; the result as Arrow."""
        ...

    def deadline(self, seconds: float) -> AbstractContextManager[None]:
        """Give every query this thread runs inside the block at most ``seconds`` in total."""
        ...

    def close(self) -> None: ...


class Deadlines:
    """The per-thread request budget both engines share (see :meth:`ServingEngine.deadline`).

    >>> d = Deadlines()
    >>> d.time_left(15.0)
    15.0
    >>> with d.deadline(2.0):
    ...     d.time_left(15.0) <= 2.0
    True
    """

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        previous = getattr(self._local, "at", None)
        self._local.at = time.monotonic() + seconds
        try:
            yield
        finally:
            self._local.at = previous

    def time_left(self, limit: float) -> float:
        """The time one query may take: its limit, or less when the request's budget is short."""
        at = getattr(self._local, "at", None)
        if at is None:
            return limit
        left = at - time.monotonic()
        if left <= 0:
            raise QueryTimeoutError(
                "the request ran out of time before all its queries were answered",
                hint="Ask for less at once: fewer metrics, comparisons or group-by dimensions.",
            )
        return min(limit, left)


def query_timeout(limit: float) -> QueryTimeoutError:
    """The error of a query stopped at its time limit."""
    return QueryTimeoutError(
        f"the query took longer than {limit:g} s and was stopped",
        hint="Narrow it: fewer group-by dimensions, a shorter time range or more filters.",
    )


def check_row_cap(table: pa.Table, row_cap: int | None) -> pa.Table:
    """``table``, or a clear error when it has more rows than ``row_cap``."""
    if row_cap is not None and table.num_rows > row_cap:
        raise QueryError(
            f"the query returns more than {row_cap} rows",
            hint="Add a limit, filters or fewer group-by dimensions.",
        )
    return table


def open_engine(settings: Settings, *, threads: int | None = None) -> ServingEngine:
    """The engine ``settings.engine`` names, over the warehouse (or its Parquet export)."""
    if settings.engine == "spark":
        from warehouse.spark_engine import SparkEngine

        return SparkEngine.from_settings(settings)
    from warehouse.engine import Engine

    return Engine(settings.warehouse_dir, timeout_s=settings.query_timeout_s,
                  threads=threads or max(1, settings.worker_threads // 2))
