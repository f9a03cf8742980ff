"""Survey metrics through the API against hand-written SQL over the RAW survey files.

The oracle reads ``survey_questions.csv`` and ``survey_responses_*.csv`` as text and applies the
contract itself (docs/data-contract.md): a question is its first row per (organization, survey,
question) with a valid kind; an answer is valid when its organization, survey and question are
known and its value fits the question (a whole number on the scale, or one of the options); an
answer is its first valid row per (organization, response, question) in file order. Nothing here
imports the ingest code. The event's type comes from the transactions oracle (``ev``).

OWN scope without an enriched attribute is exact (P6); grouped by an enriched attribute of the
respondent it is protected; NETWORK sums every organization's contribution times its secret
noise factor (PRIVACY.md, P5), so the NPS is judged within those bounds.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.api.conftest import Api, Demo
from tests.api.oracle import Oracle

BASE = 5  # privacy_rounding_base (default)
K = 10  # privacy_k (default)
MIN_ORGS = 5

QUERY = """
query Insights($q: InsightQuery!) {
  insights(query: $q) {
    rows { dimensions { dimension value } metrics { metric value suppressed reason marginOfError unreliable } }
    totals { metrics { metric value suppressed reason marginOfError unreliable } }
    meta { rowCount suppressedCells }
  }
}
"""


@pytest.fixture(scope="module")
def survey(oracle: Oracle, demo: Demo) -> Oracle:
    """The oracle with ``sq`` (questions) and ``sa`` (valid, first-of-key answers) added."""
    con = oracle.con
    csv = "read_csv({path}, all_varchar = true, header = true)"
    con.execute(f"CREATE OR REPLACE TABLE raw_sq AS SELECT row_number() OVER () AS ord, * "
                f"FROM {csv.format(path=repr(str(demo.survey_questions)))}")
    files = ", ".join(repr(str(p)) for p in demo.survey_responses)
    con.execute(f"""CREATE OR REPLACE TABLE raw_sr AS SELECT row_number() OVER () AS ord, *
                    FROM read_csv([{files}], all_varchar = true, header = true, union_by_name = true)""")
    con.execute("""
        CREATE OR REPLACE TABLE sq AS
        SELECT org_id, survey_id, question_id, kind,
               CASE WHEN kind = 'nps' THEN 0 ELSE TRY_CAST(scale_min AS INTEGER) END AS lo,
               CASE WHEN kind = 'nps' THEN 10 ELSE TRY_CAST(scale_max AS INTEGER) END AS hi,
               string_split(choice_options, '|') AS options
        FROM raw_sq WHERE kind IN ('nps', 'rating', 'choice') AND org_id IN (SELECT org_id FROM org)
        QUALIFY row_number() OVER (PARTITION BY org_id, survey_id, question_id ORDER BY ord) = 1""")
    con.execute("""
        CREATE OR REPLACE TABLE sa AS
        WITH v AS (
            SELECT r.ord, r.org_id, r.survey_id, r.question_id, r.response_id, r.event_id, r.customer_id,
                   q.kind, q.lo, q.hi,
                   TRY_CAST(r.value AS INTEGER) AS number, r.value AS option,
                   timezone(o.tz, TRY_CAST(r.answered_at AS TIMESTAMPTZ)) AS local_at
            FROM raw_sr r JOIN sq q USING (org_id, survey_id, question_id) JOIN org o USING (org_id)
            WHERE CASE WHEN q.kind = 'choice' THEN list_contains(q.options, r.value)
                       ELSE TRY_CAST(r.value AS INTEGER) BETWEEN q.lo AND q.hi END
              AND TRY_CAST(r.answered_at AS TIMESTAMPTZ) IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY r.org_id, r.response_id, r.question_id ORDER BY r.ord) = 1
        )
        SELECT v.*, e.event_type,
               v.question_id = (SELECT min(question_id) FROM sq x WHERE x.org_id = v.org_id
                                AND x.survey_id = v.survey_id AND x.kind = 'rating') AS main_rating
        FROM v LEFT JOIN ev e USING (org_id, event_id)""")
    return oracle


def _insights(api: Api, role: str, q: dict[str, Any]) -> dict[str, Any]:
    resp = api.post(role, QUERY, {"q": q})
    assert resp.status_code == 200, resp.text
    doc = resp.json()
    assert not doc.get("errors"), doc["errors"]
    return doc["data"]["insights"]


def _cells(result: dict[str, Any]) -> dict[Any, dict[str, dict[str, Any]]]:
    return {tuple(d["value"] for d in r["dimensions"]): {m["metric"]: m for m in r["metrics"]}
            for r in result["rows"]}


NPS_SQL = """100.0 * (count(*) FILTER (WHERE number >= 9) - count(*) FILTER (WHERE number <= 6)) / count(*)"""


def test_own_survey_metrics_by_month_are_exact(api: Api, survey: Oracle, own_org: str) -> None:
    truth = {(str(m),): (nps, n, avg, score) for m, nps, n, avg, score in survey.rows("""
        SELECT strftime(date_trunc('month', local_at), '%Y-%m-%d'),
               100.0 * (count(*) FILTER (WHERE kind = 'nps' AND number >= 9)
                        - count(*) FILTER (WHERE kind = 'nps' AND number <= 6))
                     / nullif(count(*) FILTER (WHERE kind = 'nps'), 0),
               count(*) FILTER (WHERE kind = 'nps'),
               avg(number) FILTER (WHERE main_rating),
               avg(100.0 * (number - lo) / (hi - lo)) FILTER (WHERE main_rating)
        FROM sa WHERE org_id = ? GROUP BY 1""", [own_org])}
    assert sum(t[1] for t in truth.values()) >= 100, "the demo's largest organization runs surveys"
    result = _insights(api, "member", {
        "metrics": ["NPS", "NPS_RESPONDENTS", "AVG_RATING", "SATISFACTION_SCORE"],
        "groupBy": [{"dimension": "PURCHASED_AT", "granularity": "MONTH"}], "scope": "OWN"})
    cells = _cells(result)
    assert set(cells) == set(truth)
    for key, (nps, n, avg, score) in truth.items():
        got = cells[key]
        assert got["NPS_RESPONDENTS"]["value"] == n, key
        assert got["NPS"]["value"] == pytest.approx(nps), key
        assert got["AVG_RATING"]["value"] == pytest.approx(avg), key
        assert got["SATISFACTION_SCORE"]["value"] == pytest.approx(score), key
        assert got["NPS"]["unreliable"] is (n < 30)


def test_own_nps_by_event_type_is_exact(api: Api, survey: Oracle, own_org: str) -> None:
    truth = dict(survey.rows(f"SELECT event_type, {NPS_SQL} FROM sa WHERE org_id = ? AND kind = 'nps' "
                             "AND event_type IS NOT NULL GROUP BY 1", [own_org]))
    result = _insights(api, "member", {"metrics": ["NPS"], "groupBy": [{"dimension": "EVENT_TYPE"}],
                                       "filters": [{"dimension": "EVENT_TYPE", "op": "IN", "values": sorted(truth)}],
                                       "scope": "OWN"})
    got = {k[0]: c["NPS"]["value"] for k, c in _cells(result).items()}
    assert got == pytest.approx(truth)


def test_own_response_rate_by_event_type_is_exact(api: Api, survey: Oracle, own_org: str) -> None:
    """RESPONSE_RATE: buyers who answered a survey tied to the event, among the buyers of events
    some answer is tied to (the buyer: organization, event, customer)."""
    truth = {t: (rate, n) for t, rate, n in survey.rows("""
        WITH surveyed AS (SELECT DISTINCT org_id, event_id FROM sa WHERE event_id IS NOT NULL),
             answered AS (SELECT DISTINCT org_id, event_id, 'cu:' || customer_id AS who FROM sa
                          WHERE event_id IS NOT NULL AND customer_id IS NOT NULL)
        SELECT b.event_type, count(a.who) / count(*), count(*)
        FROM ob b JOIN surveyed USING (org_id, event_id) LEFT JOIN answered a USING (org_id, event_id, who)
        WHERE b.org_id = ? GROUP BY 1""", [own_org])}
    assert truth
    result = _insights(api, "member", {
        "metrics": ["RESPONSE_RATE", "SURVEYED_BUYERS"], "groupBy": [{"dimension": "EVENT_TYPE"}],
        "filters": [{"dimension": "EVENT_TYPE", "op": "IN", "values": sorted(truth)}], "scope": "OWN"})
    got = {k[0]: (c["RESPONSE_RATE"]["value"], c["SURVEYED_BUYERS"]["value"]) for k, c in _cells(result).items()}
    assert set(got) == set(truth)
    for event_type, (rate, n) in truth.items():
        assert got[event_type][1] == n, event_type
        assert got[event_type][0] == pytest.approx(rate), event_type
    assert all(0 < rate < 1 for rate, _ in truth.values())


def test_own_answer_distribution_is_exact(api: Api, survey: Oracle, own_org: str) -> None:
    org, sv, q = survey.rows("SELECT org_id, survey_id, question_id FROM sa WHERE org_id = ? AND kind = 'choice' "
                             "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1", [own_org])[0]
    truth = dict(survey.rows("SELECT option, count(*) FROM sa WHERE org_id = ? AND survey_id = ? AND question_id = ? "
                             "GROUP BY 1", [org, sv, q]))
    result = _insights(api, "member", {
        "metrics": ["ANSWERS", "ANSWERS_SHARE"], "groupBy": [{"dimension": "ANSWER"}],
        "filters": [{"dimension": "SURVEY_QUESTION", "op": "EQUALS", "values": [f"{org}:{sv}:{q}"]}],
        "scope": "OWN"})
    cells = _cells(result)
    assert {k[0]: c["ANSWERS"]["value"] for k, c in cells.items()} == truth
    total = sum(truth.values())
    assert {k[0]: c["ANSWERS_SHARE"]["value"] for k, c in cells.items()} == pytest.approx(
        {o: n / total for o, n in truth.items()})


def test_own_nps_by_age_group_is_protected(api: Api, survey: Oracle, own_org: str) -> None:
    """The respondent's age group is an enriched attribute: protected in OWN scope (P6)."""
    result = _insights(api, "member", {"metrics": ["NPS_RESPONDENTS", "NPS"], "groupBy": [{"dimension": "AGE_GROUP"}],
                                       "scope": "OWN"})
    values = [c["NPS_RESPONDENTS"]["value"] for c in _cells(result).values() if not c["NPS_RESPONDENTS"]["suppressed"]]
    assert values and all(v % BASE == 0 and v >= K for v in values)
    assert all(c["NPS"]["suppressed"] for c in _cells(result).values() if c["NPS_RESPONDENTS"]["suppressed"])


