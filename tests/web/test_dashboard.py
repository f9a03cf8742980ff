"""The dashboard and GraphiQL in a real browser (chromium from PATH), against a real server.

Each test checks that the page sent requests to the test server only and logged no console errors.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.web.conftest import Site, save_screenshot

pytestmark = pytest.mark.browser

DEMOGRAPHY = ["ageGender", "purchasingPower", "educationLevel", "areaType", "homeType"]
EVENTS = ["monthlyTrend", "weekday", "hourOfDay", "weekdayHour", "orgType", "region", "eventType", "eventCategory"]
KPIS = ["BUYERS", "EVENTS", "ORGANIZATIONS", "MALE_BUYERS", "FEMALE_BUYERS", "YOUNG_BUYERS"]
# The API does not (yet) group PURCHASED_AT by two date parts at once: the heat map then explains that.
MAY_BE_UNAVAILABLE = {"weekdayHour"}


def sign_in(page: Any, site: Site, who: str = "member0") -> None:
    page.goto(site.base + "/")
    org = site.tokens[who]["org_id"]
    selector = f".demo-token[data-org='{org}']" if org else f".demo-token[data-role='{site.tokens[who]['role']}']"
    page.locator(selector).click()
    page.wait_for_selector("#panel-demography .kpi[data-state=ready]")
    wait_ready(page, "demography")


def wait_ready(page: Any, tab: str) -> None:
    page.wait_for_function(
        "tab => { const cards = document.querySelectorAll(`#panel-${tab} .card`);"
        " return cards.length > 0 && [...cards].every(c => c.dataset.state !== 'loading'); }", arg=tab)


def tab_request(page: Any, name: str, action: Any) -> dict[str, Any]:
    """Run `action` and return the variables of the tab query it made the page send."""
    with page.expect_request(lambda r: r.url.endswith("/graphql") and name in (r.post_data or "")) as info:
        action()
    return json.loads(info.value.post_data)


def renders(page: Any, widget: str) -> int:
    return int(page.get_attribute(f".card[data-widget={widget}]", "data-renders") or 0)


def assert_drawn(page: Any, widget: str) -> None:
    card = page.locator(f".card[data-widget={widget}]")
    state = card.get_attribute("data-state")
    allowed = {"ready", "unavailable"} if widget in MAY_BE_UNAVAILABLE else {"ready"}
    assert state in allowed, f"{widget} is {state}: {card.inner_text()}"
    if state == "unavailable":
        assert card.locator(".err-msg").inner_text().strip(), "an unavailable widget says why"
        return
    if widget == "region":
        assert card.locator(".tile").count() >= 60, "the tile map shows every Nordic region"
    else:
        assert card.locator(".chart svg path, .chart svg rect").count() > 3, f"{widget} has no drawing"


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_demography_tab_draws_every_widget_and_kpis_match_the_api(page: Any, site: Site) -> None:
    page.goto(site.base + "/")
    org = site.tokens["member0"]["org_id"]
    body = tab_request(page, "TabDemography", lambda: page.locator(f".demo-token[data-org='{org}']").click())
    page.wait_for_selector("#panel-demography .kpi[data-state=ready]")
    wait_ready(page, "demography")
    header = page.locator("#who").inner_text()
    assert site.tokens["member0"]["name"] in header and "Medlem" in header

    status, api = site.graphql(site.tokens["member0"]["token"], body["query"], body["variables"])
    assert status == 200 and "errors" not in api, api
    metrics = {m["metric"]: m for m in api["data"]["kpis"]["rows"][0]["metrics"]}
    for kpi in KPIS:
        box = page.locator(f".kpi[data-kpi={kpi}]")
        expected = metrics[kpi]
        assert not expected["suppressed"], expected
        assert float(box.get_attribute("data-value")) == expected["value"]
        assert digits(box.locator(".kpi-value").inner_text()) == str(int(expected["value"]))
    assert body["variables"]["scope"] == "OWN"
    for widget in DEMOGRAPHY:
        assert_drawn(page, widget)

    # every chart: a table view and a CSV of exactly what the table shows
    card = page.locator(".card[data-widget=purchasingPower]")
    card.locator(".toggle").click()
    rows = card.locator("tbody tr")
    assert rows.count() >= 3
    assert card.locator("th").first.inner_text().strip() == "Kjøpekraft"
    with page.expect_download() as download:
        card.locator(".csv").click()
    csv = download.value.path().read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(csv) == rows.count() + 1
    first = [c.inner_text() for c in rows.nth(0).locator("td").all()]
    assert csv[1].split(",")[0] == first[0] and digits(csv[1].split(",")[1]) == digits(first[1])
    card.locator(".toggle").click()
    assert card.get_attribute("data-mode") == "chart"
    save_screenshot(page, "dashboard-demography.png")
    page.recorder.assert_clean()


def test_events_tab_draws_every_widget_and_tabs_are_keyboard_navigable(page: Any, site: Site) -> None:
    sign_in(page, site)
    tab = page.locator("#tab-demography")
    tab.focus()
    page.keyboard.press("ArrowRight")
    assert page.locator("#tab-events").get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == "tab-events"
    assert page.locator("#panel-demography").is_hidden()
    wait_ready(page, "events")
    for widget in EVENTS:
        assert_drawn(page, widget)
    # the region map: every region the API returned is a tile with its value or why it is hidden
    api_tiles = page.locator(".card[data-widget=region] .tile:not(.nodata)")
    assert api_tiles.count() >= 1
    assert page.locator(".card[data-widget=region] .tile[data-region='NO-03']").count() == 1
    # the active filters are visible
    assert "Siste 12 måneder" in page.locator("#active-filters").inner_text()
    page.wait_for_timeout(200)
    save_screenshot(page, "dashboard-events.png")
    page.locator("#tab-events").focus()
    page.keyboard.press("ArrowLeft")
    assert page.locator("#tab-demography").get_attribute("aria-selected") == "true"
    page.recorder.assert_clean()


def test_filter_scope_benchmark_and_language_update_the_charts(page: Any, site: Site) -> None:
    sign_in(page, site)
    member = site.tokens["member0"]["token"]

    # the benchmark peer group: own and peer shares side by side, with the index
    before = renders(page, "purchasingPower")
    body = tab_request(page, "TabDemography", lambda: page.select_option("[data-control=peer]", "NORDIC"))
    assert body["variables"]["compare"] == [{"kind": "BENCHMARK", "peerGroup": "NORDIC"}]
    page.wait_for_function(f"document.querySelector('.card[data-widget=purchasingPower]').dataset.renders > {before}")
    wait_ready(page, "demography")
    assert "Hele Norden" in page.locator("#active-filters").inner_text()
    _, api = site.graphql(member, body["query"], body["variables"])
    has_cmp = any(m["comparisons"] for r in api["data"]["purchasingPower"]["rows"] for m in r["metrics"])
    card = page.locator(".card[data-widget=purchasingPower]")
    card.locator(".toggle").click()
    headers = card.locator("th").all_inner_texts()
    if has_cmp:  # the API answers comparisons: own share, peer share and index are shown
        assert any("Egen andel" in h for h in headers) and "Indeks" in headers, headers
        assert "Indeks" in page.locator(".kpi[data-kpi=FEMALE_BUYERS] .kpi-extra").inner_text()
    card.locator(".toggle").click()
    before = renders(page, "purchasingPower")
    body = tab_request(page, "TabDemography", lambda: page.select_option("[data-control=peer]", "SAME_ORG_TYPE"))
    assert body["variables"]["compare"] == [{"kind": "BENCHMARK", "peerGroup": "SAME_ORG_TYPE"}]
    page.wait_for_function(f"document.querySelector('.card[data-widget=purchasingPower]').dataset.renders > {before}")

    # the scope: my organization → the network
    own_orgs = float(page.get_attribute(".kpi[data-kpi=ORGANIZATIONS]", "data-value"))
    body = tab_request(page, "TabDemography", lambda: page.select_option("[data-control=scope]", "NETWORK"))
    assert body["variables"]["scope"] == "NETWORK" and body["variables"]["compare"] is None
    page.wait_for_function(f"document.querySelector('.kpi[data-kpi=ORGANIZATIONS]').dataset.value > {own_orgs}")
    assert page.locator("[data-control=peer]").is_disabled()
    wait_ready(page, "demography")
    network_buyers = float(page.get_attribute(".kpi[data-kpi=BUYERS]", "data-value"))

    # a filter: country
    body = tab_request(page, "TabDemography", lambda: page.select_option("[data-control=country]", "SE"))
    assert {"dimension": "COUNTRY", "op": "IN", "values": ["SE"]} in body["variables"]["filters"]
    page.wait_for_function(
        f"(() => {{ const v = document.querySelector('.kpi[data-kpi=BUYERS]').dataset.value;"
        f" return v && v !== 'suppressed' && Number(v) !== {network_buyers} || v === 'suppressed'; }})()")
    wait_ready(page, "demography")
    _, api = site.graphql(member, body["query"], body["variables"])
    kpi = api["data"]["kpis"]["rows"][0]["metrics"][0] if api["data"]["kpis"]["rows"] else None
    shown = page.get_attribute(".kpi[data-kpi=BUYERS]", "data-value")
    assert kpi is not None and (shown == "suppressed" if kpi["suppressed"] else float(shown) == kpi["value"])
    assert "Land: Sverige" in page.locator("#active-filters").inner_text()
    # where the differencing guard answered another population than asked, the card says so
    for widget in ("purchasingPower", "ageGender", "educationLevel"):
        adjusted = api["data"][widget]["meta"]["populationAdjusted"]
        card = page.locator(f".card[data-widget={widget}]")
        assert card.get_attribute("data-adjusted") == ("true" if adjusted else "false"), widget
        assert ("Tallene gjelder et litt annet utvalg" in card.locator("p.note").inner_text()) is adjusted
    region_options = page.locator("[data-control=region] option").all_inner_texts()
    assert all("SE-" in o for o in region_options[1:]), region_options

    # the language: UI strings from the dictionary, data labels from the API
    page.select_option("[data-control=country]", "")
    wait_ready(page, "demography")
    body = tab_request(page, "TabDemography", lambda: page.select_option("[data-control=language]", "en"))
    assert body["variables"]["locale"] == "en"
    page.wait_for_selector("#tab-demography:has-text('Audience Demography')")
    wait_ready(page, "demography")
    card = page.locator(".card[data-widget=purchasingPower]")
    assert card.locator("h3").inner_text() == "Purchasing power"
    card.locator(".toggle").click()
    labels = card.locator("tbody td:first-child").all_inner_texts()
    assert "High" in labels and "Høy" not in labels, labels
    page.select_option("[data-control=language]", "sv")
    page.wait_for_selector("#tab-demography:has-text('Publikdemografi')")
    page.select_option("[data-control=language]", "nb")
    page.wait_for_selector("#tab-demography:has-text('Publikumsdemografi')")
    wait_ready(page, "demography")
    page.recorder.assert_clean()


def test_suppressed_cells_are_drawn_as_suppressed_never_as_zero(page: Any, site: Site) -> None:
    sign_in(page, site)
    page.select_option("[data-control=scope]", "NETWORK")
    body = tab_request(page, "TabEvents", lambda: page.locator("#tab-events").click())
    wait_ready(page, "events")
    _, api = site.graphql(site.tokens["member0"]["token"], body["query"], body["variables"])
    hidden = {r["dimensions"][0]["value"]: r["metrics"][0]["reason"]
              for r in api["data"]["region"]["rows"] if r["metrics"][0]["suppressed"]}
    assert hidden, "the small network has regions with too few organizations"
    for code, reason in hidden.items():
        if code == "unknown":  # no place on a map; it is in the chart's table
            continue
        tile = page.locator(f".card[data-widget=region] .tile[data-region='{code}']")
        assert "suppressed" in (tile.get_attribute("class") or "")
        assert tile.locator(".tile-value").inner_text() in ("<10", "skjult")
        title = tile.get_attribute("title") or ""
        assert "Skjult" in title and ("organisasjon" in title if reason in ("TOO_FEW_ORGANIZATIONS", "DOMINANCE") else True)
    # the same in a bar chart and its table: "<10"/"skjult", hatched, with the reason, never 0
    card = page.locator(".card[data-widget=eventCategory]")
    assert int(card.get_attribute("data-suppressed")) > 0
    assert "skjult av personvernhensyn" in card.locator(".note").inner_text()
    card.locator(".toggle").click()
    cells = card.locator("td.suppressed-cell")
    assert cells.count() == int(card.get_attribute("data-suppressed"))
    titles = [cells.nth(i).get_attribute("title") for i in range(cells.count())]
    for text, title in zip(cells.all_inner_texts(), titles, strict=True):
        assert text in ("<10", "skjult") and title and title.startswith("Skjult")
    page.recorder.assert_clean()


def test_bad_and_expired_tokens_get_a_clear_message(page: Any, site: Site) -> None:
    page.goto(site.base + "/")
    page.fill("#token", "cidg_000000000000_not-a-real-token")
    page.click(".signin-form button[type=submit]")
    message = page.locator("#signin-msg.error")
    message.wait_for()
    text = message.inner_text()
    assert "Nøkkelen ble ikke godtatt" in text and "not valid" in text and "Tips:" in text
    page.fill("#token", site.tokens["expired"]["token"])
    page.click(".signin-form button[type=submit]")
    page.wait_for_selector("#signin-msg.error:has-text('expired')")
    # an expired token left in the session: the page starts at the sign-in with the reason
    page.evaluate("t => sessionStorage.setItem('cid-graph-token', t)", site.tokens["expired"]["token"])
    page.reload()
    page.wait_for_selector("#signin-msg.error:has-text('expired')")
    assert page.locator("#signin").is_visible() and page.locator(".card").count() == 0
    # the browser logs the 401 responses themselves; nothing else may be logged
    page.recorder.assert_clean(allow=("status of 401",))


def test_partner_sees_the_network_only(page: Any, site: Site) -> None:
    page.goto(site.base + "/")
    body = tab_request(page, "TabDemography", lambda: page.locator(".demo-token[data-role=partner]").click())
    assert body["variables"]["scope"] == "NETWORK"
    wait_ready(page, "demography")
    assert page.locator("[data-control=scope]").count() == 0
    assert page.locator(".kpi[data-kpi=BUYERS]").get_attribute("data-state") == "ready"
    page.recorder.assert_clean()


def test_graphiql_runs_a_query_offline_with_the_token(page: Any, site: Site) -> None:
    sign_in(page, site)
    page.goto(site.base + "/graphiql")
    page.wait_for_selector(".graphiql-container")
    page.wait_for_selector(".graphiql-query-editor .monaco-editor")
    with page.expect_response(lambda r: r.url.endswith("/graphql") and "Example" in (r.request.post_data or "")) as info:
        page.locator(".graphiql-execute-button").click()
    response = info.value
    assert response.status == 200
    assert response.request.headers.get("authorization") == f"Bearer {site.tokens['member0']['token']}"
    name = site.tokens["member0"]["name"]
    # Monaco renders spaces as no-break spaces
    page.wait_for_function(
        "name => (document.querySelector('.graphiql-response')?.textContent ?? '').replace(/\\u00a0/g, ' ').includes(name)",
        arg=name)
    page.wait_for_timeout(300)
    save_screenshot(page, "graphiql.png")
    page.recorder.assert_clean()
