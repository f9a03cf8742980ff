"""Bounded caches of query results, keyed by warehouse version, and a per-request memo.

Two caches share one class (:class:`BoundedCache`, least recently used first out, bounded in
cells: rows x columns, about a hundred bytes each):

- raw cells keyed by (SQL, warehouse version): what the warehouse returned, privacy columns
  included; they never leave the server and protection runs on them on every use;
- published answers keyed by (request, caller's organization and role, warehouse version):
  what protection made of them. The protection is deterministic (the cell key method gives the
  same rows the same noise), so the answer a hit returns is the one a fresh run would give.

A newly published version changes every key, so nothing stale is served and no restart is
needed; the old entries age out. Concurrent requests for one missing key compute it once
(:meth:`BoundedCache.get_or_compute`), and :class:`RequestMemo` does the same within one
GraphQL request even with the caches off (the widgets of a tab share their totals query).

>>> cache = ResultCache(max_cells=10)
>>> cache.put(("q", 1), [{"a": 1}] * 4); cache.get(("q", 1)) is not None
True
>>> cache.put(("r", 1), [{"a": 1}] * 8); cache.get(("q", 1)) is None  # evicted: over 10 cells
True
>>> cache.get_or_compute(("s", 1), lambda: [{"a": 2}]), cache.stats()["entries"]
([{'a': 2}], 2)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """A thread-safe LRU cache bounded in cells (``size_of`` a value)."""

    def __init__(self, max_cells: int, size_of: Callable[[V], int]) -> None:
        self.max_cells = max_cells
        self._size_of = size_of
        self._data: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._cells = 0
        self._lock = threading.Lock()
        self._flights: dict[Hashable, Future[V]] = {}
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: V) -> None:
        size = max(1, self._size_of(value))
        if size > self.max_cells:
            return
        with self._lock:
            if key in self._data:
                return
            self._data[key] = (value, size)
            self._cells += size
            while self._cells > self.max_cells and self._data:
                _, (_, old) = self._data.popitem(last=False)
                self._cells -= old

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The cached value, or ``compute()`` stored; concurrent callers of one key wait for
        the first instead of computing it again."""
        value = self.get(key)
        if value is not None:
            return value
        with self._lock:
            flight = self._flights.get(key)
            owner = flight is None
            if flight is None:
                flight = self._flights[key] = Future()
        if not owner:
            return flight.result()
        try:
            value = compute()
            self.put(key, value)
            flight.set_result(value)
            return value
        except BaseException as exc:
            flight.set_exception(exc)
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._data), "cells": self._cells, "max_cells": self.max_cells,
                    "hits": self.hits, "misses": self.misses}


def _row_cells(rows: list[dict[str, Any]]) -> int:
    return max(1, len(rows)) * max(1, len(rows[0]) if rows else 1)


class ResultCache(BoundedCache[list[dict[str, Any]]]):
    """Raw cells of compiled queries, keyed by (SQL, warehouse version)."""

    def __init__(self, max_cells: int = 2_000_000) -> None:
        super().__init__(max_cells, _row_cells)


def answer_cells(answer: Any) -> int:
    """Cells of a published answer (rows x metrics x comparisons), its size in the answer cache."""
    rows = len(answer.rows) + (1 if answer.totals is not None else 0)
    per_row = sum(1 + len(m.comparisons or ()) for m in (answer.rows[0].metrics if answer.rows else ()))
    return max(1, rows * max(1, per_row))


class AnswerCache(BoundedCache[Any]):
    """Published answers of the insights field, keyed by (request, organization, role, version)."""

    def __init__(self, max_cells: int = 500_000) -> None:
        super().__init__(max_cells, answer_cells)


@dataclass(frozen=True)
class AuditEntry:
    """What one field of a request wrote to the audit log (P8), without who and when."""

    operation: str
    shape: dict[str, Any]
    cells: int
    suppressed: int
    outcome: str


class RequestMemo:
    """Results of one GraphQL request's warehouse queries, each run once (its fields run in
    parallel; identical queries, such as the totals of a tab's widgets, wait for the first),
    and the audit entries its fields wrote."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._results: dict[Hashable, Future[Any]] = {}
        self.audits: list[AuditEntry] = []

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        with self._lock:
            future = self._results.get(key)
            owner = future is None
            if future is None:
                future = self._results[key] = Future()
        if not owner:
            result: V = future.result()
            return result
        try:
            value = compute()
        except BaseException as exc:
            future.set_exception(exc)
            with self._lock:
                self._results.pop(key, None)  # an error is not remembered: a retry may succeed
            raise
        future.set_result(value)
        return value