def _network_bounds(survey: Oracle, event_type: str | None | list[str]) -> tuple[float, float, int, int]:
    """Bounds of the published NPS of one event type: each organization's points times its noise
    factor, plus noise up to its largest |points| (100); its NPS respondents times its factor,
    rounded to a multiple of BASE."""
    which = "list_contains(?::VARCHAR[], event_type)" if isinstance(event_type, list) else \
        "event_type IS NOT DISTINCT FROM ?::VARCHAR"
    points, count, n, orgs = survey.rows(f"""
        SELECT sum(n.f_nps_points * s.points), sum(n.f_nps_answers * s.n), sum(s.n), count(*)
        FROM (SELECT org_id, sum(CASE WHEN number >= 9 THEN 100 WHEN number >= 7 THEN 0 ELSE -100 END) AS points,
                     count(*) AS n
              FROM sa WHERE kind = 'nps' AND {which} GROUP BY 1) s
              JOIN nf n USING (org_id)""", [event_type])[0]
    slack_points = 100.0 * orgs + 0.5
    slack_count = (BASE - 0.5) * orgs
    lo = (points - slack_points) / (count + slack_count)
    hi = (points + slack_points) / max(count - slack_count, 1.0)
    return max(lo, -100.0), min(hi, 100.0), int(n), int(orgs)


