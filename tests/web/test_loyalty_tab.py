"""Tab "Loyalty and reach" in a real browser (chromium from PATH), against a real server: returning
vs first-time buyers, frequency and spend bands, the lead-time curve, reach per 1,000 inhabitants,
the audience-vs-population index and like-for-like growth, for a member and a partner; table view,
CSV, benchmark, language and period. Each test checks the page talked to its server only, quietly.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.web.conftest import Site, save_screenshot
from tests.web.test_dashboard import digits, sign_in, wait_ready

pytestmark = pytest.mark.browser

WIDGETS = ["returning", "frequency", "spend", "leadTime", "growth", "reach", "audience"]
KPIS = ["RETURNING_SHARE", "FIRST_TIME_BUYERS", "RETURNING_BUYERS", "AVG_LEAD_TIME_DAYS"]
FINNISH = [f"FI-{i:02d}" for i in range(1, 20)]


def open_loyalty(page: Any, site: Site, who: str = "member0") -> tuple[dict[str, Any], dict[str, Any]]:
    """Sign in, open the tab; the bodies of its two requests (the tab query, the growth query)."""
    sign_in(page, site, who)
    with page.expect_request(lambda r: r.url.endswith("/graphql") and "LoyaltyTab" in (r.post_data or "")) as tab, \
            page.expect_request(lambda r: r.url.endswith("/graphql") and "GrowthLikeForLike" in (r.post_data or "")) as growth:
        page.locator("#tab-loyalty").click()
    wait_ready(page, "loyalty")
    return json.loads(tab.value.post_data), json.loads(growth.value.post_data)


def request(page: Any, name: str, action: Any) -> dict[str, Any]:
    with page.expect_request(lambda r: r.url.endswith("/graphql") and name in (r.post_data or "")) as info:
        action()
    return json.loads(info.value.post_data)


def api(site: Site, who: str, body: dict[str, Any], language: str = "nb") -> dict[str, Any]:
    status, answer = site.graphql(site.tokens[who]["token"], body["query"], body["variables"], language)
    assert status == 200 and "errors" not in answer, answer
    return answer["data"]


def assert_drawn(page: Any, widget: str) -> None:
    card = page.locator(f".card[data-widget={widget}]")
    assert card.get_attribute("data-state") == "ready", f"{widget}: {card.inner_text()}"
    if widget == "reach":
        assert card.locator(".tile").count() >= 60, "the map shows every Nordic region"
    else:
        assert card.locator(".chart svg path, .chart svg rect").count() > 3, f"{widget} has no drawing"


def metrics_of(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["metric"]: m for m in result["rows"][0]["metrics"]}


def table_rows(page: Any, widget: str) -> list[list[str]]:
    card = page.locator(f".card[data-widget={widget}]")
    if card.get_attribute("data-mode") != "table":
        card.locator(".toggle").click()
    return [[c.inner_text().strip() for c in r.locator("td").all()] for r in card.locator("tbody tr").all()]


def test_member_sees_the_tab_with_numbers_table_csv_and_benchmark(page: Any, site: Site) -> None:
    tab, growth = open_loyalty(page, site)
    assert tab["variables"]["scope"] == "OWN" and growth["variables"]["scope"] == "OWN"
    assert page.locator("#tab-loyalty").inner_text() == "Lojalitet og rekkevidde"
    data = api(site, "member0", tab)
    for widget in WIDGETS:
        assert_drawn(page, widget)

    # KPIs: the API's values, shown in Norwegian
    kpis = metrics_of(data["kpis"])
    for name in KPIS:
        box = page.locator(f".loyalty-kpis .kpi[data-kpi={name}]")
        assert box.get_attribute("data-state") == "ready"
        assert not kpis[name]["suppressed"], kpis[name]  # OWN: exact counts (P6)
        assert float(box.get_attribute("data-value")) == pytest.approx(kpis[name]["value"])
    assert digits(page.locator(".kpi[data-kpi=FIRST_TIME_BUYERS] .kpi-value").inner_text()) == str(int(kpis["FIRST_TIME_BUYERS"]["value"]))
    share = page.locator(".kpi[data-kpi=RETURNING_SHARE] .kpi-value").inner_text()
    assert share.endswith("%") and "," in share  # 48,3 %

    # "first time" is explained with the organization's earliest data date
    _, me = site.graphql(site.tokens["member0"]["token"], "query { me { organization { dataSince } } }")
    since = page.locator("#loyalty-since")
    assert "Førstegangskjøper = første kjøp" in since.inner_text()
    assert since.get_attribute("data-since") == me["data"]["me"]["organization"]["dataSince"]

    # growth like for like: own and the network's, with how many organizations were compared
    assert growth["variables"]["compare"] == [{"kind": "SAME_PERIOD_LAST_YEAR", "likeForLike": True}]
    assert growth["variables"]["timeRange"]["from"] and growth["variables"]["timeRange"]["to"]
    g = api(site, "member0", growth)
    market = metrics_of(g["market"])["BUYERS"]["comparisons"][0]
    note = page.locator(".card[data-widget=growth] .note").inner_text()
    assert f"{market['organizationsCompared']} organisasjoner sammenlignet" in note
    rows = table_rows(page, "growth")
    own = metrics_of(g["growth"])["BUYERS"]["comparisons"][0]
    assert digits(rows[0][3]) == str(int(own["currentValue"])) and digits(rows[0][2]) == str(int(own["value"]))

    # table view and CSV of exactly what the table shows
    card = page.locator(".card[data-widget=frequency]")
    rows = table_rows(page, "frequency")
    assert len(rows) == len(data["frequency"]["rows"]) >= 3
    assert card.locator("th").first.inner_text().strip() == "Kjøpsfrekvens"
    with page.expect_download() as download:
        card.locator(".csv").click()
    csv = download.value.path().read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(csv) == len(rows) + 1
    first = csv[1].split(",")
    assert first[0] == rows[0][0] and digits(first[1]) == digits(rows[0][1])
    by_code = {r["dimensions"][0]["value"]: metrics_of({"rows": [r]}) for r in data["frequency"]["rows"]}
    assert float(first[2]) == pytest.approx(by_code["1"]["BUYERS_SHARE"]["value"] * 100, abs=0.006)
    card.locator(".toggle").click()
    assert card.get_attribute("data-mode") == "chart"

    # regions without population figures: "no population data", never a zero
    for row in data["reach"]["rows"]:
        code, m = row["dimensions"][0]["value"], row["metrics"][0]
        if code in FINNISH and m["value"] is None and not m["suppressed"]:
            tile = page.locator(f".card[data-widget=reach] .tile[data-region='{code}']")
            assert "missing" in (tile.get_attribute("class") or "")
            assert "Ingen befolkningsdata" in (tile.get_attribute("title") or "")
    # the audience index: 100 marked, the synthetic population said
    audience = page.locator(".card[data-widget=audience]")
    assert "SYNTETISK" in audience.locator(".note").inner_text()
    assert "100 = som i befolkningen" in audience.locator(".chart").inner_text()
    assert {f["dimension"] for f in tab["variables"]["audienceFilters"]} >= {"BUYER_COUNTRY", "AGE_GROUP", "GENDER"}

    # the benchmark: the same pattern as the other tabs (scope OWN, a peer group)
    body = request(page, "LoyaltyTab", lambda: page.select_option("[data-control=peer]", "NORDIC"))
    assert body["variables"]["compare"] == [{"kind": "BENCHMARK", "peerGroup": "NORDIC"}]
    page.wait_for_function("document.querySelector('.card[data-widget=frequency]').dataset.renders > 1")
    wait_ready(page, "loyalty")
    page.wait_for_function("document.querySelector('.card[data-widget=growth]').dataset.renders > 1")
    data = api(site, "member0", body)
    cmp = metrics_of(data["kpis"])["RETURNING_SHARE"]["comparisons"][0]
    extra = page.locator(".kpi[data-kpi=RETURNING_SHARE] .kpi-extra").inner_text()
    assert "Hele Norden" in extra and ("Indeks" in extra if not cmp["suppressed"] else True)
    page.locator(".card[data-widget=frequency] .toggle").click()
    headers = page.locator(".card[data-widget=frequency] th").all_inner_texts()
    assert "Indeks" in headers and any("Sammenligningsgruppens andel" in h for h in headers), headers
    page.locator(".card[data-widget=frequency] .toggle").click()
    assert "Hele Norden" in page.locator(".card[data-widget=growth] .chart").inner_text() or \
        "Hele Norden" in " ".join(table_rows(page, "growth")[-1])
    page.locator(".card[data-widget=growth] .toggle").click()
    page.wait_for_timeout(200)
    save_screenshot(page, "dashboard-loyalty.png")
    page.recorder.assert_clean()


def test_partner_sees_the_network_with_suppressed_cells_and_no_population_data(page: Any, site: Site) -> None:
    page.goto(site.base + "/")
    page.locator(".demo-token[data-role=partner]").click()
    wait_ready(page, "demography")
    with page.expect_request(lambda r: "LoyaltyTab" in (r.post_data or "")) as info, \
            page.expect_request(lambda r: "GrowthLikeForLike" in (r.post_data or "")) as g_info:
        page.locator("#tab-loyalty").click()
    wait_ready(page, "loyalty")
    tab, growth = json.loads(info.value.post_data), json.loads(g_info.value.post_data)
    assert tab["variables"]["scope"] == "NETWORK" and growth["variables"]["market"] is False
    for widget in WIDGETS:
        assert_drawn(page, widget)
    data = api(site, "partner", tab)
    assert "Førstegangskjøper = første kjøp i dataene siden" in page.locator("#loyalty-since").inner_text()

    # suppressed values as on the other tabs: "<10"/"skjult", hatched, with the reason
    hidden = sum(m["suppressed"] for r in data["returning"]["rows"] for m in r["metrics"])
    card = page.locator(".card[data-widget=returning]")
    assert int(card.get_attribute("data-suppressed")) == hidden
    if hidden:
        assert "skjult av personvernhensyn" in card.locator(".note").inner_text()
        table_rows(page, "returning")
        cells = card.locator("td.suppressed-cell")
        assert cells.count() >= hidden
        for i in range(cells.count()):
            assert cells.nth(i).inner_text() in ("<10", "skjult")
            assert (cells.nth(i).get_attribute("title") or "").startswith("Skjult")

    # regions whose population is not known are said so on the map and in the table
    missing = [r["dimensions"][0]["value"] for r in data["reach"]["rows"]
               if r["metrics"][0]["value"] is None and not r["metrics"][0]["suppressed"]]
    for code in missing:
        if code in FINNISH:
            tile = page.locator(f".card[data-widget=reach] .tile[data-region='{code}']")
            assert "missing" in (tile.get_attribute("class") or ""), code
    if missing:
        rows = table_rows(page, "reach")
        assert any("Ingen befolkningsdata" in r[-1] for r in rows)

    # growth: the network's, like for like, with the organizations compared
    g = api(site, "partner", growth)
    m = metrics_of(g["growth"])["BUYERS"]
    cmp = m["comparisons"][0]
    note = page.locator(".card[data-widget=growth] .note").inner_text()
    assert f"{cmp['organizationsCompared']} organisasjoner sammenlignet" in note
    page.recorder.assert_clean()


def test_language_and_period_change_the_tab(page: Any, site: Site) -> None:
    open_loyalty(page, site)
    nb_labels = [r[0] for r in table_rows(page, "spend")]
    page.locator(".card[data-widget=spend] .toggle").click()

    body = request(page, "LoyaltyTab", lambda: page.select_option("[data-control=language]", "en"))
    assert body["variables"]["locale"] == "en"
    page.wait_for_selector("#tab-loyalty:has-text('Loyalty and reach')")
    wait_ready(page, "loyalty")
    assert page.locator(".card[data-widget=frequency] h3").inner_text() == "How often buyers come (events in 365 days)"
    assert page.locator(".kpi[data-kpi=RETURNING_SHARE] .kpi-label").inner_text() == "Returning buyers (share)"
    assert "First-time buyer = first purchase" in page.locator("#loyalty-since").inner_text()
    assert "SYNTHETIC" in page.locator(".card[data-widget=audience] .note").inner_text()
    data = api(site, "member0", body, "en")
    en_labels = [r[0] for r in table_rows(page, "spend")]
    assert en_labels == [r["dimensions"][0]["label"] for r in sorted(
        data["spend"]["rows"], key=lambda r: ["0-49", "50-199", "200-499", "500+", "unknown"].index(r["dimensions"][0]["value"]))]
    assert en_labels != nb_labels
    page.select_option("[data-control=language]", "fi")
    page.wait_for_selector("#tab-loyalty:has-text('Asiakasuskollisuus ja tavoittavuus')")
    page.select_option("[data-control=language]", "nb")
    page.wait_for_selector("#tab-loyalty:has-text('Lojalitet og rekkevidde')")
    wait_ready(page, "loyalty")

    # growth needs a closed period: with "all time" the card says how to choose one
    page.select_option("[data-control=period]", "all")
    card = page.locator(".card[data-widget=growth]")
    page.wait_for_function("document.querySelector('.card[data-widget=growth]').dataset.state === 'period'")
    assert "Velg en periode" in card.inner_text() and "Siste 12 måneder" in card.inner_text()
    wait_ready(page, "loyalty")
    assert page.locator(".card[data-widget=returning]").get_attribute("data-state") == "ready"
    # and comes back with one
    body = request(page, "GrowthLikeForLike", lambda: page.select_option("[data-control=period]", "lastYear"))
    year = body["variables"]["timeRange"]
    assert year["from"].endswith("-01-01") and year["to"].endswith("-12-31")
    page.wait_for_function("document.querySelector('.card[data-widget=growth]').dataset.state === 'ready'")
    page.recorder.assert_clean()
