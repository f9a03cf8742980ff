"""The ``catalog`` and ``me`` fields: what a client needs to build its UI without hard-coding."""

from __future__ import annotations

from typing import Any

from metrics.definitions import LANGUAGES
from resolvers import labels as labelling
from resolvers.context import RequestContext, Services


def catalog(services: Services, locale: str) -> dict[str, Any]:
    cat = services.catalog
    lang = labelling.language(locale)
    s = services.settings
    opened = services.engine.current()
    return {
        "metrics": [{
            "name": m.name, "label": cat.label(m, lang), "labels": _all(m.label),
            "description": cat.description(m, lang), "type": m.type, "unit": m.unit,
            "format": m.format, "decimals": m.decimals, "measures": list(m.measures),
        } for m in cat.metrics()],
        "dimensions": [{
            "name": d.name, "label": cat.label(d, lang), "labels": _all(d.label),
            "description": cat.description(d, lang),
            "kind": "time" if d.is_time else ("enumerated" if d.is_enumerated else "dynamic"),
            "enriched": d.enriched, "sensitive": d.sensitive,
            "buckets": [{"code": b.code, "label": cat.label(b, lang), "labels": _all(b.label)}
                        for b in cat.buckets(d.name)],
            "granularities": [g.name for g in cat.granularities(d.name)],
            "date_parts": [p.name for p in cat.date_parts(d.name)],
        } for d in cat.dimensions()],
        "privacy": {
            "k": s.privacy_k, "rounding_base": s.privacy_rounding_base,
            "min_organizations": s.privacy_min_orgs, "dominance_p": s.privacy_dominance_p,
            "max_group_by": s.max_group_by, "row_cap": s.row_cap, "default_limit": s.default_limit,
        },
        "languages": list(LANGUAGES),
        "warehouse_version": opened.version.number if opened else None,
        "data_since": data_since(services, None),
    }


def data_since(services: Services, org_id: str | None) -> str | None:
    """The earliest first-purchase date the warehouse holds (of one organization, or of all): what
    "first time" (customer status) and "returning" are measured from."""
    opened = services.engine.current()
    if opened is None:
        return None

    def load() -> str | None:
        where, params = ("WHERE org_id = ?", [org_id]) if org_id else ("", [])
        rows = services.engine.execute(
            f"SELECT CAST(min(first_purchased_at_local) AS DATE) AS d FROM buyers {where}", params).to_pylist()
        return rows[0]["d"].isoformat() if rows and rows[0]["d"] is not None else None

    value: str | None = services.per_version(opened.version.number, f"data_since:{org_id or ''}", load)
    return value


def _all(labels: dict[str, str]) -> dict[str, str]:
    return {lang: labels.get(lang) or labels.get("en", "") for lang in LANGUAGES}


def me(ctx: RequestContext) -> dict[str, Any]:
    org = None
    if ctx.caller.org_id:
        rows = ctx.services.engine.execute(
            "SELECT org_id, name, org_type, country, region FROM organizations WHERE org_id = ?",
            [ctx.caller.org_id],
        ).to_pylist()
        if rows:
            r = rows[0]
            org = {"id": r["org_id"], "name": r["name"], "org_type": r["org_type"],
                   "country": r["country"], "region": r["region"],
                   "data_since": data_since(ctx.services, ctx.caller.org_id)}
        else:
            org = {"id": ctx.caller.org_id, "name": ctx.caller.org_id, "org_type": "unknown",
                   "country": "", "region": "unknown", "data_since": None}
    return {"role": ctx.caller.role, "organization": org, "expires_at": getattr(ctx.caller, "expires_at", "")}
