"""Running the privacy pipeline's queries on the serving engine: compile (choosing a rollup),
pool over organizations, cache, execute. The pipeline itself (resolvers/privacy/pipeline.py)
sees only :class:`ServicesExecutor`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from metrics.catalog import Catalog
from metrics.compiler import CompiledQuery, compile_query, render
from metrics.query import Query
from resolvers.cache import RequestMemo
from resolvers.context import RequestContext, Services
from resolvers.privacy import Caller as PrivacyCaller
from resolvers.privacy import Constrained, constrain
from resolvers.privacy.params import PrivacyParams
from resolvers.privacy.pipeline import Executed
from resolvers.privacy.pooled import pooled_select
from resolvers.privacy.population import Population
from resolvers.request import InsightRequest
from warehouse.engine import older_version_error

_PEER_COLUMN = {"same_org_type": "org_type", "same_region": "region", "same_country": "country"}


def constrain_request(ctx: RequestContext, request: InsightRequest, catalog: Catalog | None = None) -> Constrained:
    caller = PrivacyCaller(ctx.caller.org_id, ctx.caller.role)
    return constrain(request, caller, catalog or fact_catalog(ctx.services, request.metrics), ctx.services.settings)


def fact_catalog(services: Services, metrics: tuple[str, ...]) -> Catalog:
    """The catalog of the semantic model ``metrics`` read (buyers, or survey answers); metrics of
    two models in one query are a BAD_QUERY naming both."""
    return services.catalog.for_metrics(tuple(m for m in metrics if services.catalog.has_metric(m)))


def compile_for(services: Services, query: Query, pooled: bool, opened: Any,
                summary: bool = False, catalog: Catalog | None = None) -> tuple[CompiledQuery, str]:
    """The compiled query and the SQL to run on the version ``opened`` (from a rollup when one
    of that version covers it), in the serving engine's dialect. Compiled once per (query,
    version): see ``Services.compiled``. ``summary``: pooled, only what the organization rules
    judge (``pooled_select``)."""
    dialect = services.engine.dialect
    catalog = catalog or fact_catalog(services, query.metrics)

    def build() -> tuple[CompiledQuery, str]:
        rollups = services.rollups.available(opened) if services.rollups is not None else None
        if pooled:
            compiled = compile_query(catalog, replace(query, extra_group_by=("organization",), limit=None),
                                     dialect, rollups=rollups, ordered=False)
            select = pooled_select(compiled, catalog, services.settings.row_cap,
                                   services.settings.privacy_rounding_base, summary=summary,
                                   dialect=dialect)
            return compiled, render(select, dialect)
        compiled = compile_query(catalog, query, dialect, rollups=rollups)
        return compiled, compiled.sql

    return services.compiled.get_or_compute((query, pooled, summary, opened.version.number), build)


@dataclass
class ServicesExecutor:
    """The privacy pipeline's executor for one request on one warehouse version."""

    services: Services
    opened: Any
    memo: RequestMemo | None = None
    #: The catalog of the request's semantic model (see ``fact_catalog``); the whole one if None.
    fact: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        return self.fact or self.services.catalog.for_fact(self.services.catalog.fact.name)

    @cached_property
    def params(self) -> PrivacyParams:
        return PrivacyParams.from_settings(self.services.settings)

    @property
    def row_cap(self) -> int:
        return self.services.settings.row_cap

    def run(self, query: Query, pooled: bool, summary: bool = False) -> Executed:
        services, opened, memo = self.services, self.opened, self.memo
        lacks = getattr(opened, "outdated", {}).get(self.catalog.fact.table)
        if lacks:
            raise older_version_error(opened.version, lacks)
        compiled, sql = compile_for(services, query, pooled or summary, opened, summary, self.catalog)
        key = (sql, opened.version.number)

        def run() -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = services.engine.execute(sql, opened=opened).to_pylist()
            return rows

        def cached() -> list[dict[str, Any]]:
            return services.cache.get_or_compute(key, run) if services.cache is not None else run()

        return Executed(compiled, memo.get(key, cached) if memo is not None else cached())

    def memoized(self, key: Any, compute: Any) -> Any:
        """``compute()`` once per ``key`` in this request (the guard's normalization of a
        population every widget of a tab shares); every time without a request memo."""
        return self.memo.get(key, compute) if self.memo is not None else compute()

    def population(self) -> Population | None:
        """The official population the served version holds (None for a version without it)."""
        engine, opened = self.services.engine, self.opened

        def load() -> Population | None:
            try:
                rows = engine.execute("SELECT country, region, age_group, gender, population FROM population",
                                      opened=opened).to_pylist()
            except Exception:  # a version (or export) written before population data: no rates
                return None
            counts = {(r["region"], r["age_group"], r["gender"]): int(r["population"])
                      for r in rows if r["population"] is not None}
            by_country: dict[str, list[str]] = {}
            # every region, also those without a figure (a population over them is not known)
            for r in engine.execute("SELECT country, iso_3166_2 AS region FROM regions", opened=opened).to_pylist():
                by_country.setdefault(r["country"], []).append(r["region"])
            return Population(counts, {c: tuple(sorted(rs)) for c, rs in by_country.items()})

        return self.services.per_version(opened.version.number, "population", load)  # type: ignore[no-any-return]

    def peer_group(self, own_org: str, peer_group: str) -> tuple[str, ...]:
        engine, opened = self.services.engine, self.opened

        def lookup() -> tuple[str, ...]:
            me = engine.execute("SELECT org_type, region, country FROM organizations WHERE org_id = ?",
                                [own_org], opened=opened).to_pylist()
            column = _PEER_COLUMN.get(peer_group)
            if column and me:
                # column names come from the fixed table above, never from the request
                peers = engine.execute(f"SELECT org_id FROM organizations WHERE {column} = ? AND org_id <> ?",
                                       [me[0][column], own_org], opened=opened).to_pylist()
            else:
                peers = engine.execute("SELECT org_id FROM organizations WHERE org_id <> ?",
                                       [own_org], opened=opened).to_pylist()
            return tuple(sorted(r["org_id"] for r in peers))

        # Every widget of a tab compares with the same peer group: look it up once per request.
        key = ("peer group", own_org, peer_group, opened.version.number)
        return self.memo.get(key, lookup) if self.memo is not None else lookup()
