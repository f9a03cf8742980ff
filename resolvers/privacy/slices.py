"""The differencing guard: every filter of a protected query moves its population by 0 or ≥ k.

Thresholds (P3) and the cell key (P4) protect each answer; they do not stop two answers from
being *compared*. Two queries whose populations differ by 1–3 buyers (a time range one day
longer, one more region in a list, a filter that leaves out a handful of buyers) would show
which cell those buyers fall in: cells whose rows did not change keep their published value
(P4 makes them consistent), and the one that did change may move. So before a protected query
is compiled, its conditions are normalized against the data, each against the population the
*other* conditions give:

- **Values of a list filter** (``IN``, ``EQUALS``, ``NOT_IN``; on any dimension, dates too):
  a value whose slice holds fewer than *k* buyers is left out of the list.
- **A whole filter** that would leave out fewer than *k* buyers is not applied.
- **A date range** (``timeRange``, or ``GTE``/``LTE``/``BETWEEN`` on a time dimension) covers
  whole *segments*: the days of the dimension's history, under the other conditions, are cut
  from the earliest into consecutive runs of at least *k* buyers (a last run of fewer is joined
  to the one before), and the range keeps the runs it covers entirely. Where every day holds at
  least *k* buyers each day is its own run and the range is kept exactly.
- A list whose every value is too small, or a range that covers no whole run, leaves nothing:
  the query's population is then empty and everything protected is suppressed
  (``POPULATION_BELOW_THRESHOLD``).

The conditions are normalized in turn until none changes (a fixpoint; a query that does not
settle within a few rounds is treated as empty). Then any two protected answers differ by whole
slices, whole filters or whole runs, each of 0 or at least *k* buyers, never by a handful.
What is left out is decided by counts the caller cannot see, and an empty slice and a small one
are treated alike, so the normalization itself tells no more than a suppressed cell does.

**Organizations (pooled NETWORK populations).** The same holds one level up: what a value,
a filter or a run adds to or takes from a pooled population must be a set of buyers that could
itself be published as a pooled cell, of at least ``min_orgs`` organizations that no one of them
dominates (the p% rule in its coalition form, P5), or nothing. Otherwise two answers would differ
by one organization's figures (a region set with and without the region where only it plays;
a time range one week longer, in the one week only it sold). A slice is *safe* when it holds at
least *k* buyers and, in a pooled population, passes both organization rules; the rules above
then read "safe" for "at least *k* buyers" (a run of days counts each organization once, however
many of its days it sells on). A day safe on its own is its own run, the usual case for network
queries: the guard then reads one summary row a day, and fetches organizations day by day only
where a run of several days can be open.

The guard only needs to count: ``count(query, column)`` runs a query (compiled and executed by
the resolver layer) and returns its buyer-row count by the values of one output column and by
organization (``{value: {org_id: buyers}}``; one key per value where organizations do not matter).

>>> from datetime import date
>>> rule = Rule(k=10)
>>> segments([(date(2025, 1, d), {"": n}) for d, n in ((1, 4), (2, 7), (3, 12), (5, 2))], rule)
[(datetime.date(2025, 1, 1), datetime.date(2025, 1, 2)), (datetime.date(2025, 1, 3), datetime.date(2025, 1, 5))]
>>> Rule(k=10, min_orgs=5).safe({"a": 100, "b": 5, "c": 5, "d": 5, "e": 5})  # "a" dominates
False
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from metrics.catalog import Catalog
from metrics.query import Filter, GroupBy, Query, TimeRange

#: ``count(probe_query, output_column) -> {value: {org_id: buyer rows}}``
Counter = Callable[[Query, str], dict[Any, dict[Any, int]]]
#: ``summarize(probe_query, output_column) -> {value: Summary}``: per value, what the organization
#: rules need without the per-organization detail (computed where the data is)
Summarizer = Callable[[Query, str], dict[Any, "Summary"]]


@dataclass(frozen=True)
class Summary:
    """A slice's buyers, organizations and its three largest organizations' buyers."""

    buyers: int
    orgs: int
    top: tuple[float, float, float]


@dataclass(frozen=True)
class Rule:
    """When a slice may make the difference between two answers."""

    k: int
    min_orgs: int | None = None  # None: organizations do not matter (one organization's own data)
    p: float = 0.15

    def safe(self, by_org: Mapping[Any, int]) -> bool:
        """At least k buyers; pooled: at least min_orgs organizations, none dominating (p%)."""
        counts = sorted((n for n in by_org.values() if n > 0), reverse=True)
        return self.safe_bounds(sum(counts), len(counts), counts[0] if counts else 0.0, sum(counts[:3]))

    def safe_summary(self, s: Summary) -> bool:
        """:meth:`safe` from a slice's summary."""
        return self.safe_bounds(s.buyers, s.orgs, s.top[0], sum(s.top))

    def safe_bounds(self, buyers: int, orgs: int, top1: float, top3: float) -> bool:
        """Safe for certain, from bounds: at least ``orgs`` organizations, the largest one at most
        ``top1`` and the three largest at most ``top3`` buyers together."""
        if buyers < self.k:
            return False
        if self.min_orgs is None:
            return True
        return orgs >= self.min_orgs and buyers - top3 >= self.p * top1


