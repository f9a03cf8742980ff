"""Rollups at the compiler: what each can serve, their SQL per dialect, and the same rows.

The rollups of the shipped model are built (``warehouse.derived.build_derived``) on the small
hand-made warehouse of ``test_compiler_semantics`` (a DST night, week and year boundaries, hours
0 and 23, a refunded row), then every query of a generated set runs twice, from the rollups and
from the base tables, and must return the same rows in the same order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from metrics.catalog import Catalog
from metrics.compiler import compile_query, rollup_definitions, rollup_layouts
from metrics.compiler.plan import plan_query
from metrics.compiler.rollup import RollupLayout, covers
from metrics.definitions import Rollup
from metrics.query import Filter, GroupBy, OrderBy, Query, TimeRange
from tests.metrics.test_compiler_semantics import db as base_db  # noqa: F401 - the fixture
from warehouse.derived import DerivedTable, build_derived

GOLDENS = Path(__file__).parent / "goldens" / "rollups"


@pytest.fixture(scope="module")
def built(base_db: duckdb.DuckDBPyConnection, catalog: Catalog) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict[str, int]]]:  # noqa: F811
    tables = [DerivedTable(name, select, fingerprint) for name, select, fingerprint in rollup_definitions(catalog)]
    build_derived(base_db, tables=tables)
    rows = {lay.rollup.name: base_db.execute(f"SELECT count(*) FROM {lay.table}").fetchone()[0]  # type: ignore[index]
            for lay in rollup_layouts(catalog)}
    yield base_db, rows


def _rows(db: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    out = []
    for row in db.execute(sql).fetchall():
        out.append(tuple(round(v, 6) if isinstance(v, float) and math.isfinite(v) else v for v in row))
    return out


M = ("buyers", "tickets", "revenue_eur", "male_buyers", "young_buyers", "tickets_per_buyer")
GROUPS = [(), (GroupBy("age_group"), GroupBy("gender")), (GroupBy("country"),), (GroupBy("org_type"),),
          (GroupBy("region"),), (GroupBy("event_type"),), (GroupBy("purchased_at", "day"),),
          (GroupBy("purchased_at", "week"),), (GroupBy("purchased_at", "month"),), (GroupBy("purchased_at", "quarter"),),
          (GroupBy("purchased_at", "year"),), (GroupBy("purchased_at", None, "weekday"),),
          (GroupBy("purchased_at", None, "hour"),), (GroupBy("purchased_at", None, "weekday"), GroupBy("purchased_at", None, "hour")),
          (GroupBy("event_date", "month"),), (GroupBy("purchasing_power"),), (GroupBy("home_type"), GroupBy("country"))]
FILTERS = [(), (Filter("country", "in", ("NO",)),), (Filter("event_type", "in", ("concert", "festival")),),
           (Filter("gender", "in", ("female",)),), (Filter("org_type", "not_in", ("music",)),)]
RANGES = [None, TimeRange(date(2025, 3, 1), date(2025, 3, 31)), TimeRange(date(2025, 1, 1), date(2025, 3, 3)),
          TimeRange(date(2024, 12, 31), date(2025, 3, 30)), TimeRange(None, date(2025, 3, 2))]
ORGS: list[dict[str, Any]] = [{}, {"org_ids": ("o1", "o3")}, {"exclude_org_ids": ("o2",)}, {"extra_group_by": ("organization",)}]


def _cases() -> list[Query]:
    cases = [Query(M, g, f, r, **o) for g, f, r, o in itertools.product(GROUPS, FILTERS[:2], RANGES[:3], ORGS[1:2])]
    cases += [Query(M, g, f, r, **o) for g in GROUPS[:6] for f in FILTERS[2:] for r in RANGES[3:] for o in ORGS[2:]]
    cases += [Query(("buyers", "events", "organizations"), g, (), r, extra_group_by=("organization",))
              for g in GROUPS[:8] for r in RANGES]
    cases.append(Query(M, (GroupBy("region"),), (), None, (OrderBy("tickets_per_buyer", True),), limit=2))
    return cases


def test_every_query_gives_the_same_rows_from_rollups(built: tuple[duckdb.DuckDBPyConnection, dict[str, int]],
                                                       catalog: Catalog) -> None:
    db, rows = built
    served = 0
    for i, query in enumerate(_cases()):
        ordered = i % 3 != 0  # pooled queries are compiled without ORDER BY
        base = compile_query(catalog, query, ordered=ordered)
        fast = compile_query(catalog, query, rollups=rows, ordered=ordered)
        assert base.rollup is None
        served += fast.rollup is not None
        got, want = _rows(db, fast.sql), _rows(db, base.sql)
        if not ordered:
            got, want = sorted(got, key=repr), sorted(want, key=repr)
        assert got == want, (query, fast.rollup, fast.rollup_notes)
    assert served > len(_cases()) // 2


def _plan(catalog: Catalog, query: Query) -> Any:
    return plan_query(catalog, query)


def _layout(catalog: Catalog, name: str) -> RollupLayout:
    return next(lay for lay in rollup_layouts(catalog) if lay.rollup.name == name)


@pytest.mark.parametrize("rollup,query,reason", [
    ("org_day", Query(("events",)), "lacks measure events"),
    ("org_day", Query(("buyers",), (GroupBy("age_group"),)), "lacks dimension age_group"),
    ("org_day", Query(("buyers",), (GroupBy("purchased_at", None, "hour"),)),
     "purchased_at date part hour is not derivable from the rollup"),
    ("org_month", Query(("buyers",), (GroupBy("purchased_at", "week"),)),
     "purchased_at by week is not derivable from granularity month"),
    ("org_month", Query(("buyers",), time_range=TimeRange(date(2025, 1, 2), date(2025, 1, 31))),
     "the time range is not aligned to its granularity month"),
    ("purchase_times", Query(("buyers",), time_range=TimeRange(date(2025, 1, 1), None)),
     "has no granularity of purchased_at to restrict a time range on"),
    ("age_gender", Query(("buyers",), filters=(Filter("purchased_at", "in", ("2025-01-01",)),)),
     "lacks time dimension purchased_at (filter)"),
    ("events", Query(("buyers",), (GroupBy("buyer_region"),)), "lacks dimension buyer_region"),
])
def test_a_rollup_says_why_it_cannot_serve(catalog: Catalog, rollup: str, query: Query, reason: str) -> None:
    assert covers(_plan(catalog, query), _layout(catalog, rollup)) == reason


@pytest.mark.parametrize("rollup,query", [
    ("org_day", Query(("buyers", "tickets"), (GroupBy("country"), GroupBy("purchased_at", "week")),
                      time_range=TimeRange(date(2025, 1, 3), date(2025, 2, 9)), org_ids=("o1",))),
    ("org_month", Query(("buyers",), (GroupBy("purchased_at", "quarter"),), time_range=TimeRange(date(2025, 1, 1), date(2025, 3, 31)))),
    ("events", Query(("events", "organizations"), (GroupBy("event"), GroupBy("event_date", None, "weekday")))),
    ("events", Query(("buyers",), filters=(Filter("event_date", "between", ("2025-01-01", "2025-01-17")),))),
    ("purchase_times", Query(("buyers",), (GroupBy("purchased_at", None, "hour"), GroupBy("org_type")))),
])
def test_a_rollup_serves_what_it_can_derive(catalog: Catalog, rollup: str, query: Query) -> None:
    assert covers(_plan(catalog, query), _layout(catalog, rollup)) is None


def test_a_distinct_count_keeps_its_column_and_is_recounted(catalog: Catalog) -> None:
    layout = RollupLayout.of(Rollup("r", ("buyers", "events"), ("region",)), catalog.model)
    assert layout.distinct == {"events": "k_event_sk"} and "events" not in layout.measures
    sql = compile_query(catalog, Query(("events",), (GroupBy("region"),)), rollups={"events": 1}).sql
    assert "COUNT(DISTINCT rollup_events.k_event_sk)" in sql and "SUM(rollup_events.k_event_sk" not in sql


def test_the_smallest_covering_rollup_is_chosen(catalog: Catalog) -> None:
    query = Query(("buyers",), (GroupBy("org_type"),))
    sizes = {lay.rollup.name: 1000 for lay in rollup_layouts(catalog)}
    assert compile_query(catalog, query, rollups=dict(sizes, living=10)).rollup == "living"
    assert compile_query(catalog, query, rollups=dict(sizes, events=5)).rollup == "events"
    assert compile_query(catalog, query, rollups={}).rollup is None


def test_a_mid_month_range_is_split_but_a_distinct_count_is_not(catalog: Catalog) -> None:
    sizes = {lay.rollup.name: 1000 for lay in rollup_layouts(catalog)}
    tr = TimeRange(date(2025, 1, 15), date(2025, 4, 10))
    # tickets: no daily rollup holds them by gender (reach_day has buyers only), so the range is split
    split = compile_query(catalog, Query(("buyers", "tickets"), (GroupBy("gender"),), time_range=tr), rollups=sizes)
    assert split.rollup == "age_gender_month" and "UNION ALL" in split.sql
    assert split.rollup_notes[-1].startswith("time range split at month boundaries: 2025-01-15 to 2025-01-31 from")
    kept = compile_query(catalog, Query(("events",), (GroupBy("gender"),), time_range=tr), rollups=sizes)
    assert kept.rollup is None and "UNION" not in kept.sql


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_rollup_sql_goldens(catalog: Catalog, dialect: str, request: pytest.FixtureRequest) -> None:
    """The SELECT that builds each rollup, and a query read from one, per dialect."""
    from metrics.compiler import get_dialect

    texts = {table: select.sql(dialect=dialect, pretty=True) + "\n"
             for table, select, _ in rollup_definitions(catalog, get_dialect(dialect))}
    sizes = {lay.rollup.name: 1000 for lay in rollup_layouts(catalog)}
    read = Query(("buyers", "tickets"), (GroupBy("country"), GroupBy("purchased_at", "week")),
                 time_range=TimeRange(date(2025, 1, 15), date(2025, 4, 10)), extra_group_by=("organization",))
    texts["read_split_range"] = compile_query(catalog, read, dialect, rollups=sizes).sql + "\n"
    texts["read_events_by_event_date"] = compile_query(
        catalog, replace(read, metrics=("events",), group_by=(GroupBy("event_date", None, "weekday"),), time_range=None),
        dialect, rollups=sizes).sql + "\n"
    folder = GOLDENS / dialect
    if request.config.getoption("--update-goldens"):
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.sql"):
            stale.unlink()
        for name, text in texts.items():
            (folder / f"{name}.sql").write_text(text, encoding="utf-8")
        return
    assert {p.stem for p in folder.glob("*.sql")} == set(texts), "run pytest --update-goldens"
    for name, text in texts.items():
        assert text == (folder / f"{name}.sql").read_text(encoding="utf-8"), name
