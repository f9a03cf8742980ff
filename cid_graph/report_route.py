"""``GET /report.pdf``: the signed-in caller's audience report, as the dashboard's download button asks.

The same bearer token as ``/graphql`` (a bad one is a 401); every number is asked through the
same schema and privacy layer, as that caller (``run_graphql``, given by the app). Bounded: one
report is printed at a time (another request meanwhile gets a 503 ``BUSY`` with Retry-After) and
each has a time limit (``report_timeout_s``; a 504 past it). Without chromium the answer is a 503 ``BROWSER_MISSING``
whose hint says how to install it.

Query parameters: ``from`` and ``to`` (ISO dates; both or neither, neither = all data),
``locale`` (nb, en, sv, da, fi; default nb), ``peerGroup`` (default SAME_ORG_TYPE).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from cid_graph.access import Principal
from cid_graph.admission import Busy
from cid_graph.errors import AuthError, CidGraphError, QueryError, QueryTimeoutError
from cid_graph.report import LANGS, Period, build_pdf
from cid_graph.report.data import PEER_GROUPS, raise_errors

RunGraphQL = Callable[[Principal, str, dict[str, Any], str], Coroutine[Any, Any, dict[str, Any]]]


def _error(exc: CidGraphError) -> dict[str, Any]:
    return {"errors": [{"message": exc.message, "extensions": {"code": exc.code, "hint": exc.hint}}]}


def _period(request: Request) -> Period:
    start, end = request.query_params.get("from"), request.query_params.get("to")
    if not start and not end:
        return Period(None, None)
    if not (start and end):
        raise QueryError("give both from and to, or neither (all the data held)",
                         hint="e.g. /report.pdf?from=2025-01-01&to=2025-12-31")
    return Period.parse(f"{start}..{end}")


class ReportEndpoint:
    """The ASGI endpoint; ``state`` is the app's (``access``, ``services``), filled by its lifespan."""

    def __init__(self, state: dict[str, Any], run_graphql: RunGraphQL, timeout_s: float) -> None:
        self.state = state
        self.run_graphql = run_graphql
        self.timeout_s = timeout_s
        self.slot = threading.BoundedSemaphore(1)  # held by the printing thread, even past a timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await self._answer(Request(scope))
        except AuthError as exc:
            response = JSONResponse(_error(exc), status_code=401, headers={"WWW-Authenticate": 'Bearer realm="cid-graph"'})
        except CidGraphError as exc:
            headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, Busy) else {}
            response = JSONResponse(_error(exc), status_code=exc.status, headers=headers)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        access, services = self.state.get("access"), self.state.get("services")
        if access is None or services is None:
            raise CidGraphError("the service is starting or has no warehouse", code="WAREHOUSE",
                                hint="Wait a moment, or load data with `cid-graph demo`.")
        header = request.headers.get("authorization") or ""
        scheme, _, token = header.partition(" ")
        principal = await anyio.to_thread.run_sync(access.authenticate,
                                                   token.strip() if scheme.lower() == "bearer" else None)
        locale = request.query_params.get("locale") or "nb"
        if locale not in LANGS:
            raise QueryError(f"unknown locale {locale!r}", hint=f"Use one of {', '.join(LANGS)}.")
        peer_group = request.query_params.get("peerGroup") or "SAME_ORG_TYPE"
        if peer_group not in PEER_GROUPS:
            raise QueryError(f"unknown peer group {peer_group!r}", hint=f"Use one of {', '.join(PEER_GROUPS)}.")
        period = _period(request)
        if not self.slot.acquire(blocking=False):
            raise Busy("another report is being printed", retry_after_s=10)
        from cid_graph.report_cli import published_on

        def build() -> bytes:
            try:
                def execute(document: str, variables: dict[str, Any]) -> dict[str, Any]:
                    return raise_errors(anyio.from_thread.run(self.run_graphql, principal, document, variables, locale))

                pdf, _ = build_pdf(execute, period=period, locale=locale, peer_group=peer_group,
                                   published_on=published_on(services), timeout_s=self.timeout_s)
                return pdf
            finally:
                self.slot.release()

        try:
            with anyio.fail_after(self.timeout_s):
                pdf = await anyio.to_thread.run_sync(build, abandon_on_cancel=True)
        except TimeoutError:
            raise QueryTimeoutError(f"the report took longer than {self.timeout_s:.0f} s",
                                    hint="Try again when the server is less busy, or use `cid-graph report`.") from None
        name = f"cid-report-{period.start or 'all'}-{locale}.pdf"
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
