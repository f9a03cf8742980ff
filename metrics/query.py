"""The query the compiler understands: metrics, breakdowns, filters, a time range.

Built by the GraphQL layer (names lower-case, as in the semantic model) after the privacy
layer has constrained it; compiled by :func:`metrics.compiler.compile_query`.

>>> Query(metrics=("buyers",), group_by=(GroupBy("purchased_at", granularity="month"),))
... # doctest: +ELLIPSIS
Query(metrics=('buyers',), group_by=(GroupBy(dimension='purchased_at', granularity='month', ...
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: Filter operators. ``gte``/``lte``/``between`` apply to time dimensions (ISO dates) and to
#: enumerated dimensions (in bucket order).
FILTER_OPS: tuple[str, ...] = ("in", "equals", "gte", "lte", "between", "not_in")


@dataclass(frozen=True)
class GroupBy:
    """Break down by a dimension; time dimensions need a granularity or a date part."""

    dimension: str
    granularity: str | None = None
    date_part: str | None = None


@dataclass(frozen=True)
class Filter:
    """A structured condition: ``dimension op values`` (values are strings)."""

    dimension: str
    op: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class TimeRange:
    """Inclusive local dates on a time dimension; ``None`` leaves a side open."""

    start: date | None
    end: date | None
    dimension: str = "purchased_at"


@dataclass(frozen=True)
class OrderBy:
    """Order by a metric of the query or a dimension in its ``group_by``."""

    key: str
    descending: bool = False


@dataclass(frozen=True)
class Query:
    """One insights query.

    Attributes:
        metrics: Metric names (at least one).
        group_by: Breakdowns, at most one per dimension.
        filters: Conditions, all of which must hold.
        time_range: Inclusive local-date range on a time dimension.
        order_by: Sort keys; default is dimension order (bucket order for bucketed ones).
        limit: Most rows returned.
        org_ids: Restrict to these organizations (OWN scope, peer groups); ``None`` = all.
        exclude_org_ids: Organizations left out (a peer group excludes the caller).
        extra_group_by: Hidden breakdowns the privacy layer needs (e.g. ``organization``).
    """

    metrics: tuple[str, ...]
    group_by: tuple[GroupBy, ...] = ()
    filters: tuple[Filter, ...] = ()
    time_range: TimeRange | None = None
    order_by: tuple[OrderBy, ...] = ()
    limit: int | None = None
    org_ids: tuple[str, ...] | None = None
    exclude_org_ids: tuple[str, ...] = ()
    extra_group_by: tuple[str, ...] = ()
