"""The differencing guard as PRIVACY.md documents it, written for the tests from the document.

The server normalizes a protected query's filters and time range before answering it
(resolvers/privacy/slices.py); the tests' truth must know which population the server was
*supposed* to answer, so this module applies the documented rule to a query given as sent
(the GraphQL input), with counts from the test's own SQL:

- a value of a list filter whose slice (under the other conditions) holds fewer than k buyers
  is left out; a filter that would leave out fewer than k buyers is not applied;
- a date range keeps the runs of days it covers entirely, where runs are cut from the earliest
  day of the history (under the other conditions) each time at least k buyers have
  accumulated, and a last run of fewer than k is joined to the one before;
- a list left with no value, or a range covering no whole run, leaves an empty population;
- repeated until nothing changes (at most 4 rounds, else empty);
- in a pooled (NETWORK) population "at least k buyers" reads "safe": at least k buyers, at
  least 5 organizations, and X - x1 - x2 - x3 >= p x1 over the organizations' buyers (a run of
  days counts each organization once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: counts(query as sent, group) -> {value: {org_id: buyers}}; days as ISO strings
Counts = Callable[[dict[str, Any], dict[str, Any]], dict[Any, dict[str, int]]]


@dataclass(frozen=True)
class Safe:
    k: int
    orgs: int | None = None  # None: one organization's own data
    p: float = 0.15

    def __call__(self, by_org: dict[str, int]) -> bool:
        xs = sorted((n for n in by_org.values() if n > 0), reverse=True)
        if sum(xs) < self.k:
            return False
        if self.orgs is None:
            return True
        return len(xs) >= self.orgs and sum(xs[3:]) >= self.p * xs[0]


def _add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {o: a.get(o, 0) + b.get(o, 0) for o in {*a, *b}}


def runs_of(days: dict[str, dict[str, int]], safe: Safe) -> list[tuple[str, str]]:
    """Runs of days, each closed as soon as its days together are safe (an organization counted
    once however many days it sells on)."""
    out: list[list[str]] = []
    current: list[str] = []
    acc: dict[str, int] = {}
    for day in sorted(d for d, by in days.items() if d is not None and sum(by.values()) > 0):
        current.append(day)
        acc = _add(acc, days[day])
        if safe(acc):
            out.append([current[0], current[-1]])
            current, acc = [], {}
    if current:
        if out:
            out[-1][1] = current[-1]
        else:
            out.append([current[0], current[-1]])
    return [(a, b) for a, b in out]


def _fit(tr: dict[str, Any], runs: list[tuple[str, str]]) -> dict[str, Any] | None:
    lo, hi = tr.get("from"), tr.get("to")
    if not runs:
        return tr
    inside = [r for r in runs if (lo is None or r[0] >= lo) and (hi is None or r[1] <= hi)]
    if not inside:
        return None
    out = dict(tr)
    if lo is not None:
        # a run that starts before the range and reaches into it is left out
        if any(r[0] < lo <= r[1] for r in runs):
            out["from"] = inside[0][0]
    if hi is not None:
        if any(r[0] <= hi < r[1] for r in runs):
            out["to"] = inside[-1][1]
    return out


def effective(q: dict[str, Any], counts: Counts, safe: Safe) -> dict[str, Any] | None:
    """The query the server must answer for ``q``'s protected values; None = empty population."""
    originals = list(q.get("filters") or [])
    tr0 = q.get("timeRange")
    has_range = bool(tr0 and (tr0.get("from") or tr0.get("to")))
    if not originals and not has_range:
        return q
    filters: list[dict[str, Any] | None] = list(originals)
    tr = tr0

    def current(skip: int | None = None, with_range: bool = True) -> dict[str, Any]:
        out = {**q, "filters": [f for i, f in enumerate(filters) if f is not None and i != skip]}
        out["timeRange"] = tr if with_range else None
        return out

    for _ in range(4):
        changed = False
        for i, f in enumerate(originals):
            c = counts(current(skip=i), {"dimension": f["dimension"]})
            asked = set(f["values"])
            op = (f.get("op") or "IN").upper()
            admitted = {v for v in c if v is not None and (v not in asked if op == "NOT_IN" else v in asked)}
            kept = {v for v in admitted if safe(c[v])}
            left_out: dict[str, int] = {}
            for v, n in c.items():
                if v not in kept:
                    left_out = _add(left_out, n)
            if not safe(left_out):
                new = None
            elif not kept:
                return None
            elif kept == admitted:
                new = f
            else:
                new = {"dimension": f["dimension"], "op": "IN", "values": sorted(kept)}
            if new != filters[i]:
                filters[i] = new
                changed = True
        if has_range:
            assert tr0 is not None
            dim = tr0.get("dimension") or "PURCHASED_AT"
            days = counts(current(with_range=False), {"dimension": dim, "granularity": "DAY"})
            fitted = _fit(tr0, runs_of(days, safe))
            if fitted is None:
                return None
            if fitted != tr:
                tr = fitted
                changed = True
        if not changed:
            return current()
    return None

