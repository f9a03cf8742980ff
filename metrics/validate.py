"""Validation rules of the semantic model, one rule per function.

Each rule takes the parsed model and the warehouse columns and yields every
:class:`~metrics.issues.ModelIssue` it finds; :func:`validate` runs all of :data:`RULES`, so
one run reports every problem at once (dbt-semantic-interfaces style).

>>> from metrics.definitions import Measure, SemanticModel
>>> model = SemanticModel(measures=(Measure("tickets", "sum", expr="tikets"),))
>>> [i.message for i in check_columns(model, {"buyers": {"tickets": "INTEGER"}})]
["measure 'tickets': unknown column 'tikets' in table 'buyers' (did you mean 'tickets'?)"]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from metrics.definitions import (
    AGGREGATIONS,
    DATE_PARTS,
    DIMENSION_TYPES,
    FORMATS,
    GRANULARITIES,
    LANGUAGES,
    MEASURE_FILTER_OPS,
    METRIC_TYPES,
    UNITS,
    Bucket,
    SemanticModel,
)
from metrics.issues import Loc, ModelIssue
from metrics.validate_rollups import RULES as ROLLUP_RULES

Tables = dict[str, dict[str, str]]
Rule = Callable[[SemanticModel, Tables], Iterable[ModelIssue]]

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
NUMERIC_TYPES = ("INT", "SMALLINT", "BIGINT", "HUGEINT", "DOUBLE", "FLOAT", "DECIMAL", "REAL")
TIME_TYPES = ("TIMESTAMP", "DATE")


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_single_fact(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """At least one fact; each fact has its own table and name; a fact's ``columns`` map the
    first fact's columns onto its own."""
    if not model.facts:
        yield Loc(model.files[0] if model.files else "", 0).issue("expected at least one semantic model, found 0")
        return
    seen: set[str] = set()
    for fact in model.facts:
        if fact.table in seen or fact.name in seen:
            yield fact.loc.issue(f"semantic model '{fact.name}': each semantic model needs its own name and table")
        seen |= {fact.table, fact.name}
        if fact is model.fact and fact.columns:
            yield fact.loc.at("columns").issue(
                f"semantic model '{fact.name}': the first semantic model takes no 'columns' (dimensions are written against it)")
        for source, target in fact.columns:
            if source not in tables.get(model.fact.table, {}):
                yield fact.loc.at("columns").issue(
                    f"semantic model '{fact.name}': '{source}' is not a column of '{model.fact.table}'")
            if fact.table in tables and target not in tables[fact.table]:
                yield fact.loc.at("columns").issue(
                    f"semantic model '{fact.name}': unknown column '{target}' in table '{fact.table}'"
                    f"{_suggest(target, tables[fact.table])}")


