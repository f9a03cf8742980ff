"""The report's PDF read back: its figures are the API's for the same token and period, in every
language; hidden values read as hidden; a partner's report is the network's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cid_graph.report.data import GROWTH, HIGHLIGHTS, KEY_FIGURES
from cid_graph.report.numbers import COUNTS, metric_value, number
from cid_graph.report.render import KEY_FIGURES as PRINTED
from cid_graph.report.texts import LANGS, text
from tests.report.conftest import PERIOD, TIME_RANGE, pages_png, pdf_text

pytestmark = pytest.mark.browser

LABELS = "query L($locale: String) { catalog(locale: $locale) { metrics { metric label } } }"


def api_key_figures(gql: Any, token: str, *, own: bool, peer_group: str | None, locale: str) -> dict[str, Any]:
    """The key figures as /graphql answers them for this token and period: metric -> cell."""
    variables = {"filters": None, "timeRange": TIME_RANGE, "scope": "OWN" if own else "NETWORK",
                 "compare": [{"kind": "BENCHMARK", "peerGroup": peer_group}] if own and peer_group else None,
                 "locale": locale}
    data = gql.data(KEY_FIGURES, token, variables)
    return {m["metric"]: m for m in data["kpis"]["rows"][0]["metrics"]}


def labels(gql: Any, token: str, locale: str) -> dict[str, str]:
    return {m["metric"]: m["label"] for m in gql.data(LABELS, token, {"locale": locale})["catalog"]["metrics"]}


def cells_of(report: str, label: str) -> list[str]:
    """The columns printed after ``label`` in its key-figures row."""
    for line in report.splitlines():
        m = re.match(rf"\s*{re.escape(label)}\s{{2,}}(.*)$", line)
        if m:
            return re.split(r"\s{2,}", m[1].strip())
    raise AssertionError(f"no row {label!r} in the report:\n{report}")


def expected(metric: str, cell: dict[str, Any], locale: str, with_peers: bool) -> list[str]:
    """What the key-figures row of ``metric`` must show for the API's ``cell``."""
    hidden = text(locale, "suppressed")
    value = hidden if cell["suppressed"] or cell["value"] is None else metric_value(metric, cell["value"], locale)
    out = [value]
    if with_peers:
        cmp = next((c for c in cell["comparisons"] or [] if c["kind"] == "BENCHMARK"), None)
        if cmp is None or metric in COUNTS:  # a count is not benchmarked in the report
            out += ["–", "–"]
        elif cmp["suppressed"]:
            out += [hidden, hidden]
        else:
            peer = cmp["peerShare"] if cmp["peerShare"] is not None else cmp["value"]
            out += [metric_value(metric, peer, locale) if peer is not None else "–",
                    number(cmp["index"], locale) if cmp["index"] is not None else "–"]
    return [v.replace("\u00a0", " ") for v in out]


def assert_key_figures(report: str, api: dict[str, Any], names: dict[str, str], locale: str, with_peers: bool) -> None:
    for metric in PRINTED:
        if metric in api:
            assert cells_of(report, names[metric]) == expected(metric, api[metric], locale, with_peers), metric


