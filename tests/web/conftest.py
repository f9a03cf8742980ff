"""Browser tests of the dashboard and GraphiQL: a real server over a small demo warehouse, Debian's chromium.

Chromium is the one found on PATH (never `playwright install`). Without it the tests are skipped,
unless CID_GRAPH_REQUIRE_BROWSER=1 (set by .ci/run), where a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB_DIR = ROOT / "cid_graph" / "static" / "web"
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run"]
SEED = 42


def _chromium() -> str:
    path = shutil.which("chromium")
    if path:
        return path
    message = "chromium is not on PATH (Debian: apt-get install chromium; never `playwright install`)"
    if os.environ.get("CID_GRAPH_REQUIRE_BROWSER") == "1":
        pytest.fail(message + "; CID_GRAPH_REQUIRE_BROWSER=1 makes this a failure")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Site:
    base: str
    host: str
    warehouse: Path
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)

    def graphql(self, token: str, query: str, variables: dict[str, Any] | None = None,
                language: str = "nb") -> tuple[int, dict[str, Any]]:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        req = urllib.request.Request(self.base + "/graphql", data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}", "Accept-Language": language})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            with e:
                return e.code, json.loads(e.read())


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not (WEB_DIR / "index.html").is_file() or not (WEB_DIR / "graphiql.html").is_file():
        pytest.fail(f"the web assets are not built ({WEB_DIR / 'index.html'} is missing): run `make web`")
    import uvicorn

    from cid_graph.access import AccessStore
    from cid_graph.app import create_app
    from cid_graph.settings import Settings
    from warehouse.demo import generate
    from warehouse.engine import Engine
    from warehouse.ingest import ingest
    from warehouse.secret import load_or_create_secret
    from warehouse.store import WarehouseStore

    root = tmp_path_factory.mktemp("web")
    files = generate(root / "data", size="small", seed=SEED)
    store = WarehouseStore(root / "warehouse")
    secret, _ = load_or_create_secret(root / "secret.key")
    result = ingest(store, secret, [files.organizations], files.transactions)
    assert result.published, result

    engine = Engine(root / "warehouse")
    orgs = engine.execute(
        "SELECT o.org_id, o.name, o.org_type, o.country FROM organizations o "
        "JOIN (SELECT org_id, count(*) n FROM buyers GROUP BY org_id) b USING (org_id) "
        "ORDER BY o.country = 'NO' DESC, b.n DESC LIMIT 2").to_pylist()
    engine.close()
    access = AccessStore(store.access_db)
    tokens: dict[str, dict[str, Any]] = {}
    picker = []
    for i, org in enumerate(orgs):
        token, _ = access.create_token(org["org_id"], "member", ttl_days=1, label="web-test")
        entry = {"token": token, "role": "member", "org_id": org["org_id"], "name": org["name"],
                 "org_type": org["org_type"], "country": org["country"]}
        tokens[f"member{i}"] = entry
        picker.append(entry)
    token, _ = access.create_token(None, "partner", ttl_days=1, label="web-test")
    tokens["partner"] = {"token": token, "role": "partner", "org_id": None, "name": "Demo partner"}
    picker.append(tokens["partner"])
    expired, principal = access.create_token(orgs[0]["org_id"], "member", ttl_days=1, label="web-test-expired")
    with sqlite3.connect(store.access_db) as con:  # the store only creates valid tokens: age this one
        con.execute("UPDATE tokens SET expires_at = '2020-01-01T00:00:00+00:00' WHERE token_id = ?",
                    (principal.token_id,))
    tokens["expired"] = {"token": expired, "role": "member", "org_id": orgs[0]["org_id"]}
    (root / "warehouse" / "demo-tokens.json").write_text(json.dumps({"tokens": picker}, ensure_ascii=False),
                                                         encoding="utf-8")

    port = _free_port()
    settings = Settings.load(env={}, dotenv=None, warehouse=str(root / "warehouse"), demo_mode=True,
                             log_level="WARNING")
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="cid-web-test-server", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a loaded 2-core machine can take a while
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    else:
        server.should_exit = True
        pytest.fail("the test server did not answer /healthz within 30 s")
    yield Site(base, f"127.0.0.1:{port}", root / "warehouse", tokens)
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Recorder:
    """Every request and console error of a page: the dashboard must talk to its server only, quietly."""

    def __init__(self, page: Any, host: str) -> None:
        self.host = host
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def foreign(self) -> list[str]:
        from urllib.parse import urlsplit

        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if parts.scheme not in ("http", "https", "ws") or parts.netloc != self.host:
                out.append(url)
        return out

    def assert_clean(self, allow: tuple[str, ...] = ()) -> None:
        assert not self.foreign(), f"requests to other hosts: {self.foreign()}"
        errors = [e for e in self.errors if not any(a in e for a in allow)]
        assert not errors, f"console errors: {errors}"


@pytest.fixture()
def page(browser: Any, site: Site) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="nb-NO")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.recorder = Recorder(pg, site.host)
    yield pg
    context.close()


_UPDATE_SCREENSHOTS = False


def pytest_configure(config: pytest.Config) -> None:
    global _UPDATE_SCREENSHOTS
    _UPDATE_SCREENSHOTS = bool(config.getoption("--update-goldens"))


def save_screenshot(page: Any, name: str) -> Path:
    """Save to tests/artifacts/ (gitignored); with ``--update-goldens`` also refresh the README's
    copy in docs/screenshots/, so a plain test run never changes tracked files."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.evaluate("document.activeElement instanceof HTMLElement && document.activeElement.blur()")
    page.screenshot(path=str(path), full_page=True)
    if _UPDATE_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / name)
    return path
