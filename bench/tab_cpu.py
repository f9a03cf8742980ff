"""CPU per uncached dashboard tab: what one cache miss costs the server, in CPU milliseconds.

Under load (``bench/load.py``) most requests are new combinations of tab, role, period and
filter, so the server's throughput is two cores divided by the CPU of a miss. This measures that
CPU directly, as process time (Python and DuckDB's threads together), so the figure holds on a
busy machine where wall-clock times do not: each tab and variant is sent through the app in this
process (the ASGI transport, one request at a time), with the result, answer and response
caches off, twice over:

- ``compiled kept``: compiled SQL stays cached, as on a server that has seen the shape before
  (what the tab benchmark's "uncached" column measures);
- ``cold``: compiled SQL too is recomputed for every query.

Variants: the tab benchmark's (``default``, ``last12_no``: bench/tabs.py) as a partner sees them,
and ``own_bench``: the largest member in scope OWN over the last 12 months, compared with its
peers of the same organization type (a benchmark: a second, pooled population per widget).

    python -m bench.tab_cpu --warehouse PATH [--repeat 7] [--json OUT]

Tokens it issues are revoked before it ends.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import tabs

ROOT = Path(__file__).resolve().parents[1]
TABS = ("tab_demography", "tab_events", "loyalty_tab")


def variants(today: date) -> dict[str, tuple[str, dict[str, Any]]]:
    """Variant name -> (role, GraphQL variables)."""
    start, end = tabs.last12(today)
    period = {"from": start.isoformat(), "to": end.isoformat()}
    out: dict[str, tuple[str, dict[str, Any]]] = {name: ("partner", v) for name, v in tabs.variants(today).items()}
    out["own_bench"] = ("member", {"scope": "OWN", "timeRange": period,
                                   "compare": [{"kind": "BENCHMARK", "peerGroup": "SAME_ORG_TYPE"}]})
    return out


def run(warehouse: Path, repeat: int = 7, say: Any = print) -> dict[str, Any]:
    import anyio
    import duckdb
    import httpx
    from starlette.routing import Route

    from cid_graph.access import AccessStore
    from cid_graph.app import create_app
    from cid_graph.settings import Settings
    from resolvers.cache import BoundedCache
    from warehouse.store import WarehouseStore

    store = WarehouseStore(warehouse)
    access = AccessStore(store.access_db)
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    largest = con.execute("SELECT org_id FROM buyers GROUP BY org_id ORDER BY count(*) DESC, org_id LIMIT 1").fetchone()
    con.close()
    assert largest is not None, "the warehouse has no buyers"
    issued = {"partner": access.create_token(None, "partner", ttl_days=1, label="bench.tab_cpu"),
              "member": access.create_token(largest[0], "member", ttl_days=1, label="bench.tab_cpu")}
    settings = Settings.load(env={}, dotenv=None, warehouse=str(warehouse), worker_threads=1, max_running_requests=1,
                             cache_max_cells=0, answer_cache_max_cells=0, response_cache_mb=0)
    app = create_app(settings)
    results: dict[str, dict[str, float]] = {}

    async def main() -> None:
        async with app.router.lifespan_context(app):
            state = next(r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql").state  # type: ignore[attr-defined]
            services = state["services"]
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
                for tab in TABS:
                    text = (ROOT / "docs" / "queries" / f"{tab}.graphql").read_text(encoding="utf-8")
                    for name, (role, variables) in variants(date.today()).items():
                        headers = {"Authorization": f"Bearer {issued[role][0]}"}
                        row: dict[str, float] = {}
                        for mode, size in (("compiled kept", 10**6), ("cold", 0)):
                            services.compiled = BoundedCache(size, lambda _: 1)
                            cpu: list[float] = []
                            for i in range(repeat + 1):  # the first fills the compiled cache
                                c0 = time.process_time()
                                reply = await client.post("/graphql", json={"query": text, "variables": variables},
                                                          headers=headers)
                                spent = (time.process_time() - c0) * 1000
                                body = reply.json()
                                assert reply.status_code == 200 and "errors" not in body, reply.text[:300]
                                if i:
                                    cpu.append(spent)
                            row[mode] = round(statistics.median(cpu), 1)
                        results[f"{tab}/{name}"] = row
                        say(f"  {tab}/{name}: CPU {row['compiled kept']} ms (compiled kept), {row['cold']} ms (cold)")

    try:
        anyio.run(main)
    finally:
        for _, principal in issued.values():
            access.revoke(principal.token_id)
    return {"warehouse": str(warehouse), "repeat": repeat, "date": date.today().isoformat(), "cpu_ms": results}


def markdown(result: dict[str, Any]) -> str:
    lines = ["| tab / variant | CPU ms, compiled kept | CPU ms, cold |", "|---|---:|---:|"]
    for key, row in result["cpu_ms"].items():
        lines.append(f"| {key} | {row['compiled kept']} | {row['cold']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", required=True, type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    result = run(args.warehouse, args.repeat)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(markdown(result))


if __name__ == "__main__":
    main()
