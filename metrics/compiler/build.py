"""Assemble the SELECT of a resolved :class:`~metrics.compiler.plan.Plan` with sqlglot builders.

Identifiers come only from the semantic model, values only as ``exp.Literal``. The select
list is: dimensions (``d_*``), measures (``m_*``), privacy columns (``p_n`` row count,
``p_ck_<measure>`` raw sum of record keys for count measures, ``p_max_<measure>`` largest row
value for sum measures).
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from metrics.compiler.dialects import Dialect
from metrics.compiler.plan import DateBound, DimensionRef, Plan
from metrics.definitions import Dimension, Measure, MeasureFilter, Metric, SemanticModel
from metrics.warehouse_schema import warehouse_columns

#: The fact column holding each buyer row's secret record key (0-255), for cell keys (P4).
RECORD_KEY = "record_key"
ROW_COUNT = "p_n"
#: Sums of floating-point columns (amounts) are exact sums of millionths: see _fixed_point_sum.
FIXED_POINT = 1_000_000


def measure_alias(name: str) -> str:
    return f"m_{name}"


def cell_key_alias(name: str) -> str:
    return f"p_ck_{name}"


def max_alias(name: str) -> str:
    return f"p_max_{name}"


def _col(table: str, column: str) -> exp.Column:
    return exp.column(column, table=table)


def _strings(values: tuple[str, ...]) -> list[exp.Expression]:
    return [exp.Literal.string(v) for v in values]


def _condition(dim: Dimension, op: str, values: tuple[str, ...], dialect: Dialect) -> exp.Expression:
    """``dim op values`` for categorical ops (equals, in, not_in), time dims by local date."""
    target: exp.Expression = _col(dim.table, dim.column)
    literals = _strings(values)
    if dim.is_time:
        target = dialect.to_date(target)
        literals = [dialect.date_literal(date.fromisoformat(v)) for v in values]
    if op == "equals":
        return exp.EQ(this=target, expression=literals[0])
    cond = target.isin(*literals)
    return exp.not_(cond) if op == "not_in" else cond


def _bound_condition(bound: DateBound, dialect: Dialect) -> list[exp.Expression]:
    # Half-open on the raw timestamp (not CAST(x AS DATE)), so engines can prune by min/max.
    col = _col(bound.dimension.table, bound.dimension.column)
    out: list[exp.Expression] = []
    if bound.start is not None:
        out.append(exp.GTE(this=col, expression=dialect.date_literal(bound.start)))
    if bound.end_exclusive is not None:
        out.append(exp.LT(this=col.copy(), expression=dialect.date_literal(bound.end_exclusive)))
    return out


def dimension_expression(ref: DimensionRef, dialect: Dialect) -> exp.Expression:
    """The grouped expression of a dimension (truncated or extracted for time)."""
    col = _col(ref.dimension.table, ref.dimension.column)
    if ref.granularity:
        return dialect.truncate(col, ref.granularity)
    if ref.date_part:
        return dialect.date_part(col, ref.date_part)
    return col


def _measure_filter(m: Measure, dims: dict[str, Dimension], dialect: Dialect) -> exp.Expression | None:
    f: MeasureFilter | None = m.filter
    if f is None:
        return None
    return _condition(dims[f.dimension], f.op, f.values, dialect)


def _integer_sum(table: str, column: str, cond: exp.Expression | None) -> exp.Expression:
    # DuckDB sums integers into HUGEINT, which reaches Arrow as decimal128; BIGINT is ample.
    col_type = warehouse_columns().get(table, {}).get(column, "")
    if col_type.startswith(("DOUBLE", "FLOAT", "REAL")):
        return _fixed_point_sum(_col(table, column), cond)
    agg = _filtered(exp.Sum(this=_col(table, column)), cond)
    if col_type.startswith(("INT", "SMALLINT", "BIGINT", "TINYINT", "HUGEINT")):
        return exp.cast(agg, exp.DataType.Type.BIGINT)
    return agg


def _fixed_point_sum(col: exp.Expression, cond: exp.Expression | None) -> exp.Expression:
    """The sum of a floating-point column, added up exactly in millionths (FIXED_POINT).

    A floating-point sum depends on the order the rows are added in, which differs between
    engines, threads and runs; a sum of integers does not. Every engine rounds ``x * 10^6`` the
    same way (half away from zero), so the same rows give the same sum everywhere.
    """
    scaled = exp.Round(this=exp.Mul(this=col, expression=exp.Literal.number(FIXED_POINT)))
    total = _filtered(exp.Sum(this=exp.cast(scaled, exp.DataType.Type.BIGINT)), cond)
    return exp.Div(this=exp.cast(total, exp.DataType.Type.BIGINT),
                   expression=exp.cast(exp.Literal.number(FIXED_POINT), exp.DataType.Type.DOUBLE))


def _filtered(agg: exp.Expression, cond: exp.Expression | None) -> exp.Expression:
    if cond is None:
        return agg
    return exp.Filter(this=agg, expression=exp.Where(this=cond.copy()))


def measure_expression(m: Measure, fact: str, dims: dict[str, Dimension], dialect: Dialect) -> exp.Expression:
    """The aggregate of a measure, with its structured filter as ``FILTER (WHERE ...)``."""
    cond = _measure_filter(m, dims, dialect)
    if m.agg == "count":
        inner: exp.Expression = exp.Star() if not m.expr else _col(m.table, m.expr)
        return _filtered(exp.Count(this=inner), cond)
    col = _col(m.table, m.expr or "")
    if m.agg == "count_distinct":
        return _filtered(exp.Count(this=exp.Distinct(expressions=[col])), cond)
    if m.agg == "sum":
        return _integer_sum(m.table, m.expr or "", cond)
    return _filtered(exp.Max(this=col), cond)


def privacy_expressions(m: Measure, fact: str, dims: dict[str, Dimension],
                        dialect: Dialect) -> list[tuple[str, exp.Expression]]:
    """The privacy columns a measure needs: a cell-key sum for counts, a max row for sums."""
    cond = _measure_filter(m, dims, dialect)
    if m.agg == "count":
        return [(cell_key_alias(m.name), _integer_sum(fact, RECORD_KEY, cond))]
    if m.agg == "sum":
        return [(max_alias(m.name), _filtered(exp.Max(this=_col(m.table, m.expr or "")), cond))]
    return []


def tables_needed(plan: Plan, dims: dict[str, Dimension]) -> set[str]:
    """Every table a query touches: its dimensions, filters, ranges and measures."""
    tables = {ref.dimension.table for ref in plan.dimensions}
    tables |= {dim.table for dim, _ in plan.filters}
    tables |= {b.dimension.table for b in plan.date_bounds}
    for m in plan.measures:
        tables.add(m.table)
        if m.filter is not None:
            tables.add(dims[m.filter.dimension].table)
    return tables


def _order_key(ref: DimensionRef, dialect: Dialect) -> exp.Expression:
    dim = ref.dimension
    if dim.is_enumerated and not (ref.granularity or ref.date_part):
        # Bucket order, not alphabetical: an ordinal CASE over the grouped column.
        case = exp.Case(this=_col(dim.table, dim.column))
        for i, code in enumerate(dim.codes + tuple(b.code for b in dim.special_values), start=1):
            case = case.when(exp.Literal.string(code), exp.Literal.number(i))
        return case.else_(exp.Literal.number(len(dim.codes) + len(dim.special_values) + 1))
    return dimension_expression(ref, dialect)


def _metric_order_key(metric: Metric, measures: dict[str, exp.Expression]) -> exp.Expression:
    if metric.type == "ratio":
        den = measures[metric.denominator or ""].copy()
        return exp.Div(this=measures[metric.numerator or ""].copy(),
                       expression=exp.Nullif(this=den, expression=exp.Literal.number(0)))
    return exp.column(measure_alias(metric.measure or ""))


def build_select(plan: Plan, model: SemanticModel, dialect: Dialect) -> exp.Select:
    """The SELECT for ``plan``: see the module docstring for its columns."""
    fact = model.fact
    dims = {d.name: d for d in model.dimensions}
    query = plan.query

    select = exp.select(*(dimension_expression(r, dialect).as_(r.alias) for r in plan.dimensions))
    aggregates = {m.name: measure_expression(m, fact.table, dims, dialect) for m in plan.measures}
    select = select.select(*(agg.as_(measure_alias(name)) for name, agg in aggregates.items()))
    select = select.select(exp.Count(this=exp.Star()).as_(ROW_COUNT))
    for m in plan.measures:
        select = select.select(*(e.as_(alias) for alias, e in privacy_expressions(m, fact.table, dims, dialect)))

    select = select.from_(exp.to_table(fact.table))
    needed = tables_needed(plan, dims)
    for join in fact.joins:
        if join.table in needed:
            on = exp.EQ(this=_col(fact.table, join.left), expression=_col(join.table, join.right))
            # LEFT: a many-to-one join must never drop fact rows, so counts match the fact alone.
            select = select.join(exp.to_table(join.table), on=on, join_type="left")

    conditions: list[exp.Expression] = []
    for dim, f in plan.filters:
        conditions.append(_condition(dim, f.op, f.values, dialect))
    for bound in plan.date_bounds:
        conditions += _bound_condition(bound, dialect)
    org = _col(fact.table, "org_id")
    if query.org_ids is not None:
        conditions.append(org.isin(*_strings(query.org_ids)) if query.org_ids else exp.false())
    if query.exclude_org_ids:
        conditions.append(exp.not_(org.copy().isin(*_strings(query.exclude_org_ids))))
    if conditions:
        select = select.where(exp.and_(*conditions))

    if plan.dimensions:
        select = select.group_by(*(dimension_expression(r, dialect) for r in plan.dimensions))

    order: list[exp.Ordered] = []
    ordered_dims: set[str] = set()
    refs = {r.dimension.name: r for r in plan.dimensions}
    metrics = {m.name: m for m in plan.metrics}
    for o in query.order_by:
        if o.key in metrics:
            key = _metric_order_key(metrics[o.key], aggregates)
        else:
            key = _order_key(refs[o.key], dialect)
            ordered_dims.add(o.key)
        order.append(exp.Ordered(this=key, desc=o.descending, nulls_first=False))
    for ref in plan.dimensions:
        if ref.dimension.name not in ordered_dims:
            order.append(exp.Ordered(this=_order_key(ref, dialect), desc=False, nulls_first=False))
    if order:
        select = select.order_by(*order)
    if query.limit is not None:
        select = select.limit(exp.Literal.number(query.limit))
    return select
