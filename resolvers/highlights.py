"""The ``highlights`` field: the few most notable facts of an audience, in plain language.

Highlights are computed only from values the privacy layer published: every number comes from an
ordinary protected ``insights`` query (:func:`resolvers.insights.run_insights`, audited like any
other), never from SQL of its own. Each highlight carries the query that reproduces its numbers.

Scopes. OWN: the caller's organization against a peer group (the BENCHMARK comparison). NETWORK:
a group of the network defined by the query's filters against the whole network (the rest of the
network is the whole less the group, both published).

Candidate facts. For each of AGE_GROUP, GENDER, PURCHASING_POWER, EDUCATION_LEVEL, EVENT_TYPE,
the weekday of purchase (PURCHASED_AT, date part WEEKDAY) and BUYER_REGION: the bucket (``unknown``
left out) whose share of buyers (BUYERS_SHARE) differs most from the peers' (a bucket the rule below
states first, then the largest ``|z|``); plus RETURNING_SHARE
and TICKETS_PER_BUYER against the peers.

The rule (:func:`judge`), for shares:

* large: ``|index - 100| >= 20`` AND ``|share - peerShare| >= 3`` percentage points;
* big enough: the bucket has ``>= 50`` buyers in the published own (group) value, and the peer
  cell is published;
* not noise: a two-proportion z-test on the published counts, ``|z| >= 3``, where
  ``z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2))`` with the pooled ``p``. ``n1`` is the published
  own total; ``n2`` the peers' buyers: in OWN scope the published NETWORK count of the peer group's
  defining attribute (ORG_TYPE, REGION, COUNTRY; all of it for NORDIC) less the own total, in
  NETWORK scope the published network total less the group's. When ``n2`` is not published, no
  test can be made and the fact is not stated;
* TICKETS_PER_BUYER (a ratio, not a share): ``|index - 100| >= 20``, ``>= 50`` own buyers, and a
  Poisson test on ticket counts ``z = (r1 - r2) / sqrt(r2 / n1 + r2 / n2)`` with ``|z| >= 3``.

Nothing suppressed, or derived from a suppressed value, is stated: a candidate with any
suppressed input is dropped before the rule is applied. The notable facts are ranked by ``|z|``
and at most 7 returned (fewer if fewer qualify; none with a ``reason``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from cid_graph.errors import ForbiddenError, QueryError
from resolvers import labels
from resolvers.catalog_view import me
from resolvers.context import RequestContext
from resolvers.insights import run_insights
from resolvers.request import (
    ComparisonSpec,
    FilterSpec,
    GroupSpec,
    InsightRequest,
    InsightResultData,
    RangeSpec,
)

MIN_INDEX_GAP = 20.0  # |index - 100|
MIN_POINTS = 0.03  # |share - peerShare|, as a fraction (3 percentage points)
MIN_BUYERS = 50  # buyers in the bucket (own or group side)
MIN_Z = 3.0
MAX_HIGHLIGHTS = 7
LANGS = ("nb", "en", "sv", "da", "fi")

#: The candidate breakdowns: (dimension, date part).
DIMENSIONS: tuple[tuple[str, str | None], ...] = (
    ("age_group", None), ("gender", None), ("purchasing_power", None), ("education_level", None),
    ("event_type", None), ("purchased_at", "weekday"), ("buyer_region", None),
)
#: The organization attribute that defines each peer group (NORDIC: every other organization).
PEER_ATTRIBUTE = {"same_org_type": ("org_type", "org_type"), "same_region": ("region", "region"),
                  "same_country": ("country", "country"), "nordic": None}


@dataclass(frozen=True)
class Verdict:
    notable: bool
    z: float | None
    why: str
    rule: str = ""  # which test decided: fired, suppressed, index, points, buyers, noise


def two_proportion_z(x1: float, n1: float, x2: float, n2: float) -> float | None:
    """z of two proportions with the pooled variance; ``None`` when it cannot be computed.

    >>> round(two_proportion_z(120, 1000, 80, 1000), 2)
    2.98
    """
    if n1 <= 0 or n2 <= 0:
        return None
    p1, p2, p = x1 / n1, x2 / n2, (x1 + x2) / (n1 + n2)
    var = p * (1 - p) * (1 / n1 + 1 / n2)
    return (p1 - p2) / math.sqrt(var) if var > 0 else None


def judge(share: float | None, peer_share: float | None, own_count: float | None, own_total: float | None,
          peer_total: float | None, *, suppressed: bool = False, z: float | None = None) -> Verdict:
    """The documented rule for a share (module docstring), on published numbers only.

    >>> judge(0.12, 0.08, 600, 5000, 20000).notable
    True
    >>> judge(0.12, 0.08, 12, 100, 400).notable  # large but noisy
    False
    >>> judge(0.12, None, 600, 5000, 20000, suppressed=True).notable
    False
    """
    if suppressed or None in (share, peer_share, own_count, own_total, peer_total):
        return Verdict(False, None, "a value it rests on is suppressed or not published", "suppressed")
    assert share is not None and peer_share is not None and own_count is not None
    assert own_total is not None and peer_total is not None
    if not peer_share:
        return Verdict(False, None, "the peers' share is 0: no index", "suppressed")
    index = share / peer_share * 100
    if z is None:  # NETWORK scope passes the z of the group against the rest of the network
        z = two_proportion_z(share * own_total, own_total, peer_share * peer_total, peer_total)
    if abs(index - 100) < MIN_INDEX_GAP:
        return Verdict(False, z, f"index {index:.0f} is within {MIN_INDEX_GAP:.0f} of 100", "index")
    if abs(share - peer_share) < MIN_POINTS:
        return Verdict(False, z, f"the difference is under {MIN_POINTS * 100:.0f} percentage points", "points")
    if own_count < MIN_BUYERS:
        return Verdict(False, z, f"fewer than {MIN_BUYERS} buyers in the bucket", "buyers")
    if z is None or abs(z) < MIN_Z:
        return Verdict(False, z, f"|z| under {MIN_Z:.0f}: could be noise", "noise")
    return Verdict(True, z, f"|index - 100| = {abs(index - 100):.0f} >= {MIN_INDEX_GAP:.0f}, "
                            f"{abs(share - peer_share) * 100:.1f} >= {MIN_POINTS * 100:.0f} percentage points, "
                            f"{own_count:.0f} >= {MIN_BUYERS} buyers, |z| = {abs(z):.1f} >= {MIN_Z:.0f}", "fired")


def judge_ratio(value: float | None, peer_value: float | None, own_n: float | None, peer_n: float | None,
                *, suppressed: bool = False) -> Verdict:
    """The rule for a per-buyer ratio (TICKETS_PER_BUYER): a Poisson test on the counts.

    >>> judge_ratio(2.4, 1.8, 1000, 10000).notable
    True
    >>> judge_ratio(2.4, 1.8, 20, 10000).notable
    False
    """
    if suppressed or None in (value, peer_value, own_n, peer_n):
        return Verdict(False, None, "a value it rests on is suppressed or not published", "suppressed")
    assert value is not None and peer_value is not None and own_n is not None and peer_n is not None
    if not peer_value or own_n <= 0 or peer_n <= 0:
        return Verdict(False, None, "no peer value", "suppressed")
    index = value / peer_value * 100
    z = (value - peer_value) / math.sqrt(peer_value / own_n + peer_value / peer_n)
    if abs(index - 100) < MIN_INDEX_GAP:
        return Verdict(False, z, f"index {index:.0f} is within {MIN_INDEX_GAP:.0f} of 100", "index")
    if own_n < MIN_BUYERS:
        return Verdict(False, z, f"fewer than {MIN_BUYERS} buyers", "buyers")
    if abs(z) < MIN_Z:
        return Verdict(False, z, f"|z| under {MIN_Z:.0f}: could be noise", "noise")
    return Verdict(True, z, f"|index - 100| = {abs(index - 100):.0f} >= {MIN_INDEX_GAP:.0f}, "
                            f"{own_n:.0f} >= {MIN_BUYERS} buyers, |z| = {abs(z):.1f} >= {MIN_Z:.0f}", "fired")


@dataclass(frozen=True)
class HighlightRequest:
    scope: str  # own | network
    peer_group: str | None = None
    time_range: RangeSpec | None = None
    filters: tuple[FilterSpec, ...] = ()
    locale: str = "en"


@dataclass
class Highlight:
    metric: str
    dimension: str | None
    date_part: str | None
    value: str | None
    value_label: str | None
    own_share: float | None
    peer_share: float | None
    own_value: float | None
    peer_value: float | None
    index: float
    z: float
    why: str
    text: str
    texts: dict[str, str]
    query: dict[str, Any]
    peer_query: dict[str, Any] | None


@dataclass
class HighlightsData:
    highlights: list[Highlight]
    candidates: int
    reason: str | None
    scope: str
    peer_group: str | None
    #: per candidate fact (metric or metric:dimension), the test that decided it (``fired`` when stated)
    decided: dict[str, str] = field(default_factory=dict)


# ---- texts -------------------------------------------------------------------------------------

_PEERS = {"nb": "hos sammenlignbare", "en": "among your peers", "sv": "hos jämförbara", "da": "hos sammenlignelige",
          "fi": "vertailuryhmässä"}
_NETWORK = {"nb": "i hele nettverket", "en": "in the whole network", "sv": "i hela nätverket",
            "da": "i hele netværket", "fi": "koko verkostossa"}
_BUYERS_OF = {"nb": "av kjøperne dine", "en": "of your buyers", "sv": "av dina köpare", "da": "af dine købere",
              "fi": "ostajistasi"}
_GROUP_BUYERS_OF = {"nb": "av gruppens kjøpere", "en": "of the group's buyers", "sv": "av gruppens köpare",
                    "da": "af gruppens købere", "fi": "ryhmän ostajista"}
_WEEKDAY_WORD = {"nb": "kjøpsdag", "en": "day of purchase", "sv": "köpdag", "da": "købsdag", "fi": "ostopäivä"}
_MORE = {"nb": ("større", "mindre"), "en": ("larger", "smaller"), "sv": ("större", "mindre"),
         "da": ("større", "mindre"), "fi": ("suurempi", "pienempi")}
_AGAINST = {"nb": "mot", "en": "against", "sv": "mot", "da": "mod", "fi": "vs."}
_INDEX = {"nb": "indeks", "en": "index", "sv": "index", "da": "indeks", "fi": "indeksi"}
_SHARE_LEAD = {
    "nb": "{label} er en {more} del {buyers} enn {peers}: {own} mot {peer} ({index} {n})",
    "en": "{label} is a {more} part {buyers} than {peers}: {own} against {peer} ({index} {n})",
    "sv": "{label} är en {more} del {buyers} än {peers}: {own} mot {peer} ({index} {n})",
    "da": "{label} er en {more} del {buyers} end {peers}: {own} mod {peer} ({index} {n})",
    "fi": "{label}: {more} osuus {buyers} kuin {peers}: {own} vs. {peer} ({index} {n})",
}
_RETURNING = {
    "nb": "Andelen gjenkommende kjøpere er {more} enn {peers}: {own} mot {peer} ({index} {n})",
    "en": "The share of returning buyers is {more} than {peers}: {own} against {peer} ({index} {n})",
    "sv": "Andelen återkommande köpare är {more} än {peers}: {own} mot {peer} ({index} {n})",
    "da": "Andelen af tilbagevendende købere er {more} end {peers}: {own} mod {peer} ({index} {n})",
    "fi": "Palaavien ostajien osuus on {more} kuin {peers}: {own} vs. {peer} ({index} {n})",
}
_HIGHER = {"nb": ("høyere", "lavere"), "en": ("higher", "lower"), "sv": ("högre", "lägre"),
           "da": ("højere", "lavere"), "fi": ("suurempi", "pienempi")}
_TICKETS = {
    "nb": "Hver kjøper kjøper {more} billetter enn {peers}: {own} mot {peer} ({index} {n})",
    "en": "Each buyer buys {more} tickets than {peers}: {own} against {peer} ({index} {n})",
    "sv": "Varje köpare köper {more} biljetter än {peers}: {own} mot {peer} ({index} {n})",
    "da": "Hver køber køber {more} billetter end {peers}: {own} mod {peer} ({index} {n})",
    "fi": "Kukin ostaja ostaa {more} lippuja kuin {peers}: {own} vs. {peer} ({index} {n})",
}
_MANY = {"nb": ("flere", "færre"), "en": ("more", "fewer"), "sv": ("fler", "färre"), "da": ("flere", "færre"),
         "fi": ("enemmän", "vähemmän")}


def percent(share: float, lang: str) -> str:
    """A share as the texts state it: whole percent with a (non-breaking) space.

    >>> percent(0.1234, "nb"), percent(0.08, "en")
    ('12\\xa0%', '8%')
    """
    n = round(share * 100)
    return f"{n}%" if lang == "en" else f"{n}\u00a0%"


def decimal(value: float, lang: str) -> str:
    """A ratio with one decimal, comma-separated outside English.

    >>> decimal(2.44, "nb"), decimal(2.44, "en")
    ('2,4', '2.4')
    """
    s = f"{value:.1f}"
    return s if lang == "en" else s.replace(".", ",")


def _text(kind: str, lang: str, *, label: str = "", own: str, peer: str, index: float, up: bool,
          network: bool) -> str:
    peers = (_NETWORK if network else _PEERS)[lang]
    common = {"own": own, "peer": peer, "index": _INDEX[lang], "n": f"{index:.0f}", "peers": peers}
    if kind == "share":
        buyers = (_GROUP_BUYERS_OF if network else _BUYERS_OF)[lang]
        out = _SHARE_LEAD[lang].format(label=label, more=_MORE[lang][0 if up else 1], buyers=buyers,
                                       **common)
    elif kind == "returning":
        out = _RETURNING[lang].format(more=_HIGHER[lang][0 if up else 1], **common)
    else:
        out = _TICKETS[lang].format(more=_MANY[lang][0 if up else 1], **common)
    return out[:1].upper() + out[1:]


# ---- queries -----------------------------------------------------------------------------------

def query_json(request: InsightRequest) -> dict[str, Any]:
    """The GraphQL ``InsightQuery`` variables that ask ``request``."""
    q: dict[str, Any] = {"metrics": [m.upper() for m in request.metrics], "scope": request.scope.upper()}
    if request.group_by:
        q["groupBy"] = [{"dimension": g.dimension.upper(), **({"datePart": g.date_part.upper()} if g.date_part else {})}
                        for g in request.group_by]
    if request.filters:
        q["filters"] = [{"dimension": f.dimension.upper(), "op": f.op.upper(), "values": list(f.values)}
                        for f in request.filters]
    if request.time_range:
        tr = request.time_range
        q["timeRange"] = {k: v for k, v in (("from", tr.start and tr.start.isoformat()),
                                           ("to", tr.end and tr.end.isoformat())) if v}
        if tr.dimension != "purchased_at":
            q["timeRange"]["dimension"] = tr.dimension.upper()
    if request.compare:
        q["compare"] = [{"kind": c.kind.upper(), **({"peerGroup": c.peer_group.upper()} if c.peer_group else {})}
                        for c in request.compare]
    if request.totals:
        q["totals"] = True
    if request.limit:
        q["limit"] = request.limit
    return q


def _metric(row: Any, name: str) -> Any:
    return next(m for m in row.metrics if m.metric == name)


def _published(cell: Any) -> float | None:
    return None if cell is None or cell.suppressed or cell.value is None else float(cell.value)


def _bench(cell: Any) -> Any:
    comps = [c for c in (cell.comparisons or []) if c.kind == "benchmark"]
    return comps[0] if comps and not comps[0].suppressed else None


@dataclass
class _Candidate:
    highlight: Highlight
    verdict: Verdict


def _rank(c: _Candidate) -> tuple[bool, float]:
    """The bucket of a breakdown that differs most: a notable one first, then by ``|z|``."""
    return (c.verdict.notable, abs(c.verdict.z or 0.0))


def run_highlights(ctx: RequestContext, hq: HighlightRequest) -> HighlightsData:
    if hq.scope not in ("own", "network"):
        raise QueryError(f"unknown scope {hq.scope!r}", hint="Use OWN or NETWORK.")
    lang = labels.language(hq.locale or ctx.locale)
    if hq.scope == "own":
        if ctx.caller.role == "partner" or not ctx.caller.org_id:
            raise ForbiddenError("highlights in scope OWN are for member organizations; partners see a group of "
                                 "the network against the whole network",
                                 hint="Use scope: NETWORK with filters that define the group.")
        if not hq.peer_group:
            raise QueryError("scope OWN compares with a peer group: give peerGroup",
                             hint="e.g. peerGroup: SAME_ORG_TYPE")
        return _own(ctx, hq, lang)
    if not hq.filters:
        raise QueryError("scope NETWORK compares a group of the network, defined by filters, with the whole network",
                         hint="e.g. filters: [{dimension: ORG_TYPE, values: [\"theatre\"]}]")
    return _network(ctx, hq, lang)


def _ask(ctx: RequestContext, request: InsightRequest) -> InsightResultData:
    return run_insights(ctx, request)


def _labels_for(ctx: RequestContext, dimension: str, date_part: str | None, value: str, fallback: str | None) -> dict[str, str]:
    """The bucket's label with what it is a bucket of: ``Lav (kjøpekraft)``, ``lørdag (kjøpsdag)``."""
    catalog = ctx.services.catalog
    out = {}
    for lang in LANGS:
        if date_part == "weekday":
            out[lang] = f"{labels.weekday_label(int(value), lang)} ({_WEEKDAY_WORD[lang]})"
        else:
            bucket = catalog.value_label(dimension, value, lang) or fallback or value
            out[lang] = f"{bucket} ({catalog.label(catalog.dimension(dimension), lang).lower()})"
    return out


