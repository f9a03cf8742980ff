"""The privacy pipeline of one protected query: organizations first, the differencing guard,
thresholds, perturbation, own exact metrics, empty cells filled like small ones.

It runs queries only through an injected :class:`Executor` (the resolver layer's, which compiles,
picks rollups, caches and runs them on the serving engine), so the whole pipeline is one piece of
privacy code with nothing of the engine in it.

>>> from pathlib import Path; from metrics.model import load_model
>>> catalog = Catalog(load_model(Path(__file__).resolve().parents[2] / "metrics" / "model"))
>>> internal_query(Constrained(Query(metrics=("tickets",)), "network", None, False), 10, catalog).metrics
('tickets', 'buyers', 'revenue_eur')
>>> internal_query(Constrained(Query(metrics=("nps",)), "network", None, False), 10, catalog).metrics
('nps', 'answers')
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Protocol

from metrics.catalog import Catalog
from metrics.compiler import CompiledQuery
from metrics.compiler.plan import plan_query
from metrics.query import Query
from resolvers.privacy.cells import BUYER_ROWS, CellView
from resolvers.privacy.complement import suppress_complements
from resolvers.privacy.constrain import Constrained
from resolvers.privacy.fill import fill_empty_cells
from resolvers.privacy.params import PrivacyParams
from resolvers.privacy.population import apply_population
from resolvers.privacy.protect import Protection, Published
from resolvers.privacy.reasons import Reason
from resolvers.privacy.slices import Guarded, Rule, Summary, guard


@dataclass
class Executed:
    """Raw cells of one compiled query (never leave the server)."""

    compiled: CompiledQuery
    cells: list[dict[str, Any]]


class Executor(Protocol):
    """What the pipeline needs of the engine: run a query (pooled over organizations or not)."""

    @property
    def catalog(self) -> Catalog: ...
    @property
    def params(self) -> PrivacyParams: ...
    @property
    def row_cap(self) -> int: ...

    def run(self, query: Query, pooled: bool, summary: bool = False) -> Executed:
        """Run ``query``; ``pooled``: over organizations, protected per organization (pooled.py);
        ``summary``: pooled, only buyer rows, organizations and the largest organizations' rows."""
        ...

    # Optionally, ``population() -> Population | None``: the official population the metrics of
    # resolvers/privacy/population.py divide by (public reference data of the served version);
    # and ``memoized(key, compute)``: ``compute()`` once per key for the request being answered.


@dataclass
class ProtectedResult:
    """Published cells of one query: rows keyed by their dimension values, and the totals."""

    rows: list[tuple[tuple[Any, ...], dict[str, Published]]]
    totals: dict[str, Published]
    truncated: bool
    population: int = 0  # buyer rows of the (guarded) population; never leaves the server
    adjusted: bool = False  # the guard changed the population the protected metrics describe


def internal_query(constrained: Constrained, row_cap: int, catalog: Catalog) -> Query:
    """The query actually compiled: every cell also counts its rows (buyer rows, or survey
    answers: the row measure of the fact the metrics read) for P3/P4, and a network cell of
    buyers also sums tickets and revenue, so that the dominance rule (P5) judges all three
    whatever the query asks for."""
    catalog = catalog.for_metrics(constrained.query.metrics)
    row = catalog.row_measure
    sums = tuple(m for m in ("tickets", "revenue_eur") if catalog.has_metric(m))
    extra = (row, *sums) if constrained.scope == "network" else (row,)
    metrics = tuple(dict.fromkeys((*constrained.query.metrics, *extra)))
    return replace(constrained.query, metrics=metrics, order_by=(), limit=row_cap + 1)


