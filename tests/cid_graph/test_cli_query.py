"""``cid-graph export`` and ``cid-graph query``: real processes, real engines, the API's errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

QUERY = {"metrics": ["BUYERS", "FEMALE_SHARE", "REVENUE_EUR"], "groupBy": [{"dimension": "AGE_GROUP"}], "totals": True}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CID_GRAPH_")}
    env.update(CID_GRAPH_LOG_LEVEL="WARNING", CID_GRAPH_QUERY_TIMEOUT_S="600", CID_GRAPH_REQUEST_TIMEOUT_S="1200")
    return subprocess.run([sys.executable, "-m", "cid_graph.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


@pytest.fixture()
def query_file(tmp_path: Path) -> Path:
    path = tmp_path / "q.json"
    path.write_text(json.dumps(QUERY), encoding="utf-8")
    return path


def test_query_prints_a_table_and_json(demo_warehouse: Any, query_file: Path, tmp_path: Path, gql: Any) -> None:
    token = demo_warehouse.tokens["partner"]
    text = cli("query", "--warehouse", str(demo_warehouse.root), "--token", token, "--query", str(query_file),
               "--locale", "nb", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split()[:2] == ["Aldersgruppe", "Kjøpere"] and "Totalt" not in lines[0]
    assert any(line.startswith("Total") for line in lines) and "engine duckdb" in lines[-1]

    out = cli("query", "--warehouse", str(demo_warehouse.root), "--token", token, "--query", str(query_file),
              "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    # the same answer as the GraphQL API gives over HTTP
    api = gql.data("query($q: InsightQuery!) { insights(query: $q) { rows { metrics { metric value suppressed reason } } } }",
                   token, {"q": QUERY})
    mine = [[{k: m[k] for k in ("metric", "value", "suppressed", "reason")} for m in r["metrics"]] for r in result["rows"]]
    assert mine == [r["metrics"] for r in api["insights"]["rows"]]


@pytest.mark.parametrize(("content", "token_key", "expected"), [
    ('{"metrics": ["BUYERS"],', "partner", "not valid JSON"),
    ('["BUYERS"]', "partner", "not an object"),
    ('{"metrics": ["BUYERZ"]}', "partner", "BUYERZ"),
    ('{"metrics": ["BUYERS"], "groupBy": [{"dimension": "EVENT"}]}', "partner", "OWN"),
    ('{"metrics": ["BUYERS"]}', "revoked", "revoked"),
    ('{"metrics": ["BUYERS"]}', None, "not valid"),
])
def test_bad_input_gets_the_api_errors(demo_warehouse: Any, tmp_path: Path, content: str,
                                       token_key: str | None, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    token = demo_warehouse.tokens[token_key] if token_key else "not-a-token"
    done = cli("query", "--warehouse", str(demo_warehouse.root), "--token", token, "--query", str(path), cwd=tmp_path)
    assert done.returncode == 2 and expected in done.stderr, done.stderr
    assert "hint:" in done.stderr and "Traceback" not in done.stderr
    as_json = cli("query", "--warehouse", str(demo_warehouse.root), "--token", token, "--query", str(path), "--json",
                  cwd=tmp_path)
    assert as_json.returncode == 2 and json.loads(as_json.stdout)["error"]["hint"]


def test_export_then_query_on_spark(demo_warehouse: Any, query_file: Path, tmp_path: Path) -> None:
    parquet = tmp_path / "parquet"
    first = cli("export", "--warehouse", str(demo_warehouse.root), "--parquet", str(parquet), "--json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["published"] is True
    again = cli("export", "--warehouse", str(demo_warehouse.root), "--parquet", str(parquet), cwd=tmp_path)
    assert again.returncode == 0 and "(unchanged)" in again.stdout

    token = demo_warehouse.tokens["member"]
    args = ("query", "--warehouse", str(demo_warehouse.root), "--token", token, "--query", str(query_file), "--json")
    duck = cli(*args, cwd=tmp_path)
    spark = cli(*args, "--engine", "spark", "--parquet", str(parquet), "--spark-master", "local[1]", cwd=tmp_path)
    assert duck.returncode == 0 and spark.returncode == 0, spark.stderr[-2000:]
    assert json.loads(spark.stdout) == json.loads(duck.stdout)
