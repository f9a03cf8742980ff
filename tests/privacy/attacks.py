"""The privacy attack suite: attacks on the real GraphQL API where the truth is known.

Every attack is a function ``attack_*(env) -> AttackResult`` that talks to the API only
through ``env.client.post(query, token, variables)`` (the same client as the tests' ``gql``)
and compares what was published with the truth, an exact recomputation on a private copy of
the warehouse file (:class:`Truth`; the tests also check it against the raw-file oracle).
``tests/privacy/test_attacks.py`` asserts on the results and ``bench/privacy_audit.py`` runs
the same functions and writes the report.

A *leak* is a finding that breaks a documented property (DESIGN.md §5, issue 4 §4); *notes*
quantify what the attacker achieved otherwise; *stats* are the numbers behind them.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from tests.privacy import guard_rule

# --------------------------------------------------------------------------------------------
# Results and environment


@dataclass
class AttackResult:
    name: str
    attempts: int = 0
    leaks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def leak(self, message: str) -> None:
        if len(self.leaks) < 50:
            self.leaks.append(message)
        else:
            self.stats["more_leaks"] = self.stats.get("more_leaks", 0) + 1

    @property
    def leak_count(self) -> int:
        return len(self.leaks) + int(self.stats.get("more_leaks", 0))


@dataclass
class Params:
    k: int = 10
    base: int = 5
    min_orgs: int = 5
    p: float = 0.15
    max_group_by: int = 3


@dataclass
class Env:
    """What an attack needs: a client, tokens by role, the truth and a few facts."""

    client: Any
    tokens: dict[str, str]  # member, member_small, partner, admin (+ member:<org_id> for others)
    truth: Truth
    member_org: str
    other_org: str
    params: Params = field(default_factory=Params)
    budget: str = "test"  # "test" keeps the suite fast; "audit" tries more

    def token_for_org(self, org_id: str) -> str:
        key = f"member:{org_id}"
        if key not in self.tokens:
            if org_id == self.member_org:
                return self.tokens["member"]
            raise KeyError(key)
        return self.tokens[key]


INSIGHTS = """
query Insights($q: InsightQuery!, $locale: String) {
  insights(query: $q, locale: $locale) {
    rows {
      dimensions { dimension value label }
      metrics { metric value suppressed reason
                comparisons { kind peerGroup value share peerShare index delta ratio suppressed reason } }
    }
    totals { metrics { metric value suppressed reason } }
    meta { rowCount truncated scope suppressedCells }
  }
}
"""


@dataclass
class Pub:
    value: float | None
    suppressed: bool
    reason: str | None
    comparisons: list[dict[str, Any]] | None = None


@dataclass
class Answer:
    rows: dict[tuple[Any, ...], dict[str, Pub]]
    order: list[tuple[Any, ...]]
    totals: dict[str, Pub] | None
    meta: dict[str, Any] | None
    error: dict[str, Any] | None
    body: str
    labels: dict[tuple[Any, ...], list[str | None]] = field(default_factory=dict)

    @property
    def code(self) -> str | None:
        return (self.error or {}).get("extensions", {}).get("code")


def parse_result(result: dict[str, Any], body: str = "") -> Answer:
    rows: dict[tuple[Any, ...], dict[str, Pub]] = {}
    order, labels = [], {}
    for row in result["rows"]:
        key = tuple(d["value"] for d in row["dimensions"])
        order.append(key)
        labels[key] = [d.get("label") for d in row["dimensions"]]
        rows[key] = {m["metric"]: Pub(m["value"], m["suppressed"], m["reason"], m.get("comparisons"))
                     for m in row["metrics"]}
    totals = None
    if result.get("totals"):
        totals = {m["metric"]: Pub(m["value"], m["suppressed"], m["reason"]) for m in result["totals"]["metrics"]}
    return Answer(rows, order, totals, result.get("meta"), None, body, labels)


def ask(env: Env, role_or_token: str, q: dict[str, Any], locale: str | None = None) -> Answer:
    token = env.tokens.get(role_or_token, role_or_token)
    response = env.client.post(INSIGHTS, token, {"q": q, "locale": locale})
    body = response.text
    doc = response.json()
    if doc.get("errors"):
        return Answer({}, [], None, None, doc["errors"][0], body)
    return parse_result(doc["data"]["insights"], body)


# --------------------------------------------------------------------------------------------
# The truth: exact counts on a private copy of the published warehouse file

ENRICHED = ("AGE_GROUP", "GENDER", "PURCHASING_POWER", "EDUCATION_LEVEL", "AREA_TYPE", "HOME_TYPE",
            "BUYER_REGION", "BUYER_COUNTRY")
DIM_SQL = {
    "AGE_GROUP": "b.age_group", "GENDER": "b.gender", "PURCHASING_POWER": "b.purchasing_power",
    "EDUCATION_LEVEL": "b.education_level", "AREA_TYPE": "b.area_type", "HOME_TYPE": "b.home_type",
    "BUYER_REGION": "b.buyer_region", "BUYER_COUNTRY": "b.buyer_country",
    "COUNTRY": "o.country", "REGION": "e.region", "ORG_TYPE": "o.org_type", "EVENT_TYPE": "e.event_type",
    "EVENT_CATEGORY": "e.event_category", "CLASSIFICATION_SOURCE": "e.classification_source",
    "ORGANIZATION": "b.org_id", "EVENT": "e.event_id",
    # the organization's own customer history and lead time (not enriched: exact in OWN, P6)
    "CUSTOMER_STATUS": "b.customer_status", "FREQUENCY_BAND": "b.frequency_band",
    "SPEND_BAND": "b.spend_band", "LEAD_TIME": "b.lead_time_band",
}
TIME_SQL = {"PURCHASED_AT": "b.first_purchased_at_local", "EVENT_DATE": "e.event_start_local"}
PART_SQL = {"WEEKDAY": "isodow({c})", "HOUR": "hour({c})", "MONTH": "month({c})", "QUARTER": "quarter({c})",
            "YEAR": "year({c})"}
YOUNG = ("0-17", "18-24")


@dataclass
class TCell:
    n: int = 0
    male: int = 0
    female: int = 0
    young: int = 0
    tickets: float = 0.0
    revenue: float = 0.0
    by_org: dict[str, tuple[int, float, float]] = field(default_factory=dict)  # org -> (n, tickets, revenue)
    # NETWORK cells pool each organization's counts times its secret noise factor (P5)
    scaled: dict[str, float] = field(default_factory=dict)

    def scaled_count(self, metric: str) -> int:
        return round(self.scaled.get(metric, self.scaled.get("BUYERS", 0.0)))

    @property
    def orgs(self) -> int:
        return len(self.by_org)

    def count(self, metric: str) -> int:
        return {"BUYERS": self.n, "MALE_BUYERS": self.male, "FEMALE_BUYERS": self.female,
                "YOUNG_BUYERS": self.young}.get(metric, self.n)

    def dominated(self, p: float, measures: tuple[int, ...] = (0, 1, 2)) -> bool:
        """The p% rule on buyers (0), tickets (1), revenue (2)."""
        for i in measures:
            xs = sorted((v[i] for v in self.by_org.values()), reverse=True)
            if not xs:
                continue
            top1, top2 = xs[0], (xs[1] if len(xs) > 1 else 0)
            if sum(xs) - top1 - top2 < p * top1:
                return True
        return False


#: The noise slot of each pooled count (metrics/model/measures.yaml).
SLOTS = {"BUYERS": 0, "EVENTS": 1, "TICKETS": 2, "REVENUE_EUR": 3, "MALE_BUYERS": 4, "FEMALE_BUYERS": 5,
         "YOUNG_BUYERS": 6}


def group_sql(g: dict[str, Any]) -> str:
    dim = g["dimension"]
    if dim in TIME_SQL:
        col = TIME_SQL[dim]
        if g.get("datePart"):
            return PART_SQL[g["datePart"]].format(c=col)
        return f"strftime(date_trunc('{g['granularity'].lower()}', {col}), '%Y-%m-%d')"
    return DIM_SQL[dim]


class Truth:
    """Exact figures (admin-only knowledge): SQL on a copy of the warehouse file."""

    def __init__(self, db_file: Path, k: int = 10) -> None:
        self.k = k
        self._dir = tempfile.mkdtemp(prefix="cid-truth-")
        copy = Path(self._dir) / "truth.duckdb"
        shutil.copy(db_file, copy)
        self.con = duckdb.connect(str(copy), read_only=True)
        # each organization's noise factor per measure slot (metrics/model/measures.yaml)
        self.factors: dict[tuple[str, int], float] = {
            (org, slot): f for org, slot, f in self.sql("SELECT org_id, slot, factor FROM org_noise")}
        self._cache: dict[str, dict[tuple[Any, ...], TCell]] = {}

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def sql(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()

    def cells(self, q: dict[str, Any], org_ids: tuple[str, ...] | None = None,
              guarded: bool | None = None) -> dict[tuple[Any, ...], TCell]:
        """Truth per cell of an insights query (``q`` as sent; org_ids restricts to organizations).

        For a protected query the truth is that of the population the differencing guard must
        leave (PRIVACY.md; tests/privacy/guard_rule.py): ``guarded`` None decides by the query's
        scope, dimensions and metrics, True/False forces it."""
        if guarded is None:
            guarded = any(is_protected(q, m) for m in q.get("metrics") or ["BUYERS"])
        if guarded:
            eff = self.effective(q, org_ids)
            return {} if eff is None else self.cells(eff, org_ids, guarded=False)
        cache_key = json.dumps([q.get("groupBy"), q.get("filters"), q.get("timeRange"), org_ids], sort_keys=True)
        if cache_key in self._cache:
            return self._cache[cache_key]
        groups = [group_sql(g) for g in q.get("groupBy") or []]
        where, params = ["true"], []
        for f in q.get("filters") or []:
            col = group_sql({"dimension": f["dimension"]}) if f["dimension"] not in TIME_SQL else None
            op = f.get("op", "IN")
            assert col and op in ("IN", "EQUALS", "NOT_IN"), f
            neg = "NOT " if op == "NOT_IN" else ""
            where.append(f"{col} {neg}IN ({', '.join('?' for _ in f['values'])})")
            params.extend(f["values"])
        tr = q.get("timeRange")
        if tr:
            col = TIME_SQL[tr.get("dimension") or "PURCHASED_AT"]
            if tr.get("from"):
                where.append(f"CAST({col} AS DATE) >= CAST(? AS DATE)")
                params.append(tr["from"])
            if tr.get("to"):
                where.append(f"CAST({col} AS DATE) <= CAST(? AS DATE)")
                params.append(tr["to"])
        if org_ids is not None:
            where.append(f"b.org_id IN ({', '.join('?' for _ in org_ids)})" if org_ids else "false")
            params.extend(org_ids)
        keys = [f"CAST({g} AS VARCHAR) AS k{i}" for i, g in enumerate(groups)]
        sel = ", ".join([*keys, "b.org_id"])
        sql = f"""
            SELECT {sel}, count(*), count(*) FILTER (WHERE b.gender = 'male'),
                   count(*) FILTER (WHERE b.gender = 'female'),
                   count(*) FILTER (WHERE b.age_group IN ('0-17', '18-24')),
                   sum(b.tickets), sum(b.amount_eur)
            FROM buyers b JOIN events e USING (event_sk) JOIN organizations o ON o.org_id = b.org_id
            WHERE {' AND '.join(where)}
            GROUP BY ALL
        """
        out: dict[tuple[Any, ...], TCell] = {}
        n = len(groups)
        for row in self.sql(sql, params):
            key = tuple(row[:n])
            org = row[n]
            cnt, male, female, young, tickets, revenue = row[n + 1:]
            c = out.setdefault(key, TCell())
            c.n += cnt
            c.male += male
            c.female += female
            c.young += young
            c.tickets += float(tickets or 0)
            c.revenue += float(revenue or 0)
            c.by_org[org] = (cnt, float(tickets or 0), float(revenue or 0))
            for name, v in (("BUYERS", cnt), ("MALE_BUYERS", male), ("FEMALE_BUYERS", female),
                            ("YOUNG_BUYERS", young)):
                c.scaled[name] = c.scaled.get(name, 0.0) + self.factors[(org, SLOTS[name])] * v
        self._cache[cache_key] = out
        return out

    def total(self, q: dict[str, Any], org_ids: tuple[str, ...] | None = None,
              guarded: bool | None = None) -> TCell:
        q = {**q, "groupBy": []}
        return self.cells(q, org_ids, guarded).get((), TCell())

    def effective(self, q: dict[str, Any], org_ids: tuple[str, ...] | None = None,
                  pooled: bool | None = None) -> dict[str, Any] | None:
        """The query the guard must answer for ``q`` (None: an empty population). A pooled
        (NETWORK, or a benchmark's peers) population judges organizations too."""
        if pooled is None:
            pooled = (q.get("scope") or "NETWORK") != "OWN"

        def counts(qq: dict[str, Any], group: dict[str, Any]) -> dict[Any, dict[str, int]]:
            return {key[0]: {o: v[0] for o, v in c.by_org.items()}
                    for key, c in self.cells({**qq, "groupBy": [group]}, org_ids, guarded=False).items()}
        return guard_rule.effective(q, counts, guard_rule.Safe(self.k, 5 if pooled else None, 0.15))

    def org_names(self) -> dict[str, str]:
        return dict(self.sql("SELECT org_id, name FROM organizations"))

    def events_of(self, org_id: str) -> list[tuple[str, str]]:
        return self.sql("SELECT event_id, event_name FROM events WHERE org_id = ? ORDER BY event_id", [org_id])


# --------------------------------------------------------------------------------------------
# Helpers

COUNT_METRICS = ("BUYERS", "MALE_BUYERS", "FEMALE_BUYERS", "YOUNG_BUYERS")
SHARE_NUM = {"FEMALE_SHARE": "FEMALE_BUYERS", "MALE_SHARE": "MALE_BUYERS", "YOUNG_SHARE": "YOUNG_BUYERS"}
PERSON_METRICS = ["BUYERS", "MALE_BUYERS", "FEMALE_BUYERS", "YOUNG_BUYERS", "FEMALE_SHARE", "YOUNG_SHARE",
                  "TICKETS_PER_BUYER"]


def is_protected(q: dict[str, Any], metric: str) -> bool:
    """Whether the documented rule protects this metric (everything but P6's exact own data)."""
    if q.get("scope", "NETWORK") == "NETWORK":
        return True
    used = [g["dimension"] for g in q.get("groupBy") or []] + [f["dimension"] for f in q.get("filters") or []]
    if any(d in ENRICHED for d in used):
        return True
    return metric in ("MALE_BUYERS", "FEMALE_BUYERS", "YOUNG_BUYERS", "FEMALE_SHARE", "MALE_SHARE", "YOUNG_SHARE")


def check_published(env: Env, q: dict[str, Any], ans: Answer, truth: dict[tuple[Any, ...], TCell],
                    population: TCell, res: AttackResult, what: str) -> int:
    """Every published value of a protected context comes from a cell (and population) >= k.

    Returns the number of published protected values checked.
    """
    k, checked = env.params.k, 0
    network = q.get("scope", "NETWORK") == "NETWORK"
    asked = " ".join(q.get("metrics", []))
    # the p% rule applies to the measures the answer publishes (buyers always)
    dom = (0, *((1,) if "TICKET" in asked else ()), *((2,) if "REVENUE" in asked else ()))
    rows = list(ans.rows.items())
    if ans.totals is not None:
        rows.append((("__totals__",), ans.totals))
    for key, metrics in rows:
        cell = population if key == ("__totals__",) else truth.get(key, TCell())
        for metric, pub in metrics.items():
            if pub.suppressed != (pub.value is None):
                res.leak(f"{what}: {metric} at {key} has value {pub.value} with suppressed={pub.suppressed}")
            if pub.suppressed:
                if pub.reason is None:
                    res.leak(f"{what}: {metric} at {key} suppressed without a reason")
                continue
            if not is_protected(q, metric):
                continue
            checked += 1
            needed = [cell.n]
            if metric in COUNT_METRICS:
                needed.append(cell.count(metric))
            if metric in SHARE_NUM:
                needed += [cell.count(SHARE_NUM[metric]), population.n]
            if min(needed) < k or population.n < k:
                res.leak(f"{what}: {metric}={pub.value} published at {key} with true counts {needed} "
                         f"(population {population.n}) < k={k}")
            if network and (cell.orgs < env.params.min_orgs or cell.dominated(env.params.p, dom)):
                res.leak(f"{what}: {metric}={pub.value} published at {key} pooling {cell.orgs} organizations"
                         f"{' (dominated)' if cell.dominated(env.params.p, dom) else ''}")
            if metric in COUNT_METRICS and pub.value is not None:
                # pooled: each organization's scaled contribution is rounded on its own (P5)
                true = cell.scaled.get(metric, cell.scaled.get("BUYERS", 0.0)) if network else cell.count(metric)
                slack = (env.params.base - 0.5) * cell.orgs if network else env.params.base - 1
                if pub.value % env.params.base or abs(pub.value - true) > slack:
                    res.leak(f"{what}: {metric}={pub.value} at {key} is not the truth {true} rounded to {env.params.base}")
    return checked


def err_text(ans: Answer) -> str:
    return json.dumps(ans.error or {}, ensure_ascii=False)


def _sample(rng: random.Random, items: list[Any], n: int) -> list[Any]:
    return items if len(items) <= n else rng.sample(items, n)


def busiest_values(env: Env, dim: str, n: int, where_org: str | None = None) -> list[str]:
    col = DIM_SQL[dim]
    cond = "WHERE b.org_id = ?" if where_org else ""
    rows = env.truth.sql(f"""SELECT CAST({col} AS VARCHAR), count(*) c FROM buyers b JOIN events e USING (event_sk)
                            JOIN organizations o ON o.org_id = b.org_id {cond} GROUP BY 1 ORDER BY c DESC, 1 LIMIT ?""",
                         ([where_org] if where_org else []) + [n])
    return [r[0] for r in rows]


# --------------------------------------------------------------------------------------------
# 1. Narrowing


def narrowing_queries(env: Env) -> list[tuple[str, str, dict[str, Any]]]:
    """(role, label, query): 3-dimension sweeps with the other dimensions as filters."""
    rng = random.Random(1)
    parts = {"AGE_GROUP": {"dimension": "AGE_GROUP"}, "GENDER": {"dimension": "GENDER"},
             "AREA_TYPE": {"dimension": "AREA_TYPE"},
             "WEEKDAY": {"dimension": "PURCHASED_AT", "datePart": "WEEKDAY"},
             "HOUR": {"dimension": "PURCHASED_AT", "datePart": "HOUR"}}
    filter_values = {"AGE_GROUP": ["25-34", "75+", "0-17"], "GENDER": ["female", "unknown"],
                     "AREA_TYPE": ["rural", "town", "large_city"]}
    regions = busiest_values(env, "REGION", 6)
    out: list[tuple[str, str, dict[str, Any]]] = []
    metrics = PERSON_METRICS
    for combo in itertools.combinations(parts, 3):
        rest = [d for d in parts if d not in combo and d in filter_values]
        filters_options: list[list[dict[str, Any]]] = [[]]
        for d in rest:
            filters_options.append([{"dimension": d, "op": "IN", "values": [rng.choice(filter_values[d])]}])
        if len(rest) == 2:
            filters_options.append([{"dimension": d, "op": "IN", "values": [rng.choice(filter_values[d])]} for d in rest])
        for flt in filters_options:
            extra = [] if rng.random() < 0.5 else [{"dimension": "REGION", "op": "IN", "values": [rng.choice(regions)]}]
            q = {"metrics": metrics, "groupBy": [parts[d] for d in combo], "filters": flt + extra, "totals": True}
            if rng.random() < 0.3:
                day = date(2025, 1, 1) + timedelta(days=rng.randrange(300))
                q["timeRange"] = {"from": day.isoformat(), "to": (day + timedelta(days=6)).isoformat()}
            out.append(("partner", "network " + "x".join(combo), q))
    # OWN scope: the member's events crossed with enriched attributes (protected, P6)
    events = busiest_values(env, "EVENT", 8, where_org=env.member_org)
    for combo in [("AGE_GROUP", "GENDER"), ("WEEKDAY", "AGE_GROUP"), ("HOUR", "AREA_TYPE"), ("GENDER", "AREA_TYPE")]:
        for flt in ([], [{"dimension": "AGE_GROUP", "op": "IN", "values": ["65-74"]}]):
            if "AGE_GROUP" in combo and flt:
                flt = [{"dimension": "GENDER", "op": "IN", "values": ["male"]}]
            q = {"metrics": metrics, "scope": "OWN", "groupBy": [{"dimension": "EVENT"}, *[parts[d] for d in combo]],
                 "filters": flt, "totals": True}
            out.append(("member", "own EVENTx" + "x".join(combo), q))
    for ev in events[:4]:
        q = {"metrics": metrics, "scope": "OWN", "filters": [{"dimension": "EVENT", "op": "IN", "values": [ev]}],
             "groupBy": [parts["WEEKDAY"], parts["HOUR"], parts["AGE_GROUP"]], "totals": True}
        out.append(("member", f"own event {ev} WEEKDAYxHOURxAGE", q))
        q = {"metrics": metrics, "scope": "OWN", "filters": [{"dimension": "EVENT", "op": "IN", "values": [ev]},
                                                            {"dimension": "AREA_TYPE", "op": "IN", "values": ["rural"]}],
             "groupBy": [parts["HOUR"], parts["GENDER"], parts["AGE_GROUP"]], "totals": True}
        out.append(("member", f"own event {ev} rural HOURxGENDERxAGE", q))
    for combo in [("AGE_GROUP", "GENDER", "AREA_TYPE"), ("WEEKDAY", "HOUR", "GENDER")]:
        out.append(("member_small", "own(small org) " + "x".join(combo),
                    {"metrics": metrics, "scope": "OWN", "groupBy": [parts[d] for d in combo], "totals": True}))
    if env.budget == "test":
        out = out[:6] + _sample(rng, out[6:], 18)
    return out


def attack_narrowing(env: Env) -> AttackResult:
    res = AttackResult("1. Narrowing (event x weekday x hour x age x gender x area)")
    checked = suppressed = 0
    for role, label, q in narrowing_queries(env):
        ans = ask(env, role, q)
        res.attempts += 1
        if ans.error:
            res.leak(f"{label}: unexpected error {err_text(ans)}")
            continue
        org = (env.member_org if role == "member" else env.other_org) if q.get("scope") == "OWN" else None
        truth = env.truth.cells(q, (org,) if org else None)
        population = env.truth.total(q, (org,) if org else None)
        checked += check_published(env, q, ans, truth, population, res, label)
        suppressed += sum(1 for m in ans.rows.values() for p in m.values() if p.suppressed)
    # Rules: EVENT/ORGANIZATION never in NETWORK; at most 3 crossed dimensions.
    refused = 0
    for role in ("partner", "member"):
        for dim in ("EVENT", "ORGANIZATION"):
            for how in ("groupBy", "filters"):
                q: dict[str, Any] = {"metrics": ["BUYERS"]}
                if how == "groupBy":
                    q["groupBy"] = [{"dimension": dim}, {"dimension": "AGE_GROUP"}]
                else:
                    value = busiest_values(env, dim, 1, where_org=env.member_org)[0]
                    q["filters"] = [{"dimension": dim, "op": "IN", "values": [value]}]
                ans = ask(env, role, q)
                res.attempts += 1
                if ans.code != "PRIVACY_RULE":
                    res.leak(f"{dim} as {how} in NETWORK scope ({role}) was not refused: {ans.body[:300]}")
                else:
                    refused += 1
    for scope, role in (("NETWORK", "partner"), ("OWN", "member")):
        q = {"metrics": ["BUYERS"], "scope": scope,
             "groupBy": [{"dimension": "AGE_GROUP"}, {"dimension": "GENDER"}, {"dimension": "AREA_TYPE"},
                         {"dimension": "PURCHASED_AT", "datePart": "HOUR"}]}
        ans = ask(env, role, q)
        res.attempts += 1
        if ans.code != "PRIVACY_RULE":
            res.leak(f"4 crossed dimensions in scope {scope} were not refused: {ans.body[:300]}")
        else:
            refused += 1
    res.stats.update(values_checked=checked, suppressed_values=suppressed, refused=refused)
    res.notes.append(f"{checked} published protected values checked against the truth, {suppressed} suppressed; "
                     f"{refused} forbidden shapes refused with PRIVACY_RULE")
    return res


# --------------------------------------------------------------------------------------------
# 2. Complementary derivation


def _interval(total_lo: float, total_hi: float, visible: list[float], b: int, k: int, n_supp: int,
              cap: int) -> tuple[float, float]:
    """The attacker's interval for the sum of the suppressed cells."""
    vis_lo = sum(max(v - (b - 1), k) for v in visible)
    vis_hi = sum(v + (b - 1) for v in visible)
    return max(0, total_lo - vis_hi), min(cap, total_hi - vis_lo)


def attack_complementary(env: Env) -> AttackResult:
    res = AttackResult("2. Complementary derivation (margin minus visible cells)")
    k, b = env.params.k, env.params.base
    widths: list[float] = []
    guesses = exact_guesses = pinned = 0
    dims = ["AGE_GROUP", "GENDER", "AREA_TYPE", "PURCHASING_POWER", "EDUCATION_LEVEL", "HOME_TYPE"]
    # NETWORK: published totals (perturbed on their own) minus published cells
    filters = [[{"dimension": "COUNTRY", "op": "IN", "values": [c]}] for c in ("NO", "SE", "DK", "FI")]
    filters += [[{"dimension": "ORG_TYPE", "op": "IN", "values": [t]}] for t in busiest_values(env, "ORG_TYPE", 4)]
    filters += [[{"dimension": "REGION", "op": "IN", "values": [r]}] for r in busiest_values(env, "REGION", 6)]
    queries: list[tuple[str, dict[str, Any], str | None]] = []
    for flt in filters:
        for dim in dims:
            queries.append(("partner", {"metrics": ["BUYERS"], "groupBy": [{"dimension": dim}], "filters": flt,
                                        "totals": True}, None))
    # OWN: the member's exact margin (P6: no enriched attribute) minus protected cells, per event
    own = []
    orgs = [o for o in busiest_values(env, "ORGANIZATION", 40) if f"member:{o}" in env.tokens]
    for org in orgs[3:3 + (4 if env.budget == "test" else 12)]:
        for dim in dims:
            own.append((f"member:{org}", {"metrics": ["BUYERS"], "scope": "OWN", "limit": 5000,
                                          "groupBy": [{"dimension": "EVENT"}, {"dimension": dim}]}, org))
    rng = random.Random(2)
    if env.budget == "test":
        queries = _sample(rng, queries, 16) + _sample(rng, own, 12)
    else:
        queries += own
    for role, q, org in queries:
        role = env.tokens.get(role, role)
        ans = ask(env, role, q)
        if ans.error:
            res.leak(f"unexpected error {err_text(ans)}")
            continue
        if (ans.meta or {}).get("truncated"):
            continue  # an incomplete breakdown is no partition
        truth = env.truth.cells(q, (org,) if org else None)
        if org is None:
            if ans.totals is None or ans.totals["BUYERS"].value is None:
                continue
            groups: dict[tuple[Any, ...], list[tuple[tuple[Any, ...], Pub]]] = {(): list(
                (key, m["BUYERS"]) for key, m in ans.rows.items())}
            margins = {(): (ans.totals["BUYERS"].value - (b - 1), ans.totals["BUYERS"].value + (b - 1))}
        else:
            exact = ask(env, role, {"metrics": ["BUYERS"], "scope": "OWN", "groupBy": [{"dimension": "EVENT"}],
                                    "limit": 5000})
            margins = {key: (m["BUYERS"].value, m["BUYERS"].value) for key, m in exact.rows.items()}
            groups = defaultdict(list)
            for key, m in ans.rows.items():
                groups[key[:1]].append((key, m["BUYERS"]))
        for gkey, cells in groups.items():
            if gkey not in margins or margins[gkey][0] is None:
                continue
            supp = [key for key, p in cells if p.suppressed]
            # one suppressed cell among visible ones (the sum of all cells of a group is its margin)
            if len(supp) != 1 or any(p.reason != "BELOW_THRESHOLD" for _, p in cells if p.suppressed):
                continue
            visible = [p.value for _, p in cells if not p.suppressed]
            lo, hi = _interval(margins[gkey][0], margins[gkey][1], visible, b, k, len(supp), (k - 1) * len(supp))
            true = sum(truth.get(key, TCell()).n for key in supp)
            if lo > hi:
                res.notes.append(f"inconsistent derivation skipped: {q} {gkey}")
                continue
            res.attempts += 1
            widths.append(hi - lo)
            if not lo <= true <= hi:
                res.notes.append(f"attacker interval [{lo}, {hi}] misses the truth {true} (inconsistent?)")
            derived = (margins[gkey][0] + margins[gkey][1]) / 2 - sum(visible)
            guess = min(max(round(derived), 0), (k - 1) * len(supp))
            guesses += 1
            exact_guesses += guess == true
            if hi - lo < 1:
                pinned += 1
                res.stats.setdefault("pinned_examples", []).append(
                    {"query": q, "cells": [list(s) for s in supp], "true": true, "interval": [lo, hi]})
    rate = exact_guesses / guesses if guesses else 0.0
    res.stats.update(derivations=guesses, exact_guess_rate=round(rate, 3), pinned=pinned,
                     mean_interval_width=round(sum(widths) / len(widths), 2) if widths else None,
                     min_interval_width=min(widths) if widths else None)
    res.notes.append(f"{guesses} derivations of suppressed cells: attacker's interval {res.stats['mean_interval_width']}"
                     f" wide on average (min {res.stats['min_interval_width']}); best guess exact in {rate:.1%}; "
                     f"pinned exactly {pinned} times")
    if guesses and rate >= 0.5:
        res.leak(f"complementary derivation recovers suppressed cells exactly in {rate:.1%} of {guesses} attempts")
    if pinned:
        res.leak(f"complementary derivation pinned a suppressed cell exactly {pinned} times "
                 f"(e.g. {res.stats['pinned_examples'][0]})")
    return res


# --------------------------------------------------------------------------------------------
# 3. Differencing


def _day_counts(env: Env, org: str | None, extra_where: str = "", params: list[Any] | None = None) -> list[tuple[date, int]]:
    cond = ["true"]
    p: list[Any] = []
    if org:
        cond.append("b.org_id = ?")
        p.append(org)
    if extra_where:
        cond.append(extra_where)
        p += params or []
    return env.truth.sql(f"""SELECT CAST(b.first_purchased_at_local AS DATE) d, count(*) FROM buyers b
                            JOIN events e USING (event_sk) JOIN organizations o ON o.org_id = b.org_id
                            WHERE {' AND '.join(cond)} GROUP BY 1 ORDER BY 1""", p)


def differencing_pairs(env: Env) -> list[tuple[str, str | None, dict[str, Any], dict[str, Any], str]]:
    """(role, org, q_small, q_large, label): populations that differ by 1-3 buyers."""
    rng = random.Random(3)
    out = []
    dims = ["AGE_GROUP", "GENDER", "AREA_TYPE", "PURCHASING_POWER", "EDUCATION_LEVEL", "HOME_TYPE"]
    # OWN: a time range extended by one day that adds 1-3 buyers (the member knows it exactly, P6)
    days = _day_counts(env, env.member_org)
    cands = [(i, d) for i, (d, c) in enumerate(days) if 1 <= c <= 3 and i > 0]
    for i, d in _sample(rng, cands, 40 if env.budget == "test" else 150):
        start = days[0][0].isoformat()
        dim = rng.choice(dims)
        base = {"metrics": ["BUYERS"], "scope": "OWN", "groupBy": [{"dimension": dim}]}
        out.append(("member", env.member_org, {**base, "timeRange": {"from": start, "to": days[i - 1][0].isoformat()}},
                    {**base, "timeRange": {"from": start, "to": d.isoformat()}}, f"own +1 day {d} by {dim}"))
    # NETWORK: a narrow filter plus one more day; and one region added to a set
    country = "NO"
    days = _day_counts(env, None, "o.country = ? AND o.org_type = ?", [country, "music"])
    cands = [(i, d) for i, (d, c) in enumerate(days) if 1 <= c <= 3 and i > 30]
    for i, d in _sample(rng, cands, 20 if env.budget == "test" else 80):
        dim = rng.choice(dims)
        base = {"metrics": ["BUYERS"], "groupBy": [{"dimension": dim}],
                "filters": [{"dimension": "COUNTRY", "op": "IN", "values": [country]},
                            {"dimension": "ORG_TYPE", "op": "IN", "values": ["music"]}]}
        start = days[0][0].isoformat()
        out.append(("partner", None, {**base, "timeRange": {"from": start, "to": days[i - 1][0].isoformat()}},
                    {**base, "timeRange": {"from": start, "to": d.isoformat()}}, f"network +1 day {d} by {dim}"))
    regions = env.truth.sql("""SELECT e.region, count(*) c FROM buyers b JOIN events e USING (event_sk)
                               GROUP BY 1 ORDER BY c DESC""")
    big = [r for r, c in regions[:8]]
    small = [r for r, c in regions if 1 <= c <= 3]
    for r in small:
        dim = rng.choice(dims)
        base_set = rng.sample(big, 3)
        def mk(vals: list[str], dim: str = dim) -> dict[str, Any]:
            return {"metrics": ["BUYERS"], "groupBy": [{"dimension": dim}],
                    "filters": [{"dimension": "REGION", "op": "IN", "values": vals}]}
        out.append(("partner", None, mk(base_set), mk(base_set + [r]), f"network +region {r} by {dim}"))
    return out


def attack_differencing(env: Env) -> AttackResult:
    """Pairs of queries whose populations, as asked, differ by 1-3 buyers.

    Without a guard the one cell holding the added buyers is the only one whose published value
    can move (the cell key keeps every unchanged cell's value), which shows their attribute. The
    differencing guard must make the populations actually answered differ by 0 or at least k
    buyers; every cell whose rows did not change must keep its published value; and a published
    difference must never equal the true difference of the buyers added as asked."""
    res = AttackResult("3. Differencing (populations differing by 1-3 buyers)")
    k = env.params.k
    exact_equal = attempts_cells = naive_hits = guard_failures = identical = 0
    for role, org, q1, q2, label in differencing_pairs(env):
        orgs = (org,) if org else None
        raw1, raw2 = env.truth.cells(q1, orgs, guarded=False), env.truth.cells(q2, orgs, guarded=False)
        delta = sum(c.n for c in raw2.values()) - sum(c.n for c in raw1.values())
        if not 1 <= delta <= 3:
            continue
        a1, a2 = ask(env, role, q1), ask(env, role, q2)
        if a1.error or a2.error:
            res.leak(f"{label}: unexpected error {err_text(a1)} {err_text(a2)}")
            continue
        res.attempts += 1
        t1, t2 = env.truth.cells(q1, orgs), env.truth.cells(q2, orgs)  # as the guard must answer them
        answered = sum(c.n for c in t2.values()) - sum(c.n for c in t1.values())
        if 0 < abs(answered) < k:
            guard_failures += 1
            res.leak(f"{label}: the populations answered differ by {answered} buyers (fewer than k={k})")
        keys = set(a1.rows) | set(a2.rows)
        raw_target = {key for key in keys if raw2.get(key, TCell()).n != raw1.get(key, TCell()).n}
        moved = set()
        for key in keys:
            p1 = a1.rows.get(key, {}).get("BUYERS")
            p2 = a2.rows.get(key, {}).get("BUYERS")
            v1 = p1.value if p1 else None
            v2 = p2.value if p2 else None
            rows_changed = t2.get(key, TCell()).n != t1.get(key, TCell()).n
            if v1 != v2:
                moved.add(key)
                if not rows_changed:
                    res.leak(f"{label}: cell {key} changed ({v1} -> {v2}) though the rows answered did not")
            if v1 is not None and v2 is not None and key in raw_target:
                attempts_cells += 1
                if v2 - v1 == raw2.get(key, TCell()).n - raw1.get(key, TCell()).n:
                    exact_equal += 1
        identical += not moved
        if moved and moved <= raw_target:
            naive_hits += 1
    n = res.attempts or 1
    rate_equal = exact_equal / attempts_cells if attempts_cells else 0.0
    res.stats.update(pairs=res.attempts, exact_difference_rate=round(rate_equal, 3),
                     attribute_revealed_rate=round(guard_failures / n, 3), guard_failures=guard_failures,
                     identical_answers_rate=round(identical / n, 3),
                     moved_only_in_added_cells_rate=round(naive_hits / n, 3))
    res.notes.append(
        f"{res.attempts} pairs: the populations answered differ by fewer than k in {guard_failures}; "
        f"{identical / n:.1%} of pairs get identical answers; the published difference equals the true one "
        f"in {rate_equal:.1%} of the added buyers' cells; in {naive_hits / n:.1%} of pairs the cells that moved "
        f"are all cells of the added buyers (each time as part of a whole run or slice of at least k buyers)")
    if rate_equal >= 0.5:
        res.leak(f"the published difference equals the true difference in {rate_equal:.1%} of cells")
    return res


# --------------------------------------------------------------------------------------------
# 4. Repetition

REPEAT_BASE = {
    "metrics": ["BUYERS", "FEMALE_SHARE"],
    "groupBy": [{"dimension": "GENDER"}],
    "filters": [{"dimension": "COUNTRY", "op": "IN", "values": ["DK", "SE"]},
                {"dimension": "ORG_TYPE", "op": "IN", "values": ["music", "theatre_performing_arts", "museum_heritage"]}],
    "totals": True,
}


def _canon(result: dict[str, Any]) -> str:
    rows = sorted(
        (tuple(sorted((d["dimension"], d["value"]) for d in r["dimensions"])),
         tuple(sorted((m["metric"], m["value"], m["suppressed"], m["reason"]) for m in r["metrics"])))
        for r in result["rows"])
    totals = sorted((m["metric"], m["value"], m["suppressed"]) for m in (result.get("totals") or {}).get("metrics", []))
    return json.dumps([rows, totals])


def _literal(value: Any, enum: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if enum else json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v, enum) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v, k not in ('values', 'from', 'to'))}" for k, v in value.items()) + "}"
    return json.dumps(value)


