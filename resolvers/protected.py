"""Running one constrained query and protecting its cells (shared by insights and comparisons)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

from metrics.catalog import Catalog
from metrics.compiler import CompiledQuery, compile_query, render
from metrics.compiler.plan import plan_query
from metrics.query import Query
from resolvers.cache import RequestMemo
from resolvers.context import RequestContext, Services
from resolvers.privacy import Caller as PrivacyCaller
from resolvers.privacy import Constrained, Protection, Published, constrain
from resolvers.privacy.pooled import pooled_select
from resolvers.privacy.protect import BELOW, FEW_ORGS, POPULATION
from resolvers.privacy.slices import Rule, guard
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
    """The query actually compiled: every cell also counts its buyer rows (for P3/P4), and a
    network cell also sums tickets and revenue, so that the dominance rule (P5) judges all three
    whatever the query asks for."""
    extra = ("buyers", "tickets", "revenue_eur") if constrained.scope == "network" else ("buyers",)
    metrics = tuple(dict.fromkeys((*constrained.query.metrics, *extra)))
    return replace(constrained.query, metrics=metrics, order_by=(),
                   limit=ctx.services.settings.row_cap + 1)


def compile_for(services: Services, query: Query, pooled: bool, opened: Any) -> tuple[CompiledQuery, str]:
    """The compiled query and the SQL to run on the version ``opened`` (from a rollup when one
    of that version covers it), in the serving engine's dialect. Compiled once per (query,
    version): see ``Services.compiled``."""
    dialect = services.engine.dialect

    def build() -> tuple[CompiledQuery, str]:
        rollups = services.rollups.available(opened) if services.rollups is not None else None
        if pooled:
            compiled = compile_query(services.catalog, replace(query, extra_group_by=("organization",), limit=None),
                                     dialect, rollups=rollups, ordered=False)
            select = pooled_select(compiled, services.catalog, services.settings.row_cap,
                                   services.settings.privacy_rounding_base)
            return compiled, render(select, dialect)
        compiled = compile_query(services.catalog, query, dialect, rollups=rollups)
        return compiled, compiled.sql

    return services.compiled.get_or_compute((query, pooled, opened.version.number), build)


def _execute(services: Services, query: Query, pooled: bool, opened: Any, memo: RequestMemo | None) -> Executed:
    compiled, sql = compile_for(services, query, pooled, opened)
    key = (sql, opened.version.number)

    def run() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = services.engine.execute(sql, opened=opened).to_pylist()
        return rows

    def cached() -> list[dict[str, Any]]:
        return services.cache.get_or_compute(key, run) if services.cache is not None else run()

    return Executed(compiled, memo.get(key, cached) if memo is not None else cached())


@dataclass
class ProtectedResult:
    """Published cells of one query: rows keyed by their dimension values, and the totals."""

    rows: list[tuple[tuple[Any, ...], dict[str, Published]]]
    totals: dict[str, Published]
    truncated: bool
    population: int = 0  # buyer rows of the (guarded) population; never leaves the server


def run_protected(services: Services, constrained: Constrained, query: Query, pooled: bool,
                  opened: Any, *, fill: bool = True, memo: RequestMemo | None = None) -> ProtectedResult:
    """Execute ``query`` (already constrained) and protect every cell and the totals.

    Protected metrics are computed on the query as the differencing guard normalizes it
    (resolvers/privacy/slices.py); metrics published exactly (own data, P6) on the query as
    asked, so that they stay exact.
    """
    catalog, settings = services.catalog, services.settings
    metrics = constrained.query.metrics
    exact = _own_exact_metrics(catalog, constrained) if not pooled else frozenset()
    protected = tuple(m for m in metrics if m not in exact)
    plan_query(catalog, query)  # a bad query fails with its own error, before any probe
    if pooled and _organizations(services, query, opened, memo) < settings.privacy_min_orgs:
        # Organizations first, before the guard looks at anything: a pooled population of fewer
        # than min_orgs organizations gets one answer, whatever its buyers, its days or its values,
        # so neither the reasons nor the time taken can tell how many buyers it holds.
        result = _few_organizations(services, query, opened, metrics, memo)
        if fill:
            result.rows = _fill_empty_buckets(catalog, constrained, result.rows, metrics, FEW_ORGS)
        return result
    if protected:
        rule = Rule(settings.privacy_k, settings.privacy_min_orgs if pooled else None, settings.privacy_dominance_p)
        guarded = guard(query, catalog, rule, _counter(services, opened, memo, by_org=pooled))
    if not protected or not guarded.changed(query):
        result = _protect(services, query, pooled, opened, metrics, exact, memo)
    else:
        if guarded.empty:
            # The same work as an answered query, so that the time taken does not tell an
            # emptied population from a small one (the answer's reason does not either).
            _execute(services, query, pooled, opened, memo)
        shielded = (_empty(protected, grouped=bool(query.group_by)) if guarded.empty
                    else _protect(services, guarded.query, pooled, opened, protected, frozenset(), memo))
        shielded.rows = [r for r in shielded.rows if _admitted(catalog, constrained.query, r[0])]
        if exact:
            plain = _protect(services, query, pooled, opened, tuple(m for m in metrics if m in exact), exact, memo)
            result = _merge(metrics, plain, shielded)
        else:
            result = shielded
    if fill and len(exact) < len(metrics):
        reason = (POPULATION if result.population < settings.privacy_k
                  else FEW_ORGS if constrained.scope == "network" else BELOW)
        result.rows = _fill_empty_buckets(catalog, constrained, result.rows, metrics, reason)
    return result


def _organizations(services: Services, query: Query, opened: Any, memo: RequestMemo | None) -> int:
    """How many organizations the pooled population of ``query``, as asked, holds."""
    whole = _execute(services, replace(query, group_by=()), True, opened, memo)
    return int(whole.cells[0].get("p_orgs") or 0) if whole.cells else 0


def _few_organizations(services: Services, query: Query, opened: Any, metrics: tuple[str, ...],
                       memo: RequestMemo | None) -> ProtectedResult:
    """Every cell and the totals suppressed with ``TOO_FEW_ORGANIZATIONS``: the observed cells of
    the query as asked (the same work as an answered query), nothing of them published."""
    main = _execute(services, query, True, opened, memo)
    dim_cols = [c for c in main.compiled.dimension_columns if c not in main.compiled.hidden_dimension_columns]
    cells = {m: Published(None, True, FEW_ORGS) for m in metrics}
    rows = [(tuple(cell.get(c) for c in dim_cols), dict(cells))
            for cell in main.cells[: services.settings.row_cap]] if query.group_by else [((), dict(cells))]
    return ProtectedResult(rows, dict(cells), len(main.cells) > services.settings.row_cap, 0)


def _counter(services: Services, opened: Any, memo: RequestMemo | None, by_org: bool) -> Any:
    """Counts of buyer rows by one column (and by organization, for a pooled population), for
    the differencing guard's probes."""
    def count(probe: Query, column: str) -> dict[Any, dict[Any, int]]:
        if by_org:
            probe = replace(probe, extra_group_by=("organization",))
        ran = _execute(services, probe, False, opened, memo)
        n = ran.compiled.row_count_column
        out: dict[Any, dict[Any, int]] = {}
        for row in ran.cells:
            out.setdefault(row.get(column), {})[row.get("d_organization") if by_org else ""] = int(row.get(n) or 0)
        return out
    return count


