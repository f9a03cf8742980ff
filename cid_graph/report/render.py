"""A report's HTML (A4 pages, charts as inline SVG) from the API's answers in :class:`ReportData`.

Every number printed is a published value of an answer; a hidden one is printed as the word for
hidden (``skjult``), never as a number, and nothing is computed from one.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from cid_graph.report import svg
from cid_graph.report.data import ReportData
from cid_graph.report.numbers import (
    COUNTS,
    cell,
    comparison,
    metric_value,
    number,
    peer_value,
    percent,
    published,
)
from cid_graph.report.texts import text

#: The key figures, in the order printed (a metric the answer lacks is left out).
KEY_FIGURES = ("BUYERS", "TICKETS", "EVENTS", "ORGANIZATIONS", "FEMALE_SHARE", "MALE_SHARE", "YOUNG_SHARE",
               "TICKETS_PER_BUYER", "RETURNING_SHARE", "AVG_LEAD_TIME_DAYS")
VOICE_FIGURES = ("NPS", "SATISFACTION_SCORE", "RESPONDENTS")

_CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', sans-serif; font-size: 9.5pt; color: #1b2630; margin: 0; }
h1 { font-size: 20pt; margin: 0 0 2mm; color: #1f5f8b; }
h2 { font-size: 13pt; margin: 5mm 0 2mm; color: #1f5f8b; border-bottom: 0.4mm solid #1f5f8b; }
h3 { font-size: 9.5pt; margin: 2mm 0 1mm; }
.page { page-break-after: always; }
.page:last-child { page-break-after: auto; }
.org { font-size: 14pt; font-weight: bold; margin: 0 0 2mm; }
.sub { color: #4a5a68; margin: 0 0 1mm; }
table.kf { border-collapse: collapse; width: 100%; }
table.kf th, table.kf td { text-align: left; padding: 1.2mm 2mm; border-bottom: 0.2mm solid #d5dde4; }
table.kf td.num, table.kf th.num { text-align: right; white-space: nowrap; }
.hidden { color: #8a3b12; font-style: italic; }
ul.hl { padding-left: 5mm; margin: 1mm 0; }
ul.hl li { margin: 0 0 1.6mm; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 2mm 6mm; }
.chart { break-inside: avoid; }
.note { color: #4a5a68; font-size: 8pt; }
"""


