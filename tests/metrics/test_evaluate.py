"""Metric values computed from (possibly perturbed or suppressed) measure values."""

from __future__ import annotations

import pytest

from cid_graph.errors import QueryError
from metrics.catalog import Catalog
from metrics.evaluate import evaluate, measures_for


def test_measures_for(catalog: Catalog) -> None:
    assert measures_for(catalog, ["buyers", "female_share", "revenue_per_buyer_eur"]) == {
        "buyers", "female_buyers", "revenue_eur"}
    assert measures_for(catalog, []) == set()
    with pytest.raises(QueryError):
        measures_for(catalog, ["visitors"])


@pytest.mark.parametrize(("metric", "values", "totals", "expected"), [
    ("buyers", {"buyers": 15}, None, 15.0),
    ("buyers", {"buyers": None}, None, None),
    ("tickets_per_buyer", {"tickets": 45, "buyers": 15}, None, 3.0),
    ("tickets_per_buyer", {"tickets": 45, "buyers": 0}, None, None),
    ("tickets_per_buyer", {"tickets": 45, "buyers": None}, None, None),
    ("tickets_per_buyer", {"tickets": None, "buyers": 15}, None, None),
    ("revenue_per_buyer_eur", {"revenue_eur": 150.0, "buyers": 10}, None, 15.0),
    ("buyers_share", {"buyers": 20}, {"buyers": 80}, 0.25),
    ("buyers_share", {"buyers": 20}, None, None),
    ("buyers_share", {"buyers": 20}, {"buyers": 0}, None),
    ("buyers_share", {"buyers": 20}, {"buyers": None}, None),
])
def test_evaluate(catalog: Catalog, metric: str, values: dict[str, float | None],
                  totals: dict[str, float | None] | None, expected: float | None) -> None:
    assert evaluate(catalog, metric, values, totals) == expected


def test_evaluate_takes_a_metric_object(catalog: Catalog) -> None:
    assert evaluate(catalog, catalog.metric("female_share"), {"female_buyers": 3, "buyers": 4}, None) == 0.75
