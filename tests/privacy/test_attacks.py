"""The attack suite (issue 4 §4): each attack runs against the real API on the demo network,
where the truth is known, and must fail. The attack logic lives in ``attacks.py`` (shared with
``bench/privacy_audit.py``); these tests assert on its results.

Tests marked ``xfail(reason="LEAK: ...")`` are attacks that currently SUCCEED: they document a
real leak (PRIVACY.md, "Known open leaks"). Where the attack succeeds every time the mark is strict,
so the test fails as XPASS once the leak is fixed; where success depends on the record keys it is
not strict.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.privacy import attacks


def _show(res: attacks.AttackResult, leaks: list[str] | None = None) -> str:
    leaks = res.leaks if leaks is None else leaks
    return "\n".join([res.name, *res.notes, *("LEAK: " + x for x in leaks[:10])])


# -- the truth the attacks are judged by ---------------------------------------------------------

def test_truth_agrees_with_the_raw_files(env, demo_warehouse):
    """The exact recomputation on the warehouse equals the oracle on the raw contract files."""
    from tests.api.oracle import Oracle

    oracle = Oracle(demo_warehouse.files.organizations, list(demo_warehouse.files.transactions))
    cases = [
        ([("AGE_GROUP", None, None), ("GENDER", None, None)], [{"dimension": "AGE_GROUP"}, {"dimension": "GENDER"}]),
        ([("ORG_TYPE", None, None), ("PURCHASED_AT", None, "WEEKDAY")],
         [{"dimension": "ORG_TYPE"}, {"dimension": "PURCHASED_AT", "datePart": "WEEKDAY"}]),
    ]
    for group_by, api in cases:
        want = {k: c.buyers for k, c in oracle.cells(list(group_by)).items()}
        got = {k: c.n for k, c in env.truth.cells({"groupBy": list(api)}).items()}
        assert got == want


# -- 1. narrowing ----------------------------------------------------------------------------------

def test_narrowing_publishes_nothing_below_k(attack):
    res = attack("narrowing")
    assert res.stats["values_checked"] > 1000 and res.stats["refused"] == 10
    assert res.leak_count == 0, _show(res)


# -- 2. complementary derivation -------------------------------------------------------------------

def test_margin_minus_visible_cells_never_pins_a_suppressed_cell(attack):
    res = attack("complementary")
    assert res.stats["derivations"] >= 20, _show(res)
    assert res.stats["pinned"] == 0, _show(res)
    assert res.stats["exact_guess_rate"] < 0.5, _show(res)
    assert res.stats["mean_interval_width"] >= 5, _show(res)
    assert res.leak_count == 0, _show(res)


# -- 3. differencing -------------------------------------------------------------------------------

def test_differencing_never_gives_the_true_difference(attack):
    res = attack("differencing")
    assert res.stats["pairs"] >= 30, _show(res)
    assert res.stats["exact_difference_rate"] < 0.5, _show(res)
    assert res.leak_count == 0, _show(res)


def test_differencing_does_not_reveal_the_added_buyers_cell(attack):
    """The guard: two answers never differ by fewer than k buyers, so no cell moves for 1-3."""
    res = attack("differencing")
    assert res.stats["guard_failures"] == 0, _show(res)
    assert res.stats["attribute_revealed_rate"] == 0, _show(res)
    assert res.stats["identical_answers_rate"] > 0.5, _show(res)


# -- 4. repetition ---------------------------------------------------------------------------------

def test_repetition_gives_identical_answers(attack):
    res = attack("repetition")
    assert res.stats["answers"] >= 1000
    assert res.stats["distinct_answers"] == 1, _show(res)
    assert res.leak_count == 0, _show(res)


# -- 5. averaging ----------------------------------------------------------------------------------

def test_averaging_partitions_stays_as_uncertain_as_one_answer(attack):
    res = attack("averaging")
    assert res.stats["totals_targets"] >= 3, _show(res)
    # bound: the averaged estimate is not more accurate than half the published total's RMSE
    # and does not recover the exact total more often than the published total is exact
    assert res.stats["totals_rmse_averaged"] >= 0.5 * res.stats["totals_rmse_single"], _show(res)
    assert res.stats["totals_exact_averaged"] <= res.stats["totals_exact_single"], _show(res)
    assert res.stats["list_differences"] >= 3, _show(res)
    assert res.stats["list_differences_zero"] == res.stats["list_differences"], _show(res)
    assert res.leak_count == 0, _show(res)


# -- 6. dominance and coalitions -------------------------------------------------------------------

def _dominance_leaks(res: attacks.AttackResult) -> list[str]:
    return [x for x in res.leaks if not x.startswith(("coalition:", "organization differencing:"))]


def test_dominant_and_few_organization_cells_are_suppressed(attack):
    res = attack("dominance")
    assert res.stats["dominated_cells"] >= 1, _show(res)
    assert _dominance_leaks(res) == [], _show(res, _dominance_leaks(res))


def test_two_colluding_members_cannot_estimate_a_third_within_p(attack):
    res = attack("dominance")
    assert res.stats["coalition_hits"] == 0, _show(res)


def test_region_set_differencing_does_not_isolate_an_organization(attack):
    res = attack("dominance")
    assert res.stats["org_differencing_tries"] >= 3, _show(res)
    assert res.stats["org_differencing_hits"] == 0, _show(res)


# -- 7. cross-organization -------------------------------------------------------------------------

def test_member_never_reaches_another_organization(attack):
    res = attack("cross_org")
    assert res.stats["responses_scanned"] >= 40
    assert res.leak_count == 0, _show(res)


# -- 8. side channels ------------------------------------------------------------------------------

def _empty_small(res: attacks.AttackResult) -> list[str]:
    return [x for x in res.leaks if x.startswith("empty vs small")]


def test_side_channels_null_zero_ordering_totals_errors(attack):
    res = attack("side_channels")
    others = [x for x in res.leaks if not x.startswith("empty vs small")]
    assert others == [], _show(res, others)


def test_empty_and_small_buckets_are_indistinguishable(attack):
    res = attack("side_channels")
    assert _empty_small(res) == [], _show(res, _empty_small(res))


# -- the documented rule for every role x scope x dimension ----------------------------------------

DIMENSIONS = ["AGE_GROUP", "GENDER", "PURCHASING_POWER", "EDUCATION_LEVEL", "AREA_TYPE", "HOME_TYPE",
              "BUYER_REGION", "BUYER_COUNTRY", "COUNTRY", "REGION", "ORG_TYPE", "EVENT_TYPE", "EVENT_CATEGORY",
              "CLASSIFICATION_SOURCE", "ORGANIZATION", "EVENT", "PURCHASED_AT", "EVENT_DATE",
              "CUSTOMER_STATUS", "FREQUENCY_BAND", "SPEND_BAND", "LEAD_TIME"]


#: Dimensions of survey answers only (the buyer and event dimensions above apply to them too).
SURVEY_DIMENSIONS = ["SURVEY_QUESTION", "ANSWER", "QUESTION_KIND", "NPS_GROUP", "PRIMARY_QUESTION", "MAIN_RATING"]
#: A buyer dimension the survey load sets (the base of RESPONSE_RATE).
SURVEY_STATUS = ["SURVEY_STATUS"]


def test_dimension_list_is_the_catalog(gql, demo_warehouse):
    data = gql.data("{ catalog { dimensions { dimension ownScopeOnly enriched } } }", demo_warehouse.tokens["partner"])
    dims = data["catalog"]["dimensions"]
    assert sorted(d["dimension"] for d in dims) == sorted(DIMENSIONS + SURVEY_DIMENSIONS + SURVEY_STATUS)
    assert {d["dimension"] for d in dims if d["ownScopeOnly"]} == {"ORGANIZATION", "EVENT", "SURVEY_QUESTION"}
    assert {d["dimension"] for d in dims if d["enriched"]} == set(attacks.ENRICHED)


@pytest.mark.parametrize("dimension", SURVEY_DIMENSIONS + ["AGE_GROUP", "EVENT_TYPE"])
@pytest.mark.parametrize("scope", ["OWN", "NETWORK"])
def test_documented_rule_for_survey_answers(env, scope, dimension):
    """Survey metrics under the same rules: SURVEY_QUESTION is OWN only; every published count
    of a protected cell is at least k and rounded (P3, P4); an NPS is never published over a
    suppressed count of NPS respondents; OWN scope is exact only without an enriched attribute."""
    q = {"metrics": ["ANSWERS", "NPS_RESPONDENTS", "NPS", "PROMOTERS"], "scope": scope,
         "groupBy": [{"dimension": dimension}], "totals": True, "limit": 5000}
    ans = attacks.ask(env, "member", q)
    if scope == "NETWORK" and dimension == "SURVEY_QUESTION":
        assert ans.code == "PRIVACY_RULE", ans.body[:300]
        return
    assert ans.error is None, ans.body[:300]
    protected = scope == "NETWORK" or dimension in attacks.ENRICHED
    cells = list(ans.rows.values()) + ([ans.totals] if ans.totals else [])
    assert cells
    for cell in cells:
        for metric in ("ANSWERS", "NPS_RESPONDENTS"):
            pub = cell[metric]
            if protected and not pub.suppressed:
                assert pub.value >= env.params.k and pub.value % env.params.base == 0, (metric, pub)
        if cell["NPS_RESPONDENTS"].suppressed:
            assert cell["NPS"].suppressed and cell["PROMOTERS"].suppressed, cell
        if cell["NPS"].value is not None:
            assert -100 <= cell["NPS"].value <= 100


@pytest.mark.parametrize("dimension", DIMENSIONS)
@pytest.mark.parametrize("scope", ["OWN", "NETWORK"])
@pytest.mark.parametrize("role", ["member", "partner", "admin"])
def test_documented_rule(env, role, scope, dimension):
    group: dict[str, Any] = {"dimension": dimension}
    if dimension in attacks.TIME_SQL:
        group["granularity"] = "MONTH"
    q = {"metrics": ["BUYERS", "YOUNG_BUYERS", "FEMALE_SHARE"], "scope": scope, "groupBy": [group], "totals": True,
         "timeRange": {"from": "2025-01-01", "to": "2025-12-31"}, "limit": 5000}
    ans = attacks.ask(env, role, q)
    if scope == "OWN" and role in ("partner", "admin"):
        assert ans.code == "FORBIDDEN", ans.body[:300]  # partners never OWN; admins have no organization
        return
    if scope == "NETWORK" and dimension in ("ORGANIZATION", "EVENT"):
        assert ans.code == "PRIVACY_RULE", ans.body[:300]
        assert "hint" in ans.error["extensions"]
        return
    assert ans.error is None, ans.body[:300]
    org = (env.member_org,) if scope == "OWN" else None
    truth = env.truth.cells(q, org)
    population = env.truth.total(q, org)
    res = attacks.AttackResult(f"{role} {scope} {dimension}")
    checked = attacks.check_published(env, q, ans, truth, population, res, res.name)
    assert res.leak_count == 0, _show(res)
    if scope == "NETWORK" or dimension in attacks.ENRICHED:
        assert checked > 0 or all(p.suppressed for m in ans.rows.values() for p in m.values())
    else:  # P6: own data without enriched attributes is exact
        exact = env.truth.cells(q, org, guarded=False)  # exact values answer the query as asked
        for key, m in ans.rows.items():  # (an empty bucket may be shown as suppressed)
            assert m["BUYERS"].value == exact.get(key, attacks.TCell()).n or (
                m["BUYERS"].value is None and key not in exact), key
    if scope == "OWN" and dimension == "ORGANIZATION":
        assert set(ans.rows) <= {(env.member_org,)}


@pytest.mark.parametrize("filters", [[], [{"dimension": "QUESTION_KIND", "op": "EQUALS", "values": ["choice"]}]])
def test_answer_distribution_complement_recovers_no_suppressed_option(env, filters):
    """Red team: a NETWORK answer distribution with its total; the total minus the published
    options estimates the suppressed ones (options of 1-4 organizations' own questions). The
    estimate must not come within the p% rule (15 %) of the true count of any suppressed option
    that the complement isolates, and never reveal it exactly."""
    q = {"metrics": ["ANSWERS"], "scope": "NETWORK", "groupBy": [{"dimension": "ANSWER"}], "filters": filters,
         "totals": True, "limit": 5000}
    ans = attacks.ask(env, "partner", q)
    assert ans.error is None, ans.body[:300]
    suppressed = [k for k, cell in ans.rows.items() if cell["ANSWERS"].suppressed]
    assert suppressed, "the demo's organizations have options of their own: some cells are suppressed"
    total = ans.totals["ANSWERS"]
    if total.suppressed:
        return  # nothing to subtract from
    estimate = total.value - sum(c["ANSWERS"].value for c in ans.rows.values() if not c["ANSWERS"].suppressed)
    kind = " AND question_kind = 'choice'" if filters else ""
    truth = dict(env.truth.sql(f"SELECT answer, count(*) FROM survey_answers WHERE true{kind} GROUP BY 1"))
    hidden = sum(truth.get(k[0], 0) for k in suppressed)
    assert hidden > 0
    # complementary suppression: the complement lumps at least two options, never isolates one
    assert len(suppressed) >= 2, (estimate, hidden, suppressed)
    assert round(estimate) != hidden


ANSWER_BREAKDOWNS = [
    ([{"dimension": "ANSWER"}], []),
    ([{"dimension": "ANSWER"}, {"dimension": "AGE_GROUP"}], []),
    ([{"dimension": "ANSWER"}, {"dimension": "COUNTRY"}], []),
    ([{"dimension": "AGE_GROUP"}, {"dimension": "ANSWER"}], [{"dimension": "QUESTION_KIND", "op": "IN", "values": ["choice"]}]),
    ([{"dimension": "ANSWER"}, {"dimension": "EVENT_TYPE"}], [{"dimension": "QUESTION_KIND", "op": "IN", "values": ["choice"]}]),
]


@pytest.mark.parametrize("scope", ["NETWORK", "OWN"])
@pytest.mark.parametrize(("group_by", "filters"), ANSWER_BREAKDOWNS)
def test_no_line_of_an_answer_distribution_hides_exactly_one_cell(env, scope, group_by, filters):
    """Issue 14: along every line of an answer distribution (cells differing in one grouped
    dimension), either nothing is hidden or at least two cells are, so a margin (the totals, or
    the same query grouped by one dimension less) minus the shown cells never isolates a hidden
    answer (the rule itself on constructed cells: tests/resolvers/privacy/test_complement.py)."""
    q = {"metrics": ["ANSWERS_SHARE", "ANSWERS"], "scope": scope, "groupBy": group_by, "filters": filters,
         "totals": True, "limit": 5000}
    ans = attacks.ask(env, "partner" if scope == "NETWORK" else "member", q)
    assert ans.error is None, ans.body[:300]
    assert ans.rows, "the demo has answers to choice questions"
    width = len(group_by)
    for axis in range(width):
        lines: dict[tuple[Any, ...], list[bool]] = {}
        for key, cell in ans.rows.items():
            lines.setdefault(key[:axis] + key[axis + 1:], []).append(
                cell["ANSWERS"].suppressed or cell["ANSWERS_SHARE"].suppressed)
        for line, hidden in lines.items():
            assert len(hidden) < 2 or sum(hidden) != 1, (axis, line, hidden)
    for cell in ans.rows.values():
        assert cell["ANSWERS"].suppressed == cell["ANSWERS_SHARE"].suppressed, cell