def _merge(parts: Sequence[Mapping[Any, int]]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for part in parts:
        for org, n in part.items():
            out[org] = out.get(org, 0) + n
    return out

MAX_ROUNDS = 4
_LIST_OPS = ("in", "equals", "not_in")
_RANGE_OPS = ("gte", "lte", "between")


@dataclass(frozen=True)
class Guarded:
    """The normalized query; ``empty`` when nothing is left of its population."""

    query: Query
    empty: bool = False

    def changed(self, original: Query) -> bool:
        return self.empty or self.query != original


@dataclass(frozen=True)
class _Range:
    dimension: str
    start: date | None
    end: date | None  # inclusive


def segments(days: Sequence[tuple[date, Mapping[Any, int] | Summary]], rule: Rule) -> list[tuple[date, date]]:
    """Cut a history of (day, its buyers by organization) into consecutive safe runs.

    Runs are formed from the earliest day, so later data never moves an earlier cut; a run closes
    as soon as its days together are safe (organizations counted once however many days they
    sell on); a last run that is not safe is joined to the one before. A history that is not safe
    in all is one (too small) run. A day may come as a :class:`Summary` only where it is safe on
    its own and no run is open (see :func:`_days`); otherwise its organizations' detail is needed.
    """
    runs: list[tuple[date, date]] = []
    first: date | None = None
    acc: dict[Any, int] = {}
    last_day: date | None = None
    for day, by_org in sorted(days, key=lambda d: d[0]):
        if isinstance(by_org, Summary):
            if by_org.buyers <= 0:
                continue
            if first is None and rule.safe_summary(by_org):
                runs.append((day, day))
                last_day = day
                continue
            raise AssertionError(f"the guard needs the organizations of {day}")  # see _days
        if sum(by_org.values()) <= 0:
            continue
        first = first or day
        acc = _merge([acc, by_org])
        last_day = day
        if rule.safe(acc):
            runs.append((first, day))
            first, acc = None, {}
    if first is not None and last_day is not None:
        if runs:
            runs[-1] = (runs[-1][0], last_day)
        else:
            runs.append((first, last_day))
    return runs


def guard(query: Query, catalog: Catalog, rule: Rule, count: Counter,
          summarize: Summarizer | None = None) -> Guarded:
    """Normalize the conditions of a protected query (see the module docstring).

    With ``summarize``, a date range in a pooled population first reads per-day summaries, and
    the per-organization detail only of the days where a run of several days can be open.
    """
    lists = [f for f in query.filters if f.op in _LIST_OPS]
    ranges = _ranges(query, catalog)
    if not lists and not ranges:
        return Guarded(query)
    norm_lists: list[Filter | None] = list(lists)
    norm_ranges: list[_Range | None] = list(ranges)

    def build(skip_list: int | None = None, skip_range: int | None = None) -> Query:
        filters = [f for i, f in enumerate(norm_lists) if f is not None and i != skip_list]
        tr: TimeRange | None = None
        for i, r in enumerate(norm_ranges):
            if r is None or i == skip_range or (r.start is None and r.end is None):
                continue
            if tr is None and (query.time_range is None or query.time_range.dimension == r.dimension):
                tr = TimeRange(r.start, r.end, r.dimension)
            else:
                filters.append(_range_filter(r))
        return replace(query, filters=tuple(filters), time_range=tr)

    for _ in range(MAX_ROUNDS):
        changed = False
        for i, original in enumerate(lists):
            probe = build(skip_list=i)
            column, counts = _slice_counts(probe, original.dimension, catalog, count)
            new = _normalize_list(original, counts, rule)
            if new == "empty":
                return Guarded(build(), empty=True)
            if new is not norm_lists[i] and new != norm_lists[i]:
                norm_lists[i] = new if isinstance(new, Filter) else None
                changed = True
        for i, rng in enumerate(ranges):
            probe = build(skip_range=i)
            fitted = _fit_range(rng, segments(_days(probe, rng.dimension, catalog, count, summarize, rule), rule))
            if fitted is None:
                return Guarded(build(), empty=True)
            if fitted != norm_ranges[i]:
                norm_ranges[i] = fitted
                changed = True
        if not changed:
            return Guarded(build())
    return Guarded(build(), empty=True)


def _ranges(query: Query, catalog: Catalog) -> list[_Range]:
    """One inclusive date range per time dimension: the time range and range filters, intersected."""
    bounds: dict[str, _Range] = {}

    def add(dim: str, start: date | None, end: date | None) -> None:
        old = bounds.get(dim)
        if old is not None:
            start = max(filter(None, (old.start, start)), default=None)
            end = min(filter(None, (old.end, end)), default=None)
        bounds[dim] = _Range(dim, start, end)

    tr = query.time_range
    if tr is not None and (tr.start is not None or tr.end is not None):
        add(tr.dimension, tr.start, tr.end)
    for f in query.filters:
        if f.op in _RANGE_OPS:
            days = [date.fromisoformat(v) for v in f.values]
            add(f.dimension, days[0] if f.op in ("gte", "between") else None,
                days[-1] if f.op in ("lte", "between") else None)
    return list(bounds.values())


def _range_filter(r: _Range) -> Filter:
    if r.start is not None and r.end is not None:
        return Filter(r.dimension, "between", (r.start.isoformat(), r.end.isoformat()))
    if r.start is not None:
        return Filter(r.dimension, "gte", (r.start.isoformat(),))
    assert r.end is not None
    return Filter(r.dimension, "lte", (r.end.isoformat(),))


def _slice_counts(probe: Query, dimension: str, catalog: Catalog,
                  count: Counter) -> tuple[str, dict[Any, dict[Any, int]]]:
    """Buyer rows of ``probe`` by the values of ``dimension`` (by local date for time ones)."""
    dim = catalog.dimension(dimension)
    group = GroupBy(dimension, granularity="day") if dim.is_time else GroupBy(dimension)
    column = f"d_{dimension}__day" if dim.is_time else f"d_{dimension}"
    q = replace(probe, metrics=(catalog.row_measure,), group_by=(group,), order_by=(), limit=None, extra_group_by=())
    counts = count(q, column)
    if dim.is_time:
        counts = {(_as_date(v).isoformat() if v is not None else None): n for v, n in counts.items()}
    return column, counts


def _days(probe: Query, dimension: str, catalog: Catalog, count: Counter,
          summarize: Summarizer | None, rule: Rule) -> list[tuple[date, Mapping[Any, int] | Summary]]:
    """The history of ``probe`` by day, for :func:`segments`.

    Pooled, the days are first summarized in the engine (one row a day, not one a day and
    organization). Where every day is safe on its own, each is its own run and that is all.
    Otherwise the organizations' detail is fetched for the days where a run of several days can
    be open: from each day not safe on its own to where a run opened on it must have closed
    (judged from bounds that hold whichever organizations the days share: the most organizations
    on any one of them, the sums of each day's largest and three largest).
    """
    if summarize is None:
        _, counts = _slice_counts(probe, dimension, catalog, count)
        return [(_as_date(v), n) for v, n in counts.items() if v is not None]
    q = replace(probe, metrics=(catalog.row_measure,), group_by=(GroupBy(dimension, granularity="day"),), order_by=(),
                limit=None, extra_group_by=())
    summaries = sorted((_as_date(v), s) for v, s in summarize(q, f"d_{dimension}__day").items()
                       if v is not None and s.buyers > 0)
    unsafe = [i for i, (_, s) in enumerate(summaries) if not rule.safe_summary(s)]
    if not unsafe:
        return list(summaries)
    last = len(summaries) - 1
    needed: set[int] = set()
    for i in unsafe:  # a run opened on day i has closed, at the latest, where the bounds say so
        # pooled over days i..j: buyers, the most organizations on one day (at least that many
        # in all), the sums of each day's largest and three largest (at most that much in all)
        n = orgs = 0
        top1 = top3 = 0.0
        j = i
        while j < last:
            s = summaries[j][1]
            n, orgs, top1, top3 = n + s.buyers, max(orgs, s.orgs), top1 + s.top[0], top3 + sum(s.top)
            if rule.safe_bounds(n, orgs, top1, top3):
                break
            j += 1
        needed.update(range(i, j + 1))
        if j == last:  # every later day is needed already
            break
    days = [summaries[i][0] for i in sorted(needed)]
    # The range of the days always: the engine skips what lies outside it (zone maps), which it
    # cannot do for a list of dates; the list too unless most days are needed.
    within: tuple[Filter, ...] = (Filter(dimension, "between", (days[0].isoformat(), days[-1].isoformat())),)
    if len(days) <= len(summaries) // 2:
        within += (Filter(dimension, "in", tuple(d.isoformat() for d in days)),)
    _, counts = _slice_counts(replace(probe, filters=(*probe.filters, *within)), dimension, catalog, count)
    detail = {_as_date(v): n for v, n in counts.items() if v is not None}
    wanted = set(days)
    return [(d, detail.get(d, {}) if d in wanted else s) for d, s in summaries]


def _normalize_list(f: Filter, counts: dict[Any, dict[Any, int]], rule: Rule) -> Filter | None | str:
    """The list filter with its unsafe values left out; None = not applied; "empty" = nothing left.

    The filter comes back unchanged (the same object) when nothing it admits is unsafe.
    """
    wanted = set(f.values)
    admitted = ({v for v in counts if v is not None and v not in wanted} if f.op == "not_in"
                else {v for v in counts if v in wanted})
    kept = {v for v in admitted if rule.safe(counts[v])}
    left_out = _merge([n for v, n in counts.items() if v not in kept])
    if not rule.safe(left_out):  # what the filter leaves out could not be told apart: not applied
        return None
    if not kept:
        return "empty"
    if kept == admitted:
        return f
    return Filter(f.dimension, "in", tuple(sorted(str(v) for v in kept)))


def _fit_range(r: _Range, runs: list[tuple[date, date]]) -> _Range | None:
    """The range shrunk to the runs it covers entirely; None when it covers none."""
    inside = [(a, b) for a, b in runs
              if (r.start is None or a >= r.start) and (r.end is None or b <= r.end)]
    if not runs:
        return r  # no history at all: the population is empty either way
    if not inside:
        return None
    first, last = inside[0], inside[-1]
    # Keep the asked-for bound where the run next to it is kept whole (only empty days differ).
    before = [run for run in runs if run[1] < first[0]]
    after = [run for run in runs if run[0] > last[1]]
    start = r.start if r.start is None or not before or before[-1][1] < r.start else first[0]
    end = r.end if r.end is None or not after or after[0][0] > r.end else last[1]
    return _Range(r.dimension, start, end)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
