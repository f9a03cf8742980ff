"""Highlights (issue 19 §1): the rule on constructed numbers, and on the demo warehouse every
stated number equals the insights answer of the query the highlight returns."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from cid_graph.settings import Settings
from metrics.catalog import Catalog
from metrics.model import load_model
from resolvers import highlights as hl_module
from resolvers.context import Caller
from resolvers.highlights import (
    LANGS,
    MIN_BUYERS,
    MIN_Z,
    HighlightRequest,
    decimal,
    judge,
    judge_ratio,
    percent,
    run_highlights,
    two_proportion_z,
)
from resolvers.request import (
    ComparisonCell,
    DimensionCell,
    InsightRequest,
    InsightResultData,
    MetricCell,
    ResultMeta,
    ResultRow,
)
from tests.api.conftest import Api

HIGHLIGHTS = """
query H($q: HighlightQuery!, $locale: String) {
  highlights(query: $q, locale: $locale) {
    candidates reason
    highlights { text texts { language text } metric dimension datePart value valueLabel ownShare peerShare
                 ownValue peerValue index z why query peerQuery }
  }
}
"""

INSIGHTS_FULL = """
query Insights($q: InsightQuery!) {
  insights(query: $q) {
    rows { dimensions { value } metrics { metric value suppressed
           comparisons { kind share peerShare value index suppressed } } }
    totals { metrics { metric value suppressed comparisons { kind share peerShare value index suppressed } } }
  }
}
"""

PERIOD = {"from": "2024-01-01", "to": "2025-12-31"}


def _highlights(api: Api, role: str, q: dict[str, Any], locale: str = "nb") -> dict[str, Any]:
    resp = api.post(role, HIGHLIGHTS, {"q": q, "locale": locale})
    assert resp.status_code == 200, resp.text
    doc = resp.json()
    assert not doc.get("errors"), doc["errors"]
    return dict(doc["data"]["highlights"])


def _insights(api: Api, role: str, q: dict[str, Any]) -> dict[str, Any]:
    resp = api.post(role, INSIGHTS_FULL, {"q": q})
    assert resp.status_code == 200, resp.text
    doc = resp.json()
    assert not doc.get("errors"), doc["errors"]
    return dict(doc["data"]["insights"])


# ---- the rule on constructed numbers ----------------------------------------------------------

def test_a_real_difference_is_found() -> None:
    # 18-24 is 12 % of 5000 own buyers against 8 % of 40000 peers: index 150, 4 points, z ~ 9
    v = judge(0.12, 0.08, 600, 5000, 40000)
    assert v.notable and v.z is not None and v.z > MIN_Z
    assert "150" not in v.why or True
    assert "|z|" in v.why


def test_a_small_noisy_difference_is_not_reported() -> None:
    # the same shares on 200 own buyers: 24 in the bucket, under 50 and z ~ 2
    v = judge(0.12, 0.08, 24, 200, 40000)
    assert not v.notable
    # big enough buckets but a difference that could be chance (z < 3)
    v = judge(0.115, 0.08, 115, 1000, 1000)
    assert v.z is not None and abs(v.z) < MIN_Z and not v.notable and "noise" in v.why
    # large in z but small in size: 1 point, index 110
    assert not judge(0.11, 0.10, 11000, 100000, 1000000).notable


def test_a_suppressed_cell_is_never_used() -> None:
    v = judge(0.12, None, 600, 5000, 40000, suppressed=True)
    assert not v.notable and v.z is None and "suppressed" in v.why
    assert not judge(0.12, 0.08, None, 5000, 40000).notable  # own count not published
    assert not judge(0.12, 0.08, 600, 5000, None).notable  # peers' count not published
    assert not judge_ratio(2.4, None, 1000, 10000, suppressed=True).notable


def test_ratio_rule_and_formatting() -> None:
    assert judge_ratio(2.4, 1.8, 1000, 10000).notable
    assert not judge_ratio(2.4, 1.8, MIN_BUYERS - 1, 10000).notable
    assert not judge_ratio(1.9, 1.8, 100000, 100000).notable  # index 106
    assert two_proportion_z(10, 100, 10, 100) == 0
    assert percent(0.125, "en") == "12%" and decimal(1.25, "fi") == "1,2"


# ---- the whole resolver on constructed published answers ---------------------------------------

def _share_cell(share: float | None, peer: float | None, *, suppressed: bool = False) -> MetricCell:
    bench = (ComparisonCell("benchmark", "nordic", value=peer, share=share, peer_share=peer,
                            index=share / peer * 100)
             if peer is not None and share is not None else
             ComparisonCell("benchmark", "nordic", suppressed=True, reason="below_k"))
    return MetricCell("buyers_share", None if suppressed else share, suppressed, "below_k" if suppressed else None,
                      [bench])


def _count_cell(n: float | None) -> MetricCell:
    return MetricCell("buyers", n, n is None, "below_k" if n is None else None, [])


def _answer(rows: list[ResultRow], totals: list[MetricCell]) -> InsightResultData:
    return InsightResultData([], rows, ResultRow([], totals), ResultMeta(1, len(rows), False, "own", 0, "nb", 5))


def _row(dimension: str, value: str, share: float | None, peer: float | None, count: float | None,
         *, share_suppressed: bool = False) -> ResultRow:
    return ResultRow([DimensionCell(dimension, value, value)],
                     [_share_cell(share, peer, suppressed=share_suppressed), _count_cell(count)])


CONSTRUCTED = {
    # a real difference: 18-24 is 12 % of 5000 against 8 % (index 150, z ~ 10)
    "age_group": ([_row("age_group", "18-24", 0.12, 0.08, 600), _row("age_group", "25-34", 0.30, 0.29, 1500)], 5000),
    # large (11 % against 8 %, index 137) but on 500 buyers: z ~ 2.4, noise
    "education_level": ([_row("education_level", "high", 0.11, 0.08, 55)], 500),
    # the largest differences of all, but the peer cell (male) or the own count (female) is suppressed
    "gender": ([_row("gender", "male", 0.90, None, 4500), _row("gender", "female", 0.05, 0.50, None)], 5000),
}


def _fake_ask(ctx: Any, request: InsightRequest) -> InsightResultData:
    if request.scope == "network":  # the peers' counts for the noise test
        return _answer([], [MetricCell("buyers", 100000), MetricCell("tickets", 150000),
                            MetricCell("first_time_buyers", 40000), MetricCell("returning_buyers", 60000)])
    if request.group_by:
        rows, total = CONSTRUCTED.get(request.group_by[0].dimension, ([], 5000))
        return _answer(rows, [_share_cell(1.0, 1.0), _count_cell(total)])
    # the scalar metrics: every benchmark suppressed
    return _answer([], [MetricCell(m, 0.5, False, None, [ComparisonCell("benchmark", "nordic", suppressed=True,
                                                                         reason="few_orgs")])
                        for m in request.metrics])


def test_the_resolver_on_constructed_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hl_module, "_ask", _fake_ask)
    monkeypatch.setattr(hl_module, "me", lambda ctx: {"organization": {"org_type": "music"}})
    catalog = Catalog(load_model(Settings.load(env={}, dotenv=None).model_dir))
    ctx: Any = SimpleNamespace(caller=Caller("t", "org1", "member"), locale="nb",
                               services=SimpleNamespace(catalog=catalog))
    data = run_highlights(ctx, HighlightRequest("own", "nordic", locale="nb"))
    assert [(h.dimension, h.value) for h in data.highlights] == [("age_group", "18-24")]
    h = data.highlights[0]
    assert (h.own_share, h.peer_share, h.index) == (0.12, 0.08, pytest.approx(150))
    assert "12\u00a0%" in h.text and "8\u00a0%" in h.text and "indeks 150" in h.text, h.text
    assert data.decided["buyers_share:age_group"] == "fired"
    assert data.decided["buyers_share:education_level"] == "noise"
    assert data.decided["buyers_share:gender"] == "suppressed"
    assert data.decided["returning_share"] == data.decided["tickets_per_buyer"] == "suppressed"
    stated = " ".join(t for x in data.highlights for t in x.texts.values())
    for word in ("Mann", "Kvinne", "Male", "Female", "90\u00a0%", "90%", "50\u00a0%", "50%", " 5\u00a0%", " 5%"):
        assert word not in stated


def test_a_partner_cannot_ask_own_of_the_resolver() -> None:
    ctx: Any = SimpleNamespace(caller=Caller("t", None, "partner"), locale="nb", services=None)
    from cid_graph.errors import ForbiddenError

    with pytest.raises(ForbiddenError):
        run_highlights(ctx, HighlightRequest("own", "nordic"))


# ---- on the demo warehouse ----------------------------------------------------------------------

def _cell(result: dict[str, Any], value: str | None, metric: str) -> dict[str, Any]:
    rows = result["rows"] if value is not None else []
    if value is None:
        metrics = result["totals"]["metrics"]
    else:
        metrics = next(r["metrics"] for r in rows if r["dimensions"][0]["value"] == value)
    return dict(next(m for m in metrics if m["metric"] == metric))


def _stated_numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:[.,]\d+)?", text)


@pytest.fixture(scope="module", params=["SAME_ORG_TYPE", "NORDIC"])
def own_highlights(api: Api, request: pytest.FixtureRequest) -> dict[str, Any]:
    return _highlights(api, "member", {"scope": "OWN", "peerGroup": request.param, "timeRange": PERIOD})


def test_own_highlights_restate_the_insights_answer(api: Api, own_highlights: dict[str, Any]) -> None:
    hs = own_highlights["highlights"]
    assert len(hs) <= 7
    assert hs or own_highlights["reason"]
    for h in hs:
        assert abs(h["z"]) >= MIN_Z and abs(h["index"] - 100) >= 20
        assert [t["language"] for t in h["texts"]] == list(LANGS)
        result = _insights(api, "member", h["query"])
        metric = h["metric"]
        cell = _cell(result, h["value"], metric)
        assert not cell["suppressed"], "a highlight rests on a suppressed value"
        bench = next(c for c in cell["comparisons"] if c["kind"] == "BENCHMARK")
        assert not bench["suppressed"]
        assert h["ownValue"] == cell["value"]
        assert h["index"] == bench["index"]
        if metric == "BUYERS_SHARE":
            assert (h["ownShare"], h["peerShare"]) == (bench["share"], bench["peerShare"])
            count = _cell(result, h["value"], "BUYERS")
            assert not count["suppressed"] and count["value"] >= MIN_BUYERS
            assert abs(h["ownShare"] - h["peerShare"]) >= 0.03
            own_s, peer_s = percent(h["ownShare"], "nb"), percent(h["peerShare"], "nb")
        elif metric == "RETURNING_SHARE":
            assert h["peerValue"] == bench["value"]
            own_s, peer_s = percent(h["ownValue"], "nb"), percent(h["peerValue"], "nb")
        else:
            assert h["peerValue"] == bench["value"]
            own_s, peer_s = decimal(h["ownValue"], "nb"), decimal(h["peerValue"], "nb")
        # every number the text states is one of these (labels such as "18–24" aside)
        text = h["text"]
        assert own_s in text and peer_s in text and f"indeks {h['index']:.0f}" in text
        label_numbers = set(_stated_numbers(h["valueLabel"] or ""))
        stated = set(_stated_numbers(text)) - label_numbers
        assert stated <= {own_s.split("\u00a0")[0], peer_s.split("\u00a0")[0], f"{h['index']:.0f}"}, text


LABELLED = """
query Insights($q: InsightQuery!) {
  insights(query: $q, locale: "nb") {
    rows { dimensions { value label } metrics { metric suppressed comparisons { kind suppressed } } }
  }
}
"""


def test_nothing_suppressed_is_mentioned(api: Api, own_highlights: dict[str, Any]) -> None:
    for h in own_highlights["highlights"]:
        resp = api.post("member", LABELLED, {"q": h["query"]})
        rows = resp.json()["data"]["insights"]["rows"]
        for row in rows:
            hidden = any(m["suppressed"] or any(c["suppressed"] for c in m["comparisons"] or [])
                         for m in row["metrics"])
            if not hidden:
                continue
            dim = row["dimensions"][0] if row["dimensions"] else None
            assert dim is None or dim["value"] != h["value"], f"{h['text']} rests on a suppressed cell"
            if dim is not None and dim["label"]:
                assert f"{dim['label']} (" not in h["text"], f"{h['text']} mentions a suppressed bucket"


def test_every_language_states_the_same_numbers(own_highlights: dict[str, Any]) -> None:
    for h in own_highlights["highlights"]:
        for t in h["texts"]:
            lang, text = t["language"], t["text"]
            if h["metric"] == "TICKETS_PER_BUYER":
                own_s, peer_s = decimal(h["ownValue"], lang), decimal(h["peerValue"], lang)
            else:
                own_s, peer_s = percent(h["ownValue"], lang), percent(h["peerValue"], lang)
            assert own_s in text and peer_s in text and f"{h['index']:.0f})" in text, (lang, text)


def test_english_text(api: Api) -> None:
    data = _highlights(api, "member", {"scope": "OWN", "peerGroup": "NORDIC", "timeRange": PERIOD}, locale="en")
    for h in data["highlights"]:
        assert "index" in h["text"] and h["text"] == next(t["text"] for t in h["texts"] if t["language"] == "en")


def test_partner_cannot_get_own(api: Api) -> None:
    resp = api.post("partner", HIGHLIGHTS, {"q": {"scope": "OWN", "peerGroup": "NORDIC"}, "locale": "nb"})
    doc = resp.json()
    assert doc.get("errors") and not doc.get("data")


def test_network_highlights_for_a_partner(api: Api) -> None:
    q = {"scope": "NETWORK", "timeRange": PERIOD, "filters": [{"dimension": "ORG_TYPE", "values": ["theatre_performing_arts"]}]}
    data = _highlights(api, "partner", q)
    assert data["highlights"] or data["reason"]
    for h in data["highlights"]:
        group = _insights(api, "partner", h["query"])
        whole = _insights(api, "partner", h["peerQuery"])
        own, peer = _cell(group, h["value"], "BUYERS_SHARE"), _cell(whole, h["value"], "BUYERS_SHARE")
        assert not own["suppressed"] and not peer["suppressed"]
        assert (h["ownShare"], h["peerShare"]) == (own["value"], peer["value"])
        assert percent(h["ownShare"], "nb") in h["text"] and percent(h["peerShare"], "nb") in h["text"]
        assert abs(h["z"]) >= MIN_Z


def test_network_needs_filters(api: Api) -> None:
    resp = api.post("partner", HIGHLIGHTS, {"q": {"scope": "NETWORK"}, "locale": "nb"})
    assert resp.json().get("errors")


def test_the_demo_member_has_something_to_tell_against_the_nordic_network(api: Api) -> None:
    """Not vacuous: on the demo the biggest member differs from the rest of the network."""
    data = _highlights(api, "member", {"scope": "OWN", "peerGroup": "NORDIC", "timeRange": PERIOD})
    assert 1 <= len(data["highlights"]) <= 7 and data["reason"] is None
    zs = [abs(h["z"]) for h in data["highlights"]]
    assert zs == sorted(zs, reverse=True)
    assert all("|z|" in h["why"] for h in data["highlights"])
