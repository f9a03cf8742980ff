"""Tab "Audience voice" in a real browser (chromium from PATH), against a real server: NPS and
satisfaction with their 95 % margins of error, by event type, age group and month, promoters /
passives / detractors and the answers to a choice question, for a member and a partner; table view,
CSV, benchmark, language and period. Every number checked here is read from the API's answer to the
request the page sent, never written into the test. Each test checks the page talked to its server
only, quietly.

The shared demo site (conftest.py) loads transactions only: this module adds the demo's survey
files to that warehouse once (an incremental, idempotent ingest that publishes a new version and
leaves every buyer figure as it was).
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from typing import Any

import pytest

from tests.web.conftest import Site, save_screenshot
from tests.web.test_dashboard import digits, sign_in, wait_ready
from tests.web.test_loyalty_tab import api, request

pytestmark = pytest.mark.browser

WIDGETS = ["npsEventType", "npsAge", "npsMonth", "npsGroups", "answers"]
ESTIMATES = {"npsEventType": "EVENT_TYPE", "npsAge": "AGE_GROUP", "npsMonth": "PURCHASED_AT"}
WHISKER = "#323f4b"


@pytest.fixture(scope="module")
def surveys(site: Site) -> Site:
    """The site with the demo's survey questions and answers loaded (and served)."""
    from warehouse.ingest import ingest
    from warehouse.secret import load_or_create_secret
    from warehouse.store import WarehouseStore

    root = site.warehouse.parent
    data = root / "data"
    secret, _ = load_or_create_secret(root / "secret.key")
    result = ingest(WarehouseStore(site.warehouse), secret, survey_questions=[data / "survey_questions.csv"],
                    survey_responses=sorted(data.glob("survey_responses_*.csv")))
    assert result.published or result.responses_loaded == 0, result
    query = "query { insights(query: {metrics: [RESPONDENTS]}) { rows { metrics { value } } } }"
    deadline = time.monotonic() + 90  # a loaded 2-core machine can take a while
    while time.monotonic() < deadline:
        status, body = site.graphql(site.tokens["partner"]["token"], query)
        rows = (body.get("data") or {}).get("insights", {}).get("rows", []) if status == 200 else []
        if rows and (rows[0]["metrics"][0]["value"] or 0) > 0:
            return site
        time.sleep(0.3)
    pytest.fail(f"the server does not answer survey metrics after the ingest: {body}")


# ---------------------------------------------------------------------------------------------
# helpers
def open_voice(page: Any, site: Site, who: str = "member0") -> tuple[dict[str, Any], dict[str, Any]]:
    """Sign in, open the tab; the bodies of its two requests (the tab query, the answers query)."""
    sign_in(page, site, who)
    with page.expect_request(lambda r: r.url.endswith("/graphql") and "VoiceTab" in (r.post_data or "")) as tab, \
            page.expect_request(lambda r: r.url.endswith("/graphql") and "VoiceAnswers" in (r.post_data or "")) as answers:
        page.locator("#tab-voice").click()
    wait_ready(page, "voice")
    return json.loads(tab.value.post_data), json.loads(answers.value.post_data)




def metrics_of(row: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["metric"]: m for m in row["metrics"]}


def number(text: str) -> float:
    """The number in a cell such as "52,9 †" or "±7,3" or "−12,5"."""
    cleaned = text.replace("\u2212", "-").replace("\u00a0", "").replace(" ", "").replace("±", "").replace("†", "").replace("%", "")
    return float(cleaned.replace(",", "."))


def table_rows(page: Any, widget: str) -> tuple[list[str], list[list[str]]]:
    card = page.locator(f".card[data-widget={widget}]")
    if card.get_attribute("data-mode") != "table":
        card.locator(".toggle").click()
    header = [c.inner_text().strip() for c in card.locator("thead th").all()]
    return header, [[c.inner_text().strip() for c in r.locator("td").all()] for r in card.locator("tbody tr").all()]


def chart_mode(page: Any, widget: str) -> None:
    card = page.locator(f".card[data-widget={widget}]")
    if card.get_attribute("data-mode") == "table":
        card.locator(".toggle").click()


def assert_drawn(page: Any, widget: str) -> None:
    card = page.locator(f".card[data-widget={widget}]")
    assert card.get_attribute("data-state") == "ready", f"{widget}: {card.inner_text()}"
    assert card.locator(".chart svg path, .chart svg rect").count() > 3, f"{widget} has no drawing"


