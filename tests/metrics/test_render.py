"""Printing compiled SQL leaves the tree as it was.

``render`` prints without sqlglot's defensive copy of the whole tree (a quarter of compiling a
dashboard tab), which is only right while sqlglot's preprocessing changes nothing in the trees
the compiler builds: compiled queries are cached and wrapped again (pooling, splitting), so a
tree changed by printing would print differently the next time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlglot import exp

from metrics.catalog import Catalog
from metrics.compiler import compile_query, render, rollup_layouts
from metrics.query import GroupBy, Query, TimeRange
from resolvers.privacy.pooled import pooled_select
from tests.metrics.test_compiler_goldens import CASES, DIALECTS

# A range cut mid-month on both ends with monthly rollups: a UNION ALL of three parts.
SPLIT = Query(("buyers", "tickets", "revenue_eur"), (GroupBy("age_group"), GroupBy("gender")),
              time_range=TimeRange(date(2025, 12, 3), date(2026, 12, 2)))


def _printed_twice(tree: exp.Expression, dialect: str) -> tuple[str, str, str]:
    reference = tree.sql(dialect=dialect, copy=True)  # sqlglot's own copy: the tree untouched
    return render(tree, dialect), render(tree, dialect), reference


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_printing_a_compiled_query_does_not_change_it(case: str, dialect: str, catalog: Catalog) -> None:
    tree = compile_query(catalog, CASES[case], dialect).expression
    before = tree.copy()
    first, second, _ = _printed_twice(tree, dialect)
    assert first == second
    assert tree == before


@pytest.mark.parametrize("dialect", DIALECTS)
def test_printing_a_pooled_split_query_does_not_change_it(dialect: str, catalog: Catalog) -> None:
    rollups = {layout.rollup.name: 1000 for layout in rollup_layouts(catalog)}
    compiled = compile_query(catalog, replace(SPLIT, extra_group_by=("organization",)), dialect, rollups=rollups, ordered=False)
    assert "UNION ALL" in compiled.sql, "the range should be split over the monthly rollup"
    pooled = pooled_select(compiled, catalog, 5000, 5)
    before = pooled.copy()
    first, second, reference = _printed_twice(pooled, dialect)
    assert first == second
    assert pooled == before
    if dialect == "duckdb":  # Spark's text adds the ELSE NULL that render writes for it
        assert first == reference
