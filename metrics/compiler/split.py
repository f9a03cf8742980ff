"""A time range no rollup covers whole: its full months from a monthly rollup, the days at
either end from wherever covers them (a daily rollup, or the base tables).

The dashboard's default period (the last 12 months to today) starts and ends mid-month, so a
monthly rollup cannot answer it alone, and no daily rollup of every buyer attribute would be
much smaller than the fact. Splitting the range gives the same cells: every measure and
privacy column of a cell is additive (counts and sums add up, largest rows take the largest,
raw record-key sums add up before the ``mod 256``), so the cell is the re-aggregation of its
parts, ``UNION ALL`` of one SELECT per part. A distinct count is not additive over parts (one
event can have buyers in two of them), so a query with one is never split.

>>> from datetime import date
>>> _month_core(date(2025, 12, 3), date(2026, 12, 3))
(datetime.date(2026, 1, 1), datetime.date(2026, 12, 1))
>>> _month_core(date(2026, 1, 5), date(2026, 1, 20)) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from sqlglot import exp

from metrics.catalog import Catalog
from metrics.compiler.build import build_select, finish
from metrics.compiler.dialects import Dialect
from metrics.compiler.plan import DateBound, DimensionRef, Plan
from metrics.compiler.rollup import RollupLayout, RollupSource, covers
from metrics.compiler.source import (
    ROW_COUNT,
    FactSource,
    as_bigint,
    cell_key_alias,
    max_alias,
    measure_alias,
    sum_of,
)
from metrics.definitions import Dimension

Parts = list[tuple[Plan, RollupLayout | None]]


def _month_core(start: date, end_exclusive: date) -> tuple[date, date] | None:
    """The whole months inside ``[start, end_exclusive)``, or None when there is none."""
    first = start if start.day == 1 else date(start.year + start.month // 12, start.month % 12 + 1, 1)
    last = end_exclusive.replace(day=1)
    return (first, last) if first < last else None


def _single_range(plan: Plan) -> DateBound | None:
    """The one closed range the query restricts a time dimension to (ranges on it intersected)."""
    if not plan.date_bounds or len({b.dimension.name for b in plan.date_bounds}) != 1:
        return None
    starts = [b.start for b in plan.date_bounds if b.start is not None]
    ends = [b.end_exclusive for b in plan.date_bounds if b.end_exclusive is not None]
    if not starts or not ends:
        return None
    return DateBound(plan.date_bounds[0].dimension, max(starts), min(ends))


def split_parts(plan: Plan, available: Mapping[str, int], layouts: tuple[RollupLayout, ...]) -> Parts | None:
    """The parts of ``plan``'s time range and the rollup of each (None: the base tables), or
    None when splitting does not help: no range, a distinct count, no monthly rollup for the
    whole months, or no whole month inside the range."""
    if any(m.agg == "count_distinct" for m in plan.measures):
        return None
    whole = _single_range(plan)
    if whole is None or whole.start is None or whole.end_exclusive is None:
        return None
    core = _month_core(whole.start, whole.end_exclusive)
    if core is None:
        return None
    pieces = [(whole.start, core[0]), core, (core[1], whole.end_exclusive)]
    parts: Parts = []
    for start, end in pieces:
        if start >= end:
            continue
        part = replace(plan, date_bounds=(DateBound(whole.dimension, start, end),))
        parts.append((part, smallest_cover(part, available, layouts)))
    core_layout = parts[1 if whole.start < core[0] else 0][1]
    if core_layout is None:
        return None  # no rollup for the whole months: the base tables answer it in one piece
    return parts


def smallest_cover(plan: Plan, available: Mapping[str, int], layouts: tuple[RollupLayout, ...]) -> RollupLayout | None:
    """The built rollup with the fewest rows that covers ``plan``, or None."""
    found: RollupLayout | None = None
    for layout in layouts:
        name = layout.rollup.name
        if name in available and covers(plan, layout) is None:
            if found is None or available[name] < available[found.rollup.name]:
                found = layout
    return found


class _Aliases:
    """Dimension keys of the re-aggregating SELECT: the parts' output columns."""

    def __init__(self, plan: Plan) -> None:
        self._by_name = {r.dimension.name: r.alias for r in plan.dimensions}

    def column(self, dim: Dimension) -> exp.Expression:
        return exp.column(self._by_name[dim.name])

    def dimension(self, ref: DimensionRef) -> exp.Expression:
        return exp.column(ref.alias)


def union_select(catalog: Catalog, plan: Plan, dialect: Dialect, parts: Parts, ordered: bool) -> exp.Select:
    """``SELECT`` the cells of ``plan`` re-aggregated from one ``SELECT`` per part."""
    model = catalog.model
    selects = []
    for part, layout in parts:
        source = RollupSource(model, dialect, layout) if layout is not None else FactSource(model, dialect)
        selects.append(build_select(replace(part, query=replace(part.query, limit=None)), model, dialect, source,
                                    ordered=False))
    union: exp.Expression = selects[0]
    for other in selects[1:]:
        union = exp.union(union, other, distinct=False, copy=False)
    outer = exp.select(*(exp.column(r.alias) for r in plan.dimensions), copy=False)
    aggregates: dict[str, exp.Expression] = {}
    for m in plan.measures:
        column = exp.column(measure_alias(m.name))
        if m.agg == "count":
            agg: exp.Expression = as_bigint(exp.Coalesce(this=exp.Sum(this=column), expressions=[exp.Literal.number(0)]))
        elif m.agg == "sum":
            agg = sum_of(m.table, m.expr or "", column)
        else:
            agg = exp.Max(this=column)
        aggregates[m.name] = agg
        outer = outer.select(agg.as_(measure_alias(m.name), copy=False), copy=False)
    rows = as_bigint(exp.Coalesce(this=exp.Sum(this=exp.column(ROW_COUNT)), expressions=[exp.Literal.number(0)]))
    outer = outer.select(rows.as_(ROW_COUNT, copy=False), copy=False)
    for m in plan.measures:
        if m.agg == "count":
            ck = as_bigint(exp.Sum(this=exp.column(cell_key_alias(m.name))))
            outer = outer.select(ck.as_(cell_key_alias(m.name), copy=False), copy=False)
        elif m.agg == "sum":
            outer = outer.select(exp.Max(this=exp.column(max_alias(m.name))).as_(max_alias(m.name), copy=False), copy=False)
    outer = outer.from_(exp.Subquery(this=union, alias=exp.TableAlias(this=exp.to_identifier("parts"))), copy=False)
    if plan.dimensions:
        outer = outer.group_by(*(exp.column(r.alias) for r in plan.dimensions), copy=False)
    return finish(outer, plan, _Aliases(plan), aggregates, ordered)


def describe(parts: Parts) -> str:
    """One line for explain: which part of the range each source answered."""
    out = []
    for part, layout in parts:
        bound = part.date_bounds[0]
        end = bound.end_exclusive
        span = f"{bound.start} to {end.fromordinal(end.toordinal() - 1) if end else '...'}"
        out.append(f"{span} from {layout.rollup.name if layout else 'the base tables'}")
    return "time range split at month boundaries: " + "; ".join(out)
