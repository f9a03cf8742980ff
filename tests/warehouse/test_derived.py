"""Derived tables (rollups): built into every version before it is published, never stale.

A version holds exactly the rollups the semantic model declares, each recorded with the
fingerprint of its definition; a rebuild publishes a new version while the old one stays
readable; a model that does not load builds none (and drops what the copied version held);
the CLI lists and rebuilds them.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import duckdb
import pytest
from sqlglot import exp

from cid_graph.cli import main
from cid_graph.errors import QueryTimeoutError
from warehouse.derived import (
    DerivedTable,
    build_derived,
    built_derived,
    declared_tables,
    rebuild_derived,
)
from warehouse.engine import Engine
from warehouse.ingest import ingest
from warehouse.secret import Secret
from warehouse.store import WarehouseStore


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_ingest_builds_every_declared_rollup(store: WarehouseStore, secret: Secret, demo_small) -> None:
    said: list[str] = []
    ingest(store, secret, [demo_small.organizations], demo_small.transactions, progress=said.append)
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    built = built_derived(con)
    declared = {t.name: t.fingerprint for t in declared_tables()}
    assert {n: b.fingerprint for n, b in built.items()} == declared
    for name, table in built.items():
        assert table.rows == _count(con, f"SELECT count(*) FROM {name}") > 0
    # Every rollup's rows add up to the fact: nothing lost, nothing counted twice.
    buyers = _count(con, "SELECT count(*) FROM buyers")
    for name in built:
        assert _count(con, f"SELECT sum(p_n) FROM {name}") == buyers, name
    con.close()
    assert any(m.startswith("built rollup rollup_events:") for m in said)


def test_tables_no_longer_declared_are_dropped() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE buyers AS SELECT 1 AS x")
    one = DerivedTable("rollup_a", exp.select("x").from_("buyers"), "f1")
    two = DerivedTable("rollup_b", exp.select("x").from_("buyers"), "f2")
    assert build_derived(con, tables=[one, two]) == ["rollup_a", "rollup_b"]
    said: list[str] = []
    build_derived(con, said.append, tables=[one])
    assert set(built_derived(con)) == {"rollup_a"}
    assert _count(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'rollup_b'") == 0
    assert "dropped derived table rollup_b (no longer declared)" in said


def test_a_model_that_does_not_load_builds_no_rollups(store: WarehouseStore, secret: Secret, demo_small,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ingest(store, secret, [demo_small.organizations], demo_small.transactions[:1])
    (tmp_path / "broken").mkdir()
    monkeypatch.setenv("CID_GRAPH_MODEL_PATH", str(tmp_path / "broken"))
    said: list[str] = []
    result = ingest(store, secret, [], demo_small.transactions[1:2], progress=said.append)
    assert result.published  # the data still loads
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    assert built_derived(con) == {}  # and no rollup of the previous version survives to disagree with it
    assert _count(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'rollup_%'") == 0
    con.close()
    assert any(m.startswith("warning: no rollups built: the semantic model has") for m in said)


def test_rebuild_publishes_a_new_version_with_the_same_data(store: WarehouseStore, secret: Secret, demo_small,
                                                            monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    ingest(store, secret, [demo_small.organizations], demo_small.transactions[:1])
    old = store.require_current()
    con = duckdb.connect(str(old.path))  # a version built before rollups existed
    for name in built_derived(con):
        con.execute(f"DROP TABLE {name}")
    con.execute("DROP TABLE derived_tables")
    con.close()
    monkeypatch.setenv("CID_GRAPH_WAREHOUSE", str(store.root))
    assert main(["rollups", "list"]) == 0
    assert "missing" in capsys.readouterr().out
    assert main(["rollups", "build", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["version"] == old.number + 1
    assert {r["state"] for r in report["rollups"]} == {"built"}
    new = store.require_current()
    a, b = duckdb.connect(str(old.path), read_only=True), duckdb.connect(str(new.path), read_only=True)
    for table in ("buyer_rows", "events", "organizations", "org_noise"):
        assert _count(a, f"SELECT count(*) FROM {table}") == _count(b, f"SELECT count(*) FROM {table}")
    assert b.execute("SELECT value FROM meta WHERE key = 'version'").fetchone() == (str(new.number),)
    a.close()
    b.close()


def test_rebuild_with_nothing_published_says_how_to_load(store: WarehouseStore) -> None:
    with pytest.raises(Exception, match="no published warehouse") as info:
        rebuild_derived(store)
    assert "cid-graph ingest" in str(info.value)


def test_a_slow_query_is_interrupted_and_the_cursor_still_works(store: WarehouseStore, secret: Secret, demo_small) -> None:
    ingest(store, secret, [demo_small.organizations], demo_small.transactions[:1])
    engine = Engine(store.root, timeout_s=0.2)
    slow = "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3"
    started = time.perf_counter()
    with pytest.raises(QueryTimeoutError, match="longer than 0.2 s"):
        engine.execute(slow)
    assert time.perf_counter() - started < 5
    assert engine.execute("SELECT 42 AS x").to_pylist() == [{"x": 42}]
    # Each thread's query has its own limit: a fast one beside a slow one is not interrupted.
    errors: list[BaseException] = []

    def fast() -> None:
        try:
            for _ in range(20):
                engine.execute("SELECT count(*) FROM buyers")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    t = threading.Thread(target=fast)
    t.start()
    with pytest.raises(QueryTimeoutError):
        engine.execute(slow)
    t.join()
    assert errors == []
    engine.close()


def test_a_rollup_nearly_as_large_as_its_fact_is_flagged() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE buyers AS SELECT range AS x FROM range(100)")
    said: list[str] = []
    copy = DerivedTable("rollup_copy", exp.select("x").from_("buyers").group_by("x"), "f", aggregates="buyers")
    build_derived(con, said.append, tables=[copy])
    assert "warning: rollup rollup_copy has 100 rows, 100% of buyers: it saves little; give it fewer dimensions " \
           "or a coarser granularity" in said
