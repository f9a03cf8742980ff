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

The guard only needs to count: ``count(query, column)`` runs a query (compiled and executed by
the resolver layer) and returns its buyer-row count by the values of one output column.

>>> from datetime import date
>>> segments([(date(2025, 1, d), n) for d, n in ((1, 4), (2, 7), (3, 12), (5, 2))], k=10)
[(datetime.date(2025, 1, 1), datetime.date(2025, 1, 2)), (datetime.date(2025, 1, 3), datetime.date(2025, 1, 5))]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from metrics.catalog import Catalog
from metrics.query import Filter, GroupBy, Query, TimeRange

#: ``count(probe_query, output_column) -> {value: buyer rows}``
Counter = Callable[[Query, str], dict[Any, int]]

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


def segments(days: Sequence[tuple[date, int]], k: int) -> list[tuple[date, date]]:
    """Cut a history of (day, buyers) into consecutive runs of at least ``k`` buyers.

    Runs are formed from the earliest day, so later data never moves an earlier cut; a last run
    of fewer than ``k`` is joined to the one before. A history of fewer than ``k`` in all is
    one (too small) run.
    """
    runs: list[tuple[date, date]] = []
    first: date | None = None
    acc = 0
    last_day: date | None = None
    for day, n in sorted(days):
        if n <= 0:
            continue
        first = first or day
        acc += n
        last_day = day
        if acc >= k:
            runs.append((first, day))
            first, acc = None, 0
    if first is not None and last_day is not None:
        if runs:
            runs[-1] = (runs[-1][0], last_day)
        else:
            runs.append((first, last_day))
    return runs


def guard(query: Query, catalog: Catalog, k: int, count: Counter) -> Guarded:
    """Normalize the conditions of a protected query (see the module docstring)."""
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
            new = _normalize_list(original, counts, k)
            if new == "empty":
                return Guarded(build(), empty=True)
            if new is not norm_lists[i] and new != norm_lists[i]:
                norm_lists[i] = new if isinstance(new, Filter) else None
                changed = True
        for i, rng in enumerate(ranges):
            probe = build(skip_range=i)
            _, counts = _slice_counts(probe, rng.dimension, catalog, count)
            days = [(_as_date(v), n) for v, n in counts.items() if v is not None]
            fitted = _fit_range(rng, segments(days, k))
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


def _slice_counts(probe: Query, dimension: str, catalog: Catalog, count: Counter) -> tuple[str, dict[Any, int]]:
    """Buyer rows of ``probe`` by the values of ``dimension`` (by local date for time ones)."""
    dim = catalog.dimension(dimension)
    group = GroupBy(dimension, granularity="day") if dim.is_time else GroupBy(dimension)
    column = f"d_{dimension}__day" if dim.is_time else f"d_{dimension}"
    q = replace(probe, metrics=("buyers",), group_by=(group,), order_by=(), limit=None, extra_group_by=())
    counts = count(q, column)
    if dim.is_time:
        counts = {(_as_date(v).isoformat() if v is not None else None): n for v, n in counts.items()}
    return column, counts


def _normalize_list(f: Filter, counts: dict[Any, int], k: int) -> Filter | None | str:
    """The list filter with its small values left out; None = not applied; "empty" = nothing left.

    The filter comes back unchanged (the same object) when nothing it admits is too small.
    """
    wanted = set(f.values)
    admitted = ({v for v in counts if v is not None and v not in wanted} if f.op == "not_in"
                else {v for v in counts if v in wanted})
    kept = {v for v in admitted if counts[v] >= k}
    left_out = sum(n for v, n in counts.items() if v not in kept)
    if left_out < k:
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
