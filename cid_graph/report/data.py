"""What a report shows, asked through the GraphQL API with the caller's token.

Every number of a report comes from GraphQL documents run by the same schema, token check and
privacy layer as ``/graphql``: :func:`gather` only takes an ``execute`` callable (a document and its
variables in, the response's ``data`` out), so the command line runs it in-process
(:class:`cid_graph.local_api.LocalApi`) and the server runs it as the signed-in caller. A partner's
token can only ask scope NETWORK: its report is the network's, never an organization's.

>>> Period.parse("2025")
Period(start='2025-01-01', end='2025-12-31')
>>> Period.parse("2025-03-01..2025-05-31").label()
'2025-03-01 – 2025-05-31'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cid_graph.errors import CidGraphError, QueryError

Execute = Callable[[str, dict[str, Any]], dict[str, Any]]
Progress = Callable[[str], None]
PEER_GROUPS = ("SAME_ORG_TYPE", "SAME_REGION", "SAME_COUNTRY", "NORDIC")

_RESULT = """
fragment R on InsightResult {
  rows {
    dimensions { dimension value label }
    metrics { metric value suppressed reason
      comparisons { kind peerGroup value share peerShare index ratio currentValue organizationsCompared suppressed reason } }
  }
  totals { metrics { metric value suppressed reason
    comparisons { kind peerGroup value share peerShare index ratio currentValue organizationsCompared suppressed reason } } }
  meta { warehouseVersion scope suppressedCells privacyK }
}"""

INTRO = """query ReportIntro($locale: String) {
  me { role organization { id name orgType country region } }
  catalog(locale: $locale) { warehouseVersion metrics { metric label } dimensions { dimension label } privacy { k roundingBase minOrganizations } }
}"""

_UNCOMPARED = "filters: $filters, timeRange: $timeRange, scope: $scope"
_ARGS = _UNCOMPARED + ", compare: $compare"
_VARS = "$filters: [FilterInput!], $timeRange: TimeRangeInput, $scope: Scope!, $compare: [ComparisonInput!], $locale: String"


def _document(name: str, *fields: str) -> str:
    return f"query {name}({_VARS}) {{\n" + "".join(fields) + "}" + _RESULT


def _field(alias: str, metrics: str, group_by: str = "", args: str = _ARGS) -> str:
    group = f", groupBy: [{group_by}]" if group_by else ""
    return f"  {alias}: insights(query: {{metrics: [{metrics}]{group}, {args}}}, locale: $locale) {{ ...R }}\n"


def _shares(**breakdowns: str) -> str:
    """One BUYERS_SHARE field (with the benchmark) per alias, grouped by its ``groupBy`` list."""
    return "".join(_field(alias, "BUYERS_SHARE", group_by) for alias, group_by in breakdowns.items())


KEY_FIGURES = _document(
    "ReportKeyFigures",
    _field("kpis", "BUYERS, EVENTS, ORGANIZATIONS, TICKETS, FEMALE_SHARE, MALE_SHARE, YOUNG_SHARE, "
           "TICKETS_PER_BUYER, RETURNING_SHARE, AVG_LEAD_TIME_DAYS"),
)
DEMOGRAPHY = _document("ReportDemography", _shares(
    ageGender="{dimension: AGE_GROUP}, {dimension: GENDER}", purchasingPower="{dimension: PURCHASING_POWER}",
    educationLevel="{dimension: EDUCATION_LEVEL}", areaType="{dimension: AREA_TYPE}"))
EVENTS = _document(
    "ReportEvents",
    _field("monthlyTrend", "BUYERS", "{dimension: PURCHASED_AT, granularity: MONTH}", args=_UNCOMPARED),
    _shares(weekday="{dimension: PURCHASED_AT, datePart: WEEKDAY}", hourOfDay="{dimension: PURCHASED_AT, datePart: HOUR}",
            eventType="{dimension: EVENT_TYPE}", orgType="{dimension: ORG_TYPE}"),
)
LOYALTY = _document(
    "ReportLoyalty",
    _shares(frequency="{dimension: FREQUENCY_BAND}", spend="{dimension: SPEND_BAND}"),
    _field("reach", "BUYERS_PER_1000_INHABITANTS", "{dimension: BUYER_REGION}", args=_UNCOMPARED),
)
GROWTH = (
    "query ReportGrowth($timeRange: TimeRangeInput, $scope: Scope!, $own: Boolean!, $locale: String) {\n"
    "  own: insights(query: {metrics: [BUYERS, TICKETS], timeRange: $timeRange, scope: $scope, "
    "compare: [{kind: SAME_PERIOD_LAST_YEAR, likeForLike: true}]}, locale: $locale) @include(if: $own) { ...R }\n"
    "  network: insights(query: {metrics: [BUYERS, TICKETS], timeRange: $timeRange, scope: NETWORK, "
    "compare: [{kind: SAME_PERIOD_LAST_YEAR, likeForLike: true}]}, locale: $locale) { ...R }\n"
    "}" + _RESULT
)
VOICE = _document(
    "ReportVoice",
    _field("voiceKpis", "NPS, SATISFACTION_SCORE, RESPONDENTS"),
    _field("npsEventType", "NPS", "{dimension: EVENT_TYPE}"),
)
HIGHLIGHTS = """query ReportHighlights($query: HighlightQuery!, $locale: String) {
  highlights(query: $query, locale: $locale) {
    reason candidates
    highlights { text metric dimension value ownShare peerShare ownValue peerValue index z why }
  }
}"""


@dataclass(frozen=True)
class Period:
    """A closed range of purchase dates (ISO), or all the data (both None)."""

    start: str | None
    end: str | None

    @classmethod
    def parse(cls, text: str | None) -> Period:
        """``2025``, ``2025-01-01..2025-06-30``, or empty for all the data held."""
        if not text:
            return cls(None, None)
        if re.fullmatch(r"\d{4}", text):
            return cls(f"{text}-01-01", f"{text}-12-31")
        m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text)
        if m:
            try:
                start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            except ValueError as exc:
                raise QueryError(f"the period {text!r} is not a real date range ({exc})",
                                 hint="Give --period 2025 or --period 2025-01-01..2025-06-30.") from None
            if start <= end:
                return cls(m[1], m[2])
        raise QueryError(f"the period {text!r} is not a year or a range FROM..TO",
                         hint="Give --period 2025 or --period 2025-01-01..2025-06-30 (from before to).")

    def label(self) -> str:
        return f"{self.start} – {self.end}" if self.start else ""

    def time_range(self) -> dict[str, str] | None:
        return {"from": self.start, "to": self.end} if self.start and self.end else None


@dataclass
class ReportData:
    """The API's answers a report is made of (``sections`` by alias: insights results as JSON)."""

    locale: str
    period: Period
    role: str
    organization: dict[str, Any] | None
    peer_group: str | None
    warehouse_version: int | None
    privacy: dict[str, int]
    metric_labels: dict[str, str]
    dimension_labels: dict[str, str] = field(default_factory=dict)
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    highlights: dict[str, Any] | None = None

    @property
    def own(self) -> bool:
        """An organization's report (scope OWN); else the network's."""
        return self.organization is not None and self.role == "MEMBER"


