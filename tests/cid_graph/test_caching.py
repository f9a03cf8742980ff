"""The caches and the request queue, through the real app (ASGI transport, lifespan and all).

- A repeated read-only request is answered from the response cache, byte for byte, and every
  hit is audit-logged like a computed answer; the key is the organization and role (not the
  token), the language and the warehouse version; documents with ``me`` or with errors are
  never kept; a newly published version is a miss.
- The published-answer cache serves one widget asked by two documents.
- Past the queue, a request gets 503 ``BUSY`` with ``Retry-After`` at once; none hangs.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
from starlette.routing import Route

from cid_graph.access import AccessStore
from cid_graph.app import create_app
from cid_graph.settings import Settings

QUERIES = Path(__file__).resolve().parents[2] / "docs" / "queries"
TAB = (QUERIES / "tab_demography.graphql").read_text(encoding="utf-8")
WIDGET = (QUERIES / "age_gender.graphql").read_text(encoding="utf-8")


def _serve(warehouse: Path, body: Callable[[httpx.AsyncClient, Any], Awaitable[None]], **settings: Any) -> None:
    app = create_app(Settings.load(env={}, dotenv=None, warehouse=str(warehouse), **settings))
    state = next(r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql").state

    async def main() -> None:
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
                await body(client, state)

    anyio.run(main)


async def _post(client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None,
                **headers: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, "variables": variables or {}},
                             headers={"Authorization": f"Bearer {token}", **headers})


def _audits(warehouse: Path, token: str) -> int:
    token_id = token.split("_")[1]
    with contextlib.closing(sqlite3.connect(warehouse / "access.sqlite")) as db:
        return int(db.execute("SELECT count(*) FROM audit WHERE token_id = ?", (token_id,)).fetchone()[0])


def test_a_repeated_request_is_served_from_the_response_cache_and_still_audited(demo_warehouse) -> None:
    root, access = demo_warehouse.root, AccessStore(demo_warehouse.root / "access.sqlite")
    first_token = access.create_token(None, "partner", ttl_days=1)[0]
    other_token = access.create_token(None, "partner", ttl_days=1)[0]

    async def body(client: httpx.AsyncClient, state: Any) -> None:
        first = await _post(client, first_token, TAB)
        again = await _post(client, first_token, TAB)
        assert first.status_code == again.status_code == 200
        assert "x-cid-graph-cache" not in first.headers and again.headers["x-cid-graph-cache"] == "hit"
        assert again.content == first.content
        assert again.headers["server-timing"].startswith("app;dur=")
        # The same organization and role with another token: the same answer, from the cache.
        other = await _post(client, other_token, TAB)
        assert other.headers.get("x-cid-graph-cache") == "hit" and other.content == first.content
        # Another language is another answer.
        nb = await _post(client, first_token, TAB, {"locale": "nb"})
        assert "x-cid-graph-cache" not in nb.headers and nb.content != first.content

    _serve(root, body, server_timing=True)
    fields = TAB.count("insights(")
    assert _audits(root, first_token) == 3 * fields  # two of them answered from the cache
    assert _audits(root, other_token) == fields


def test_no_server_timing_unless_the_settings_ask_for_it(demo_warehouse) -> None:
    """The server's own timing tells what the privacy layer did (a guard that emptied a population
    answers faster): production sends none, from the cache or not."""
    root, access = demo_warehouse.root, AccessStore(demo_warehouse.root / "access.sqlite")
    token = access.create_token(None, "partner", ttl_days=1)[0]

    async def body(client: httpx.AsyncClient, state: Any) -> None:
        first = await _post(client, token, WIDGET)
        again = await _post(client, token, WIDGET)
        assert first.status_code == again.status_code == 200
        assert again.headers.get("x-cid-graph-cache") == "hit"
        assert "server-timing" not in first.headers and "server-timing" not in again.headers

    _serve(root, body)


def test_documents_asking_for_the_caller_or_failing_are_not_kept(demo_warehouse) -> None:
    token = demo_warehouse.tokens["partner"]
    me = "{ me { role } insights(query: {metrics: [BUYERS]}) { meta { rowCount } } }"
    bad = "{ insights(query: {metrics: [BUYERS], groupBy: [{dimension: ORGANIZATION}]}) { meta { rowCount } } }"

    async def body(client: httpx.AsyncClient, state: Any) -> None:
        for query in (me, me, bad, bad):
            response = await _post(client, token, query)
            assert response.status_code == 200 and "x-cid-graph-cache" not in response.headers
        assert (await _post(client, token, bad)).json()["errors"][0]["extensions"]["code"] == "PRIVACY_RULE"
        assert state["responses"].stats()["entries"] == 0

    _serve(demo_warehouse.root, body)


def test_one_widget_in_two_documents_is_published_once(demo_warehouse) -> None:
    token = demo_warehouse.tokens["member"]

    async def body(client: httpx.AsyncClient, state: Any) -> None:
        answers = state["services"].answers
        tab = await _post(client, token, TAB, {"scope": "OWN"})
        hits = answers.stats()["hits"]
        widget = await _post(client, token, WIDGET, {"scope": "OWN"})
        assert answers.stats()["hits"] == hits + 1
        assert widget.json()["data"]["ageGender"] == tab.json()["data"]["ageGender"]

    _serve(demo_warehouse.root, body, response_cache_mb=0)


def test_past_the_queue_a_request_gets_busy_with_retry_after(demo_warehouse) -> None:
    token = demo_warehouse.tokens["partner"]
    replies: list[httpx.Response] = []

    async def body(client: httpx.AsyncClient, state: Any) -> None:
        async def one(i: int) -> None:
            replies.append(await _post(client, token, TAB, {"locale": ["nb", "en", "sv", "da", "fi"][i % 5]}))

        with anyio.fail_after(60):  # never a hang
            async with anyio.create_task_group() as tg:
                for i in range(8):
                    tg.start_soon(one, i)

    _serve(demo_warehouse.root, body, max_running_requests=1, max_queued_requests=0, cache_max_cells=0,
           answer_cache_max_cells=0, response_cache_mb=0)
    busy = [r for r in replies if r.status_code == 503]
    assert busy and len(busy) < len(replies)
    assert all(r.status_code == 200 and "errors" not in r.json() for r in replies if r.status_code != 503)
    for r in busy:
        error = r.json()["errors"][0]
        assert error["extensions"]["code"] == "BUSY" and "Retry in" in error["extensions"]["hint"]
        assert int(r.headers["retry-after"]) >= 1


def test_a_request_waiting_too_long_in_the_queue_gets_busy(demo_warehouse) -> None:
    token = demo_warehouse.tokens["partner"]
    replies: list[httpx.Response] = []

    async def body(client: httpx.AsyncClient, state: Any) -> None:
        async def one(i: int) -> None:
            replies.append(await _post(client, token, TAB, {"filters": [
                {"dimension": "COUNTRY", "op": "IN", "values": [["NO", "SE", "DK", "FI"][i % 4]]}]}))

        async with anyio.create_task_group() as tg:
            for i in range(6):
                tg.start_soon(one, i)
        assert state["admission"].stats()["refused"] == sum(r.status_code == 503 for r in replies)

    _serve(demo_warehouse.root, body, max_running_requests=1, max_queued_requests=16, queue_timeout_s=0.01,
           cache_max_cells=0, answer_cache_max_cells=0, response_cache_mb=0)
    assert any(r.status_code == 503 and "waited" in r.json()["errors"][0]["message"] for r in replies)
    assert any(r.status_code == 200 for r in replies)
