"""Rollups: their table layout, the SELECT that builds them, and reading queries from them.

A rollup (``rollups:`` in the semantic model) is the fact grouped by some dimensions, a time
grain and date parts, with every measure in a form that adds up again:

- ``d_<dimension>``: a grouped categorical dimension; ``k_<column>``: a fact column kept as a
  key because a distinct count needs it (``events`` keeps ``event_sk``);
- ``t_<time dimension>__<grain or part>``: the time grain (a DATE) and date parts;
- ``m_<measure>``: counts and sums, and maxima (a measure's own filter is applied at build);
- ``p_n`` (rows), ``p_ck_<count>`` (raw sum of record keys), ``p_max_<sum>`` (largest row):
  what the protection reads, additive (sums of sums, max of max), so a cell's row count,
  cell key (``mod 256`` is taken after summing) and largest contribution are the same from the
  rollup as from the base table.

A query is read from a rollup only when the rollup *covers* it (:func:`covers`): every
measure, grouped dimension, filter, time range and organization restriction is derivable.
Dimensions of a joined table are derivable through the join key when the rollup keeps it
(``organization`` keeps ``org_id``, so ``country`` and ``org_type`` join the organizations).
A distinct count is recounted over the rollup's rows (``COUNT(DISTINCT k_event_sk)``), which is
exact because every rollup row holds at least one fact row; it is never summed.

>>> from cid_graph.settings import Settings
>>> from metrics.compiler.dialects import DuckDB
>>> from metrics.definitions import Rollup
>>> from metrics.model import load_model
>>> model = load_model(Settings.load(env={}, dotenv=None).model_dir)
>>> layout = RollupLayout.of(Rollup("r", ("buyers", "events"), ("organization",), "purchased_at", "month"), model)
>>> sorted(layout.columns())
['d_organization', 'k_event_sk', 'm_buyers', 'p_ck_buyers', 'p_n', 't_purchased_at__month']
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlglot import exp

from metrics.compiler.dialects import Dialect
from metrics.compiler.plan import DateBound, DimensionRef, Plan
from metrics.compiler.source import (
    ORG_COLUMN,
    RECORD_KEY,
    ROW_COUNT,
    FactSource,
    as_bigint,
    cell_key_alias,
    col,
    filtered,
    left_join,
    max_alias,
    measure_alias,
    sum_of,
    table_ref,
)
from metrics.definitions import Dimension, Measure, Rollup, SemanticModel

#: Grains derivable from each stored grain (a finer grain truncates to any coarser one that
#: nests in it; weeks do not nest in months).
_COARSER = {"day": ("day", "week", "month", "quarter", "year"), "week": ("week",),
            "month": ("month", "quarter", "year"), "quarter": ("quarter", "year"), "year": ("year",)}
#: Date parts derivable from each stored grain.
_PARTS_OF = {"day": ("year", "quarter", "month", "weekday"), "week": (), "month": ("year", "quarter", "month"),
             "quarter": ("year", "quarter"), "year": ("year",)}
#: Bump when the layout or the build SQL changes meaning: older rollups then stop matching.
LAYOUT_VERSION = "1"


def _grain_start(d: date, grain: str) -> date:
    if grain == "week":
        return d - timedelta(days=d.weekday())
    if grain == "month":
        return d.replace(day=1)
    if grain == "quarter":
        return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    if grain == "year":
        return d.replace(month=1, day=1)
    return d


@dataclass(frozen=True)
class RollupLayout:
    """The columns of one rollup's table and what each holds."""

    rollup: Rollup
    model: SemanticModel = field(repr=False)
    dims: dict[str, str]            # categorical dimension -> column
    keys: dict[str, str]            # fact column kept (join keys, distinct-count keys) -> column
    time: Dimension | None
    grain_column: str | None
    part_columns: dict[str, str]    # date part -> column
    measures: dict[str, str]        # count, sum and max measures -> column
    distinct: dict[str, str]        # count_distinct measure -> key column it counts
    cell_keys: dict[str, str]       # count measure -> raw record-key sum column
    maxima: dict[str, str]          # sum measure -> largest-row column

    @property
    def table(self) -> str:
        return self.rollup.table

    @classmethod
    def of(cls, rollup: Rollup, model: SemanticModel) -> RollupLayout:
        dims_by_name = {d.name: d for d in model.dimensions}
        fact = model.fact.table
        dims = {name: f"d_{name}" for name in rollup.dimensions}
        keys = {dims_by_name[n].column: f"d_{n}" for n in rollup.dimensions if dims_by_name[n].table == fact}
        measures: dict[str, str] = {}
        distinct: dict[str, str] = {}
        cell_keys: dict[str, str] = {}
        maxima: dict[str, str] = {}
        for m in (mm for mm in model.measures if mm.name in rollup.measures):
            if m.agg == "count_distinct":
                keys.setdefault(m.expr or "", f"k_{m.expr}")
                distinct[m.name] = keys[m.expr or ""]
                continue
            measures[m.name] = measure_alias(m.name)
            if m.agg == "count":
                cell_keys[m.name] = cell_key_alias(m.name)
            elif m.agg == "sum":
                maxima[m.name] = max_alias(m.name)
        time = dims_by_name.get(rollup.time_dimension or "")
        grain = f"t_{time.name}__{rollup.granularity}" if time and rollup.granularity else None
        parts = {p: f"t_{time.name}__{p}" for p in rollup.date_parts} if time else {}
        return cls(rollup, model, dims, keys, time, grain, parts, measures, distinct, cell_keys, maxima)

    def columns(self) -> list[str]:
        """Every column of the rollup's table, in table order."""
        out = [*self.dims.values(), *(c for c in self.keys.values() if c not in self.dims.values())]
        out += [c for c in (self.grain_column, *self.part_columns.values()) if c]
        out += [*self.measures.values(), ROW_COUNT, *self.cell_keys.values(), *self.maxima.values()]
        return out

    # -- what can be read from it ------------------------------------------------------------
    def join_key(self, table: str) -> str | None:
        """The rollup column to join ``table`` on, when the rollup keeps that join's key."""
        for join in self.model.fact.joins:
            if join.table == table and join.left in self.keys:
                return self.keys[join.left]
        return None

    def categorical_miss(self, dim: Dimension) -> str | None:
        """Why ``dim``'s values cannot be read from the rollup, or None when they can."""
        if dim.name in self.dims or (dim.table == self.model.fact.table and dim.column in self.keys):
            return None
        if dim.is_time and self.time is not None and dim.name == self.time.name:
            return None if self.rollup.granularity == "day" else f"dates of {dim.name} need granularity day"
        if dim.table != self.model.fact.table and self.join_key(dim.table) is not None:
            return None
        return f"lacks {'time ' if dim.is_time else ''}dimension {dim.name}"

    def ref_miss(self, ref: DimensionRef) -> str | None:
        dim = ref.dimension
        if not dim.is_time or self.time is None or dim.name != self.time.name:
            if dim.is_time and (dim.table == self.model.fact.table or self.join_key(dim.table) is None):
                return f"lacks time dimension {dim.name}"
            return self.categorical_miss(dim)
        grain = self.rollup.granularity
        if ref.granularity:
            if grain is None or ref.granularity not in _COARSER[grain]:
                return f"{dim.name} by {ref.granularity} is not derivable from " + (
                    f"granularity {grain}" if grain else "its date parts")
            return None
        part = ref.date_part or ""
        if part in self.part_columns or (grain is not None and part in _PARTS_OF[grain]):
            return None
        return f"{dim.name} date part {part} is not derivable from the rollup"

    def bound_miss(self, bound: DateBound) -> str | None:
        dim = bound.dimension
        if self.time is None or dim.name != self.time.name:
            if dim.table != self.model.fact.table and self.join_key(dim.table) is not None:
                return None
            return f"lacks time dimension {dim.name} (time range)"
        grain = self.rollup.granularity
        if grain is None:
            return f"has no granularity of {dim.name} to restrict a time range on"
        for day in (bound.start, bound.end_exclusive):
            if day is not None and _grain_start(day, grain) != day:
                return f"the time range is not aligned to its granularity {grain}"
        return None