def test_cli_writes_the_members_report_with_the_apis_figures(demo_warehouse: Any, gql: Any, tools: None,
                                                             tmp_path: Path) -> None:
    token = demo_warehouse.tokens["member"]
    out = tmp_path / "member.pdf"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CID_GRAPH_")}
    run = subprocess.run([sys.executable, "-m", "cid_graph.cli", "report", "--warehouse", str(demo_warehouse.root),
                          "--token", token, "--period", PERIOD, "--peer-group", "NORDIC", "--locale", "nb",
                          "--out", str(out)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "asking the key figures" in run.stderr and "printing to PDF" in run.stderr  # progress on stderr
    assert out.read_bytes().startswith(b"%PDF")
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSans" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts
    report = pdf_text(out)
    api = api_key_figures(gql, token, own=True, peer_group="NORDIC", locale="nb")
    assert_key_figures(report, api, labels(gql, token, "nb"), "nb", with_peers=True)
    assert "Publikumsrapport" in report and "Nøkkeltall" in report and "Høydepunkter" in report
    assert f"Periode: {PERIOD}-01-01 – {PERIOD}-12-31" in report
    assert "Slik er tallene beskyttet" in report and "Datavarehus versjon" in report
    # the network's growth like for like, as the API states it
    growth = gql.data(GROWTH, token, {"timeRange": TIME_RANGE, "scope": "OWN", "own": True, "locale": "nb"})
    buyers = next(m for m in growth["network"]["rows"][0]["metrics"] if m["metric"] == "BUYERS")
    cmp = next(c for c in buyers["comparisons"] if c["kind"] == "SAME_PERIOD_LAST_YEAR")
    if not cmp["suppressed"]:
        line = number(cmp["currentValue"], "nb").replace("\u00a0", " ") + " mot " + \
            number(cmp["value"], "nb").replace("\u00a0", " ")
        assert line in report, report
    assert len(pages_png(out, tmp_path / "pages")) >= 3


@pytest.mark.parametrize("locale", LANGS)
def test_every_language(demo_warehouse: Any, gql: Any, make_report: Any, locale: str, tmp_path: Path) -> None:
    token = demo_warehouse.tokens["member"]
    pdf = make_report(token, locale, "NORDIC", name="member")
    report = pdf_text(pdf)
    for key in ("title", "key_figures", "highlights", "demography", "events", "loyalty", "protection"):
        assert text(locale, key) in report, (locale, key)
    api = api_key_figures(gql, token, own=True, peer_group="NORDIC", locale=locale)
    assert_key_figures(report, api, labels(gql, token, locale), locale, with_peers=True)
    pages_png(pdf, tmp_path / locale)


def test_highlights_are_the_apis(demo_warehouse: Any, gql: Any, make_report: Any) -> None:
    token = demo_warehouse.tokens["member"]
    api = gql.data(HIGHLIGHTS, token, {"query": {"scope": "OWN", "peerGroup": "NORDIC", "timeRange": TIME_RANGE},
                                       "locale": "nb"})["highlights"]
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(make_report(token, "nb", "NORDIC", name="member")), "-"],
                         capture_output=True, check=True).stdout.decode()
    flat = " ".join(raw.replace("\u00a0", " ").split())
    assert api["highlights"], "the demo's largest member has something to tell against the Nordic network"
    for h in api["highlights"]:
        assert " ".join(h["text"].replace("\u00a0", " ").split()) in flat, h["text"]


def test_hidden_values_read_as_hidden(demo_warehouse: Any, gql: Any, make_report: Any) -> None:
    token = demo_warehouse.tokens["member_small"]
    report = pdf_text(make_report(token, "nb", "SAME_ORG_TYPE", name="small"))
    api = api_key_figures(gql, token, own=True, peer_group="SAME_ORG_TYPE", locale="nb")
    names = labels(gql, token, "nb")
    hidden_cells = 0
    for metric in PRINTED:
        if metric not in api:
            continue
        want = expected(metric, api[metric], "nb", with_peers=True)
        got = cells_of(report, names[metric])
        assert got == want, metric
        for cell in (c for c in got if c == "skjult"):
            hidden_cells += 1
            assert not re.search(r"\d", cell)
    assert hidden_cells, "the smallest member's report has hidden values (its peers' at least)"
    assert "«skjult»" in report  # and says what hidden means


def test_a_partner_gets_the_networks_report(demo_warehouse: Any, gql: Any, make_report: Any) -> None:
    partner, member = demo_warehouse.tokens["partner"], demo_warehouse.tokens["member"]
    network = pdf_text(make_report(partner, "nb", "SAME_ORG_TYPE", name="partner"))
    own = pdf_text(make_report(member, "nb", "NORDIC", name="member"))
    names = labels(gql, partner, "nb")
    assert_key_figures(network, api_key_figures(gql, partner, own=False, peer_group=None, locale="nb"),
                       names, "nb", with_peers=False)
    assert "Nettverket (alle medlemsorganisasjoner)" in network and "Sammenlignbare" not in network
    org = gql.data("{ me { organization { name } } }", member)["me"]["organization"]["name"]
    assert org in own and org not in network
    # the scopes differ: the member's buyers are its own, the partner's the network's
    assert cells_of(own, names["BUYERS"])[0] != cells_of(network, names["BUYERS"])[0]
    assert text("nb", "network_highlights") in network


def test_the_cli_says_how_to_install_chromium(demo_warehouse: Any, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CID_GRAPH_")}
    env["PATH"] = str(tmp_path)  # no chromium here
    run = subprocess.run([sys.executable, "-m", "cid_graph.cli", "report", "--warehouse", str(demo_warehouse.root),
                          "--token", demo_warehouse.tokens["member"], "--out", str(tmp_path / "r.pdf")],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert run.returncode == 2 and "apt-get install chromium" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "r.pdf").exists()
