"""Session fixtures of the API tests: a seeded demo warehouse, tokens, the app, the oracle.

The app is served in-process through ``httpx.ASGITransport``; its lifespan (which opens the
warehouse and loads the model) runs in an anyio blocking portal for the whole session, so the
tests stay synchronous: ``api.insights(token, query)`` posts one GraphQL request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from cid_graph.access import AccessStore
from cid_graph.app import create_app
from cid_graph.settings import Settings
from tests.api.oracle import Oracle
from warehouse.demo import generate
from warehouse.ingest import ingest
from warehouse.secret import load_or_create_secret
from warehouse.store import WarehouseStore

SEED = 20240917
API_SECRET_HEX = "a7" * 32

INSIGHTS = """
query Insights($q: InsightQuery!) {
  insights(query: $q) {
    rows { dimensions { dimension value granularity datePart } metrics { metric value suppressed reason } }
    totals { metrics { metric value suppressed reason } }
    meta { rowCount truncated scope suppressedCells privacyK }
  }
}
"""


@dataclass
class Demo:
    data_dir: Path
    warehouse_dir: Path
    organizations: Path
    transactions: list[Path]
    expected: dict[str, Any]
    survey_questions: Path
    survey_responses: list[Path]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("api")
    files = generate(root / "data", size="small", seed=SEED)
    store = WarehouseStore(root / "warehouse")
    # A fixed secret: the organization noise factors derive from it, so with a fresh random one
    # per run which cells a small network suppresses changed from run to run (CI once published
    # 3 of the 4 age groups a test needs). The oracle reads the same file.
    (root / "secret.key").write_text(API_SECRET_HEX + "\n")
    secret, _ = load_or_create_secret(root / "secret.key")
    result = ingest(store, secret, [files.organizations], files.transactions,
                    survey_questions=[files.survey_questions], survey_responses=files.survey_responses)
    assert result.published, result
    return Demo(root / "data", root / "warehouse", files.organizations, list(files.transactions), files.expected,
                files.survey_questions, list(files.survey_responses))


@pytest.fixture(scope="session")
def oracle(demo: Demo) -> Oracle:
    key = bytes.fromhex((demo.data_dir.parent / "secret.key").read_text().strip())
    return Oracle(demo.organizations, demo.transactions, secret_key=key)


@pytest.fixture(scope="session")
def own_org(oracle: Oracle) -> str:
    """The organization with the most buyer rows (by the oracle)."""
    return str(oracle.scalar("SELECT org_id FROM ob GROUP BY org_id ORDER BY count(*) DESC, org_id LIMIT 1"))


@pytest.fixture(scope="session")
def tokens(demo: Demo, own_org: str) -> dict[str, str]:
    access = AccessStore(WarehouseStore(demo.warehouse_dir).access_db)
    return {
        "member": access.create_token(own_org, "member", ttl_days=30)[0],
        "partner": access.create_token(None, "partner", ttl_days=30)[0],
        "admin": access.create_token(None, "admin", ttl_days=30)[0],
    }


@dataclass
class Api:
    portal: BlockingPortal
    client: httpx.AsyncClient
    tokens: dict[str, str]
    cache: dict[str, dict[str, Any]] = field(default_factory=dict)

    def post(self, role: str, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        body = {"query": query, "variables": variables or {}}
        return self.portal.call(lambda: self.client.post("/graphql", json=body, headers=headers))

    def insights(self, role: str, q: dict[str, Any]) -> dict[str, Any]:
        """``insights`` for ``q`` (cached per role and query: many tests read one answer)."""
        import json

        key = role + json.dumps(q, sort_keys=True)
        if key not in self.cache:
            resp = self.post(role, INSIGHTS, {"q": q})
            assert resp.status_code == 200, resp.text
            doc = resp.json()
            assert not doc.get("errors"), doc["errors"]
            self.cache[key] = doc["data"]["insights"]
        return self.cache[key]


@pytest.fixture(scope="session")
def api(demo: Demo, tokens: dict[str, str]) -> Iterator[Api]:
    app = create_app(Settings.load(env={}, dotenv=None, warehouse=str(demo.warehouse_dir)))
    with start_blocking_portal() as portal:
        with portal.wrap_async_context_manager(app.router.lifespan_context(app)):
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
            try:
                yield Api(portal, client, tokens)
            finally:
                portal.call(client.aclose)
