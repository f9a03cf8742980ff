"""The spark engine on a real JVM: views of every exported table, version switching, time limits."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cid_graph.errors import ConfigError, QueryError, QueryTimeoutError, WarehouseError
from cid_graph.settings import Settings
from warehouse.export import export
from warehouse.parquet_store import ParquetStore
from warehouse.serving import open_engine
from warehouse.spark_engine import SparkEngine
from warehouse.store import WarehouseStore


@pytest.fixture(scope="module")
def engine(demo_parquet: Path, spark: Any) -> Any:
    e = SparkEngine(demo_parquet, master=spark.master, timeout_s=600)
    yield e
    e.close()


def test_every_exported_table_is_a_view_with_the_duckdb_columns(engine: SparkEngine, demo_parquet: Path) -> None:
    opened = engine.require()
    con = duckdb.connect(str(WarehouseStore(demo_parquet.parent / "wh").require_current().path), read_only=True)
    for table in ParquetStore(engine.store.root).require().tables:
        spark_columns = [r["col_name"] for r in engine.execute(f"DESCRIBE {table.name}").to_pylist()
                         if r["col_name"] and not r["col_name"].startswith("#")]
        duck_columns = [r[0] for r in con.execute(f"DESCRIBE {table.name}").fetchall()]
        assert spark_columns == duck_columns, table.name
        n_spark = engine.execute(f"SELECT count(*) AS n FROM {table.name}", opened=opened).to_pylist()[0]["n"]
        assert n_spark == con.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0], table.name  # type: ignore[index]
    con.close()
    types = {r["col_name"]: r["data_type"] for r in engine.execute("DESCRIBE buyers").to_pylist()}
    assert types["first_purchased_at_local"] == "timestamp_ntz"  # local times are never shifted
    assert types["record_key"] == "smallint"


def test_parameters_row_cap_and_dialect(engine: SparkEngine, demo_warehouse: Any) -> None:
    rows = engine.execute("SELECT org_id FROM organizations WHERE org_id = ?", [demo_warehouse.member_org]).to_pylist()
    assert rows == [{"org_id": demo_warehouse.member_org}]
    with pytest.raises(QueryError) as info:
        engine.execute("SELECT org_id FROM organizations", row_cap=3)
    assert "more than 3 rows" in info.value.message
    assert engine.dialect == "spark" and engine.version == engine.published()


def test_a_query_past_its_time_limit_is_cancelled(engine: SparkEngine) -> None:
    slow = "SELECT sum(a.id * b.id) AS s FROM range(200000) a CROSS JOIN range(200000) b"
    with pytest.raises(QueryTimeoutError) as info:
        engine.execute(slow, timeout_s=1.0)
    assert "longer than 1 s" in info.value.message and info.value.hint
    assert engine.execute("SELECT count(*) AS n FROM regions").to_pylist()[0]["n"] > 0  # still serving
    with engine.deadline(0.0), pytest.raises(QueryTimeoutError):
        engine.execute("SELECT 1 AS x")


def test_moves_to_a_new_export_between_queries(demo_warehouse: Any, tmp_path: Path, spark: Any) -> None:
    store = WarehouseStore(tmp_path / "wh")
    shutil.copytree(demo_warehouse.root, store.root)
    parquet = ParquetStore(tmp_path / "parquet")
    export(store, parquet)
    engine = SparkEngine(parquet.root, master=spark.master, timeout_s=600)
    try:
        old = engine.require()
        before = engine.execute("SELECT count(*) AS n FROM organizations").to_pylist()[0]["n"]
        number, building = store.start_building()
        con = duckdb.connect(str(building))
        con.execute("UPDATE meta SET value = '2031-01-01T00:00:00+00:00' WHERE key = 'published_at'")
        con.execute("INSERT INTO organizations VALUES ('org-new', 'Ny scene', 'theatre_performing_arts', 'NO', 'NO-03', NULL)")
        con.execute("CREATE TABLE rollup_orgs AS SELECT org_type, count(*) AS n FROM organizations GROUP BY ALL")
        con.close()
        store.publish(number, building)
        assert engine.execute("SELECT count(*) AS n FROM organizations").to_pylist()[0]["n"] == before  # not exported yet
        export(store, parquet)
        assert engine.execute("SELECT count(*) AS n FROM organizations").to_pylist()[0]["n"] == before + 1
        assert engine.version == number
        assert engine.execute("SELECT sum(n) AS n FROM rollup_orgs").to_pylist()[0]["n"] == before + 1
        # a request that began on the old export finishes on it
        assert engine.execute("SELECT count(*) AS n FROM organizations", opened=old).to_pylist()[0]["n"] == before
    finally:
        engine.close()


def test_no_export_is_a_clear_error(tmp_path: Path, spark: Any) -> None:
    engine = SparkEngine(tmp_path / "nothing", master=spark.master)
    assert engine.current() is None and engine.published() is None
    with pytest.raises(WarehouseError) as info:
        engine.require()
    assert "cid-graph export" in (info.value.hint or "")


def test_settings_choose_the_engine(tmp_path: Path) -> None:
    settings = Settings.load(env={"CID_GRAPH_ENGINE": "spark", "CID_GRAPH_SPARK_CONF": "spark.driver.memory=2g"},
                             dotenv=None, warehouse=str(tmp_path))
    engine = open_engine(settings)
    assert isinstance(engine, SparkEngine) and engine.store.root == tmp_path / "parquet"
    assert engine.conf == {"spark.driver.memory": "2g"}
    with pytest.raises(ConfigError) as info:
        Settings.load(env={"CID_GRAPH_ENGINE": "presto"}, dotenv=None)
    assert "duckdb, spark" in (info.value.hint or "")
    with pytest.raises(ConfigError) as info:
        Settings.load(env={"CID_GRAPH_ENGINE": "spark", "CID_GRAPH_SPARK_CONF": "memory=2g"}, dotenv=None)
    assert "spark.key=value" in (info.value.hint or "")


def test_one_embedded_spark_per_process(tmp_path: Path, spark: Any) -> None:
    with pytest.raises(ConfigError) as info:
        SparkEngine(tmp_path, master="local[3]")._new_session()
    assert "already runs Spark on local[2]" in info.value.message
