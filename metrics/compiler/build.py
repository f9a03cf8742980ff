"""Assemble the SELECT of a resolved :class:`~metrics.compiler.plan.Plan` with sqlglot builders.

Identifiers come only from the semantic model, values only as ``exp.Literal``. The select
list is: dimensions (``d_*``), measures (``m_*``), privacy columns (``p_n`` row count,
``p_ck_<measure>`` raw sum of record keys for count measures, ``p_max_<measure>`` largest row
value for sum measures). Every expression is written by a source: the fact with its joins
(:class:`~metrics.compiler.source.FactSource`) or a rollup
(:class:`~metrics.compiler.rollup.RollupSource`), so both give the same columns.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from metrics.compiler.dialects import Dialect
from metrics.compiler.plan import DimensionRef, Plan
from metrics.compiler.source import (
    RECORD_KEY,
    ROW_COUNT,
    FactSource,
    cell_key_alias,
    max_alias,
    measure_alias,
    strings,
)
from metrics.definitions import Metric, SemanticModel

__all__ = ["RECORD_KEY", "ROW_COUNT", "build_select", "cell_key_alias", "finish", "max_alias", "measure_alias"]


def _order_key(ref: DimensionRef, source: Any) -> exp.Expression:
    dim = ref.dimension
    if dim.is_enumerated and not (ref.granularity or ref.date_part):
        # Bucket order, not alphabetical: an ordinal CASE over the grouped column.
        case = exp.Case(this=source.column(dim))
        for i, code in enumerate(dim.codes + tuple(b.code for b in dim.special_values), start=1):
            case = case.when(exp.Literal.string(code), exp.Literal.number(i), copy=False)
        return case.else_(exp.Literal.number(len(dim.codes) + len(dim.special_values) + 1), copy=False)
    return source.dimension(ref)


def _metric_order_key(metric: Metric, measures: dict[str, exp.Expression]) -> exp.Expression:
    if metric.type == "ratio":
        den = measures[metric.denominator or ""].copy()
        return exp.Div(this=measures[metric.numerator or ""].copy(),
                       expression=exp.Nullif(this=den, expression=exp.Literal.number(0)))
    return exp.column(measure_alias(metric.measure or ""))


def build_select(plan: Plan, model: SemanticModel, dialect: Dialect,
                 source: FactSource | None = None, ordered: bool = True) -> exp.Select:
    """The SELECT for ``plan``: see the module docstring for its columns.

    Args:
        plan: The resolved query.
        model: The semantic model.
        dialect: The SQL dialect of time expressions.
        source: Where rows are read; the fact and its joins by default.
        ordered: Give the ORDER BY (``order_by``, then dimension order); False for a SELECT
            that is only wrapped by another (the pooling of NETWORK cells).
    """
    source = source or FactSource(model, dialect)
    query = plan.query

    # Builders modify in place (copy=False): each copy would deep-copy the growing SELECT, and
    # every expression here is made fresh for its one place.
    select = exp.select(*(source.dimension(r).as_(r.alias, copy=False) for r in plan.dimensions), copy=False)
    aggregates = {m.name: source.measure(m) for m in plan.measures}
    select = select.select(*(agg.as_(measure_alias(name), copy=False) for name, agg in aggregates.items()), copy=False)
    select = select.select(source.row_count().as_(ROW_COUNT, copy=False), copy=False)
    for m in plan.measures:
        select = select.select(*(e.as_(alias, copy=False) for alias, e in source.privacy(m)), copy=False)

    select = source.relation(select, plan)

    conditions: list[exp.Expression] = []
    for dim, f in plan.filters:
        conditions.append(source.condition(dim, f.op, f.values))
    for bound in plan.date_bounds:
        conditions += source.bounds(bound)
    org = source.org_column()
    if query.org_ids is not None:
        conditions.append(org.isin(*strings(query.org_ids)) if query.org_ids else exp.false())
    if query.exclude_org_ids:
        conditions.append(exp.not_(org.copy().isin(*strings(query.exclude_org_ids))))
    if conditions:
        select = select.where(exp.and_(*conditions, copy=False), copy=False)

    if plan.dimensions:
        select = select.group_by(*(source.dimension(r) for r in plan.dimensions), copy=False)

    return finish(select, plan, source, aggregates, ordered)


def finish(select: exp.Select, plan: Plan, source: Any, aggregates: dict[str, exp.Expression],
           ordered: bool = True) -> exp.Select:
    """Add the ORDER BY (when ``ordered``) and LIMIT of ``plan`` to ``select``.

    ``source`` writes the dimension keys (``column`` and ``dimension``), ``aggregates`` the
    measures a metric order key divides.
    """
    query = plan.query
    if not ordered:
        return select.limit(exp.Literal.number(query.limit), copy=False) if query.limit is not None else select
    order: list[exp.Ordered] = []
    ordered_dims: set[str] = set()
    refs = {r.dimension.name: r for r in plan.dimensions}
    metrics = {m.name: m for m in plan.metrics}
    for o in query.order_by:
        if o.key in metrics:
            key = _metric_order_key(metrics[o.key], aggregates)
        else:
            key = _order_key(refs[o.key], source)
            ordered_dims.add(o.key)
        order.append(exp.Ordered(this=key, desc=o.descending, nulls_first=False))
    for ref in plan.dimensions:
        if ref.dimension.name not in ordered_dims:
            order.append(exp.Ordered(this=_order_key(ref, source), desc=False, nulls_first=False))
    if order:
        select = select.order_by(*order, copy=False)
    if query.limit is not None:
        select = select.limit(exp.Literal.number(query.limit), copy=False)
    return select
