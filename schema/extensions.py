"""Schema extensions: the shape of every error, and the document limits.

Expected errors (:class:`CidGraphError`) reach the client with ``extensions.code`` and
``extensions.hint``; GraphQL's own validation errors get ``GRAPHQL_VALIDATION``; anything else is
logged with an id and masked as ``INTERNAL``.
"""

from __future__ import annotations

import logging
import uuid

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from cid_graph.errors import CidGraphError

log = logging.getLogger("cid_graph.graphql")


class ErrorShape(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda _e: True)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._shape(e) for e in errors]

    def _shape(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, CidGraphError):
            return GraphQLError(
                original.message, nodes=error.nodes, source=error.source, positions=error.positions,
                path=error.path, extensions={"code": original.code, "hint": original.hint},
            )
        if original is None or isinstance(original, GraphQLError):  # e.g. a variable of the wrong shape
            code = (error.extensions or {}).get("code") or "GRAPHQL_VALIDATION"
            hint = (error.extensions or {}).get("hint") or "Check the query against the schema (GraphiQL autocompletes it)."
            return GraphQLError(error.message, nodes=error.nodes, source=error.source,
                                positions=error.positions, path=error.path,
                                extensions={"code": code, "hint": hint})
        incident = uuid.uuid4().hex[:12]
        log.error("unexpected error %s in %s", incident, error.path, exc_info=original)
        return GraphQLError(
            f"unexpected error (incident {incident}); it was logged",
            nodes=error.nodes, source=error.source, positions=error.positions, path=error.path,
            extensions={"code": "INTERNAL", "hint": "Try again; if it persists, give the incident id to an operator."},
        )
