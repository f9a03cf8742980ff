"""The ASGI application: GraphQL behind token auth, health, the dashboard and GraphiQL.

>>> from cid_graph.settings import Settings
>>> app = create_app(Settings.load(env={}, dotenv=None))
>>> sorted(r.path for r in app.routes)[:3]
['/', '/demo/tokens', '/graphiql']
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from cid_graph.access import AccessStore, Principal
from cid_graph.errors import AuthError, CidGraphError
from cid_graph.settings import Settings
from metrics.catalog import Catalog
from metrics.model import load_model
from resolvers.cache import ResultCache
from resolvers.context import Caller, RequestContext, Services
from resolvers.labels import language
from schema.build import build_schema
from warehouse.serving import ServingEngine, open_engine
from warehouse.store import WarehouseStore

log = logging.getLogger("cid_graph")
WEB_DIR = Path(__file__).parent / "static" / "web"
MAX_BODY = 256 * 1024


@dataclass
class GraphQLContext:
    """``info.context`` of every resolver."""

    services: Services
    caller: Caller
    locale: str
    limiter: anyio.CapacityLimiter
    principal: Principal

    @property
    def request_context(self) -> RequestContext:
        return RequestContext(self.services, self.caller, self.locale)

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking resolver on a worker thread (DuckDB must not block the event loop)."""
        call = functools.partial(fn, self.request_context, *args)
        return await anyio.to_thread.run_sync(call, limiter=self.limiter)


class _GraphQLApp(GraphQL):  # type: ignore[type-arg]
    def __init__(self, schema: Any, services: Services, limiter: anyio.CapacityLimiter) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self.services = services
        self.limiter = limiter

    async def get_context(self, request: Any, response: Any) -> GraphQLContext:  # type: ignore[override]
        principal: Principal = request.scope["state"]["principal"]
        caller = _Caller(principal.token_id, principal.org_id, principal.role, principal.expires_at)
        locale = request.query_params.get("locale") or request.headers.get("accept-language") or "en"
        return GraphQLContext(self.services, caller, language(locale), self.limiter, principal)


@dataclass(frozen=True)
class _Caller(Caller):
    expires_at: str = ""


class AuthedGraphQL:
    """Checks the bearer token before GraphQL sees the request: a bad token is a 401."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app: _GraphQLApp | None = self.state.get("graphql")
        access: AccessStore | None = self.state.get("access")
        if app is None or access is None:
            await JSONResponse(_error("WAREHOUSE", "the service is starting or has no warehouse",
                                      "Wait a moment, or load data with `cid-graph demo`."), status_code=503)(scope, receive, send)
            return
        request = Request(scope)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            await JSONResponse(_error("REQUEST_TOO_LARGE", f"the request body is larger than {MAX_BODY // 1024} KiB",
                                      "Send a smaller document; split large questions."), status_code=413)(scope, receive, send)
            return
        token = _bearer(request.headers.get("authorization"))
        try:
            principal = await anyio.to_thread.run_sync(access.authenticate, token)
        except AuthError as exc:
            await JSONResponse(_error(exc.code, exc.message, exc.hint), status_code=401,
                               headers={"WWW-Authenticate": 'Bearer realm="cid-graph"'})(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await app(scope, receive, send)


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _error(code: str, message: str, hint: str | None) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code, "hint": hint}}]}


def build_services(settings: Settings, engine: ServingEngine | None = None) -> tuple[Services, AccessStore]:
    """What every request needs: the validated model's catalog, the engine, the cache, the access
    store (tokens and audit log). Raises ModelError on a model error."""
    catalog = Catalog(load_model(settings.model_dir))
    engine = engine or open_engine(settings)
    access = AccessStore(WarehouseStore(settings.warehouse_dir).access_db)
    cache = ResultCache(settings.cache_max_cells) if settings.cache_max_cells > 0 else None
    return Services(settings, catalog, engine, auditor=access, cache=cache), access


def create_app(settings: Settings) -> Starlette:
    """Build the app; the lifespan loads the model (refusing to start on an error) and opens the warehouse."""
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services, access = build_services(settings)  # raises ModelError: the server refuses to start
        engine, catalog = services.engine, services.catalog
        limiter = anyio.CapacityLimiter(settings.worker_threads)
        state.update(services=services, access=access, engine=engine,
                     graphql=_GraphQLApp(build_schema(catalog, settings), services, limiter))
        try:  # open the published version now (Spark starts its JVM), not on the first request
            opened = await anyio.to_thread.run_sync(engine.current)
        except CidGraphError as exc:
            opened = None
            log.warning("the warehouse cannot be opened yet: %s", exc)
        log.info("serving warehouse %s with %s (%s)", settings.warehouse_dir, engine.dialect,
                 f"v{opened.version.number:06d}" if opened else "no version yet")
        try:
            yield
        finally:
            engine.close()

    async def healthz(request: Request) -> Response:
        engine: ServingEngine | None = state.get("engine")
        try:
            version = engine.published() if engine else None
        except CidGraphError as exc:
            return JSONResponse({"status": "error", "error": exc.as_dict()}, status_code=503)
        if version is None or engine is None:
            return JSONResponse({"status": "no_warehouse", "warehouse": str(settings.warehouse_dir)}, status_code=503)
        return JSONResponse({"status": "ok", "warehouse_version": version, "engine": engine.dialect})

    async def demo_tokens(request: Request) -> Response:
        path = settings.warehouse_dir / "demo-tokens.json"
        if not settings.demo_mode or not path.is_file():
            return JSONResponse({"tokens": []})
        return JSONResponse(json.loads(path.read_text(encoding="utf-8")))

    async def index(request: Request) -> Response:
        page = WEB_DIR / "index.html"
        if page.is_file():
            return FileResponse(page)
        return HTMLResponse(_NOT_BUILT, status_code=200)

    async def graphiql(request: Request) -> Response:
        page = WEB_DIR / "graphiql.html"
        if page.is_file():
            return FileResponse(page)
        return HTMLResponse(_NOT_BUILT, status_code=200)

    routes: list[BaseRoute] = [
        Route("/graphql", AuthedGraphQL(state)),
        Route("/healthz", healthz),
        Route("/demo/tokens", demo_tokens),
        Route("/graphiql", graphiql),
        Route("/", index),
    ]
    if (WEB_DIR / "assets").is_dir():
        routes.append(Mount("/assets", StaticFiles(directory=WEB_DIR / "assets"), name="assets"))
    return Starlette(routes=routes, lifespan=lifespan)


_NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CID Graph</title></head>
<body><h1>CID Graph</h1><p>The web assets are not built. Run <code>make web</code> (or <code>make demo</code>).</p>
<p>The GraphQL API answers at <code>/graphql</code>.</p></body></html>"""