def covers(plan: Plan, layout: RollupLayout) -> str | None:
    """Why ``layout`` cannot answer ``plan`` (the first reason found), or None when it can."""
    for m in plan.measures:
        if m.name not in layout.measures and m.name not in layout.distinct:
            return f"lacks measure {m.name}"
    for ref in plan.dimensions:
        if (why := layout.ref_miss(ref)) is not None:
            return why
    for dim, _ in plan.filters:
        if (why := layout.categorical_miss(dim)) is not None:
            return why + " (filter)"
    for bound in plan.date_bounds:
        if (why := layout.bound_miss(bound)) is not None:
            return why
    restricted = plan.query.org_ids is not None or plan.query.exclude_org_ids
    if restricted and ORG_COLUMN not in layout.keys:
        return "lacks organization (the query is restricted to organizations)"
    return None


class RollupSource(FactSource):
    """Reads a query from a rollup table (see the module docstring): same columns as the fact."""

    def __init__(self, model: SemanticModel, dialect: Dialect, layout: RollupLayout) -> None:
        super().__init__(model, dialect)
        self.layout = layout
        self.rollup = layout.rollup.name
        self.table = layout.table

    def _stored(self, column: str) -> exp.Column:
        return col(self.table, column)

    def column(self, dim: Dimension) -> exp.Expression:
        lay = self.layout
        if dim.name in lay.dims:
            return self._stored(lay.dims[dim.name])
        if dim.table == self.fact.table and dim.column in lay.keys:
            return self._stored(lay.keys[dim.column])
        if lay.time is not None and dim.name == lay.time.name and lay.grain_column:
            # Time filters and ranges compare the stored grain: a DATE compares like the timestamp.
            return self._stored(lay.grain_column)
        return col(dim.table, dim.column)  # a joined table, through the key the rollup keeps

    def dimension(self, ref: DimensionRef) -> exp.Expression:
        lay = self.layout
        if lay.time is None or ref.dimension.name != lay.time.name:
            return super().dimension(ref)
        if ref.granularity:
            grain = self._stored(lay.grain_column or "")
            # The stored grain is already a DATE: truncating it again is only needed when coarser.
            return grain if ref.granularity == lay.rollup.granularity else self.dialect.truncate(grain, ref.granularity)
        part = ref.date_part or ""
        if part in lay.part_columns:
            return self._stored(lay.part_columns[part])
        return self.dialect.date_part(self._stored(lay.grain_column or ""), part)

    def org_column(self) -> exp.Expression:
        return self._stored(self.layout.keys.get(ORG_COLUMN, "d_organization"))

    def measure(self, m: Measure) -> exp.Expression:
        lay = self.layout
        if m.name in lay.distinct:
            counted = exp.Count(this=exp.Distinct(expressions=[self._stored(lay.distinct[m.name])]))
            return filtered(counted, self.measure_filter(m))
        stored = self._stored(lay.measures[m.name])
        if m.agg == "count":
            # COUNT(*) of no rows is 0 and so is this (a SUM of no rows would be NULL).
            return as_bigint(exp.Coalesce(this=exp.Sum(this=stored), expressions=[exp.Literal.number(0)]))
        if m.agg == "sum":
            return sum_of(m.table, m.expr or "", stored)
        return exp.Max(this=stored)

    def privacy(self, m: Measure) -> list[tuple[str, exp.Expression]]:
        lay = self.layout
        if m.name in lay.cell_keys:
            return [(cell_key_alias(m.name), as_bigint(exp.Sum(this=self._stored(lay.cell_keys[m.name]))))]
        if m.name in lay.maxima:
            return [(max_alias(m.name), exp.Max(this=self._stored(lay.maxima[m.name])))]
        return []

    def row_count(self) -> exp.Expression:
        return as_bigint(exp.Coalesce(this=exp.Sum(this=self._stored(ROW_COUNT)), expressions=[exp.Literal.number(0)]))

    def relation(self, select: exp.Select, plan: Plan) -> exp.Select:
        select = select.from_(table_ref(self.table), copy=False)
        needed = {ref.dimension.table for ref in plan.dimensions}
        needed |= {dim.table for dim, _ in plan.filters} | {b.dimension.table for b in plan.date_bounds}
        joined: set[str] = set()
        for dim in [r.dimension for r in plan.dimensions] + [d for d, _ in plan.filters] + [b.dimension for b in plan.date_bounds]:
            stored = dim.name in self.layout.dims or (
                dim.table == self.fact.table and dim.column in self.layout.keys) or (
                self.layout.time is not None and dim.name == self.layout.time.name)
            if stored or dim.table in joined or dim.table not in needed:
                continue
            key = self.layout.join_key(dim.table)
            right = next(j.right for j in self.fact.joins if j.table == dim.table)
            on = exp.EQ(this=self._stored(key or ""), expression=col(dim.table, right))
            select = left_join(select, dim.table, on)
            joined.add(dim.table)
        return select


