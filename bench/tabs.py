"""Dashboard tabs: one GraphQL request per tab over HTTP, against hand-written DuckDB SQL.

Each tab of the dashboard (``docs/queries/tab_*.graphql`` and ``loyalty_tab.graphql``; the
loyalty tab's growth widget is a second request, ``growth_like_for_like.graphql``, not timed
here) is sent as one request to a real
server, uncached (result, answer and response caches off) and cached (the defaults: a warm-up
request fills the caches, every timed request is a hit), median and p95 of repeated runs. The
same aggregates, written by hand in DuckDB SQL on the base tables (no privacy work, no
per-organization breakdown), run one after another in this process on the same version file.
The ratio is API ÷ SQL, client-side time for the API (HTTP included).

Variants: ``default`` is the tab as the docs have it (NETWORK, all time, no filters, as a
partner sees it); ``last12_no`` adds the dashboard's default period (the last 12 months to
today, day-aligned) and a country filter.
"""

from __future__ import annotations

import re
import statistics
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from bench.server import MemorySampler, Server

ROOT = Path(__file__).resolve().parents[1]
TABS = ("tab_demography", "tab_events", "loyalty_tab")
YOUNG = "age_group IN ('0-17', '18-24')"
KNOWN_AGES = "('0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65-74', '75+')"


def last12(today: date) -> tuple[date, date]:
    """The dashboard's default period (web/src/main.ts presetRange 'last12')."""
    try:
        start = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28) + timedelta(days=1)
    return start, today


def variants(today: date) -> dict[str, dict[str, Any]]:
    start, end = last12(today)
    return {
        "default": {},
        "last12_no": {"timeRange": {"from": start.isoformat(), "to": end.isoformat()},
                      "filters": [{"dimension": "COUNTRY", "op": "IN", "values": ["NO"]}]},
    }


def hand_written_sql(tab: str, variables: dict[str, Any]) -> list[str]:
    """The tab's aggregates as an analyst would write them on the base tables."""
    where: list[str] = []
    orgs_needed = False
    tr = variables.get("timeRange")
    if tr:
        end = date.fromisoformat(tr["to"]) + timedelta(days=1)
        where += [f"b.first_purchased_at_local >= DATE '{tr['from']}'", f"b.first_purchased_at_local < DATE '{end}'"]
    for f in variables.get("filters", []):
        if f["dimension"] == "COUNTRY":
            orgs_needed = True
            values = ", ".join(f"'{v}'" for v in f["values"])
            where.append(f"o.country IN ({values})")

    def q(select: str, group: str = "", events: bool = False, orgs: bool = False) -> str:
        joins = " JOIN organizations o USING (org_id)" if (orgs or orgs_needed) else ""
        joins += " JOIN events e USING (event_sk)" if events else ""
        cond = f" WHERE {' AND '.join(where)}" if where else ""
        return f"SELECT {select} FROM buyers b{joins}{cond}" + (f" GROUP BY {group}" if group else "")

    if tab == "loyalty_tab":
        # The widgets' aggregates (the per-1,000 and index divisions by the population are a few
        # dozen divisions in Python after the query, left out here as in the API's own timing).
        status = ("count(*) FILTER (WHERE customer_status = 'first_time'), "
                  "count(*) FILTER (WHERE customer_status = 'returning'), "
                  "count(*) FILTER (WHERE customer_status IN ('first_time', 'returning'))")
        return [
            q(f"{status}, sum(lead_time_days), count(*)"),
            q(f"date_trunc('month', b.first_purchased_at_local), {status}", "ALL"),
            q("frequency_band, count(*)", "ALL"),
            q("spend_band, count(*)", "ALL"),
            q("lead_time_band, sum(tickets)", "ALL"),
            q("buyer_region, count(*)", "ALL"),
            # the audience index: the buyers of the dashboard's population country, known age and gender
            q("age_group, gender, count(*)", "ALL").replace(
                " GROUP BY", (" AND " if where else " WHERE ") + "buyer_country = 'NO' AND gender IN ('male', 'female') "
                f"AND age_group IN {KNOWN_AGES} GROUP BY"),
        ]
    if tab == "tab_demography":
        kpis = ("count(*), count(DISTINCT b.event_sk), count(DISTINCT b.org_id), "
                "count(*) FILTER (WHERE gender = 'male'), count(*) FILTER (WHERE gender = 'female'), "
                f"count(*) FILTER (WHERE {YOUNG})")
        return [q(kpis), q("age_group, gender, count(*)", "ALL"), *(
            q(f"{c}, count(*)", "ALL") for c in ("purchasing_power", "education_level", "area_type", "home_type"))]
    return [
        q("date_trunc('month', b.first_purchased_at_local), count(*)", "ALL"),
        q("isodow(b.first_purchased_at_local), count(*)", "ALL"),
        q("hour(b.first_purchased_at_local), count(*)", "ALL"),
        q("o.org_type, count(*)", "ALL", orgs=True),
        *(q(f"e.{c}, count(*)", "ALL", events=True) for c in ("region", "event_type", "event_category")),
    ]


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2),
            "min_ms": round(ordered[0], 2), "runs": len(ordered)}


