"""classifyEvent and myEvents through the real API on a real warehouse: a member's correction
changes the next answers without a reload, and nobody else can make one (P6, P8)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import pytest

from cid_graph.access import AccessStore
from cid_graph.app import create_app
from cid_graph.settings import Settings
from tests.conftest import GraphQLClient
from warehouse.classify import CorrectionStore
from warehouse.demo import generate
from warehouse.ingest import ingest
from warehouse.secret import load_or_create_secret
from warehouse.store import WarehouseStore

CLASSIFY = """mutation($e: String!, $t: String!, $c: String!) {
  classifyEvent(eventId: $e, eventType: $t, eventCategory: $c, locale: "nb") {
    eventId title eventType eventTypeLabel eventCategory eventCategoryLabel
    previousEventType previousEventCategory previousSource status warehouseVersion message
  }
}"""
MY_EVENTS = """query($limit: Int!, $offset: Int!, $search: String, $source: String, $order: MyEventsOrder!) {
  myEvents(limit: $limit, offset: $offset, search: $search, source: $source, orderBy: $order) {
    total limit offset warehouseVersion pendingCorrections
    events { id title date eventType eventTypeLabel eventCategory eventCategoryLabel source sourceLabel
             confidence categoryConfidence pending }
  }
}"""
BY = """query($dims: [GroupByInput!], $filters: [FilterInput!]) {
  insights(query: {metrics: [BUYERS], groupBy: $dims, filters: $filters, scope: OWN, limit: 5000}) {
    rows { dimensions { value } metrics { value suppressed } }
    meta { warehouseVersion }
  }
}"""


@dataclass
class World:
    store: WarehouseStore
    client: GraphQLClient
    tokens: dict[str, str]
    member_org: str
    other_org: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("classify-api")
    files = generate(root / "files", size="small", seed=3)
    store = WarehouseStore(root / "wh")
    secret, _ = load_or_create_secret(root / "secret.key")
    ingest(store, secret, [files.organizations], files.transactions)
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    orgs = [r[0] for r in con.execute(
        "SELECT e.org_id FROM events e JOIN buyers b USING (event_sk) GROUP BY 1 "
        "ORDER BY count(DISTINCT e.event_id) DESC, 1").fetchall()]
    con.close()
    access = AccessStore(store.access_db)
    tokens = {
        "member": access.create_token(orgs[0], "member", ttl_days=1)[0],
        "other": access.create_token(orgs[1], "member", ttl_days=1)[0],
        "partner": access.create_token(None, "partner", ttl_days=1)[0],
        "admin": access.create_token(None, "admin", ttl_days=1)[0],
        "org_admin": access.create_token(orgs[0], "admin", ttl_days=1)[0],
    }
    settings = Settings.load(env={}, dotenv=None, warehouse=str(store.root), correction_delay_s=0.1,
                             correction_retry_s=0.2, cache_max_cells=0)
    client = GraphQLClient(create_app(settings))
    yield World(store, client, tokens, orgs[0], orgs[1])
    client.client._transport.close()  # type: ignore[attr-defined]


def _classify(w: World, role: str, event_id: str, etype: str, ecat: str) -> dict[str, Any]:
    return w.client.post(CLASSIFY, w.tokens[role], {"e": event_id, "t": etype, "c": ecat}).json()


def _events(w: World, role: str = "member", **kw: Any) -> dict[str, Any]:
    variables = {"limit": 200, "offset": 0, "search": None, "source": None, "order": "DATE_DESC", **kw}
    return w.client.data(MY_EVENTS, w.tokens[role], variables)["myEvents"]


def _buyers(w: World, dims: list[str], filters: list[dict[str, Any]] | None = None) -> tuple[dict[tuple, float], int]:
    data = w.client.data(BY, w.tokens["member"], {"dims": [{"dimension": d} for d in dims], "filters": filters})
    rows = {tuple(d["value"] for d in r["dimensions"]): r["metrics"][0]["value"] or 0
            for r in data["insights"]["rows"]}
    return rows, data["insights"]["meta"]["warehouseVersion"]


def _wait_applied(w: World, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = _events(w)
        if page["pendingCorrections"] == 0:
            return page
        time.sleep(0.05)
    pytest.fail("the correction was not published in time")


def _truth(w: World, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Straight from a copy of the published file (the app's engine holds the file itself)."""
    copy = w.store.root.parent / "truth.duckdb"
    shutil.copyfile(w.store.require_current().path, copy)
    con = duckdb.connect(str(copy), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()
        copy.unlink()


def _corrections(w: World) -> int:
    return CorrectionStore(w.store.corrections_db).max_id()


def test_my_events(world: World) -> None:
    page = _events(world)
    truth = _truth(world, "SELECT event_id, event_type, event_category, classification_source FROM events "
                          "WHERE org_id = ? ORDER BY event_id", [world.member_org])
    assert page["total"] == len(truth) and page["pendingCorrections"] == 0
    assert sorted((e["id"], e["eventType"], e["eventCategory"], e["source"]) for e in page["events"]) == truth
    first = page["events"][0]
    assert first["eventTypeLabel"] and first["sourceLabel"] and not first["pending"]
    assert [e["date"] for e in page["events"]] == sorted((e["date"] for e in page["events"]), reverse=True)
    # filters, search, paging and order
    model = _events(world, source="model")
    assert model["total"] == sum(1 for t in truth if t[3] == "model")
    assert all(e["source"] == "model" and e["confidence"] is not None for e in model["events"])
    word = first["title"].split()[0]
    found = _events(world, search=word.upper())
    assert found["total"] >= 1 and all(word.lower() in e["title"].lower() for e in found["events"])
    two = _events(world, limit=2, offset=1)
    assert [e["id"] for e in two["events"]] == [e["id"] for e in page["events"][1:3]]
    least = _events(world, order="CONFIDENCE", source="model")["events"]
    conf = [min(c for c in (e["confidence"], e["categoryConfidence"]) if c is not None) for e in least]
    assert conf == sorted(conf)


@pytest.mark.parametrize(("variables", "message"), [
    ({"limit": 0}, "limit must be between 1 and 200"),
    ({"limit": 201}, "limit must be between 1 and 200"),
    ({"offset": -1}, "offset must be between"),
    ({"source": "guess"}, "unknown classification source 'guess'"),
    ({"search": "x" * 101}, "search is longer than 100"),
])
def test_my_events_bad_input(world: World, variables: dict[str, Any], message: str) -> None:
    body = world.client.post(MY_EVENTS, world.tokens["member"],
                             {"limit": 50, "offset": 0, "order": "DATE_DESC", **variables}).json()
    [error] = body["errors"]
    assert message in error["message"] and error["extensions"]["code"] == "BAD_QUERY"
    assert error["extensions"]["hint"]


def test_partners_and_organizationless_tokens_see_no_events(world: World) -> None:
    for role in ("partner", "admin"):
        body = world.client.post(MY_EVENTS, world.tokens[role], {"limit": 5, "offset": 0, "order": "DATE_DESC"}).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body


def test_a_correction_changes_the_next_answers(world: World) -> None:
    by_type, version = _buyers(world, ["EVENT_TYPE"])
    by_event, _ = _buyers(world, ["EVENT"])
    page = _events(world)
    # the member's event with most buyers among those the model labelled
    event = max((e for e in page["events"] if e["source"] == "model"), key=lambda e: (by_event.get((e["id"],), 0), e["id"]))
    n = by_event[(event["id"],)]
    assert n > 0
    new_type = "talk" if event["eventType"] != "talk" else "concert"
    answer = _classify(world, "member", event["id"], new_type, "literature")
    assert not answer.get("errors"), answer
    result = answer["data"]["classifyEvent"]
    assert result["status"] == "PENDING" and result["warehouseVersion"] == version
    assert (result["eventType"], result["eventCategory"]) == (new_type, "literature")
    assert result["eventTypeLabel"] == ("Foredrag" if new_type == "talk" else "Konsert")
    assert result["previousEventType"] == event["eventType"] and result["previousSource"] == "model"
    # stored at once: myEvents shows it as pending until the new version answers
    after = _wait_applied(world)
    assert after["warehouseVersion"] == version + 1
    [mine] = [e for e in after["events"] if e["id"] == event["id"]]
    assert (mine["eventType"], mine["eventCategory"], mine["source"], mine["pending"]) == (
        new_type, "literature", "feedback", False)
    assert mine["confidence"] is None
    # the chart's numbers moved by exactly that event's buyers (own scope is exact, P6)
    by_type_after, version_after = _buyers(world, ["EVENT_TYPE"])
    assert version_after == version + 1
    expected = dict(by_type)
    expected[(event["eventType"],)] = expected.get((event["eventType"],), 0) - n
    expected[(new_type,)] = expected.get((new_type,), 0) + n
    assert {k: v for k, v in by_type_after.items() if v} == {k: v for k, v in expected.items() if v}
    # and the source is visible to analysts, as a filter and a group-by
    corrected, _ = _buyers(world, ["EVENT_TYPE", "CLASSIFICATION_SOURCE"],
                           [{"dimension": "CLASSIFICATION_SOURCE", "values": ["feedback"]}])
    assert {k: v for k, v in corrected.items() if v} == {(new_type, "feedback"): n}
    # the same correction again: already applied, nothing stored
    stored = _corrections(world)
    again = _classify(world, "member", event["id"], new_type, "literature")["data"]["classifyEvent"]
    assert again["status"] == "APPLIED" and _corrections(world) == stored


def test_a_member_cannot_correct_another_organizations_event(world: World) -> None:
    theirs = _events(world, "other")["events"][0]["id"]
    mine = {e["id"] for e in _events(world)["events"]}
    assert theirs not in mine
    stored = _corrections(world)
    foreign = _classify(world, "member", theirs, "talk", "literature")
    unknown = _classify(world, "member", "no-such-event", "talk", "literature")
    [f], [u] = foreign["errors"], unknown["errors"]
    # the same answer as an unknown id: it never says the event exists elsewhere
    assert f["extensions"] == u["extensions"] and f["extensions"]["code"] == "BAD_QUERY"
    assert f["message"].replace(theirs, "X") == u["message"].replace("no-such-event", "X")
    assert _corrections(world) == stored


@pytest.mark.parametrize("role", ["partner", "admin", "org_admin"])
def test_partners_and_admins_cannot_correct(world: World, role: str) -> None:
    event = _events(world)["events"][0]["id"]
    stored = _corrections(world)
    [error] = _classify(world, role, event, "talk", "literature")["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN" and "member" in error["message"]
    assert _corrections(world) == stored


@pytest.mark.parametrize(("etype", "ecat", "message", "listed"), [
    ("gig", "jazz", "unknown event type 'gig'", "standup_comedy"),
    ("concert", "unclassified", "unknown event category 'unclassified'", "ice_hockey"),
    ("", "jazz", "unknown event type ''", "concert"),
])
def test_invalid_labels(world: World, etype: str, ecat: str, message: str, listed: str) -> None:
    event = _events(world)["events"][0]["id"]
    stored = _corrections(world)
    [error] = _classify(world, "member", event, etype, ecat)["errors"]
    assert error["message"] == message and error["extensions"]["code"] == "BAD_QUERY"
    assert listed in error["extensions"]["hint"]
    assert _corrections(world) == stored


def test_corrections_are_audit_logged(world: World) -> None:
    _classify(world, "partner", "x", "talk", "literature")
    rows = AccessStore(world.store.access_db).read_audit(limit=500)
    mine = [r for r in rows if r["operation"] == "classifyEvent"]
    assert {r["outcome"] for r in mine} >= {"ok", "FORBIDDEN", "BAD_QUERY"}
    assert all(r["token_id"] for r in mine)


def test_corrections_wait_while_another_process_writes(world: World) -> None:
    event = _events(world)["events"][-1]
    target = "festival" if event["eventType"] != "festival" else "concert"
    with world.store.writer_lock():  # an ingest holds the warehouse
        version = world.store.require_current().number
        result = _classify(world, "member", event["id"], target, "folk_world")["data"]["classifyEvent"]
        assert result["status"] == "PENDING"
        time.sleep(0.6)  # the applier tried (and will try again): nothing was published
        assert world.store.require_current().number == version
        assert _events(world)["pendingCorrections"] == 1
        [shown] = [e for e in _events(world)["events"] if e["id"] == event["id"]]
        assert shown["pending"] and shown["eventType"] == target
    page = _wait_applied(world)
    assert page["warehouseVersion"] == version + 1
    [shown] = [e for e in page["events"] if e["id"] == event["id"]]
    assert (shown["eventType"], shown["source"], shown["pending"]) == (target, "feedback", False)


def test_health_reports_the_applier(world: World) -> None:
    health = world.client.client.get("/healthz").json()
    assert health["corrections"]["running"] is True and health["corrections"]["last_error"] is None


@pytest.mark.parametrize(("env", "message"), [
    ({"CID_GRAPH_CLASSIFICATION_THRESHOLD": "1.5"}, "classification_threshold is 1.5"),
    ({"CID_GRAPH_CLASSIFICATION_THRESHOLD": "high"}, "not a float"),
    ({"CID_GRAPH_CORRECTION_RETRY_S": "0"}, "correction_retry_s"),
])
def test_bad_classification_settings(env: dict[str, str], message: str) -> None:
    from cid_graph.errors import ConfigError

    with pytest.raises(ConfigError, match=message) as info:
        Settings.load(env=env, dotenv=None)
    assert info.value.hint and "CID_GRAPH_" in info.value.hint
