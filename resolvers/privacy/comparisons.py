"""Comparisons of a result: BENCHMARK against a peer group, and earlier periods.

A benchmark puts the caller's own shares beside the pooled shares of a peer group of other
organizations (same org type, same region, same country, or the Nordic network), each cell
protected like any network cell (P3–P5): the peer group never includes the caller, and only
shares, indices and pooled ratios leave, never another organization's figures.

>>> _shift_year(date(2024, 2, 29), -1)
datetime.date(2023, 2, 28)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from cid_graph.errors import QueryError
from metrics.query import Query, TimeRange
from resolvers.privacy.constrain import Constrained
from resolvers.privacy.perturb import perturb_count
from resolvers.privacy.pipeline import Executor, ProtectedResult, internal_query, run_protected
from resolvers.privacy.protect import Published
from resolvers.privacy.reasons import Reason
from resolvers.request import ComparisonCell, ComparisonSpec, InsightRequest


class PeerExecutor(Executor, Protocol):
    """An executor that also knows the organizations of a peer group."""

    def peer_group(self, own_org: str, peer_group: str) -> tuple[str, ...]:
        """Every organization of ``own_org``'s peer group, never ``own_org`` itself."""
        ...

TOTALS_KEY: tuple[Any, ...] = ("__totals__",)



@dataclass
class Comparisons:
    cells: dict[tuple[Any, str], list[ComparisonCell]] = field(default_factory=dict)

    def add(self, key: tuple[Any, ...], metric: str, cell: ComparisonCell) -> None:
        self.cells.setdefault((key, metric), []).append(cell)

    def for_cell(self, key: tuple[Any, ...], metric: str) -> list[ComparisonCell]:
        return self.cells.get((key, metric), [])


def compare(ex: PeerExecutor, request: InsightRequest, constrained: Constrained,
            own: ProtectedResult) -> Comparisons:
    out = Comparisons()
    seen: set[ComparisonSpec] = set()
    for spec in request.compare:
        if spec in seen:
            continue
        seen.add(spec)
        if spec.kind == "benchmark":
            if spec.like_for_like:
                raise QueryError("likeForLike applies to PREVIOUS_PERIOD and SAME_PERIOD_LAST_YEAR, not BENCHMARK",
                                 hint="Drop likeForLike from the BENCHMARK comparison.")
            _benchmark(ex, spec, constrained, own, out)
        elif spec.like_for_like:
            _like_for_like(ex, spec, constrained, own, out)
        else:
            _period(ex, spec, constrained, own, out)
    return out


def _benchmark(ex: PeerExecutor, spec: ComparisonSpec, constrained: Constrained,
               own: ProtectedResult, out: Comparisons) -> None:
    if constrained.scope != "own" or not constrained.own_org:
        raise QueryError("BENCHMARK compares your own organization with a peer group, so it needs scope: OWN",
                         hint="Set scope: OWN, or drop the comparison.")
    if not spec.peer_group:
        raise QueryError("BENCHMARK needs a peerGroup",
                         hint="e.g. compare: [{kind: BENCHMARK, peerGroup: SAME_ORG_TYPE}]")
    own_org = constrained.own_org
    catalog = ex.catalog
    by_own = [g.dimension.upper() for g in constrained.query.group_by if catalog.dimension(g.dimension).sensitive]
    if by_own:
        raise QueryError(f"BENCHMARK cannot compare a breakdown by {', '.join(by_own)}: a peer group has none of "
                         "your organizations or events",
                         hint=f"Drop {', '.join(by_own)} from groupBy (filter on it instead), or drop the comparison.")

    peer_ids = ex.peer_group(own_org, spec.peer_group)
    metrics = constrained.query.metrics
    if len(peer_ids) < ex.params.min_orgs:
        for key, _ in [*own.rows, (TOTALS_KEY, None)]:
            for m in metrics:
                out.add(key, m, ComparisonCell("benchmark", spec.peer_group, suppressed=True,
                                                   reason=Reason.FEW_ORGS))
        return
    # The peer group is the whole group, whatever the caller filters its own side by: a filter on
    # ORGANIZATION or EVENT (the caller's own ids, or anyone's) never reaches the peer query, so a
    # member cannot choose its peers (ORGANIZATION IN [me, Y] would make Y the peer group).
    peer_filters = tuple(f for f in constrained.query.filters if not catalog.dimension(f.dimension).sensitive)
    peer_constrained = Constrained(query=replace(constrained.query, org_ids=peer_ids, filters=peer_filters),
                                   scope="network", own_org=None, enriched=constrained.enriched)
    peer = run_protected(ex, peer_constrained, internal_query(peer_constrained, ex.row_cap, ex.catalog), True, fill=False)
    peer_rows = dict(peer.rows)
    for key, pub in [*own.rows, (TOTALS_KEY, own.totals)]:
        theirs = peer.totals if key == TOTALS_KEY else peer_rows.get(key)
        for m in metrics:
            metric = catalog.metric(m)
            mine = pub[m]
            other = theirs[m] if theirs else Published(None, True, Reason.BELOW)
            cell = ComparisonCell("benchmark", spec.peer_group)
            if mine.suppressed or other.suppressed or mine.value is None or other.value is None:
                cell.suppressed, cell.reason = True, (other.reason if other.suppressed else mine.reason) or Reason.BELOW
            elif metric.type == "simple":
                own_total, peer_total = own.totals[m], peer.totals[m]
                if own_total.value and peer_total.value and not peer_total.suppressed:
                    cell.share = mine.value / own_total.value
                    cell.peer_share = other.value / peer_total.value
                    cell.index = cell.share / cell.peer_share * 100 if cell.peer_share else None
                else:
                    cell.suppressed, cell.reason = True, peer_total.reason or Reason.BELOW
            else:  # ratios and shares: the pooled peer value itself is a ratio, not a figure
                cell.value = other.value
                cell.share, cell.peer_share = (mine.value, other.value) if metric.type == "share" else (None, None)
                cell.index = mine.value / other.value * 100 if other.value else None
            out.add(key, m, cell)


