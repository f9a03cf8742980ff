"""Resolve a :class:`~metrics.query.Query` against the catalog before any SQL is built.

Every name is looked up, every value validated, every rule of the query grammar checked here,
so :mod:`metrics.compiler.build` only assembles expressions from trusted parts.

>>> from cid_graph.settings import Settings
>>> from metrics.catalog import Catalog
>>> from metrics.model import load_model
>>> from metrics.query import GroupBy, Query
>>> catalog = Catalog(load_model(Settings.load(env={}, dotenv=None).model_dir))
>>> plan = plan_query(catalog, Query(("tickets_per_buyer",), (GroupBy("purchased_at", "month"),)))
>>> [m.name for m in plan.measures], [d.alias for d in plan.dimensions]
(['tickets', 'buyers'], ['d_purchased_at__month'])
>>> plan_query(catalog, Query(("buyers",), (GroupBy("gender", granularity="month"),)))
Traceback (most recent call last):
...
cid_graph.errors.QueryError: granularity 'month' given for dimension gender, which is not a time dimension
hint: drop the granularity, or group by a time dimension: purchased_at, event_date
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cid_graph.errors import QueryError
from metrics.catalog import Catalog
from metrics.definitions import Dimension, Measure, Metric
from metrics.query import FILTER_OPS, Filter, Query

ORG_DIMENSION = "organization"


@dataclass(frozen=True)
class DimensionRef:
    """A dimension as it appears in the output: with its grain or date part and alias."""

    dimension: Dimension
    granularity: str | None
    date_part: str | None
    alias: str
    hidden: bool = False


@dataclass(frozen=True)
class DateBound:
    """A half-open local-date range ``[start, end_exclusive)`` on a time dimension."""

    dimension: Dimension
    start: date | None
    end_exclusive: date | None


@dataclass(frozen=True)
class Plan:
    """A query resolved against the catalog."""

    metrics: tuple[Metric, ...]
    measures: tuple[Measure, ...]
    dimensions: tuple[DimensionRef, ...]
    filters: tuple[tuple[Dimension, Filter], ...]
    date_bounds: tuple[DateBound, ...]
    query: Query


def plan_query(catalog: Catalog, query: Query) -> Plan:
    """Resolve and check ``query``; raise :class:`QueryError` (BAD_QUERY) on any problem."""
    if not query.metrics:
        raise QueryError("the query asks for no metrics",
                         hint="ask for at least one of " + _names(catalog.metrics()))
    metrics = tuple(catalog.metric(name) for name in dict.fromkeys(query.metrics))
    measures: dict[str, Measure] = {}
    for metric in metrics:
        for name in metric.measures:
            measures.setdefault(name, catalog.measure(name))
    dims = _group_by(catalog, query)
    filters, bounds = _filters(catalog, query)
    _check_orgs(catalog, query)
    _check_order(catalog, query, metrics, dims)
    if query.limit is not None and (not isinstance(query.limit, int) or query.limit < 1):
        raise QueryError(f"limit {query.limit!r} is not a positive integer", hint="give a limit of 1 or more")
    return Plan(metrics, tuple(measures.values()), dims, filters, bounds, query)


def _names(objects: tuple[Metric, ...] | tuple[Dimension, ...] | list[Dimension]) -> str:
    return ", ".join(o.name for o in objects)


def _time_dims(catalog: Catalog) -> list[Dimension]:
    return [d for d in catalog.dimensions() if d.is_time]


def _group_by(catalog: Catalog, query: Query) -> tuple[DimensionRef, ...]:
    refs: list[DimensionRef] = []
    seen: set[str] = set()
    for g in query.group_by:
        dim = catalog.dimension(g.dimension)
        # A time dimension may appear once per grain or date part (weekday x hour heat maps).
        key = f"{dim.name}:{g.granularity or ''}:{g.date_part or ''}" if dim.is_time else dim.name
        if key in seen:
            raise QueryError(f"dimension {dim.name} is grouped by twice",
                             hint="group by each dimension once (a time dimension once per grain or date part)")
        seen.add(key)
        if g.granularity and g.date_part:
            raise QueryError(f"group by {dim.name} gives both a granularity and a date part",
                             hint="give either a granularity (a trend) or a date part (a pattern)")
        if not dim.is_time:
            if g.granularity or g.date_part:
                what = f"granularity '{g.granularity}'" if g.granularity else f"date part '{g.date_part}'"
                raise QueryError(
                    f"{what} given for dimension {dim.name}, which is not a time dimension",
                    hint="drop the granularity, or group by a time dimension: "
                    + _names(_time_dims(catalog)))
            refs.append(DimensionRef(dim, None, None, f"d_{dim.name}"))
            continue
        if g.granularity:
            if g.granularity not in dim.granularities:
                raise QueryError(f"unknown granularity '{g.granularity}' for dimension {dim.name}",
                                 hint="one of " + ", ".join(dim.granularities))
            refs.append(DimensionRef(dim, g.granularity, None, f"d_{dim.name}__{g.granularity}"))
        elif g.date_part:
            if g.date_part not in dim.date_parts:
                raise QueryError(f"unknown date part '{g.date_part}' for dimension {dim.name}",
                                 hint="one of " + ", ".join(dim.date_parts))
            refs.append(DimensionRef(dim, None, g.date_part, f"d_{dim.name}__{g.date_part}"))
        else:
            raise QueryError(f"group by time dimension {dim.name} needs a granularity or a date part",
                             hint="granularities: " + ", ".join(dim.granularities)
                             + "; date parts: " + ", ".join(dim.date_parts))
    for name in dict.fromkeys(query.extra_group_by):
        dim = catalog.dimension(name)
        if dim.is_time:
            raise QueryError(f"hidden group by {name} is a time dimension",
                             hint="hidden group-bys take categorical dimensions")
        if name not in seen:
            seen.add(name)
            refs.append(DimensionRef(dim, None, None, f"d_{dim.name}", hidden=True))
    return tuple(refs)


_ARITY = {"equals": (1, 1), "gte": (1, 1), "lte": (1, 1), "between": (2, 2)}


def _filters(catalog: Catalog, query: Query) -> tuple[tuple[tuple[Dimension, Filter], ...], tuple[DateBound, ...]]:
    out: list[tuple[Dimension, Filter]] = []
    bounds: list[DateBound] = []
    for f in query.filters:
        dim = catalog.dimension(f.dimension)
        if f.op not in FILTER_OPS:
            raise QueryError(f"unknown filter op '{f.op}'", hint="one of " + ", ".join(FILTER_OPS))
        values = tuple(f.values)
        low, high = _ARITY.get(f.op, (1, None))
        if len(values) < low or (high is not None and len(values) > high):
            count = f"exactly {low}" if low == high else f"at least {low}"
            raise QueryError(f"filter {f.op} on {dim.name} takes {count} value(s), got {len(values)}",
                             hint="use 'in' for a list of values, 'between' for two bounds")
        for value in values:
            catalog.validate_value(dim.name, value)
        if f.op in ("gte", "lte", "between", "equals") and dim.is_time:
            days = [date.fromisoformat(v) for v in values]
            start = days[0] if f.op in ("gte", "between", "equals") else None
            last = days[-1] if f.op in ("lte", "between", "equals") else None
            bounds.append(_bound(dim, start, last))
            continue
        if f.op in ("gte", "lte", "between"):
            raise QueryError(f"filter {f.op} on {dim.name}: ranges apply to time dimensions only",
                             hint="list the values with 'in'")
        out.append((dim, Filter(dim.name, f.op, values)))
    tr = query.time_range
    if tr is not None and (tr.start is not None or tr.end is not None):
        dim = catalog.dimension(tr.dimension)
        if not dim.is_time:
            raise QueryError(f"time range on {dim.name}, which is not a time dimension",
                             hint="one of " + _names(_time_dims(catalog)))
        bounds.append(_bound(dim, tr.start, tr.end))
    return tuple(out), tuple(bounds)


def _bound(dim: Dimension, start: date | None, last: date | None) -> DateBound:
    if start is not None and last is not None and start > last:
        raise QueryError(f"the range on {dim.name} starts ({start}) after it ends ({last})",
                         hint="swap the dates; both ends are inclusive")
    return DateBound(dim, start, None if last is None else last + timedelta(days=1))


def _check_orgs(catalog: Catalog, query: Query) -> None:
    if not catalog.has_dimension(ORG_DIMENSION):
        return
    for org in (*(query.org_ids or ()), *query.exclude_org_ids):
        catalog.validate_value(ORG_DIMENSION, org)


def _check_order(catalog: Catalog, query: Query, metrics: tuple[Metric, ...],
                 dims: tuple[DimensionRef, ...]) -> None:
    allowed = [m.name for m in metrics] + [d.dimension.name for d in dims if not d.hidden]
    for o in query.order_by:
        if o.key not in allowed:
            raise QueryError(f"cannot order by '{o.key}': it is not in the query",
                             hint="order by one of " + ", ".join(allowed))
