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

import sqlglot

from metrics.catalog import Catalog
from metrics.compiler import rollup_definitions, rollup_layouts
from warehouse.derived import REGISTRY, BuiltTable, built_derived
from warehouse.serving import ServingEngine


class RollupRegistry:
    """Usable rollups per warehouse version, read once per version."""

    def __init__(self, catalog: Catalog, engine: ServingEngine) -> None:
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
        built = self._built(opened)
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

    def _built(self, opened: Any) -> dict[str, BuiltTable]:
        """The derived tables of the version: from the DuckDB file, or from its export (Spark)."""
        cursor = getattr(self.engine, "cursor", None)
        if cursor is not None:
            return built_derived(cursor(opened))
        try:
            select = sqlglot.select("name", "fingerprint", "rows", "seconds").from_(REGISTRY)
            rows = self.engine.execute(select.sql(self.engine.dialect), opened=opened).to_pylist()
        except Exception:  # an export of a version built before rollups: read the base tables
            return {}
        return {r["name"]: BuiltTable(r["name"], r["fingerprint"], int(r["rows"]), float(r["seconds"])) for r in rows}
