"""The highlight rules on constructed answers where the right answer is known, beyond
tests/api/test_highlights.py: the percentage-point rule, the cap of 7 and the ranking by |z|, the
``unknown`` bucket, a notable bucket beating a noisier larger one, and scope NETWORK (the group
tested against the rest of the network, a suppressed whole-network cell never used)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from cid_graph.settings import Settings
from metrics.catalog import Catalog
from metrics.model import load_model
from resolvers import highlights as hl_module
from resolvers.context import Caller
from resolvers.highlights import (
    MAX_HIGHLIGHTS,
    HighlightRequest,
    judge,
    run_highlights,
    two_proportion_z,
)
from resolvers.request import (
    ComparisonCell,
    FilterSpec,
    InsightRequest,
    InsightResultData,
    MetricCell,
)
from tests.api.test_highlights import _answer, _count_cell, _row, _share_cell

PEERS = 100_000  # the peers' buyers in the noise test
OWN = 5000


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(load_model(Settings.load(env={}, dotenv=None).model_dir))


def _ctx(catalog: Catalog, role: str = "member", org: str | None = "org1") -> Any:
    return SimpleNamespace(caller=Caller("t", org, role), locale="en", services=SimpleNamespace(catalog=catalog))


def _peer_totals() -> InsightResultData:
    return _answer([], [MetricCell("buyers", PEERS), MetricCell("tickets", 150_000),
                        MetricCell("first_time_buyers", 40_000), MetricCell("returning_buyers", 60_000)])


def _scalars(request: InsightRequest, notable: bool) -> InsightResultData:
    peer_ret, peer_tpb = (0.30, 1.5) if notable else (0.6, 3.0)
    cells = {"returning_share": MetricCell("returning_share", 0.6, comparisons=[ComparisonCell("benchmark", "nordic", value=peer_ret)]),
             "returning_buyers": MetricCell("returning_buyers", 3000), "first_time_buyers": MetricCell("first_time_buyers", 2000),
             "tickets_per_buyer": MetricCell("tickets_per_buyer", 3.0, comparisons=[ComparisonCell("benchmark", "nordic", value=peer_tpb)]),
             "buyers": MetricCell("buyers", OWN)}
    return _answer([], [cells[m] for m in request.metrics])


def test_a_large_index_on_a_tiny_share_is_not_a_fact() -> None:
    # 2 % against 1 %: index 200, but one percentage point
    v = judge(0.02, 0.01, 1000, 50_000, 500_000)
    assert not v.notable and v.rule == "points"


def test_at_most_seven_ranked_by_z(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    # every breakdown has a notable bucket, each a different size of difference; the scalars too
    shares = {"age_group": 0.20, "gender": 0.30, "purchasing_power": 0.16, "education_level": 0.40,
              "event_type": 0.25, "purchased_at": 0.18, "buyer_region": 0.35}

    def ask(ctx: Any, request: InsightRequest) -> InsightResultData:
        if request.scope == "network":
            return _peer_totals()
        if request.group_by:
            dim = request.group_by[0].dimension
            share = shares[dim]
            value = "1" if dim == "purchased_at" else "x"
            return _answer([_row(dim, value, share, 0.10, share * OWN)], [_share_cell(1.0, 1.0), _count_cell(OWN)])
        return _scalars(request, notable=True)

    monkeypatch.setattr(hl_module, "_ask", ask)
    monkeypatch.setattr(hl_module, "me", lambda ctx: {"organization": {"org_type": "music"}})
    data = run_highlights(_ctx(catalog), HighlightRequest("own", "nordic", locale="en"))
    assert data.candidates == 9 and all(rule == "fired" for rule in data.decided.values())
    assert len(data.highlights) == MAX_HIGHLIGHTS == 7
    zs = [abs(h.z) for h in data.highlights]
    assert zs == sorted(zs, reverse=True)
    # the two left out are the two smallest differences (16 % and 18 % against 10 %: the smallest |z|)
    stated = {h.dimension or h.metric for h in data.highlights}
    assert stated == {"age_group", "gender", "education_level", "event_type", "buyer_region", "returning_share",
                      "tickets_per_buyer"}


def test_unknown_is_never_stated_and_a_notable_bucket_beats_a_larger_noisy_one(catalog: Catalog,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def ask(ctx: Any, request: InsightRequest) -> InsightResultData:
        if request.scope == "network":
            return _peer_totals()
        if request.group_by and request.group_by[0].dimension == "age_group":
            return _answer([
                _row("age_group", "unknown", 0.60, 0.05, 3000),  # the largest difference, but unknown
                _row("age_group", "18-24", 0.12, 0.08, 600),  # notable
                _row("age_group", "75+", 0.012, 0.002, 60),  # |z| larger than 18-24's, but under 3 points
            ], [_share_cell(1.0, 1.0), _count_cell(OWN)])
        if request.group_by:
            return _answer([], [_share_cell(1.0, 1.0), _count_cell(OWN)])
        return _scalars(request, notable=False)

    monkeypatch.setattr(hl_module, "_ask", ask)
    monkeypatch.setattr(hl_module, "me", lambda ctx: {"organization": {"org_type": "music"}})
    data = run_highlights(_ctx(catalog), HighlightRequest("own", "nordic", locale="en"))
    assert [(h.dimension, h.value) for h in data.highlights] == [("age_group", "18-24")]
    assert abs(two_proportion_z(60, OWN, 0.002 * (PEERS - OWN), PEERS - OWN) or 0) > abs(data.highlights[0].z)
    assert "unknown" not in " ".join(data.highlights[0].texts.values()).lower()
    assert data.decided["returning_share"] == "index" and data.decided["tickets_per_buyer"] == "index"


def test_network_scope_tests_the_group_against_the_rest(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    group_total, whole_total = 4000, 40_000

    def ask(ctx: Any, request: InsightRequest) -> InsightResultData:
        assert request.scope == "network"
        dim = request.group_by[0].dimension
        grouped = bool(request.filters)
        if dim == "age_group":
            rows = ([_row(dim, "18-24", 0.15, None, 600), _row(dim, "65-74", 0.30, None, 1200)] if grouped else
                    [_row(dim, "18-24", 0.09, None, 3600), _row(dim, "65-74", 0.0, None, None, share_suppressed=True)])
        else:
            rows = []
        return _answer(rows, [_share_cell(1.0, 1.0), _count_cell(group_total if grouped else whole_total)])

    monkeypatch.setattr(hl_module, "_ask", ask)
    request = HighlightRequest("network", None, None, (FilterSpec("org_type", "in", ("music",)),), "en")
    data = run_highlights(_ctx(catalog, "partner", None), request)
    assert [(h.dimension, h.value) for h in data.highlights] == [("age_group", "18-24")]
    h = data.highlights[0]
    # the share and index against the whole network; z against the rest (the whole less the group)
    assert (h.own_share, h.peer_share) == (0.15, 0.09) and h.index == pytest.approx(0.15 / 0.09 * 100)
    assert h.z == pytest.approx(two_proportion_z(600, group_total, 3600 - 600, whole_total - group_total))
    # 65-74, whose whole-network cell is suppressed, is never stated, in any language
    assert not any("65" in t for t in h.texts.values())
    assert "the group's buyers" in h.texts["en"] and "in the whole network" in h.texts["en"]
