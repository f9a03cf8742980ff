"""Oracle tests: every figure the API publishes, against hand-written SQL over the raw contract files.

The oracle (``tests/api/oracle.py``) never calls the warehouse code. For each query shape the
API's answer must agree with it under the privacy model:

- scope OWN, no enriched attribute: BUYERS, EVENTS, ORGANIZATIONS, TICKETS, REVENUE_EUR and the
  ratios are exact (P6); MALE/FEMALE/YOUNG_BUYERS use enriched attributes, so they are
  protected like network counts;
- scope NETWORK, or any enriched breakdown/filter: a count is suppressed or within ±(base−1)
  of the truth and a multiple of the rounding base (P4); a sum within ± the cell's largest
  single buyer contribution; EVENTS/ORGANIZATIONS exact; ratios within the bounds those imply;
- suppression: a cell below k buyers is suppressed (BELOW_THRESHOLD, or
  POPULATION_BELOW_THRESHOLD when the whole population is small); a network cell with fewer
  than 5 organizations or failing the p% rule is suppressed; a cell the oracle finds clean is
  published.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.api.oracle import (
    ENRICHED,
    EVENT_CATEGORY_WORDS,
    EVENT_TYPE_WORDS,
    GENDER_WORDS,
    Cell,
    Oracle,
    _values,
)
from tests.privacy import guard_rule

K = 10            # Settings.privacy_k default
BASE = 5          # Settings.privacy_rounding_base default
MIN_ORGS = 5      # Settings.privacy_min_orgs default
P = 0.15          # Settings.privacy_dominance_p default

METRICS = ("BUYERS", "EVENTS", "ORGANIZATIONS", "TICKETS", "REVENUE_EUR", "MALE_BUYERS",
           "FEMALE_BUYERS", "YOUNG_BUYERS", "TICKETS_PER_BUYER", "REVENUE_PER_BUYER_EUR")
COUNTS = {"BUYERS": "buyers", "MALE_BUYERS": "male_buyers", "FEMALE_BUYERS": "female_buyers",
          "YOUNG_BUYERS": "young_buyers"}
ENRICHED_METRICS = {"MALE_BUYERS", "FEMALE_BUYERS", "YOUNG_BUYERS"}
BELOW, POPULATION, FEW_ORGS, DOMINANCE = (
    "BELOW_THRESHOLD", "POPULATION_BELOW_THRESHOLD", "TOO_FEW_ORGANIZATIONS", "DOMINANCE")

MONTH = ("PURCHASED_AT", "MONTH", None)
WEEKDAY = ("PURCHASED_AT", None, "WEEKDAY")
HOUR = ("PURCHASED_AT", None, "HOUR")


def dim(name: str) -> tuple[str, None, None]:
    return (name, None, None)


@dataclass(frozen=True)
class Case:
    id: str
    scope: str
    group_by: tuple[tuple[str, str | None, str | None], ...] = ()
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    time_range: str | None = None   # "span" | "from" | "to" | "day" | "smallday" (from the oracle's data)
    role: str = "member"
    alone: bool = False             # ask for the tested metric alone, not all ten at once

    @property
    def enriched(self) -> bool:
        return any(g[0] in ENRICHED for g in self.group_by) or any(f[0] in ENRICHED for f in self.filters)


CASES = [
    # OWN, exact by P6 (except the enriched KPIs)
    Case("own-alone", "OWN", alone=True),
    Case("own-by-event", "OWN", (dim("EVENT"),)),
    Case("own-by-month", "OWN", (MONTH,)),
    Case("own-by-weekday", "OWN", (WEEKDAY,)),
    Case("own-by-hour", "OWN", (HOUR,)),
    Case("own-by-event_type", "OWN", (dim("EVENT_TYPE"),)),
    Case("own-by-region", "OWN", (dim("REGION"),)),
    Case("own-by-event_category", "OWN", (dim("EVENT_CATEGORY"),)),
    Case("own-by-classification_source", "OWN", (dim("CLASSIFICATION_SOURCE"),)),
    Case("own-by-event_type-x-classification_source", "OWN",
         (dim("EVENT_TYPE"), dim("CLASSIFICATION_SOURCE"))),
    Case("own-by-month-alone", "OWN", (MONTH,), alone=True),
    # OWN, enriched breakdowns: protected
    Case("own-by-age_group", "OWN", (dim("AGE_GROUP"),)),
    Case("own-by-gender", "OWN", (dim("GENDER"),)),
    Case("own-by-gender-x-weekday", "OWN", (dim("GENDER"), WEEKDAY)),
    # NETWORK: protected
    Case("network", "NETWORK"),
    Case("network-partner", "NETWORK", role="partner"),
    Case("network-admin", "NETWORK", role="admin"),
    Case("network-by-country", "NETWORK", (dim("COUNTRY"),)),
    Case("network-by-region", "NETWORK", (dim("REGION"),)),
    Case("network-by-org_type", "NETWORK", (dim("ORG_TYPE"),)),
    Case("network-by-event_type", "NETWORK", (dim("EVENT_TYPE"),)),
    Case("network-by-event_category", "NETWORK", (dim("EVENT_CATEGORY"),)),
    Case("network-by-classification_source", "NETWORK", (dim("CLASSIFICATION_SOURCE"),)),
    # only the labels ticketing systems gave: independent of the classifier
    Case("network-source_only-by-event_type", "NETWORK", (dim("EVENT_TYPE"),),
         filters=(("CLASSIFICATION_SOURCE", ("source",)),)),
    Case("network-predicted-by-event_category", "NETWORK", (dim("EVENT_CATEGORY"),),
         filters=(("CLASSIFICATION_SOURCE", ("model", "model_low_confidence")),), role="partner"),
    Case("network-by-age_group", "NETWORK", (dim("AGE_GROUP"),)),
    Case("network-by-gender", "NETWORK", (dim("GENDER"),)),
    Case("network-by-month", "NETWORK", (MONTH,)),
    Case("network-by-weekday", "NETWORK", (WEEKDAY,)),
    Case("network-by-hour", "NETWORK", (HOUR,)),
    Case("network-by-country-x-gender", "NETWORK", (dim("COUNTRY"), dim("GENDER")), role="partner"),
    # filters and time ranges
    Case("network-country_NO-by-org_type", "NETWORK", (dim("ORG_TYPE"),), filters=(("COUNTRY", ("NO",)),)),
    Case("network-age_18_24-by-country", "NETWORK", (dim("COUNTRY"),), filters=(("AGE_GROUP", ("18-24",)),)),
    Case("network-span-by-country", "NETWORK", (dim("COUNTRY"),), time_range="span", role="admin"),
    Case("own-age_18_24-by-month", "OWN", (MONTH,), filters=(("AGE_GROUP", ("18-24",)),)),
    Case("own-female-by-hour", "OWN", (HOUR,), filters=(("GENDER", ("female",)),)),
    Case("own-top_event_type-by-weekday", "OWN", (WEEKDAY,), filters=(("EVENT_TYPE", ("$top",)),)),
    Case("own-span-by-event_type", "OWN", (dim("EVENT_TYPE"),), time_range="span"),
    Case("own-span-alone", "OWN", time_range="span", alone=True),
    Case("own-from-by-month", "OWN", (MONTH,), time_range="from"),
    Case("network-to-by-org_type", "NETWORK", (dim("ORG_TYPE"),), time_range="to"),
    Case("own-day", "OWN", time_range="day"),
    Case("own-day-by-hour", "OWN", (HOUR,), time_range="day"),
    # a population below k: exact own counts stay exact, everything protected is suppressed
    Case("own-smallday", "OWN", time_range="smallday", alone=True),
    Case("own-smallday-by-gender", "OWN", (dim("GENDER"),), time_range="smallday"),
    Case("network-smallday-by-country", "NETWORK", (dim("COUNTRY"),), time_range="smallday"),
]


# ---------------------------------------------------------------------------------------------
# Resolving a case into an API query and the oracle's truth

def _time_range(oracle: Oracle, own_org: str, which: str) -> dict[str, str]:
    if which in ("from", "to"):
        return {which: _time_range(oracle, own_org, "span")[which]}
    if which == "span":
        # Real purchase dates of the member at both ends, so that inclusiveness matters.
        dates = [r[0] for r in oracle.rows(
            "SELECT DISTINCT CAST(first_local AS DATE) d FROM ob WHERE org_id = ? ORDER BY d", [own_org])]
        return {"from": dates[len(dates) // 4].isoformat(), "to": dates[len(dates) // 2].isoformat()}
    if which == "smallday":
        # A day on which the whole network has fewer than k buyers (but some).
        day = oracle.scalar(f"""
            SELECT CAST(first_local AS DATE) FROM ob GROUP BY 1 HAVING count(*) < {K}
               AND count(*) FILTER (WHERE org_id = ?) > 0
            ORDER BY count(*) DESC, 1 LIMIT 1
        """, [own_org])
        assert day is not None, "no small day in the demo data"
        return {"from": day.isoformat(), "to": day.isoformat()}
    # One local day, the one with most buyers near local midnight (where UTC dates differ).
    day = oracle.scalar("""
        SELECT CAST(first_local AS DATE) FROM ob WHERE org_id = ?
        GROUP BY 1 ORDER BY count(*) FILTER (WHERE hour(first_local) IN (0, 1, 23)) DESC, count(*) DESC, 1 LIMIT 1
    """, [own_org])
    return {"from": day.isoformat(), "to": day.isoformat()}


def _filters(oracle: Oracle, own_org: str, case: Case) -> list[dict[str, Any]]:
    out = []
    for dimension, values in case.filters:
        if values == ("$top",):
            values = (str(oracle.scalar(
                "SELECT event_type FROM ob WHERE org_id = ? "
                "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1", [own_org])),)
        out.append({"dimension": dimension, "values": list(values)})
    return out


@dataclass
class Resolved:
    query: dict[str, Any]
    truth: dict[tuple[str, ...], Cell]
    total: Cell
    pooled: bool
    empty: bool = False  # the differencing guard leaves nothing of the population


def resolve(case: Case, metric: str, oracle: Oracle, own_org: str) -> Resolved:
    filters = _filters(oracle, own_org, case)
    tr = _time_range(oracle, own_org, case.time_range) if case.time_range else None
    q: dict[str, Any] = {
        "metrics": [metric] if case.alone else list(METRICS),
        "scope": case.scope,
        "totals": True,
        "limit": 5000,
    }
    if case.group_by:
        q["groupBy"] = [{k: v for k, v in (("dimension", d), ("granularity", g), ("datePart", p)) if v}
                        for d, g, p in case.group_by]
    if filters:
        q["filters"] = [{**f, "op": "IN"} for f in filters]
    if tr:
        q["timeRange"] = tr
    org = own_org if case.scope == "OWN" else None
    if case.scope == "NETWORK" and (filters or tr):
        # the population PRIVACY.md's differencing guard leaves (organizations judged too)
        eff = guard_rule.effective(q, _guard_counts(oracle), guard_rule.Safe(K, 5, P))
        if eff is None:
            return Resolved(q, {}, Cell(), pooled=True, empty=True)
        filters = [{"dimension": f["dimension"], "values": f["values"]} for f in eff.get("filters") or []]
        tr = eff.get("timeRange")
    truth = oracle.cells(list(case.group_by), org_id=org, filters=filters, time_range=tr)
    total = oracle.total(org_id=org, filters=filters, time_range=tr)
    return Resolved(q, truth, total, pooled=case.scope == "NETWORK")


def _guard_counts(oracle: Oracle) -> guard_rule.Counts:
    def counts(q: dict[str, Any], group: dict[str, Any]) -> dict[Any, dict[str, int]]:
        key = (group["dimension"], group.get("granularity"), None)
        cells = oracle.cells([key], filters=q.get("filters") or None, time_range=q.get("timeRange"))
        return {k[0]: c.buyers_by_org for k, c in cells.items()}
    return counts


# ---------------------------------------------------------------------------------------------
# The rules

def _dominant(contribs: list[float], margin: float) -> bool | None:
    """p% rule on organizations' contributions; None when too close to call."""
    if not contribs:
        return False
    x1 = contribs[0]
    x2 = contribs[1] if len(contribs) > 1 else 0.0
    x3 = contribs[2] if len(contribs) > 2 else 0.0
    # the p% rule in its coalition form: the 2nd and 3rd largest together must not estimate the
    # largest within p%
    slack = sum(contribs) - x1 - x2 - x3 - P * x1
    if abs(slack) <= margin:
        return None
    return slack < 0


