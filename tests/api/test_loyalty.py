"""Loyalty, lead time and reach (issue 13) against hand-written SQL over the raw contract files.

The oracle's ``ob`` (tests/api/oracle.py: one row per buyer per event, from the raw CSV files)
gets the customer history here, written from the issue's definitions with correlated subqueries
(not ingest's window functions): a buyer with a customer id is *returning* when the same
customer has a buyer row at the same organization whose first purchase is strictly earlier; its
frequency counts its buyer rows there with a first purchase in the 365 days up to and including
its own, its spend sums their EUR; the lead time is days from the first purchase's local date to
the event's local date (0 when on or after it). Bands are cut in Python.

OWN scope must equal the oracle exactly (the history is the organization's own data, P6);
NETWORK cells are judged after each organization's noise factor of the measure's slot and the
documented rounding (PRIVACY.md, P5).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.api.oracle import Oracle, org_noise_factor

BASE = 5
SLOTS = {"buyers": 0, "first_time_buyers": 7, "returning_buyers": 8, "known_status_buyers": 9}


def _frequency(n: int) -> str:
    return "1" if n <= 1 else "2" if n == 2 else "3-5" if n <= 5 else "6+"


def _spend(eur: float) -> str:
    return "0-49" if eur < 50 else "50-199" if eur < 200 else "200-499" if eur < 500 else "500+"


def _lead(days: int) -> str:
    for high, band in ((0, "0"), (6, "1-6"), (13, "7-13"), (29, "14-29"), (89, "30-89")):
        if days <= high:
            return band
    return "90+"


@pytest.fixture(scope="module")
def history(oracle: Oracle) -> list[dict[str, Any]]:
    """One dict per oracle buyer row: org, event, status, bands, lead days, customer key."""
    rows = oracle.rows("""
        SELECT ob.org_id, ob.event_id, ob.who, ob.event_date, ob.org_type,
               ob.who LIKE 'tx:%' AS anonymous,
               EXISTS (SELECT 1 FROM ob p WHERE p.org_id = ob.org_id AND p.who = ob.who
                                             AND p.first_at < ob.first_at) AS returning,
               (SELECT count(*) FROM ob p WHERE p.org_id = ob.org_id AND p.who = ob.who
                   AND p.first_at <= ob.first_at AND p.first_at >= ob.first_at - INTERVAL 365 DAY) AS n365,
               (SELECT sum(p.revenue_eur) FROM ob p WHERE p.org_id = ob.org_id AND p.who = ob.who
                   AND p.first_at <= ob.first_at AND p.first_at >= ob.first_at - INTERVAL 365 DAY) AS spend365,
               ob.event_date - CAST(ob.first_local AS DATE) AS days
        FROM ob
    """)
    out = []
    for org, event, who, event_date, org_type, anonymous, returning, n365, spend365, days in rows:
        out.append({
            "org": org, "event": event, "who": who, "year": event_date.year, "org_type": org_type,
            "status": "unknown" if anonymous else ("returning" if returning else "first_time"),
            "frequency": "unknown" if anonymous else _frequency(int(n365)),
            "spend": "unknown" if anonymous else _spend(float(spend365)),
            "lead_days": max(0, int(days)),
        })
    for r in out:
        r["lead"] = _lead(r["lead_days"])
    return out


def _by(api: Api, role: str, dimension: str, metrics: list[str], scope: str = "OWN") -> dict[str, dict[str, Any]]:
    res = api.insights(role, {"metrics": metrics, "groupBy": [{"dimension": dimension}], "scope": scope,
                              "totals": True, "limit": 5000})
    out = {row["dimensions"][0]["value"]: {m["metric"]: m for m in row["metrics"]} for row in res["rows"]}
    out["__totals__"] = {m["metric"]: m for m in res["totals"]["metrics"]}
    return out


@pytest.mark.parametrize(("dimension", "field"), [("CUSTOMER_STATUS", "status"), ("FREQUENCY_BAND", "frequency"),
                                                  ("SPEND_BAND", "spend"), ("LEAD_TIME", "lead")])
def test_own_history_bands_equal_the_oracle_exactly(api: Api, history: list[dict[str, Any]], own_org: str,
                                                    dimension: str, field: str) -> None:
    truth = Counter(r[field] for r in history if r["org"] == own_org)
    got = _by(api, "member", dimension, ["BUYERS"])
    published = {k: int(v["BUYERS"]["value"]) for k, v in got.items()
                 if k != "__totals__" and v["BUYERS"]["value"] is not None}
    assert {k: v for k, v in published.items() if v} == dict(truth)
    assert not [k for k, v in got.items() if v["BUYERS"]["suppressed"]], "own history counts are exact (P6)"
    assert len(truth) >= 3, f"the demo gives {dimension} too few values to test: {truth}"


def test_own_loyalty_metrics_equal_the_oracle(api: Api, history: list[dict[str, Any]], own_org: str) -> None:
    mine = [r for r in history if r["org"] == own_org]
    status = Counter(r["status"] for r in mine)
    res = api.insights("member", {"metrics": ["FIRST_TIME_BUYERS", "RETURNING_BUYERS", "RETURNING_SHARE",
                                              "AVG_LEAD_TIME_DAYS", "CUSTOMERS"], "scope": "OWN"})
    got = {m["metric"]: m["value"] for m in res["rows"][0]["metrics"]}
    assert got["FIRST_TIME_BUYERS"] == status["first_time"]
    assert got["RETURNING_BUYERS"] == status["returning"] > 0
    assert got["RETURNING_SHARE"] == pytest.approx(status["returning"] / (status["returning"] + status["first_time"]))
    assert got["AVG_LEAD_TIME_DAYS"] == pytest.approx(sum(r["lead_days"] for r in mine) / len(mine))
    # distinct customers per calendar year (a buyer without customer id is its own customer)
    customers = {(r["who"], r["year"]) for r in mine if r["status"] != "unknown"}
    anonymous = sum(1 for r in mine if r["status"] == "unknown")
    assert got["CUSTOMERS"] == len(customers) + anonymous


def test_own_returning_buyers_by_month_and_status(api: Api, oracle: Oracle, own_org: str) -> None:
    """The dashboard's "returning vs first time by month": every month × status cell exact."""
    truth = Counter((m.strftime("%Y-%m-01"), s) for m, s in oracle.rows("""
        SELECT date_trunc('month', ob.first_local),
               CASE WHEN ob.who LIKE 'tx:%' THEN 'unknown'
                    WHEN EXISTS (SELECT 1 FROM ob p WHERE p.org_id = ob.org_id AND p.who = ob.who
                                                     AND p.first_at < ob.first_at) THEN 'returning'
                    ELSE 'first_time' END
        FROM ob WHERE org_id = ?""", [own_org]))
    res = api.insights("member", {"metrics": ["BUYERS"], "scope": "OWN", "limit": 5000, "groupBy": [
        {"dimension": "PURCHASED_AT", "granularity": "MONTH"}, {"dimension": "CUSTOMER_STATUS"}]})
    got = {(r["dimensions"][0]["value"], r["dimensions"][1]["value"]): r["metrics"][0]["value"] for r in res["rows"]}
    assert {k: int(v) for k, v in got.items() if v} == dict(truth)