def rollup_select(layout: RollupLayout, dialect: Dialect) -> exp.Select:
    """The SELECT over the base tables that fills ``layout``'s table (see the module docstring)."""
    model = layout.model
    base = FactSource(model, dialect)
    dims = {d.name: d for d in model.dimensions}
    fact = model.fact.table
    keyed: list[tuple[exp.Expression, str]] = [(base.column(dims[n]), c) for n, c in layout.dims.items()]
    keyed += [(col(fact, k), c) for k, c in layout.keys.items() if c not in layout.dims.values()]
    if layout.time is not None:
        stamp = base.column(layout.time)
        if layout.grain_column:
            keyed.append((dialect.truncate(stamp, layout.rollup.granularity or ""), layout.grain_column))
        keyed += [(dialect.date_part(stamp.copy(), p), c) for p, c in layout.part_columns.items()]
    select = exp.select(*(e.as_(c) for e, c in keyed))
    measures = [m for m in model.measures if m.name in layout.measures]
    select = select.select(*(base.measure(m).as_(layout.measures[m.name]) for m in measures), copy=False)
    select = select.select(base.row_count().as_(ROW_COUNT), copy=False)
    for m in measures:
        cond = base.measure_filter(m)
        if m.name in layout.cell_keys:
            select = select.select(base.integer_sum(fact, RECORD_KEY, cond).as_(layout.cell_keys[m.name]), copy=False)
        if m.name in layout.maxima:
            select = select.select(filtered(exp.Max(this=col(m.table, m.expr or "")), cond).as_(layout.maxima[m.name]),
                                   copy=False)
    needed = {dims[n].table for n in layout.dims} | ({layout.time.table} if layout.time else set())
    needed |= {dims[m.filter.dimension].table for m in measures if m.filter is not None}
    select = base.from_tables(select, needed)
    if keyed:
        select = select.group_by(*(e.copy() for e, _ in keyed), copy=False)
        # Time first: engines prune a time range by the min/max of each block of rows.
        order = [c for c in (layout.grain_column, *layout.part_columns.values()) if c]
        order += [c for _, c in keyed if c not in order]
        select = select.order_by(*(exp.column(c) for c in order), copy=False)
    return select


def rollup_fingerprint(layout: RollupLayout, dialect: Dialect) -> str:
    """Names what a built rollup holds: a rollup built from another definition never matches."""
    text = f"{LAYOUT_VERSION}\n{rollup_select(layout, dialect).sql(dialect=dialect.name)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