class _Page:
    """Writes one report: the language, the organization or network, the period."""

    def __init__(self, data: ReportData, published_on: str | None, made_on: str) -> None:
        self.d = data
        self.lang = data.locale
        self.published_on = published_on or "–"
        self.made_on = made_on

    def t(self, key: str, **values: object) -> str:
        return text(self.lang, key, **values)

    def hidden(self) -> str:
        return f"<span class='hidden'>{escape(self.t('suppressed'))}</span>"

    def label(self, metric: str) -> str:
        return self.d.metric_labels.get(metric, metric.replace("_", " ").lower())

    # ---- page 1 ---------------------------------------------------------------------------
    def header(self) -> str:
        org = self.d.organization
        who = escape(org["name"]) if org else escape(self.t("network"))
        period = self.d.period.label() or self.t("all_time")
        lines = [f"<h1>{escape(self.t('title'))}</h1><p class='org'>{who}</p>",
                 f"<p class='sub'>{escape(self.t('period'))}: {escape(period)}</p>"]
        if self.d.peer_group:
            lines.append(f"<p class='sub'>{escape(self.t('compared_with'))}: "
                         f"{escape(self.t('peer_' + self.d.peer_group))}</p>")
        return "".join(lines)

    def key_figures(self) -> str:
        kpis = self.d.sections.get("kpis")
        rows = []
        for metric in KEY_FIGURES:
            c = cell(kpis, metric)
            if c is None:
                continue
            rows.append(self._figure_row(metric, c))
        peers = f"<th class='num'>{escape(self.t('benchmark'))}</th><th class='num'>{escape(self.t('index'))}</th>" \
            if self.d.peer_group else ""
        return (f"<h2>{escape(self.t('key_figures'))}</h2><table class='kf' data-section='key-figures'>"
                f"<tr><th>{escape(self.t('metric'))}</th><th class='num'>{escape(self.t('value'))}</th>{peers}</tr>"
                + "".join(rows) + "</table>")

    def _figure_row(self, metric: str, c: dict[str, Any]) -> str:
        v = published(c)
        shown = self.hidden() if v is None else escape(metric_value(metric, v, self.lang))
        out = f"<tr data-metric='{metric}'><td>{escape(self.label(metric))}</td><td class='num'>{shown}</td>"
        if self.d.peer_group:
            cmp = comparison(c, "BENCHMARK")
            pv, p_hidden = peer_value(c)
            if cmp is None or metric in COUNTS:  # a count's benchmark is its share of itself: not a figure
                out += "<td class='num'>–</td><td class='num'>–</td>"
            elif p_hidden:
                out += f"<td class='num'>{self.hidden()}</td><td class='num'>{self.hidden()}</td>"
            else:
                index = cmp.get("index")
                out += (f"<td class='num'>{escape(metric_value(metric, pv, self.lang)) if pv is not None else '–'}</td>"
                        f"<td class='num'>{escape(number(index, self.lang)) if index is not None else '–'}</td>")
        return out + "</tr>"

    def highlights(self) -> str:
        out = f"<h2>{escape(self.t('highlights'))}</h2>"
        if not self.d.own:
            return out + f"<p class='note'>{escape(self.t('network_highlights'))}</p>"
        items = (self.d.highlights or {}).get("highlights") or []
        if not items:
            return out + f"<p class='note'>{escape(self.t('no_highlights'))}</p>"
        return out + "<ul class='hl' data-section='highlights'>" + "".join(
            f"<li data-metric='{escape(h['metric'])}'>{escape(h['text'])}</li>" for h in items) + "</ul>"

    # ---- charts ---------------------------------------------------------------------------
    def rows(self, alias: str) -> list[dict[str, Any]]:
        return list((self.d.sections.get(alias) or {}).get("rows") or [])

    def share_bars(self, items: list[svg.Bar], **size: int) -> str:
        return svg.bars(items, fmt=lambda v: percent(v, self.lang), hidden=self.t("suppressed"),
                        legend=(self.t("own"), self.t("peers")), **size)

    def share_chart(self, alias: str, title: str | None = None, *, sort: bool = False) -> str:
        items = []
        for row in self.rows(alias):
            dim = row["dimensions"][0]
            if dim.get("value") in (None, "unknown"):
                continue
            c = next((m for m in row["metrics"] if m["metric"] == "BUYERS_SHARE"), None)
            pv, p_hidden = peer_value(c)
            items.append(svg.Bar(dim.get("label") or dim.get("value") or "", published(c), pv, p_hidden))
        if not items:
            return ""
        if sort:
            items.sort(key=lambda b: -(b.value or 0))
        dimension = self.rows(alias)[0]["dimensions"][0].get("dimension") or alias
        return _figure(alias, title or self.d.dimension_labels.get(dimension, dimension), self.share_bars(items))

    def age_gender(self) -> str:
        items = []
        for row in self.rows("ageGender"):
            age, gender = row["dimensions"][0], row["dimensions"][1]
            if "unknown" in (age.get("value"), gender.get("value")):
                continue
            pv, p_hidden = peer_value(row["metrics"][0])
            items.append(svg.Bar(f"{age.get('label')} · {gender.get('label')}", published(row["metrics"][0]),
                                 pv, p_hidden))
        return _figure("ageGender", self.t("age_gender"), self.share_bars(items, width=680, label_width=150)) \
            if items else ""

    def monthly(self) -> str:
        points = [((r["dimensions"][0].get("value") or "")[:7], published(r["metrics"][0]))
                  for r in self.rows("monthlyTrend")]
        if not points:
            return ""
        return _figure("monthlyTrend", self.t("month"),
                       svg.line(points, fmt=lambda v: number(v, self.lang), hidden=self.t("suppressed")))

    def reach(self) -> str:
        items = [svg.Bar(r["dimensions"][0].get("label") or r["dimensions"][0].get("value") or "",
                         published(r["metrics"][0])) for r in self.rows("reach")
                 if r["dimensions"][0].get("value") not in (None, "unknown")]
        items = sorted((b for b in items if b.value is not None), key=lambda b: -(b.value or 0))[:10]
        if not items:
            return ""
        return _figure("reach", self.t("top_regions"),
                       svg.bars(items, fmt=lambda v: number(v, self.lang, 2), hidden=self.t("suppressed")))

    def growth(self, alias: str, title: str) -> str:
        result = self.d.sections.get(alias)
        head = f"<h3>{escape(title)}</h3>"
        if not result:
            return head + f"<p class='note'>{escape(self.t('growth_none'))}</p>"
        lines = []
        for metric in ("BUYERS", "TICKETS"):
            c = cell(result, metric)
            cmp = comparison(c, "SAME_PERIOD_LAST_YEAR")
            if cmp is None:
                continue
            if cmp.get("suppressed") or cmp.get("value") is None or cmp.get("currentValue") is None:
                lines.append(f"<li data-metric='{metric}'>{escape(self.label(metric))}: {self.hidden()}</li>")
                continue
            ratio = cmp.get("ratio")
            change = f"{'+' if ratio is not None and ratio >= 1 else ''}{percent(ratio - 1, self.lang)}" \
                if ratio is not None else "–"
            lines.append(f"<li data-metric='{metric}'>" + escape(self.t(
                "growth_text", metric=self.label(metric),
                current=number(float(cmp["currentValue"]), self.lang), prior=number(float(cmp["value"]), self.lang),
                change=change, n=cmp.get("organizationsCompared") or "–")) + "</li>")
        if not lines:
            return head + f"<p class='note'>{escape(self.t('growth_none'))}</p>"
        return head + f"<ul class='hl' data-section='{alias}'>" + "".join(lines) + "</ul>"

    def voice(self) -> str:
        kpis = self.d.sections.get("voiceKpis")
        out = f"<h2>{escape(self.t('voice'))}</h2>"
        rows = [self._figure_row(m, c) for m in VOICE_FIGURES if (c := cell(kpis, m)) is not None]
        if not rows or not published(cell(kpis, "RESPONDENTS")):
            return out + f"<p class='note'>{escape(self.t('no_voice'))}</p>"
        peers = f"<th class='num'>{escape(self.t('benchmark'))}</th><th class='num'>{escape(self.t('index'))}</th>" \
            if self.d.peer_group else ""
        return (out + f"<table class='kf' data-section='voice'><tr><th>{escape(self.t('metric'))}</th>"
                f"<th class='num'>{escape(self.t('value'))}</th>{peers}</tr>" + "".join(rows) + "</table>")

    def footer(self) -> str:
        p = self.d.privacy
        return (f"<h2>{escape(self.t('protection'))}</h2><p>{escape(self.t('protection_text', k=p.get('k', '–'), m=p.get('minOrganizations', '–'), r=p.get('roundingBase', '–')))}</p>"
                f"<p class='note'>{escape(self.t('suppressed_note'))}</p>"
                f"<p class='note' data-section='version'>{escape(self.t('version', v=self.d.warehouse_version or '–', date=self.published_on, made=self.made_on))}</p>")

    def html(self) -> str:
        dim = self.t
        page1 = self.header() + self.key_figures() + self.highlights()
        page2 = (f"<h2>{escape(dim('demography'))}</h2>" + self.age_gender() + "<div class='grid'>"
                 + self.share_chart("purchasingPower") + self.share_chart("educationLevel")
                 + self.share_chart("areaType") + "</div>")
        page3 = (f"<h2>{escape(dim('events'))}</h2>" + self.monthly() + "<div class='grid'>"
                 + self.share_chart("weekday", dim("weekday")) + self.share_chart("hourOfDay", dim("hour"))
                 + self.share_chart("eventType", sort=True)
                 + ("" if self.d.own else self.share_chart("orgType", sort=True)) + "</div>")
        growth = (self.growth("growth_own", dim("own_growth")) if self.d.own else "") \
            + self.growth("growth_network", dim("growth"))
        page4 = (f"<h2>{escape(dim('loyalty'))}</h2><div class='grid'>" + self.share_chart("frequency")
                 + self.share_chart("spend") + "</div>" + self.reach() + growth + self.voice() + self.footer())
        pages = "".join(f"<section class='page'>{p}</section>" for p in (page1, page2, page3, page4))
        return (f"<!doctype html><html lang='{self.lang}'><head><meta charset='utf-8'>"
                f"<title>{escape(dim('title'))}</title><style>{_CSS}</style></head><body>{pages}</body></html>")


def _figure(alias: str, heading: str, chart: str) -> str:
    return f"<div class='chart' data-chart='{alias}'><h3>{escape(heading)}</h3>{chart}</div>"


def render_html(data: ReportData, *, published_on: str | None = None, made_on: str | None = None) -> str:
    """The report as one HTML document (A4 pages when printed)."""
    return _Page(data, published_on, made_on or date.today().isoformat()).html()