def test_network_nps_by_event_type_within_the_perturbation(api: Api, survey: Oracle) -> None:
    result = _insights(api, "partner", {"metrics": ["NPS", "NPS_RESPONDENTS"],
                                        "groupBy": [{"dimension": "EVENT_TYPE"}], "scope": "NETWORK"})
    published = 0
    for (event_type,), cell in _cells(result).items():
        nps = cell["NPS"]
        if nps["suppressed"]:
            continue
        lo, hi, n, orgs = _network_bounds(survey, event_type)
        published += 1
        assert orgs >= MIN_ORGS and n >= K, (event_type, orgs, n)
        assert lo - 1e-9 <= nps["value"] <= hi + 1e-9, (event_type, nps["value"], lo, hi)
        assert nps["marginOfError"] is not None and nps["marginOfError"] > 0, (event_type, cell)
    assert published >= 1, "event types with many surveying organizations are published network-wide"


def test_network_nps_follows_the_demo_intention(api: Api, survey: Oracle) -> None:
    """The demo plants an NPS per event type (opera, family shows and concerts high; sports,
    stand-up and screenings low): the network's published NPS of each group is within its
    organizations' noise factors of the truth, and the two keep the order."""
    high, low = ["concert", "family_show", "opera_ballet", "play"], ["screening", "sports_event", "standup_comedy"]
    got = {}
    for name, types in (("high", high), ("low", low)):
        result = _insights(api, "partner", {"metrics": ["NPS"], "scope": "NETWORK", "totals": True,
                                            "filters": [{"dimension": "EVENT_TYPE", "op": "IN", "values": types}]})
        [row] = result["rows"]
        nps = {m["metric"]: m for m in row["metrics"]}["NPS"]
        assert not nps["suppressed"], (name, nps)
        got[name] = nps["value"]
        lo, hi, _, _ = _network_bounds(survey, types)
        assert lo - 1e-9 <= got[name] <= hi + 1e-9, (name, got[name], lo, hi)
    assert got["high"] - got["low"] > 20, got


