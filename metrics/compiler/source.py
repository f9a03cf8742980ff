"""Where a compiled query reads its rows: the fact table with its joins.

:class:`FactSource` writes every expression of the SELECT (grouped dimensions, conditions,
time bounds, aggregates, privacy columns) against the fact and the tables it joins to. A rollup
(see :mod:`metrics.compiler.rollup`) is another source with the same interface, so
:func:`metrics.compiler.build.build_select` assembles the same columns from either and the
privacy layer cannot tell them apart.

>>> from cid_graph.settings import Settings
>>> from metrics.compiler.dialects import DuckDB
>>> from metrics.model import load_model
>>> model = load_model(Settings.load(env={}, dotenv=None).model_dir)
>>> src = FactSource(model, DuckDB())
>>> src.row_count().sql("duckdb"), src.org_column().sql("duckdb")
('COUNT(*)', 'buyers.org_id')
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from metrics.compiler.dialects import Dialect
from metrics.compiler.plan import DateBound, DimensionRef, Plan
from metrics.definitions import Dimension, Measure, MeasureFilter, SemanticModel
from metrics.warehouse_schema import warehouse_columns

#: The fact column holding each buyer row's secret record key (0-255), for cell keys (P4).
RECORD_KEY = "record_key"
ROW_COUNT = "p_n"
#: The fact column naming the organization (OWN scope, peer groups, NETWORK pooling).
ORG_COLUMN = "org_id"
INTEGER_TYPES = ("INT", "SMALLINT", "BIGINT", "TINYINT", "HUGEINT")
#: Sums of floating-point columns (amounts) are exact sums of millionths: see fixed_point_sum.
FIXED_POINT = 1_000_000


def measure_alias(name: str) -> str:
    return f"m_{name}"


def cell_key_alias(name: str) -> str:
    return f"p_ck_{name}"


def max_alias(name: str) -> str:
    return f"p_max_{name}"


def left_join(select: exp.Select, table: str, on: exp.Expression) -> exp.Select:
    """``select LEFT JOIN table ON on``, in place (``Select.join`` parses its join type each call)."""
    select.append("joins", exp.Join(this=table_ref(table), on=on, side="LEFT"))
    return select


def table_ref(name: str) -> exp.Table:
    """A table by its (unquoted, undotted) name, built without parsing: ``exp.to_table`` parses
    its argument, and compiling names tables many times per query."""
    return exp.Table(this=exp.to_identifier(name))


def col(table: str, column: str) -> exp.Column:
    return exp.column(column, table=table)


def strings(values: tuple[str, ...]) -> list[exp.Expression]:
    return [exp.Literal.string(v) for v in values]


def is_integer_column(table: str, column: str) -> bool:
    return warehouse_columns().get(table, {}).get(column, "").startswith(INTEGER_TYPES)


def as_bigint(agg: exp.Expression) -> exp.Expression:
    # DuckDB sums integers into HUGEINT, which reaches Arrow as decimal128; BIGINT is ample.
    return exp.cast(agg, exp.DataType.Type.BIGINT, copy=False)  # the caller's node, not a copy


def fixed_point_sum(column: exp.Expression, cond: exp.Expression | None = None) -> exp.Expression:
    """The sum of a floating-point column, added up exactly in millionths (FIXED_POINT).

    A floating-point sum depends on the order the rows are added in, which differs between
    engines, threads and runs; a sum of integers does not. Every engine rounds ``x * 10^6`` the
    same way (half away from zero), so the same rows give the same sum everywhere, and a sum of
    such sums (a rollup, the parts of a split time range) gives it again.
    """
    scaled = exp.Round(this=exp.Mul(this=column, expression=exp.Literal.number(FIXED_POINT)))
    total = filtered(exp.Sum(this=exp.cast(scaled, exp.DataType.Type.BIGINT)), cond)
    return exp.Div(this=exp.cast(total, exp.DataType.Type.BIGINT),
                   expression=exp.cast(exp.Literal.number(FIXED_POINT), exp.DataType.Type.DOUBLE))


def sum_of(table: str, column: str, stored: exp.Expression, cond: exp.Expression | None = None) -> exp.Expression:
    """SUM of ``stored`` (a column holding values of ``table.column``): BIGINT for integers,
    exact millionths for floating-point amounts."""
    if is_integer_column(table, column):
        return as_bigint(filtered(exp.Sum(this=stored), cond))
    return fixed_point_sum(stored, cond)


def filtered(agg: exp.Expression, cond: exp.Expression | None) -> exp.Expression:
    if cond is None:
        return agg
    return exp.Filter(this=agg, expression=exp.Where(this=cond.copy()))


class FactSource:
    """The fact table and its many-to-one joins (the base tables of a version)."""

    #: The rollup this source reads (None: the base tables).
    rollup: str | None = None

    def __init__(self, model: SemanticModel, dialect: Dialect) -> None:
        self.model = model
        self.dialect = dialect
        self.fact = model.fact
        self.dims = {d.name: d for d in model.dimensions}

    # -- columns and grouped expressions ---------------------------------------------------
    def column(self, dim: Dimension) -> exp.Expression:
        """The column a dimension reads (a timestamp for time dimensions)."""
        return col(dim.table, dim.column)

    def dimension(self, ref: DimensionRef) -> exp.Expression:
        """The grouped expression of a dimension (truncated or extracted for time)."""
        column = self.column(ref.dimension)
        if ref.granularity:
            return self.dialect.truncate(column, ref.granularity)
        if ref.date_part:
            return self.dialect.date_part(column, ref.date_part)
        return column

    def condition(self, dim: Dimension, op: str, values: tuple[str, ...]) -> exp.Expression:
        """``dim op values`` for categorical ops (equals, in, not_in), time dims by local date."""
        target = self.column(dim)
        literals = strings(values)
        if dim.is_time:
            target = self.dialect.to_date(target)
            literals = [self.dialect.date_literal(date.fromisoformat(v)) for v in values]
        if op == "equals":
            return exp.EQ(this=target, expression=literals[0])
        cond = target.isin(*literals)
        return exp.not_(cond) if op == "not_in" else cond

    def bounds(self, bound: DateBound) -> list[exp.Expression]:
        """A half-open local-date range: on the raw timestamp (not CAST(x AS DATE)), so
        engines can prune by min/max."""
        column = self.column(bound.dimension)
        out: list[exp.Expression] = []
        if bound.start is not None:
            out.append(exp.GTE(this=column, expression=self.dialect.date_literal(bound.start)))
        if bound.end_exclusive is not None:
            out.append(exp.LT(this=column.copy(), expression=self.dialect.date_literal(bound.end_exclusive)))
        return out

    def org_column(self) -> exp.Expression:
        return col(self.fact.table, ORG_COLUMN)

    # -- aggregates ------------------------------------------------------------------------
    def measure_filter(self, m: Measure) -> exp.Expression | None:
        f: MeasureFilter | None = m.filter
        if f is None:
            return None
        return self.condition(self.dims[f.dimension], f.op, f.values)

    def integer_sum(self, table: str, column: str, cond: exp.Expression | None) -> exp.Expression:
        return sum_of(table, column, col(table, column), cond)

    def measure(self, m: Measure) -> exp.Expression:
        """The aggregate of a measure, with its structured filter as ``FILTER (WHERE ...)``."""
        cond = self.measure_filter(m)
        if m.agg == "count":
            inner: exp.Expression = exp.Star() if not m.expr else col(m.table, m.expr)
            return filtered(exp.Count(this=inner), cond)
        column = col(m.table, m.expr or "")
        if m.agg == "count_distinct":
            return filtered(exp.Count(this=exp.Distinct(expressions=[column])), cond)
        if m.agg == "sum":
            return self.integer_sum(m.table, m.expr or "", cond)
        return filtered(exp.Max(this=column), cond)

    def privacy(self, m: Measure) -> list[tuple[str, exp.Expression]]:
        """The privacy columns a measure needs: a cell-key sum for counts, a max row for sums."""
        cond = self.measure_filter(m)
        if m.agg == "count":
            return [(cell_key_alias(m.name), self.integer_sum(self.fact.table, RECORD_KEY, cond))]
        if m.agg == "sum":
            return [(max_alias(m.name), filtered(exp.Max(this=col(m.table, m.expr or "")), cond))]
        return []

    def row_count(self) -> exp.Expression:
        return exp.Count(this=exp.Star())

    # -- FROM ------------------------------------------------------------------------------
    def tables_needed(self, plan: Plan) -> set[str]:
        """Every table a query touches: its dimensions, filters, ranges and measures."""
        tables = {ref.dimension.table for ref in plan.dimensions}
        tables |= {dim.table for dim, _ in plan.filters}
        tables |= {b.dimension.table for b in plan.date_bounds}
        for m in plan.measures:
            tables.add(m.table)
            if m.filter is not None:
                tables.add(self.dims[m.filter.dimension].table)
        return tables

    def relation(self, select: exp.Select, plan: Plan) -> exp.Select:
        """``FROM`` the fact with the joins the query needs."""
        return self.from_tables(select, self.tables_needed(plan))

    def from_tables(self, select: exp.Select, needed: set[str]) -> exp.Select:
        """``FROM`` the fact with the joins to the ``needed`` tables."""
        select = select.from_(table_ref(self.fact.table), copy=False)
        for join in self.fact.joins:
            if join.table in needed:
                on = exp.EQ(this=col(self.fact.table, join.left), expression=col(join.table, join.right))
                # LEFT: a many-to-one join must never drop fact rows, so counts match the fact alone.
                select = left_join(select, join.table, on)
        return select
