"""A bounded result cache: raw cells keyed by (SQL, warehouse version).

Cached cells are what the warehouse returned (privacy columns included); they never leave the
server, and protection is applied to them on every request, so a cached answer and a fresh one
are the same by construction (the cell key method is deterministic). A newly published version
changes the key, so nothing stale is served and no restart is needed; the old entries age out.

>>> cache = ResultCache(max_cells=10)
>>> cache.put(("q", 1), [{"a": 1}] * 4); cache.get(("q", 1)) is not None
True
>>> cache.put(("r", 1), [{"a": 1}] * 8); cache.get(("q", 1)) is None  # evicted: over 10 cells
True
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class ResultCache:
    def __init__(self, max_cells: int = 2_000_000) -> None:
        self.max_cells = max_cells
        self._data: OrderedDict[tuple[str, int], list[dict[str, Any]]] = OrderedDict()
        self._cells = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[str, int]) -> list[dict[str, Any]] | None:
        with self._lock:
            rows = self._data.get(key)
            if rows is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return rows

    def put(self, key: tuple[str, int], rows: list[dict[str, Any]]) -> None:
        size = max(1, len(rows)) * max(1, len(rows[0]) if rows else 1)
        if size > self.max_cells:
            return
        with self._lock:
            if key in self._data:
                return
            self._data[key] = rows
            self._cells += size
            while self._cells > self.max_cells and self._data:
                _, old = self._data.popitem(last=False)
                self._cells -= max(1, len(old)) * max(1, len(old[0]) if old else 1)
