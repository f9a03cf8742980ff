"""What a caller asks and what it gets back, free of GraphQL.

The schema maps its input types onto :class:`InsightRequest` and its output types mirror
:class:`InsightResultData`, so every resolver can be tested without a server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SCOPES = ("own", "network")
PEER_GROUPS = ("same_org_type", "same_region", "same_country", "nordic")
COMPARISON_KINDS = ("benchmark", "previous_period", "same_period_last_year")


@dataclass(frozen=True)
class GroupSpec:
    dimension: str
    granularity: str | None = None
    date_part: str | None = None


@dataclass(frozen=True)
class FilterSpec:
    dimension: str
    op: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class RangeSpec:
    start: date | None
    end: date | None
    dimension: str = "purchased_at"


@dataclass(frozen=True)
class OrderSpec:
    key: str
    descending: bool = True


@dataclass(frozen=True)
class ComparisonSpec:
    kind: str
    peer_group: str | None = None
    like_for_like: bool = False  # periods: only organizations with data in both periods


@dataclass(frozen=True)
class InsightRequest:
    metrics: tuple[str, ...]
    group_by: tuple[GroupSpec, ...] = ()
    filters: tuple[FilterSpec, ...] = ()
    time_range: RangeSpec | None = None
    scope: str = "network"
    order_by: tuple[OrderSpec, ...] = ()
    limit: int | None = None
    totals: bool = False
    compare: tuple[ComparisonSpec, ...] = ()
    locale: str = "en"

    def shape(self) -> dict[str, object]:
        """The query's shape for the audit log: names only, never values of people."""
        return {
            "metrics": list(self.metrics),
            "group_by": [g.dimension + (f":{g.granularity or g.date_part}" if g.granularity or g.date_part else "")
                         for g in self.group_by],
            "filters": [f"{f.dimension} {f.op} ({len(f.values)})" for f in self.filters],
            "time_range": bool(self.time_range),
            "scope": self.scope,
            "compare": [c.kind + (f":{c.peer_group}" if c.peer_group else "") for c in self.compare],
            "totals": self.totals,
        }


@dataclass
class ComparisonCell:
    kind: str
    peer_group: str | None = None
    value: float | None = None
    share: float | None = None
    peer_share: float | None = None
    index: float | None = None
    delta: float | None = None
    ratio: float | None = None
    suppressed: bool = False
    reason: str | None = None
    current: float | None = None  # like for like: this period's value over the same organizations
    organizations: int | None = None  # like for like: organizations compared (rounded when pooled)


@dataclass
class MetricCell:
    metric: str
    value: float | None
    suppressed: bool = False
    reason: str | None = None
    comparisons: list[ComparisonCell] | None = None
    #: Survey estimates: the 95 % margin of error in the metric's unit (resolvers/estimates.py).
    margin_of_error: float | None = None
    #: Survey estimates: fewer than 30 respondents behind the value.
    unreliable: bool = False


@dataclass
class DimensionCell:
    dimension: str
    value: str | None
    label: str | None
    granularity: str | None = None
    date_part: str | None = None


@dataclass
class ResultRow:
    dimensions: list[DimensionCell]
    metrics: list[MetricCell]


@dataclass
class ColumnInfo:
    name: str
    kind: str  # dimension | metric
    label: str
    dimension: str | None = None
    metric: str | None = None
    granularity: str | None = None
    date_part: str | None = None
    unit: str | None = None
    format: str | None = None


@dataclass
class ResultMeta:
    warehouse_version: int
    row_count: int
    truncated: bool
    scope: str
    suppressed_cells: int
    locale: str
    privacy_k: int
    population_adjusted: bool = False  # the differencing guard changed the protected population


@dataclass
class InsightResultData:
    columns: list[ColumnInfo]
    rows: list[ResultRow]
    totals: ResultRow | None
    meta: ResultMeta
    notes: list[str] = field(default_factory=list)