def run_protected(ex: Executor, constrained: Constrained, query: Query, pooled: bool, *,
                  fill: bool = True) -> ProtectedResult:
    """Execute ``query`` (already constrained) and protect every cell and the totals.

    Protected metrics are computed on the query as the differencing guard normalizes it
    (resolvers/privacy/slices.py); metrics published exactly (own data, P6) on the query as
    asked, so that they stay exact.
    """
    catalog, params = ex.catalog, ex.params
    metrics = constrained.query.metrics
    exact = own_exact_metrics(catalog, constrained) if not pooled else frozenset()
    protected = tuple(m for m in metrics if m not in exact)
    plan_query(catalog, query)  # a bad query fails with its own error, before any probe
    if pooled and _organizations(ex, query) < params.min_orgs:
        # Organizations first, before the guard looks at anything: a pooled population of fewer
        # than min_orgs organizations gets one answer, whatever its buyers, its days or its values,
        # so neither the reasons nor the time taken can tell how many buyers it holds.
        result = _few_organizations(ex, query, metrics)
        if fill:
            result.rows = fill_empty_cells(catalog, constrained, result.rows, metrics, Reason.FEW_ORGS)
        return result
    if protected:
        rule = Rule(params.k, params.min_orgs if pooled else None, params.dominance_p)
        guarded = _guarded(ex, query, rule, pooled)
    if not protected or not guarded.changed(query):
        result = _protect(ex, query, pooled, metrics, exact)
    else:
        if guarded.empty:
            # The same work as an answered query, so that the time taken does not tell an
            # emptied population from a small one (the answer's reason does not either).
            ex.run(query, pooled)
        shielded = (_empty(protected, grouped=bool(query.group_by)) if guarded.empty
                    else _protect(ex, guarded.query, pooled, protected, frozenset()))
        shielded.rows = [r for r in shielded.rows if _admitted(catalog, constrained.query, r[0])]
        if exact:
            plain = _protect(ex, query, pooled, tuple(m for m in metrics if m in exact), exact)
            result = _merge(metrics, plain, shielded)
        else:
            result = shielded
        result.adjusted = True
    if fill and len(exact) < len(metrics):
        reason = (Reason.POPULATION if result.population < params.k
                  else Reason.FEW_ORGS if constrained.scope == "network" else Reason.BELOW)
        result.rows = fill_empty_cells(catalog, constrained, result.rows, metrics, reason)
    suppress_complements(constrained.query, result.rows, protected)
    if any(catalog.metric(m).uses_population for m in metrics):
        population = getattr(ex, "population", None)
        apply_population(catalog, constrained.query, result.rows, result.totals,
                         population() if callable(population) else None)
    return result


def _organizations(ex: Executor, query: Query) -> int:
    """How many organizations the pooled population of ``query``, as asked, holds."""
    whole = ex.run(replace(query, group_by=()), True)
    return int(whole.cells[0].get("p_orgs") or 0) if whole.cells else 0


def _few_organizations(ex: Executor, query: Query, metrics: tuple[str, ...]) -> ProtectedResult:
    """Every cell and the totals suppressed with ``TOO_FEW_ORGANIZATIONS``: the observed cells of
    the query as asked (the same work as an answered query), nothing of them published."""
    main = ex.run(query, True)
    dim_cols = _visible(main.compiled)
    cells = {m: Published(None, True, Reason.FEW_ORGS) for m in metrics}
    rows = ([(tuple(cell.get(c) for c in dim_cols), dict(cells)) for cell in main.cells[: ex.row_cap]]
            if query.group_by else [((), dict(cells))])
    return ProtectedResult(rows, dict(cells), len(main.cells) > ex.row_cap, 0)


def _guarded(ex: Executor, query: Query, rule: Rule, pooled: bool) -> Guarded:
    """The differencing guard's normalization of ``query``, once per population and request.

    The guard's probes and its passes over them depend on the population only (the filters,
    the period, the organizations), not on what is asked of it: every widget of a tab shares
    one normalization (its day-by-day passes were a third of a tab's CPU). The metrics,
    breakdowns and order asked for are put back on the normalized population."""
    catalog = ex.catalog
    population = replace(query, metrics=(catalog.row_measure,), group_by=(), order_by=(), limit=None)

    def compute() -> Guarded:
        return guard(population, catalog, rule, _counter(ex, by_org=pooled), _summarizer(ex) if pooled else None)

    memoized = getattr(ex, "memoized", None)
    key = ("guard", catalog.fact.name, population, rule, pooled)
    shared: Guarded = memoized(key, compute) if callable(memoized) else compute()
    return Guarded(replace(shared.query, metrics=query.metrics, group_by=query.group_by,
                           order_by=query.order_by, limit=query.limit), shared.empty)