def _share_candidate(ctx: RequestContext, lang: str, dimension: str, date_part: str | None, cell: Any,
                     share: float, peer_share: float, index: float, z: float, verdict: Verdict, network: bool,
                     request: InsightRequest, peer_request: InsightRequest) -> _Candidate:
    """A BUYERS_SHARE bucket against its peers (OWN) or the rest of the network, in every language."""
    texts = {lg: _text("share", lg, label=lbl, own=percent(share, lg), peer=percent(peer_share, lg),
                       index=index, up=share > peer_share, network=network)
             for lg, lbl in _labels_for(ctx, dimension, date_part, cell.value, cell.label).items()}
    hl = Highlight("buyers_share", dimension, date_part, cell.value, cell.label, share, peer_share, share,
                   peer_share, index, z, verdict.why, texts.get(lang, texts["en"]), texts,
                   query_json(request), query_json(peer_request))
    return _Candidate(hl, verdict)


def _keep_best(best: _Candidate | None, dimension: str, candidates: list[_Candidate], skipped: list[str]) -> None:
    """A breakdown states at most its most notable bucket; without one it is listed as skipped."""
    if best is not None:
        candidates.append(best)
    else:
        skipped.append(f"buyers_share:{dimension}")


def _finish(candidates: list[_Candidate], scope: str, peer_group: str | None,
            skipped: list[str]) -> HighlightsData:
    decided = {name: "suppressed" for name in skipped}
    decided |= {c.highlight.metric + (f":{c.highlight.dimension}" if c.highlight.dimension else ""): c.verdict.rule
                for c in candidates}
    notable = sorted((c for c in candidates if c.verdict.notable), key=lambda c: -abs(c.verdict.z or 0))
    chosen = [c.highlight for c in notable[:MAX_HIGHLIGHTS]]
    reason = None
    if not candidates:
        reason = ("no comparison could be made: the peers' values (or the counts the noise test needs) are "
                  "suppressed or not published, e.g. a peer group of too few organizations")
    elif not chosen:
        reason = ("no difference from the peers is both large (|index - 100| >= 20 and >= 3 percentage points) "
                  "and clear of noise (>= 50 buyers, |z| >= 3) among the published values")
    return HighlightsData(chosen, len(candidates), reason, scope, peer_group, decided)


