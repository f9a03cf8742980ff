"""Compile a :class:`~metrics.query.Query` into SQL, with sqlglot builders only.

Two passes: :func:`~metrics.compiler.plan.plan_query` resolves and checks the query against
the catalog, :func:`~metrics.compiler.build.build_select` assembles the SELECT; the
:mod:`~metrics.compiler.dialects` write the calendar per engine.

>>> from cid_graph.settings import Settings
>>> from metrics.catalog import Catalog
>>> from metrics.model import load_model
>>> from metrics.query import GroupBy, Query
>>> catalog = Catalog(load_model(Settings.load(env={}, dotenv=None).model_dir))
>>> compiled = compile_query(catalog, Query(("buyers",), (GroupBy("gender"),)))
>>> compiled.dimension_columns, compiled.measure_columns, compiled.privacy_columns
(('d_gender',), {'buyers': 'm_buyers'}, ('p_n', 'p_ck_buyers'))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from sqlglot import exp

from metrics.catalog import Catalog
from metrics.compiler.build import ROW_COUNT, build_select, cell_key_alias, max_alias, measure_alias
from metrics.compiler.choose import choose_source, rollup_definitions, rollup_layouts
from metrics.compiler.dialects import Dialect, DuckDB, Spark, get_dialect, render
from metrics.compiler.plan import plan_query
from metrics.compiler.split import union_select
from metrics.compiler.values import compile_values
from metrics.query import Query

__all__ = ["CompiledQuery", "Dialect", "DuckDB", "Spark", "compile_query", "compile_values",
           "get_dialect", "render", "rollup_definitions", "rollup_layouts"]


@dataclass(frozen=True)
class CompiledQuery:
    """A compiled query and how to read its result columns.

    Attributes:
        expression: The sqlglot SELECT.
        sql: The SQL text for ``dialect`` (pretty-printed; the cache key), printed when first read.
        dialect: The sqlglot dialect name.
        dimension_columns: Output aliases of the dimensions, in ``group_by`` order, then the
            hidden ``extra_group_by`` ones.
        hidden_dimension_columns: The ``extra_group_by`` aliases only.
        measure_columns: Measure name -> output alias (``m_<measure>``).
        privacy_columns: Every privacy alias (``p_n``, ``p_ck_*``, ``p_max_*``).
        cell_key_columns: Count measure -> alias of its raw record-key sum (take mod 256).
        max_columns: Sum measure -> alias of its largest row value.
        row_count_column: Alias of the cell's buyer-row count.
        rollup: The rollup the query reads (None: the base tables).
        rollup_notes: Per declared rollup, why it served or did not (empty with rollups off).
    """

    expression: exp.Select = field(repr=False)
    dialect: str
    dimension_columns: tuple[str, ...]
    measure_columns: dict[str, str]
    privacy_columns: tuple[str, ...]
    hidden_dimension_columns: tuple[str, ...] = ()
    cell_key_columns: dict[str, str] = field(default_factory=dict)
    max_columns: dict[str, str] = field(default_factory=dict)
    row_count_column: str = ROW_COUNT
    rollup: str | None = None
    rollup_notes: tuple[str, ...] = ()

    @cached_property
    def sql(self) -> str:
        # Printing is a large part of compiling; a pooled query never prints its inner SELECT.
        return render(self.expression, self.dialect, pretty=True)


def compile_query(catalog: Catalog, query: Query, dialect: str | Dialect = "duckdb",
                  rollups: Mapping[str, int] | None = None, *, ordered: bool = True) -> CompiledQuery:
    """Compile ``query`` for ``dialect`` (``duckdb`` or ``spark``).

    Args:
        catalog: The catalog of the loaded semantic model.
        query: The query, already constrained by the privacy layer.
        dialect: A dialect name or :class:`Dialect` instance.
        rollups: Row counts of the rollups built in the warehouse version the query runs on,
            by name; the smallest one that covers the query is read instead of the base tables.
            ``None`` (the default) reads the base tables.
        ordered: False leaves out the ORDER BY (for a query another one wraps, such as pooling).

    Returns:
        The compiled query; its measures, not metrics (see :mod:`metrics.evaluate`).

    Raises:
        QueryError: code ``BAD_QUERY``, with a hint, for anything the model cannot answer.
    """
    engine = get_dialect(dialect)
    catalog = catalog.for_metrics(query.metrics)  # the one fact the metrics are read from
    plan = plan_query(catalog, query)
    choice = choose_source(catalog, plan, engine, rollups)
    if choice.parts is not None:
        select = union_select(catalog, plan, engine, choice.parts, ordered)
    else:
        select = build_select(plan, catalog.model, engine, choice.source, ordered=ordered)
    counts = {m.name: cell_key_alias(m.name) for m in plan.measures if m.agg == "count"}
    maxima = {m.name: max_alias(m.name) for m in plan.measures if m.agg == "sum"}
    privacy = (ROW_COUNT, *(alias for m in plan.measures
                            for alias in (counts.get(m.name), maxima.get(m.name)) if alias))
    return CompiledQuery(
        expression=select,
        dialect=engine.name,
        dimension_columns=tuple(r.alias for r in plan.dimensions),
        hidden_dimension_columns=tuple(r.alias for r in plan.dimensions if r.hidden),
        measure_columns={m.name: measure_alias(m.name) for m in plan.measures},
        privacy_columns=privacy,
        cell_key_columns=counts,
        max_columns=maxima,
        rollup=choice.rollup,
        rollup_notes=choice.notes,
    )
