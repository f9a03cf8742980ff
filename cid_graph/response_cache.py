"""Whole GraphQL responses of read-only documents, so that a repeated request skips GraphQL.

A dashboard tab is one document sent again and again with the same variables. Executing it
from the answer cache still walks every row and metric through GraphQL (tens of milliseconds
for a tab); this cache keeps the response bytes instead, keyed by what the answer depends on:
the document, its variables and operation, the caller's organization and role (never the
token: two members of one organization see the same), the language, and the warehouse version
(a new version invalidates every entry without a restart). Only documents whose root fields
are all ``insights`` or ``catalog`` queries are kept, and only answers without errors.

Every hit still writes the audit entries (P8) its fields wrote when it was computed, under the
caller's token, so the audit log shows every query whichever path answered it.

>>> cacheable("{ insights(query: {metrics: [BUYERS]}) { rows { metrics { value } } } }", None, 4000)
True
>>> cacheable("{ me { role } insights(query: {metrics: [BUYERS]}) { meta { rowCount } } }", None, 4000)
False
>>> cache = ResponseCache(max_bytes=100)
>>> cache.put(("k",), b'{"data": {}}', []); cache.get(("k",))
(b'{"data": {}}', [])
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from functools import lru_cache
from typing import Any

from graphql import FieldNode, OperationDefinitionNode, OperationType, parse
from graphql.error import GraphQLError

from resolvers.cache import AuditEntry

#: Root fields whose answers depend only on the key (no token details, no side effects).
CACHEABLE_FIELDS = frozenset({"insights", "catalog", "__typename"})


@lru_cache(maxsize=256)
def cacheable(query: str, operation_name: str | None, max_tokens: int) -> bool:
    """Whether the operation's root selections are all read-only, caller-independent fields."""
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return False  # GraphQL answers it with the error; nothing to keep
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation != OperationType.QUERY:
        return False
    selections = operations[0].selection_set.selections
    return all(isinstance(s, FieldNode) and s.name.value in CACHEABLE_FIELDS for s in selections)


def request_key(body: bytes, org_id: str | None, role: str, locale: str, version: int,
                max_tokens: int) -> Hashable | None:
    """The cache key of a POSTed GraphQL body, or None when it must not be cached."""
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return None
    variables = payload.get("variables") or {}
    operation = payload.get("operationName")
    if not isinstance(variables, dict) or not (operation is None or isinstance(operation, str)):
        return None
    if not cacheable(payload["query"], operation, max_tokens):
        return None
    return (payload["query"], json.dumps(variables, sort_keys=True), operation, org_id, role, locale, version)


class ResponseCache:
    """Response bodies with the audit entries to replay, LRU, bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._data: OrderedDict[Hashable, tuple[bytes, list[AuditEntry]]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> tuple[bytes, list[AuditEntry]] | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: Hashable, body: bytes, audits: list[AuditEntry]) -> None:
        size = len(body) + 200 * len(audits)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._data:
                return
            self._data[key] = (body, list(audits))
            self._bytes += size
            while self._bytes > self.max_bytes and self._data:
                _, (old, old_audits) = self._data.popitem(last=False)
                self._bytes -= len(old) + 200 * len(old_audits)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"entries": len(self._data), "bytes": self._bytes, "max_bytes": self.max_bytes,
                    "hits": self.hits, "misses": self.misses}


def without_errors(body: bytes) -> bool:
    """A 200 response that carries no ``errors`` (only those are kept)."""
    try:
        payload = json.loads(body)
    except ValueError:
        return False
    return isinstance(payload, dict) and not payload.get("errors") and "data" in payload