def test_network_returning_buyers_by_org_type_within_the_documented_perturbation(
        api: Api, history: list[dict[str, Any]], oracle: Oracle, demo: Any) -> None:
    key = bytes.fromhex((demo.data_dir.parent / "secret.key").read_text().strip())
    per_org: dict[str, Counter[str]] = defaultdict(Counter)
    org_type = {}
    for r in history:
        per_org[r["org"]][r["status"]] += 1
        org_type[r["org"]] = r["org_type"]
    got = _by(api, "partner", "ORG_TYPE", ["RETURNING_BUYERS", "FIRST_TIME_BUYERS", "RETURNING_SHARE"],
              scope="NETWORK")
    checked = 0
    for cell, metrics in got.items():
        if cell == "__totals__" or metrics["RETURNING_BUYERS"]["suppressed"]:
            continue
        orgs = [o for o in per_org if org_type[o] == cell]
        for metric, measure, status in (("RETURNING_BUYERS", "returning_buyers", "returning"),
                                        ("FIRST_TIME_BUYERS", "first_time_buyers", "first_time")):
            scaled = sum(per_org[o][status] * org_noise_factor(key, o, SLOTS[measure]) for o in orgs)
            slack = (BASE - 0.5) * len(orgs) + BASE
            value = metrics[metric]["value"]
            assert value % BASE == 0 and abs(value - scaled) <= slack, (cell, metric, value, scaled)
        share = metrics["RETURNING_SHARE"]["value"]
        if share is not None:  # a ratio of two pooled counts, each with its own noise slot
            num = sum(per_org[o]["returning"] * org_noise_factor(key, o, SLOTS["returning_buyers"]) for o in orgs)
            den = sum((per_org[o]["returning"] + per_org[o]["first_time"])
                      * org_noise_factor(key, o, SLOTS["known_status_buyers"]) for o in orgs)
            slack = (BASE - 0.5) * len(orgs) + BASE
            assert (num - slack) / (den + slack) <= share <= (num + slack) / (den - slack), (cell, share, num / den)
        checked += 1
    assert checked >= 1, "no NETWORK org type cell published: the demo is too small for this test"