def _own(ctx: RequestContext, hq: HighlightRequest, lang: str) -> HighlightsData:
    assert hq.peer_group is not None
    compare = (ComparisonSpec("benchmark", hq.peer_group),)
    base = InsightRequest(metrics=(), filters=hq.filters, time_range=hq.time_range, scope="own",
                          compare=compare, totals=True, locale=lang)
    # The peers' buyers (for the noise test): the published NETWORK count of the peer group's
    # defining attribute, less the own total (the peer group never includes the caller).
    org = me(ctx)["organization"] or {}
    attribute = PEER_ATTRIBUTE.get(hq.peer_group)
    peer_filters = tuple(f for f in hq.filters if f.dimension not in ("organization", "event"))
    if attribute is not None:
        peer_filters = (*peer_filters, FilterSpec(attribute[0], "in", (str(org.get(attribute[1], "")),)))
    peer_req = InsightRequest(metrics=("buyers", "tickets", "first_time_buyers", "returning_buyers"),
                              filters=peer_filters, time_range=hq.time_range, scope="network", totals=True,
                              locale=lang)
    peer_totals = _ask(ctx, peer_req).totals
    assert peer_totals is not None
    candidates: list[_Candidate] = []
    skipped: list[str] = []
    for dimension, date_part in DIMENSIONS:
        request = replace(base, metrics=("buyers_share", "buyers"), group_by=(GroupSpec(dimension, None, date_part),))
        result = _ask(ctx, request)
        assert result.totals is not None
        own_total = _published(_metric(result.totals, "buyers"))
        network_peers = _published(_metric(peer_totals, "buyers"))
        peer_total = network_peers - own_total if network_peers is not None and own_total is not None else None
        if peer_total is not None and peer_total <= 0:
            peer_total = None
        best: _Candidate | None = None
        for row in result.rows:
            cell = row.dimensions[0]
            if cell.value is None or cell.value == "unknown":
                continue
            share_cell, count_cell = _metric(row, "buyers_share"), _metric(row, "buyers")
            bench = _bench(share_cell)
            count = _published(count_cell)
            share = _published(share_cell)
            peer_share = bench.peer_share if bench is not None else None
            verdict = judge(share, peer_share, count, own_total, peer_total,
                            suppressed=bench is None or share is None or count is None)
            if verdict.z is None and not verdict.notable:
                continue
            assert share is not None and peer_share is not None
            index = bench.index if bench.index is not None else share / peer_share * 100
            cand = _share_candidate(ctx, lang, dimension, date_part, cell, share, peer_share, index,
                                    verdict.z or 0.0, verdict, False, request, peer_req)
            if best is None or _rank(cand) > _rank(best):
                best = cand
        _keep_best(best, dimension, candidates, skipped)
    candidates.extend(_own_scalars(ctx, base, peer_totals, lang, query_json(peer_req)))
    skipped.extend(m for m in ("returning_share", "tickets_per_buyer")
                   if not any(c.highlight.metric == m for c in candidates))
    return _finish(candidates, "own", hq.peer_group, skipped)