def _protect(services: Services, query: Query, pooled: bool, opened: Any,
             metrics: tuple[str, ...], exact: frozenset[str], memo: RequestMemo | None) -> ProtectedResult:
    settings, catalog = services.settings, services.catalog
    main = _execute(services, query, pooled, opened, memo)
    whole = _execute(services, replace(query, group_by=()), pooled, opened, memo)

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
    return ProtectedResult(rows, totals_pub, truncated, population)


def _empty(metrics: tuple[str, ...], grouped: bool) -> ProtectedResult:
    """The answer when the guard left nothing of the population (one row when not grouped)."""
    cells = {m: Published(None, True, POPULATION) for m in metrics}
    return ProtectedResult([] if grouped else [((), dict(cells))], cells, False, 0)


def _merge(metrics: tuple[str, ...], plain: ProtectedResult, shielded: ProtectedResult) -> ProtectedResult:
    """Exact metrics from the query as asked, protected ones from the guarded query, per row."""
    rows: dict[tuple[Any, ...], dict[str, Published]] = {}
    for key, pub in plain.rows:
        rows[key] = dict(pub)
    for key, pub in shielded.rows:
        rows.setdefault(key, {}).update(pub)
    missing = Published(None, True, BELOW)
    merged = [(key, {m: pub.get(m, missing) for m in metrics}) for key, pub in rows.items()]
    totals = {m: plain.totals.get(m) or shielded.totals.get(m) or missing for m in metrics}
    return ProtectedResult(merged, totals, plain.truncated or shielded.truncated, shielded.population)


def _admitted(catalog: Catalog, query: Query, key: tuple[Any, ...]) -> bool:
    """Whether a row's dimension values pass the query's own list filters (as asked).

    A filter the guard did not apply must not bring rows the query did not ask for."""
    for g, value in zip(query.group_by, key, strict=True):
        if g.granularity or g.date_part or catalog.dimension(g.dimension).is_time:
            continue
        for f in query.filters:
            if f.dimension != g.dimension:
                continue
            inside = str(value) in f.values if value is not None else False
            if (f.op == "not_in" and inside) or (f.op in ("in", "equals") and not inside):
                return False
    return True


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