def test_new_dimensions_are_labelled_and_ordered_in_every_language(api: Api) -> None:
    doc = api.post("partner", "{ catalog { dataSince dimensions { dimension buckets { code labels { language text } } } } }").json()
    assert not doc.get("errors"), doc
    dims = {d["dimension"]: d for d in doc["data"]["catalog"]["dimensions"]}
    assert [b["code"] for b in dims["LEAD_TIME"]["buckets"]] == ["0", "1-6", "7-13", "14-29", "30-89", "90+"]
    assert [b["code"] for b in dims["FREQUENCY_BAND"]["buckets"]] == ["1", "2", "3-5", "6+", "unknown"]
    for name in ("CUSTOMER_STATUS", "FREQUENCY_BAND", "SPEND_BAND", "LEAD_TIME"):
        for bucket in dims[name]["buckets"]:
            assert {x["language"] for x in bucket["labels"] if x["text"]} == {"nb", "en", "sv", "da", "fi"}
    assert doc["data"]["catalog"]["dataSince"] is not None


def test_me_shows_the_organizations_earliest_data_date(api: Api, oracle: Oracle, own_org: str) -> None:
    doc = api.post("member", "{ me { organization { id dataSince } } }").json()
    earliest = oracle.scalar("SELECT min(CAST(first_local AS DATE)) FROM ob WHERE org_id = ?", [own_org])
    assert doc["data"]["me"]["organization"] == {"id": own_org, "dataSince": earliest.isoformat()}


def _population() -> dict[str, int]:
    """Region totals straight from the reference file (not through the warehouse)."""
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "warehouse" / "reference" / "population.csv"
    with path.open(encoding="utf-8") as fh:
        return {r["region"]: int(r["population"]) for r in csv.DictReader(fh)
                if r["age_group"] == "all" and r["gender"] == "all" and r["population"]}


def test_buyers_per_1000_inhabitants_divide_the_published_count_by_the_region_population(api: Api) -> None:
    pop = _population()
    res = api.insights("partner", {"metrics": ["BUYERS", "BUYERS_PER_1000_INHABITANTS"],
                                   "groupBy": [{"dimension": "BUYER_REGION"}], "limit": 5000})
    rated = unknown = 0
    for row in res["rows"]:
        region = row["dimensions"][0]["value"]
        buyers, rate = row["metrics"][0], row["metrics"][1]
        if buyers["suppressed"]:
            assert rate["suppressed"] and rate["value"] is None, region
        elif region in pop:
            assert rate["value"] == pytest.approx(buyers["value"] / pop[region] * 1000), region
            rated += 1
        else:  # "unknown" or a region without an official figure in the reference data
            assert rate["value"] is None and not rate["suppressed"], region
            unknown += 1
    assert rated >= 3, res["rows"]