def test_margin_of_error_is_computed_from_published_values(api: Api) -> None:
    result = _insights(api, "partner", {"metrics": ["NPS", "PROMOTERS", "DETRACTORS", "NPS_RESPONDENTS"],
                                        "scope": "NETWORK"})
    [total] = [{m["metric"]: m for m in r["metrics"]} for r in result["rows"]] or [
        {m["metric"]: m for m in result["totals"]["metrics"]}]
    n, nps = total["NPS_RESPONDENTS"]["value"], total["NPS"]["value"]
    p_plus = total["PROMOTERS"]["value"]
    p_minus = p_plus - nps / 100
    expected = 1.96 * 100 * math.sqrt(max(p_plus + p_minus - (p_plus - p_minus) ** 2, 0.0) / n)
    assert total["NPS"]["marginOfError"] == pytest.approx(expected, rel=1e-6)
    assert total["NPS"]["unreliable"] is False


def test_buyer_and_survey_metrics_in_one_query_are_a_bad_query(api: Api) -> None:
    resp = api.post("member", QUERY, {"q": {"metrics": ["BUYERS", "NPS"], "scope": "OWN"}})
    [error] = resp.json()["errors"]
    assert error["extensions"]["code"] == "BAD_QUERY"
    assert "BUYERS" in error["message"] and "NPS" in error["message"]
    assert "separate" in error["extensions"]["hint"]


def test_survey_question_is_own_scope_only(api: Api) -> None:
    resp = api.post("partner", QUERY, {"q": {"metrics": ["NPS"], "groupBy": [{"dimension": "SURVEY_QUESTION"}],
                                             "scope": "NETWORK"}})
    [error] = resp.json()["errors"]
    assert error["extensions"]["code"] in ("PRIVACY_RULE", "FORBIDDEN", "BAD_QUERY"), error


COMPARE = """
query Insights($q: InsightQuery!) {
  insights(query: $q) {
    rows { dimensions { value } metrics { metric value suppressed comparisons { kind peerGroup value suppressed } } }
  }
}
"""


@pytest.mark.parametrize("compare", [{"kind": "BENCHMARK", "peerGroup": "SAME_ORG_TYPE"},
                                     {"kind": "BENCHMARK", "peerGroup": "NORDIC"},
                                     {"kind": "SAME_PERIOD_LAST_YEAR"}])
def test_survey_metrics_compare_with_peers_and_periods(api: Api, survey: Oracle, own_org: str,
                                                       compare: dict[str, str]) -> None:
    """A survey metric compares like a buyer metric (the comparison reads the survey fact too)."""
    resp = api.post("member", COMPARE, {"q": {"metrics": ["NPS", "SATISFACTION_SCORE"], "scope": "OWN",
                                              "timeRange": {"from": "2026-01-01", "to": "2026-12-31"},
                                              "compare": [compare]}})
    doc = resp.json()
    assert not doc.get("errors"), doc["errors"]
    [row] = doc["data"]["insights"]["rows"]
    nps = {m["metric"]: m for m in row["metrics"]}["NPS"]
    [cmp] = nps["comparisons"]
    assert cmp["kind"] == compare["kind"]
    if compare["kind"] == "BENCHMARK" and compare["peerGroup"] == "NORDIC":
        assert not cmp["suppressed"] and -100 <= cmp["value"] <= 100