def intervals(result: dict[str, Any], name: str) -> int:
    """How many values of ``name`` come with a margin of error (the intervals the chart must draw)."""
    return sum(1 for r in result["rows"] for m in r["metrics"]
               if m["metric"] == name and not m["suppressed"] and m["value"] is not None and m["marginOfError"] is not None)


def by_label(result: dict[str, Any], no_event: str) -> dict[str, dict[str, dict[str, Any]]]:
    return {(r["dimensions"][0]["label"] or no_event): metrics_of(r) for r in result["rows"]}


def whiskers(page: Any, widget: str) -> int:
    return page.locator(f".card[data-widget={widget}] .chart svg path[stroke='{WHISKER}']").count()


def check_estimates_table(page: Any, widget: str, result: dict[str, Any], no_event: str) -> None:
    """The table of NPS and satisfaction: every value, margin and count as the API answered."""
    header, rows = table_rows(page, widget)
    assert len(rows) == len(result["rows"]) > 0
    assert header[1] == "NPS" and header[2] == "± (95 %)" and header[3] == "Respondenter"
    expected = by_label(result, no_event)
    for row in rows:
        m = expected[row[0]]
        for column, name, margin_col, count_col, count in ((1, "NPS", 2, 3, "NPS_RESPONDENTS"),
                                                           (4, "SATISFACTION_SCORE", 5, 6, "RATING_RESPONDENTS")):
            value = m[name]
            if value["suppressed"]:
                assert row[column] in ("<10", "skjult"), row
                continue
            assert number(row[column]) == pytest.approx(value["value"], abs=0.0501), (row, value)
            assert row[column].endswith("†") == bool(value["unreliable"]), row
            if value["marginOfError"] is None:
                assert row[margin_col] == "–", row  # unknown margin: no interval either
            else:
                assert number(row[margin_col]) == pytest.approx(value["marginOfError"], abs=0.0501), row
            if not m[count]["suppressed"]:
                assert digits(row[count_col]) == str(int(m[count]["value"])), row
        if m["NPS"]["unreliable"] and not m["NPS"]["suppressed"]:
            assert "Færre enn 30 respondenter" in row[-1], row


