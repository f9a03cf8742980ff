"""The ``explain`` field (admin only): the compiled SQL, the rollup it reads, the protections.

The SQL shown is the aggregate query without its privacy columns: record keys, cell keys and
unperturbed values never leave the server (P4). In scope NETWORK it is the per-organization
query that is pooled (P5). ``rollupNotes`` says, per rollup the model declares, why it served
the query or why it did not.
"""

from __future__ import annotations

from typing import Any

from cid_graph.errors import ForbiddenError
from metrics.compiler import render
from resolvers.context import RequestContext
from resolvers.execute import compile_for, constrain_request, fact_catalog
from resolvers.privacy.pipeline import internal_query
from resolvers.request import InsightRequest


def explain(ctx: RequestContext, request: InsightRequest) -> dict[str, Any]:
    if ctx.caller.role != "admin":
        raise ForbiddenError("explain is for operators (admin tokens) only",
                             hint="Ask an operator, or use insights.")
    catalog = fact_catalog(ctx.services, request.metrics)
    constrained = constrain_request(ctx, request, catalog)
    pooled = constrained.scope == "network"
    opened = ctx.services.engine.require()
    compiled, _ = compile_for(ctx.services, internal_query(constrained, ctx.services.settings.row_cap, catalog), pooled, opened,
                              catalog=catalog)
    public = compiled.expression.copy()
    keep = [e for e in public.expressions if not (e.alias_or_name or "").startswith("p_")]
    public.set("expressions", keep)
    s = ctx.services.settings
    rows = "buyers" if catalog.row_measure == "buyers" else f"{catalog.row_measure} (and each count on its own)"
    protections = [f"P3: cells and the query population need at least {s.privacy_k} {rows}",
                   f"P4: counts rounded to multiples of {s.privacy_rounding_base} by cell key; sums get noise scaled to the largest contributor"]
    if pooled:
        protections.append(f"P5: pooled cells need {s.privacy_min_orgs} organizations and pass the p% rule (p = {s.privacy_dominance_p:g}); "
                           "each organization's contribution is scaled by its own noise factor per measure")
        protections.append(f"P5: a population of fewer than {s.privacy_min_orgs} organizations is TOO_FEW_ORGANIZATIONS throughout; "
                           f"the differencing guard keeps only list values, filters and time runs of {s.privacy_min_orgs} "
                           "organizations or more that none dominates")
    elif not constrained.enriched:
        protections.append("P6: own data without enriched attributes is exact")
    if compiled.rollup_notes:
        notes = list(compiled.rollup_notes)
    elif not catalog.model.rollups:
        notes = [f"the {catalog.fact.name} model declares no rollups: its table is read directly"]
    else:
        notes = ["rollups are off (CID_GRAPH_ROLLUPS=false)"]
    dialect = ctx.services.engine.dialect
    return {"sql": render(public, dialect, pretty=True), "dialect": dialect, "scope": constrained.scope,
            "pooled": pooled, "rollup": compiled.rollup, "rollup_notes": notes, "protections": protections}
