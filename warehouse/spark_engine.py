"""Apache Spark SQL as a serving engine, over the Parquet export of the published version.

The same :class:`~warehouse.serving.ServingEngine` as the DuckDB engine: the resolvers render
their SQL in the ``spark`` dialect and this engine runs it on

- an embedded Spark (``local[N]``: a JVM beside this process, N cores), or
- a cluster behind Spark Connect (``sc://host:15002``), which reads the export from where it
  sees it (``spark_data_uri``, e.g. an object store or a shared mount).

Every published export gets its own Spark session, in which each exported table is a temporary
view of the same name (``buyers``, ``events``, ``org_noise``, ...): a newly published export is
picked up between queries, queries already running finish on the old session, and no query sees
a half-written export (see :mod:`warehouse.parquet_store`). The session time zone is UTC and
the warehouse's timestamps are read as TIMESTAMP_NTZ, so local times are never shifted. Each
query carries a job tag; past its time limit the tag is interrupted, which cancels its jobs on
the cluster.

pyspark is an optional extra (``pip install 'cid-graph[spark]'``) and needs Java 17+.

>>> import tempfile
>>> engine = SparkEngine(tempfile.mkdtemp())
>>> engine.dialect, engine.current() is None
('spark', True)
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from cid_graph.errors import ConfigError, WarehouseError
from cid_graph.settings import Settings
from warehouse.parquet_store import ExportedVersion, ParquetStore
from warehouse.serving import Deadlines, check_row_cap, query_timeout
from warehouse.store import Version

#: Settings of every session: UTC, no web UI and no progress bars, loopback only for local Spark.
SESSION_CONF = {"spark.sql.session.timeZone": "UTC"}
LOCAL_CONF = {
    "spark.app.name": "cid-graph",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    # Serving queries are small aggregates: no re-planning between stages (the shuffle
    # partitions follow the cores, see embedded_spark).
    "spark.sql.adaptive.enabled": "false",
}

_BASE_LOCK = threading.Lock()
logging.getLogger("py4j").setLevel(logging.WARNING)  # one INFO line per closed gateway connection


@dataclass
class _Open:
    version: Version
    name: str
    session: Any


class SparkEngine:
    """Read-only Spark SQL over the current Parquet export, from many threads."""

    dialect = "spark"

    def __init__(self, parquet_root: Path | str, *, master: str = "local[2]",
                 conf: dict[str, str] | None = None, data_uri: str = "", timeout_s: float = 15.0) -> None:
        self.store = ParquetStore(parquet_root)
        self.master = master
        self.conf = dict(conf or {})
        self.data_uri = data_uri.rstrip("/")
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._open: _Open | None = None
        self._retired: list[_Open] = []
        self._deadlines = Deadlines()
        self._owned_base: Any = None

    @classmethod
    def from_settings(cls, settings: Settings) -> SparkEngine:
        return cls(settings.parquet_path, master=settings.spark_master, conf=settings.spark_options(),
                   data_uri=settings.spark_data_uri, timeout_s=settings.query_timeout_s)

    @property
    def remote(self) -> bool:
        """True for a cluster behind Spark Connect."""
        return self.master.startswith("sc://")

    # -- versions ---------------------------------------------------------------------------
    def published(self) -> int | None:
        name = self.store.current_name()
        return None if name is None else int(name[1:].split("-")[0])

    def current(self) -> _Open | None:
        """The session of the current export, opened anew when a newer one was published."""
        name = self.store.current_name()
        if name is None:
            return None
        with self._lock:
            if self._open is None or self._open.name != name:
                exported = self.store.read(name)
                session = self._new_session()
                self._register(session, exported)
                if self._open is not None:
                    # Queries may still run on the previous session; the one before goes now.
                    for old in self._retired:
                        self._release(old)
                    self._retired = [self._open]
                self._open = _Open(exported.version, name, session)
            return self._open

    def require(self) -> _Open:
        opened = self.current()
        if opened is None:
            raise WarehouseError(
                f"no Parquet export at {self.store.root}",
                hint="Export the warehouse first: `cid-graph export --warehouse PATH --parquet DIR`.",
            )
        return opened

    @property
    def version(self) -> int:
        return self.require().version.number

    # -- queries ----------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = (), *, row_cap: int | None = None,
                timeout_s: float | None = None, opened: _Open | None = None) -> pa.Table:
        """Run one query under a job tag; interrupt the tag past the time limit."""
        opened = opened or self.require()
        session = opened.session
        limit = self._deadlines.time_left(self.timeout_s if timeout_s is None else timeout_s)
        tag = f"cid-graph-{uuid.uuid4().hex}"
        fired = threading.Event()

        def cancel() -> None:
            fired.set()
            with contextlib.suppress(Exception):  # the query may have ended meanwhile
                session.interruptTag(tag)

        session.addTag(tag)
        timer = threading.Timer(limit, cancel)
        timer.daemon = True
        timer.start()
        try:
            table = session.sql(sql, args=list(params) or None).toArrow()
        except Exception:
            if fired.is_set():
                raise query_timeout(limit) from None
            raise
        finally:
            timer.cancel()
            session.removeTag(tag)
        return check_row_cap(table, row_cap)

    def deadline(self, seconds: float) -> contextlib.AbstractContextManager[None]:
        """Give every query this thread runs inside the block at most ``seconds`` in total."""
        return self._deadlines.deadline(seconds)

    def close(self) -> None:
        with self._lock:
            for opened in [self._open, *self._retired]:
                if opened is not None:
                    self._release(opened)
            self._open, self._retired = None, []
            if self._owned_base is not None:  # the embedded Spark this engine started
                self._owned_base.stop()
                self._owned_base = None

    # -- sessions ---------------------------------------------------------------------------
    def _new_session(self) -> Any:
        _pyspark_session()  # a clear error when pyspark is missing
        if self.remote:
            # The Connect client's own builder: pyspark's generic one marks the whole process (its
            # environment, inherited by child processes) as Spark Connect only.
            from pyspark.sql.connect.session import SparkSession as RemoteSession

            try:
                session = RemoteSession.builder.remote(self.master).create()
            except Exception as exc:
                raise WarehouseError(f"cannot open a Spark Connect session at {self.master}: {exc}",
                                     hint="Check CID_GRAPH_SPARK_MASTER and that the Spark Connect server runs "
                                          "(start-connect-server.sh on the cluster).") from None
        else:
            base, created = embedded_spark(self.master, self.conf)
            if created:
                self._owned_base = base
            session = base.newSession()
        for key, value in {**SESSION_CONF, **{k: v for k, v in self.conf.items()
                                                if k.startswith("spark.sql.")}}.items():
            session.conf.set(key, value)
        return session

    def _register(self, session: Any, exported: ExportedVersion) -> None:
        """Every exported table as a temporary view of the same name, columns as in DuckDB."""
        for table in exported.tables:
            frame = session.read.parquet(self._uri(exported, table.name))
            if table.partition_by:
                frame = frame.drop(*table.partition_by)
            columns = list(frame.columns)
            expected = [name for name, _ in table.columns]
            if columns != expected:
                raise WarehouseError(
                    f"the Parquet export {exported.name} of {table.name} has the columns {columns}, not {expected}",
                    hint="Export the warehouse again: `cid-graph export --warehouse PATH --parquet DIR`.",
                )
            frame.createOrReplaceTempView(table.name)

    def _uri(self, exported: ExportedVersion, table: str) -> str:
        if self.data_uri:
            return f"{self.data_uri}/{exported.name}/{table}"
        return str((exported.path / table).resolve())

    def _release(self, opened: _Open) -> None:
        if self.remote:
            with contextlib.suppress(Exception):
                opened.session.stop()


def embedded_spark(master: str, conf: dict[str, str] | None = None) -> tuple[Any, bool]:
    """The process's one embedded Spark (a JVM), and whether this call started it.

    A process has at most one: an engine reuses the one running (a test session's, say) and
    refuses one on another master.
    """
    SparkSession = _pyspark_session()
    from pyspark import SparkContext

    with _BASE_LOCK:
        if SparkContext._active_spark_context is not None:
            base = SparkSession.builder.getOrCreate()
            running = base.sparkContext.master
            if running != master:
                raise ConfigError(f"this process already runs Spark on {running}, not {master}",
                                  hint="Use one spark_master per process.")
            return base, False
        builder = SparkSession.builder.master(master)
        cores = re.fullmatch(r"local\[(\d+)\]", master)
        partitions = {"spark.sql.shuffle.partitions": cores.group(1) if cores else "4"}
        for key, value in {**LOCAL_CONF, **partitions, **SESSION_CONF, **(conf or {})}.items():
            builder = builder.config(key, value)
        try:
            base = builder.getOrCreate()
        except Exception as exc:
            first = str(exc).splitlines()[0] if str(exc) else repr(exc)
            raise ConfigError(
                f"could not start Spark ({master}): {first}",
                hint="Spark needs Java 17 or newer: install a JRE (Debian: apt-get install "
                     "openjdk-17-jre-headless) or point JAVA_HOME at one.",
            ) from None
        base.sparkContext.setLogLevel("ERROR")
        return base, True


def _pyspark_session() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(
            "the spark engine needs pyspark, which is not installed",
            hint="Install the extra: pip install 'cid-graph[spark]' (Java 17+ is needed too), "
                 "or set CID_GRAPH_ENGINE=duckdb.",
        ) from None
    return SparkSession