# ---------------------------------------------------------------------------------------------
def test_member_sees_nps_with_intervals_table_csv_and_answers(page: Any, surveys: Site) -> None:
    site = surveys
    tab, answers = open_voice(page, site)
    assert page.locator("#tab-voice").inner_text() == "Publikums stemme"
    v = tab["variables"]
    assert v["scope"] == "OWN" and v["own"] is True and v["locale"] == "nb" and v["timeRange"]["from"]
    assert {"dimension": "QUESTION_KIND", "op": "IN", "values": ["choice"]} in v["questionFilters"]
    query = re.sub(r"\s+", " ", tab["query"])
    for alias, group in [("npsEventType", "EVENT_TYPE"), ("npsAge", "AGE_GROUP"), ("npsMonth", "PURCHASED_AT, granularity: MONTH"),
                         ("npsGroups", "EVENT_TYPE"), ("questions", "SURVEY_QUESTION")]:
        assert re.search(rf"{alias}: insights\(query: {{metrics: \[[A-Z_, ]+\], groupBy: \[{{dimension: {group}}}\]", query), alias
    assert "kpis: insights(query: {metrics: [NPS, NPS_RESPONDENTS, SATISFACTION_SCORE, RATING_RESPONDENTS, PROMOTERS, PASSIVES, DETRACTORS, RESPONDENTS]" in query
    assert "marginOfError unreliable" in query
    data = api(site, "member0", tab)
    for widget in WIDGETS:
        assert_drawn(page, widget)

    # KPIs: the API's values with their margin and respondents
    kpis = metrics_of(data["kpis"]["rows"][0])
    for name, count in (("NPS", "NPS_RESPONDENTS"), ("SATISFACTION_SCORE", "RATING_RESPONDENTS")):
        box = page.locator(f".voice-kpis .kpi[data-kpi={name}]")
        m = kpis[name]
        assert box.get_attribute("data-state") == "ready" and not m["suppressed"], m
        assert float(box.get_attribute("data-value")) == pytest.approx(m["value"])
        assert number(box.locator(".kpi-value").inner_text()) == pytest.approx(m["value"], abs=0.0501)
        assert float(box.get_attribute("data-margin")) == pytest.approx(m["marginOfError"])
        assert float(box.get_attribute("data-respondents")) == kpis[count]["value"]
        extra = box.locator(".kpi-extra").first.inner_text()
        margin = re.search(r"±([\d,]+)", extra)
        assert margin and number(margin.group(1)) == pytest.approx(m["marginOfError"], abs=0.0501), extra
        assert "respondenter" in extra, extra
    respondents = page.locator(".voice-kpis .kpi[data-kpi=RESPONDENTS] .kpi-value").inner_text()
    assert digits(respondents) == str(int(kpis["RESPONDENTS"]["value"]))
    # the response rate (a buyer metric, its own field of the request) with its base
    rate = metrics_of(data["responseRate"]["rows"][0])
    box = page.locator(".voice-kpis .kpi[data-kpi=RESPONSE_RATE]")
    assert float(box.get_attribute("data-value")) == pytest.approx(rate["RESPONSE_RATE"]["value"])
    assert number(box.locator(".kpi-value").inner_text().replace("%", "")) == pytest.approx(
        100 * rate["RESPONSE_RATE"]["value"], abs=0.0501)
    assert digits(box.locator(".kpi-extra").first.inner_text()) == str(int(rate["SURVEYED_BUYERS"]["value"]))

    # every chart of estimates draws an interval where the API gives a margin of error
    for widget in ESTIMATES:
        card = page.locator(f".card[data-widget={widget}]")
        drawn = intervals(data[widget], "NPS")
        assert int(card.get_attribute("data-intervals")) == drawn, widget
        unreliable = sum(1 for r in data[widget]["rows"] for m in r["metrics"]
                         if m["metric"] == "NPS" and m["unreliable"] and not m["suppressed"])
        assert int(card.get_attribute("data-unreliable")) == unreliable, widget
        if unreliable:
            assert "† færre enn 30 respondenter" in card.locator(".chart").inner_text(), widget
    assert intervals(data["npsEventType"], "NPS") > 0
    # bars: a whisker of three strokes (the line and two caps) per interval
    assert whiskers(page, "npsEventType") == 3 * intervals(data["npsEventType"], "NPS")
    assert whiskers(page, "npsAge") == 3 * intervals(data["npsAge"], "NPS")
    # the month line: its interval band
    band = page.evaluate("[...document.querySelectorAll('.card[data-widget=npsMonth] .chart svg path')]"
                         ".filter(p => p.getAttribute('fill') === 'rgb(0,114,178)' && Number(p.getAttribute('fill-opacity')) < 0.5).length")
    assert band >= (1 if intervals(data["npsMonth"], "NPS") >= 2 else 0)

    # table view: the API's numbers; suppressed values with their reason; CSV of the same
    no_event = "Ikke knyttet til et arrangement"
    check_estimates_table(page, "npsEventType", data["npsEventType"], no_event)
    check_estimates_table(page, "npsAge", data["npsAge"], no_event)
    hidden = [r for r in data["npsAge"]["rows"] if metrics_of(r)["NPS"]["suppressed"]]
    card = page.locator(".card[data-widget=npsAge]")
    assert int(card.get_attribute("data-suppressed")) == sum(
        metrics_of(r)[m]["suppressed"] for r in data["npsAge"]["rows"] for m in ("NPS", "SATISFACTION_SCORE"))
    if hidden:
        cell = card.locator("td.suppressed-cell").first
        assert cell.inner_text() in ("<10", "skjult")
        assert (cell.get_attribute("title") or "").startswith("Skjult")
        assert "skjult av personvernhensyn" in card.locator(".note").inner_text()
    card = page.locator(".card[data-widget=npsEventType]")
    header, rows = table_rows(page, "npsEventType")
    with page.expect_download() as download:
        card.locator(".csv").click()
    lines = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert lines[0] == header and len(lines) == len(rows) + 1
    expected = by_label(data["npsEventType"], no_event)
    for line in lines[1:]:
        m = expected[line[0]]
        if not m["NPS"]["suppressed"]:
            assert float(line[1]) == pytest.approx(m["NPS"]["value"], abs=0.006)
            assert float(line[3]) == m["NPS_RESPONDENTS"]["value"]
            if m["NPS"]["marginOfError"] is not None:
                assert float(line[2]) == pytest.approx(m["NPS"]["marginOfError"], abs=0.006)
    chart_mode(page, "npsEventType")
    chart_mode(page, "npsAge")

    # promoters / passives / detractors: the selection first, then each event type
    header, rows = table_rows(page, "npsGroups")
    assert rows[0][0] == "Alle (utvalget)"
    assert number(rows[0][1]) == pytest.approx(kpis["PROMOTERS"]["value"] * 100, abs=0.0501)
    assert number(rows[0][3]) == pytest.approx(kpis["DETRACTORS"]["value"] * 100, abs=0.0501)
    assert len(rows) == len(data["npsGroups"]["rows"]) + 1
    chart_mode(page, "npsGroups")

    # the answers to a choice question: picked from the member's questions, shares as the API's
    questions = [r["dimensions"][0] for r in data["questions"]["rows"]]
    assert questions, "the demo member has a choice question"
    select = page.locator("[data-control=voiceQuestion]")
    assert select.is_visible()
    assert [o.get_attribute("value") for o in select.locator("option").all()] == [q["value"] for q in questions]
    assert {"dimension": "SURVEY_QUESTION", "op": "IN", "values": [questions[0]["value"]]} in answers["variables"]["filters"]
    assert answers["variables"]["scope"] == "OWN" and "compare" not in answers["variables"]
    shares = api(site, "member0", answers)["answers"]
    _, rows = table_rows(page, "answers")
    expected = {r["dimensions"][0]["label"]: metrics_of(r) for r in shares["rows"]}
    assert len(rows) == len(expected) >= 2
    for row in rows:
        m = expected[row[0]]["ANSWERS_SHARE"]
        if m["suppressed"]:
            assert row[1] in ("<10", "skjult")
        else:
            assert number(row[1]) == pytest.approx(m["value"] * 100, abs=0.0501)
            assert digits(row[3]) == str(int(expected[row[0]]["ANSWERS"]["value"]))
    assert questions[0]["label"] in page.locator(".card[data-widget=answers] .note").inner_text()
    chart_mode(page, "answers")

    # a chart's metric: satisfaction instead of NPS, redrawn from the same answer (no request)
    sent = len(page.recorder.requests)
    page.select_option("[data-control=voiceMetric-npsMonth]", "SATISFACTION_SCORE")
    page.wait_for_function("document.querySelector('.card[data-widget=npsMonth]').dataset.renders > 1")
    card = page.locator(".card[data-widget=npsMonth]")
    assert int(card.get_attribute("data-intervals")) == intervals(data["npsMonth"], "SATISFACTION_SCORE")
    assert "Tilfredshet" in card.locator(".sub").inner_text()
    assert len(page.recorder.requests) == sent
    page.wait_for_timeout(200)
    save_screenshot(page, "voice.png")
    page.recorder.assert_clean()