def gather(execute: Execute, *, period: Period, locale: str, peer_group: str | None = "SAME_ORG_TYPE",
           progress: Progress | None = None) -> ReportData:
    """Ask the API everything a report shows, as the token ``execute`` runs with.

    A member's report is its organization (scope OWN) against ``peer_group``; anyone else's (a
    partner, an admin) is the network's (scope NETWORK, no benchmark, no highlights).
    """
    say = progress or (lambda _msg: None)
    if peer_group is not None and peer_group not in PEER_GROUPS:
        raise QueryError(f"unknown peer group {peer_group!r}", hint=f"Use one of {', '.join(PEER_GROUPS)}.")
    say("asking who the token belongs to")
    intro = execute(INTRO, {"locale": locale})
    me, catalog = intro["me"], intro["catalog"]
    data = ReportData(locale, period, me["role"], me.get("organization"), None, catalog.get("warehouseVersion"),
                      dict(catalog["privacy"]), {m["metric"]: m["label"] for m in catalog["metrics"]},
                      {d["dimension"]: d["label"] for d in catalog["dimensions"]})
    if not data.own:
        data.organization = None
    scope = "OWN" if data.own else "NETWORK"
    data.peer_group = peer_group if data.own else None
    compare = [{"kind": "BENCHMARK", "peerGroup": data.peer_group}] if data.peer_group else None
    variables = {"filters": None, "timeRange": period.time_range(), "scope": scope, "compare": compare,
                 "locale": locale}
    for name, document in (("key figures", KEY_FIGURES), ("demography", DEMOGRAPHY), ("events", EVENTS),
                           ("loyalty and reach", LOYALTY), ("audience voice", VOICE)):
        say(f"asking the {name}")
        data.sections.update(execute(document, variables))
    if period.time_range():
        say("asking the growth like for like")
        growth = execute(GROWTH, {"timeRange": period.time_range(), "scope": scope, "own": data.own,
                                  "locale": locale})
        data.sections.update({f"growth_{k}": v for k, v in growth.items() if v is not None})
    if data.own and data.peer_group:
        say("asking the highlights")
        query: dict[str, Any] = {"scope": "OWN", "peerGroup": data.peer_group}
        if period.time_range():
            query["timeRange"] = period.time_range()
        data.highlights = execute(HIGHLIGHTS, {"query": query, "locale": locale})["highlights"]
    return data


def raise_errors(body: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL response's ``data``, or its first error as a :class:`CidGraphError` with its code and hint."""
    if body.get("errors"):
        first = body["errors"][0]
        ext = first.get("extensions") or {}
        raise CidGraphError(first.get("message", "the API refused the report's query"), hint=ext.get("hint"),
                            code=ext.get("code") or "BAD_QUERY")
    return dict(body.get("data") or {})
