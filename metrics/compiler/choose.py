"""Choosing where a query reads from: the smallest built rollup that covers it, else the fact.

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
>>> source, notes = choose_source(catalog, plan, DuckDB(), available={})
>>> source.rollup is None, notes[0].endswith("not built in this warehouse version")
(True, True)
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping

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


def choose_source(catalog: Catalog, plan: Plan, dialect: Dialect,
                  available: Mapping[str, int] | None) -> tuple[FactSource, tuple[str, ...]]:
    """The source to read ``plan`` from, and one note per declared rollup saying why it did or
    did not serve.

    Args:
        catalog: The catalog.
        plan: The resolved query.
        dialect: The SQL dialect.
        available: Row counts of the rollups built (with the current definition) in the warehouse
            version the query runs on, by rollup name; ``None`` turns rollups off.
    """
    base = FactSource(catalog.model, dialect)
    if available is None:
        return base, ()
    best: RollupLayout | None = None
    reasons: dict[str, str] = {}
    for layout in rollup_layouts(catalog):
        name = layout.rollup.name
        if name not in available:
            reasons[name] = "not built in this warehouse version"
            continue
        why = covers(plan, layout)
        if why is not None:
            reasons[name] = why
        elif best is None or available[name] < available[best.rollup.name]:
            best = layout
    notes = []
    for layout in rollup_layouts(catalog):
        name = layout.rollup.name
        if best is not None and name == best.rollup.name:
            notes.append(f"{name}: used ({available[name]:,} rows)")
        elif name in reasons:
            notes.append(f"{name}: {reasons[name]}")
        else:
            notes.append(f"{name}: covers the query but is larger ({available[name]:,} rows)")
    if best is None:
        return base, tuple(notes)
    return RollupSource(catalog.model, dialect, best), tuple(notes)