def test_member_benchmark(page: Any, surveys: Site) -> None:
    """The benchmark from the shared filters: the peers' NPS beside the member's own."""
    site = surveys
    open_voice(page, site)
    body = request(page, "VoiceTab", lambda: page.select_option("[data-control=peer]", "NORDIC"))
    assert body["variables"]["compare"] == [{"kind": "BENCHMARK", "peerGroup": "NORDIC"}]
    page.wait_for_function("document.querySelector('.voice-kpis .kpi[data-kpi=NPS]').dataset.state !== 'loading'")
    wait_ready(page, "voice")
    status, answer = site.graphql(site.tokens["member0"]["token"], body["query"], body["variables"])
    errors = answer.get("errors") or []
    assert status == 200 and not errors, answer
    data = answer["data"]
    nps = metrics_of(data["kpis"]["rows"][0])["NPS"]
    cmp = nps["comparisons"][0]
    box = page.locator(".voice-kpis .kpi[data-kpi=NPS]")
    peer = box.locator(".kpi-peer").inner_text()
    assert "Hele Norden" in peer
    if not cmp["suppressed"]:
        assert float(box.get_attribute("data-peer")) == pytest.approx(cmp["value"])
        shown = re.search(r": ([−\d,]+)", peer)
        assert shown and number(shown.group(1)) == pytest.approx(cmp["value"], abs=0.0501), peer
    header, rows = table_rows(page, "npsEventType")
    assert any(h.startswith("NPS ·") for h in header[7:]), header
    chart_mode(page, "npsEventType")
    page.wait_for_timeout(200)
    save_screenshot(page, "voice-benchmark.png")
    page.recorder.assert_clean()


