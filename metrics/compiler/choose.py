"""Choosing where a query reads from: the smallest built rollup that covers it; else, for a
time range no rollup covers whole, its whole months from a monthly rollup and the days at its
ends from wherever covers them (:mod:`metrics.compiler.split`); else the base tables.

The catalog's rollups are laid out once per catalog (:func:`rollup_layouts`). Which of them
exist in a warehouse version is the caller's knowledge (the version's ``derived_tables``
registry, with fingerprints checked): it passes their row counts as ``available``.

>>> from cid_graph.settings import Settings
>>> from metrics.catalog import Catalog
>>> from metrics.compiler.dialects import DuckDB
>>> from metrics.compiler.plan import plan_query
>>> from metrics.model import load_model
>>> from metrics.query import GroupBy, Query
>>> catalog = Catalog(load_model(Settings.load(env={}, dotenv=None).model_dir))
>>> plan = plan_query(catalog, Query(("buyers",), (GroupBy("org_type"),)))
>>> choice = choose_source(catalog, plan, DuckDB(), available={})
>>> choice.rollup is None, choice.notes[0].endswith("not built in this warehouse version")
(True, True)
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass

from sqlglot import exp

from metrics.catalog import Catalog
from metrics.compiler.dialects import Dialect, DuckDB
from metrics.compiler.plan import Plan
from metrics.compiler.rollup import (
    RollupLayout,
    RollupSource,
    covers,
    rollup_fingerprint,
    rollup_select,
)
from metrics.compiler.source import FactSource
from metrics.compiler.split import Parts, describe, smallest_cover, split_parts

_LAYOUTS: weakref.WeakKeyDictionary[Catalog, tuple[RollupLayout, ...]] = weakref.WeakKeyDictionary()


def rollup_layouts(catalog: Catalog) -> tuple[RollupLayout, ...]:
    """The layout of every rollup the model declares, in model order."""
    layouts = _LAYOUTS.get(catalog)
    if layouts is None:
        layouts = tuple(RollupLayout.of(r, catalog.model) for r in catalog.model.rollups)
        _LAYOUTS[catalog] = layouts
    return layouts


def rollup_definitions(catalog: Catalog, dialect: Dialect | None = None) -> list[tuple[str, exp.Select, str]]:
    """``(table, SELECT that builds it, fingerprint)`` of every declared rollup.

    The SELECT's time expressions are written for ``dialect`` (DuckDB by default); the
    fingerprint does not depend on it.
    """
    engine = dialect or DuckDB()
    return [(lay.table, rollup_select(lay, engine), rollup_fingerprint(lay, DuckDB()))
            for lay in rollup_layouts(catalog)]


@dataclass(frozen=True)
class Choice:
    """Where a query reads: one source, or parts of its time range (``parts``)."""

    source: FactSource
    notes: tuple[str, ...] = ()
    parts: Parts | None = None

    @property
    def rollup(self) -> str | None:
        """The rollup read (for a split range: the one of its whole months)."""
        if self.parts is not None:
            return next(layout.rollup.name for _, layout in self.parts if layout is not None)
        return self.source.rollup


def choose_source(catalog: Catalog, plan: Plan, dialect: Dialect, available: Mapping[str, int] | None) -> Choice:
    """Where to read ``plan`` from, with one note per declared rollup saying why it did or did
    not serve.

    Args:
        catalog: The catalog.
        plan: The resolved query.
        dialect: The SQL dialect.
        available: Row counts of the rollups built (with the current definition) in the warehouse
            version the query runs on, by rollup name; ``None`` turns rollups off.
    """
    base = FactSource(catalog.model, dialect)
    if available is None:
        return Choice(base)
    layouts = rollup_layouts(catalog)
    best = smallest_cover(plan, available, layouts)
    notes = []
    for layout in layouts:
        name = layout.rollup.name
        if name not in available:
            notes.append(f"{name}: not built in this warehouse version")
        elif best is not None and name == best.rollup.name:
            notes.append(f"{name}: used ({available[name]:,} rows)")
        elif (why := covers(plan, layout)) is not None:
            notes.append(f"{name}: {why}")
        else:
            notes.append(f"{name}: covers the query but is larger ({available[name]:,} rows)")
    if best is not None:
        return Choice(RollupSource(catalog.model, dialect, best), tuple(notes))
    parts = split_parts(plan, available, layouts)
    if parts is not None:
        return Choice(base, (*notes, describe(parts)), parts)
    return Choice(base, tuple(notes))
