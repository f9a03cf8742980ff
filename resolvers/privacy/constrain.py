"""Before compiling: who may ask what (roles, scopes) and the grammar limits (P7).

A refused query raises :class:`PrivacyError` naming the rule and how to ask instead. Error
messages never name another organization or its events.
"""

from __future__ import annotations

from dataclasses import dataclass

from cid_graph.errors import ForbiddenError, PrivacyError, QueryError
from cid_graph.settings import Settings
from metrics.catalog import Catalog
from metrics.query import Filter, GroupBy, Query, TimeRange
from resolvers.request import InsightRequest


@dataclass(frozen=True)
class Caller:
    """The part of a principal the privacy layer needs."""

    org_id: str | None
    role: str


@dataclass(frozen=True)
class Constrained:
    """A query the caller may run, and how its result must be protected."""

    query: Query
    scope: str
    own_org: str | None
    enriched: bool  # the breakdown or filters use an enriched attribute (P6)


def constrain(request: InsightRequest, caller: Caller, catalog: Catalog, settings: Settings) -> Constrained:
    scope = request.scope
    if scope not in ("own", "network"):
        raise QueryError(f"unknown scope {scope!r}", hint="Use OWN or NETWORK.")
    if not request.metrics:
        raise QueryError("no metrics were asked for", hint="Name at least one metric, e.g. metrics: [BUYERS].")
    _limit_lists(request, settings)
    if len(request.group_by) > settings.max_group_by:
        raise PrivacyError(
            f"rule P7: at most {settings.max_group_by} group-by dimensions may be crossed; this query has {len(request.group_by)}",
            hint="Ask for fewer dimensions at once, or filter on one of them instead of grouping by it.",
        )
    used = [g.dimension for g in request.group_by] + [f.dimension for f in request.filters]
    if request.time_range and request.time_range.dimension:
        used.append(request.time_range.dimension)
    for name in used:
        catalog.dimension(name)  # unknown names fail with a hint
    sensitive = sorted({d for d in used if catalog.dimension(d).sensitive})
    own_org: str | None = None
    if scope == "own":
        if caller.role == "partner":
            raise ForbiddenError(
                "partners see network aggregates only; scope OWN is for member organizations",
                hint="Use scope: NETWORK.",
            )
        if not caller.org_id:
            raise ForbiddenError("this token belongs to no organization, so it has no OWN scope",
                                 hint="Use scope: NETWORK, or a member token of the organization.")
        own_org = caller.org_id
    else:
        if sensitive:
            names = ", ".join(d.upper() for d in sensitive)
            raise PrivacyError(
                f"rule P5/P7: {names} can be used only in scope OWN (your own organization's data)",
                hint="Drop it from groupBy and filters, or set scope: OWN.",
            )
        negative = [f.dimension.upper() for f in request.filters if f.op == "not_in"]
        if negative:
            raise PrivacyError(
                f"rule P7: negative filters (NOT_IN on {', '.join(negative)}) are not allowed in scope NETWORK",
                hint="List the values you want with IN instead.",
            )
    enriched = any(catalog.dimension(d).enriched for d in used)
    query = Query(
        metrics=tuple(dict.fromkeys(request.metrics)),
        group_by=tuple(GroupBy(g.dimension, g.granularity, g.date_part) for g in request.group_by),
        filters=tuple(Filter(f.dimension, f.op, tuple(f.values)) for f in request.filters),
        time_range=(TimeRange(request.time_range.start, request.time_range.end,
                              request.time_range.dimension or "purchased_at")
                    if request.time_range else None),
        org_ids=(own_org,) if own_org else None,
    )
    return Constrained(query=query, scope=scope, own_org=own_org, enriched=enriched)


def _limit_lists(request: InsightRequest, settings: Settings) -> None:
    cap = settings.max_list_size
    lists = {"metrics": len(request.metrics), "groupBy": len(request.group_by),
             "filters": len(request.filters), "orderBy": len(request.order_by),
             "compare": len(request.compare)}
    lists.update({f"filters.values of {f.dimension.upper()}": len(f.values) for f in request.filters})
    for name, size in lists.items():
        if size > cap:
            raise QueryError(f"{name} has {size} items; at most {cap} are allowed",
                             hint="Split the question into several queries.", code="LIMIT_EXCEEDED")
    for f in request.filters:
        if not f.values:
            raise QueryError(f"the filter on {f.dimension.upper()} has no values",
                             hint="Give at least one value, or drop the filter.")
    if request.limit is not None and not 1 <= request.limit <= settings.row_cap:
        raise QueryError(f"limit must be between 1 and {settings.row_cap}",
                         hint=f"Use a limit of at most {settings.row_cap}, or filter to fewer rows.",
                         code="LIMIT_EXCEEDED")

