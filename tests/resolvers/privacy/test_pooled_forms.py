"""The two forms of the pooled query agree on a real warehouse: DuckDB's (the three largest
contributions as a list aggregate, ``MAX(x, 3)``) and the portable one (row numbers per cell,
what Spark runs). Both are run on DuckDB over the demo warehouse, on a whole range, a range
split over a monthly rollup and the base tables, and a breakdown by organization type; every
published and privacy column must be the same cell by cell (sums to float precision)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from typing import Any

import duckdb
import pytest

from cid_graph.settings import Settings
from metrics.catalog import Catalog
from metrics.compiler import compile_query, render, rollup_layouts
from metrics.model import load_model
from metrics.query import Filter, GroupBy, Query, TimeRange
from resolvers.privacy.pooled import pooled_select

QUERIES = {
    "whole": Query(("buyers", "tickets", "revenue_eur", "events"), (GroupBy("age_group"),)),
    "split": Query(("buyers", "tickets", "revenue_eur"), (GroupBy("age_group"), GroupBy("gender")),
                   time_range=TimeRange(date(2024, 2, 11), date(2024, 11, 19))),
    "org_type": Query(("buyers", "tickets"), (GroupBy("org_type"),), filters=(Filter("country", "in", ("NO", "SE")),)),
    "total": Query(("buyers", "revenue_eur", "organizations")),
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(load_model(Settings.load(env={}, dotenv=None).model_dir))


@pytest.fixture(scope="module")
def con(demo_warehouse: Any, tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    import shutil

    from warehouse.store import WarehouseStore

    # A copy: other tests of the session hold the file open with the serving engine's settings,
    # and DuckDB refuses a second connection to one file with other settings.
    copy = tmp_path_factory.mktemp("pooled-forms") / "version.duckdb"
    shutil.copyfile(WarehouseStore(demo_warehouse.root).require_current().path, copy)
    return duckdb.connect(str(copy), read_only=True)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, dims: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
    table = con.sql(sql).to_arrow_table().to_pylist()
    return {tuple(r[d] for d in dims): r for r in table}


@pytest.mark.parametrize("summary", [False, True])
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_list_and_row_number_forms_agree(name: str, summary: bool, catalog: Catalog,
                                         con: duckdb.DuckDBPyConnection) -> None:
    rollups = {layout.rollup.name: 1000 for layout in rollup_layouts(catalog)}
    query = replace(QUERIES[name], extra_group_by=("organization",))
    compiled = compile_query(catalog, query, "duckdb", rollups=rollups, ordered=False)
    listed = render(pooled_select(compiled, catalog, 5000, 5, summary=summary, dialect="duckdb"), "duckdb")
    numbered = render(pooled_select(compiled, catalog, 5000, 5, summary=summary, dialect="spark"), "duckdb")
    assert "MAX(" in listed and "ROW_NUMBER" not in listed and "ROW_NUMBER" in numbered
    dims = [c for c in compiled.dimension_columns if c not in set(compiled.hidden_dimension_columns)]
    a, b = _rows(con, listed, dims), _rows(con, numbered, dims)
    assert a and a.keys() == b.keys()
    tops = 0
    for key, row in a.items():
        assert row.keys() == b[key].keys()
        for col, value in row.items():
            other = b[key][col]
            if isinstance(value, float) or isinstance(other, float):
                assert (value is None) == (other is None) and (value is None or math.isclose(value, other, rel_tol=1e-9)), (key, col)
            else:
                assert value == other, (key, col)
            tops += col.startswith("p_top2_") and value is not None
    assert tops, "no cell had a second organization: the comparison would prove nothing"
