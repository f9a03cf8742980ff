"""The Parquet export: exactly the serving tables, nothing P1 forbids, idempotent, atomic."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from cid_graph.errors import WarehouseError, WarehouseLockedError
from warehouse import export as export_module
from warehouse.export import NOT_EXPORTED, export
from warehouse.parquet_store import ParquetStore
from warehouse.store import WarehouseStore

SERVING = {"buyers", "events", "organizations", "regions", "org_noise", "population", "survey_questions",
           "survey_question_info",
           "survey_answers"}


@pytest.fixture()
def warehouse(demo_warehouse: Any, tmp_path: Path) -> WarehouseStore:
    """A private copy of the demo warehouse, to publish new versions in."""
    root = tmp_path / "wh"
    shutil.copytree(demo_warehouse.root, root)
    return WarehouseStore(root)


def _publish_new_version(store: WarehouseStore, sql: str = "") -> None:
    number, building = store.start_building()
    con = duckdb.connect(str(building))
    con.execute("UPDATE meta SET value = ? WHERE key = 'published_at'", [f"2030-01-01T00:00:{number:02d}+00:00"])
    if sql:
        con.execute(sql)
    con.close()
    store.publish(number, building)


def _files(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file() and p.name != ".lock"}


def test_exports_exactly_the_serving_tables(demo_warehouse: Any, demo_parquet: Path) -> None:
    current = ParquetStore(demo_parquet).require()
    version = WarehouseStore(demo_parquet.parent / "wh").require_current()  # the exported copy
    con = duckdb.connect(str(version.path), read_only=True)
    derived = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
               if r[0].startswith("rollup_") or r[0] == "derived_tables"}
    con.close()
    assert derived, "the demo version holds no rollups: the export of derived tables is not exercised"
    assert {t.name for t in current.tables} == SERVING | derived
    assert not SERVING & set(NOT_EXPORTED)
    for path in current.path.rglob("*.parquet"):
        schema = pq.read_schema(path)
        assert not {"buyer_key", "txn_hash", "content_hash"} & set(schema.names), path
        assert all(str(field.type) != "binary" for field in schema), path
    assert not [p for p in current.path.iterdir() if p.name in NOT_EXPORTED]


@pytest.mark.parametrize("table", sorted(SERVING))
def test_exported_rows_equal_the_version_file(demo_parquet: Path, table: str) -> None:
    current = ParquetStore(demo_parquet).require()
    version = WarehouseStore(demo_parquet.parent / "wh").require_current()  # the exported copy
    con = duckdb.connect(str(version.path), read_only=True)
    files = str(current.path / table / "**" / "*.parquet")
    partition = current.table(table).partition_by
    exported = f"(SELECT * EXCLUDE ({', '.join(partition)}) FROM read_parquet('{files}', hive_partitioning = true))" \
        if partition else f"read_parquet('{files}')"
    assert con.execute(f"SELECT count(*) FROM {exported}").fetchone() == con.execute(f"SELECT count(*) FROM {table}").fetchone()
    for a, b in ((table, exported), (exported, table)):  # the same rows, both ways, types included
        assert con.execute(f"SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})").fetchone() == (0,)
    con.close()


def test_buyers_are_partitioned_by_purchase_year(demo_parquet: Path) -> None:
    current = ParquetStore(demo_parquet).require()
    folders = sorted(p.name for p in (current.path / "buyers").iterdir())
    assert folders and all(f.startswith("purchase_year=") for f in folders)
    for folder in folders:
        year = int(folder.split("=")[1])
        years = duckdb.sql(f"SELECT DISTINCT year(first_purchased_at_local) FROM read_parquet('{current.path / 'buyers' / folder}/*.parquet')").fetchall()
        assert years == [(year,)]


def test_same_version_is_a_no_op_and_a_new_one_is_switched_to(warehouse: WarehouseStore, tmp_path: Path) -> None:
    parquet = ParquetStore(tmp_path / "parquet")
    first = export(warehouse, parquet)
    assert first.published and first.tables["buyers"] > 0
    before = _files(parquet.root)
    again = export(warehouse, parquet)
    assert not again.published and again.name == first.name
    assert _files(parquet.root) == before  # not one file written again

    _publish_new_version(warehouse)
    second = export(warehouse, parquet)
    assert second.published and second.version == first.version + 1
    assert parquet.current_name() == second.name
    assert (parquet.root / first.name).is_dir()  # kept for servers still reading it

    _publish_new_version(warehouse)
    third = export(warehouse, parquet)
    assert sorted(p.name for p in parquet.root.iterdir() if p.name.startswith("v")) == sorted([second.name, third.name])


def test_a_failed_export_changes_nothing(warehouse: WarehouseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parquet = ParquetStore(tmp_path / "parquet")
    first = export(warehouse, parquet)
    _publish_new_version(warehouse)
    real = export_module._export_table

    def failing(con: Any, folder: Path, table: str, kind: str, say: Any) -> Any:
        if table == "events":
            raise OSError("No space left on device")
        return real(con, folder, table, kind, say)

    monkeypatch.setattr(export_module, "_export_table", failing)
    with pytest.raises(OSError):
        export(warehouse, parquet)
    assert parquet.current_name() == first.name and parquet.require().tables == first_tables(parquet, first.name)
    monkeypatch.undo()
    done = export(warehouse, parquet)  # the next export cleans up and succeeds
    assert done.published and not list(parquet.root.glob(".building-*"))


def first_tables(parquet: ParquetStore, name: str) -> Any:
    return parquet.read(name).tables


def test_rollups_are_exported_exactly_and_keys_never(warehouse: WarehouseStore, tmp_path: Path) -> None:
    _publish_new_version(warehouse, "CREATE TABLE rollup_month AS SELECT org_id, date_trunc('month', "
                                    "first_purchased_at_local) AS month, sum(tickets::HUGEINT) AS tickets, "
                                    "count(*)::UBIGINT AS n FROM buyers GROUP BY ALL")
    parquet = ParquetStore(tmp_path / "parquet")
    result = export(warehouse, parquet)
    assert "rollup_month" in result.tables
    schema = pq.read_schema(next((parquet.root / result.name / "rollup_month").glob("*.parquet")))
    assert str(schema.field("tickets").type) == "decimal128(38, 0)" and str(schema.field("n").type) == "decimal128(20, 0)"

    _publish_new_version(warehouse, "CREATE TABLE rollup_keys AS SELECT buyer_key, tickets FROM buyer_rows")
    with pytest.raises(WarehouseError) as info:
        export(warehouse, parquet)
    assert "buyer_key" in info.value.message and "P1" in info.value.message and info.value.hint
    assert parquet.current_name() == result.name  # nothing published


def test_a_second_writer_is_refused(warehouse: WarehouseStore, tmp_path: Path) -> None:
    parquet = ParquetStore(tmp_path / "parquet")
    with parquet.writer_lock(), pytest.raises(WarehouseLockedError) as info:
        export(warehouse, parquet)
    assert info.value.hint


def test_nothing_published_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError) as info:
        export(WarehouseStore(tmp_path / "empty"), ParquetStore(tmp_path / "parquet"))
    assert "no published warehouse" in info.value.message and "cid-graph" in (info.value.hint or "")
