"""End to end through a real uvicorn server on 127.0.0.1: the CLI starts it, HTTP talks to it."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request

import pytest

from tests.cid_graph.conftest import _free_port, _post


def test_real_server_answers_a_dashboard_question(server, demo_warehouse):
    status, body = _post(server + "/graphql", {"query": """
        query($scope: Scope!) { me { role organization { id } }
          insights(query: {metrics: [BUYERS, TICKETS_PER_BUYER], groupBy: [{dimension: PURCHASED_AT, granularity: MONTH}], scope: $scope, totals: true}) {
            rows { dimensions { value label } metrics { metric value suppressed reason } }
            totals { metrics { value } } meta { warehouseVersion rowCount truncated } } }""",
        "variables": {"scope": "OWN"}}, demo_warehouse.tokens["member"])
    assert status == 200 and "errors" not in body, body
    data = body["data"]
    assert data["me"]["organization"]["id"] == demo_warehouse.member_org
    rows = data["insights"]["rows"]
    assert len(rows) > 6 and all(r["dimensions"][0]["value"].endswith("-01") for r in rows)
    total = data["insights"]["totals"]["metrics"][0]["value"]
    assert total == sum(r["metrics"][0]["value"] for r in rows)  # own data, no enriched attribute: exact


def test_real_server_rejects_without_token(server):
    req = urllib.request.Request(server + "/graphql", data=b'{"query":"{ me { role } }"}', method="POST",
                                 headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=10)
    assert info.value.code == 401
    info.value.close()


def test_server_refuses_to_start_on_a_broken_model(tmp_path, demo_warehouse):
    model = tmp_path / "model"
    model.mkdir()
    from cid_graph.settings import Settings

    for f in Settings.load(env={}, dotenv=None).model_dir.glob("*.yaml"):
        (model / f.name).write_text(f.read_text().replace("column: region", "column: regoin"))
    env = dict(os.environ, CID_GRAPH_WAREHOUSE=str(demo_warehouse.root), CID_GRAPH_MODEL_PATH=str(model))
    proc = subprocess.run([sys.executable, "-m", "cid_graph.cli", "serve", "--port", str(_free_port())],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "regoin" in proc.stderr and ".yaml:" in proc.stderr and "Traceback" not in proc.stderr
    check = subprocess.run([sys.executable, "-m", "cid_graph.cli", "check"], env=env, capture_output=True, text=True)
    assert check.returncode == 1 and "regoin" in check.stdout


def test_server_moves_to_a_newly_published_version(tmp_path, demo_warehouse):
    """A load publishes a new version while the app serves; the next request uses it, no restart."""
    import shutil

    from cid_graph.access import AccessStore
    from cid_graph.app import create_app
    from cid_graph.settings import Settings
    from tests.conftest import GraphQLClient
    from warehouse.ingest import ingest
    from warehouse.secret import load_or_create_secret
    from warehouse.store import WarehouseStore

    root = tmp_path / "wh"
    store = WarehouseStore(root)
    # A fixed key: the noise (and so whether the one cell is suppressed) is the same every run.
    (tmp_path / "k").write_text("5e" * 32 + "\n")
    secret, _ = load_or_create_secret(tmp_path / "k")
    files = demo_warehouse.files
    ingest(store, secret, [files.organizations], files.transactions[:1])
    token = AccessStore(store.access_db).create_token(None, "admin", ttl_days=1)[0]
    client = GraphQLClient(create_app(Settings.load(env={}, dotenv=None, warehouse=str(root))))
    q = "{ catalog { warehouseVersion } insights(query: {metrics: [EVENTS]}) { meta { warehouseVersion } rows { metrics { value } } } }"
    first = client.data(q, token)
    assert first["insights"]["meta"]["warehouseVersion"] == 1
    ingest(store, secret, [], files.transactions[1:])
    second = client.data(q, token)
    assert second["insights"]["meta"]["warehouseVersion"] == 2
    assert second["insights"]["rows"][0]["metrics"][0]["value"] > first["insights"]["rows"][0]["metrics"][0]["value"]
    client.client._transport.close()
    shutil.rmtree(root)
