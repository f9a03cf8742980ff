"""Many clients at once: 32 dashboard users changing filters for a fixed time.

Each client sends whole-tab requests one after another (no think time), each time a tab, a
role (a partner in NETWORK, or a member of one of the largest organizations in OWN scope with a
benchmark against a peer group), a period preset of the dashboard and a filter, drawn from a
seeded generator. The server runs with its defaults (caches on, bounded queue). Reported:
requests per second, latency percentiles (client side), errors (HTTP status other than 200, or
GraphQL errors; 503 BUSY counts as an error), the share answered from the response cache, and
the server's peak resident memory.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.server import MemorySampler, Server
from bench.tabs import TABS, last12

ROOT = Path(__file__).resolve().parents[1]
FILTERS: list[list[dict[str, Any]]] = [
    [], [], [{"dimension": "COUNTRY", "op": "IN", "values": ["NO"]}],
    [{"dimension": "COUNTRY", "op": "IN", "values": ["SE"]}], [{"dimension": "COUNTRY", "op": "IN", "values": ["DK", "FI"]}],
    [{"dimension": "EVENT_TYPE", "op": "IN", "values": ["concert"]}],
    [{"dimension": "ORG_TYPE", "op": "IN", "values": ["theatre_performing_arts"]}],
    [{"dimension": "EVENT_CATEGORY", "op": "IN", "values": ["pop_rock", "jazz"]}],
]
PEERS = ("NORDIC", "SAME_ORG_TYPE", "SAME_COUNTRY")


def presets(today: date) -> list[dict[str, str] | None]:
    """The dashboard's period presets: all time, this year, last year, the last 12 months."""
    start, end = last12(today)
    y = today.year
    return [None, {"from": f"{y}-01-01", "to": f"{y}-12-31"}, {"from": f"{y - 1}-01-01", "to": f"{y - 1}-12-31"},
            {"from": start.isoformat(), "to": end.isoformat()}]


def _request(rng: random.Random, tokens: dict[str, Any], today: date) -> tuple[str, str, dict[str, Any]]:
    tab = rng.choice(TABS)
    variables: dict[str, Any] = {"filters": rng.choice(FILTERS)}
    period = rng.choice(presets(today))
    if period:
        variables["timeRange"] = period
    if rng.random() < 0.5:
        token = tokens["partner"]
    else:
        token = rng.choice(tokens["members"])
        variables.update(scope="OWN", compare=[{"kind": "BENCHMARK", "peerGroup": rng.choice(PEERS)}])
    return tab, token, variables


def run(warehouse: Path, tokens: dict[str, Any], clients: int, seconds: float, today: date,
        say: Any = print) -> dict[str, Any]:
    texts = {t: (ROOT / "docs" / "queries" / f"{t}.graphql").read_text(encoding="utf-8") for t in TABS}
    results: list[tuple[float, float, int, bool, str, float]] = []  # start, ms, status, ok, cache, server ms
    errors: dict[str, int] = {}
    lock = threading.Lock()
    with Server(warehouse) as server, MemorySampler(server) as memory:
        idle_mb = server.memory_mb()["rss_mb"]
        start = time.perf_counter()
        stop_at = start + seconds

        def client(n: int) -> None:
            rng = random.Random(1000 + n)
            while time.perf_counter() < stop_at:
                tab, token, variables = _request(rng, tokens, today)
                t0 = time.perf_counter() - start
                try:
                    reply = server.post(texts[tab], token, variables, timeout=120)
                    ok = reply.status == 200 and not reply.errors
                    row = (t0, reply.ms, reply.status, ok, reply.cache, reply.server_ms)
                    if not ok:
                        code = (reply.errors[0].get("extensions", {}).get("code") if reply.errors else None) or str(reply.status)
                        with lock:
                            errors[code] = errors.get(code, 0) + 1
                except OSError as exc:
                    row = (t0, (time.perf_counter() - start - t0) * 1000, 0, False, "", float("nan"))
                    with lock:
                        errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                with lock:
                    results.append(row)

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
        for t in threads:
            t.start()
        last = 0
        while any(t.is_alive() for t in threads):
            time.sleep(1)
            elapsed = int(time.perf_counter() - start)
            if elapsed // 10 > last // 10:
                say(f"  load: {elapsed} s, {len(results)} requests, {sum(errors.values())} errors, "
                    f"server RSS {server.memory_mb()['rss_mb']} MiB")
            last = elapsed
        wall = time.perf_counter() - start
        peak = max(memory.peak_mb, server.memory_mb()["peak_rss_mb"])
    ms = sorted(r[1] for r in results)

    def pct(p: float) -> float:
        return round(ms[min(len(ms) - 1, max(0, round(p * len(ms)) - 1))], 1) if ms else float("nan")

    hits = sum(1 for r in results if r[4] == "hit")
    misses = sorted(r[1] for r in results if r[4] != "hit" and r[3])
    return {
        "clients": clients, "seconds": round(wall, 1), "requests": len(results),
        "throughput_rps": round(len(results) / wall, 1),
        "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "max_ms": round(ms[-1], 1) if ms else None,
        "errors": sum(errors.values()), "errors_by_code": errors,
        "cache_hit_share": round(hits / len(results), 3) if results else 0.0,
        "miss_p50_ms": round(misses[len(misses) // 2], 1) if misses else None,
        "idle_rss_mb": idle_mb, "peak_rss_mb": peak,
    }
