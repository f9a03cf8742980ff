"""The printable audience report (issue 19): a few A4 pages made from the API's protected answers.

:func:`build_pdf` asks the API (through an ``execute`` callable that runs GraphQL as the caller),
renders HTML with inline SVG charts and prints it with the headless chromium on PATH.
``cid-graph report`` and the server's ``/report.pdf`` both call it.
"""

from __future__ import annotations

from cid_graph.report.data import Execute, Period, Progress, ReportData, gather
from cid_graph.report.pdf import BrowserMissingError, chromium_path, print_pdf
from cid_graph.report.render import render_html
from cid_graph.report.texts import LANGS, text

__all__ = ["LANGS", "BrowserMissingError", "Execute", "Period", "Progress", "ReportData", "build_pdf",
           "chromium_path", "gather", "print_pdf", "render_html"]


def build_pdf(execute: Execute, *, period: Period, locale: str, peer_group: str | None,
              published_on: str | None = None, progress: Progress | None = None,
              timeout_s: float = 120.0) -> tuple[bytes, ReportData]:
    """The report's PDF bytes and the answers it was made of.

    Checks for chromium first, so a machine without it fails before any query is asked.
    """
    say = progress or (lambda _msg: None)
    chromium_path()
    data = gather(execute, period=period, locale=locale, peer_group=peer_group, progress=say)
    say("rendering the pages")
    html = render_html(data, published_on=published_on)
    say("printing to PDF with chromium")
    return print_pdf(html, page_label=text(locale, "page"), timeout_s=timeout_s), data