def _earlier_range(spec: ComparisonSpec, constrained: Constrained) -> TimeRange:
    tr = constrained.query.time_range
    if tr is None or tr.start is None or tr.end is None:
        raise QueryError(f"{spec.kind.upper()} needs a timeRange with both from and to",
                         hint="e.g. timeRange: {from: \"2025-01-01\", to: \"2025-06-30\"}")
    if spec.kind == "same_period_last_year":
        return TimeRange(_shift_year(tr.start, -1), _shift_year(tr.end, -1), tr.dimension)
    days = (tr.end - tr.start).days + 1
    return TimeRange(tr.start - timedelta(days=days), tr.start - timedelta(days=1), tr.dimension)


def _period(ex: PeerExecutor, spec: ComparisonSpec, constrained: Constrained,
            own: ProtectedResult, out: Comparisons) -> None:
    before = _earlier_range(spec, constrained)
    earlier_constrained = replace(constrained, query=replace(constrained.query, time_range=before))
    earlier = run_protected(ex, earlier_constrained, internal_query(earlier_constrained, ex.row_cap, ex.catalog),
                            constrained.scope == "network", fill=False)
    _pair(spec, constrained, own, earlier, out)


def _pair(spec: ComparisonSpec, constrained: Constrained, now: ProtectedResult, earlier: ProtectedResult,
          out: Comparisons, answer: ProtectedResult | None = None, organizations: int | None = None) -> None:
    """Comparison cells of ``now`` against ``earlier``, row by row of ``answer`` (the result
    asked for, when ``now`` is the same query over fewer organizations)."""
    answer = answer or now
    align = _aligner(constrained, answer, earlier, spec.kind)
    earlier_rows, now_rows = dict(earlier.rows), dict(now.rows)
    keys = [k for k, _ in answer.rows]
    lfl = spec.like_for_like
    for key in [*keys, TOTALS_KEY]:
        pub = now.totals if key == TOTALS_KEY else now_rows.get(key)
        then = earlier.totals if key == TOTALS_KEY else earlier_rows.get(align(key))
        for m in constrained.query.metrics:
            now_cell, then_cell = (pub[m] if pub else None), (then[m] if then else None)
            cell = ComparisonCell(spec.kind, organizations=organizations if lfl else None)
            if then_cell is None or now_cell is None:
                cell.suppressed, cell.reason, cell.organizations = True, Reason.BELOW, None
            elif now_cell.suppressed or then_cell.suppressed or now_cell.value is None or then_cell.value is None:
                cell.suppressed, cell.reason = True, then_cell.reason or now_cell.reason or Reason.BELOW
                cell.organizations = None
            else:
                cell.value = then_cell.value
                cell.current = now_cell.value if lfl else None
                cell.delta = now_cell.value - then_cell.value
                cell.ratio = now_cell.value / then_cell.value if then_cell.value else None
            out.add(key, m, cell)


