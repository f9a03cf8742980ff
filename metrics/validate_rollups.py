"""Validation rules of the ``rollups`` section, one rule per function (see :mod:`metrics.validate`).

A rollup must name existing measures and dimensions, put its time dimension under
``time_dimension`` with a granularity or date parts that dimension offers, and be derivable
from the fact by construction: a distinct count is only allowed with what it needs to stay a
distinct count (its filter's dimension), never summed.

>>> from metrics.definitions import Measure, Rollup, SemanticModel
>>> model = SemanticModel(measures=(Measure("buyers", "count"),), rollups=(Rollup("r", ("byers",)),))
>>> [i.message for i in check_rollup_references(model, {})]
["rollup 'r': unknown measure 'byers' (did you mean 'buyers'?)"]
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from metrics.definitions import Dimension, Rollup, SemanticModel
from metrics.issues import WARNING, Loc, ModelIssue

Tables = dict[str, dict[str, str]]
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")
#: The dimension whose column keys a rollup by organization (NETWORK pooling, OWN scope).
ORGANIZATION = "organization"


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _duplicates(values: tuple[str, ...]) -> list[str]:
    seen: set[str] = set()
    dups: list[str] = []
    for v in values:
        if v in seen:
            dups.append(v)
        seen.add(v)
    return dups


def check_rollup_names(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Rollup names are snake_case, unique, and their tables do not clash with the warehouse's."""
    seen: dict[str, Loc] = {}
    for r in model.rollups:
        loc = r.loc.at("name")
        if not r.name or r.name[0] not in "abcdefghijklmnopqrstuvwxyz" or not set(r.name) <= NAME_CHARS:
            yield loc.issue(f"rollup name '{r.name}' must be lowercase snake_case")
        elif len(r.name) > 48:
            yield loc.issue(f"rollup name '{r.name}' is longer than 48 characters")
        if r.name in seen:
            first = seen[r.name]
            yield loc.issue(f"duplicate rollup name '{r.name}' (first defined at {first.file}:{first.line})")
        seen.setdefault(r.name, r.loc)
        if r.table in tables:
            yield loc.issue(f"rollup '{r.name}': its table {r.table} is a warehouse table; choose another name")


def check_rollup_references(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Measures and dimensions exist; categorical dimensions go under ``dimensions``, the time
    dimension under ``time_dimension`` with a granularity and/or date parts it offers."""
    measures = {m.name for m in model.measures}
    dims = {d.name: d for d in model.dimensions}
    for r in model.rollups:
        what = f"rollup '{r.name}'"
        if not r.measures:
            yield r.loc.issue(f"{what} lists no measures")
        for name in r.measures:
            if name not in measures:
                yield r.loc.at("measures").issue(f"{what}: unknown measure '{name}'{_suggest(name, measures)}")
        for key, values in (("measures", r.measures), ("dimensions", r.dimensions), ("date_parts", r.date_parts)):
            for dup in _duplicates(values):
                yield r.loc.at(key).issue(f"{what}: '{dup}' is listed twice in {key}")
        for name in r.dimensions:
            dim = dims.get(name)
            if dim is None:
                yield r.loc.at("dimensions").issue(f"{what}: unknown dimension '{name}'{_suggest(name, dims)}")
            elif dim.is_time:
                yield r.loc.at("dimensions").issue(
                    f"{what}: '{name}' is a time dimension; give it as time_dimension with a granularity")
        yield from _time_issues(r, dims)


def _time_issues(r: Rollup, dims: dict[str, Dimension]) -> Iterator[ModelIssue]:
    what = f"rollup '{r.name}'"
    if r.time_dimension is None:
        if r.granularity or r.date_parts:
            yield r.loc.at("granularity" if r.granularity else "date_parts").issue(
                f"{what}: a granularity or date_parts needs a time_dimension")
        return
    dim = dims.get(r.time_dimension)
    if dim is None:
        yield r.loc.at("time_dimension").issue(
            f"{what}: unknown time dimension '{r.time_dimension}'{_suggest(r.time_dimension, dims)}")
        return
    if not dim.is_time:
        yield r.loc.at("time_dimension").issue(
            f"{what}: '{r.time_dimension}' is not a time dimension; list it under dimensions")
        return
    if not r.granularity and not r.date_parts:
        yield r.loc.at("time_dimension").issue(f"{what}: time_dimension needs a granularity or date_parts")
    offered = dim.granularities
    if r.granularity and r.granularity not in offered:
        yield r.loc.at("granularity").issue(f"{what}: '{r.time_dimension}' has no granularity "
                                            f"'{r.granularity}' (one of {', '.join(offered)})")
    parts = dim.date_parts
    for p in r.date_parts:
        if p not in parts:
            yield r.loc.at("date_parts").issue(f"{what}: '{r.time_dimension}' has no date part '{p}' "
                                               f"(one of {', '.join(parts)})")


def check_rollup_derivable(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Every measure of a rollup aggregates the fact, and a filtered distinct count keeps its
    filter's dimension (a distinct count is recounted over the rollup's rows, never summed)."""
    if not model.facts:
        return
    fact = model.fact.table
    measures = {m.name: m for m in model.measures}
    for r in model.rollups:
        for name in r.measures:
            m = measures.get(name)
            if m is None:
                continue
            if m.table != fact:
                yield r.loc.at("measures").issue(
                    f"rollup '{r.name}': measure '{name}' aggregates table {m.table}, not the fact {fact}")
            if m.agg == "count_distinct" and m.filter is not None and m.filter.dimension not in r.dimensions:
                yield r.loc.at("measures").issue(
                    f"rollup '{r.name}': distinct count '{name}' is filtered on {m.filter.dimension}, "
                    f"so the rollup must list {m.filter.dimension} under dimensions")


def check_rollup_usefulness(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Warnings: a rollup that can serve no protected query is probably a mistake."""
    measures = {m.name: m for m in model.measures}
    for r in model.rollups:
        keyed = ORGANIZATION in r.dimensions or any(
            measures[n].agg == "count_distinct" and measures[n].expr == "org_id" for n in r.measures if n in measures)
        if not keyed:
            yield r.loc.issue(
                f"rollup '{r.name}' has no '{ORGANIZATION}' dimension, so it can serve neither NETWORK "
                "queries (pooled per organization) nor OWN ones (one organization's rows)", WARNING)
        counts_rows = any(measures[n].agg == "count" and measures[n].filter is None and not measures[n].expr
                          for n in r.measures if n in measures)
        if not counts_rows:
            yield r.loc.at("measures").issue(
                f"rollup '{r.name}' has no plain row count (a count measure without filter); every "
                "protected query counts its cells' rows, so this rollup can serve none", WARNING)


RULES = (check_rollup_names, check_rollup_references, check_rollup_derivable, check_rollup_usefulness)
