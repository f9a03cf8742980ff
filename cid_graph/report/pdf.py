"""HTML to an A4 PDF with Debian's headless chromium (on PATH), driven by Playwright.

Fonts are embedded by chromium's printer (the report asks for DejaVu Sans, which covers æøå and
every Nordic letter). Playwright's own browser download is never used: ``executable_path`` is the
``chromium`` found on PATH.
"""

from __future__ import annotations

import shutil

from cid_graph.errors import CidGraphError

CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run"]
_FOOTER = ("<div style=\"font-family: 'DejaVu Sans', sans-serif; font-size: 7pt; color: #666; width: 100%; "
           "text-align: right; padding: 0 14mm;\">{label} <span class='pageNumber'></span> / "
           "<span class='totalPages'></span></div>")


class BrowserMissingError(CidGraphError):
    """No chromium to print with (or no Playwright to drive it)."""

    code = "BROWSER_MISSING"
    status = 503


def chromium_path() -> str:
    """The chromium on PATH, or a :class:`BrowserMissingError` that says how to install it."""
    path = shutil.which("chromium")
    if not path:
        raise BrowserMissingError(
            "the report is printed to PDF by chromium, and there is no `chromium` on PATH",
            hint="Install Debian's chromium: `apt-get install chromium` (never `playwright install`).")
    return path


def print_pdf(html: str, *, page_label: str = "", timeout_s: float = 120.0) -> bytes:
    """The HTML printed to A4 PDF bytes (backgrounds on, a page number in the footer)."""
    executable = chromium_path()
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BrowserMissingError("the Python package playwright, which drives chromium, is not installed",
                                  hint="Run `uv sync --frozen` (it is in the dev group), or `pip install playwright`.") from None
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, timeout=timeout_s * 1000)
            try:
                page = browser.new_page()
                page.set_default_timeout(timeout_s * 1000)
                page.set_content(html, wait_until="load")
                return page.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                                display_header_footer=True, header_template="<div></div>",
                                footer_template=_FOOTER.format(label=page_label),
                                margin={"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
            finally:
                browser.close()
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BrowserMissingError(f"chromium could not print the report: {first}",
                                  hint="Check that `chromium --headless=new --version` runs; install it with "
                                       "`apt-get install chromium`.") from None