_DATE_PART_DOMAINS = {"weekday": range(1, 8), "hour": range(24), "month": range(1, 13), "quarter": range(1, 5)}


def _region_codes() -> list[str]:
    import csv

    from warehouse.reference import REFERENCE_DIR

    with open(REFERENCE_DIR / "regions.csv", encoding="utf-8") as fh:
        return [row["iso_3166_2"] for row in csv.DictReader(fh)] + ["unknown"]


def _periods(observed: list[Any], granularity: str, bounds: Any) -> list[Any] | None:
    """Every bucket start from the first to the last observed (or asked-for) period."""
    import datetime as dt

    days = [v.date() if isinstance(v, dt.datetime) else v for v in observed if isinstance(v, dt.date)]
    if bounds is not None:
        days += [d for d in (bounds.start, bounds.end) if d is not None]
    if not days:
        return None

    def start(d: dt.date) -> dt.date:
        if granularity == "week":
            return d - dt.timedelta(days=d.weekday())
        if granularity == "month":
            return d.replace(day=1)
        if granularity == "quarter":
            return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
        if granularity == "year":
            return d.replace(month=1, day=1)
        return d

    def step(d: dt.date) -> dt.date:
        if granularity == "day":
            return d + dt.timedelta(days=1)
        if granularity == "week":
            return d + dt.timedelta(days=7)
        months = {"month": 1, "quarter": 3, "year": 12}[granularity]
        m = d.month - 1 + months
        return d.replace(year=d.year + m // 12, month=m % 12 + 1, day=1)

    out: list[Any] = []
    cur, last = start(min(days)), start(max(days))
    while cur <= last and len(out) <= 5000:
        out.append(cur)
        cur = step(cur)
    return out


def _domain(catalog: Catalog, g: Any, observed: list[Any], bounds: Any) -> list[Any] | None:
    """Every value a group-by can take, when that set is knowable and small; else None."""
    if g.date_part:
        domain = _DATE_PART_DOMAINS.get(g.date_part)
        return list(domain) if domain is not None else None
    if g.granularity:
        return _periods(observed, g.granularity, bounds)
    dim = catalog.dimension(g.dimension)
    if dim.is_enumerated:
        return [b.code for b in catalog.buckets(g.dimension)]
    if g.dimension in ("region", "buyer_region"):
        return _region_codes()
    if g.dimension == "buyer_country":
        return sorted({"NO", "SE", "DK", "FI", "IS", "unknown", *(v for v in observed if v is not None)})
    return None


def _fill_empty_buckets(
    catalog: Catalog, constrained: Constrained,
    rows: list[tuple[tuple[Any, ...], dict[str, Published]]],
    metrics: tuple[str, ...], reason: str,
) -> list[tuple[tuple[Any, ...], dict[str, Published]]]:
    """Empty cells appear suppressed, exactly like small ones, wherever the values are knowable.

    Otherwise a missing row would tell "no buyers" apart from "1 to k−1 buyers". Dimensions with
    a fixed set of values (buckets, date parts, regions) are filled for every combination of the
    other (observed) values, with ``reason`` (an empty pooled cell has no organizations, so it
    gets the reason a cell of few organizations gets).
    """
    group_by = constrained.query.group_by
    if not group_by:
        return rows
    tr = constrained.query.time_range
    domains = {}
    for i, g in enumerate(group_by):
        bounds = tr if tr is not None and tr.dimension == g.dimension else None
        d = _domain(catalog, g, [key[i] for key, _ in rows], bounds)
        if d is not None:
            domains[i] = d
    if not domains:
        return rows
    seen = {key for key, _ in rows}
    free = [i for i in range(len(group_by)) if i not in domains]
    others = sorted({tuple(key[i] for i in free) for key in seen}, key=lambda t: tuple(_sortable(v) for v in t))
    if free and not others:
        return rows  # nothing observed to combine with
    if not free:
        others = [()]
    size = len(others)
    for d in domains.values():
        size *= len(d)
    if size > 20000:
        return rows  # too many combinations to list; the row cap would cut them anyway
    filled = list(rows)
    positions = sorted(domains)
    for rest in others:
        for combo in itertools.product(*(domains[i] for i in positions)):
            key_list: list[Any] = [None] * len(group_by)
            for i, v in zip(free, rest, strict=True):
                key_list[i] = v
            for i, v in zip(positions, combo, strict=True):
                key_list[i] = v
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


