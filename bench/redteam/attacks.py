"""Attacks a-g through the GraphQL API only. Truth comes from ``truth`` (raw CSVs).

Every attack targets organizations other than the attacker's token organization and counts a
*recovery* when an estimate of one of the target's figures (buyers, tickets, revenue, events,
tickets per buyer, revenue per ticket) is within ±15 % of the truth. For ratios (tickets per buyer,
revenue per ticket) a hit is also reported against a *baseline*: the published pooled ratio of the
cell without the target (or the network's ratio), which anyone can read: a ratio within 15 % of the
target's when the baseline is within 15 % too is counted as a ``baseline_hit``, not a recovery.

Populations that hold exactly one other organization are found from the raw truth: an attacker
knows public facts such as where an organization plays and what kind of organization it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from typing import Any

from bench.redteam import truth
from bench.redteam.harness import Env

TOL = 0.15
COUNT_METRICS = ["BUYERS", "TICKETS", "REVENUE_EUR"]
BUDGETS = {"quick": 300, "full": 3000}
ATTACKS = ["a_reasons", "b_timing", "c_benchmark_own_filter", "d_events_orgs", "e_ratios",
           "f_differencing", "g_sign_bit"]


class BudgetExhausted(Exception):
    pass


@dataclasses.dataclass
class AttackResult:
    name: str
    budget: int
    queries: int = 0
    targets: set[str] = dataclasses.field(default_factory=set)
    tries: int = 0  # estimates compared with the truth
    recoveries: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    misses: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # a sample of near misses
    baseline_hits: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # within 15 %, but so was the baseline
    notes: list[str] = dataclasses.field(default_factory=list)
    stats: dict[str, Any] = dataclasses.field(default_factory=dict)
    budget_exhausted: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "budget": self.budget, "queries": self.queries, "targets": sorted(self.targets),
                "tries": self.tries, "recoveries": len(self.recoveries), "recovery_examples": self.recoveries[:25],
                "baseline_hits": len(self.baseline_hits), "baseline_hit_examples": self.baseline_hits[:5],
                "miss_examples": sorted(self.misses, key=lambda m: m["rel_error"])[:8], "notes": self.notes,
                "stats": self.stats, "budget_exhausted": self.budget_exhausted}


class Ctx:
    def __init__(self, env: Env, result: AttackResult) -> None:
        self.env, self.r = env, result

    def ask(self, token: str, q: dict[str, Any]) -> Any:
        if self.r.queries >= self.r.budget:
            self.r.budget_exhausted = True
            raise BudgetExhausted
        self.r.queries += 1
        return self.env.api.insights(token, q)

    def judge(self, target: str, metric: str, estimate: float | None, true: float, how: str,
              baseline: float | None = None, **extra: Any) -> bool:
        if estimate is None or not true:
            return False
        self.r.targets.add(target)
        self.r.tries += 1
        err = abs(estimate - true) / abs(true)
        rec = {"target": target, "metric": metric, "estimate": round(float(estimate), 4), "truth": round(float(true), 4),
               "rel_error": round(err, 4), "how": how, **extra}
        if baseline is not None:
            rec["baseline"] = round(float(baseline), 4)
            rec["beats_baseline"] = abs(baseline - true) / abs(true) > TOL
        if err <= TOL and baseline is not None and not rec["beats_baseline"]:
            # The public pooled ratio was already this close: a coincidence of similar ratios, not a leak.
            self.r.baseline_hits.append(rec)
            return False
        if err <= TOL:
            self.r.recoveries.append(rec)
            return True
        if len(self.r.misses) < 200:
            self.r.misses.append(rec)
        return False


# --- populations from the public facts (the raw truth) ----------------------------------------

def single_org_regions(env: Env) -> list[tuple[str, str, str]]:
    """(country, region, org) for every region where exactly one organization has events."""
    rows = env.truth.execute("""SELECT country, region, min(org_id) FROM buyers WHERE region IS NOT NULL
                                GROUP BY 1, 2 HAVING count(DISTINCT org_id) = 1 ORDER BY 1, 2""").fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def regions_of(env: Env, country: str) -> list[str]:
    return [r[0] for r in env.truth.execute(
        "SELECT DISTINCT region FROM buyers WHERE country = ? AND region IS NOT NULL ORDER BY 1", [country]).fetchall()]


def single_org_types(env: Env) -> list[tuple[str, str, str]]:
    """(country, org_type, org) for every org type that one organization holds in its country."""
    rows = env.truth.execute("""SELECT country, org_type, min(org_id) FROM buyers GROUP BY 1, 2
                                HAVING count(DISTINCT org_id) = 1 ORDER BY 1, 2""").fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def attacker_for(env: Env, country: str, exclude: str) -> str:
    """The largest organization of the country other than the target (a competitor)."""
    rows = env.truth.execute("SELECT org_id FROM buyers WHERE country = ? AND org_id <> ? GROUP BY 1 "
                             "ORDER BY count(*) DESC LIMIT 1", [country, exclude]).fetchall()
    return str(rows[0][0]) if rows else next(o for o in env.orgs if o != exclude)


def differencing_pairs(env: Env) -> list[dict[str, Any]]:
    """Pairs of pooled populations (base, with) whose difference is one organization's rows."""
    pairs = []
    for country, region, org in single_org_regions(env):
        others = [r for r in regions_of(env, country) if r != region]
        if len(truth.orgs_in(env.truth, [{"dimension": "REGION", "values": others}])) < 5:
            continue
        pairs.append({"kind": "region_set", "target": org, "country": country, "isolating": region,
                      "base": [{"dimension": "REGION", "values": others}],
                      "with": [{"dimension": "REGION", "values": others + [region]}],
                      "target_filter": [{"dimension": "REGION", "values": [region]}]})
    for country, otype, org in single_org_types(env):
        types = [r[0] for r in env.truth.execute(
            "SELECT DISTINCT org_type FROM buyers WHERE country = ? ORDER BY 1", [country]).fetchall()]
        others = [t for t in types if t != otype]
        base = [{"dimension": "COUNTRY", "values": [country]}, {"dimension": "ORG_TYPE", "values": others}]
        if len(truth.orgs_in(env.truth, base)) < 5:
            continue
        pairs.append({"kind": "org_type_set", "target": org, "country": country, "isolating": otype, "base": base,
                      "with": [{"dimension": "COUNTRY", "values": [country]},
                               {"dimension": "ORG_TYPE", "values": others + [otype]}],
                      "target_filter": [{"dimension": "COUNTRY", "values": [country]},
                                        {"dimension": "ORG_TYPE", "values": [otype]}]})
    # Largest targets first: a recovery of a large contribution is the one the bound promises against.
    sizes = {o: truth.org_figures(env.truth, o)["BUYERS"] for o in {p["target"] for p in pairs}}
    pairs.sort(key=lambda p: (-sizes[p["target"]], p["kind"]))
    return pairs


