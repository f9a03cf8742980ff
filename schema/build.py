# mypy: disable-error-code="index,attr-defined,valid-type,misc,union-attr"
# (the enums are made at run time from the semantic model, which static typing cannot follow)
"""The GraphQL schema, built from the semantic model so that its enums are the model's names.

No ``from __future__ import annotations`` here on purpose: the types are made inside
:func:`build_schema` and their annotations must refer to the enums made there.
"""

import datetime
import enum

import strawberry
from graphql.validation import ASTValidationRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.scalars import JSON
from strawberry.types import Info

from cid_graph.settings import Settings
from metrics.catalog import Catalog
from resolvers import catalog_view, explain, highlights, insights, own_events
from resolvers.privacy.reasons import REASONS
from resolvers.request import (
    ComparisonSpec,
    FilterSpec,
    GroupSpec,
    InsightRequest,
    OrderSpec,
    RangeSpec,
)
from schema.extensions import ErrorShape


def _enum(name: str, values: list[str], description: str, docs: dict[str, str] | None = None) -> type:
    members = {v.upper().replace("-", "_"): v for v in values}
    py = enum.Enum(name, members)  # type: ignore[misc]
    return strawberry.enum(py, description=description)


#: Parsed and validated documents kept (bounded: unique query texts must not grow memory).
_DOCUMENT_CACHE = 256


class _Schema(strawberry.Schema):
    """Expected errors are data for the client, not incidents: only ErrorShape logs (the
    unexpected ones, with an incident id)."""

    def process_errors(self, errors, execution_context=None):  # type: ignore[no-untyped-def]
        return None