SELECTION = ("rows { dimensions { dimension value } metrics { metric value suppressed reason } } "
             "totals { metrics { metric value suppressed } }")


def attack_repetition(env: Env, answers: int = 1000) -> AttackResult:
    res = AttackResult("4. Repetition (same query, aliases, fragments, reordering, locales)")
    token = env.tokens["partner"]
    seen: dict[str, int] = defaultdict(int)

    def record(result: dict[str, Any]) -> None:
        seen[_canon(result)] += 1
        res.attempts += 1

    def variants(i: int) -> dict[str, Any]:
        rng = random.Random(i)
        q = json.loads(json.dumps(REPEAT_BASE))
        rng.shuffle(q["metrics"])
        rng.shuffle(q["filters"])
        for f in q["filters"]:
            rng.shuffle(f["values"])
        if rng.random() < 0.5:
            q["groupBy"].reverse()
        return q

    plain = f"query($q: InsightQuery!, $l: String) {{ insights(query: $q, locale: $l) {{ {SELECTION} }} }}"
    locales = [None, "nb", "en", "sv", "da", "fi"]
    # plain repeats, reordered lists and locales
    for i in range(60):
        r = env.client.post(plain, token, {"q": variants(i) if i % 2 else REPEAT_BASE, "l": locales[i % len(locales)]},
                            headers={"Accept-Language": "sv"} if i % 7 == 0 else None)
        record(r.json()["data"]["insights"])
    # aliases (up to the alias limit), inline literals and fragments
    per_doc = 15
    i = 0
    while res.attempts < answers:
        parts = []
        for j in range(per_doc):
            q = variants(1000 + i * per_doc + j)
            if j % 3 == 0:
                parts.append(f"a{j}: insights(query: {_literal(q)}, locale: \"{locales[j % 6] or 'en'}\") {{ ...R }}")
            elif j % 3 == 1:
                parts.append(f"a{j}: insights(query: {_literal(q)}) {{ {SELECTION} }}")
            else:
                parts.append(f"a{j}: insights(query: {_literal(q)}) {{ ... on InsightResult {{ {SELECTION} }} }}")
        doc = "query { " + " ".join(parts) + " } fragment R on InsightResult { " + SELECTION + " }"
        body = env.client.post(doc, token).json()
        if body.get("errors"):
            res.leak(f"aliased request failed: {body['errors'][0]}")
            break
        for result in body["data"].values():
            record(result)
        i += 1
    # a single-value IN and EQUALS name the same rows
    same = [{**REPEAT_BASE, "filters": [{"dimension": "COUNTRY", "op": op, "values": ["NO"]}]} for op in ("IN", "EQUALS")]
    eq = {_canon(env.client.post(plain, token, {"q": q}).json()["data"]["insights"]) for q in same}
    res.attempts += 2
    if len(eq) != 1:
        res.leak("COUNTRY IN [NO] and COUNTRY EQUALS NO give different answers")
    res.stats.update(answers=res.attempts, distinct_answers=len(seen))
    res.notes.append(f"{res.attempts} answers of one question in {len(seen)} distinct form(s)")
    if len(seen) != 1:
        res.leak(f"the same question got {len(seen)} different answers over {res.attempts} repetitions")
    return res