def _dominant_published(contribs: list[float], scaled_total: float, margin: float,
                        spread: float) -> bool | None:
    """The same coalitions reading the published (noise-factor-scaled) total: the 2nd largest,
    alone or with the 3rd, must not estimate the largest within p% from it. ``margin`` is the
    rule's allowance for the three largest contributions' own rounding or sum noise (3 times
    the base or the largest buyer); the published value is within ``spread`` of the scaled one,
    so a verdict closer than that is None (too close to call from the raw files)."""
    if not contribs:
        return False
    x1 = contribs[0]
    x2 = contribs[1] if len(contribs) > 1 else 0.0
    x3 = contribs[2] if len(contribs) > 2 else 0.0
    verdicts = []
    for others in (x2, x2 + x3):
        gap = abs(scaled_total - others - x1) - P * x1 - margin
        verdicts.append(None if abs(gap) <= spread + 1e-6 * max(1.0, x1) else gap < 0)
    if any(v is True for v in verdicts):
        return True
    return None if any(v is None for v in verdicts) else False


def expected_reason(truth: Cell, population: int, pooled: bool, metrics: list[str]) -> tuple[set[str] | None, bool]:
    """(acceptable reasons when the whole cell must be suppressed, or None; certain?)."""
    # organizations are judged before the buyer counts (the population's and the cell's), so the
    # reason does not tell 1-9 buyers from more
    if pooled and truth.organizations < MIN_ORGS:
        return {FEW_ORGS}, True
    if population < K:
        return {POPULATION}, True
    if truth.buyers < K:
        return {BELOW}, True
    if not pooled:
        return None, True
    # buyers, tickets and revenue are all judged, whatever the query asks for
    checks = [_dominant(sorted(truth.org_buyers, reverse=True), 0.0),
              _dominant(sorted(truth.org_tickets, reverse=True), 0.0),
              _dominant(sorted(truth.org_revenue, reverse=True), 1.0),
              _dominant_published(sorted(truth.org_buyers, reverse=True), truth.scaled["buyers"], 3 * BASE,
                                  (BASE - 0.5) * truth.organizations),
              _dominant_published(sorted(truth.org_tickets, reverse=True), truth.scaled["tickets"],
                                  3 * truth.max_tickets, truth.sum_max_tickets),
              _dominant_published(sorted(truth.org_revenue, reverse=True), truth.scaled["revenue_eur"],
                                  3 * truth.max_revenue, truth.sum_max_revenue)]
    if any(c is True for c in checks):
        return {DOMINANCE}, True
    return None, all(c is False for c in checks)