def _counter(ex: Executor, by_org: bool) -> Any:
    """Counts of buyer rows by one column (and by organization, for a pooled population), for
    the differencing guard's probes."""
    def count(probe: Query, column: str) -> dict[Any, dict[Any, int]]:
        if by_org:
            probe = replace(probe, extra_group_by=("organization",))
        ran = ex.run(probe, False)
        n = ran.compiled.row_count_column
        out: dict[Any, dict[Any, int]] = {}
        for row in ran.cells:
            out.setdefault(row.get(column), {})[row.get("d_organization") if by_org else ""] = int(row.get(n) or 0)
        return out
    return count


def _summarizer(ex: Executor) -> Any:
    """Per value of one column: buyers, organizations and the three largest organizations' buyers,
    pooled in the engine (one row per value, not one per value and organization)."""
    def summarize(probe: Query, column: str) -> dict[Any, Summary]:
        ran = ex.run(probe, True, summary=True)
        out: dict[Any, Summary] = {}
        for row in ran.cells:
            view = CellView(row, ran.compiled)
            out[row.get(column)] = Summary(view.rows, view.orgs, (view.top(BUYER_ROWS, 1), view.top(BUYER_ROWS, 2),
                                                                  view.top(BUYER_ROWS, 3)))
        return out
    return summarize


def _visible(compiled: CompiledQuery) -> list[str]:
    return [c for c in compiled.dimension_columns if c not in compiled.hidden_dimension_columns]


def _protect(ex: Executor, query: Query, pooled: bool, metrics: tuple[str, ...],
             exact: frozenset[str]) -> ProtectedResult:
    main = ex.run(query, pooled)
    whole = ex.run(replace(query, group_by=()), pooled)

    total_cell = whole.cells[0] if whole.cells else {}
    population = int(total_cell.get("p_n") or 0)
    t_prot = Protection(ex.catalog, ex.params, whole.compiled, pooled, exact)
    totals_reason = t_prot.cell_reason(total_cell, population)
    totals_exact = {n: _num(total_cell.get(a)) for n, a in whole.compiled.measure_columns.items()}
    _, totals_measures = t_prot.publish(total_cell, population, metrics, None, totals_reason, totals_exact)
    # Shares divide by the published total, perturbed on its own (never a sum of cells).
    totals_pub, _ = t_prot.publish(total_cell, population, metrics, totals_measures, totals_reason, totals_exact)

    prot = Protection(ex.catalog, ex.params, main.compiled, pooled, exact)
    dim_cols = _visible(main.compiled)
    truncated = len(main.cells) > ex.row_cap
    rows: list[tuple[tuple[Any, ...], dict[str, Published]]] = []
    for cell in main.cells[: ex.row_cap]:
        pub, _ = prot.publish(cell, population, metrics, totals_measures, totals_reason, totals_exact)
        rows.append((tuple(cell.get(c) for c in dim_cols), pub))
    return ProtectedResult(rows, totals_pub, truncated, population)


def _empty(metrics: tuple[str, ...], grouped: bool) -> ProtectedResult:
    """The answer when the guard left nothing of the population (one row when not grouped)."""
    cells = {m: Published(None, True, Reason.POPULATION) for m in metrics}
    return ProtectedResult([] if grouped else [((), dict(cells))], cells, False, 0)


def _merge(metrics: tuple[str, ...], plain: ProtectedResult, shielded: ProtectedResult) -> ProtectedResult:
    """Exact metrics from the query as asked, protected ones from the guarded query, per row."""
    rows: dict[tuple[Any, ...], dict[str, Published]] = {}
    for key, pub in plain.rows:
        rows[key] = dict(pub)
    for key, pub in shielded.rows:
        rows.setdefault(key, {}).update(pub)
    missing = Published(None, True, Reason.BELOW)
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


def own_exact_metrics(catalog: Catalog, constrained: Constrained) -> frozenset[str]:
    """P6: in OWN scope, metrics that use no enriched attribute are exact (survey metrics too: the
    organization ran the survey and holds its answers; linked to an enriched attribute of the
    respondent, such as the age group, they are protected like buyers)."""
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