def _q(metrics: list[str], filters: list[dict[str, Any]], time_range: dict[str, str] | None = None,
       group: list[dict[str, Any]] | None = None, scope: str = "NETWORK", **kw: Any) -> dict[str, Any]:
    q: dict[str, Any] = {"metrics": metrics, "filters": filters, "scope": scope}
    if time_range:
        q["timeRange"] = time_range
    if group:
        q["groupBy"] = group
    q.update(kw)
    return q


def diff(ctx: Ctx, token: str, pair: dict[str, Any], metrics: list[str],
         time_range: dict[str, str] | None = None) -> dict[str, float | None]:
    a = ctx.ask(token, _q(metrics, pair["base"], time_range))
    b = ctx.ask(token, _q(metrics, pair["with"], time_range))
    out: dict[str, float | None] = {}
    for m in metrics:
        va, vb = a.value(m), b.value(m)
        out[m] = None if va is None or vb is None else vb - va
        out["base:" + m] = va
    return out


def _true(env: Env, pair: dict[str, Any], time_range: dict[str, str] | None = None) -> dict[str, float]:
    return truth.figures(env.truth, pair["target_filter"], time_range).get(None) or {
        "BUYERS": 0, "TICKETS": 0.0, "REVENUE_EUR": 0.0, "EVENTS": 0, "ORGANIZATIONS": 0,
        "TICKETS_PER_BUYER": 0.0, "REVENUE_PER_TICKET_EUR": 0.0}


YEARS = [{"from": "2024-01-01", "to": "2024-12-31"}, {"from": "2025-01-01", "to": "2025-12-31"}]
QUARTERS = [{"from": f"{y}-{m:02d}-01", "to": (dt.date(y + (m + 3 > 12), (m + 2) % 12 + 1, 1)
                                                - dt.timedelta(days=1)).isoformat()}
            for y in (2024, 2025) for m in (1, 4, 7, 10)]


