"""The GraphQL API in-process, without HTTP: for ``cid-graph query`` and for comparing engines.

A :class:`LocalApi` answers GraphQL documents exactly as the server does (the same schema and
limits, the same token check, privacy layer, error shapes and audit log), only the transport is
a function call. ``cid-graph query`` sends one ``InsightQuery``, given as the JSON of the GraphQL
input (enum names as in GraphiQL), through it.

>>> INSIGHTS_DOCUMENT.splitlines()[0]
'query Insights($query: InsightQuery!, $locale: String) {'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio

from cid_graph.app import build_services, execute_as
from cid_graph.errors import CidGraphError, QueryError
from cid_graph.settings import Settings
from schema.build import build_schema
from warehouse.serving import ServingEngine

#: One insights query with every field of its result.
INSIGHTS_DOCUMENT = """query Insights($query: InsightQuery!, $locale: String) {
  insights(query: $query, locale: $locale) {
    columns { name kind label unit format dimension metric granularity datePart }
    rows {
      dimensions { dimension value label granularity datePart }
      metrics {
        metric value suppressed reason marginOfError unreliable
        comparisons { kind peerGroup value share peerShare index delta ratio suppressed reason currentValue organizationsCompared }
      }
    }
    totals { metrics { metric value suppressed reason marginOfError unreliable
      comparisons { kind peerGroup value share peerShare index delta ratio suppressed reason currentValue organizationsCompared } } }
    meta { warehouseVersion rowCount truncated scope suppressedCells locale privacyK }
  }
}"""


class LocalApi:
    """The API's schema and services in this process; ``execute`` is one GraphQL request."""

    def __init__(self, settings: Settings, engine: ServingEngine | None = None) -> None:
        self.settings = settings
        self.services, self.access = build_services(settings, engine)
        self.schema = build_schema(self.services.catalog, settings)
        self.engine.current()  # open the published version (Spark starts here), outside any time budget

    @property
    def engine(self) -> ServingEngine:
        return self.services.engine

    def execute(self, document: str, variables: dict[str, Any] | None, token: str | None,
                locale: str = "en") -> dict[str, Any]:
        """``{"data": ...}`` or ``{"data": ..., "errors": [...]}``, as the server's JSON body.

        Raises:
            AuthError: the token is missing, unknown, expired or revoked (the server's 401).
        """
        principal = self.access.authenticate(token)

        async def run() -> dict[str, Any]:
            limiter = anyio.CapacityLimiter(self.settings.worker_threads)
            return await execute_as(self.schema, self.services, limiter, principal, document, variables, locale)

        return anyio.run(run)

    def insights(self, query: dict[str, Any], token: str | None, locale: str | None = None) -> dict[str, Any]:
        """One InsightQuery's result; a :class:`CidGraphError` with the API's code and hint when refused."""
        body = self.execute(INSIGHTS_DOCUMENT, {"query": query, "locale": locale}, token, locale or "en")
        if body.get("errors"):
            first = body["errors"][0]
            ext = first.get("extensions") or {}
            raise CidGraphError(first["message"], hint=ext.get("hint"), code=ext.get("code") or "BAD_QUERY")
        return dict(body["data"]["insights"])

    def close(self) -> None:
        self.engine.close()


def read_query_file(path: Path) -> dict[str, Any]:
    """The InsightQuery in a JSON file, or a clear error that says where the file is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryError(f"the query file {path} does not exist",
                         hint="Give --query FILE.json, an InsightQuery as JSON.") from None
    except UnicodeDecodeError:
        raise QueryError(f"the query file {path} is not UTF-8 text", hint="Save it as UTF-8 JSON.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise QueryError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})",
                         hint='Write the InsightQuery as JSON, e.g. {"metrics": ["BUYERS"], '
                              '"groupBy": [{"dimension": "GENDER"}]}.') from None
    if not isinstance(data, dict):
        raise QueryError(f"{path} holds a JSON {type(data).__name__}, not an object",
                         hint='The file is one InsightQuery object: {"metrics": ["BUYERS"], ...}.')
    return data
