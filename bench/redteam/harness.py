"""Build the network, load it with the real CLI, issue tokens with the real CLI, talk to the API.

The API is the real ASGI app (``cid_graph.app.create_app``) over httpx's ASGI transport, lifespan
and all, so every request goes through authentication, GraphQL, the privacy layer, the caches and
the Server-Timing middleware exactly as over HTTP.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx

from bench.redteam import network, truth

SECRET_HEX = "7a" * 32  # a fixed secret: the same org noise factors and record keys in every run


@dataclasses.dataclass
class Env:
    workdir: Path
    warehouse: Path
    files: network.NetworkFiles
    truth: duckdb.DuckDBPyConnection
    api: Api
    tokens: dict[str, str]  # "partner", "admin", and "member:<org_id>"
    orgs: dict[str, dict[str, str]]  # org_id -> {country, region, org_type}
    ingest: dict[str, Any]

    def member(self, org: str) -> str:
        if f"member:{org}" not in self.tokens:
            self.tokens[f"member:{org}"] = create_token(self.warehouse, self.workdir, org, "member")
        return self.tokens[f"member:{org}"]


def _cli(workdir: Path, *args: str) -> str:
    env = dict(os.environ)
    env["CID_GRAPH_SECRET_PATH"] = str(workdir / "secret.key")
    env.setdefault("CID_GRAPH_CLASSIFIER_CACHE", str(workdir / "classifier-cache"))
    exe = Path(sys.executable).parent / "cid-graph"
    proc = subprocess.run([str(exe) if exe.exists() else "cid-graph", *args],
                          capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"cid-graph {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout


def create_token(warehouse: Path, workdir: Path, org: str | None, role: str) -> str:
    args = ["token", "create", "--warehouse", str(warehouse), "--role", role, "--ttl-days", "30", "--json",
            "--label", "redteam"]
    if org:
        args += ["--org", org]
    out = json.loads(_cli(workdir, *args))
    return str(out["token"])


def build(workdir: Path | str, scale: float = 1.0, seed: int = 7) -> Env:
    """Generate (cached) and ingest (cached) the network; issue a partner and an admin token."""
    wd = Path(workdir).resolve()
    wd.mkdir(parents=True, exist_ok=True)
    stamp = wd / "network.json"
    want = {"scale": scale, "seed": seed, "generator": _generator_hash()}
    files = network.NetworkFiles(wd / "files" / "organizations.csv", wd / "files" / "transactions.csv", wd / "files")
    warehouse = wd / "wh"
    cached = stamp.exists() and json.loads(stamp.read_text()).get("want") == want and (warehouse / "CURRENT").exists()
    if cached:
        info = json.loads(stamp.read_text())["ingest"]
    else:
        import shutil

        for p in (warehouse, wd / "files"):
            if p.exists():
                shutil.rmtree(p)
        files = network.generate(wd / "files", scale=scale, seed=seed)
        (wd / "secret.key").write_text(SECRET_HEX + "\n")
        os.chmod(wd / "secret.key", 0o600)
        info = json.loads(_cli(wd, "ingest", "--warehouse", str(warehouse), "--organizations", str(files.organizations),
                               "--transactions", str(files.transactions), "--json"))
        stamp.write_text(json.dumps({"want": want, "ingest": info}))
    con = truth.connect(files.organizations, files.transactions)
    orgs = {r[0]: {"country": r[1], "region": r[2], "org_type": r[3]}
            for r in con.execute("SELECT org_id, country, region, org_type FROM orgs ORDER BY org_id").fetchall()}
    tokens = {"partner": create_token(warehouse, wd, None, "partner"),
              "admin": create_token(warehouse, wd, None, "admin")}
    return Env(wd, warehouse, files, con, Api(warehouse), tokens, orgs, info)


def _generator_hash() -> str:
    import hashlib

    return hashlib.sha256(Path(network.__file__).read_bytes()).hexdigest()[:16]


# --- the API ---------------------------------------------------------------------------------

INSIGHTS = """query Q($q: InsightQuery!) { insights(query: $q) {
  rows { dimensions { dimension value } metrics { metric value suppressed reason
         comparisons { kind peerGroup value share peerShare index suppressed reason } } }
  totals { metrics { metric value suppressed reason } }
  meta { suppressedCells rowCount truncated } } }"""


@dataclasses.dataclass
class Answer:
    status: int
    body: dict[str, Any]
    server_ms: float | None
    wall_ms: float
    cache_hit: bool

    @property
    def error(self) -> str | None:
        errs = self.body.get("errors")
        if not errs:
            return None
        return str(errs[0].get("extensions", {}).get("code") or errs[0].get("message"))

    @property
    def result(self) -> dict[str, Any] | None:
        data = self.body.get("data") or {}
        return data.get("insights")

    def cells(self) -> list[tuple[dict[str, str], dict[str, dict[str, Any]]]]:
        """[(dimension -> value, metric -> {value, suppressed, reason, comparisons})]."""
        res = self.result
        if not res:
            return []
        return [({d["dimension"]: d["value"] for d in row["dimensions"]},
                 {m["metric"]: m for m in row["metrics"]}) for row in res["rows"]]

    def single(self, metric: str) -> dict[str, Any] | None:
        cells = self.cells()
        if len(cells) != 1:
            return None
        return cells[0][1].get(metric)

    def value(self, metric: str) -> float | None:
        m = self.single(metric)
        return None if m is None or m.get("value") is None else float(m["value"])

    def totals(self, metric: str) -> dict[str, Any] | None:
        res = self.result
        if not res or not res.get("totals"):
            return None
        for m in res["totals"]["metrics"]:
            if m["metric"] == metric:
                return dict(m)
        return None


class Api:
    """POST /graphql on the real app through an ASGI transport driven by one event-loop thread."""

    def __init__(self, warehouse: Path) -> None:
        from cid_graph.app import create_app
        from cid_graph.settings import Settings

        self.app = create_app(Settings.load(env={}, dotenv=None, warehouse=str(warehouse)))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.transport = httpx.ASGITransport(app=self.app)
        self.client = httpx.AsyncClient(transport=self.transport, base_url="http://redteam")
        self.lifespan = self.app.router.lifespan_context(self.app)
        asyncio.run_coroutine_threadsafe(self.lifespan.__aenter__(), self.loop).result(120)
        self.count = 0

    def post(self, query: str, token: str, variables: dict[str, Any] | None = None) -> Answer:
        async def go() -> Answer:
            t0 = time.perf_counter()
            r = await self.client.post("/graphql", json={"query": query, "variables": variables or {}},
                                       headers={"Authorization": f"Bearer {token}"})
            wall = (time.perf_counter() - t0) * 1000
            st = r.headers.get("server-timing", "")
            server = None
            if "dur=" in st:
                try:
                    server = float(st.split("dur=")[1].split(",")[0].split(";")[0])
                except ValueError:
                    server = None
            try:
                body = r.json()
            except ValueError:
                body = {"errors": [{"message": r.text[:200]}]}
            return Answer(r.status_code, body, server, wall, r.headers.get("x-cid-graph-cache") == "hit")

        self.count += 1
        return asyncio.run_coroutine_threadsafe(go(), self.loop).result(300)

    def insights(self, token: str, q: dict[str, Any]) -> Answer:
        return self.post(INSIGHTS, token, {"q": q})

    def close(self) -> None:
        async def stop() -> None:
            await self.client.aclose()
            await self.lifespan.__aexit__(None, None, None)

        try:
            asyncio.run_coroutine_threadsafe(stop(), self.loop).result(60)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()