def check_names(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Names are lowercase snake_case and unique in their kind; metrics and dimensions share
    one namespace (an ``order_by`` key may be either)."""
    groups: dict[str, Sequence[Any]] = {
        "measure": model.measures, "granularity": model.granularities,
        "date part": model.date_parts,
        "metric or dimension": (*model.metrics, *model.dimensions),
    }
    for kind, objects in groups.items():
        seen: dict[str, Loc] = {}
        for obj in objects:
            if obj.name and not NAME_RE.match(obj.name):
                yield obj.loc.at("name").issue(f"{kind} name '{obj.name}' must be lowercase snake_case")
            if obj.name in seen:
                first = seen[obj.name]
                yield obj.loc.at("name").issue(
                    f"duplicate {kind} name '{obj.name}' (first defined at {first.file}:{first.line})")
            else:
                seen[obj.name] = obj.loc


def _reachable(model: SemanticModel) -> set[str]:
    return {t for fact in model.facts for t in (fact.table, *(j.table for j in fact.joins))}


def check_tables(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Every table named exists in the warehouse DDL and is the fact or one of its joins."""
    for fact in model.facts:
        for what, table, loc in ((f"semantic model '{fact.name}'", fact.table, fact.loc.at("table")),
                                 *((f"a join of '{fact.name}'", j.table, j.loc.at("table")) for j in fact.joins)):
            if table and table not in tables:
                yield loc.issue(f"{what}: unknown table '{table}'{_suggest(table, tables)}")
    reachable = _reachable(model)
    named = [(f"dimension '{d.name}'", d.table, d.loc.at("table")) for d in model.dimensions]
    named += [(f"measure '{m.name}'", m.table, m.loc.at("table")) for m in model.measures]
    for what, table, loc in named:
        if not table:
            continue
        if table not in tables:
            yield loc.issue(f"{what}: unknown table '{table}'{_suggest(table, tables)}")
        elif model.facts and table not in reachable:
            yield loc.issue(f"{what}: table '{table}' is neither the fact nor joined to it "
                            f"(joinable: {', '.join(sorted(reachable))})")
    facts = {f.table for f in model.facts}
    for m in model.measures:
        if m.table in tables and facts and m.table not in facts:
            yield m.loc.at("table").issue(f"measure '{m.name}': table '{m.table}' is not a semantic model's "
                                          f"table (one of: {', '.join(sorted(facts))})")
    by_name = {m.name: m.table for m in model.measures}
    for metric in model.metrics:
        used = sorted({by_name[n] for n in metric.measures if n in by_name})
        if len(used) > 1:
            yield metric.loc.issue(f"metric '{metric.name}' mixes measures of {' and '.join(used)}: "
                                   "a metric's measures must come from one semantic model")
    for d in model.dimensions:
        vf = d.values_from
        if vf and vf.table and vf.table not in tables:
            yield vf.loc.at("table").issue(
                f"values_from of dimension '{d.name}': unknown table '{vf.table}'{_suggest(vf.table, tables)}")


def check_columns(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Every column named exists in its table (tables themselves: see :func:`check_tables`)."""
    refs: list[tuple[str, str, str | None, Loc]] = []
    for fact in model.facts:
        for j in fact.joins:
            refs.append((f"join to '{j.table}'", fact.table, j.left, j.loc.at("left")))
            refs.append((f"join to '{j.table}'", j.table, j.right, j.loc.at("right")))
    for d in model.dimensions:
        refs.append((f"dimension '{d.name}'", d.table, d.column, d.loc.at("column")))
        if d.values_from:
            vf = d.values_from
            refs.append((f"values_from of dimension '{d.name}'", vf.table, vf.key, vf.loc.at("key")))
            label_loc = vf.loc.at("label")
            for col in vf.label.values():
                refs.append((f"values_from of dimension '{d.name}'", vf.table, col, label_loc))
    for m in model.measures:
        refs.append((f"measure '{m.name}'", m.table, m.expr, m.loc.at("expr")))
    for what, table, column, loc in refs:
        if column and table in tables and column not in tables[table]:
            yield loc.issue(f"{what}: unknown column '{column}' in table '{table}'"
                            f"{_suggest(column, tables[table])}")


def check_aggregations(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """``agg`` is known; all but ``count`` need an ``expr``; sums and maxima are numeric."""
    for m in model.measures:
        if m.agg and m.agg not in AGGREGATIONS:
            yield m.loc.at("agg").issue(f"measure '{m.name}': unknown agg '{m.agg}' "
                                        f"(one of {', '.join(AGGREGATIONS)})")
        if m.agg in ("count_distinct", "sum", "max") and not m.expr:
            yield m.loc.issue(f"measure '{m.name}': agg {m.agg} needs an 'expr' column")
        col_type = tables.get(m.table, {}).get(m.expr or "", "")
        if m.agg in ("sum", "max") and col_type and not col_type.startswith(NUMERIC_TYPES):
            yield m.loc.at("expr").issue(f"measure '{m.name}': cannot {m.agg} column '{m.expr}' "
                                         f"of type {col_type}")


def check_measure_filters(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """A measure's filter names a categorical dimension and only its valid values."""
    dims = {d.name: d for d in model.dimensions}
    for m in model.measures:
        f = m.filter
        if f is None:
            continue
        if f.op not in MEASURE_FILTER_OPS:
            yield f.loc.issue(f"measure '{m.name}': unknown filter op '{f.op}'")
        dim = dims.get(f.dimension)
        if dim is None:
            yield f.loc.at("dimension").issue(f"measure '{m.name}': filter on unknown dimension "
                                              f"'{f.dimension}'{_suggest(f.dimension, dims)}")
            continue
        if dim.is_time:
            yield f.loc.at("dimension").issue(f"measure '{m.name}': filter on time dimension "
                                              f"'{f.dimension}' is not supported")
            continue
        if not f.values:
            yield f.loc.at(f.op).issue(f"measure '{m.name}': filter lists no values")
        valid = set(dim.codes) | {b.code for b in dim.special_values}
        for value in f.values:
            if dim.is_enumerated and value not in valid:
                yield f.loc.at(f.op).issue(f"measure '{m.name}': '{value}' is not a value of "
                                           f"dimension '{dim.name}' (one of {', '.join(dim.codes)})")


def check_metric_references(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """A metric's type is known and it names existing measures in the right fields."""
    measures = {m.name for m in model.measures}
    for m in model.metrics:
        if m.type not in METRIC_TYPES:
            yield m.loc.at("type").issue(f"metric '{m.name}': unknown type '{m.type}' "
                                         f"(one of {', '.join(METRIC_TYPES)})")
            continue
        needed = ("numerator", "denominator") if m.type == "ratio" else ("measure",)
        for key in ("measure", "numerator", "denominator"):
            value = getattr(m, key)
            if key in needed and not value:
                yield m.loc.issue(f"metric '{m.name}' of type {m.type} needs '{key}'")
            elif key not in needed and value:
                yield m.loc.at(key).issue(f"metric '{m.name}' of type {m.type} takes no '{key}'")
            elif value and value not in measures:
                yield m.loc.at(key).issue(f"metric '{m.name}' references missing measure "
                                          f"'{value}'{_suggest(value, measures)}")
        if m.type == "per_capita" and not (m.per and m.per > 0):
            yield m.loc.issue(f"metric '{m.name}' of type per_capita needs 'per' (inhabitants, e.g. 1000)")
        elif m.type != "per_capita" and m.per is not None:
            yield m.loc.at("per").issue(f"metric '{m.name}' of type {m.type} takes no 'per'")


def check_units_formats(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Units and formats come from the known lists (the dashboard formats by them)."""
    for m in model.metrics:
        if m.unit and m.unit not in UNITS:
            yield m.loc.at("unit").issue(f"metric '{m.name}': unknown unit '{m.unit}' "
                                         f"(one of {', '.join(UNITS)})")
        if m.format and m.format not in FORMATS:
            yield m.loc.at("format").issue(f"metric '{m.name}': unknown format '{m.format}' "
                                           f"(one of {', '.join(FORMATS)})")
        if not 0 <= m.decimals <= 6:
            yield m.loc.at("decimals").issue(f"metric '{m.name}': decimals must be 0-6")


def check_dimension_types(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Categorical dimensions are enumerated (buckets) or dynamic (values_from + pattern);
    time dimensions sit on a TIMESTAMP/DATE column and offer granularities or date parts."""
    for d in model.dimensions:
        what = f"dimension '{d.name}'"
        if d.type not in DIMENSION_TYPES:
            yield d.loc.at("type").issue(f"{what}: unknown type '{d.type}' "
                                         f"(one of {', '.join(DIMENSION_TYPES)})")
            continue
        if d.is_time:
            col_type = tables.get(d.table, {}).get(d.column, "")
            if col_type and not col_type.startswith(TIME_TYPES):
                yield d.loc.at("column").issue(f"{what}: time column '{d.column}' has type {col_type}")
            if not (d.granularities or d.date_parts):
                yield d.loc.issue(f"{what}: a time dimension needs granularities or date_parts")
            if d.buckets or d.values_from:
                yield d.loc.issue(f"{what}: a time dimension has no buckets or values_from")
            continue
        if d.granularities or d.date_parts:
            yield d.loc.at("granularities" if d.granularities else "date_parts").issue(
                f"{what}: only time dimensions have granularities or date_parts")
        if d.buckets and (d.values_from or d.pattern):
            yield d.loc.at("buckets").issue(f"{what}: give buckets or values_from/pattern, not both")
        if not d.buckets and not d.pattern:
            yield d.loc.issue(f"{what}: a categorical dimension needs buckets or a pattern")


def _bucket_issues(owner: str, buckets: tuple[Bucket, ...]) -> Iterator[ModelIssue]:
    seen: set[str] = set()
    for b in buckets:
        if b.code in seen:
            yield b.loc.at("code").issue(f"{owner}: duplicate bucket '{b.code}'")
        seen.add(b.code)
    ranged = [b for b in buckets if b.low is not None or b.high is not None]
    for prev, cur in zip(ranged, ranged[1:], strict=False):
        if prev.high is None or cur.low is None:
            yield cur.loc.issue(f"{owner}: only the last ranged bucket may be open-ended")
        elif cur.low > prev.high + 1:
            yield cur.loc.at("low").issue(f"{owner}: gap between bucket '{prev.code}' (to {prev.high})"
                                          f" and '{cur.code}' (from {cur.low})")
        elif cur.low <= prev.high:
            yield cur.loc.at("low").issue(f"{owner}: bucket '{cur.code}' overlaps '{prev.code}'")
    for b in ranged:
        if b.low is not None and b.high is not None and b.low > b.high:
            yield b.loc.issue(f"{owner}: bucket '{b.code}' has low > high")


def check_buckets(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Bucket codes are unique (special values included); ranged buckets leave no gaps and
    do not overlap."""
    for d in model.dimensions:
        yield from _bucket_issues(f"dimension '{d.name}'", d.buckets + d.special_values)
    for p in model.date_parts:
        yield from _bucket_issues(f"date part '{p.name}'", p.buckets)


def _label_issues(what: str, labels: dict[str, str], loc: Loc, key: str = "label") -> Iterator[ModelIssue]:
    if not labels:
        yield loc.issue(f"{what} has no {key}")
        return
    missing = [lang for lang in LANGUAGES if not labels.get(lang, "").strip()]
    if missing:
        yield loc.at(key).issue(f"{what}: {key} missing in {', '.join(missing)}")
    extra = [lang for lang in labels if lang not in LANGUAGES]
    if extra:
        yield loc.at(key).issue(f"{what}: {key} in unknown language {', '.join(extra)} "
                                f"(languages: {', '.join(LANGUAGES)})")


def check_labels(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Every label (and metric description) is given in all five languages."""
    for d in model.dimensions:
        yield from _label_issues(f"dimension '{d.name}'", d.label, d.loc)
        for b in (*d.buckets, *d.special_values):
            yield from _label_issues(f"bucket '{b.code}' of dimension '{d.name}'", b.label, b.loc)
        if d.values_from:
            yield from _label_issues(f"values_from of dimension '{d.name}'", d.values_from.label,
                                     d.values_from.loc)
    for m in model.metrics:
        yield from _label_issues(f"metric '{m.name}'", m.label, m.loc)
        yield from _label_issues(f"metric '{m.name}'", m.description, m.loc, "description")
    for kind, units in (("granularity", model.granularities), ("date part", model.date_parts)):
        for u in units:
            yield from _label_issues(f"{kind} '{u.name}'", u.label, u.loc)
            for b in u.buckets:
                yield from _label_issues(f"bucket '{b.code}' of {kind} '{u.name}'", b.label, b.loc)


def check_granularities(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Granularities and date parts are ones the compiler knows, and time dimensions only
    use defined ones."""
    for kind, units, known in (("granularity", model.granularities, GRANULARITIES),
                               ("date part", model.date_parts, DATE_PARTS)):
        for u in units:
            if u.name not in known:
                yield u.loc.at("name").issue(f"unknown {kind} '{u.name}'{_suggest(u.name, known)} "
                                             f"(supported: {', '.join(known)})")
    grains = {g.name for g in model.granularities}
    parts = {p.name for p in model.date_parts}
    for d in model.dimensions:
        for g in d.granularities:
            if g not in grains:
                yield d.loc.at("granularities").issue(
                    f"dimension '{d.name}': unknown granularity '{g}'{_suggest(g, grains)}")
        for p in d.date_parts:
            if p not in parts:
                yield d.loc.at("date_parts").issue(
                    f"dimension '{d.name}': unknown date part '{p}'{_suggest(p, parts)}")


def check_patterns(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Value patterns are valid regular expressions."""
    for d in model.dimensions:
        if d.pattern is None:
            continue
        try:
            re.compile(d.pattern)
        except re.error as err:
            yield d.loc.at("pattern").issue(f"dimension '{d.name}': invalid pattern: {err}")


def check_noise_slots(model: SemanticModel, tables: Tables) -> Iterator[ModelIssue]:
    """Every measure pooled over organizations has its own noise slot (P5).

    Two measures sharing a slot would share each organization's noise factor, so their ratio
    (tickets per buyer, say) would cancel it for an organization isolated by a difference.
    """
    from warehouse.ddl import NOISE_SLOTS

    used: dict[int, str] = {}
    for m in model.measures:
        if not m.pooled_with_noise:
            if m.noise_slot is not None:
                yield m.loc.at("noise_slot").issue(f"measure '{m.name}': agg {m.agg} is not pooled with "
                                                   "noise, so it takes no noise_slot")
            continue
        if m.noise_slot is None:
            free = [s for s in range(NOISE_SLOTS) if s not in used and s not in
                    {x.noise_slot for x in model.measures}]
            yield m.loc.issue(f"measure '{m.name}' has no noise_slot: every {m.agg} measure pooled over "
                              f"organizations needs its own (free: {free[0] if free else 'none'})")
            continue
        if not 0 <= m.noise_slot < NOISE_SLOTS:
            yield m.loc.at("noise_slot").issue(f"measure '{m.name}': noise_slot must be between 0 and "
                                               f"{NOISE_SLOTS - 1}, got {m.noise_slot}")
        elif m.noise_slot in used:
            yield m.loc.at("noise_slot").issue(f"measure '{m.name}': noise_slot {m.noise_slot} is already "
                                               f"used by '{used[m.noise_slot]}'; each measure needs its own")
        else:
            used[m.noise_slot] = m.name


#: Every rule, run in this order.
RULES: tuple[Rule, ...] = (
    check_single_fact, check_names, check_tables, check_columns, check_aggregations,
    check_measure_filters, check_metric_references, check_units_formats, check_dimension_types,
    check_buckets, check_labels, check_granularities, check_patterns, check_noise_slots, *ROLLUP_RULES,
)


def validate(model: SemanticModel, tables: Tables) -> list[ModelIssue]:
    """Run every rule and return all issues, sorted by file and line."""
    issues = [issue for rule in RULES for issue in rule(model, tables)]
    return sorted(issues, key=lambda i: (i.file, i.line))