def test_partner_sees_the_network_with_suppressed_cells(page: Any, surveys: Site) -> None:
    site = surveys
    page.goto(site.base + "/")
    page.locator(".demo-token[data-role=partner]").click()
    wait_ready(page, "demography")
    with page.expect_request(lambda r: "VoiceTab" in (r.post_data or "")) as info, \
            page.expect_request(lambda r: "VoiceAnswers" in (r.post_data or "")) as a_info:
        page.locator("#tab-voice").click()
    wait_ready(page, "voice")
    tab, answers = json.loads(info.value.post_data), json.loads(a_info.value.post_data)
    assert tab["variables"]["scope"] == "NETWORK" and tab["variables"]["own"] is False
    assert answers["variables"]["scope"] == "NETWORK"
    assert {"dimension": "QUESTION_KIND", "op": "IN", "values": ["choice"]} in answers["variables"]["filters"]
    assert not any(f["dimension"] == "SURVEY_QUESTION" for f in answers["variables"]["filters"])
    for widget in WIDGETS:
        assert_drawn(page, widget)
    data = api(site, "partner", tab)
    assert "questions" not in data

    kpis = metrics_of(data["kpis"]["rows"][0])
    box = page.locator(".voice-kpis .kpi[data-kpi=NPS]")
    assert float(box.get_attribute("data-value")) == pytest.approx(kpis["NPS"]["value"])
    assert float(box.get_attribute("data-margin")) == pytest.approx(kpis["NPS"]["marginOfError"])

    # the network: cells of too few organizations hidden, with the reason, hatched in the chart
    card = page.locator(".card[data-widget=npsEventType]")
    hidden = sum(metrics_of(r)[m]["suppressed"] for r in data["npsEventType"]["rows"] for m in ("NPS", "SATISFACTION_SCORE"))
    assert int(card.get_attribute("data-suppressed")) == hidden
    assert int(card.get_attribute("data-intervals")) == intervals(data["npsEventType"], "NPS")
    assert whiskers(page, "npsEventType") == 3 * intervals(data["npsEventType"], "NPS")
    if hidden:
        assert "Skjult" in card.locator(".chart").inner_text()
        assert "skjult av personvernhensyn" in card.locator(".note").inner_text()
    check_estimates_table(page, "npsEventType", data["npsEventType"], "Ikke knyttet til et arrangement")
    cells = card.locator("td.suppressed-cell")
    for i in range(cells.count()):
        assert cells.nth(i).inner_text() in ("<10", "skjult")
        assert (cells.nth(i).get_attribute("title") or "").startswith("Skjult")
    chart_mode(page, "npsEventType")

    # answers: every choice question of the network, no question to pick
    assert not page.locator("[data-control=voiceQuestion]").is_visible()
    assert "Alle flervalgsspørsmål i nettverket" in page.locator(".card[data-widget=answers] .note").inner_text()
    shares = api(site, "partner", answers)["answers"]
    _, rows = table_rows(page, "answers")
    assert len(rows) == len(shares["rows"])
    page.recorder.assert_clean()


def test_language_and_period_change_the_tab(page: Any, surveys: Site) -> None:
    site = surveys
    open_voice(page, site)
    assert page.locator(".card[data-widget=npsAge] h3").inner_text() == "NPS og tilfredshet etter aldersgruppe"
    body = request(page, "VoiceTab", lambda: page.select_option("[data-control=language]", "en"))
    assert body["variables"]["locale"] == "en"
    page.wait_for_selector("#tab-voice:has-text('Audience voice')")
    wait_ready(page, "voice")
    assert page.locator(".card[data-widget=npsAge] h3").inner_text() == "NPS and satisfaction by age group"
    assert page.locator(".voice-kpis .kpi[data-kpi=SATISFACTION_SCORE] .kpi-label").inner_text() == "Satisfaction (0–100)"
    assert "respondents" in page.locator(".voice-kpis .kpi[data-kpi=NPS] .kpi-extra").first.inner_text()
    data = api(site, "member0", body, "en")
    _, rows = table_rows(page, "npsAge")
    order = [b for b in ["0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "unknown"]]
    ordered = sorted(data["npsAge"]["rows"], key=lambda r: order.index(r["dimensions"][0]["value"]))
    assert [r[0] for r in rows] == [r["dimensions"][0]["label"] for r in ordered]
    chart_mode(page, "npsAge")
    page.select_option("[data-control=language]", "sv")
    page.wait_for_selector("#tab-voice:has-text('Publikums röst')")
    page.select_option("[data-control=language]", "nb")
    page.wait_for_selector("#tab-voice:has-text('Publikums stemme')")
    wait_ready(page, "voice")

    # the period of the shared filters: the answers' time
    body = request(page, "VoiceTab", lambda: page.select_option("[data-control=period]", "lastYear"))
    year = body["variables"]["timeRange"]
    assert year["from"].endswith("-01-01") and year["to"].endswith("-12-31")
    wait_ready(page, "voice")
    page.wait_for_function("document.querySelector('.voice-kpis .kpi[data-kpi=NPS]').dataset.state !== 'loading'")
    data = api(site, "member0", body)
    months = [r["dimensions"][0]["value"] for r in data["npsMonth"]["rows"]]
    assert all(m.startswith(year["from"][:4]) for m in months), months
    card = page.locator(".card[data-widget=npsMonth]")
    assert card.get_attribute("data-state") in ("ready", "empty")
    page.recorder.assert_clean()
