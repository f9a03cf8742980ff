"""Which rollups a warehouse version holds and may be read: built, and from today's definition.

A version records the rollups built into it in its ``derived_tables`` registry, each with the
fingerprint of the definition it was built from (:mod:`warehouse.derived`). A rollup is read
only when that fingerprint equals the one the loaded semantic model gives: a model edited
since the version was built falls back to the base tables (and ``explain`` says so) until
``cid-graph rollups build`` rebuilds them.
"""

from __future__ import annotations

import threading
from typing import Any

from metrics.catalog import Catalog
from metrics.compiler import rollup_definitions, rollup_layouts
from warehouse.derived import built_derived
from warehouse.engine import Engine


class RollupRegistry:
    """Usable rollups per warehouse version, read once per version."""

    def __init__(self, catalog: Catalog, engine: Engine) -> None:
        self.catalog = catalog
        self.engine = engine
        self._expected = {table: fingerprint for table, _, fingerprint in rollup_definitions(catalog)}
        self._by_version: dict[int, dict[str, int]] = {}
        self._lock = threading.Lock()

    def available(self, opened: Any) -> dict[str, int]:
        """Row counts of the usable rollups of the version ``opened``, by rollup name."""
        number = opened.version.number
        with self._lock:
            found = self._by_version.get(number)
        if found is not None:
            return found
        built = built_derived(self.engine.cursor(opened))
        found = {}
        for layout in rollup_layouts(self.catalog):
            entry = built.get(layout.table)
            if entry is not None and entry.fingerprint == self._expected[layout.table]:
                found[layout.rollup.name] = entry.rows
        with self._lock:
            # Keep the newest two: requests still finishing on the previous version, and the current.
            self._by_version[number] = found
            for old in sorted(self._by_version)[:-2]:
                del self._by_version[old]
        return found
