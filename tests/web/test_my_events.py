"""Tab "My events" in a real browser: a member corrects an event's type in place and sees the
dashboard's event type chart change (through the real API and a real warehouse version)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import Site, save_screenshot
from tests.web.test_dashboard import digits, renders, sign_in, wait_ready

pytestmark = pytest.mark.browser

BY = """query($dim: Dimension!) {
  insights(query: {metrics: [BUYERS], groupBy: [{dimension: $dim}], scope: OWN, limit: 5000}, locale: "nb") {
    rows { dimensions { value label } metrics { value } }
  }
}"""


def _own(site: Site, who: str, dim: str) -> dict[str, tuple[str, float]]:
    status, body = site.graphql(site.tokens[who]["token"], BY, {"dim": dim})
    assert status == 200 and "errors" not in body, body
    return {r["dimensions"][0]["value"]: (r["dimensions"][0]["label"], r["metrics"][0]["value"] or 0)
            for r in body["data"]["insights"]["rows"]}


def _chart_table(page: Any, widget: str) -> dict[str, int]:
    card = page.locator(f".card[data-widget={widget}]")
    if card.get_attribute("data-mode") != "table":
        card.locator(".toggle").click()
    out = {}
    for row in card.locator("tbody tr").all():
        if "suppressed" in (row.get_attribute("class") or ""):
            continue  # an empty bucket, shown hidden (never as zero)
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        if cells and re.search(r"\d", cells[1]):
            out[cells[0]] = int(digits(cells[1]))
    return out


def test_a_member_corrects_an_event_and_the_event_type_chart_changes(page: Any, site: Site) -> None:
    who = "member1"  # the other web tests read member0's figures
    by_event = _own(site, who, "EVENT")
    by_type = _own(site, who, "EVENT_TYPE")
    event_id, (title, n) = max(by_event.items(), key=lambda kv: (kv[1][1], kv[0]))
    status, body = site.graphql(site.tokens[who]["token"],
                                'query { myEvents(limit: 200) { events { id eventType } } }')
    old_type = {e["id"]: e["eventType"] for e in body["data"]["myEvents"]["events"]}[event_id]
    new_type = "talk" if old_type != "talk" else "concert"
    old_label = by_type[old_type][0]
    new_label = "Foredrag" if new_type == "talk" else "Konsert"

    sign_in(page, site, who)
    page.select_option("[data-control=period]", "all")
    page.locator("#tab-events").click()
    wait_ready(page, "events")
    before = _chart_table(page, "eventType")
    assert before[old_label] == int(by_type[old_type][1])

    # the tab lists the member's events with labels, source and confidence
    page.locator("#tab-myEvents").click()
    page.wait_for_selector("#my-events[data-state=ready] tbody tr")
    assert page.locator("#filters").is_hidden()  # the dashboard's filters do not apply here
    assert page.locator("#my-events thead").inner_text().count("Sjanger") == 1
    save_screenshot(page, "dashboard-my-events.png")
    page.fill("[data-control=ev-search]", title)
    page.wait_for_function(
        "t => { const rows = [...document.querySelectorAll('#my-events tbody tr')];"
        " return rows.length > 0 && rows.every(r => r.querySelector('.ev-title').textContent.includes(t)); }",
        arg=title)
    row = page.locator(f"tr[data-event-id='{event_id}']")
    assert title in row.inner_text()

    # correct it in place: type and genre from the vocabulary, labels in the UI language
    row.locator("[data-control=ev-edit]").click()
    type_select = row.locator("[data-control=edit-type]")
    options = type_select.locator("option").all_inner_texts()
    assert "Foredrag" in options and "Konsert" in options and "Uklassifisert" not in options
    type_select.select_option(new_type)
    row.locator("[data-control=edit-category]").select_option("literature")
    renders_before = renders(page, "eventType")
    row.locator("[data-control=ev-save]").click()
    page.wait_for_selector("#ev-status.ok")
    # pending until the new warehouse version answers, then corrected
    page.wait_for_selector(f"tr[data-event-id='{event_id}'][data-source=feedback][data-pending=false]",
                           timeout=60000)
    page.wait_for_selector("#my-events[data-pending='0']")
    page.wait_for_function("document.getElementById('ev-status').textContent.startsWith('Oppdatert')")
    corrected = page.locator(f"tr[data-event-id='{event_id}']")
    assert "Foredrag" in corrected.inner_text() or "Konsert" in corrected.inner_text()
    assert "Rettet av organisasjonen" in corrected.inner_text()  # the source's label, from the API

    # the event type chart follows: the event's buyers moved from the old type to the new one
    page.locator("#tab-events").click()
    page.wait_for_function("n => Number(document.querySelector('.card[data-widget=eventType]').dataset.renders) > n",
                           arg=renders_before)
    wait_ready(page, "events")
    after = _chart_table(page, "eventType")
    assert after.get(old_label, 0) == before[old_label] - n
    assert after[new_label] == before.get(new_label, 0) + n
    assert {k: v for k, v in after.items() if k not in (old_label, new_label)} == {
        k: v for k, v in before.items() if k not in (old_label, new_label)}
    page.recorder.assert_clean()


def test_partners_have_no_my_events_tab(page: Any, site: Site) -> None:
    sign_in(page, site, "partner")
    assert page.locator("#tab-myEvents").count() == 0
    page.recorder.assert_clean()