# --- a. suppression reasons across scanned time ranges ---------------------------------------

def attack_a_reasons(env: Env, budget: int) -> AttackResult:
    """A population holding exactly one other organization (a region where only it plays, or that
    region and one event type) is asked for BUYERS over scanned time ranges. If the reason tells
    'no whole run of k buyers in the range' (POPULATION_BELOW_THRESHOLD) from 'some'
    (TOO_FEW_ORGANIZATIONS), counting the guard's runs in a window estimates the target's buyers
    there (runs × k). Estimates are compared per month."""
    r = AttackResult("a_reasons", budget)
    ctx = Ctx(env, r)
    k = 10
    try:
        for country, region, org in single_org_regions(env):
            attacker = env.member(attacker_for(env, country, org))
            pops = [[{"dimension": "REGION", "values": [region]}]]
            et = env.truth.execute("SELECT event_type FROM buyers WHERE region = ? GROUP BY 1 ORDER BY count(*) DESC "
                                   "LIMIT 1", [region]).fetchone()
            if et:
                pops.append(pops[0] + [{"dimension": "EVENT_TYPE", "values": [et[0]]}])
            for filters in pops:
                # Probe: a window with none of the target's buyers vs its whole history.
                days = [d[0] for d in env.truth.execute(
                    f"SELECT CAST(purchased_at AS DATE) d FROM buyers WHERE {truth.where(filters, None)} "
                    "GROUP BY 1 ORDER BY 1").fetchall()]
                if not days:
                    continue
                empty_day = days[0] - dt.timedelta(days=3)
                probes = {
                    "whole": None,
                    "empty": {"from": empty_day.isoformat(), "to": empty_day.isoformat()},
                    "one_day": {"from": days[len(days) // 2].isoformat(), "to": days[len(days) // 2].isoformat()},
                }
                reasons = {}
                for name, tr in probes.items():
                    m = ctx.ask(attacker, _q(["BUYERS"], filters, tr)).single("BUYERS") or {}
                    reasons[name] = (m.get("reason"), m.get("value"))
                r.stats.setdefault("probe_reasons", {})[f"{org}:{region}:{len(filters)}"] = {
                    n: str(v[0]) for n, v in reasons.items()}
                r.targets.add(org)
                if len({v for v in reasons.values()}) == 1:
                    continue  # the reason is the same whatever the window holds: no oracle
                # An oracle exists: count runs in the busiest month of the target.
                month = env.truth.execute(
                    f"SELECT date_trunc('month', purchased_at) m, count(*) FROM buyers WHERE {truth.where(filters, None)} "
                    "GROUP BY 1 ORDER BY 2 DESC LIMIT 1").fetchone()
                m0 = month[0].date()
                m1 = (m0.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)

                def covered(a: dt.date, b: dt.date, attacker: str = attacker, filters: list[Any] = filters,
                            empty_reason: Any = reasons["empty"][0]) -> bool:
                    cell = ctx.ask(attacker, _q(["BUYERS"], filters, {"from": a.isoformat(), "to": b.isoformat()}))
                    return (cell.single("BUYERS") or {}).get("reason") != empty_reason

                runs, start = 0, m0
                while start <= m1:
                    lo, hi = start, m1
                    if not covered(start, m1):
                        break
                    while lo < hi:
                        mid = lo + (hi - lo) // 2
                        if covered(start, mid):
                            hi = mid
                        else:
                            lo = mid + dt.timedelta(days=1)
                    runs += 1
                    start = lo + dt.timedelta(days=1)
                true = truth.figures(env.truth, filters, {"from": m0.isoformat(), "to": m1.isoformat()})[None]
                ctx.judge(org, "BUYERS", runs * k * 1.1, true["BUYERS"], f"runs in {m0:%Y-%m} of {filters}")
    except BudgetExhausted:
        pass
    distinct = {tuple(sorted(v.items())) for v in r.stats.get("probe_reasons", {}).values()}
    r.notes.append(f"probe reason patterns (whole history / empty day / one day): {sorted(distinct)}")
    return r


# --- b. timing oracle --------------------------------------------------------------------------

def attack_b_timing(env: Env, budget: int) -> AttackResult:
    """Single-organization populations over one-day windows: days with none of the target's buyers
    (the guard empties the population) against days with at least k of them. Both answers are
    suppressed alike; does Server-Timing or the wall time tell them apart? A threshold is fitted on
    one half of the samples and its accuracy measured on the other half (0.5 = no signal)."""
    r = AttackResult("b_timing", budget)
    ctx = Ctx(env, r)
    samples: list[tuple[int, float, float, str]] = []  # (label, server_ms, wall_ms, reason)
    try:
        targets = single_org_regions(env)
        per = max(4, budget // max(1, 2 * len(targets)))
        for country, region, org in targets:
            attacker = env.member(attacker_for(env, country, org))
            filters = [{"dimension": "REGION", "values": [region]}]
            rows = env.truth.execute(
                f"SELECT CAST(purchased_at AS DATE) d, count(*) FROM buyers WHERE {truth.where(filters, None)} "
                "GROUP BY 1").fetchall()
            busy = sorted([d for d, n in rows if n >= 10])
            have = {d for d, _ in rows}
            empty = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(0, 730, 3)]
            empty = [d for d in empty if d not in have]
            if not busy or not empty:
                continue
            r.targets.add(org)
            for i in range(per):
                for label, pool in ((1, busy), (0, empty)):
                    d = pool[(i * 7919) % len(pool)]
                    a = ctx.ask(attacker, _q(["BUYERS"], filters, {"from": d.isoformat(), "to": d.isoformat()}))
                    if a.cache_hit:
                        continue
                    samples.append((label, a.server_ms or 0.0, a.wall_ms, str((a.single("BUYERS") or {}).get("reason"))))
    except BudgetExhausted:
        pass
    r.stats["samples"] = len(samples)
    for col, name in ((1, "server_ms"), (2, "wall_ms")):
        s1 = [s[col] for s in samples if s[0] == 1]
        s0 = [s[col] for s in samples if s[0] == 0]
        if len(s1) < 4 or len(s0) < 4:
            continue
        r.stats[name] = {"busy_median": round(statistics.median(s1), 2), "empty_median": round(statistics.median(s0), 2),
                         "holdout_accuracy": round(_holdout_accuracy(samples, col), 3)}
    reasons = {(s[0], s[3]) for s in samples}
    r.stats["reasons_by_label"] = sorted([f"{'busy' if lab else 'empty'}:{rea}" for lab, rea in reasons])
    best = max((r.stats.get(n, {}).get("holdout_accuracy", 0.5) for n in ("server_ms", "wall_ms")), default=0.5)
    r.stats["signal"] = best >= 0.75 and len(samples) >= 20
    r.notes.append(f"best hold-out accuracy telling empty from busy populations by time: {best:.2f} "
                   f"(0.5 = chance; a signal is flagged at ≥ 0.75)")
    return r


def _holdout_accuracy(samples: list[tuple[int, float, float, str]], col: int) -> float:
    fit, test = samples[0::2], samples[1::2]
    best_t, best_acc, best_dir = 0.0, 0.0, 1
    for t in sorted({s[col] for s in fit}):
        for direction in (1, -1):
            acc = sum(((s[col] * direction) > (t * direction)) == bool(s[0]) for s in fit) / len(fit)
            if acc > best_acc:
                best_t, best_acc, best_dir = t, acc, direction
    if not test:
        return 0.5
    return sum(((s[col] * best_dir) > (best_t * best_dir)) == bool(s[0]) for s in test) / len(test)


# --- c. OWN filters with another organization, benchmarks --------------------------------------

def attack_c_benchmark_own_filter(env: Env, budget: int) -> AttackResult:
    """Scope OWN with ``ORGANIZATION IN [me, Y]`` (and ``EVENT IN [mine, Y's]``), with and without
    BENCHMARK peer groups: is anything of Y in the value, the peer value or the peer shares?"""
    r = AttackResult("c_benchmark_own_filter", budget)
    ctx = Ctx(env, r)
    metrics = ["BUYERS", "TICKETS", "REVENUE_EUR", "TICKETS_PER_BUYER", "REVENUE_PER_TICKET_EUR"]
    try:
        for country in ["NO", "SE", "DK", "FI", "IS"]:
            orgs = [o[0] for o in env.truth.execute(
                "SELECT org_id FROM buyers WHERE country = ? GROUP BY 1 ORDER BY count(*) DESC", [country]).fetchall()]
            me, targets = orgs[-1], orgs[:3]
            tok = env.member(me)
            mine = ctx.ask(tok, _q(metrics, [], scope="OWN"))
            my_event = env.truth.execute("SELECT event_id FROM buyers WHERE org_id = ? LIMIT 1", [me]).fetchone()[0]
            for y in targets:
                yt = truth.org_figures(env.truth, y)
                y_event = env.truth.execute("SELECT event_id, count(*) FROM buyers WHERE org_id = ? GROUP BY 1 "
                                            "ORDER BY 2 DESC LIMIT 1", [y]).fetchone()
                y_ev_true = truth.org_figures(env.truth, y, [{"dimension": "EVENT", "values": [y_event[0]]}])
                my_ev_true = truth.org_figures(env.truth, me, [{"dimension": "EVENT", "values": [my_event]}])
                variants = [
                    ("own filter [me,Y] minus own", [{"dimension": "ORGANIZATION", "values": [me, y]}], None, "minus_own"),
                    ("own filter [Y]", [{"dimension": "ORGANIZATION", "values": [y]}], None, "plain"),
                    ("own event filter [mine, Y's] minus own event",
                     [{"dimension": "EVENT", "values": [my_event, y_event[0]]}], None, "minus_event"),
                ]
                for pg in ["SAME_ORG_TYPE", "SAME_REGION", "SAME_COUNTRY", "NORDIC"]:
                    variants.append((f"benchmark {pg} with [me,Y]",
                                     [{"dimension": "ORGANIZATION", "values": [me, y]}], pg, "peer"))
                for how, filters, pg, mode in variants:
                    q = _q(metrics, filters, scope="OWN")
                    if pg:
                        q["compare"] = [{"kind": "BENCHMARK", "peerGroup": pg}]
                    a = ctx.ask(tok, q)
                    if a.error:
                        r.stats.setdefault("errors", {})[how] = a.error
                        continue
                    for row_dims, cells in a.cells():
                        if row_dims.get("ORGANIZATION") == y:
                            r.notes.append(f"a row of {y} appeared in OWN scope ({how})")
                        for m in metrics:
                            cell = cells.get(m) or {}
                            v = cell.get("value")
                            true_y = (y_ev_true if mode == "minus_event" else yt)[m]
                            if v is not None and mode in ("minus_own", "plain", "minus_event"):
                                own = mine.value(m) if mode == "minus_own" else (
                                    my_ev_true[m] if mode == "minus_event" else 0.0)
                                if m in ("BUYERS", "TICKETS", "REVENUE_EUR"):
                                    ctx.judge(y, m, float(v) - float(own or 0.0), true_y, how, attacker=me)
                                elif mode == "plain":
                                    ctx.judge(y, m, float(v), true_y, how, attacker=me)
                            for comp in cell.get("comparisons") or []:
                                if comp.get("value") is not None and m in ("TICKETS_PER_BUYER", "REVENUE_PER_TICKET_EUR"):
                                    ctx.judge(y, m, float(comp["value"]), yt[m], how + " (peer value)",
                                              baseline=truth.figures(env.truth)[None][m], attacker=me)
                # Benchmarks without an organization filter: a peer group dominated by Y.
                for pg in ["SAME_ORG_TYPE", "SAME_REGION", "SAME_COUNTRY"]:
                    q = _q(metrics, [], scope="OWN", compare=[{"kind": "BENCHMARK", "peerGroup": pg}])
                    a = ctx.ask(tok, q)
                    for _dims, cells in a.cells():
                        for m in ("TICKETS_PER_BUYER", "REVENUE_PER_TICKET_EUR"):
                            for comp in (cells.get(m) or {}).get("comparisons") or []:
                                if comp.get("value") is not None:
                                    net = truth.figures(env.truth)[None][m]
                                    ctx.judge(y, m, float(comp["value"]), yt[m], f"peer value {pg} (no org filter)",
                                              baseline=net, attacker=me)
    except BudgetExhausted:
        pass
    return r


# --- d. EVENTS and ORGANIZATIONS in pooled cells ----------------------------------------------

def attack_d_events_orgs(env: Env, budget: int) -> AttackResult:
    """EVENTS and ORGANIZATIONS of two pooled cells that differ by one organization's region (or
    org type): the difference, in total and per month, against the target's events."""
    r = AttackResult("d_events_orgs", budget)
    ctx = Ctx(env, r)
    exact = 0
    try:
        for pair in differencing_pairs(env):
            y = pair["target"]
            tok = env.member(attacker_for(env, pair["country"], y))
            d = diff(ctx, tok, pair, ["EVENTS", "ORGANIZATIONS"])
            t = _true(env, pair)
            if d["EVENTS"] is not None:
                exact += int(d["EVENTS"] == t["EVENTS"])
                ctx.judge(y, "EVENTS", d["EVENTS"], t["EVENTS"], f"{pair['kind']} +{pair['isolating']}")
            r.stats.setdefault("organizations_differences", []).append(d["ORGANIZATIONS"])
            # Per month of purchase.
            group = [{"dimension": "PURCHASED_AT", "granularity": "MONTH"}]
            a = ctx.ask(tok, _q(["EVENTS"], pair["base"], group=group))
            b = ctx.ask(tok, _q(["EVENTS"], pair["with"], group=group))
            av = {c[0]["PURCHASED_AT"]: (c[1]["EVENTS"] or {}).get("value") for c in a.cells()}
            bv = {c[0]["PURCHASED_AT"]: (c[1]["EVENTS"] or {}).get("value") for c in b.cells()}
            true_m = truth.figures(env.truth, pair["target_filter"], group="strftime(date_trunc('month', purchased_at), '%Y-%m-%d')")
            for month, tm in sorted(true_m.items()):
                if tm["EVENTS"] >= 3 and av.get(month) is not None and bv.get(month) is not None:
                    ctx.judge(y, "EVENTS", bv[month] - av[month], tm["EVENTS"], f"{pair['kind']} +{pair['isolating']} month {month}")
    except BudgetExhausted:
        pass
    r.stats["exact_event_counts"] = exact
    return r


# --- e. ratios from differences ----------------------------------------------------------------

def attack_e_ratios(env: Env, budget: int) -> AttackResult:
    """D_tickets / D_buyers and D_revenue / D_tickets of two pooled cells differing by one
    organization: the organization's noise factor multiplies numerator and denominator alike."""
    r = AttackResult("e_ratios", budget)
    ctx = Ctx(env, r)
    try:
        for pair in differencing_pairs(env):
            y = pair["target"]
            tok = env.member(attacker_for(env, pair["country"], y))
            for tr in [None] + YEARS:
                d = diff(ctx, tok, pair, COUNT_METRICS, tr)
                if tr is None and d["BUYERS"] is None:
                    break  # the pooled cells are suppressed: nothing to difference
                t = _true(env, pair, tr)
                if t["BUYERS"] < 30:
                    continue
                tag = f"{pair['kind']} +{pair['isolating']} {tr['from'][:4] if tr else 'all'}"
                if d["BUYERS"] and d["TICKETS"] is not None:
                    base = d["base:TICKETS"] / d["base:BUYERS"] if d["base:BUYERS"] and d["base:TICKETS"] else None
                    ctx.judge(y, "TICKETS_PER_BUYER", d["TICKETS"] / d["BUYERS"], t["TICKETS_PER_BUYER"], tag,
                              baseline=base, buyers=t["BUYERS"])
                if d["TICKETS"] and d["REVENUE_EUR"] is not None:
                    base = (d["base:REVENUE_EUR"] / d["base:TICKETS"]) if d["base:TICKETS"] and d["base:REVENUE_EUR"] else None
                    ctx.judge(y, "REVENUE_PER_TICKET_EUR", d["REVENUE_EUR"] / d["TICKETS"], t["REVENUE_PER_TICKET_EUR"],
                              tag, baseline=base, buyers=t["BUYERS"])
    except BudgetExhausted:
        pass
    return r


# --- f. organization differencing of counts ----------------------------------------------------

def attack_f_differencing(env: Env, budget: int) -> AttackResult:
    """Counts of one organization read off as a difference: region sets and org-type sets
    differing by one organization, over the whole history, years and quarters; and the complement
    of suppressed cells (margin minus visible cells) where the suppressed cells hold one org."""
    r = AttackResult("f_differencing", budget)
    ctx = Ctx(env, r)
    try:
        for country in ["NO", "SE", "DK", "FI", "IS"]:
            attacker = attacker_for(env, country, "")
            tok = env.member(attacker)
            for dim in ("ORG_TYPE", "REGION", "EVENT_TYPE"):
                a = ctx.ask(tok, _q(COUNT_METRICS, [{"dimension": "COUNTRY", "values": [country]}],
                                    group=[{"dimension": dim}], totals=True))
                cells = a.cells()
                for m in COUNT_METRICS:
                    tot = a.totals(m)
                    if not tot or tot.get("value") is None:
                        continue
                    hidden = [c[0][dim] for c in cells if (c[1].get(m) or {}).get("value") is None]
                    visible = sum(float(c[1][m]["value"]) for c in cells if (c[1].get(m) or {}).get("value") is not None)
                    if not hidden:
                        continue
                    hf = [{"dimension": "COUNTRY", "values": [country]}, {"dimension": dim, "values": hidden}]
                    who = [o for o in truth.orgs_in(env.truth, hf)]
                    if len(who) == 1 and who[0] != attacker:
                        t = truth.org_figures(env.truth, who[0], hf)
                        ctx.judge(who[0], m, float(tot["value"]) - visible, t[m], f"complement {country} by {dim}")
                    r.stats.setdefault("complements", []).append({"country": country, "dim": dim, "metric": m,
                                                                  "hidden_cells": len(hidden), "orgs_hidden": len(who)})
        for pair in differencing_pairs(env):
            y = pair["target"]
            tok = env.member(attacker_for(env, pair["country"], y))
            for tr in [None] + YEARS + QUARTERS:
                t = _true(env, pair, tr)
                if t["BUYERS"] < 10:
                    continue
                d = diff(ctx, tok, pair, COUNT_METRICS, tr)
                if tr is None and d["BUYERS"] is None:
                    break  # the pooled cells are suppressed: nothing to difference
                for m in COUNT_METRICS:
                    ctx.judge(y, m, d[m], t[m], f"{pair['kind']} +{pair['isolating']} {tr or 'all'}", buyers=t["BUYERS"])
    except BudgetExhausted:
        pass
    return r


# --- g. the noise factor learnt from one known figure ------------------------------------------

def attack_g_sign_bit(env: Env, budget: int) -> AttackResult:
    """(1) Y published its exact 2024 buyers: f = D_2024 / published; other isolated differences
    divided by f. (2) Only a rough figure (±15 %) is public: it gives the factor's sign, and the
    midpoint of the documented range (1 ± 0.24) is applied to every isolated difference."""
    r = AttackResult("g_sign_bit", budget)
    ctx = Ctx(env, r)
    import random

    rough = random.Random(99)
    try:
        for pair in differencing_pairs(env):
            y = pair["target"]
            tok = env.member(attacker_for(env, pair["country"], y))
            known_t = _true(env, pair, YEARS[0])
            if known_t["BUYERS"] < 30:
                continue
            d0 = diff(ctx, tok, pair, ["BUYERS"], YEARS[0])["BUYERS"]
            if not d0:
                continue
            f_exact = d0 / known_t["BUYERS"]
            approx = known_t["BUYERS"] * (1 + rough.uniform(-0.15, 0.15))
            f_sign = 1.24 if d0 > approx else 0.76
            r.stats.setdefault("factors", {})[f"{y}:{pair['kind']}"] = {"learnt": round(f_exact, 4), "sign_guess": f_sign}
            for tr in [None, YEARS[1]] + QUARTERS:
                t = _true(env, pair, tr)
                if t["BUYERS"] < 10:
                    continue
                d = diff(ctx, tok, pair, COUNT_METRICS, tr)
                tag = f"{pair['kind']} +{pair['isolating']} {tr or 'all'}"
                for m in COUNT_METRICS:
                    if d[m] is None:
                        continue
                    ctx.judge(y, m, d[m] / f_exact, t[m], tag + " / exact factor", buyers=t["BUYERS"])
                    ctx.judge(y, m, d[m] / f_sign, t[m], tag + " / sign-bit factor", buyers=t["BUYERS"])
    except BudgetExhausted:
        pass
    return r


def run_all(env: Env, budget: str = "quick", only: list[str] | None = None) -> dict[str, AttackResult]:
    total = BUDGETS[budget]
    names = only or ATTACKS
    per = max(20, total // len(ATTACKS))
    return {n: globals()[f"attack_{n}"](env, per) for n in names}
