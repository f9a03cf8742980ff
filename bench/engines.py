"""Engine benchmark: the same dashboard tab on DuckDB and on Spark, through a real server each.

    python -m bench.engines --warehouse PATH [--parquet DIR] [--spark-master local[2]] [--repeat 5]
                            [--out bench/out/engines.json]

Exports the published version as Parquet when the export is not current (timed), then serves the
warehouse twice over HTTP (``cid-graph serve --engine duckdb`` and ``--engine spark``), uncached,
and sends each dashboard tab (``docs/queries/tab_*.graphql``, one request per tab) as a partner
(NETWORK scope) and as the largest member organization (OWN scope, with a NORDIC benchmark).
Median and p95 of repeated requests after a warm-up; the ratio Spark ÷ DuckDB per tab, and each
engine against the hand-written DuckDB SQL of the tab (``bench.queries.SQL``) on the same file.
Both answers are checked to be identical before anything is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import duckdb

from bench.queries import QUERIES, SQL, _free_port

SCOPES = {"network": ("partner", {}),
          "own": ("member", {"scope": "OWN", "compare": [{"kind": "BENCHMARK", "peerGroup": "NORDIC"}]})}


def _post(url: str, query: str, variables: dict[str, Any], token: str) -> tuple[float, Any]:
    body = json.dumps({"query": query, "variables": variables}).encode()
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=600) as r:
        payload = json.loads(r.read())
    dt = time.perf_counter() - t0
    if payload.get("errors"):
        raise RuntimeError(payload["errors"])
    return dt, payload["data"]


def _serve(warehouse: Path, engine: str, parquet: Path, master: str) -> tuple[subprocess.Popen[bytes], str, Any]:
    port = _free_port()
    env = dict(os.environ, CID_GRAPH_WAREHOUSE=str(warehouse), CID_GRAPH_LOG_LEVEL="WARNING",
               # every cache off (raw cells, published answers, whole responses): each request is computed
               CID_GRAPH_CACHE_MAX_CELLS="0", CID_GRAPH_ANSWER_CACHE_MAX_CELLS="0", CID_GRAPH_RESPONSE_CACHE_MB="0",
               CID_GRAPH_ENGINE=engine, CID_GRAPH_PARQUET_DIR=str(parquet),
               CID_GRAPH_SPARK_MASTER=master, CID_GRAPH_REQUEST_TIMEOUT_S="600", CID_GRAPH_QUERY_TIMEOUT_S="600")
    log = open(parquet.parent / f"bench-{engine}-server.log", "wb")  # a file: a full pipe would block it
    server = subprocess.Popen([sys.executable, "-m", "cid_graph.cli", "serve", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    while time.perf_counter() - started < 300:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).close()
            return server, url, time.perf_counter() - started
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"the {engine} server did not start; see {log.name}")


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def run(warehouse: Path, parquet: Path, master: str, repeat: int,
        scopes: tuple[str, ...] = tuple(SCOPES)) -> dict[str, Any]:
    from cid_graph.access import AccessStore
    from warehouse.export import export
    from warehouse.parquet_store import ParquetStore
    from warehouse.store import WarehouseStore

    store = WarehouseStore(warehouse)
    exported = export(store, ParquetStore(parquet), progress=lambda m: print(m, file=sys.stderr, flush=True))
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    buyers = con.execute("SELECT count(*) FROM buyers").fetchone()[0]  # type: ignore[index]
    member = con.execute("SELECT org_id FROM buyers GROUP BY org_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]  # type: ignore[index]
    access = AccessStore(store.access_db)
    tokens = {"partner": access.create_token(None, "partner", ttl_days=1, label="bench")[0],
              "member": access.create_token(member, "member", ttl_days=1, label="bench")[0]}
    tabs = sorted(QUERIES.glob("tab_*.graphql"))

    raw: dict[str, dict[str, float]] = {}
    for tab in tabs:
        for q in SQL[tab.stem]:
            con.execute(q).fetchall()
        samples = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            for q in SQL[tab.stem]:
                con.execute(q).fetchall()
            samples.append(time.perf_counter() - t0)
        raw[tab.stem] = _stats(samples)
    con.close()

    results: dict[str, Any] = {}
    answers: dict[tuple[str, str], Any] = {}
    startup: dict[str, float] = {}
    for engine in ("duckdb", "spark"):
        server, url, took = _serve(warehouse, engine, parquet, master)
        startup[engine] = round(took, 1)
        try:
            for tab in tabs:
                text = tab.read_text(encoding="utf-8")
                for scope in scopes:
                    who, variables = SCOPES[scope]
                    _, data = _post(url + "/graphql", text, variables, tokens[who])  # warm up
                    answers[(engine, f"{tab.stem}/{scope}")] = data
                    samples = [_post(url + "/graphql", text, variables, tokens[who])[0] for _ in range(repeat)]
                    results.setdefault(f"{tab.stem}/{scope}", {})[engine] = _stats(samples)
                    print(f"{engine:6} {tab.stem:16} {scope:8} {results[f'{tab.stem}/{scope}'][engine]}", flush=True)
        finally:
            server.terminate()
            server.wait(60)
    for key, by_engine in results.items():
        if answers[("duckdb", key)] != answers[("spark", key)]:
            raise RuntimeError(f"{key}: DuckDB and Spark answered differently")
        sql_ms = raw[key.split("/")[0]]["median_ms"]
        by_engine["ratio_spark_to_duckdb"] = round(by_engine["spark"]["median_ms"] / by_engine["duckdb"]["median_ms"], 2)
        by_engine["raw_duckdb_sql_ms"] = sql_ms
        by_engine["duckdb_to_sql"] = round(by_engine["duckdb"]["median_ms"] / sql_ms, 2)
        by_engine["spark_to_sql"] = round(by_engine["spark"]["median_ms"] / sql_ms, 2)
    return {"warehouse": str(warehouse), "buyers": buyers, "repeat": repeat, "spark_master": master,
            "export": {"name": exported.name, "seconds": exported.seconds, "published": exported.published,
                       "megabytes": round(exported.bytes / 1e6, 1), "tables": exported.tables},
            "server_startup_s": startup, "tabs": results, "identical_answers": True}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--warehouse", type=Path, required=True)
    p.add_argument("--parquet", type=Path, help="export directory (default: PARQUET under the warehouse)")
    p.add_argument("--spark-master", default="local[2]")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--scopes", default="network,own", help="which of network, own (comma-separated)")
    p.add_argument("--out", type=Path, default=Path("bench/out/engines.json"))
    args = p.parse_args()
    report = run(args.warehouse, args.parquet or args.warehouse / "parquet", args.spark_master, args.repeat,
                 tuple(args.scopes.split(",")))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    for key, r in report["tabs"].items():
        print(f"{key:26} duckdb {r['duckdb']['median_ms']:8.1f} ms  spark {r['spark']['median_ms']:8.1f} ms  "
              f"ratio {r['ratio_spark_to_duckdb']:5.2f}")


if __name__ == "__main__":
    main()
