"""Query benchmark: every query of docs/queries/ sent through GraphQL over HTTP to a real server,
against the same aggregates written by hand in DuckDB SQL on the same warehouse file, run one
after another in this process. Median of repeated runs; the ratio (API ÷ SQL) per query and for
the whole set.

    python -m bench.queries --warehouse PATH [--repeat 7] [--out bench/out/queries.json]

The server runs uncached by default (`--cache` turns its caches on: then the warm-up
request fills them and the timed ones are cache hits), NETWORK scope, partner token. The hand-written SQL computes plain aggregates without any privacy work, so the ratio
also prices the protections (a per-organization breakdown for P5, a totals query for P3).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "docs" / "queries"

_B = "FROM buyers b"
_E = "FROM buyers b JOIN events e USING (event_sk)"
_O = "FROM buyers b JOIN organizations o USING (org_id)"
SQL: dict[str, list[str]] = {
    "buyers": [f"SELECT count(*) {_B}"],
    "events": [f"SELECT count(DISTINCT event_sk) {_B}"],
    "organizations": [f"SELECT count(DISTINCT org_id) {_B}"],
    "male_buyers": [f"SELECT count(*) FILTER (WHERE gender = 'male') {_B}"],
    "female_buyers": [f"SELECT count(*) FILTER (WHERE gender = 'female') {_B}"],
    "young_buyers": [f"SELECT count(*) FILTER (WHERE age_group IN ('0-17', '18-24')) {_B}"],
    "age_gender": [f"SELECT age_group, gender, count(*) {_B} GROUP BY ALL"],
    "purchasing_power": [f"SELECT purchasing_power, count(*) {_B} GROUP BY ALL"],
    "education_level": [f"SELECT education_level, count(*) {_B} GROUP BY ALL"],
    "area_type": [f"SELECT area_type, count(*) {_B} GROUP BY ALL"],
    "home_type": [f"SELECT home_type, count(*) {_B} GROUP BY ALL"],
    "monthly_trend": [f"SELECT date_trunc('month', first_purchased_at_local), count(*) {_B} GROUP BY ALL"],
    "weekday": [f"SELECT isodow(first_purchased_at_local), count(*) {_B} GROUP BY ALL"],
    "hour_of_day": [f"SELECT hour(first_purchased_at_local), count(*) {_B} GROUP BY ALL"],
    "weekday_hour": [f"SELECT isodow(first_purchased_at_local), hour(first_purchased_at_local), count(*) {_B} GROUP BY ALL"],
    "organization_type": [f"SELECT o.org_type, count(*) {_O} GROUP BY ALL"],
    "region": [f"SELECT e.region, count(*) {_E} GROUP BY ALL"],
    "event_type": [f"SELECT e.event_type, count(*) {_E} GROUP BY ALL"],
    "event_category": [f"SELECT e.event_category, count(*) {_E} GROUP BY ALL"],
}
SQL["tab_demography"] = [
    f"SELECT count(*), count(DISTINCT event_sk), count(DISTINCT org_id), count(*) FILTER (WHERE gender = 'male'), "
    f"count(*) FILTER (WHERE gender = 'female'), count(*) FILTER (WHERE age_group IN ('0-17', '18-24')) {_B}",
    *SQL["age_gender"], *SQL["purchasing_power"], *SQL["education_level"], *SQL["area_type"], *SQL["home_type"],
]
SQL["tab_events"] = [*SQL["monthly_trend"], *SQL["weekday"], *SQL["hour_of_day"], *SQL["organization_type"],
                     *SQL["region"], *SQL["event_type"], *SQL["event_category"]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(url: str, query: str, token: str) -> float:
    body = json.dumps({"query": query, "variables": {}}).encode()
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as r:
        payload = json.loads(r.read())
    dt = time.perf_counter() - t0
    if payload.get("errors"):
        raise RuntimeError(payload["errors"])
    return dt


def run(warehouse: Path, repeat: int, cache: bool = False) -> dict[str, object]:
    from cid_graph.access import AccessStore
    from warehouse.store import WarehouseStore

    store = WarehouseStore(warehouse)
    token = AccessStore(store.access_db).create_token(None, "partner", ttl_days=1, label="bench")[0]
    port = _free_port()
    env = dict(os.environ, CID_GRAPH_WAREHOUSE=str(warehouse), CID_GRAPH_LOG_LEVEL="WARNING")
    if not cache:  # every cache off: raw cells, published answers and whole responses
        env.update(CID_GRAPH_CACHE_MAX_CELLS="0", CID_GRAPH_ANSWER_CACHE_MAX_CELLS="0", CID_GRAPH_RESPONSE_CACHE_MB="0")
    server = subprocess.Popen([sys.executable, "-m", "cid_graph.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        con = duckdb.connect(str(store.require_current().path), read_only=True)
        results = {}
        for path in sorted(QUERIES.glob("*.graphql")):
            name = path.stem
            text = path.read_text(encoding="utf-8")
            _post(url + "/graphql", text, token)  # warm up
            api = [_post(url + "/graphql", text, token) for _ in range(repeat)]
            sqls = SQL[name]
            for q in sqls:
                con.execute(q).fetchall()
            raw = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                for q in sqls:
                    con.execute(q).fetchall()
                raw.append(time.perf_counter() - t0)
            a, s = statistics.median(api), statistics.median(raw)
            results[name] = {"api_ms": round(a * 1000, 1), "sql_ms": round(s * 1000, 1), "ratio": round(a / s, 2)}
            print(f"{name:20} api {a * 1000:8.1f} ms   sql {s * 1000:8.1f} ms   ratio {a / s:6.2f}", flush=True)
        total_api = sum(r["api_ms"] for r in results.values())
        total_sql = sum(r["sql_ms"] for r in results.values())
        buyers = con.execute("SELECT count(*) FROM buyers").fetchone()[0]
        con.close()
        return {"warehouse": str(warehouse), "buyers": buyers, "repeat": repeat, "cache": cache, "queries": results,
                "total_api_ms": round(total_api, 1), "total_sql_ms": round(total_sql, 1),
                "total_ratio": round(total_api / total_sql, 2)}
    finally:
        server.terminate()
        server.wait(20)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--warehouse", type=Path, required=True)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--out", type=Path, default=Path("bench/out/queries.json"))
    p.add_argument("--cache", action="store_true", help="keep the server's result cache on (default: off, uncached)")
    args = p.parse_args()
    report = run(args.warehouse, args.repeat, cache=args.cache)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print(f"whole set: api {report['total_api_ms']} ms, sql {report['total_sql_ms']} ms, ratio {report['total_ratio']}")


if __name__ == "__main__":
    main()
