"""Unit tests of the privacy rules that need no warehouse: the guard's safety rule and runs, the
order of the reasons, the parameters. The end-to-end attack suite is tests/privacy/ and
tests/api/test_org_side_channels.py."""

from __future__ import annotations

from datetime import date

import pytest

from cid_graph.settings import Settings
from metrics.catalog import Catalog
from metrics.compiler import compile_query
from metrics.model import load_model
from metrics.query import Filter, Query
from resolvers.privacy.params import PrivacyParams
from resolvers.privacy.protect import Protection
from resolvers.privacy.reasons import REASONS, Reason
from resolvers.privacy.slices import Rule, Summary, _normalize_list, segments

POOLED = Rule(k=10, min_orgs=5, p=0.15)
OWN = Rule(k=10)


@pytest.mark.parametrize(("by_org", "own", "pooled"), [
    ({"a": 9}, False, False),
    ({"a": 10}, True, False),  # one organization's own data: k buyers is enough
    ({"a": 3, "b": 3, "c": 3, "d": 3, "e": 3}, True, True),
    ({"a": 30, "b": 30, "c": 30, "d": 30}, True, False),  # four organizations
    ({"a": 100, "b": 5, "c": 5, "d": 5, "e": 5}, True, False),  # "a" dominates: 5 < 0.15 * 100
    ({"a": 100, "b": 10, "c": 5, "d": 10, "e": 5}, True, False),  # the 2nd and 3rd together
    ({"a": 100, "b": 10, "c": 10, "d": 10, "e": 15}, True, True),  # 15 >= 0.15 * 100
    ({"a": 6, "b": 0, "c": 0, "d": 0, "e": 6}, True, False),  # organizations without buyers do not count
])
def test_a_slice_is_safe_with_k_buyers_and_pooled_with_five_organizations_none_dominating(
        by_org: dict[str, int], own: bool, pooled: bool) -> None:
    assert OWN.safe(by_org) is own
    assert POOLED.safe(by_org) is pooled


def summary_of(by_org: dict[str, int]) -> Summary:
    counts = sorted(by_org.values(), reverse=True) + [0, 0, 0]
    return Summary(sum(by_org.values()), len(by_org), (float(counts[0]), float(counts[1]), float(counts[2])))


def _day(d: int) -> date:
    return date(2025, 1, d)


DAYS = ((1, {"a": 50}), (2, {"b": 5, "c": 5}), (3, {"d": 5, "e": 5}), (4, {"f": 40}),
        (5, {"a": 20, "b": 20, "c": 20, "d": 20, "e": 20}), (6, {"a": 3}), (7, {o: 20 for o in "abcdef"}))


def test_pooled_runs_close_as_soon_as_their_days_together_are_safe() -> None:
    days = [(_day(d), by) for d, by in DAYS]
    # by buyers alone every day is a run but the 6th, which starts the one the 7th closes
    assert segments(days, OWN) == [(_day(1), _day(1)), (_day(2), _day(2)), (_day(3), _day(3)),
                                   (_day(4), _day(4)), (_day(5), _day(5)), (_day(6), _day(7))]
    # pooled: day 1 waits for five organizations (day 3: 70 - 50 - 5 - 5 = 10 >= 0.15 x 50);
    # day 4 alone is one organization, day 5 closes its run; day 6 starts the one day 7 closes
    assert segments(days, POOLED) == [(_day(1), _day(3)), (_day(4), _day(5)), (_day(6), _day(7))]


def test_a_day_safe_on_its_own_needs_no_organizations() -> None:
    days = [(_day(1), summary_of({o: 20 for o in "abcdef"})), (_day(2), {"a": 50}), (_day(3), summary_of({"a": 1}))]
    with pytest.raises(AssertionError):  # day 3 is not safe and a run is open: organizations needed
        segments(days, POOLED)
    days[2] = (_day(3), {o: 20 for o in "abcdef"})
    assert segments(days, POOLED) == [(_day(1), _day(1)), (_day(2), _day(3))]


def test_a_list_value_of_few_organizations_is_left_out_however_many_buyers_it_holds() -> None:
    many = {o: 40 for o in "abcdef"}
    counts = {"x": many, "y": dict(many), "lonely": {"z": 100}, "rest": dict(many)}
    f = Filter("region", "in", ("x", "y", "lonely"))
    assert _normalize_list(f, counts, OWN) is f
    assert _normalize_list(f, counts, POOLED) == Filter("region", "in", ("x", "y"))
    # a filter that would leave out only the lonely value is not applied: it changes one organization
    everything_but = Filter("region", "in", ("x", "y", "rest"))
    assert _normalize_list(everything_but, counts, POOLED) is None
    assert _normalize_list(everything_but, counts, OWN) is everything_but


def test_a_filter_is_not_applied_when_what_it_leaves_out_is_dominated() -> None:
    """Left out: the values not asked for and those dropped. Where one organization dominates
    that, total minus the answer would give its figure: the filter is not applied."""
    many = {o: 40 for o in "abcdef"}
    counts = {"x": many, "y": dict(many), "giant": {"z": 5000}, "rest": dict(many)}
    assert _normalize_list(Filter("region", "in", ("x", "y")), counts, POOLED) is None
    assert _normalize_list(Filter("region", "in", ("x", "y", "giant")), counts, POOLED) is None


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(load_model(Settings.load(env={}, dotenv=None).model_dir))


def test_organizations_come_before_every_buyer_threshold(catalog: Catalog) -> None:
    compiled = compile_query(catalog, Query(metrics=("buyers",)), "duckdb")
    prot = Protection(catalog, PrivacyParams(), compiled, pooled=True, own_exact_metrics=frozenset())
    one_org_small = {"p_n": 3, "p_orgs": 1}
    one_org_large = {"p_n": 3000, "p_orgs": 1}
    # whatever the population's or the cell's buyers, a cell of one organization says the same
    assert {prot.cell_reason(one_org_small, 3), prot.cell_reason(one_org_large, 3000),
            prot.cell_reason(one_org_large, 3)} == {Reason.FEW_ORGS}
    assert prot.cell_reason({"p_n": 3, "p_orgs": 6}, 3) == Reason.POPULATION
    assert prot.cell_reason({"p_n": 3, "p_orgs": 6}, 300) == Reason.BELOW


def test_every_reason_is_in_the_schema() -> None:
    from schema.build import build_schema

    settings = Settings.load(env={}, dotenv=None)
    sdl = str(build_schema(Catalog(load_model(settings.model_dir)), settings))
    for reason in REASONS:
        assert reason.value in sdl, reason


def test_the_parameters_come_from_the_settings() -> None:
    settings = Settings.load(env={}, dotenv=None, privacy_k=12, privacy_min_orgs=6, privacy_dominance_p=0.2)
    p = PrivacyParams.from_settings(settings)
    assert (p.k, p.min_orgs, p.dominance_p, p.rounding_base) == (12, 6, 0.2, 5)
    with pytest.raises(AttributeError):
        p.k = 5  # type: ignore[misc]