#: Pooled ratios and their denominators (PRIVACY.md, P5: no organization above half of it).
RATIO_DENOMINATORS = {"TICKETS_PER_BUYER": "buyers", "REVENUE_PER_BUYER_EUR": "buyers", "FEMALE_SHARE": "buyers",
                      "MALE_SHARE": "buyers", "YOUNG_SHARE": "buyers", "REVENUE_PER_TICKET_EUR": "tickets"}


def ratio_dominated(metric: str, truth: Cell) -> bool:
    denominator = RATIO_DENOMINATORS.get(metric)
    if denominator is None:
        return False
    parts, total = ((truth.org_buyers, truth.buyers) if denominator == "buyers"
                    else (truth.org_tickets, truth.tickets))
    return bool(parts) and max(parts) > 0.5 * total


def _rounded(v: int) -> list[int]:
    """What the cell key method may publish for a true count v >= k."""
    lo = v - v % BASE
    return sorted({lo, lo + BASE} if v % BASE else {v})


def check_metric(metric: str, pub: dict[str, Any], truth: Cell, exact: bool, pooled: bool = False) -> str | None:
    """Check a value the API did publish; returns an error or None.

    A pooled (NETWORK) cell sums each organization's protected contribution (PRIVACY.md, P5): its
    count times its secret noise factor, rounded to a multiple of 5 with its own cell key (so
    within ±4.5 of the scaled count per organization), its sums times the factor plus noise of up
    to ± its own largest buyer."""
    value = pub["value"]
    if value is None:
        return f"{metric}: published (suppressed=false) but value is null"

    def val(name: str) -> float:
        return truth.scaled[name] if pooled else float(getattr(truth, name))

    if metric in COUNTS:
        v = getattr(truth, COUNTS[metric])
        if exact:
            return None if value == v else f"{metric}: {value} != oracle {v}"
        target = round(val(COUNTS[metric]))
        slack = (BASE - 0.5) * truth.organizations if pooled else BASE - 1
        if value % BASE != 0 or abs(value - val(COUNTS[metric])) > slack + (0 if pooled else 0.5):
            return (f"{metric}: {value} is not a multiple of {BASE} within ±{slack} of oracle {target}"
                    + (f" (unscaled {v})" if pooled else ""))
        return None
    if metric in ("EVENTS", "ORGANIZATIONS") and not pooled:
        v = truth.events if metric == "EVENTS" else truth.organizations
        return None if value == v else f"{metric}: {value} != oracle {v}"
    if metric == "EVENTS":  # each organization's events times its factor, rounded to a multiple of 5
        slack = (BASE - 0.5) * truth.organizations
        ok = value % BASE == 0 and abs(value - truth.scaled["events"]) <= slack
        return None if ok else f"EVENTS: {value} vs oracle {truth.scaled['events']:.1f} (±{slack}, unscaled {truth.events})"
    if metric == "ORGANIZATIONS":  # rounded to a multiple of 5 by the cell key
        ok = value % BASE == 0 and abs(value - truth.organizations) < BASE
        return None if ok else f"ORGANIZATIONS: {value} is not a multiple of {BASE} within ±{BASE - 1} of {truth.organizations}"
    if metric == "TICKETS":
        slack = 0 if exact else (truth.sum_max_tickets if pooled else truth.max_tickets) + 0.5
        t = val("tickets")
        return None if abs(value - t) <= slack else f"TICKETS: {value} vs oracle {t} (±{slack})"
    if metric == "REVENUE_EUR":
        slack = 0.01 if exact else (truth.sum_max_revenue if pooled else truth.max_revenue) + 0.51
        r = val("revenue_eur")
        ok = abs(value - r) <= slack
        return None if ok else f"REVENUE_EUR: {value} vs oracle {r:.4f} (±{slack})"
    num, largest = ((val("tickets"), truth.sum_max_tickets if pooled else truth.max_tickets)
                    if metric == "TICKETS_PER_BUYER"
                    else (val("revenue_eur"), truth.sum_max_revenue if pooled else truth.max_revenue))
    num_slack = (0.0 if metric == "TICKETS_PER_BUYER" else 0.01) if exact else largest + 0.51
    if exact:
        dens = [truth.buyers]
    elif pooled:
        spread = (BASE - 0.5) * truth.organizations
        lo_d, hi_d = val("buyers") - spread, val("buyers") + spread
        dens = [b for b in range(int(lo_d // BASE) * BASE, int(hi_d) + BASE, BASE) if lo_d <= b <= hi_d and b >= K]
    else:
        dens = [b for b in _rounded(round(val("buyers"))) if b >= K]
    if not dens:
        return f"{metric}: published although buyers {truth.buyers} < k"
    lo = (num - num_slack) / max(dens)
    hi = (num + num_slack) / min(dens)
    eps = 1e-9 * max(1.0, abs(hi))
    if not lo - eps <= value <= hi + eps:
        return f"{metric}: {value} outside [{lo}, {hi}] (oracle {num} / {truth.buyers})"
    return None


def check_cell(key: Any, metrics: list[str], pubs: dict[str, dict[str, Any]], truth: Cell,
               population: int, pooled: bool, case_enriched: bool, scope: str,
               asked: list[str]) -> list[str]:
    """Check ``metrics`` of one cell of a query that asked for ``asked``."""
    errors: list[str] = []
    reasons, certain = expected_reason(truth, population, pooled, asked)
    for metric in metrics:
        pub = pubs[metric]
        where = f"cell {key} {metric}"
        if pub["suppressed"]:
            if pub["value"] is not None or pub["reason"] is None:
                errors.append(f"{where}: suppressed needs value null and a reason, got {pub}")
        elif pub["reason"] is not None:
            errors.append(f"{where}: published value with a reason {pub}")
        exact = scope == "OWN" and not case_enriched and metric not in ENRICHED_METRICS
        if exact:
            if pub["suppressed"] and truth.buyers == 0:
                continue  # an empty bucket shown as suppressed hides nothing
            if pub["suppressed"]:
                errors.append(f"{where}: own data without enriched attributes must be exact (P6), got {pub}")
                continue
            err = check_metric(metric, pub, truth, exact=True)
            if err:
                errors.append(f"{where}: {err}")
            continue
        if reasons is not None:
            if not pub["suppressed"]:
                errors.append(f"{where}: must be suppressed ({'/'.join(sorted(reasons))}), got value {pub['value']} "
                              f"(oracle buyers {truth.buyers}, organizations {truth.organizations})")
            elif pub["reason"] not in reasons:
                errors.append(f"{where}: reason {pub['reason']}, expected one of {sorted(reasons)}")
            continue
        if pooled and ratio_dominated(metric, truth):
            if not (pub["suppressed"] and pub["reason"] == DOMINANCE):
                errors.append(f"{where}: a pooled ratio one organization makes more than half of must be "
                              f"suppressed (DOMINANCE), got {pub}")
            continue
        # a pooled count is judged after the organizations' noise factors and their own rounding
        # (PRIVACY.md, P5): published within (BASE - 0.5) per organization of the scaled count
        spread = (BASE - 0.5) * truth.organizations if pooled else 0.0
        scaled = truth.scaled[COUNTS[metric]] if pooled and metric in COUNTS else None
        small = metric in COUNTS and (getattr(truth, COUNTS[metric]) < K
                                      or (scaled is not None and scaled + spread < K))
        maybe_small = metric in COUNTS and scaled is not None and scaled - spread < K
        if pub["suppressed"]:
            if small or maybe_small:
                if pub["reason"] != BELOW and not (pub["reason"] == DOMINANCE and not certain):
                    errors.append(f"{where}: a count below k has reason {pub['reason']}, expected {BELOW}")
            elif certain:
                errors.append(f"{where}: suppressed ({pub['reason']}) though the oracle finds the cell publishable "
                              f"(buyers {truth.buyers}, organizations {truth.organizations})")
            continue
        if small:
            errors.append(f"{where}: count {getattr(truth, COUNTS[metric])} below k was published as {pub['value']}")
            continue
        err = check_metric(metric, pub, truth, exact=False, pooled=pooled)
        if err:
            errors.append(f"{where}: {err}")
    return errors


def _all_suppressed(result: dict[str, Any]) -> None:
    """A population the guard empties (a day of fewer than 5 organizations, say): nothing is
    published, and the reason is the population's or its organizations'."""
    cells = [m for row in result["rows"] for m in row["metrics"]] + result["totals"]["metrics"]
    assert cells and all(m["suppressed"] and m["value"] is None for m in cells), result
    assert {m["reason"] for m in cells} <= {POPULATION, FEW_ORGS}, result


def _pubs(row: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["metric"]: m for m in row["metrics"]}


def _metrics_of(case: Case, metric: str) -> list[str]:
    return [metric] if case.alone else list(METRICS)


# ---------------------------------------------------------------------------------------------
# Tests

def _case_id(case: Case) -> str:
    return case.id


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_rows_match_oracle(case: Case, metric: str, api: Api, oracle: Oracle, own_org: str) -> None:
    r = resolve(case, metric, oracle, own_org)
    if r.empty:
        return _all_suppressed(api.insights(case.role, r.query))
    assert r.truth, "the oracle finds no buyers for this query: the case tests nothing"
    result = api.insights(case.role, r.query)
    assert not result["meta"]["truncated"]
    assert result["meta"]["scope"] == case.scope
    rows = result["rows"]
    api_keys: dict[tuple[str, ...], dict[str, dict[str, Any]]] = {}
    for row in rows:
        key = tuple(d["value"] for d in row["dimensions"])
        assert [d["dimension"] for d in row["dimensions"]] == [g[0] for g in case.group_by]
        assert key not in api_keys, f"cell {key} appears twice"
        api_keys[key] = _pubs(row)
    missing = sorted(set(r.truth) - set(api_keys))
    assert not missing, f"cells with buyers missing from the API's answer: {missing[:10]}"
    errors: list[str] = []
    for key, pubs in api_keys.items():
        truth = r.truth.get(key, Cell())
        errors += check_cell(key, [metric], pubs, truth, r.total.buyers, r.pooled, case.enriched, case.scope,
                             r.query["metrics"])
    assert not errors, f"{len(errors)} of {len(api_keys)} cells disagree with the oracle:\n" + "\n".join(errors[:15])


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("case", [c for c in CASES if c.group_by], ids=_case_id)
def test_totals_match_oracle(case: Case, metric: str, api: Api, oracle: Oracle, own_org: str) -> None:
    r = resolve(case, metric, oracle, own_org)
    if r.empty:
        return _all_suppressed(api.insights(case.role, r.query))
    assert r.total.buyers > 0, "the oracle finds no buyers for this query: the case tests nothing"
    result = api.insights(case.role, r.query)
    assert result["totals"] is not None, "totals: true must return a totals row"
    errors = check_cell("totals", [metric], _pubs(result["totals"]), r.total, r.total.buyers, r.pooled,
                        case.enriched, case.scope, r.query["metrics"])
    assert not errors, "\n".join(errors)


def _suppression_profile(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(tuple(d["value"] for d in row["dimensions"]),
             tuple((m["metric"], m["value"], m["suppressed"], m["reason"]) for m in row["metrics"]))
            for row in result["rows"]]


@pytest.mark.parametrize("case", [c for c in CASES if c.id in (
    "network-by-country", "network-by-org_type", "network-by-month", "network-by-age_group")], ids=_case_id)
def test_network_answer_does_not_depend_on_the_token(case: Case, api: Api, oracle: Oracle, own_org: str) -> None:
    """The cell key method: the same rows give the same published values whoever asks."""
    q = resolve(case, "BUYERS", oracle, own_org).query
    answers = {role: _suppression_profile(api.insights(role, q)) for role in ("member", "partner", "admin")}
    assert answers["member"], "no rows"
    assert answers["member"] == answers["partner"] == answers["admin"]


@pytest.mark.parametrize("case", [c for c in CASES if c.scope == "NETWORK" and c.group_by], ids=_case_id)
def test_network_suppression_reasons(case: Case, api: Api, oracle: Oracle, own_org: str) -> None:
    """Every network cell the oracle can judge carries the right suppression status for BUYERS."""
    r = resolve(case, "BUYERS", oracle, own_org)
    result = api.insights(case.role, r.query)
    if r.empty:
        return _all_suppressed(result)
    judged = 0
    errors: list[str] = []
    for row in result["rows"]:
        key = tuple(d["value"] for d in row["dimensions"])
        truth = r.truth.get(key, Cell())
        reasons, certain = expected_reason(truth, r.total.buyers, True, list(METRICS))
        pub = _pubs(row)["BUYERS"]
        if reasons is not None:
            judged += 1
            if not pub["suppressed"] or pub["reason"] not in reasons:
                errors.append(f"{key}: expected suppressed {sorted(reasons)}, got {pub} "
                              f"(buyers {truth.buyers}, organizations {truth.organizations})")
        elif certain:
            judged += 1
            if pub["suppressed"]:
                errors.append(f"{key}: publishable by the oracle, got {pub}")
    assert judged > 0
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("metric", [m for m in METRICS if m not in ENRICHED_METRICS])
def test_own_totals_exact_for_every_organization(metric: str, api: Api, oracle: Oracle, demo: Any) -> None:
    """P6 for every member: its own figures without enriched attributes are exact."""
    from cid_graph.access import AccessStore
    from warehouse.store import WarehouseStore

    access = AccessStore(WarehouseStore(demo.warehouse_dir).access_db)
    orgs = [r[0] for r in oracle.rows("SELECT DISTINCT org_id FROM ob ORDER BY 1")]
    assert len(orgs) > 1
    errors: list[str] = []
    known: list[str] = []  # disagreements explained exactly by the FX-date bug below
    for org in orgs:
        role = f"member:{org}"
        if role not in api.tokens:
            api.tokens[role] = access.create_token(org, "member", ttl_days=30)[0]
        q = {"metrics": list(m for m in METRICS if m not in ENRICHED_METRICS), "scope": "OWN", "totals": True}
        result = api.insights(role, q)
        truth = oracle.total(org_id=org)
        found = check_cell(org, [metric], _pubs(result["totals"]), truth, truth.buyers, False, False, "OWN",
                           q["metrics"])
        if found and metric in ("REVENUE_EUR", "REVENUE_PER_BUYER_EUR"):
            utc = oracle.total(org_id=org, revenue="revenue_eur_utc_date")
            if not check_cell(org, [metric], _pubs(result["totals"]), utc, utc.buyers, False, False, "OWN",
                              q["metrics"]):
                known.append(f"{org}: {found[0]}")
                continue
        errors += found
    assert not errors, "\n".join(errors)
    if known:
        pytest.xfail(
            "known bug: the warehouse converts amounts at the rate of the purchase's UTC date, not its "
            "local date (warehouse/ingest/merge.py, ASOF JOIN on CAST(t.purchased_at_tz AS DATE) under "
            "TimeZone UTC); purchases in the first local hour(s) of 1 January get the previous year's "
            "rate:\n" + "\n".join(known))


def test_oracle_agrees_with_the_generator(oracle: Oracle, demo: Any) -> None:
    """The oracle itself: buyer rows and net tickets known by construction of the demo."""
    assert oracle.scalar("SELECT count(*) FROM ob") == demo.expected["buyers"]
    assert oracle.scalar("SELECT sum(tickets) FROM ob") == demo.expected["buyer_tickets"]
    assert oracle.scalar("SELECT count(*) FROM org WHERE org_type IS NULL") == 0
    # Every spelling the demo writes is in the oracle's own vocabulary (else its event types lie).
    unmapped = oracle.rows(f"""
        SELECT DISTINCT t.event_type_raw FROM tx t
        ANTI JOIN {_values(EVENT_TYPE_WORDS)} ON v.word = t.event_type_raw
        WHERE t.event_type_raw IS NOT NULL""")
    assert not unmapped, f"event type spellings the oracle does not know: {unmapped}"
    unmapped = oracle.rows(f"""
        SELECT DISTINCT t.event_category_raw FROM tx t
        ANTI JOIN {_values(EVENT_CATEGORY_WORDS)} ON v.word = t.event_category_raw
        WHERE t.event_category_raw IS NOT NULL""")
    assert not unmapped, f"event category spellings the oracle does not know: {unmapped}"
    # every event is labelled, and the demo leaves some to the classifier on purpose
    sources = dict(oracle.rows("SELECT classification_source, count(*) FROM ev GROUP BY 1"))
    assert oracle.scalar("SELECT count(*) FROM ev WHERE event_type IS NULL OR event_category IS NULL") == 0
    assert sources.get("source", 0) > 0 and sources.get("model", 0) > 0, sources
    unknown_gender = oracle.rows(f"""
        SELECT DISTINCT lower(trim(gender)) FROM raw_tx
        ANTI JOIN {_values(GENDER_WORDS)} ON v.word = lower(trim(gender))
        WHERE nullif(trim(gender), '') IS NOT NULL""")
    assert not unknown_gender, f"gender spellings the oracle does not know: {unknown_gender}"
    assert not math.isnan(oracle.scalar("SELECT sum(revenue_eur) FROM ob"))
