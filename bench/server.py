"""A real CID Graph server for the benchmarks: ``cid-graph serve`` (uvicorn) in a subprocess.

Requests go over HTTP on 127.0.0.1. Each response's ``Server-Timing: app;dur=<ms>`` gives the
time spent in the server; the server's resident memory is sampled from ``/proc/<pid>/status``
(``VmRSS`` while it runs, ``VmHWM`` its peak).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Reply:
    status: int
    ms: float           # client side, request sent to body read
    server_ms: float    # Server-Timing app;dur
    cache: str          # "hit" for a cached response
    errors: list[Any]


def _server_ms(header: str | None) -> float:
    for part in (header or "").split(","):
        name, _, rest = part.strip().partition(";")
        if name == "app" and rest.startswith("dur="):
            return float(rest[4:])
    return float("nan")


class Server:
    """``cid-graph serve`` on a free port; a context manager."""

    def __init__(self, warehouse: Path, **settings: Any) -> None:
        self.warehouse = warehouse
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, CID_GRAPH_WAREHOUSE=str(warehouse), CID_GRAPH_LOG_LEVEL="WARNING",
                        CID_GRAPH_SERVER_TIMING="true")  # the server-side time of every request
        self.env.update({f"CID_GRAPH_{k.upper()}": str(v) for k, v in settings.items()})
        self.proc: subprocess.Popen[bytes] | None = None
        self._log = None

    def __enter__(self) -> Server:
        log_path = Path(self.warehouse).parent / f"server-{self.port}.log"
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen([sys.executable, "-m", "cid_graph.cli", "serve", "--port", str(self.port)],
                                     env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not answer /healthz in 120 s; see {log_path}")

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self._log is not None:
            self._log.close()

    def post(self, query: str, token: str, variables: dict[str, Any] | None = None, timeout: float = 120) -> Reply:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        req = urllib.request.Request(self.url + "/graphql", data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                payload = json.loads(r.read())
                status, headers = r.status, r.headers
        except urllib.error.HTTPError as err:
            payload = json.loads(err.read() or b"{}")
            status, headers = err.code, err.headers
        ms = (time.perf_counter() - t0) * 1000
        return Reply(status, ms, _server_ms(headers.get("server-timing")), headers.get("x-cid-graph-cache") or "",
                     list(payload.get("errors") or []))

    def post_json(self, query: str, token: str, variables: dict[str, Any] | None = None) -> Any:
        """The decoded response body of one request."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        req = urllib.request.Request(self.url + "/graphql", data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())

    def memory_mb(self) -> dict[str, float]:
        """Resident memory of the server process now and at its peak, in MiB."""
        out = {"rss_mb": float("nan"), "peak_rss_mb": float("nan")}
        if self.proc is None:
            return out
        try:
            text = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return out
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out["rss_mb" if key == "VmRSS" else "peak_rss_mb"] = round(int(value.split()[0]) / 1024, 1)
        return out


class MemorySampler:
    """Samples the server's RSS every ``every_s`` while running (for the peak under load)."""

    def __init__(self, server: Server, every_s: float = 0.2) -> None:
        self.server, self.every_s = server, every_s
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = self.server.memory_mb()["rss_mb"]
            if rss == rss:  # not NaN
                self.peak_mb = max(self.peak_mb, rss)
            self._stop.wait(self.every_s)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(5)


def tokens(warehouse: Path, members: int = 8) -> dict[str, Any]:
    """A partner token, an admin token and member tokens of the largest organizations."""
    import duckdb

    from cid_graph.access import AccessStore
    from warehouse.store import WarehouseStore

    store = WarehouseStore(warehouse)
    access = AccessStore(store.access_db)
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    orgs = [r[0] for r in con.execute(
        "SELECT org_id FROM buyers GROUP BY org_id ORDER BY count(*) DESC, org_id LIMIT ?", [members]).fetchall()]
    con.close()
    return {
        "partner": access.create_token(None, "partner", ttl_days=1, label="bench")[0],
        "admin": access.create_token(None, "admin", ttl_days=1, label="bench")[0],
        "members": [access.create_token(o, "member", ttl_days=1, label="bench")[0] for o in orgs],
    }