# --------------------------------------------------------------------------------------------
# 5. Averaging

PARTITIONS: list[list[dict[str, Any]]] = [
    [{"dimension": d}] for d in ("AGE_GROUP", "GENDER", "AREA_TYPE", "PURCHASING_POWER", "EDUCATION_LEVEL",
                                 "HOME_TYPE", "BUYER_COUNTRY", "EVENT_TYPE", "EVENT_CATEGORY", "ORG_TYPE",
                                 "CLASSIFICATION_SOURCE")
] + [
    [{"dimension": "PURCHASED_AT", "datePart": p}] for p in ("WEEKDAY", "QUARTER", "YEAR", "MONTH")
] + [
    [{"dimension": "EVENT_DATE", "datePart": p}] for p in ("WEEKDAY", "QUARTER", "YEAR", "MONTH")
] + [
    [{"dimension": "PURCHASED_AT", "granularity": "QUARTER"}],
    [{"dimension": "GENDER"}, {"dimension": "PURCHASING_POWER"}],
    [{"dimension": "GENDER"}, {"dimension": "EDUCATION_LEVEL"}],
    [{"dimension": "GENDER"}, {"dimension": "HOME_TYPE"}],
    [{"dimension": "GENDER"}, {"dimension": "PURCHASED_AT", "datePart": "YEAR"}],
    [{"dimension": "PURCHASING_POWER"}, {"dimension": "EDUCATION_LEVEL"}],
    [{"dimension": "AREA_TYPE"}, {"dimension": "GENDER"}],
    [{"dimension": "PURCHASED_AT", "datePart": "QUARTER"}, {"dimension": "GENDER"}],
    [{"dimension": "EVENT_DATE", "datePart": "YEAR"}, {"dimension": "PURCHASING_POWER"}],
]


