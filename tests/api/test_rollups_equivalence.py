"""Rollups change nothing but speed: every answer is the same with rollups on and off.

Two apps serve the same demo warehouse (its rollups built by ingest), one with
``CID_GRAPH_ROLLUPS`` on and one with it off, both with every cache off. Every query of
``docs/queries/`` (for each role, scope, comparison and filter set it is meant for) and a
generated set of others (metrics x dimensions x time grains and date parts x filters x time
ranges x scopes x comparisons: each value of each factor at least once, plus a seeded sample of
their product) must give the same JSON: values, suppression, reasons, labels, comparisons,
totals and meta, or the same error. Values are compared exactly, except floating-point sums
the privacy layer publishes unrounded (own revenue, P6), which are compared to 1e-9 relative:
summing doubles in another order moves the last bits, as DuckDB's parallel SUM itself does.

``explain`` (admin) must also say that a rollup served most of them, so the test cannot pass by
never reading one.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import start_blocking_portal

from bench.tabs import widgets
from cid_graph.access import AccessStore
from cid_graph.app import create_app
from cid_graph.settings import Settings
from tests.api.conftest import Demo
from warehouse.store import WarehouseStore

QUERIES = sorted((Path(__file__).resolve().parents[2] / "docs" / "queries").glob("*.graphql"))

ANSWER = """
query Q($q: InsightQuery!, $locale: String) {
  insights(query: $q, locale: $locale) {
    columns { name label }
    rows {
      dimensions { dimension value label granularity datePart }
      metrics { metric value suppressed reason
                comparisons { kind peerGroup value share peerShare index delta ratio suppressed reason } }
    }
    totals { metrics { metric value suppressed reason comparisons { kind value share peerShare index suppressed reason } } }
    meta { rowCount truncated scope suppressedCells privacyK }
  }
}
"""
EXPLAIN = "query E($q: InsightQuery!) { explain(query: $q) { rollup rollupNotes } }"

DASHBOARD_FILTERS = [{"dimension": "COUNTRY", "op": "IN", "values": ["NO", "SE"]},
                     {"dimension": "EVENT_TYPE", "op": "IN", "values": ["concert", "play"]}]
DOC_VARIABLES = [
    ("partner", {}),
    ("member", {"scope": "OWN", "compare": [{"kind": "BENCHMARK", "peerGroup": "NORDIC"}], "locale": "nb"}),
    ("partner", {"filters": DASHBOARD_FILTERS, "timeRange": {"from": "2025-02-11", "to": "2025-11-20"}}),
    ("member", {"scope": "OWN", "compare": [{"kind": "BENCHMARK", "peerGroup": "SAME_ORG_TYPE"}],
                "filters": DASHBOARD_FILTERS[:1], "timeRange": {"from": "2025-01-01", "to": "2025-12-31"}}),
]

METRIC_SETS = [
    ["BUYERS"],
    ["BUYERS", "EVENTS", "ORGANIZATIONS", "MALE_BUYERS", "FEMALE_BUYERS", "YOUNG_BUYERS", "FEMALE_SHARE", "YOUNG_SHARE"],
    ["TICKETS", "REVENUE_EUR", "TICKETS_PER_BUYER", "REVENUE_PER_BUYER_EUR", "REVENUE_PER_TICKET_EUR"],
    ["BUYERS_SHARE", "MALE_SHARE", "EVENTS"],
]


def _dim(name: str, granularity: str | None = None, part: str | None = None) -> dict[str, str]:
    out = {"dimension": name}
    if granularity:
        out["granularity"] = granularity
    if part:
        out["datePart"] = part
    return out


GROUPS: list[list[dict[str, str]]] = [[]]
GROUPS += [[_dim(d)] for d in ("AGE_GROUP", "GENDER", "PURCHASING_POWER", "EDUCATION_LEVEL", "AREA_TYPE",
                               "HOME_TYPE", "BUYER_REGION", "BUYER_COUNTRY", "COUNTRY", "REGION", "ORG_TYPE",
                               "EVENT_TYPE", "EVENT_CATEGORY", "CLASSIFICATION_SOURCE")]
GROUPS += [[_dim(t, granularity=g)] for t in ("PURCHASED_AT", "EVENT_DATE") for g in ("DAY", "WEEK", "MONTH", "QUARTER", "YEAR")]
GROUPS += [[_dim(t, part=p)] for t in ("PURCHASED_AT", "EVENT_DATE") for p in ("YEAR", "QUARTER", "MONTH", "WEEKDAY", "HOUR")]
GROUPS += [
    [_dim("AGE_GROUP"), _dim("GENDER")],
    [_dim("REGION"), _dim("PURCHASED_AT", granularity="MONTH")],
    [_dim("PURCHASED_AT", part="WEEKDAY"), _dim("PURCHASED_AT", part="HOUR")],
    [_dim("ORG_TYPE"), _dim("GENDER")],
    [_dim("COUNTRY"), _dim("EVENT_CATEGORY"), _dim("PURCHASED_AT", part="WEEKDAY")],
    [_dim("ORGANIZATION")],   # OWN only (NETWORK answers PRIVACY_RULE, on and off alike)
    [_dim("EVENT")],
    [_dim("EVENT"), _dim("PURCHASED_AT", granularity="WEEK")],
]


def _in(dimension: str, *values: str) -> dict[str, Any]:
    return {"dimension": dimension, "op": "IN", "values": list(values)}


FILTERS: list[list[dict[str, Any]]] = [
    [], [_in("COUNTRY", "NO")], [_in("COUNTRY", "SE", "DK", "FI")], [_in("ORG_TYPE", "music", "theatre_performing_arts")],
    [_in("EVENT_TYPE", "concert")], [_in("EVENT_CATEGORY", "drama", "classical", "pop_rock")],
    [_in("GENDER", "female")], [_in("AGE_GROUP", "18-24")], [_in("REGION", "NO-03", "SE-AB")],
    [{"dimension": "EVENT_TYPE", "op": "NOT_IN", "values": ["concert"]}],
    [_in("COUNTRY", "NO"), _in("EVENT_TYPE", "concert", "play")],
    [{"dimension": "PURCHASED_AT", "op": "BETWEEN", "values": ["2025-03-01", "2025-05-31"]}],
    [{"dimension": "EVENT_DATE", "op": "GTE", "values": ["2025-01-01"]}],
]
TIMES: list[dict[str, Any] | None] = [
    None,
    {"from": "2025-02-11", "to": "2025-09-23"},      # day-aligned
    {"from": "2025-01-01", "to": "2025-06-30"},      # month-aligned
    {"from": "2025-03-01"},
    {"to": "2024-12-31"},
    {"from": "2025-01-01", "to": "2025-12-31", "dimension": "EVENT_DATE"},
]
SCOPES: list[tuple[str, str, list[dict[str, str]]]] = [
    ("partner", "NETWORK", []),
    ("member", "OWN", []),
    ("member", "OWN", [{"kind": "BENCHMARK", "peerGroup": "NORDIC"}]),
    ("member", "OWN", [{"kind": "BENCHMARK", "peerGroup": "SAME_COUNTRY"}, {"kind": "PREVIOUS_PERIOD"}]),
    ("admin", "NETWORK", [{"kind": "SAME_PERIOD_LAST_YEAR"}]),
]


def _query(metrics: list[str], groups: list[dict[str, str]], filters: list[dict[str, Any]],
           time: dict[str, Any] | None, scope: tuple[str, str, list[dict[str, str]]]) -> tuple[str, dict[str, Any]]:
    role, name, compare = scope
    periods = any(c["kind"] != "BENCHMARK" for c in compare)
    if periods and (time is None or "from" not in time or "to" not in time):
        time = {"from": "2025-04-01", "to": "2025-06-30"}  # earlier periods need both ends
    q: dict[str, Any] = {"metrics": metrics, "groupBy": groups, "filters": filters, "scope": name, "totals": True}
    if time is not None:
        q["timeRange"] = time
    if compare:
        q["compare"] = compare
    return role, q


def generated_cases() -> list[tuple[str, dict[str, Any]]]:
    """Each value of each factor at least once (with seeded others), then a seeded sample of
    the whole product."""
    rng = random.Random(6)
    factors = [METRIC_SETS, GROUPS, FILTERS, TIMES, SCOPES]
    cases = []
    for i, values in enumerate(factors):
        for value in values:
            pick = [rng.choice(f) for f in factors]
            pick[i] = value
            cases.append(_query(*pick))
    product = list(itertools.product(range(len(METRIC_SETS)), range(len(GROUPS)), range(len(FILTERS)),
                                     range(len(TIMES)), range(len(SCOPES))))
    for idx in rng.sample(product, 30):
        cases.append(_query(*(f[i] for f, i in zip(factors, idx, strict=True))))
    return cases


def _normalize(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.10g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    return value


class _Apps:
    """The same warehouse served twice: rollups on and off, every cache off."""

    def __init__(self, demo: Demo, tokens: dict[str, str]) -> None:
        self.tokens = tokens
        self.demo = demo

    def __enter__(self) -> _Apps:
        self.portal_cm = start_blocking_portal()
        self.portal = self.portal_cm.__enter__()
        self.clients = {}
        self.lifespans = []
        for rollups in (True, False):
            app = create_app(Settings.load(
                env={}, dotenv=None, warehouse=str(self.demo.warehouse_dir), rollups=rollups, cache_max_cells=0,
                answer_cache_max_cells=0, response_cache_mb=0))
            lifespan = self.portal.wrap_async_context_manager(app.router.lifespan_context(app))
            lifespan.__enter__()
            self.lifespans.append(lifespan)
            self.clients[rollups] = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        return self

    def __exit__(self, *exc: Any) -> None:
        for client in self.clients.values():
            self.portal.call(client.aclose)
        for lifespan in reversed(self.lifespans):
            lifespan.__exit__(None, None, None)
        self.portal_cm.__exit__(None, None, None)

    def post(self, rollups: bool, role: str, query: str, variables: dict[str, Any]) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        body = {"query": query, "variables": variables}
        response = self.portal.call(lambda: self.clients[rollups].post("/graphql", json=body, headers=headers))
        assert response.status_code == 200, response.text
        return response.json()

    def both(self, role: str, query: str, variables: dict[str, Any]) -> tuple[Any, Any]:
        return _normalize(self.post(True, role, query, variables)), _normalize(self.post(False, role, query, variables))


@pytest.fixture(scope="module")
def apps(demo: Demo, tokens: dict[str, str], own_org: str) -> Iterator[_Apps]:
    # explain is for admins; one bound to the member's organization explains OWN queries too.
    access = AccessStore(WarehouseStore(demo.warehouse_dir).access_db)
    admin_own = access.create_token(own_org, "admin", ttl_days=1, label="rollup equivalence")[0]
    with _Apps(demo, dict(tokens, admin_own=admin_own)) as served:
        yield served


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_docs_queries_are_the_same_from_rollups(apps: _Apps, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for role, variables in DOC_VARIABLES:
        on, off = apps.both(role, text, variables)
        assert "errors" not in off, off
        assert on == off, (path.stem, role, variables)


def test_generated_queries_are_the_same_from_rollups(apps: _Apps) -> None:
    served = answered = 0
    for role, q in generated_cases():
        on, off = apps.both(role, ANSWER, {"q": q})
        assert on == off, json.dumps(q)
        if "errors" in off:
            continue
        answered += 1
        explained = apps.post(True, "admin_own", EXPLAIN, {"q": q})
        assert not explained.get("errors"), explained
        served += bool(explained["data"]["explain"]["rollup"])
    # Most cases ask valid questions, and rollups serve a good share of them even though the
    # sample also asks what no rollup keeps (buyer region, event dates, hours in a time range).
    assert answered >= 80, answered
    assert served >= answered * 0.3, (served, answered)


#: Metrics of the survey answers' semantic model (metrics/model/metrics_survey.yaml), read without rollups.
SURVEY_METRICS = {"RESPONDENTS", "ANSWERS", "ANSWERS_SHARE", "NPS", "NPS_RESPONDENTS", "PROMOTERS", "PASSIVES",
                  "DETRACTORS", "AVG_RATING", "RATING_MEAN_SQUARE", "SATISFACTION_SCORE", "RATING_RESPONDENTS",
                  "SATISFACTION_MEAN_SQUARE"}


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
@pytest.mark.parametrize("scope", ["NETWORK", "OWN"])
def test_every_dashboard_widget_is_served_by_a_rollup(apps: _Apps, path: Path, scope: str) -> None:
    """Without a time range, with or without the dashboard's filters, each widget query (of the
    tabs and alone) reads a rollup."""
    for alias, q in widgets(path.read_text(encoding="utf-8")):
        for filters in ([], DASHBOARD_FILTERS):
            explained = apps.post(True, "admin_own", EXPLAIN,
                                  {"q": dict(q, scope=q.get("scope", scope), filters=filters)})
            plan = explained["data"]["explain"]
            if set(q["metrics"]) & SURVEY_METRICS:
                # survey answers (one row per answer, a few percent of the buyer rows) have no rollups
                assert plan["rollup"] is None and "declares no rollups" in plan["rollupNotes"][0], plan
                continue
            assert plan["rollup"], (path.stem, alias, scope, filters, explained)


def test_explain_names_the_rollup_and_why_others_do_not_serve(apps: _Apps) -> None:
    q = {"metrics": ["BUYERS"], "groupBy": [_dim("AGE_GROUP"), _dim("GENDER")], "scope": "NETWORK"}
    explained = apps.post(True, "admin", EXPLAIN, {"q": q})["data"]["explain"]
    assert explained["rollup"] == "age_gender"
    notes = dict(n.split(": ", 1) for n in explained["rollupNotes"])
    assert notes["age_gender"].startswith("used")
    assert notes["events"] == "lacks dimension age_group"
    off = apps.post(False, "admin", EXPLAIN, {"q": q})["data"]["explain"]
    assert off["rollup"] is None and off["rollupNotes"] == ["rollups are off (CID_GRAPH_ROLLUPS=false)"]


@pytest.mark.parametrize("role,scope", [("partner", "NETWORK"), ("member", "OWN")])
def test_a_mid_month_range_reads_its_whole_months_from_a_monthly_rollup(apps: _Apps, role: str, scope: str) -> None:
    q = {"metrics": ["BUYERS", "MALE_BUYERS", "TICKETS", "REVENUE_EUR"], "groupBy": [_dim("AGE_GROUP"), _dim("GENDER")],
         "scope": scope, "timeRange": {"from": "2025-02-11", "to": "2025-09-23"}, "totals": True}
    explained = apps.post(True, "admin_own", EXPLAIN, {"q": q})["data"]["explain"]
    assert explained["rollup"] == "age_gender_month"
    assert explained["rollupNotes"][-1] == (
        "time range split at month boundaries: 2025-02-11 to 2025-02-28 from the base tables; "
        "2025-03-01 to 2025-08-31 from age_gender_month; 2025-09-01 to 2025-09-23 from the base tables")
    on, off = apps.both(role, ANSWER, {"q": q})
    assert "errors" not in off and on == off


def _presets(today: date) -> dict[str, dict[str, str]]:
    """The dashboard's period menu (web/src/main.ts ``presetRange``) on ``today``: last 12 months
    (the day after today a year ago, to today), this year and last year; "all time" sends none."""
    year_ago = today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29) \
        else today.replace(year=today.year - 1, day=28)
    return {"last12": {"from": (year_ago + timedelta(days=1)).isoformat(), "to": today.isoformat()},
            "thisYear": {"from": f"{today.year}-01-01", "to": f"{today.year}-12-31"},
            "lastYear": {"from": f"{today.year - 1}-01-01", "to": f"{today.year - 1}-12-31"}}


def _arbitrary_ranges(n: int) -> list[dict[str, str]]:
    """Seeded ranges a user could type: any start and end day within the demo's years."""
    rng = random.Random(16)
    first, days = date(2023, 6, 1), (date(2026, 10, 31) - date(2023, 6, 1)).days
    out = []
    for _ in range(n):
        a, b = sorted(rng.sample(range(days), 2))
        out.append({"from": (first + timedelta(days=a)).isoformat(), "to": (first + timedelta(days=b)).isoformat()})
    return out