def _own_scalars(ctx: RequestContext, base: InsightRequest, peer_totals: Any, lang: str,
                 peer_query: dict[str, Any]) -> list[_Candidate]:
    out: list[_Candidate] = []
    request = replace(base, metrics=("returning_share", "returning_buyers", "first_time_buyers",
                                     "tickets_per_buyer", "buyers"))
    result = _ask(ctx, request)
    totals = result.totals
    assert totals is not None
    ret, tpb = _metric(totals, "returning_share"), _metric(totals, "tickets_per_buyer")
    returning, first = _published(_metric(totals, "returning_buyers")), _published(_metric(totals, "first_time_buyers"))
    known = returning + first if returning is not None and first is not None else None
    p_ret, p_first = _published(_metric(peer_totals, "returning_buyers")), _published(_metric(peer_totals, "first_time_buyers"))
    peer_known = (p_ret + p_first - known) if None not in (p_ret, p_first, known) else None  # type: ignore[operator]
    bench = _bench(ret)
    share = _published(ret)
    peer_share = bench.value if bench is not None else None
    verdict = judge(share, peer_share, returning, known, peer_known if peer_known and peer_known > 0 else None,
                    suppressed=bench is None or share is None)
    if verdict.z is not None or verdict.notable:
        assert share is not None and peer_share is not None
        index = bench.index if bench.index is not None else share / peer_share * 100
        texts = {lg: _text("returning", lg, own=percent(share, lg), peer=percent(peer_share, lg), index=index,
                           up=share > peer_share, network=False) for lg in LANGS}
        out.append(_Candidate(Highlight("returning_share", None, None, None, None, share, peer_share, share,
                                        peer_share, index, verdict.z or 0.0, verdict.why,
                                        texts.get(lang, texts["en"]), texts, query_json(request), peer_query),
                              verdict))
    bench = _bench(tpb)
    value = _published(tpb)
    peer_value = bench.value if bench is not None else None
    own_n = _published(_metric(totals, "buyers"))
    network_n = _published(_metric(peer_totals, "buyers"))
    peer_n = network_n - own_n if network_n is not None and own_n is not None else None
    verdict = judge_ratio(value, peer_value, own_n, peer_n if peer_n and peer_n > 0 else None,
                          suppressed=bench is None or value is None)
    if verdict.z is not None or verdict.notable:
        assert value is not None and peer_value is not None
        index = bench.index if bench.index is not None else value / peer_value * 100
        texts = {lg: _text("tickets", lg, own=decimal(value, lg), peer=decimal(peer_value, lg), index=index,
                           up=value > peer_value, network=False) for lg in LANGS}
        out.append(_Candidate(Highlight("tickets_per_buyer", None, None, None, None, None, None, value, peer_value,
                                        index, verdict.z or 0.0, verdict.why, texts.get(lang, texts["en"]), texts,
                                        query_json(request), peer_query), verdict))
    return out