def test_audience_index_is_shares_of_published_buyers_over_shares_of_population(api: Api) -> None:
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "warehouse" / "reference" / "population.csv"
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["country"] == "NO" and r["age_group"] != "all"]
    people: Counter[str] = Counter()
    for r in rows:
        people[r["age_group"]] += int(r["population"])
    res = api.insights("partner", {"metrics": ["BUYERS", "AUDIENCE_INDEX"], "groupBy": [{"dimension": "AGE_GROUP"}],
                                   "filters": [{"dimension": "BUYER_COUNTRY", "op": "IN", "values": ["NO"]}],
                                   "limit": 100})
    shown = {r["dimensions"][0]["value"]: r["metrics"] for r in res["rows"]
             if not r["metrics"][0]["suppressed"] and r["dimensions"][0]["value"] in people}
    assert len(shown) >= 4, res["rows"]
    b_sum = sum(m[0]["value"] for m in shown.values())
    p_sum = sum(people[a] for a in shown)
    for age, m in shown.items():
        expected = (m[0]["value"] / b_sum) / (people[age] / p_sum) * 100
        assert m[1]["value"] == pytest.approx(expected), age


def _lfl(api: Api, role: str, scope: str, period: dict[str, str]) -> dict[str, Any]:
    res = api.insights(role, {"metrics": ["BUYERS"], "scope": scope, "timeRange": period, "totals": True,
                              "compare": [{"kind": "SAME_PERIOD_LAST_YEAR", "likeForLike": True},
                                          {"kind": "SAME_PERIOD_LAST_YEAR"}]})
    return res


LFL_QUERY = """
query Q($q: InsightQuery!) { insights(query: $q) { totals { metrics { metric value
  comparisons { kind value currentValue delta ratio organizationsCompared suppressed reason } } } } }
"""


def _totals(api: Api, role: str, q: dict[str, Any]) -> dict[str, Any]:
    doc = api.post(role, LFL_QUERY, {"q": q}).json()
    assert not doc.get("errors"), doc
    return doc["data"]["insights"]["totals"]["metrics"][0]


def test_like_for_like_growth_in_own_scope_equals_the_oracle(api: Api, oracle: Oracle, own_org: str) -> None:
    year = int(oracle.scalar("SELECT max(year(first_local)) FROM ob WHERE org_id = ?", [own_org])) - 1
    period = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    m = _totals(api, "member", {"metrics": ["BUYERS"], "scope": "OWN", "timeRange": period, "totals": True,
                                "compare": [{"kind": "SAME_PERIOD_LAST_YEAR", "likeForLike": True}]})
    now = oracle.scalar("SELECT count(*) FROM ob WHERE org_id = ? AND year(first_local) = ?", [own_org, year])
    then = oracle.scalar("SELECT count(*) FROM ob WHERE org_id = ? AND year(first_local) = ?", [own_org, year - 1])
    c = m["comparisons"][0]
    assert then > 0 and (c["currentValue"], c["value"], c["organizationsCompared"]) == (now, then, 1)
    assert c["delta"] == now - then


def test_like_for_like_in_network_scope_counts_organizations_with_data_in_both_periods(api: Api, oracle: Oracle) -> None:
    checked = 0
    for year in sorted({int(r[0]) for r in oracle.rows("SELECT DISTINCT year(first_local) FROM ob")})[1:]:
        now = {r[0] for r in oracle.rows("SELECT DISTINCT org_id FROM ob WHERE year(first_local) = ?", [year])}
        then = {r[0] for r in oracle.rows("SELECT DISTINCT org_id FROM ob WHERE year(first_local) = ?", [year - 1])}
        m = _totals(api, "partner", {"metrics": ["BUYERS"], "timeRange": {"from": f"{year}-01-01", "to": f"{year}-12-31"},
                                     "totals": True, "compare": [{"kind": "SAME_PERIOD_LAST_YEAR", "likeForLike": True}]})
        c = m["comparisons"][0]
        if c["suppressed"]:
            assert c["reason"] in ("TOO_FEW_ORGANIZATIONS", "DOMINANCE", "BELOW_THRESHOLD"), c
            continue
        both = now & then
        gaps = (len(now - both), len(then - both))
        expected = len(both) - (5 - min(gaps) if any(0 < g < 5 for g in gaps) else 0)
        assert c["organizationsCompared"] % BASE == 0 and abs(c["organizationsCompared"] - expected) < BASE, (year, c)
        assert c["currentValue"] is not None and c["value"] is not None and c["currentValue"] <= m["value"] + BASE
        checked += 1
    assert checked >= 1
