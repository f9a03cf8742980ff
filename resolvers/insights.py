"""The ``insights`` field: constrain, compile, execute, protect, label, order.

>>> from resolvers.request import InsightRequest
>>> InsightRequest(metrics=("buyers",)).scope
'network'
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from cid_graph.errors import CidGraphError
from metrics.catalog import Catalog
from metrics.compiler import CompiledQuery, compile_query, compile_values
from metrics.query import Query
from resolvers import labels
from resolvers.context import RequestContext, Services
from resolvers.privacy import Caller as PrivacyCaller
from resolvers.privacy import Constrained, Protection, Published, constrain
from resolvers.privacy.pooled import pooled_select
from resolvers.request import (
    ColumnInfo, DimensionCell, InsightRequest, InsightResultData, MetricCell, ResultMeta, ResultRow,
)


@dataclass
class Executed:
    """Raw cells of one compiled query (never leave the server)."""

    compiled: CompiledQuery
    cells: list[dict[str, Any]]


def run_insights(ctx: RequestContext, request: InsightRequest) -> InsightResultData:
    services = ctx.services
    started = time.perf_counter()
    outcome = "error"
    suppressed = cells = 0
    try:
        result = _run(ctx, request)
        suppressed, cells = result.meta.suppressed_cells, result.meta.row_count
        outcome = "ok"
        return result
    except CidGraphError as exc:
        outcome = exc.code
        raise
    finally:
        if services.auditor is not None:
            services.auditor.audit(
                ctx.caller, "insights", request.shape(), cells=cells, suppressed=suppressed,
                outcome=outcome, ms=int((time.perf_counter() - started) * 1000),
            )


def constrain_request(ctx: RequestContext, request: InsightRequest) -> Constrained:
    caller = PrivacyCaller(ctx.caller.org_id, ctx.caller.role)
    return constrain(request, caller, ctx.services.catalog, ctx.services.settings)


def internal_query(ctx: RequestContext, constrained: Constrained) -> Query:
    """The query actually compiled: every cell also counts its buyer rows (for P3/P4)."""
    metrics = tuple(dict.fromkeys((*constrained.query.metrics, "buyers")))
    return replace(constrained.query, metrics=metrics, order_by=(),
                   limit=ctx.services.settings.row_cap + 1)


def compile_for(services: Services, query: Query, pooled: bool) -> tuple[CompiledQuery, str]:
    if pooled:
        compiled = compile_query(services.catalog, replace(query, extra_group_by=("organization",), limit=None))
        return compiled, pooled_select(compiled, services.catalog, services.settings.row_cap).sql("duckdb")
    compiled = compile_query(services.catalog, query)
    return compiled, compiled.sql


def _execute(services: Services, query: Query, pooled: bool, opened: Any) -> Executed:
    compiled, sql = compile_for(services, query, pooled)
    table = services.engine.execute(sql, opened=opened)
    return Executed(compiled, table.to_pylist())


def _run(ctx: RequestContext, request: InsightRequest) -> InsightResultData:
    services = ctx.services
    settings, catalog = services.settings, services.catalog
    constrained = constrain_request(ctx, request)
    opened = services.engine.require()  # one version for every query of this request
    version = opened.version.number
    pooled = constrained.scope == "network"
    base = internal_query(ctx, constrained)
    main = _execute(services, base, pooled, opened)
    whole = _execute(services, replace(base, group_by=()), pooled, opened)
    metrics = constrained.query.metrics
    exact = _own_exact_metrics(catalog, constrained)

    total_cell = whole.cells[0] if whole.cells else {}
    population = int(total_cell.get("p_n") or 0)
    t_prot = Protection(catalog, settings, whole.compiled, pooled, exact)
    totals_reason = t_prot.cell_reason(total_cell, population)
    totals_exact = {n: _num(total_cell.get(a)) for n, a in whole.compiled.measure_columns.items()}
    totals_pub, totals_measures = t_prot.publish(total_cell, population, metrics, None, totals_reason, totals_exact)
    # Shares divide by the published total, perturbed on its own (never a sum of cells).
    totals_pub, _ = t_prot.publish(total_cell, population, metrics, totals_measures, totals_reason, totals_exact)

    prot = Protection(catalog, settings, main.compiled, pooled, exact)
    dim_cols = [c for c in main.compiled.dimension_columns if c not in main.compiled.hidden_dimension_columns]
    truncated = len(main.cells) > settings.row_cap
    raw_cells = main.cells[: settings.row_cap]
    published_rows: list[tuple[tuple[Any, ...], dict[str, Published]]] = []
    for cell in raw_cells:
        pub, _ = prot.publish(cell, population, metrics, totals_measures, totals_reason, totals_exact)
        published_rows.append((tuple(cell.get(c) for c in dim_cols), pub))
    if len(exact) < len(metrics):
        published_rows = _fill_empty_buckets(catalog, constrained, published_rows, metrics, population, settings.privacy_k)

    published_rows = _order(catalog, constrained, request, published_rows)
    limit = request.limit or settings.default_limit
    if len(published_rows) > limit:
        truncated = True
        published_rows = published_rows[:limit]

    lang = labels.language(ctx.locale)
    labeler = _Labeler(ctx, version, constrained, lang)
    rows = [ResultRow(labeler.dimensions(key), _metric_cells(metrics, pub)) for key, pub in published_rows]
    suppressed = sum(1 for _, pub in published_rows for p in pub.values() if p.suppressed)
    totals_row = ResultRow([], _metric_cells(metrics, totals_pub)) if request.totals else None
    return InsightResultData(
        columns=_columns(catalog, constrained, lang),
        rows=rows,
        totals=totals_row,
        meta=ResultMeta(version, len(rows), truncated, constrained.scope, suppressed, lang, settings.privacy_k),
    )


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _metric_cells(metrics: tuple[str, ...], pub: dict[str, Published]) -> list[MetricCell]:
    return [MetricCell(m, pub[m].value, pub[m].suppressed, pub[m].reason) for m in metrics]


def _own_exact_metrics(catalog: Catalog, constrained: Constrained) -> frozenset[str]:
    """P6: in OWN scope, metrics that use no enriched attribute are exact."""
    if constrained.scope != "own" or constrained.enriched:
        return frozenset()
    out = set()
    for name in constrained.query.metrics:
        metric = catalog.metric(name)
        enriched = False
        for measure in metric.measures:
            flt = catalog.measure(measure).filter
            if flt is not None and catalog.dimension(flt.dimension).enriched:
                enriched = True
        if not enriched:
            out.add(name)
    return frozenset(out)


def _fill_empty_buckets(
    catalog: Catalog, constrained: Constrained,
    rows: list[tuple[tuple[Any, ...], dict[str, Published]]],
    metrics: tuple[str, ...], population: int, k: int,
) -> list[tuple[tuple[Any, ...], dict[str, Published]]]:
    """Empty buckets of enumerated dimensions appear as suppressed, like small ones.

    Otherwise a missing row would tell "no buyers" apart from "1 to k−1 buyers".
    """
    group_by = constrained.query.group_by
    enumerated = [i for i, g in enumerate(group_by)
                  if not g.granularity and not g.date_part and catalog.dimension(g.dimension).is_enumerated]
    if not enumerated or not group_by:
        return rows
    seen = {key for key, _ in rows}
    others = sorted({tuple(key[i] for i in range(len(group_by)) if i not in enumerated) for key in seen},
                    key=lambda t: tuple(_sortable(v) for v in t))
    if not others:
        others = [()]
    codes = [[b.code for b in catalog.buckets(group_by[i].dimension)] for i in enumerated]
    reason = "POPULATION_BELOW_THRESHOLD" if population < k else "BELOW_THRESHOLD"
    filled = list(rows)
    for rest in others:
        for combo in itertools.product(*codes):
            key_list: list[Any] = []
            it_rest, it_combo = iter(rest), iter(combo)
            for i in range(len(group_by)):
                key_list.append(next(it_combo) if i in enumerated else next(it_rest))
            key = tuple(key_list)
            if key not in seen:
                filled.append((key, {m: Published(None, True, reason) for m in metrics}))
    return filled


def _sortable(value: Any) -> tuple[int, Any]:
    if value is None:
        return (2, "")
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value))


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
            out.append((0, pos.get(value, 999)) if pos is not None else _sortable(value))
        return tuple(out)

    ordered = sorted(rows, key=default_key)
    dim_index = {g.dimension: i for i, g in enumerate(group_by)}
    for spec in reversed(request.order_by):
        if spec.key in dim_index:
            i = dim_index[spec.key]
            pos = positions[i]
            ordered.sort(key=lambda item, i=i, pos=pos: (0, pos.get(item[0][i], 999)) if pos else _sortable(item[0][i]),
                         reverse=spec.descending)
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
            rows = services.engine.execute(select.sql("duckdb")).to_pylist()
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
