"""Highlights above the tabs and the report download, in a real browser against a real server."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Site, save_screenshot
from tests.web.test_dashboard import sign_in

pytestmark = pytest.mark.browser


def shown(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#highlights .hl-text").all_inner_texts()]


def highlights_after(page: Any, action: Any) -> dict[str, Any]:
    """Run ``action``; the highlights request it made the page send, once the strip has its answer."""
    with page.expect_request(lambda r: r.url.endswith("/graphql") and "DashboardHighlights" in (r.post_data or "")) as info:
        action()
    body = json.loads(info.value.post_data)
    page.wait_for_function("() => ['ready', 'empty', 'error'].includes(document.getElementById('highlights')?.dataset.state)")
    return dict(body)


def api_texts(site: Site, token: str, body: dict[str, Any], language: str) -> list[str]:
    status, api = site.graphql(token, body["query"], body["variables"], language=language)
    assert status == 200 and "errors" not in api, api
    return [h["text"] for h in api["data"]["highlights"]["highlights"]]


def test_highlights_above_the_tabs_equal_the_apis(page: Any, site: Site) -> None:
    token = site.tokens["member0"]["token"]
    sign_in(page, site)
    body = highlights_after(page, lambda: page.select_option("[data-control=peer]", "NORDIC"))
    assert body["variables"]["query"]["scope"] == "OWN" and body["variables"]["query"]["peerGroup"] == "NORDIC"
    want = api_texts(site, token, body, "nb")
    assert shown(page) == want
    assert 0 <= len(want) <= 7
    strip = page.locator("#highlights")
    if want:
        assert strip.is_visible() and "Høydepunkter" in strip.inner_text()
        numbers = page.locator("#highlights .hl-numbers").all_inner_texts()
        assert len(numbers) == len(want) and all("Indeks" in n for n in numbers)
        for tab in ("events", "loyalty", "voice"):  # the same strip above every tab
            page.click(f"#tab-{tab}")
            assert strip.is_visible() and shown(page) == want
        page.click("#tab-demography")
        save_screenshot(page, "dashboard-highlights.png")
    else:
        assert not strip.is_visible(), "nothing is shown when there is nothing to state"
    # in English, the same facts in English
    body = highlights_after(page, lambda: page.select_option("[data-control=language]", "en"))
    assert body["variables"]["locale"] == "en"
    assert shown(page) == api_texts(site, token, body, "en")
    page.recorder.assert_clean()


def test_a_partner_sees_no_highlights_without_a_selection(page: Any, site: Site) -> None:
    sign_in(page, site, "partner")
    page.wait_for_timeout(300)
    assert not page.locator("#highlights").is_visible()
    page.recorder.assert_clean()


def test_the_report_button_downloads_the_report(page: Any, site: Site, tmp_path: Path) -> None:
    sign_in(page, site)
    button = page.locator("#download-report")
    assert button.inner_text() == "Last ned rapport (PDF)"
    with page.expect_download(timeout=180_000) as info:
        button.click()
    path = tmp_path / "report.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
        assert site.tokens["member0"]["name"] in text and "Publikumsrapport" in text
    page.select_option("[data-control=language]", "fi")
    page.wait_for_function("() => document.getElementById('download-report')?.textContent === 'Lataa raportti (PDF)'")
    page.recorder.assert_clean()
