"""The ``insights`` field: constrain, compile, execute, protect, label, order.

>>> from resolvers.request import InsightRequest
>>> InsightRequest(metrics=("buyers",)).scope
'network'
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from cid_graph.errors import CidGraphError
from metrics.catalog import Catalog
from metrics.compiler import compile_values, render
from resolvers import estimates, labels
from resolvers.cache import AuditEntry
from resolvers.context import RequestContext
from resolvers.execute import ServicesExecutor, constrain_request, fact_catalog
from resolvers.privacy import Constrained, Published
from resolvers.privacy.comparisons import TOTALS_KEY, Comparisons, compare
from resolvers.privacy.fill import sortable
from resolvers.privacy.pipeline import internal_query, run_protected
from resolvers.request import (
    ColumnInfo,
    DimensionCell,
    InsightRequest,
    InsightResultData,
    MetricCell,
    ResultMeta,
    ResultRow,
)


def run_insights(ctx: RequestContext, request: InsightRequest) -> InsightResultData:
    services = ctx.services
    started = time.perf_counter()
    outcome = "error"
    suppressed = cells = 0
    try:
        with services.engine.deadline(services.settings.request_timeout_s):
            result = _run(ctx, request)
        suppressed, cells = result.meta.suppressed_cells, result.meta.row_count
        outcome = "ok"
        return result
    except CidGraphError as exc:
        outcome = exc.code
        raise
    finally:
        ms = int((time.perf_counter() - started) * 1000)
        if services.auditor is not None:
            services.auditor.audit(ctx.caller, "insights", request.shape(), cells=cells, suppressed=suppressed,
                                   outcome=outcome, ms=ms)
        if ctx.memo is not None:  # a cached response replays what its request audited
            ctx.memo.audits.append(AuditEntry("insights", request.shape(), cells, suppressed, outcome))


def _run(ctx: RequestContext, request: InsightRequest) -> InsightResultData:
    services = ctx.services
    opened = services.engine.require()  # one version for every query of this request
    if services.answers is None:
        return _answer(ctx, request, opened)
    # What a caller may see depends on the organization and role only (not the token), and the
    # protection is deterministic: the published answer is the same for the same key.
    key = (request, ctx.caller.org_id, ctx.caller.role, opened.version.number)
    return services.answers.get_or_compute(key, lambda: _answer(ctx, request, opened))


def _answer(ctx: RequestContext, request: InsightRequest, opened: Any) -> InsightResultData:
    services = ctx.services
    settings = services.settings
    catalog = fact_catalog(services, request.metrics)
    constrained = constrain_request(ctx, request, catalog)
    version = opened.version.number
    pooled = constrained.scope == "network"
    metrics = constrained.query.metrics
    executor = ServicesExecutor(services, opened, ctx.memo, catalog)
    # survey estimates also publish what their margins of error are computed from
    extra = tuple(m for m in estimates.helpers(metrics) if catalog.has_metric(m))
    asked = replace(constrained, query=replace(constrained.query, metrics=(*metrics, *extra))) if extra else constrained
    result = run_protected(executor, asked, internal_query(asked, settings.row_cap, catalog), pooled)
    published_rows, totals_pub, truncated = result.rows, result.totals, result.truncated
    comparisons = compare(executor, request, constrained, result) if request.compare else None

    published_rows = _order(catalog, constrained, request, published_rows)
    limit = request.limit or settings.default_limit
    # P7 cost limit: bound the answer's size, whatever the number of metrics.
    limit = min(limit, max(1, settings.max_result_cells // max(1, len(metrics) * (1 + len(request.compare)))))
    if len(published_rows) > limit:
        truncated = True
        published_rows = published_rows[:limit]

    lang = labels.language(request.locale or ctx.locale)
    labeler = _Labeler(ctx, version, constrained, lang)
    rows = [ResultRow(labeler.dimensions(key), _metric_cells(metrics, pub, comparisons, key))
            for key, pub in published_rows]
    suppressed = sum(1 for _, pub in published_rows for m in metrics if pub[m].suppressed)
    totals_row = (ResultRow([], _metric_cells(metrics, totals_pub, comparisons, TOTALS_KEY))
                  if request.totals else None)
    return InsightResultData(
        columns=_columns(catalog, constrained, lang),
        rows=rows,
        totals=totals_row,
        meta=ResultMeta(version, len(rows), truncated, constrained.scope, suppressed, lang, settings.privacy_k,
                        result.adjusted),
    )


def _metric_cells(metrics: tuple[str, ...], pub: dict[str, Published],
                  comparisons: Comparisons | None = None, key: Any = None) -> list[MetricCell]:
    return [MetricCell(m, estimates.bounded(m, pub[m].value), pub[m].suppressed, pub[m].reason,
                       comparisons.for_cell(key, m) if comparisons is not None else None,
                       estimates.margin(m, pub), estimates.unreliable(m, pub))
            for m in metrics]


def _order(catalog: Catalog, constrained: Constrained, request: InsightRequest,
           rows: list[tuple[tuple[Any, ...], dict[str, Published]]]) -> list[tuple[tuple[Any, ...], dict[str, Published]]]:
    group_by = constrained.query.group_by
    positions: list[dict[str, int] | None] = []
    for g in group_by:
        dim = catalog.dimension(g.dimension)
        if dim.is_enumerated and not g.granularity and not g.date_part:
            positions.append({b.code: i for i, b in enumerate(catalog.buckets(g.dimension))})
        else:
            positions.append(None)

    def default_key(item: tuple[tuple[Any, ...], dict[str, Published]]) -> tuple[Any, ...]:
        key = item[0]
        out = []
        for value, pos in zip(key, positions, strict=True):
            out.append((0, pos.get(value, 999)) if pos is not None else sortable(value))
        return tuple(out)

    ordered = sorted(rows, key=default_key)
    dim_index = {g.dimension: i for i, g in enumerate(group_by)}
    for spec in reversed(request.order_by):
        if spec.key in dim_index:
            def dim_key(item: tuple[tuple[Any, ...], dict[str, Published]], i: int = dim_index[spec.key]) -> tuple[int, Any]:
                pos = positions[i]
                return (0, pos.get(item[0][i], 999)) if pos else sortable(item[0][i])
            ordered.sort(key=dim_key, reverse=spec.descending)
        elif spec.key in constrained.query.metrics:
            def metric_key(item: tuple[tuple[Any, ...], dict[str, Published]], m: str = spec.key) -> float:
                value = item[1][m].value
                return float("-inf") if value is None else value
            # Suppressed values sort last whichever the direction, and only by published values.
            present = [r for r in ordered if r[1][spec.key].value is not None]
            missing = [r for r in ordered if r[1][spec.key].value is None]
            present.sort(key=metric_key, reverse=spec.descending)
            ordered = present + missing
        else:
            raise CidGraphError(f"cannot order by {spec.key.upper()}: it is neither a metric nor a group-by dimension of this query",
                                hint="Order by one of the query's metrics or groupBy dimensions.", code="BAD_QUERY")
    return ordered


class _Labeler:
    def __init__(self, ctx: RequestContext, version: int, constrained: Constrained, lang: str) -> None:
        self.ctx, self.version, self.constrained, self.lang = ctx, version, constrained, lang
        self.group_by = constrained.query.group_by

    def dimensions(self, key: tuple[Any, ...]) -> list[DimensionCell]:
        out = []
        for g, raw in zip(self.group_by, key, strict=True):
            value = _code(raw)
            out.append(DimensionCell(g.dimension, value, self.label(g, value), g.granularity, g.date_part))
        return out

    def label(self, g: Any, value: str | None) -> str | None:
        if value is None:
            return None
        catalog = self.ctx.services.catalog
        if g.date_part == "weekday":
            return labels.weekday_label(int(value), self.lang)
        if g.date_part == "month":
            return labels.month_label(int(value), self.lang)
        if g.date_part == "hour":
            return labels.hour_label(int(value))
        if g.date_part:
            return value
        if g.granularity:
            return labels.period_label(value, g.granularity, self.lang)
        bucket = catalog.value_label(g.dimension, value, self.lang)
        if bucket is not None:
            return bucket
        dim = catalog.dimension(g.dimension)
        if dim.values_from is None:
            return value
        table = self._values(g.dimension)
        return table.get(value, {}).get(self.lang) or table.get(value, {}).get("en") or value

    def _values(self, dimension: str) -> dict[str, dict[str, str]]:
        services = self.ctx.services
        dim = services.catalog.dimension(dimension)
        org_ids = (self.constrained.own_org,) if dim.sensitive and self.constrained.own_org else None
        if dim.sensitive and org_ids is None:
            return {}

        def load() -> dict[str, dict[str, str]]:
            select = compile_values(services.catalog, dimension, org_ids=org_ids)
            rows = services.engine.execute(render(select, services.engine.dialect)).to_pylist()
            return {str(r["value"]): {k.removeprefix("label_"): v for k, v in r.items() if k.startswith("label_")}
                    for r in rows}

        cache_key = dimension + (f"@{org_ids[0]}" if org_ids else "")
        return services.value_labels(self.version, cache_key, load)


def _code(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _columns(catalog: Catalog, constrained: Constrained, lang: str) -> list[ColumnInfo]:
    cols = []
    for g in constrained.query.group_by:
        dim = catalog.dimension(g.dimension)
        cols.append(ColumnInfo(name=g.dimension + (f"__{g.granularity or g.date_part}" if g.granularity or g.date_part else ""),
                               kind="dimension", label=catalog.label(dim, lang), dimension=g.dimension,
                               granularity=g.granularity, date_part=g.date_part))
    for name in constrained.query.metrics:
        m = catalog.metric(name)
        cols.append(ColumnInfo(name=name, kind="metric", label=catalog.label(m, lang), metric=name,
                               unit=m.unit, format=m.format))
    return cols
