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
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from cid_graph.access import AccessStore, Principal
from cid_graph.admission import Admission, Busy
from cid_graph.errors import AuthError, CidGraphError
from cid_graph.report_route import ReportEndpoint
from cid_graph.response_cache import ResponseCache, request_key, without_errors
from cid_graph.settings import Settings
from cid_graph.watching import BackgroundWatcher
from metrics.catalog import Catalog
from metrics.model import load_model
from resolvers import own_events
from resolvers.cache import AnswerCache, AuditEntry, RequestMemo, ResultCache
from resolvers.context import Caller, RequestContext, Services
from resolvers.labels import language
from resolvers.rollups import RollupRegistry
from schema.build import build_schema
from warehouse.classify.applier import CorrectionApplier
from warehouse.classify.corrections import CorrectionStore
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
    memo: RequestMemo = field(default_factory=RequestMemo)

    @property
    def request_context(self) -> RequestContext:
        return RequestContext(self.services, self.caller, self.locale, self.memo)

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking resolver on a worker thread (DuckDB must not block the event loop)."""
        call = functools.partial(fn, self.request_context, *args)
        return await anyio.to_thread.run_sync(call, limiter=self.limiter)

    async def run_localized(self, locale: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """:meth:`run` with labels in ``locale`` (a field's ``locale`` argument)."""
        ctx = RequestContext(self.services, self.caller, language(locale))
        call = functools.partial(fn, ctx, *args, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=self.limiter)


class _GraphQLApp(GraphQL):  # type: ignore[type-arg]
    def __init__(self, schema: Any, services: Services, limiter: anyio.CapacityLimiter) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self.services = services
        self.limiter = limiter

    async def get_context(self, request: Any, response: Any) -> GraphQLContext:  # type: ignore[override]
        state = request.scope["state"]
        principal: Principal = state["principal"]
        caller = _Caller(principal.token_id, principal.org_id, principal.role, principal.expires_at)
        locale = request.query_params.get("locale") or request.headers.get("accept-language") or "en"
        return GraphQLContext(self.services, caller, language(locale), self.limiter, principal,
                              state.get("memo") or RequestMemo())


@dataclass(frozen=True)
class _Caller(Caller):
    expires_at: str = ""


async def execute_as(schema: Any, services: Services, limiter: anyio.CapacityLimiter, principal: Principal,
                     document: str, variables: dict[str, Any] | None, locale: str) -> dict[str, Any]:
    """One GraphQL document as ``principal`` without HTTP (the same schema, limits, privacy layer and
    audit log as /graphql): ``{"data": ...}`` with ``"errors"`` as the server's JSON body has them."""
    caller = _Caller(principal.token_id, principal.org_id, principal.role, principal.expires_at)
    ctx = GraphQLContext(services, caller, language(locale), limiter, principal)
    result = await schema.execute(document, variable_values=variables or {}, context_value=ctx)
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [e.formatted for e in result.errors]
    return body


class AuthedGraphQL:
    """The ``/graphql`` endpoint: token check (a bad token is a 401), then a cached response
    when the same read-only request was answered before on this warehouse version, else
    admission (a bounded queue; past it a 503 ``BUSY``) and GraphQL. With the setting
    ``server_timing`` every response carries ``Server-Timing: app;dur=<ms>``, the time spent in
    the server."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        app: _GraphQLApp | None = self.state.get("graphql")
        access: AccessStore | None = self.state.get("access")
        if app is None or access is None:
            await JSONResponse(_error("WAREHOUSE", "the service is starting or has no warehouse",
                                      "Wait a moment, or load data with `cid-graph demo`."), status_code=503)(scope, receive, send)
            return
        request = Request(scope)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            await _too_large(scope, receive, send)
            return
        token = _bearer(request.headers.get("authorization"))
        try:
            principal = await anyio.to_thread.run_sync(access.authenticate, token)
        except AuthError as exc:
            await JSONResponse(_error(exc.code, exc.message, exc.hint), status_code=401,
                               headers={"WWW-Authenticate": 'Bearer realm="cid-graph"'})(scope, receive, send)
            return
        memo = RequestMemo()
        scope.setdefault("state", {}).update(principal=principal, memo=memo)
        body: bytes | None = None
        if scope.get("method") == "POST":
            body = await _read_body(receive)
            if body is None:
                await _too_large(scope, receive, send)
                return
        key = self._key(request, principal, body)
        responses: ResponseCache | None = self.state.get("responses")
        if key is not None and responses is not None and (hit := responses.get(key)) is not None:
            await self._replay_audits(principal, hit[1], started)
            headers = {"x-cid-graph-cache": "hit", **self._timing(started)}
            await Response(hit[0], media_type="application/json", headers=headers)(scope, receive, send)
            return
        admission: Admission = self.state["admission"]
        try:
            async with admission.admit():
                status, chunks = await _run(app, scope, _replayed(body, receive) if body is not None else receive,
                                            send, started if self._timing(started) else None)
        except Busy as exc:
            await JSONResponse(_error(exc.code, exc.message, exc.hint), status_code=503,
                               headers={"Retry-After": str(exc.retry_after_s), **self._timing(started)})(
                scope, receive, send)
            return
        if key is not None and responses is not None and status == 200:
            answer = b"".join(chunks)
            if without_errors(answer):
                responses.put(key, answer, memo.audits)

    def _timing(self, started: float) -> dict[str, str]:
        """The Server-Timing header, when the settings ask for it (benchmarks): off by default,
        since the time spent tells what the privacy layer did more precisely than a client's
        clock does."""
        services: Services | None = self.state.get("services")
        if services is None or not services.settings.server_timing:
            return {}
        return {"server-timing": _timing(started)}

    def _key(self, request: Request, principal: Principal, body: bytes | None) -> Any:
        services: Services | None = self.state.get("services")
        if body is None or services is None or self.state.get("responses") is None:
            return None
        try:
            version = services.engine.published()
        except CidGraphError:
            return None
        if version is None:
            return None
        locale = language(request.query_params.get("locale") or request.headers.get("accept-language") or "en")
        return request_key(body, principal.org_id, principal.role, locale, version,
                           services.settings.max_query_tokens)

    async def _replay_audits(self, principal: Principal, audits: list[AuditEntry], started: float) -> None:
        services: Services | None = self.state.get("services")
        if services is None or services.auditor is None or not audits:
            return
        auditor = services.auditor
        ms = int((time.perf_counter() - started) * 1000)

        def write() -> None:
            for entry in audits:
                auditor.audit(principal, entry.operation, entry.shape, cells=entry.cells,
                              suppressed=entry.suppressed, outcome=entry.outcome, ms=ms)

        await anyio.to_thread.run_sync(write)


async def _run(app: Any, scope: Scope, receive: Receive, send: Send, started: float | None) -> tuple[int, list[bytes]]:
    """Run GraphQL, passing its response on (with a Server-Timing header unless ``started`` is
    None); returns what it sent."""
    status = 0
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
            if started is not None:
                message = dict(message, headers=[*message.get("headers", []),
                                                 (b"server-timing", _timing(started).encode())])
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
        await send(message)

    await app(scope, receive, capture)
    return status, chunks


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when it is larger than MAX_BODY."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        part = message.get("body", b"")
        size += len(part)
        if size > MAX_BODY:
            return None
        parts.append(part)
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _replayed(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    await JSONResponse(_error("REQUEST_TOO_LARGE", f"the request body is larger than {MAX_BODY // 1024} KiB",
                              "Send a smaller document; split large questions."), status_code=413)(scope, receive, send)


def _timing(started: float) -> str:
    return f"app;dur={(time.perf_counter() - started) * 1000:.2f}"


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
    store = WarehouseStore(settings.warehouse_dir)
    access = AccessStore(store.access_db)
    cache = ResultCache(settings.cache_max_cells) if settings.cache_max_cells > 0 else None
    corrections = CorrectionStore(store.corrections_db)
    applier = CorrectionApplier(store, corrections, delay_s=settings.correction_delay_s,
                                retry_s=settings.correction_retry_s,
                                applied_through=((lambda: own_events.applied_through(engine))
                                                 if engine.dialect == "duckdb" else None))
    answers = AnswerCache(settings.answer_cache_max_cells) if settings.answer_cache_max_cells > 0 else None
    rollups = RollupRegistry(catalog, engine) if settings.rollups else None
    return Services(settings, catalog, engine, auditor=access, cache=cache, rollups=rollups,
                    answers=answers, corrections=corrections, applier=applier), access


def create_app(settings: Settings) -> Starlette:
    """Build the app; the lifespan loads the model (refusing to start on an error) and opens the warehouse."""
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services, access = build_services(settings)  # raises ModelError: the server refuses to start
        engine, catalog = services.engine, services.catalog
        applier = cast(CorrectionApplier | None, services.applier)
        limiter = anyio.CapacityLimiter(settings.worker_threads)
        responses = ResponseCache(settings.response_cache_mb * 1024 * 1024) if settings.response_cache_mb > 0 else None
        admission = Admission(settings.max_running_requests, settings.max_queued_requests, settings.queue_timeout_s)
        state.update(services=services, access=access, engine=engine, applier=applier, responses=responses,
                     admission=admission,
                     graphql=_GraphQLApp(build_schema(catalog, settings), services, limiter))
        try:  # open the published version now (Spark starts its JVM), not on the first request
            opened = await anyio.to_thread.run_sync(engine.current)
        except CidGraphError as exc:
            opened = None
            log.warning("the warehouse cannot be opened yet: %s", exc)
        log.info("serving warehouse %s with %s (%s)", settings.warehouse_dir, engine.dialect,
                 f"v{opened.version.number:06d}" if opened else "no version yet")
        if applier is not None:
            applier.start()
        watcher = BackgroundWatcher.from_settings(settings)
        if watcher is not None:
            state["watcher"] = watcher
            watcher.start()
        try:
            yield
        finally:
            if watcher is not None:
                await anyio.to_thread.run_sync(watcher.stop)
            if applier is not None:
                await anyio.to_thread.run_sync(applier.stop)
            engine.close()

    async def healthz(request: Request) -> Response:
        engine: ServingEngine | None = state.get("engine")
        try:
            version = engine.published() if engine else None
        except CidGraphError as exc:
            return JSONResponse({"status": "error", "error": exc.as_dict()}, status_code=503)
        watcher: BackgroundWatcher | None = state.get("watcher")
        if version is None or engine is None:
            return JSONResponse({"status": "no_warehouse", "warehouse": str(settings.warehouse_dir),
                                 "watch": watcher.status() if watcher else None}, status_code=503)
        applier: CorrectionApplier | None = state.get("applier")
        return JSONResponse({"status": "ok", "warehouse_version": version, "engine": engine.dialect,
                             "corrections": applier.status() if applier else None,
                             "watch": watcher.status() if watcher else None})

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

    async def run_graphql(principal: Principal, document: str, variables: dict[str, Any], locale: str) -> dict[str, Any]:
        app: _GraphQLApp = state["graphql"]
        return await execute_as(app.schema, app.services, app.limiter, principal, document, variables, locale)

    routes: list[BaseRoute] = [
        Route("/graphql", AuthedGraphQL(state)),
        Route("/report.pdf", ReportEndpoint(state, run_graphql, settings.report_timeout_s)),
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
