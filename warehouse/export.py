"""Export the published warehouse version as Parquet, for engines that read files (Spark).

``cid-graph export --warehouse PATH --parquet DIR`` writes every table and view the serving path
reads, whatever the version holds (the fact view ``buyers``, ``events``, ``organizations``,
``regions``, ``org_noise``, any derived ``rollup_*`` table), and none of the internal ones that
P1 keeps away from readers: ``buyer_rows`` (it carries the keyed buyer hash ``buyer_key``; its
served form is the ``buyers`` view, which keeps the record keys the cell key method needs),
``transactions_seen`` (keyed transaction hashes), ``customer_links`` (customer pseudonyms),
``loads`` and ``meta``. No exported column may
be named ``buyer_key`` or hold bytes; the export refuses rather than writes one.

The fact is Hive-partitioned by the year of the first purchase (``buyers/purchase_year=2025/``)
and sorted by organization and time inside, so that a reader skips other years' files and other
organizations' row groups by their statistics. Types are kept exactly (what DuckDB sums into HUGEINT is written as
DECIMAL(38,0), unsigned integers as the next signed type), so both engines compute the same
numbers from the same rows.

Re-running for the same warehouse version changes nothing; a new version is written beside the
current export and switched to atomically (see :mod:`warehouse.parquet_store`).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
from sqlglot import exp

from cid_graph.errors import WarehouseError
from warehouse.parquet_store import ExportedTable, ParquetStore, export_name
from warehouse.store import Version, WarehouseStore

Progress = Callable[[str], None]

#: Tables and views of a version file that are never exported, and why.
NOT_EXPORTED = {
    "buyer_rows": "merge state keyed by the buyer hash (P1); served as the buyers view",
    "transactions_seen": "keyed transaction hashes for de-duplication (P1)",
    "customer_links": "per-organization customer pseudonyms that tie buyer rows together (P1)",
    "survey_answer_rows": "answers keyed by the response hash (P1); served as the survey_answers view",
    "survey_answers_seen": "keyed answer hashes for de-duplication (P1)",
    "loads": "what each load did (operators only)",
    "meta": "version bookkeeping and the secret's fingerprint",
}
#: Columns no export may hold, whichever table they appear in (P1).
FORBIDDEN_COLUMNS = frozenset({"buyer_key", "txn_hash", "content_hash", "customer_key", "response_key",
                               "answer_hash"})
#: Hive partitioning of large tables: table -> (partition column, DuckDB expression).
PARTITIONS = {"buyers": ("purchase_year", "year(first_purchased_at_local)")}
#: Sort order inside the files, so that row-group statistics let engines skip data.
SORT_BY = {"buyers": ("org_id", "first_purchased_at_local")}

_PLAIN_TYPES = ("BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "VARCHAR",
                "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE")
#: Types written as another, exactly equal, type that every Parquet reader knows.
_WIDENED = {"HUGEINT": "DECIMAL(38,0)", "UHUGEINT": "DECIMAL(38,0)", "UBIGINT": "DECIMAL(20,0)",
            "UINTEGER": "BIGINT", "USMALLINT": "INTEGER", "UTINYINT": "SMALLINT"}
_DECIMAL_RE = re.compile(r"^DECIMAL\(\d+,\d+\)$")


@dataclass
class ExportResult:
    """What one export did."""

    version: int
    name: str
    path: str
    published: bool  # False: this version was already the current export (nothing written)
    tables: dict[str, int] = field(default_factory=dict)  # table -> rows
    bytes: int = 0
    seconds: float = 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def export(warehouse: WarehouseStore, parquet: ParquetStore, *, progress: Progress | None = None) -> ExportResult:
    """Export the published version of ``warehouse`` into ``parquet`` (a no-op when current).

    Raises:
        WarehouseError: nothing is published, or a table cannot be exported without breaking P1
            or exactness; WarehouseLockedError: another export is writing.
    """
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    version = warehouse.require_current()
    con = duckdb.connect(str(version.path), read_only=True)
    try:
        source = _source(con, version)
        name = export_name(version.number, str(source["fingerprint"]))
        with parquet.writer_lock():
            if parquet.current_name() == name:
                current = parquet.require()
                say(f"the Parquet export of v{version.number:06d} is current: nothing to do")
                return _result(current.tables, version, name, parquet, False, started)
            if (parquet.root / name).is_dir():
                try:
                    parquet.read(name)
                    say(f"publishing the complete export {name} found beside the current one")
                    done = parquet.publish(name, None)
                    return _result(done.tables, version, name, parquet, True, started)
                except WarehouseError:
                    pass  # incomplete: write it again
            building = parquet.building_dir(name)
            tables = [_export_table(con, building, table, kind, say) for table, kind in _tables(con)]
            parquet.write_manifest(building, name, tables, source)
            say(f"publishing {name}")
            done = parquet.publish(name, building)
            return _result(done.tables, version, name, parquet, True, started)
    finally:
        con.close()


def _result(tables: tuple[ExportedTable, ...] | list[ExportedTable], version: Version, name: str,
            parquet: ParquetStore, published: bool, started: float) -> ExportResult:
    folder = parquet.root / name
    size = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
    return ExportResult(version.number, name, str(folder), published, {t.name: t.rows for t in tables},
                        size, round(time.perf_counter() - started, 3))


def _source(con: duckdb.DuckDBPyConnection, version: Version) -> dict[str, str | int]:
    """The identity of the version: its number and when it was published."""
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    except duckdb.CatalogException:
        meta = {}
    published_at = str(meta.get("published_at", version.path.stat().st_mtime_ns))
    fingerprint = hashlib.sha256(f"{version.number}|{published_at}".encode()).hexdigest()
    return {"version": version.number, "file": version.path.name, "published_at": published_at,
            "fingerprint": fingerprint}


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT table_name, table_type FROM information_schema.tables "
        "WHERE table_schema = 'main' ORDER BY table_name").fetchall()
    return [(str(name), "view" if kind == "VIEW" else "table")
            for name, kind in rows if name not in NOT_EXPORTED]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()
    return [(str(n), str(t).replace(" ", "") if str(t).startswith("DECIMAL") else str(t)) for n, t in rows]


def _exported_type(table: str, column: str, duck_type: str) -> str | None:
    """The type ``column`` is written as (None: as it is); a clear error when it cannot be."""
    if column in FORBIDDEN_COLUMNS or duck_type == "BLOB":
        raise WarehouseError(
            f"table {table} has the column {column} ({duck_type}), which no export may hold (P1: keyed hashes stay in the warehouse)",
            hint=f"Serve {table} through a view without {column}, or add it to NOT_EXPORTED in warehouse/export.py.",
        )
    if duck_type in _PLAIN_TYPES or _DECIMAL_RE.match(duck_type):
        return None
    if duck_type in _WIDENED:
        return _WIDENED[duck_type]
    raise WarehouseError(
        f"table {table} has the column {column} of type {duck_type}, which the export cannot write exactly",
        hint="Give it one of " + ", ".join(_PLAIN_TYPES) + " or DECIMAL, or add the table to NOT_EXPORTED.",
    )


def _export_table(con: duckdb.DuckDBPyConnection, folder: Path, table: str, kind: str,
                  say: Progress) -> ExportedTable:
    columns = _columns(con, table)
    select = exp.select()
    for column, duck_type in columns:
        target = _exported_type(table, column, duck_type)
        ref = exp.column(column, quoted=True)
        select = select.select(exp.cast(ref, exp.DataType.build(target)).as_(column, quoted=True)
                               if target else ref)
    select = select.from_(exp.to_table(table, quoted=True))
    partition = PARTITIONS.get(table)
    if partition is not None:
        select = select.select(exp.maybe_parse(partition[1], dialect="duckdb").as_(partition[0]))
    if table in SORT_BY:
        select = select.order_by(*(exp.column(c, quoted=True) for c in SORT_BY[table]))
    rows = int(con.execute(exp.select(exp.Count(this=exp.Star())).from_(exp.to_table(table, quoted=True))
                           .sql("duckdb")).fetchone()[0])  # type: ignore[index]
    say(f"exporting {table} ({rows:,} rows)")
    target_dir = folder / table
    options = "FORMAT parquet, COMPRESSION zstd"
    if partition is not None:
        destination = target_dir
        options += f", PARTITION_BY ({partition[0]})"
    else:
        target_dir.mkdir()
        destination = target_dir / "data_0.parquet"
    con.execute(f"COPY ({select.sql('duckdb')}) TO {exp.Literal.string(str(destination)).sql('duckdb')} ({options})")
    pattern = exp.Literal.string(str(target_dir / "**" / "*.parquet")).sql("duckdb")
    written = int(con.execute(f"SELECT count(*) FROM read_parquet({pattern})").fetchone()[0])  # type: ignore[index]
    if written != rows:
        raise WarehouseError(f"the export of {table} holds {written:,} rows, not {rows:,}",
                             hint="Check the disk (space, errors) and export again; nothing was published.")
    return ExportedTable(table, kind, rows, tuple(columns), (partition[0],) if partition else ())
