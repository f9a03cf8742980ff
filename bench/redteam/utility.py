"""Utility: published NETWORK numbers (partner token) against the truth from the raw files.

Per breakdown: mean and max relative error of BUYERS, TICKETS and REVENUE_EUR for cells with at
least 100 (and at least 1,000) true buyers, and the share of cells suppressed (of the cells that
hold buyers in the truth).
"""

from __future__ import annotations

from typing import Any

from bench.redteam import truth
from bench.redteam.harness import Env

TIME_RANGE = {"from": "2024-01-01", "to": "2025-12-31"}
MONTH = "strftime(date_trunc('month', purchased_at), '%Y-%m-%d')"
BREAKDOWNS: list[tuple[str, list[dict[str, Any]], list[str]]] = [
    ("COUNTRY", [{"dimension": "COUNTRY"}], ["country"]),
    ("REGION", [{"dimension": "REGION"}], ["region"]),
    ("ORG_TYPE", [{"dimension": "ORG_TYPE"}], ["org_type"]),
    ("BUYER_REGION", [{"dimension": "BUYER_REGION"}], ["coalesce(buyer_region, 'unknown')"]),
    ("AGE_GROUP", [{"dimension": "AGE_GROUP"}], ["age_group"]),
    ("GENDER", [{"dimension": "GENDER"}], ["gender"]),
    ("PURCHASED_AT month", [{"dimension": "PURCHASED_AT", "granularity": "MONTH"}], [MONTH]),
    ("COUNTRY x ORG_TYPE", [{"dimension": "COUNTRY"}, {"dimension": "ORG_TYPE"}], ["country", "org_type"]),
    ("COUNTRY x AGE_GROUP", [{"dimension": "COUNTRY"}, {"dimension": "AGE_GROUP"}], ["country", "age_group"]),
    ("COUNTRY x GENDER", [{"dimension": "COUNTRY"}, {"dimension": "GENDER"}], ["country", "gender"]),
    ("COUNTRY x month", [{"dimension": "COUNTRY"}, {"dimension": "PURCHASED_AT", "granularity": "MONTH"}],
     ["country", MONTH]),
]
METRICS = ["BUYERS", "TICKETS", "REVENUE_EUR"]


def _stats(errs: list[float]) -> dict[str, float | int | None]:
    return {"n": len(errs), "mean": sum(errs) / len(errs) if errs else None, "max": max(errs) if errs else None}


def measure(env: Env) -> dict[str, Any]:
    out: dict[str, Any] = {}
    tok = env.tokens["partner"]
    for name, group, cols in BREAKDOWNS:
        a = env.api.insights(tok, {"metrics": METRICS, "groupBy": group, "timeRange": TIME_RANGE, "limit": 5000})
        key = " || '|' || ".join(f"coalesce(CAST({c} AS VARCHAR), 'unknown')" for c in cols)
        true = truth.figures(env.truth, None, TIME_RANGE, group=key)
        published = {}
        for dims, cells in a.cells():
            k = "|".join(str(dims.get(g["dimension"])) for g in group)
            published[k] = cells
        row: dict[str, Any] = {"cells": len(true), "error": a.error}
        suppressed = 0
        for metric in METRICS:
            e100, e1000 = [], []
            for k, t in true.items():
                cell = (published.get(k) or {}).get(metric) or {}
                v = cell.get("value")
                if v is None:
                    continue
                err = abs(float(v) - t[metric]) / abs(t[metric]) if t[metric] else 0.0
                if t["BUYERS"] >= 100:
                    e100.append(err)
                if t["BUYERS"] >= 1000:
                    e1000.append(err)
            row[metric] = {"ge100": _stats(e100), "ge1000": _stats(e1000)}
        for k in true:
            cell = (published.get(k) or {}).get("BUYERS") or {}
            suppressed += int(cell.get("value") is None)
        row["suppressed"] = suppressed
        row["suppressed_share"] = suppressed / len(true) if true else 0.0
        out[name] = row
    allc = sum(r["cells"] for r in out.values())
    e100 = [(r["BUYERS"]["ge100"]["mean"], r["BUYERS"]["ge100"]["n"]) for r in out.values() if r["BUYERS"]["ge100"]["n"]]
    out["_overall"] = {
        "cells": allc,
        "suppressed_share": sum(r["suppressed"] for r in out.values()) / allc if allc else 0.0,
        "buyers_mean_rel_error_ge100": sum(m * n for m, n in e100) / sum(n for _, n in e100) if e100 else None,
        "buyers_max_rel_error_ge1000": max((r["BUYERS"]["ge1000"]["max"] or 0.0) for r in out.values()),
    }
    return out