TABS = ("tab_demography", "tab_events", "loyalty_tab")


@pytest.mark.parametrize("tab", TABS)
def test_every_period_of_the_dashboards_menu_and_any_typed_range_is_the_same_from_rollups(
        apps: _Apps, tab: str) -> None:
    """Issue 16 §2: the dashboard's period presets (on today's date, as the dashboard computes
    them, and on a fixed date inside the demo's data) and arbitrary day ranges give the same
    answers with rollups on and off, for the whole tab, as a partner with the dashboard's filters
    and as a member in OWN scope with a benchmark."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "queries" / f"{tab}.graphql").read_text(encoding="utf-8")
    ranges = [*_presets(date.today()).values(), *_presets(date(2026, 5, 17)).values(), *_arbitrary_ranges(3)]
    served = 0
    for time_range in ranges:
        for role, variables in (
                ("partner", {"filters": DASHBOARD_FILTERS, "timeRange": time_range}),
                ("member", {"scope": "OWN", "compare": [{"kind": "BENCHMARK", "peerGroup": "SAME_ORG_TYPE"}],
                            "timeRange": time_range})):
            on, off = apps.both(role, text, variables)
            assert "errors" not in off, (time_range, role, off)
            assert on == off, (tab, time_range, role)
        for _alias, q in widgets(text)[:1]:
            q = dict(q, scope=q.get("scope", "NETWORK"), filters=DASHBOARD_FILTERS, timeRange=time_range)
            explained = apps.post(True, "admin", EXPLAIN, {"q": q})["data"]["explain"]
            served += bool(explained["rollup"])
    assert served >= len(ranges) // 2, (tab, served, "the ranges were mostly not read from a rollup")
