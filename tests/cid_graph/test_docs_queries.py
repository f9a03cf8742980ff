"""Every query in docs/queries/ (one per dashboard widget, plus one per tab) runs for every role
and scope it is meant for, and the tab queries agree with the widget queries."""

from __future__ import annotations

from pathlib import Path

import pytest

QUERIES = sorted((Path(__file__).resolve().parents[2] / "docs" / "queries").glob("*.graphql"))
WIDGETS = {"age_gender", "area_type", "buyers", "education_level", "event_category", "event_type", "events",
           "female_buyers", "home_type", "hour_of_day", "male_buyers", "monthly_trend", "organization_type",
           "organizations", "purchasing_power", "region", "weekday", "young_buyers"}


#: Metrics over the official population: no value (not suppressed) where it is not known.
POPULATION_METRICS = {"BUYERS_PER_1000_INHABITANTS", "CUSTOMERS_PER_1000_INHABITANTS", "AUDIENCE_INDEX"}


def test_every_widget_has_a_query():
    assert WIDGETS <= {q.stem for q in QUERIES}


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
@pytest.mark.parametrize("who,variables", [
    ("partner", {}),
    ("member", {"scope": "OWN"}),
    ("member", {"scope": "OWN", "compare": [{"kind": "BENCHMARK", "peerGroup": "NORDIC"}], "locale": "nb"}),
    ("member", {"filters": [{"dimension": "COUNTRY", "op": "IN", "values": ["NO"]}],
                "timeRange": {"from": "2025-01-01", "to": "2025-12-31"}}),
], ids=["partner-network", "member-own", "member-benchmark", "member-filtered"])
def test_query_runs(gql, demo_warehouse, path, who, variables):
    text = path.read_text(encoding="utf-8")
    data = gql.data(text, demo_warehouse.tokens[who], variables)
    assert data
    for alias, result in data.items():
        assert result["rows"], f"{path.stem}.{alias} returned no rows"
        for row in result["rows"]:
            for m in row["metrics"]:
                if m["suppressed"]:
                    assert m["value"] is None, (alias, m)
                elif m["value"] is None:
                    # only a rate or index over the population of a region the reference data lacks
                    assert m["metric"] in POPULATION_METRICS and row["dimensions"], (alias, m)
                if "compare" in variables and "$compare" in text:  # a query may take no benchmark
                    assert m["comparisons"] and m["comparisons"][0]["kind"] == "BENCHMARK"


def test_tab_query_agrees_with_widget_queries(gql, demo_warehouse):
    root = QUERIES[0].parent
    token = demo_warehouse.tokens["member"]
    tab = gql.data((root / "tab_demography.graphql").read_text(), token, {"scope": "OWN"})
    single = gql.data((root / "buyers.graphql").read_text(), token, {"scope": "OWN"})
    kpi = {m["metric"]: m["value"] for m in tab["kpis"]["rows"][0]["metrics"]}
    only = next(iter(single.values()))["rows"][0]["metrics"][0]
    assert kpi["BUYERS"] == only["value"]
