"""The differencing guard against the oracle: the population a protected answer covers is the
one PRIVACY.md's rule gives, computed here from the raw contract files.

Each test finds, in the raw files, a case where the rule must act (a list value of fewer than k
buyers, a filter that leaves out fewer than k, a time range over sparse days) and checks the
API's answer to the query as asked against its answer to the query the rule says it covers —
and that the rule did change something, so the test would fail without the guard.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api
from tests.api.oracle import Oracle
from tests.privacy import guard_rule

K = 10
OWN = guard_rule.Safe(K)  # one organization's own data: k buyers
POOLED = guard_rule.Safe(K, 5, 0.15)  # NETWORK: k buyers, 5 organizations, none dominating
METRICS = ["BUYERS", "FEMALE_BUYERS", "YOUNG_SHARE"]


def _counts(oracle: Oracle, org: str | None) -> guard_rule.Counts:
    def counts(q: dict[str, Any], group: dict[str, Any]) -> dict[Any, dict[str, int]]:
        key = (group["dimension"], group.get("granularity"), None)
        cells = oracle.cells([key], org_id=org, filters=q.get("filters") or None, time_range=q.get("timeRange"))
        return {k[0]: c.buyers_by_org for k, c in cells.items()}
    return counts


def _rows(answer: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    return {tuple(d["value"] for d in r["dimensions"]): {m["metric"]: (m["value"], m["reason"]) for m in r["metrics"]}
            for r in answer["rows"]}


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert _rows(a) == _rows(b)
    assert a["totals"] == b["totals"]


def _by_org(oracle: Oracle, org: str | None, dim: str,
            base: tuple[str, str] | None = None) -> dict[str, dict[str, int]]:
    filters = [{"dimension": base[0], "values": [base[1]]}] if base else None
    return {k[0]: c.buyers_by_org for k, c in oracle.cells([(dim, None, None)], org_id=org, filters=filters).items()}


def _slices(oracle: Oracle, org: str | None, dim: str, base: tuple[str, str] | None = None) -> dict[str, int]:
    return {v: sum(by.values()) for v, by in _by_org(oracle, org, dim, base).items()}


def _small_case(oracle: Oracle, org: str | None, dims: tuple[str, ...] = ("REGION", "EVENT_TYPE"),
                big: guard_rule.Safe = OWN,
                rest_safe: bool = False) -> tuple[list[dict[str, Any]], str, dict[str, int]]:
    """(base filters, dimension, its slices) where some slice holds 1..k-1 buyers and two others
    >= 20k, ``big``-safe (in a pooled population: of 5 organizations none dominating); with
    ``rest_safe``, also the buyers of every slice but the two largest together are ``big``-safe,
    so that leaving out the small slice does not leave out a population too small to hide it."""
    bases: list[tuple[str, str] | None] = [None]
    # (the demo's labels move with the classifier: search widely enough to find a case)
    for b in ("ORG_TYPE", "COUNTRY", "EVENT_TYPE", "EVENT_CATEGORY", "REGION"):
        bases += [(b, v) for v in sorted(_slices(oracle, org, b))]
    for base in bases:
        for dim in dims:
            if base and base[0] == dim:
                continue
            by_org = _by_org(oracle, org, dim, base)
            slices = {v: sum(by.values()) for v, by in by_org.items()}
            large = [v for v, n in slices.items() if n >= 20 * K and big(by_org[v])]
            if rest_safe:
                top = set(sorted(large, key=lambda v: -slices[v])[:2])
                rest: dict[str, int] = {}
                for v, by in by_org.items():
                    if v not in top:
                        for o, n in by.items():
                            rest[o] = rest.get(o, 0) + n
                if not big(rest):
                    continue
            if any(1 <= n < K for n in slices.values()) and len(large) >= (2 if big is POOLED else 1):
                return ([{"dimension": base[0], "op": "IN", "values": [base[1]]}] if base else []), dim, \
                    {v: n for v, n in slices.items() if v in large or n < 20 * K}
    pytest.fail("the demo has no slice of 1..k-1 buyers beside a large one: the guard is not exercised")


def _with(q: dict[str, Any], *filters: dict[str, Any]) -> dict[str, Any]:
    return {**q, "filters": [*q.get("filters", []), *filters]}


def test_a_list_value_of_fewer_than_k_buyers_is_left_out(api: Api, oracle: Oracle) -> None:
    base_filters, dim, slices = _small_case(oracle, None, ("EVENT_TYPE", "EVENT_CATEGORY", "ORG_TYPE", "REGION",
                                                           "CLASSIFICATION_SOURCE", "GENDER", "AGE_GROUP"),
                                            big=POOLED, rest_safe=True)
    big = sorted((v for v, n in slices.items() if n >= 20 * K), key=lambda v: -slices[v])[:2]
    small = [v for v, n in slices.items() if 1 <= n < K]
    by = "GENDER" if dim == "AGE_GROUP" else "AGE_GROUP"  # a breakdown by another dimension than the list's
    base = {"metrics": METRICS, "groupBy": [{"dimension": by}], "totals": True, "filters": base_filters}
    asked = _with(base, {"dimension": dim, "op": "IN", "values": [*big, small[0]]})
    expected = guard_rule.effective(asked, _counts(oracle, None), POOLED)
    assert expected is not None and expected["filters"][-1]["values"] == sorted(big), expected
    _same(api.insights("partner", asked), api.insights("partner", expected))


def _member(api: Api, demo: Any, org: str | None) -> str:
    from cid_graph.access import AccessStore
    from warehouse.store import WarehouseStore

    assert org, "no organization in the demo fits the case"
    access = AccessStore(WarehouseStore(demo.warehouse_dir).access_db)
    api.tokens.setdefault(f"member:{org}", access.create_token(org, "member", ttl_days=1)[0])
    return str(org)


@pytest.fixture(scope="module")
def small_member(api: Api, oracle: Oracle, demo: Any) -> str:
    """A member with an event of 1..k-1 buyers and one of at least 20k (a token is made for it)."""
    return _member(api, demo, oracle.scalar(f"""
        SELECT org_id FROM (SELECT org_id, event_id, count(*) n FROM ob GROUP BY ALL)
        GROUP BY org_id HAVING min(n) < {K} AND max(n) >= {20 * K} ORDER BY sum(n) DESC, org_id LIMIT 1"""))


def test_a_filter_that_leaves_out_fewer_than_k_buyers_is_not_applied(api: Api, oracle: Oracle,
                                                                      small_member: str) -> None:
    # own data by age group (protected, P6): leave out one of the member's slices with 1..k-1 buyers
    own_org = small_member
    base_filters, dim, slices = _small_case(oracle, own_org, ("EVENT",))
    small = [v for v, n in slices.items() if 1 <= n < K]
    base = {"metrics": METRICS, "groupBy": [{"dimension": "AGE_GROUP"}], "totals": True, "scope": "OWN",
            "filters": base_filters}
    asked = _with(base, {"dimension": dim, "op": "IN", "values": sorted(v for v in slices if v != small[0])})
    expected = guard_rule.effective(asked, _counts(oracle, own_org), OWN)
    assert expected is not None and expected["filters"] == base_filters, expected
    _same(api.insights(f"member:{own_org}", asked), api.insights(f"member:{own_org}", base))


def test_a_list_of_values_all_below_k_leaves_an_empty_population(api: Api, oracle: Oracle, demo: Any) -> None:
    small_member = _member(api, demo, oracle.scalar(f"""
        SELECT org_id FROM (SELECT org_id, event_id, count(*) n FROM ob GROUP BY ALL)
        WHERE n < {K} GROUP BY org_id HAVING sum(n) >= {K} ORDER BY sum(n) DESC, org_id LIMIT 1"""))
    slices = _slices(oracle, small_member, "EVENT")
    picked: list[str] = []
    for v in sorted((v for v, n in slices.items() if 1 <= n < K), key=lambda v: -slices[v]):
        picked.append(v)
        if sum(slices[x] for x in picked) >= K:
            break
    if sum(slices[x] for x in picked) < K:
        pytest.skip("the member's small events hold fewer than k buyers together")
    q = {"metrics": ["BUYERS", "FEMALE_BUYERS", "YOUNG_SHARE"], "scope": "OWN", "totals": True,
         "filters": [{"dimension": "EVENT", "op": "IN", "values": picked}]}
    assert guard_rule.effective(q, _counts(oracle, small_member), OWN) is None
    answer = api.insights(f"member:{small_member}", q)
    totals = {m["metric"]: m for m in answer["totals"]["metrics"]}
    assert totals["BUYERS"]["value"] == sum(slices[x] for x in picked)  # exact own count, as asked (P6)
    for name in ("FEMALE_BUYERS", "YOUNG_SHARE"):
        assert totals[name]["suppressed"] and totals[name]["reason"] == "POPULATION_BELOW_THRESHOLD", totals


def _sparse_days(oracle: Oracle, org: str, region: str | None) -> list[tuple[str, int]]:
    filters = [{"dimension": "REGION", "values": [region]}] if region else None
    cells = oracle.cells([("PURCHASED_AT", "DAY", None)], org_id=org, filters=filters)
    return sorted((k[0], c.buyers) for k, c in cells.items())


def test_a_time_range_covers_whole_runs_of_at_least_k_buyers(api: Api, oracle: Oracle, own_org: str) -> None:
    days = _sparse_days(oracle, own_org, None)
    runs = guard_rule.runs_of({d: {own_org: n} for d, n in days}, OWN)
    multi = [r for r in runs[1:] if r[0] != r[1]]
    assert multi, "the member has no run of several days: the rule has nothing to act on"
    changed = 0
    for first, last in multi[:6]:
        # a range ending inside a run of several days: the rule must cut it back
        inside = [d for d, _ in days if first <= d < last]
        q = {"metrics": METRICS, "scope": "OWN", "groupBy": [{"dimension": "GENDER"}], "totals": True,
             "timeRange": {"from": days[0][0], "to": inside[-1]}}
        expected = guard_rule.effective(q, _counts(oracle, own_org), OWN)
        assert expected is not None
        changed += expected["timeRange"] != q["timeRange"]
        _same(api.insights("member", q), api.insights("member", expected))
    assert changed, "no range was cut back: the test would pass without the guard"


def test_exact_own_counts_answer_the_query_as_asked(api: Api, oracle: Oracle, small_member: str) -> None:
    """P6: the guard normalizes what is protected only; exact own counts keep the filter as asked."""
    own_org = small_member
    base_filters, dim, slices = _small_case(oracle, own_org, ("EVENT",))
    small = [v for v, n in slices.items() if 1 <= n < K]
    big = [v for v, n in slices.items() if n >= 20 * K]
    q = {"metrics": ["BUYERS", "FEMALE_BUYERS"], "scope": "OWN", "totals": True,
         "filters": [*base_filters, {"dimension": dim, "op": "IN", "values": [big[0], small[0]]}]}
    answer = api.insights(f"member:{own_org}", q)
    totals = {m["metric"]: m for m in answer["totals"]["metrics"]}
    assert totals["BUYERS"]["value"] == slices[big[0]] + slices[small[0]]
    only_big = api.insights(f"member:{own_org}", {**q, "filters": [*base_filters, {"dimension": dim, "op": "IN", "values": [big[0]]}]})
    assert {m["metric"]: m for m in only_big["totals"]["metrics"]}["FEMALE_BUYERS"] == totals["FEMALE_BUYERS"]


def test_a_bad_filter_value_is_an_error_not_an_empty_population(api: Api) -> None:
    from tests.api.conftest import INSIGHTS

    q = {"metrics": ["BUYERS"], "filters": [{"dimension": "AGE_GROUP", "op": "IN", "values": ["12-13"]}]}
    doc = api.post("partner", INSIGHTS, {"q": q}).json()
    assert doc["errors"][0]["extensions"]["code"] == "BAD_QUERY", doc
    assert "12-13" in doc["errors"][0]["message"] and doc["errors"][0]["extensions"]["hint"]


def test_the_widgets_of_one_request_share_one_normalization(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tab's widgets ask about one population (the same filters and period) broken down in
    different ways: the guard normalizes it once per request, and each widget's answer is the
    one it gets asked alone."""
    import resolvers.privacy.pipeline as pipeline

    population = {"filters": [{"dimension": "COUNTRY", "op": "IN", "values": ["NO", "SE"]}],
                  "timeRange": {"from": "2024-02-11", "to": "2024-11-19"}}
    widgets = {f"w{i}": {"metrics": ["BUYERS", "TICKETS"], "groupBy": [{"dimension": by}], **population}
               for i, by in enumerate(("AGE_GROUP", "GENDER", "ORG_TYPE"))}
    fields = " ".join(f"{alias}: insights(query: ${alias}) {{ rows {{ dimensions {{ value }} "
                      "metrics { metric value suppressed reason } } }"
                      for alias in widgets)
    document = ("query Tab(" + ", ".join(f"${a}: InsightQuery!" for a in widgets) + ") { " + fields + " }")
    calls: list[Any] = []
    real = pipeline.guard

    def counted(query: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(query)
        return real(query, *args, **kwargs)

    monkeypatch.setattr(pipeline, "guard", counted)
    reply = api.post("partner", document, widgets).json()
    assert "errors" not in reply, reply
    assert len(calls) == 1, calls  # three widgets, one population
    for alias, q in widgets.items():
        alone = api.post("partner", "query One($q: InsightQuery!) { insights(query: $q) { rows { dimensions { value } "
                         "metrics { metric value suppressed reason } } } }", {"q": q}).json()
        assert alone["data"]["insights"]["rows"] == reply["data"][alias]["rows"], alias