AGES = ("0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "unknown")


def _total(env: Env, role: str, base: dict[str, Any], extra: list[dict[str, Any]]) -> float | None:
    ans = ask(env, role, {**base, "filters": [*base.get("filters", []), *extra]})
    if ans.error or not ans.rows:
        return None
    return next(iter(ans.rows.values()))["BUYERS"].value


def _partition_sum(env: Env, role: str, q: dict[str, Any], skip: Any = None) -> float | None:
    """Sum of a breakdown's published cells (optionally leaving out cells whose first key is
    ``skip``); None when a needed cell is suppressed or the query is refused."""
    ans = ask(env, role, q)
    if ans.error or not ans.rows:
        return None
    total = 0.0
    for key, metrics in ans.rows.items():
        if skip is not None and key[0] == skip:
            continue
        pub = metrics["BUYERS"]
        if pub.suppressed or pub.value is None:
            return None
        total += pub.value
    return total


#: Breakdowns crossed with the partition dimension: each gives an independently perturbed cut.
CROSSINGS = ("GENDER", "AREA_TYPE", "PURCHASING_POWER", "EDUCATION_LEVEL", "HOME_TYPE", "BUYER_COUNTRY",
             "EVENT_TYPE", "ORG_TYPE", "COUNTRY")
CROSS_PARTS = (("PURCHASED_AT", "WEEKDAY"), ("PURCHASED_AT", "QUARTER"), ("PURCHASED_AT", "YEAR"),
               ("EVENT_DATE", "WEEKDAY"), ("EVENT_DATE", "QUARTER"))


def _cuts(first: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """Group-bys that partition a population (``first`` leads each, when given)."""
    lead = [first] if first else []
    out = [[*lead, {"dimension": d}] for d in CROSSINGS if not first or d != first["dimension"]]
    out += [[*lead, {"dimension": t, "datePart": part}] for t, part in CROSS_PARTS]
    if not first:
        out = [*PARTITIONS, *out]
    return out


def attack_averaging(env: Env) -> AttackResult:
    """(a) a total rebuilt from 20+ partitions (breakdowns and crossings of breakdowns), averaged;
    (b) a suppressed cell rebuilt as the mean of 20+ complements (population total minus the other
    published cells of 20+ different crossings), and by the mean of differences
    T(AGE_GROUP IN S + [a]) - T(AGE_GROUP IN S), which the differencing guard makes 0."""
    res = AttackResult("5. Averaging (a total rebuilt from 20+ partitions; a small cell from 20+ differences)")
    rng = random.Random(5)
    k = env.params.k
    targets: list[dict[str, Any]] = []
    for c in ("NO", "SE"):
        for year in ("2024", "2025"):
            targets.append({"metrics": ["BUYERS"], "filters": [{"dimension": "COUNTRY", "op": "IN", "values": [c]}],
                            "timeRange": {"from": f"{year}-01-01", "to": f"{year}-12-31"}})
    targets.append({"metrics": ["BUYERS"]})
    for t in busiest_values(env, "ORG_TYPE", 3):
        targets.append({"metrics": ["BUYERS"], "filters": [{"dimension": "ORG_TYPE", "op": "IN", "values": [t]}]})
    if env.budget == "test":
        targets = targets[:4]
    splits = [set(c) for r in range(1, 5) for c in itertools.combinations(AGES, r)]
    single_err, avg_err, single_exact, avg_exact, used = [], [], 0, 0, []
    rmse = lambda xs: math.sqrt(sum(x * x for x in xs) / len(xs)) if xs else float("nan")  # noqa: E731
    for base in targets:
        true = env.truth.total(base).n
        tot = ask(env, "partner", {**base, "totals": True}).totals
        if tot is None or tot["BUYERS"].value is None:
            continue
        estimates = []
        for part in _cuts(None):
            v = _partition_sum(env, "partner", {**base, "groupBy": part})
            if v is not None:
                estimates.append(v)
            if len(estimates) >= 15:
                break
        # two-way splits T(AGE_GROUP IN S) + T(AGE_GROUP IN complement of S)
        for split in rng.sample(splits, len(splits)):
            if len(estimates) >= 30:
                break
            a = _total(env, "partner", base, [{"dimension": "AGE_GROUP", "op": "IN", "values": sorted(split)}])
            b = _total(env, "partner", base, [{"dimension": "AGE_GROUP", "op": "IN",
                                               "values": [x for x in AGES if x not in split]}])
            if a is not None and b is not None:
                estimates.append(a + b)
        if len(estimates) < 20:
            continue
        res.attempts += 1
        res.stats.setdefault("totals_detail", []).append(
            {"filters": base.get("filters"), "timeRange": base.get("timeRange"), "true": true,
             "published": tot["BUYERS"].value, "averaged": round(sum(estimates) / len(estimates), 2),
             "estimates": len(estimates)})
        used.append(len(estimates))
        mean = sum(estimates) / len(estimates)
        single_err.append(tot["BUYERS"].value - true)
        avg_err.append(mean - true)
        single_exact += tot["BUYERS"].value == true
        avg_exact += round(mean) == true
    n = max(res.attempts, 1)
    res.stats.update(totals_targets=res.attempts, estimates_per_target=round(sum(used) / n, 1),
                     totals_rmse_single=round(rmse(single_err), 2), totals_rmse_averaged=round(rmse(avg_err), 2),
                     totals_exact_single=single_exact, totals_exact_averaged=avg_exact)
    res.notes.append(
        f"(a) {res.attempts} totals rebuilt from {res.stats['estimates_per_target']} partitions each: RMSE of the "
        f"average {res.stats['totals_rmse_averaged']} vs {res.stats['totals_rmse_single']} for the published total; "
        f"exact after rounding in {avg_exact}/{res.attempts} vs {single_exact}/{res.attempts}")
    if single_err and (rmse(avg_err) < 0.5 * rmse(single_err) or avg_exact > single_exact):
        res.leak(f"averaging converges on true totals: exact in {avg_exact}/{len(avg_err)} targets vs {single_exact} for "
                 f"the published total (RMSE {res.stats['totals_rmse_averaged']} vs {res.stats['totals_rmse_single']})")

    # (b) suppressed cells: base x one age group with 1..k-1 buyers, base pooling enough organizations
    cells = []
    for dims in (("REGION",), ("ORG_TYPE",), ("EVENT_TYPE",), ("REGION", "EVENT_TYPE"), ("ORG_TYPE", "REGION"),
                 ("EVENT_CATEGORY",), ("BUYER_REGION",), ("COUNTRY", "EVENT_TYPE")):
        q = {"metrics": ["BUYERS"], "groupBy": [*({"dimension": d} for d in dims), {"dimension": "AGE_GROUP"}]}
        bases = env.truth.cells({"groupBy": [{"dimension": d} for d in dims]})
        for key, c in env.truth.cells(q).items():
            if 1 <= c.n < k:
                base = bases.get(key[:-1])
                if base and base.orgs >= env.params.min_orgs + 2 and not base.dominated(env.params.p) and base.n > 300:
                    cells.append((dims, key[:-1], key[-1], c.n))
    rng.shuffle(cells)
    cells = cells[: (5 if env.budget == "test" else 12)]  # a cell whose lists the guard refuses gives none
    hits = tried = list_diffs = list_zero = 0
    errors: list[float] = []
    for dims, values, age, n_true in cells:
        base = {"metrics": ["BUYERS"], "filters": [{"dimension": d, "op": "IN", "values": [v]}
                                                   for d, v in zip(dims, values, strict=True)]}
        where = dict(zip(dims, values, strict=True))
        # the differencing form T(AGE_GROUP IN S + [a]) - T(AGE_GROUP IN S): the guard leaves the
        # small bucket out of the list, so the difference must be 0 every time
        others = [a for a in AGES if a != age]
        for s in itertools.islice(itertools.combinations(others, 2), 4):
            with_cell = _total(env, "partner", base, [{"dimension": "AGE_GROUP", "op": "IN", "values": [*s, age]}])
            without = _total(env, "partner", base, [{"dimension": "AGE_GROUP", "op": "IN", "values": list(s)}])
            if with_cell is None or without is None:
                continue
            list_diffs += 1
            if with_cell == without:
                list_zero += 1
            else:
                res.leak(f"T(AGE_GROUP IN {list(s) + [age]}) - T(AGE_GROUP IN {list(s)}) = {with_cell - without} "
                         f"in NETWORK {where}, where {age} holds {n_true} buyers")
        # the complement form: population total minus the other cells, over many crossings
        tot = ask(env, "partner", {**base, "totals": True}).totals
        if tot is None or tot["BUYERS"].value is None:
            continue
        est = []
        for part in [[{"dimension": "AGE_GROUP"}]] + _cuts({"dimension": "AGE_GROUP"}):
            rest = _partition_sum(env, "partner", {**base, "groupBy": part}, skip=age)
            if rest is not None:
                est.append(tot["BUYERS"].value - rest)
        if len(est) < 10:
            continue
        tried += 1
        guess = min(max(round(sum(est) / len(est)), 0), k - 1)
        errors.append(sum(est) / len(est) - n_true)
        if guess == n_true:
            hits += 1
            res.notes.append(f"suppressed NETWORK cell {where} x AGE_GROUP={age} ({n_true} buyers) guessed exactly "
                             f"from the mean of {len(est)} complements")
    res.attempts += tried
    res.stats.update(small_cells_tried=tried, small_cells_recovered=hits, list_differences=list_diffs,
                     list_differences_zero=list_zero,
                     small_cells_rmse=round(rmse(errors), 2) if errors else None)
    res.notes.append(f"(b) {list_zero}/{list_diffs} differences of bucket lists with and without a small bucket are 0; "
                     f"{tried} suppressed cells "
                     f"attacked by averaging complements: {hits} guessed exactly (RMSE "
                     f"{res.stats['small_cells_rmse']}; a blind guess in 1..{k - 1} is right 1 time in {k - 1})")
    if tried >= 3 and hits / tried > 0.5:
        res.leak(f"averaging complements recovers suppressed cells: {hits}/{tried} exact")
    return res


# --------------------------------------------------------------------------------------------
# 6. Dominance and coalitions


def attack_dominance(env: Env) -> AttackResult:
    res = AttackResult("6. Dominance and coalitions of organizations")
    p, min_orgs = env.params.p, env.params.min_orgs
    shapes = [[{"dimension": "REGION"}, {"dimension": "ORG_TYPE"}], [{"dimension": "COUNTRY"}, {"dimension": "EVENT_TYPE"}],
              [{"dimension": "REGION"}, {"dimension": "EVENT_TYPE"}], [{"dimension": "COUNTRY"}, {"dimension": "ORG_TYPE"}],
              [{"dimension": "REGION"}], [{"dimension": "ORG_TYPE"}, {"dimension": "EVENT_CATEGORY"}],
              [{"dimension": "COUNTRY"}, {"dimension": "PURCHASED_AT", "datePart": "QUARTER"}]]
    metrics = ["BUYERS", "TICKETS", "REVENUE_EUR"]
    dominated_seen = coalition_tries = coalition_hits = 0
    best: tuple[float, str] | None = None
    for gb in shapes:
        q = {"metrics": metrics, "groupBy": gb}
        ans = ask(env, "partner", q)
        truth = env.truth.cells(q)
        checked = check_published(env, q, ans, truth, env.truth.total(q), res, f"network {[g['dimension'] for g in gb]}")
        res.attempts += checked
        for key, cell in truth.items():
            pub = ans.rows.get(key, {})
            if cell.orgs >= min_orgs and cell.n >= env.params.k and cell.dominated(p):
                dominated_seen += 1
                if not all(pub.get(m) and pub[m].suppressed for m in metrics):
                    res.leak(f"dominated cell {key} published")
                elif pub["BUYERS"].reason != "DOMINANCE":
                    res.notes.append(f"dominated cell {key} suppressed as {pub['BUYERS'].reason}")
            # two colluders (2nd and 3rd largest) estimate the largest: X - x2 - x3
            if not pub or any(pub[m].suppressed for m in metrics) or cell.orgs < 3:
                continue
            for i, m in enumerate(metrics):
                ranked = sorted(cell.by_org.items(), key=lambda kv: kv[1][i], reverse=True)
                target, x1 = ranked[0][0], ranked[0][1][i]
                colluders = ranked[1][1][i] + ranked[2][1][i]
                estimate = pub[m].value - colluders
                coalition_tries += 1
                err = abs(estimate - x1) / x1 if x1 else math.inf
                if best is None or err < best[0]:
                    best = (err, f"{key} {m}: target {target}")
                if err <= p:
                    coalition_hits += 1
                    res.leak(f"coalition: in network cell {dict(zip([g['dimension'] for g in gb], key, strict=True))} the 2nd and "
                             f"3rd largest organizations estimate {m} of the largest ({target}: {x1:.0f}) as "
                             f"{estimate:.0f} (error {err:.1%} <= {p:.0%})")
    res.stats.update(dominated_cells=dominated_seen, coalition_tries=coalition_tries, coalition_hits=coalition_hits)
    if best:
        res.notes.append(f"coalition (2nd+3rd largest vs the largest): {coalition_tries} tries, {coalition_hits} within "
                         f"{p:.0%}; closest {best[0]:.1%} ({best[1]})")
    res.notes.append(f"{dominated_seen} dominated cells with >= {min_orgs} organizations, all suppressed"
                     if not res.leaks else f"{dominated_seen} dominated cells found")
    # Differencing organizations out of two pooled cells: DIM IN [set] vs DIM IN [set + v] where
    # v's buyers are all one organization's (public knowledge of who plays where, or what).
    safe = guard_rule.Safe(env.params.k, min_orgs, p)
    diff_tries = diff_hits = 0
    cases = []
    for dim in ("REGION", "EVENT_CATEGORY", "EVENT_TYPE", "ORG_TYPE", "COUNTRY"):
        by_value = {key[0]: c for key, c in env.truth.cells({"groupBy": [{"dimension": dim}]}, guarded=False).items()}
        kept = sorted((v for v, c in by_value.items() if safe({o: x[0] for o, x in c.by_org.items()})),
                      key=lambda v: -by_value[v].n)
        # organizations of at least 100 buyers there: a smaller contribution is dominated by its own
        # rounding (+-4.5), not by its noise factor (PRIVACY.md, P5: the bound of the protection)
        lonely = [(v, next(iter(c.by_org)), c) for v, c in by_value.items() if c.orgs == 1 and c.n >= 100]
        for v, org, c in lonely:
            big = [x for x in kept if org not in by_value[x].by_org][:2]
            if len(big) == 2:
                cases.append((dim, big, v, org, c))
    for dim, big, r, org, t in cases[: (4 if env.budget == "test" else 20)]:
        q1 = {"metrics": metrics, "filters": [{"dimension": dim, "op": "IN", "values": big}], "totals": True}
        q2 = {"metrics": metrics, "filters": [{"dimension": dim, "op": "IN", "values": big + [r]}], "totals": True}
        a1, a2 = ask(env, "partner", q1), ask(env, "partner", q2)
        if a1.totals is None or a2.totals is None:
            continue
        for i, m in enumerate(metrics):
            v1, v2 = a1.totals[m].value, a2.totals[m].value
            if v1 is None or v2 is None:
                continue
            diff_tries += 1
            true = [t.n, t.tickets, t.revenue][i]
            err = abs((v2 - v1) - true) / true if true else math.inf
            if err <= p:
                diff_hits += 1
                res.leak(f"organization differencing: NETWORK {dim} IN {big}+[{r}] minus {dim} IN {big} gives "
                         f"{m} of {org} (the only organization in {r}) as {v2 - v1:.0f}, truth "
                         f"{true:.0f} (error {err:.1%} <= {p:.0%})")
    res.attempts += diff_tries + coalition_tries
    res.stats.update(org_differencing_tries=diff_tries, org_differencing_hits=diff_hits)
    res.notes.append(f"organization differencing over region sets: {diff_tries} tries, {diff_hits} within {p:.0%}")
    return res


# --------------------------------------------------------------------------------------------
# 7. Cross-organization


def attack_cross_org(env: Env) -> AttackResult:
    res = AttackResult("7. Cross-organization (another organization's events, names, OWN figures)")
    names = env.truth.org_names()
    mine = env.member_org
    my_events = {e for e, _ in env.truth.events_of(mine)}
    my_event_names = {n for _, n in env.truth.events_of(mine)}
    others = [o for o in names if o != mine]
    secrets: set[str] = set()
    ids: set[str] = set(others)
    for o in others:
        secrets.add(names[o])
        for e, n in env.truth.events_of(o):
            if e not in my_events:
                ids.add(e)
            if n not in my_event_names and len(n) >= 12:
                secrets.add(n)
    bodies: list[tuple[str, str]] = []
    other = env.other_org
    other_events = [e for e, _ in env.truth.events_of(other) if e not in my_events][:3]
    busiest = busiest_values(env, "ORGANIZATION", 3)
    target = next(o for o in busiest if o != mine)
    target_events = [e for e, _ in env.truth.events_of(target) if e not in my_events][:5]

    def scan(label: str, body: str, sent: Any = None) -> None:
        """Flag foreign names and ids in a response, unless the request itself carried them."""
        res.attempts += 1
        bodies.append((label, body))
        low = body.lower()
        asked = json.dumps(sent or label).lower()
        for s in secrets:
            if s.lower() in low and s.lower() not in asked:
                res.leak(f"{label}: the response names another organization's '{s}'")
        for o in ids:  # ids (short, often numeric): as a whole JSON string only
            if f'"{o}"' in body and o.lower() not in asked:
                res.leak(f"{label}: the response carries another organization's id or event id '{o}'")

    # OWN scope: other organizations' ids and events as filters and breakdowns
    for t_org, t_events in ((other, other_events), (target, target_events)):
        for q in (
            {"metrics": ["BUYERS", "TICKETS", "REVENUE_EUR"], "scope": "OWN", "totals": True,
             "filters": [{"dimension": "ORGANIZATION", "op": "IN", "values": [t_org]}]},
            {"metrics": ["BUYERS"], "scope": "OWN", "groupBy": [{"dimension": "ORGANIZATION"}],
             "filters": [{"dimension": "ORGANIZATION", "op": "IN", "values": [t_org, mine]}]},
            {"metrics": ["BUYERS", "REVENUE_EUR"], "scope": "OWN", "groupBy": [{"dimension": "EVENT"}],
             "filters": [{"dimension": "EVENT", "op": "IN", "values": t_events or ["X-0001"]}], "totals": True},
            {"metrics": ["BUYERS"], "scope": "OWN", "groupBy": [{"dimension": "EVENT"}, {"dimension": "AGE_GROUP"}],
             "filters": [{"dimension": "EVENT", "op": "IN", "values": t_events or ["X-0001"]}]},
            {"metrics": ["BUYERS"], "scope": "OWN", "filters": [{"dimension": "ORGANIZATION", "op": "NOT_IN",
                                                                  "values": [mine]}], "totals": True},
            {"metrics": ["BUYERS"], "scope": "OWN", "groupBy": [{"dimension": "ORGANIZATION"}]},
        ):
            ans = ask(env, "member", q)
            scan(f"OWN {json.dumps(q['filters'] if 'filters' in q else q['groupBy'])}", ans.body, q)
            if ans.error:
                continue
            extra = [(("__totals__",), ans.totals)] if ans.totals else []
            for key, m in [*ans.rows.items(), *extra]:
                for metric, pub in m.items():
                    if pub.value not in (None, 0, 0.0) and key != ("__totals__",) and any(
                            k == t_org for k in key):
                        res.leak(f"OWN query reached {t_org}: {metric}={pub.value} at {key}")
            own_truth = env.truth.total(q, (mine,))
            tot = ans.totals["BUYERS"].value if ans.totals else None
            if tot not in (None, 0, 0.0) and tot != own_truth.n:
                res.leak(f"OWN totals {tot} differ from the member's own truth {own_truth.n} for {q.get('filters')}")
            for key in ans.rows:
                if q.get("groupBy") and q["groupBy"][0]["dimension"] == "ORGANIZATION" and key[0] != mine:
                    res.leak(f"OWN breakdown by ORGANIZATION shows {key[0]}")
    # a foreign event id and an id that exists nowhere must get the same answer
    for gb in ([{"dimension": "EVENT"}], [{"dimension": "EVENT"}, {"dimension": "AGE_GROUP"}]):
        seen_answers = set()
        for ev in (target_events[:1] or ["x"]) + ["NO-SUCH-EVENT-0"]:
            q = {"metrics": ["BUYERS"], "scope": "OWN", "groupBy": gb, "totals": True,
                 "filters": [{"dimension": "EVENT", "op": "IN", "values": [ev]}]}
            ans = ask(env, "member", q)
            scan(f"OWN foreign vs unknown event {ev}", ans.body, q)
            shape = (ans.code, (ans.error or {}).get("message", "").split("(incident")[0],
                     json.dumps({str(k): {m: (p.value, p.reason) for m, p in v.items()} for k, v in ans.rows.items()}))
            seen_answers.add(shape)
            bug = (f"bug (not a leak): OWN groupBy {[g['dimension'] for g in gb]} filtered to an event "
                   f"with no own rows fails with INTERNAL (StopIteration in _fill_empty_buckets)")
            if ans.code == "INTERNAL" and bug not in res.notes:
                res.notes.append(bug)
        if len(seen_answers) != 1:
            res.leak(f"OWN by {[g['dimension'] for g in gb]}: a foreign event id and an unknown id get different answers")
    # NETWORK scope: ORGANIZATION/EVENT refused, errors name nothing
    for q in ({"metrics": ["BUYERS"], "filters": [{"dimension": "ORGANIZATION", "op": "IN", "values": [target]}]},
              {"metrics": ["BUYERS"], "filters": [{"dimension": "EVENT", "op": "IN", "values": target_events[:1] or ["x"]}]},
              {"metrics": ["BUYERS"], "groupBy": [{"dimension": "ORGANIZATION"}]},
              {"metrics": ["BUYERS"], "groupBy": [{"dimension": "EVENT"}]},
              {"metrics": ["BUYERS"], "filters": [{"dimension": "REGION", "op": "IN", "values": [names.get(target, "x")]}]},
              {"metrics": ["BUYERS"], "filters": [{"dimension": "ORG_TYPE", "op": "IN", "values": [target]}]},
              {"metrics": ["BUYERS"], "filters": [{"dimension": "COUNTRY", "op": "NOT_IN", "values": ["NO"]}]}):
        for role in ("member", "partner"):
            ans = ask(env, role, q)
            scan(f"NETWORK {role} {json.dumps(q)}", ans.body, q)
            if not ans.error:
                dims = [g["dimension"] for g in q.get("groupBy", [])] + [f["dimension"] for f in q.get("filters", [])]
                if {"ORGANIZATION", "EVENT"} & set(dims):
                    res.leak(f"NETWORK query with {dims} was answered for {role}")
    # Benchmarks: every peer group, breakdowns by event (own) and organization
    for peer in ("SAME_ORG_TYPE", "SAME_REGION", "SAME_COUNTRY", "NORDIC"):
        for gb in ([{"dimension": "EVENT"}], [{"dimension": "ORGANIZATION"}], [{"dimension": "AGE_GROUP"}]):
            q = {"metrics": ["BUYERS", "REVENUE_PER_BUYER_EUR", "FEMALE_SHARE"], "scope": "OWN", "groupBy": gb,
                 "compare": [{"kind": "BENCHMARK", "peerGroup": peer}], "totals": True, "limit": 50}
            ans = ask(env, "member", q)
            scan(f"BENCHMARK {peer} by {gb[0]['dimension']}", ans.body)
            if ans.error and gb[0]["dimension"] in ("EVENT", "ORGANIZATION") and ans.code == "BAD_QUERY":
                continue  # refused: a peer group has none of the caller's events or organizations
            if ans.error:
                res.leak(f"benchmark {peer} failed: {err_text(ans)}")
                continue
            for key in ans.rows:
                if gb[0]["dimension"] == "ORGANIZATION" and key[0] != mine:
                    res.leak(f"benchmark by ORGANIZATION lists {key[0]}")
                if gb[0]["dimension"] == "EVENT" and key[0] not in my_events:
                    res.leak(f"benchmark by EVENT lists a foreign event {key[0]}")
    # PREVIOUS_PERIOD with other organizations' filters
    q = {"metrics": ["BUYERS"], "scope": "OWN", "filters": [{"dimension": "ORGANIZATION", "op": "IN", "values": [target]}],
         "timeRange": {"from": "2025-01-01", "to": "2025-06-30"}, "compare": [{"kind": "PREVIOUS_PERIOD"}], "totals": True}
    ans = ask(env, "member", q)
    scan("PREVIOUS_PERIOD with another org filter", ans.body, q)
    if not ans.error:
        for m in [*ans.rows.values(), ans.totals or {}]:
            for pub in m.values():
                for c in pub.comparisons or []:
                    if c.get("value") not in (None, 0, 0.0):
                        res.leak(f"PREVIOUS_PERIOD reached {target}: {c}")
    # catalog, me, explain
    for role in ("member", "partner"):
        for doc in ("{ catalog { metrics { metric label description } dimensions { dimension label description "
                    "buckets { code label } } privacy { k roundingBase minOrganizations dominanceP } } }",
                    "{ me { role organization { id name orgType country region } tokenExpiresAt } }"):
            r = env.client.post(doc, env.tokens[role])
            scan(f"{role} {doc[:12]}", r.text)
        r = env.client.post("query($q: InsightQuery!) { explain(query: $q) { sql protections } }", env.tokens[role],
                            {"q": {"metrics": ["BUYERS"], "scope": "OWN",
                                   "filters": [{"dimension": "ORGANIZATION", "op": "IN", "values": [target]}]}})
        scan(f"explain as {role}", r.text, target)
        if "errors" not in r.json() or r.json()["errors"][0]["extensions"]["code"] != "FORBIDDEN":
            res.leak(f"explain answered a {role} token: {r.text[:300]}")
    me = env.client.post("{ me { organization { id } } }", env.tokens["member"]).json()["data"]["me"]
    if me["organization"]["id"] != mine:
        res.leak(f"me shows {me}")
    r = env.client.post("query($q: InsightQuery!) { explain(query: $q) { sql protections } }", env.tokens["admin"],
                        {"q": {"metrics": ["BUYERS", "TICKETS"], "groupBy": [{"dimension": "AGE_GROUP"}]}})
    if any(s in r.text for s in ("record_key", "p_ck", "cell_key", "buyer_key")):
        res.leak(f"explain (admin) shows record or cell keys: {r.text[:400]}")
    res.stats.update(responses_scanned=len(bodies), secrets=len(secrets))
    res.notes.append(f"{len(bodies)} responses (OWN filters with foreign ids, NETWORK, benchmarks, periods, catalog, me, "
                     f"explain) scanned for {len(secrets)} foreign names and ids")
    return res


# --------------------------------------------------------------------------------------------
# 8. Side channels


def attack_side_channels(env: Env) -> AttackResult:
    res = AttackResult("8. Side channels (errors, null vs zero, ordering, totals, empty vs small)")
    k = env.params.k
    # (a) empty and small buckets must look the same, whatever the dimension
    dims = [[{"dimension": "AGE_GROUP"}], [{"dimension": "AREA_TYPE"}], [{"dimension": "BUYER_REGION"}],
            [{"dimension": "BUYER_COUNTRY"}], [{"dimension": "PURCHASED_AT", "datePart": "HOUR"}],
            [{"dimension": "PURCHASED_AT", "datePart": "WEEKDAY"}], [{"dimension": "REGION"}],
            [{"dimension": "EVENT_TYPE"}], [{"dimension": "PURCHASED_AT", "granularity": "MONTH"}]]
    filters = [[{"dimension": "COUNTRY", "op": "IN", "values": ["IS"]}],
               [{"dimension": "COUNTRY", "op": "IN", "values": ["DK"]},
                {"dimension": "AGE_GROUP", "op": "IN", "values": ["75+"]}]]
    distinguished: dict[str, int] = defaultdict(int)
    for flt in filters:
        for gb in dims:
            q = {"metrics": ["BUYERS"], "groupBy": gb, "filters": flt, "timeRange": {"from": "2025-01-01", "to": "2025-12-31"}}
            ans = ask(env, "partner", q)
            res.attempts += 1
            if ans.error:
                continue
            truth = env.truth.cells(q)
            small = [key for key, c in truth.items() if 0 < c.n < k]
            shown_small = [key for key in small if key in ans.rows]
            # an empty bucket is absent while small ones are listed: presence tells them apart
            if shown_small:
                dom = _domain(env, gb[0])
                empty = [v for v in dom if (v,) not in truth]
                missing = [v for v in empty if (v,) not in ans.rows]
                if missing:
                    name = gb[0]["dimension"] + (f":{gb[0].get('datePart') or gb[0].get('granularity')}"
                                                 if len(gb[0]) > 1 else "")
                    distinguished[name] += 1
                    if distinguished[name] == 1:
                        res.leak(f"empty vs small: NETWORK BUYERS by {name} with {flt}: small buckets "
                                 f"{[s[0] for s in shown_small][:4]} are listed as suppressed rows but empty buckets "
                                 f"{missing[:4]} are absent, so the rows tell 'no buyer' from '1 to {k - 1} buyers'")
            for key, m in ans.rows.items():
                for pub in m.values():
                    if pub.value == 0:
                        res.leak(f"a protected value is 0 at {key} ({q})")
                    if pub.suppressed and pub.value is not None:
                        res.leak(f"a suppressed value is not null at {key}")
    # (b) OWN enriched: empty bucket and small bucket identical (rows and reasons)
    q = {"metrics": ["BUYERS", "FEMALE_SHARE"], "scope": "OWN", "groupBy": [{"dimension": "EVENT"}, {"dimension": "AGE_GROUP"}]}
    ans = ask(env, "member", q)
    truth = env.truth.cells(q, (env.member_org,))
    reasons_empty = {tuple((p.value, p.suppressed, p.reason) for p in m.values()) for key, m in ans.rows.items()
                     if key not in truth}
    reasons_small = {tuple((p.value, p.suppressed, p.reason) for p in m.values()) for key, m in ans.rows.items()
                     if key in truth and truth[key].n < k}
    res.attempts += 1
    if reasons_empty and reasons_small and reasons_empty != reasons_small:
        res.leak(f"OWN EVENT x AGE_GROUP: empty cells {reasons_empty} look different from small ones {reasons_small}")
    # (c) ordering by a metric uses published values only
    for role, q in (("partner", {"metrics": ["BUYERS", "FEMALE_SHARE"], "groupBy": [{"dimension": "BUYER_REGION"}],
                                 "filters": [{"dimension": "COUNTRY", "op": "IN", "values": ["SE"]}]}),
                    ("member", {"metrics": ["BUYERS"], "scope": "OWN",
                                "groupBy": [{"dimension": "EVENT"}, {"dimension": "AREA_TYPE"}]})):
        plain = ask(env, role, q)
        for direction in ("DESC", "ASC"):
            ordered = ask(env, role, {**q, "orderBy": [{"metric": "BUYERS", "direction": direction}]})
            res.attempts += 1
            present = [key for key in plain.order if plain.rows[key]["BUYERS"].value is not None]
            missing = [key for key in plain.order if plain.rows[key]["BUYERS"].value is None]
            expected = sorted(present, key=lambda key: plain.rows[key]["BUYERS"].value, reverse=direction == "DESC")
            expected = expected + missing
            if ordered.order != expected:
                res.leak(f"orderBy BUYERS {direction} ({role}) is not a stable sort on published values "
                         f"(suppressed last in the default order)")
    # (d) totals: perturbed on their own, suppressed for a small population; null never 0
    q = {"metrics": ["BUYERS", "FEMALE_SHARE", "TICKETS"], "groupBy": [{"dimension": "GENDER"}], "totals": True,
         "filters": [{"dimension": "COUNTRY", "op": "IN", "values": ["IS"]}, {"dimension": "AGE_GROUP", "op": "IN", "values": ["75+"]}]}
    for role, scope in (("partner", "NETWORK"), ("member", "OWN")):
        qq = {**q, "scope": scope}
        if scope == "OWN":
            qq["filters"] = [{"dimension": "AGE_GROUP", "op": "IN", "values": ["0-17"]},
                             {"dimension": "AREA_TYPE", "op": "IN", "values": ["rural"]},
                             {"dimension": "GENDER", "op": "IN", "values": ["unknown"]}]
        ans = ask(env, role, qq)
        pop = env.truth.total(qq, (env.member_org,) if scope == "OWN" else None)
        res.attempts += 1
        if pop.n < k and ans.totals and any(not p.suppressed for p in ans.totals.values()):
            res.leak(f"totals published for a population of {pop.n} < k ({scope})")
        if pop.n < k and any(not p.suppressed for m in ans.rows.values() for p in m.values()):
            res.leak(f"a cell published inside a population of {pop.n} < k ({scope})")
    # (e) errors carry no values: a bad value in a filter, an out-of-range limit
    for q in ({"metrics": ["BUYERS"], "filters": [{"dimension": "AGE_GROUP", "op": "IN", "values": ["12-13"]}]},
              {"metrics": ["BUYERS"], "limit": 999999},
              {"metrics": ["BUYERS"], "orderBy": [{"metric": "TICKETS"}]}):
        ans = ask(env, "partner", q)
        res.attempts += 1
        if not ans.error or re.search(r"\b\d{3,}\b", ans.error.get("message", "").replace("999999", "").replace("5000", "")):
            res.notes.append(f"error for {q}: {err_text(ans)[:200]}")
    # (f) the reason of an organization rule tells n >= k apart (noted, documented reasons)
    q = {"metrics": ["BUYERS"], "groupBy": [{"dimension": "PURCHASED_AT", "datePart": "HOUR"}],
         "filters": [{"dimension": "COUNTRY", "op": "IN", "values": ["IS"]}]}
    ans = ask(env, "partner", q)
    truth = env.truth.cells(q)
    for key, m in ans.rows.items():
        reason, cell = m["BUYERS"].reason, truth.get(key, TCell())
        if reason == "BELOW_THRESHOLD" and cell.orgs < env.params.min_orgs:
            res.leak(f"{key}: BELOW_THRESHOLD given to a cell of {cell.orgs} organizations: the reason tells "
                     f"a cell of 1-{k - 1} buyers from a larger one of too few organizations")
    res.notes.append("organizations are judged before buyers: a cell of too few organizations gets "
                     "TOO_FEW_ORGANIZATIONS whatever its number of buyers")
    res.stats.update(empty_vs_small_dimensions=sorted(distinguished))
    return res


def _domain(env: Env, g: dict[str, Any]) -> list[str]:
    part = g.get("datePart")
    if part == "HOUR":
        return [str(h) for h in range(24)]
    if part == "WEEKDAY":
        return [str(d) for d in range(1, 8)]
    if g.get("granularity") == "MONTH":
        return [f"2025-{m:02d}-01" for m in range(1, 13)]
    dim = g["dimension"]
    if dim in ("BUYER_REGION", "REGION"):
        return [r[0] for r in env.truth.sql("SELECT iso_3166_2 FROM regions ORDER BY 1")] + ["unknown"]
    if dim == "BUYER_COUNTRY":
        return ["NO", "SE", "DK", "FI", "IS", "unknown"]
    return [str(r[0]) for r in env.truth.sql(f"SELECT DISTINCT CAST({DIM_SQL[dim]} AS VARCHAR) FROM buyers b "
                                              "JOIN events e USING (event_sk) JOIN organizations o ON o.org_id = b.org_id")]


# --------------------------------------------------------------------------------------------

ALL_ATTACKS = (attack_narrowing, attack_complementary, attack_differencing, attack_repetition,
               attack_averaging, attack_dominance, attack_cross_org, attack_side_channels)


def make_env(client: Any, warehouse_root: Path, budget: str = "test",
             tokens: dict[str, str] | None = None, params: Params | None = None) -> Env:
    """An environment over a served warehouse: member tokens of the largest and the smallest
    organization (plus every organization as ``member:<org_id>``), a partner and an admin."""
    from cid_graph.access import AccessStore
    from warehouse.store import WarehouseStore

    store = WarehouseStore(Path(warehouse_root))
    truth = Truth(store.require_current().path, (params or Params()).k)
    orgs = [r[0] for r in truth.sql("SELECT org_id FROM buyers GROUP BY org_id ORDER BY count(*) DESC, org_id")]
    access = AccessStore(store.access_db)
    toks = dict(tokens or {})
    toks.setdefault("member", access.create_token(orgs[0], "member", ttl_days=1)[0])
    toks.setdefault("member_small", access.create_token(orgs[-1], "member", ttl_days=1)[0])
    toks.setdefault("partner", access.create_token(None, "partner", ttl_days=1)[0])
    toks.setdefault("admin", access.create_token(None, "admin", ttl_days=1)[0])
    for org in orgs:
        toks.setdefault(f"member:{org}", access.create_token(org, "member", ttl_days=1)[0])
    return Env(client, toks, truth, orgs[0], orgs[-1], params or Params(), budget)
