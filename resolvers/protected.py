"""Running one constrained query and protecting its cells (shared by insights and comparisons)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

from metrics.catalog import Catalog
from metrics.compiler import CompiledQuery, compile_query
from metrics.query import Query
from resolvers.context import RequestContext, Services
from resolvers.privacy import Caller as PrivacyCaller
from resolvers.privacy import Constrained, Protection, Published, constrain
from resolvers.privacy.pooled import pooled_select
from resolvers.request import InsightRequest


@dataclass
class Executed:
    """Raw cells of one compiled query (never leave the server)."""

    compiled: CompiledQuery
    cells: list[dict[str, Any]]


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
    key = (sql, opened.version.number)
    rows = services.cache.get(key) if services.cache is not None else None
    if rows is None:
        rows = services.engine.execute(sql, opened=opened).to_pylist()
        if services.cache is not None:
            services.cache.put(key, rows)
    return Executed(compiled, rows)


@dataclass
class ProtectedResult:
    """Published cells of one query: rows keyed by their dimension values, and the totals."""

    rows: list[tuple[tuple[Any, ...], dict[str, Published]]]
    totals: dict[str, Published]
    truncated: bool


def run_protected(services: Services, constrained: Constrained, query: Query, pooled: bool,
                  opened: Any, *, fill: bool = True) -> ProtectedResult:
    """Execute ``query`` (already constrained) and protect every cell and the totals."""
    settings, catalog = services.settings, services.catalog
    main = _execute(services, query, pooled, opened)
    whole = _execute(services, replace(query, group_by=()), pooled, opened)
    metrics = constrained.query.metrics
    exact = _own_exact_metrics(catalog, constrained) if not pooled else frozenset()

    total_cell = whole.cells[0] if whole.cells else {}
    population = int(total_cell.get("p_n") or 0)
    t_prot = Protection(catalog, settings, whole.compiled, pooled, exact)
    totals_reason = t_prot.cell_reason(total_cell, population)
    totals_exact = {n: _num(total_cell.get(a)) for n, a in whole.compiled.measure_columns.items()}
    _, totals_measures = t_prot.publish(total_cell, population, metrics, None, totals_reason, totals_exact)
    # Shares divide by the published total, perturbed on its own (never a sum of cells).
    totals_pub, _ = t_prot.publish(total_cell, population, metrics, totals_measures, totals_reason, totals_exact)

    prot = Protection(catalog, settings, main.compiled, pooled, exact)
    dim_cols = [c for c in main.compiled.dimension_columns if c not in main.compiled.hidden_dimension_columns]
    truncated = len(main.cells) > settings.row_cap
    rows: list[tuple[tuple[Any, ...], dict[str, Published]]] = []
    for cell in main.cells[: settings.row_cap]:
        pub, _ = prot.publish(cell, population, metrics, totals_measures, totals_reason, totals_exact)
        rows.append((tuple(cell.get(c) for c in dim_cols), pub))
    if fill and len(exact) < len(metrics):
        rows = _fill_empty_buckets(catalog, constrained, rows, metrics, population, settings.privacy_k)
    return ProtectedResult(rows, totals_pub, truncated)


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


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