def _like_for_like(ex: PeerExecutor, spec: ComparisonSpec, constrained: Constrained,
                   own: ProtectedResult, out: Comparisons) -> None:
    """Growth over the organizations with data in both periods only (issue: new members are not
    market growth). Both periods are protected like any query over those organizations. Leaving
    out 1 to ``min_orgs - 1`` organizations in NETWORK scope would make the difference between
    this comparison and the plain one theirs alone: then every cell is suppressed (P5)."""
    before = _earlier_range(spec, constrained)
    query, pooled = constrained.query, constrained.scope == "network"
    now_orgs = _active(ex, query, query.time_range)
    then_orgs = _active(ex, query, before)
    params = ex.params
    both = _compared(now_orgs, then_orgs, params.min_orgs if pooled else 0)
    keys = [k for k, _ in own.rows]
    if pooled and len(both) < params.min_orgs:
        for key in [*keys, TOTALS_KEY]:
            for m in query.metrics:
                out.add(key, m, ComparisonCell(spec.kind, suppressed=True, reason=Reason.FEW_ORGS))
        return
    compared = (perturb_count(len(both), sum(map(ord, "".join(both))) % 256, k=params.min_orgs,
                              base=params.rounding_base) if pooled else len(both))
    if not both:
        for key in [*keys, TOTALS_KEY]:
            for m in query.metrics:
                out.add(key, m, ComparisonCell(spec.kind, suppressed=True, reason=Reason.BELOW, organizations=0))
        return
    now_c = replace(constrained, query=replace(query, org_ids=both))
    then_c = replace(constrained, query=replace(query, org_ids=both, time_range=before))
    now = run_protected(ex, now_c, internal_query(now_c, ex.row_cap, ex.catalog), pooled, fill=False)
    earlier = run_protected(ex, then_c, internal_query(then_c, ex.row_cap, ex.catalog), pooled, fill=False)
    _pair(spec, constrained, now, earlier, out, answer=own, organizations=compared)


def _compared(now: set[str], then: set[str], min_orgs: int) -> tuple[str, ...]:
    """The organizations a like-for-like comparison pools: those with data in both periods, less
    enough of them that what the comparison leaves out of either period (against the same query
    without likeForLike) is never 1 to ``min_orgs - 1`` organizations, which a difference would
    isolate (P5). Which ones are left out is fixed by a hash of their ids (the same answer every
    time), not by their size.

    >>> _compared({"a", "b", "c"}, {"a", "b", "c"}, 5)
    ('a', 'b', 'c')
    >>> len(_compared({f"o{i}" for i in range(12)} | {"new"}, {f"o{i}" for i in range(12)}, 5))
    7
    """
    both = now & then
    gaps = (len(now - both), len(then - both))
    if min_orgs and any(0 < g < min_orgs for g in gaps):
        extra = min_orgs - min(gaps)
        drop = set(sorted(both, key=lambda o: hashlib.sha256(o.encode("utf-8")).hexdigest())[:extra])
        both -= drop
    return tuple(sorted(both))


def _active(ex: PeerExecutor, query: Query, period: TimeRange | None) -> set[str]:
    """Organizations (of the query's organizations, and of its filters on organizations' own
    attributes) with buyer rows in ``period``, whatever its other filters: an organization with
    data but no buyers in a filtered cell (no concerts last year, say) still counts."""
    catalog = ex.catalog
    # filters on the organization itself (country, type) decide which organizations can count
    org_filters = tuple(f for f in query.filters if catalog.dimension(f.dimension).table == "organizations")
    probe = Query(metrics=(catalog.row_measure,), time_range=period, org_ids=query.org_ids, filters=org_filters,
                  exclude_org_ids=query.exclude_org_ids, extra_group_by=("organization",))
    ran = ex.run(probe, False)
    n = ran.compiled.row_count_column
    return {str(r.get("d_organization")) for r in ran.cells if int(r.get(n) or 0) > 0}


def _aligner(constrained: Constrained, now: ProtectedResult, then: ProtectedResult, kind: str) -> Any:
    """Map a row key of the current period to the matching key of the earlier one."""
    group_by = constrained.query.group_by
    maps: dict[int, dict[Any, Any]] = {}
    for i, g in enumerate(group_by):
        if not g.granularity:
            continue
        if kind == "same_period_last_year":
            maps[i] = {k[i]: _shift_bucket(k[i], g.granularity) for k, _ in now.rows}
        else:  # previous period: the n-th bucket of one period matches the n-th of the other
            mine = sorted({k[i] for k, _ in now.rows if k[i] is not None})
            theirs = sorted({k[i] for k, _ in then.rows if k[i] is not None})
            offset = len(theirs) - len(mine)
            maps[i] = {v: theirs[j + offset] for j, v in enumerate(mine) if 0 <= j + offset < len(theirs)}

    def align(key: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(maps[i].get(v) if i in maps else v for i, v in enumerate(key))
    return align


def _shift_bucket(value: Any, granularity: str) -> Any:
    if value is None:
        return None
    d = value.date() if isinstance(value, datetime) else value
    if granularity in ("day", "week"):
        return d - timedelta(days=364 if granularity == "week" else 365)
    return _shift_year(d, -1)


def _shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)
