"""The printed report (issue 19): PDFs made by `cid-graph report` and `/report.pdf`, read back with poppler.

Needs Debian's chromium (to print) and poppler-utils (pdftotext, pdftoppm, to read the PDF back).
Without them the tests are skipped, unless CID_GRAPH_REQUIRE_BROWSER=1 (set by .ci/run), where a
missing tool is a failure. Page images are kept under the pytest tmp dir; their paths are printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

#: The period every report test asks: last year (the demo holds it; the CLI's default too).
PERIOD = str(date.today().year - 1)
TIME_RANGE = {"from": f"{PERIOD}-01-01", "to": f"{PERIOD}-12-31"}
INSTALL = {"chromium": "apt-get install chromium", "pdftotext": "apt-get install poppler-utils",
           "pdftoppm": "apt-get install poppler-utils"}


def require(tool: str) -> str:
    """The tool's path; else a skip (a failure with CID_GRAPH_REQUIRE_BROWSER=1) that says how to install it."""
    path = shutil.which(tool)
    if path:
        return path
    message = f"{tool} is not on PATH (Debian: {INSTALL[tool]}; never `playwright install`)"
    if os.environ.get("CID_GRAPH_REQUIRE_BROWSER") == "1":
        pytest.fail(message + "; CID_GRAPH_REQUIRE_BROWSER=1 makes this a failure")
    pytest.skip(message)


@pytest.fixture(scope="session")
def tools() -> None:
    for tool in ("chromium", "pdftotext", "pdftoppm"):
        require(tool)


def pdf_text(pdf: Path) -> str:
    """The PDF's text, rows kept on one line, non-breaking spaces as spaces."""
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         check=True, timeout=60)
    return out.stdout.decode("utf-8").replace("\u00a0", " ")


def pages_png(pdf: Path, folder: Path, dpi: int = 60) -> list[Path]:
    """Each page as a PNG in ``folder`` (kept as artifacts to look at); the paths are printed."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / pdf.stem)], check=True, timeout=120)
    pngs = sorted(folder.glob(f"{pdf.stem}*.png"))
    for png in pngs:
        print(f"report page: {png}")
    return pngs


@pytest.fixture(scope="session")
def local_api(demo_warehouse: Any) -> Iterator[Any]:
    from cid_graph.local_api import LocalApi
    from cid_graph.settings import Settings

    api = LocalApi(Settings.load(env={}, dotenv=None, warehouse=str(demo_warehouse.root), log_level="WARNING"))
    yield api
    api.close()


@pytest.fixture(scope="session")
def make_report(tools: None, local_api: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``make_report(token, locale, peer_group)``: the PDF path, made in-process as the CLI makes it (cached)."""
    from cid_graph.report import Period, build_pdf
    from cid_graph.report.data import raise_errors

    folder = tmp_path_factory.mktemp("reports")
    made: dict[tuple[str, str, str | None], Path] = {}

    def make(token: str, locale: str = "nb", peer_group: str | None = "SAME_ORG_TYPE", name: str = "r") -> Path:
        key = (token, locale, peer_group)
        if key not in made:
            pdf, _ = build_pdf(lambda doc, v: raise_errors(local_api.execute(doc, v, token, locale)),
                               period=Period.parse(PERIOD), locale=locale, peer_group=peer_group)
            path = folder / f"{name}-{locale}-{(peer_group or 'none').lower()}.pdf"
            path.write_bytes(pdf)
            made[key] = path
        return made[key]

    return make