def time_sql(con: duckdb.DuckDBPyConnection, sqls: list[str], repeat: int) -> dict[str, float]:
    for s in sqls:  # warm-up: the same as the server's first request
        con.execute(s).fetchall()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for s in sqls:
            con.execute(s).fetchall()
        runs.append((time.perf_counter() - t0) * 1000)
    return _summary(runs)


def time_api(server: Server, text: str, token: str, variables: dict[str, Any], repeat: int) -> dict[str, Any]:
    first = server.post(text, token, variables)
    if first.errors or first.status != 200:
        raise RuntimeError(f"the tab request failed: {first.status} {first.errors[:1]}")
    client, inside, hits = [], [], 0
    for _ in range(repeat):
        reply = server.post(text, token, variables)
        if reply.errors or reply.status != 200:
            raise RuntimeError(f"the tab request failed: {reply.status} {reply.errors[:1]}")
        client.append(reply.ms)
        inside.append(reply.server_ms)
        hits += reply.cache == "hit"
    return {"first_ms": round(first.ms, 1), "client": _summary(client), "server": _summary(inside), "hits": hits}


EXPLAIN = "query E($q: InsightQuery!) { explain(query: $q) { rollup rollupNotes } }"


def widgets(text: str) -> list[tuple[str, dict[str, Any]]]:
    """The aliased ``insights`` fields of a tab document: alias, metrics, groupBy, and the scope
    where the document fixes one (``scope: OWN``, not ``$scope``)."""
    out = []
    for alias, literal in re.findall(r"(\w+): insights\(query: (\{.*?\}), locale", text, re.S):
        metrics = re.search(r"metrics: \[([A-Z0-9_, ]+)\]", literal)
        groups = [dict(re.findall(r"(\w+): (\w+)", g)) for g in re.findall(r"\{(dimension: [^}]*)\}", literal)]
        q: dict[str, Any] = {"metrics": [m.strip() for m in metrics.group(1).split(",")] if metrics else [],
                             "groupBy": groups}
        fixed = re.search(r"scope: (OWN|NETWORK)\b", literal)  # a widget that always asks one scope
        if fixed:
            q["scope"] = fixed.group(1)
        out.append((alias, q))
    return out


def served_by(server: Server, admin: str, text: str, variables: dict[str, Any]) -> list[dict[str, Any]]:
    """What each widget of a tab reads (``explain``): a rollup, a split range, or the base tables."""
    out = []
    for alias, q in widgets(text):
        q = dict(q, scope=q.get("scope", "NETWORK"), filters=variables.get("filters", []))
        if "timeRange" in variables:
            q["timeRange"] = variables["timeRange"]
        reply = server.post_json(EXPLAIN, admin, {"q": q})
        explained = reply["data"]["explain"]
        split = [n for n in explained["rollupNotes"] if n.startswith("time range split")]
        out.append({"widget": alias, "rollup": explained["rollup"], "split": split[0] if split else None})
    return out


def run(warehouse: Path, version_file: Path, token: str, repeat: int, today: date,
        say: Any = print, admin: str | None = None, memory: dict[str, float] | None = None) -> dict[str, Any]:
    """Every tab x variant: API uncached, API cached, hand-written SQL. ``memory``, when given,
    gets the server's peak RSS in MiB per mode (``uncached``, ``cached``)."""
    out: dict[str, Any] = {}
    con = duckdb.connect(str(version_file), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    try:
        configs = {"uncached": {"cache_max_cells": 0, "answer_cache_max_cells": 0, "response_cache_mb": 0},
                   "cached": {}}
        for mode, settings in configs.items():
            with Server(warehouse, **settings) as server, MemorySampler(server) as sampler:
                for name, variables in variants(today).items():
                    for tab in TABS:
                        text = (ROOT / "docs" / "queries" / f"{tab}.graphql").read_text(encoding="utf-8")
                        entry = out.setdefault(f"{tab}/{name}", {"tab": tab, "variant": name, "variables": variables})
                        say(f"  {tab} ({name}), {mode}: {repeat} runs")
                        entry[mode] = time_api(server, text, token, variables, repeat)
                        if mode == "uncached":
                            if admin is not None:
                                entry["served_by"] = served_by(server, admin, text, variables)
                            say(f"  {tab} ({name}), hand-written SQL: {repeat} runs")
                            entry["sql"] = time_sql(con, hand_written_sql(tab, variables), repeat)
                            entry["sql_statements"] = hand_written_sql(tab, variables)
                if memory is not None:
                    memory[mode] = max(sampler.peak_mb, server.memory_mb()["peak_rss_mb"])
    finally:
        con.close()
    for entry in out.values():
        sql = entry["sql"]["median_ms"]
        entry["ratio_uncached"] = round(entry["uncached"]["client"]["median_ms"] / sql, 3)
        entry["ratio_cached"] = round(entry["cached"]["client"]["median_ms"] / sql, 3)
    return out
