"""``GET /report.pdf``: the dashboard's download, behind the same bearer token as /graphql."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cid_graph.report import pdf as pdf_module
from tests.report.conftest import TIME_RANGE, pdf_text
from tests.report.test_report_pdf import api_key_figures, assert_key_figures, labels


def get(gql: Any, token: str | None, **params: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return gql.client.get("/report.pdf", params=params, headers=headers)


def test_no_token_is_a_401(gql: Any) -> None:
    response = get(gql, None)
    assert response.status_code == 401 and response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert get(gql, "cidg_nope").status_code == 401


def test_bad_parameters_say_how_to_fix_them(gql: Any, demo_warehouse: Any) -> None:
    token = demo_warehouse.tokens["member"]
    for params, word in (({"locale": "de"}, "locale"), ({"peerGroup": "EVERYONE"}, "peer group"),
                         ({"from": "2025-01-01"}, "both"), ({"from": "2025-13-01", "to": "2025-12-31"}, "period")):
        response = get(gql, token, **params)
        error = response.json()["errors"][0]
        assert response.status_code == 400 and word in error["message"] and error["extensions"]["hint"], params


def test_without_chromium_the_answer_says_how_to_install_it(gql: Any, demo_warehouse: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)
    response = get(gql, demo_warehouse.tokens["member"], locale="nb")
    error = response.json()["errors"][0]
    assert response.status_code == 503 and error["extensions"]["code"] == "BROWSER_MISSING"
    assert "apt-get install chromium" in error["extensions"]["hint"]


@pytest.mark.browser
def test_the_download_is_the_members_report(gql: Any, demo_warehouse: Any, tools: None, tmp_path: Path) -> None:
    token = demo_warehouse.tokens["member"]
    response = get(gql, token, locale="sv", peerGroup="NORDIC", **TIME_RANGE)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    path = tmp_path / "download.pdf"
    path.write_bytes(response.content)
    report = pdf_text(path)
    api = api_key_figures(gql, token, own=True, peer_group="NORDIC", locale="sv")
    assert_key_figures(report, api, labels(gql, token, "sv"), "sv", with_peers=True)


def test_one_report_at_a_time(gql: Any, demo_warehouse: Any) -> None:
    from cid_graph.report_route import ReportEndpoint

    endpoint = next(r.endpoint for r in gql.app.routes if getattr(r, "path", "") == "/report.pdf")
    assert isinstance(endpoint, ReportEndpoint)
    assert endpoint.slot.acquire(blocking=False)  # as if a report were being printed
    try:
        response = get(gql, demo_warehouse.tokens["member"])
    finally:
        endpoint.slot.release()
    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json()["errors"][0]["extensions"]["code"] == "BUSY"