def _network(ctx: RequestContext, hq: HighlightRequest, lang: str) -> HighlightsData:
    group_base = InsightRequest(metrics=(), filters=hq.filters, time_range=hq.time_range, scope="network",
                                totals=True, locale=lang)
    whole_base = replace(group_base, filters=())
    candidates: list[_Candidate] = []
    skipped: list[str] = []
    for dimension, date_part in DIMENSIONS:
        gb = (GroupSpec(dimension, None, date_part),)
        group_req = replace(group_base, metrics=("buyers_share", "buyers"), group_by=gb)
        whole_req = replace(whole_base, metrics=("buyers_share", "buyers"), group_by=gb)
        group, whole = _ask(ctx, group_req), _ask(ctx, whole_req)
        assert group.totals is not None and whole.totals is not None
        g_total, w_total = _published(_metric(group.totals, "buyers")), _published(_metric(whole.totals, "buyers"))
        whole_rows = {r.dimensions[0].value: r for r in whole.rows}
        best: _Candidate | None = None
        for row in group.rows:
            cell = row.dimensions[0]
            if cell.value is None or cell.value == "unknown":
                continue
            other = whole_rows.get(cell.value)
            share, count = _published(_metric(row, "buyers_share")), _published(_metric(row, "buyers"))
            w_share = _published(_metric(other, "buyers_share")) if other is not None else None
            w_count = _published(_metric(other, "buyers")) if other is not None else None
            # the rest of the network: the whole less the group, from published values only
            rest_total = w_total - g_total if w_total is not None and g_total is not None else None
            rest_count = w_count - count if w_count is not None and count is not None else None
            if rest_total is None or rest_total <= 0 or rest_count is None or rest_count < 0 or w_share is None:
                continue
            # the z-test is group against the rest; the index and the text against the whole
            z = two_proportion_z(count or 0, g_total or 0, rest_count, rest_total)
            if z is None or share is None:
                continue
            verdict = judge(share, w_share, count, g_total, rest_total, z=z)
            cand = _share_candidate(ctx, lang, dimension, date_part, cell, share, w_share, share / w_share * 100,
                                    z, verdict, True, group_req, whole_req)
            if best is None or _rank(cand) > _rank(best):
                best = cand
        _keep_best(best, dimension, candidates, skipped)
    return _finish(candidates, "network", None, skipped)
