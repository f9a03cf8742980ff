"""Shared pytest options for the whole suite (keep minimal; fixtures live per package)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Rewrite golden files (e.g. tests/metrics/goldens/) instead of comparing with them.",
    )


# --- a demo warehouse shared by the API-level tests ------------------------------------------
import contextlib  # noqa: E402
import dataclasses  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


@dataclasses.dataclass
class DemoWarehouse:
    root: Path
    files: Any
    tokens: dict[str, str]  # member, member_small, partner, admin, expired, revoked
    member_org: str
    other_org: str


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouse:
    """The small demo network loaded through ingest, with tokens of every role."""
    import sqlite3

    import duckdb

    from cid_graph.access import AccessStore
    from warehouse.demo import generate
    from warehouse.ingest import ingest
    from warehouse.secret import load_or_create_secret
    from warehouse.store import WarehouseStore

    base = tmp_path_factory.mktemp("demo-wh")
    files = generate(base / "files", size="small", seed=11)
    store = WarehouseStore(base / "wh")
    # A fixed key: record keys, and so every perturbed value, are the same in every run.
    (base / "secret.key").write_text("5e" * 32 + "\n")
    secret, _ = load_or_create_secret(base / "secret.key")
    ingest(store, secret, [files.organizations], files.transactions,
           survey_questions=[files.survey_questions], survey_responses=files.survey_responses)
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    orgs = [r[0] for r in con.execute(
        "SELECT org_id FROM buyers GROUP BY org_id ORDER BY count(*) DESC, org_id").fetchall()]
    con.close()
    access = AccessStore(store.access_db)
    tokens = {
        "member": access.create_token(orgs[0], "member", ttl_days=30)[0],
        "member_small": access.create_token(orgs[-1], "member", ttl_days=30)[0],
        "partner": access.create_token(None, "partner", ttl_days=30)[0],
        "admin": access.create_token(None, "admin", ttl_days=30)[0],
    }
    expired, info = access.create_token(orgs[0], "member", ttl_days=1)
    with contextlib.closing(sqlite3.connect(store.access_db)) as db:
        db.execute("UPDATE tokens SET expires_at = '2000-01-01T00:00:00+00:00' WHERE token_id = ?", (info.token_id,))
        db.commit()
    tokens["expired"] = expired
    revoked, info = access.create_token(orgs[0], "member", ttl_days=30)
    access.revoke(info.token_id)
    tokens["revoked"] = revoked
    return DemoWarehouse(store.root, files, tokens, orgs[0], orgs[-1])


class GraphQLClient:
    """Talks to the app through the ASGI transport (a real app, lifespan and all)."""

    def __init__(self, app: Any) -> None:
        import httpx

        self.app = app
        self.client = httpx.Client(transport=_SyncASGI(app), base_url="http://test")

    def post(self, query: str, token: str | None, variables: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None) -> Any:
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        return self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=h)

    def data(self, query: str, token: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(query, token, variables)
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]


class _SyncASGI:
    """A sync httpx transport that runs the ASGI app in one long-lived event loop thread."""

    def __init__(self, app: Any) -> None:
        import asyncio
        import threading

        import httpx

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.inner = httpx.ASGITransport(app=app)
        self.lifespan = app.router.lifespan_context(app)
        asyncio.run_coroutine_threadsafe(self.lifespan.__aenter__(), self.loop).result(60)

    def handle_request(self, request: Any) -> Any:
        import asyncio

        import httpx

        async def go() -> Any:
            response = await self.inner.handle_async_request(request)
            body = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=body)

        return asyncio.run_coroutine_threadsafe(go(), self.loop).result(120)

    def close(self) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self.lifespan.__aexit__(None, None, None), self.loop).result(60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(scope="session")
def gql(demo_warehouse: DemoWarehouse) -> Any:
    from cid_graph.app import create_app
    from cid_graph.settings import Settings

    app = create_app(Settings.load(env={}, dotenv=None, warehouse=str(demo_warehouse.root)))
    client = GraphQLClient(app)
    yield client
    client.client._transport.close()  # type: ignore[attr-defined]


# --- one embedded Spark per test session, also serving Spark Connect on loopback --------------
@dataclasses.dataclass
class SparkHandle:
    master: str  # the embedded Spark (local[2])
    connect_url: str  # the same JVM behind Spark Connect (sc://127.0.0.1:PORT)


@pytest.fixture(scope="session")
def spark() -> Any:
    """The embedded Spark (local[2], a real JVM) every Spark test shares, with a Spark Connect
    server in the same JVM so that the sc:// path is tested for real without a second JVM."""
    import socket

    from warehouse.spark_engine import embedded_spark

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base, created = embedded_spark("local[2]", {
        "spark.plugins": "org.apache.spark.sql.connect.SparkConnectPlugin",
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
    })
    yield SparkHandle("local[2]", f"sc://127.0.0.1:{port}")
    if created:
        base.stop()


@pytest.fixture(scope="session")
def demo_parquet(demo_warehouse: DemoWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Parquet export of the shared demo warehouse."""
    import shutil

    from warehouse.export import export
    from warehouse.parquet_store import ParquetStore
    from warehouse.store import WarehouseStore

    # From a copy: this process may hold the version file open already, with another configuration.
    base = tmp_path_factory.mktemp("demo-parquet")
    shutil.copytree(demo_warehouse.root, base / "wh")
    export(WarehouseStore(base / "wh"), ParquetStore(base / "parquet"))
    return base / "parquet"