def build_schema(catalog: Catalog, settings: Settings) -> strawberry.Schema:
    """Make the schema for ``catalog``; limits come from ``settings``."""
    Metric = _enum("Metric", [m.name for m in catalog.metrics()], "A metric of the semantic model (see catalog).")
    Dimension = _enum("Dimension", [d.name for d in catalog.dimensions()], "A dimension of the semantic model (see catalog).")
    Granularity = _enum("Granularity", [g.name for g in catalog.model.granularities],
                        "Time grain of a time dimension; values are the ISO date of the bucket start (weeks start on Monday).")
    DatePart = _enum("DatePart", [p.name for p in catalog.model.date_parts],
                     "A part of a date: MONTH 1-12, WEEKDAY ISO 1 (Monday) - 7 (Sunday), HOUR 0-23, in the organization's local time.")
    FilterOp = _enum("FilterOp", ["in", "equals", "gte", "lte", "between", "not_in"],
                     "How a filter compares. NOT_IN only in scope OWN (rule P7).")
    Scope = _enum("Scope", ["own", "network"], "OWN: the caller's organization. NETWORK: the pooled network, protected.")
    SortDirection = _enum("SortDirection", ["asc", "desc"], "Sort direction.")
    SuppressionReason = _enum("SuppressionReason", [r.lower() for r in REASONS], "Why a value is not shown.")
    ComparisonKind = _enum("ComparisonKind", ["benchmark", "previous_period", "same_period_last_year"], "A comparison.")
    PeerGroup = _enum("PeerGroup", ["same_org_type", "same_region", "same_country", "nordic"],
                      "Organizations a benchmark compares with (never including the caller).")
    Role = _enum("Role", ["member", "partner", "admin"], "What a token may do.")
    ColumnKind = _enum("ColumnKind", ["dimension", "metric"], "Kind of a result column.")

    @strawberry.input(description="Break down by a dimension. Time dimensions need a granularity or a datePart.")
    class GroupByInput:
        dimension: Dimension  # type: ignore[valid-type]
        granularity: Granularity | None = None  # type: ignore[valid-type]
        date_part: DatePart | None = None  # type: ignore[valid-type]

    @strawberry.input(description="A condition on a dimension; values are codes as returned in results (e.g. NO-46, female, 2025-03-01).")
    class FilterInput:
        dimension: Dimension  # type: ignore[valid-type]
        values: list[str]
        op: FilterOp = FilterOp.IN  # type: ignore[valid-type,attr-defined]

    @strawberry.input(description="Inclusive local dates; on PURCHASED_AT unless another time dimension is named.")
    class TimeRangeInput:
        from_: datetime.date | None = strawberry.field(default=None, name="from")
        to: datetime.date | None = None
        dimension: Dimension | None = None  # type: ignore[valid-type]

    @strawberry.input(description="Order by a metric of the query or a groupBy dimension.")
    class OrderByInput:
        metric: Metric | None = None  # type: ignore[valid-type]
        dimension: Dimension | None = None  # type: ignore[valid-type]
        direction: SortDirection = SortDirection.DESC  # type: ignore[valid-type,attr-defined]

    @strawberry.input(description="A comparison: BENCHMARK with a peerGroup (scope OWN), or a previous period.")
    class ComparisonInput:
        kind: ComparisonKind  # type: ignore[valid-type]
        peer_group: PeerGroup | None = None  # type: ignore[valid-type]
        like_for_like: bool = strawberry.field(
            default=False,
            description="PREVIOUS_PERIOD and SAME_PERIOD_LAST_YEAR: compare only organizations with data in both "
                        "periods, so that new members are not reported as growth (currentValue, organizationsCompared).")

    @strawberry.input(description="One question to the semantic layer.")
    class InsightQuery:
        metrics: list[Metric]  # type: ignore[valid-type]
        group_by: list[GroupByInput] | None = None
        filters: list[FilterInput] | None = None
        time_range: TimeRangeInput | None = None
        scope: Scope = Scope.NETWORK  # type: ignore[valid-type,attr-defined]
        compare: list[ComparisonInput] | None = None
        order_by: list[OrderByInput] | None = None
        limit: int | None = strawberry.field(default=None, description=f"Most rows (1-{settings.row_cap}); default {settings.default_limit}.")
        totals: bool = False

    @strawberry.type(description="A comparison of one metric value.")
    class ComparisonValue:
        kind: ComparisonKind  # type: ignore[valid-type]
        peer_group: PeerGroup | None  # type: ignore[valid-type]
        value: float | None
        share: float | None
        peer_share: float | None
        index: float | None
        delta: float | None
        ratio: float | None
        suppressed: bool
        reason: SuppressionReason | None  # type: ignore[valid-type]
        current_value: float | None = strawberry.field(
            description="Like for like: this period's value over the organizations compared (value is the earlier "
                        "period's over the same organizations).")
        organizations_compared: int | None = strawberry.field(
            description="Like for like: how many organizations had data in both periods (rounded to the rounding "
                        "base in NETWORK scope).")

    @strawberry.type(description="A metric's value in a row; suppressed values have value null and a reason.")
    class MetricValue:
        metric: Metric  # type: ignore[valid-type]
        value: float | None
        suppressed: bool
        reason: SuppressionReason | None  # type: ignore[valid-type]
        comparisons: list[ComparisonValue] | None
        margin_of_error: float | None = strawberry.field(description=(
            "Survey estimates (NPS, PROMOTERS, PASSIVES, DETRACTORS, AVG_RATING, SATISFACTION_SCORE): the 95 % "
            "margin of error in the metric's unit, from the published values; null otherwise or when suppressed."))
        unreliable: bool = strawberry.field(description=(
            "Survey metrics: true when fewer than 30 respondents are behind the value (read it with care)."))

    @strawberry.type(description="A dimension's value (a code) and its label in the request's language.")
    class DimensionValue:
        dimension: Dimension  # type: ignore[valid-type]
        value: str | None
        label: str | None
        granularity: Granularity | None  # type: ignore[valid-type]
        date_part: DatePart | None  # type: ignore[valid-type]

    @strawberry.type
    class Row:
        dimensions: list[DimensionValue]
        metrics: list[MetricValue]

    @strawberry.type
    class Column:
        name: str
        kind: ColumnKind  # type: ignore[valid-type]
        label: str
        dimension: Dimension | None  # type: ignore[valid-type]
        metric: Metric | None  # type: ignore[valid-type]
        granularity: Granularity | None  # type: ignore[valid-type]
        date_part: DatePart | None  # type: ignore[valid-type]
        unit: str | None
        format: str | None

    @strawberry.type
    class ResultMeta:
        warehouse_version: int
        row_count: int
        truncated: bool
        scope: Scope  # type: ignore[valid-type]
        suppressed_cells: int
        locale: str
        privacy_k: int
        population_adjusted: bool = strawberry.field(description=(
            "True when the differencing guard answered the protected values for a population slightly "
            "different from the one asked: a list value too small (or made by too few organizations) left "
            "out, a filter that would leave out too little not applied, a time range cut to whole runs "
            "(PRIVACY.md, the differencing guard). Exact own counts (P6) always answer the query as asked."))

    @strawberry.type
    class InsightResult:
        columns: list[Column]
        rows: list[Row]
        totals: Row | None
        meta: ResultMeta

    @strawberry.type
    class Organization:
        id: str
        name: str
        org_type: str
        country: str
        region: str
        data_since: str | None = strawberry.field(
            description="The earliest purchase date the warehouse holds for this organization (ISO date): "
                        "\"first time\" and \"returning\" buyers are measured from it.")

    @strawberry.type
    class Principal:
        role: Role  # type: ignore[valid-type]
        organization: Organization | None
        token_expires_at: str

    @strawberry.type
    class Label:
        language: str
        text: str

    @strawberry.type
    class Bucket:
        code: str
        label: str
        labels: list[Label]

    @strawberry.type
    class MetricInfo:
        metric: Metric  # type: ignore[valid-type]
        label: str
        labels: list[Label]
        description: str
        type: str
        unit: str
        format: str
        decimals: int
        measures: list[str]

    @strawberry.type
    class DimensionInfo:
        dimension: Dimension  # type: ignore[valid-type]
        label: str
        labels: list[Label]
        description: str
        kind: str
        enriched: bool
        own_scope_only: bool
        buckets: list[Bucket]
        granularities: list[Granularity]  # type: ignore[valid-type]
        date_parts: list[DatePart]  # type: ignore[valid-type]

    @strawberry.type
    class PrivacyInfo:
        k: int
        rounding_base: int
        min_organizations: int
        dominance_p: float
        max_group_by: int
        row_cap: int
        default_limit: int

    @strawberry.type(name="Catalog")
    class Catalog_:
        metrics: list[MetricInfo]
        dimensions: list[DimensionInfo]
        privacy: PrivacyInfo
        languages: list[str]
        warehouse_version: int | None
        data_since: str | None = strawberry.field(
            description="The earliest purchase date the warehouse holds (ISO date): customer status (first time, "
                        "returning) means first in the data held since then; see me.organization.dataSince for yours.")

    @strawberry.type
    class Explain:
        sql: str
        dialect: str
        scope: Scope  # type: ignore[valid-type]
        pooled_by_organization: bool
        rollup: str | None = strawberry.field(
            description="The rollup (pre-aggregated table) the query reads; null: the base tables.")
        rollup_notes: list[str] = strawberry.field(
            description="Per rollup the model declares: why it served this query, or why it did not.")
        protections: list[str]

    CorrectionStatus = _enum("CorrectionStatus", ["applied", "pending"],
                             "APPLIED: the answering warehouse version has these labels. PENDING: stored; "
                             "a new version with them is published within seconds.")
    MyEventsOrder = _enum("MyEventsOrder", list(own_events.ORDERS),
                          "Order of myEvents. CONFIDENCE: least confident predictions first.")

    @strawberry.type(description="One of the caller's own events with its labels and where they came from.")
    class MyEvent:
        id: str
        title: str
        date: str = strawberry.field(description="ISO date of the event (organization's local time).")
        event_type: str
        event_type_label: str
        event_category: str
        event_category_label: str
        source: str = strawberry.field(description="classification source: source, model, model_low_confidence, feedback.")
        source_label: str
        confidence: float | None = strawberry.field(description="The predicted type's confidence; null when not predicted.")
        category_confidence: float | None = strawberry.field(description="The predicted category's confidence; null when not predicted.")
        pending: bool = strawberry.field(description="A correction is stored that the answering version does not hold yet.")

    @strawberry.type(description="A page of the caller's own events.")
    class MyEvents:
        total: int
        limit: int
        offset: int
        events: list[MyEvent]
        warehouse_version: int
        pending_corrections: int

    @strawberry.type(description="What a correction of an event's labels did.")
    class EventClassification:
        event_id: str
        title: str
        event_type: str
        event_type_label: str
        event_category: str
        event_category_label: str
        previous_event_type: str
        previous_event_category: str
        previous_source: str
        status: CorrectionStatus  # type: ignore[valid-type]
        warehouse_version: int = strawberry.field(description="The version that answered this request.")
        message: str

    HighlightScope = _enum("HighlightScope", ["own", "network"],
                           "OWN: your organization against a peer group. NETWORK: a group of the network "
                           "(defined by filters) against the whole network.")

    @strawberry.input(description="What the highlights compare: OWN with a peerGroup, or NETWORK with filters "
                                  "that define a group.")
    class HighlightQuery:
        scope: HighlightScope  # type: ignore[valid-type]
        peer_group: PeerGroup | None = None  # type: ignore[valid-type]
        time_range: TimeRangeInput | None = None
        filters: list[FilterInput] | None = None

    @strawberry.type(description="A notable fact in plain language, with the published numbers it rests on, "
                                 "the rule that chose it and the insights query that reproduces them.")
    class Highlight:
        text: str = strawberry.field(description="The fact in the request's language.")
        texts: list[Label] = strawberry.field(description="The fact in nb, en, sv, da and fi.")
        metric: Metric  # type: ignore[valid-type]
        dimension: Dimension | None  # type: ignore[valid-type]
        date_part: DatePart | None  # type: ignore[valid-type]
        value: str | None = strawberry.field(description="The bucket's code (null for RETURNING_SHARE, TICKETS_PER_BUYER).")
        value_label: str | None
        own_share: float | None = strawberry.field(description="Your (the group's) share, as a fraction.")
        peer_share: float | None = strawberry.field(description="The peers' (the network's) share, as a fraction.")
        own_value: float | None = strawberry.field(description="Your value of the metric (the share, or TICKETS_PER_BUYER).")
        peer_value: float | None
        index: float = strawberry.field(description="ownValue / peerValue × 100.")
        z: float = strawberry.field(description="The noise test's z on the published counts (see README, Highlights).")
        why: str = strawberry.field(description="The rule that fired.")
        query: JSON = strawberry.field(
            description="The InsightQuery (GraphQL variables) whose answer holds ownShare, peerShare and index.")
        peer_query: JSON | None = strawberry.field(
            description="The InsightQuery of the peer side's counts used in the noise test (NETWORK: of peerShare).")

    @strawberry.type
    class Highlights:
        highlights: list[Highlight]
        candidates: int = strawberry.field(description="Facts considered (one per breakdown and per metric).")
        reason: str | None = strawberry.field(description="Why none is stated, when none is.")

    def to_request(q: InsightQuery, locale: str) -> InsightRequest:
        tr = q.time_range
        return InsightRequest(
            metrics=tuple(m.value for m in q.metrics),
            group_by=tuple(GroupSpec(g.dimension.value, g.granularity.value if g.granularity else None,
                                     g.date_part.value if g.date_part else None) for g in (q.group_by or [])),
            filters=tuple(FilterSpec(f.dimension.value, f.op.value, tuple(f.values)) for f in (q.filters or [])),
            time_range=(RangeSpec(tr.from_, tr.to, tr.dimension.value if tr.dimension else "purchased_at") if tr else None),
            scope=q.scope.value,
            order_by=tuple(_order_spec(o) for o in (q.order_by or [])),
            limit=q.limit,
            totals=q.totals,
            compare=tuple(ComparisonSpec(c.kind.value, c.peer_group.value if c.peer_group else None, bool(c.like_for_like))
                          for c in (q.compare or [])),
            locale=locale,
        )

    def _order_spec(o: OrderByInput) -> OrderSpec:
        from cid_graph.errors import QueryError

        if (o.metric is None) == (o.dimension is None):
            raise QueryError("orderBy needs exactly one of metric or dimension",
                             hint="e.g. orderBy: [{metric: BUYERS, direction: DESC}]")
        key = o.metric.value if o.metric is not None else o.dimension.value
        return OrderSpec(key, o.direction.value == "desc")

    def locale_of(info: Info, locale: str | None) -> str:
        return locale or info.context.locale

    @strawberry.type(description="CID Graph: anonymized, aggregated audience insight for the Nordic arts and culture sector.")
    class Query:
        @strawberry.field(description="Who the token belongs to.")
        async def me(self, info: Info) -> Principal:
            data = await info.context.run(catalog_view.me)
            org = data["organization"]
            return Principal(role=Role[data["role"].upper()], token_expires_at=data["expires_at"],
                             organization=Organization(**org) if org else None)

        @strawberry.field(description="Every metric and dimension with labels, units, formats, granularities and bucket order.")
        async def catalog(self, info: Info, locale: str | None = None) -> Catalog_:
            data = catalog_view.catalog(info.context.services, locale_of(info, locale))
            return _catalog(data)

        @strawberry.field(description="Ask a question: metrics by dimensions, with filters, protected by the privacy model.")
        async def insights(self, info: Info, query: InsightQuery, locale: str | None = None) -> InsightResult:
            request = to_request(query, locale_of(info, locale))
            data = await info.context.run(insights.run_insights, request)
            return _result(data)

        @strawberry.field(description="The 3-7 most notable facts (fewer when fewer qualify): your organization "
                                      "against a peer group (OWN), or a group of the network against the whole "
                                      "network (NETWORK), from protected values only.")
        async def highlights(self, info: Info, query: HighlightQuery, locale: str | None = None) -> Highlights:
            tr = query.time_range
            request = highlights.HighlightRequest(
                scope=query.scope.value, peer_group=query.peer_group.value if query.peer_group else None,
                time_range=(RangeSpec(tr.from_, tr.to, tr.dimension.value if tr.dimension else "purchased_at")
                            if tr else None),
                filters=tuple(FilterSpec(f.dimension.value, f.op.value, tuple(f.values)) for f in (query.filters or [])),
                locale=locale_of(info, locale))
            data = await info.context.run(highlights.run_highlights, request)
            return Highlights(candidates=data.candidates, reason=data.reason, highlights=[Highlight(
                text=h.text, texts=_labels(h.texts), metric=Metric[h.metric.upper()],
                dimension=Dimension[h.dimension.upper()] if h.dimension else None,
                date_part=DatePart[h.date_part.upper()] if h.date_part else None,
                value=h.value, value_label=h.value_label, own_share=h.own_share, peer_share=h.peer_share,
                own_value=h.own_value, peer_value=h.peer_value, index=h.index, z=h.z, why=h.why,
                query=h.query, peer_query=h.peer_query) for h in data.highlights])

        @strawberry.field(description="The compiled SQL of a query, the rollup it reads and the protections that apply (admin only).")
        async def explain(self, info: Info, query: InsightQuery) -> Explain:
            request = to_request(query, info.context.locale)
            data = await info.context.run(explain.explain, request)
            return Explain(sql=data["sql"], dialect=data["dialect"], scope=Scope[data["scope"].upper()],
                           pooled_by_organization=data["pooled"], rollup=data["rollup"],
                           rollup_notes=data["rollup_notes"], protections=data["protections"])

        @strawberry.field(description=f"The caller's own events with their type, genre, classification source and "
                                      f"confidence (members; at most {own_events.MAX_LIMIT} per page).")
        async def my_events(self, info: Info, limit: int = 50, offset: int = 0, search: str | None = None,
                            source: str | None = None, event_type: str | None = None,
                            event_category: str | None = None,
                            order_by: MyEventsOrder = MyEventsOrder.DATE_DESC,  # type: ignore[valid-type,attr-defined]
                            locale: str | None = None) -> MyEvents:
            ctx = info.context
            data = await ctx.run_localized(locale_of(info, locale), own_events.my_events, limit=limit,
                                           offset=offset, search=search, source=source, event_type=event_type,
                                           event_category=event_category, order=order_by.value)
            return MyEvents(total=data.total, limit=data.limit, offset=data.offset,
                            warehouse_version=data.warehouse_version,
                            pending_corrections=data.pending_corrections,
                            events=[MyEvent(**vars(e)) for e in data.events])

    @strawberry.type(description="Changes an organization may make to its own data.")
    class Mutation:
        @strawberry.mutation(description="Correct the type and genre of one of your own events (members only; "
                                         "audit-logged). The correction wins over the classifier from then on.")
        async def classify_event(self, info: Info, event_id: str, event_type: str, event_category: str,
                                 locale: str | None = None) -> EventClassification:
            data = await info.context.run_localized(locale_of(info, locale), own_events.classify_event,
                                                    event_id, event_type, event_category)
            fields = vars(data) | {"status": CorrectionStatus[data.status.upper()]}
            return EventClassification(**fields)

    def _labels(labels: dict[str, str]) -> list[Label]:
        return [Label(language=k, text=v) for k, v in labels.items()]

    def _catalog(data: dict) -> Catalog_:
        return Catalog_(
            metrics=[MetricInfo(metric=Metric[m["name"].upper()], label=m["label"], labels=_labels(m["labels"]),
                                description=m["description"], type=m["type"], unit=m["unit"], format=m["format"],
                                decimals=m["decimals"], measures=m["measures"]) for m in data["metrics"]],
            dimensions=[DimensionInfo(
                dimension=Dimension[d["name"].upper()], label=d["label"], labels=_labels(d["labels"]),
                description=d["description"], kind=d["kind"], enriched=d["enriched"],
                own_scope_only=d["sensitive"],
                buckets=[Bucket(code=b["code"], label=b["label"], labels=_labels(b["labels"])) for b in d["buckets"]],
                granularities=[Granularity[g.upper()] for g in d["granularities"]],
                date_parts=[DatePart[p.upper()] for p in d["date_parts"]]) for d in data["dimensions"]],
            privacy=PrivacyInfo(**data["privacy"]),
            languages=data["languages"],
            warehouse_version=data["warehouse_version"],
            data_since=data.get("data_since"),
        )

    def _metric(m) -> MetricValue:  # type: ignore[no-untyped-def]
        comps = None
        if m.comparisons is not None:
            comps = [ComparisonValue(kind=ComparisonKind[c.kind.upper()],
                                     peer_group=PeerGroup[c.peer_group.upper()] if c.peer_group else None,
                                     value=c.value, share=c.share, peer_share=c.peer_share, index=c.index,
                                     delta=c.delta, ratio=c.ratio, suppressed=c.suppressed,
                                     reason=SuppressionReason[c.reason] if c.reason else None,
                                     current_value=c.current, organizations_compared=c.organizations)
                     for c in m.comparisons]
        return MetricValue(metric=Metric[m.metric.upper()], value=m.value, suppressed=m.suppressed,
                           reason=SuppressionReason[m.reason] if m.reason else None, comparisons=comps,
                           margin_of_error=m.margin_of_error, unreliable=m.unreliable)

    def _row(r) -> Row:  # type: ignore[no-untyped-def]
        return Row(
            dimensions=[DimensionValue(dimension=Dimension[d.dimension.upper()], value=d.value, label=d.label,
                                       granularity=Granularity[d.granularity.upper()] if d.granularity else None,
                                       date_part=DatePart[d.date_part.upper()] if d.date_part else None)
                        for d in r.dimensions],
            metrics=[_metric(m) for m in r.metrics],
        )

    def _result(data) -> InsightResult:  # type: ignore[no-untyped-def]
        return InsightResult(
            columns=[Column(name=c.name, kind=ColumnKind[c.kind.upper()], label=c.label,
                            dimension=Dimension[c.dimension.upper()] if c.dimension else None,
                            metric=Metric[c.metric.upper()] if c.metric else None,
                            granularity=Granularity[c.granularity.upper()] if c.granularity else None,
                            date_part=DatePart[c.date_part.upper()] if c.date_part else None,
                            unit=c.unit, format=c.format) for c in data.columns],
            rows=[_row(r) for r in data.rows],
            totals=_row(data.totals) if data.totals else None,
            meta=ResultMeta(warehouse_version=data.meta.warehouse_version, row_count=data.meta.row_count,
                            truncated=data.meta.truncated, scope=Scope[data.meta.scope.upper()],
                            suppressed_cells=data.meta.suppressed_cells, locale=data.meta.locale,
                            privacy_k=data.meta.privacy_k, population_adjusted=data.meta.population_adjusted),
        )

    # The limit rules are made once (not per request), so that a document's validation, limits
    # included, is cached like its parse: a dashboard sends the same few documents all day.
    limits: list[type[ASTValidationRule]] = [max_depth_rule(settings.max_query_depth, None),
                                             max_aliases_rule(settings.max_aliases)]
    return _Schema(
        query=Query,
        mutation=Mutation,
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
            lambda: ParserCache(maxsize=_DOCUMENT_CACHE),
            lambda: AddValidationRules(limits),
            lambda: ValidationCache(maxsize=_DOCUMENT_CACHE),
            ErrorShape,
        ],
    )
