"""Turn located YAML values into the dataclasses of :mod:`metrics.definitions`.

Parsing checks shape only (known keys, required keys, value types) and records every
problem as a :class:`~metrics.issues.ModelIssue`; meaning (columns, references, labels)
is checked afterwards by the rules in :mod:`metrics.validate`.

>>> from metrics.yaml_nodes import load_located
>>> doc, _ = load_located("measures:\\n  - name: buyers\\n    agg: count\\n", "m.yaml")
>>> parts, issues = parse_document(doc, "m.yaml")
>>> parts["measures"][0].agg, issues
('count', [])
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from metrics.definitions import (
    Bucket,
    Dimension,
    Fact,
    Join,
    Measure,
    MeasureFilter,
    Metric,
    Rollup,
    TimeUnit,
    ValuesFrom,
)
from metrics.issues import Loc, ModelIssue
from metrics.yaml_nodes import LDict, LList

SECTIONS = ("semantic_models", "measures", "dimensions", "metrics", "granularities", "date_parts", "rollups")


class _Reader:
    """Reads typed fields of one mapping, recording issues instead of raising."""

    def __init__(self, node: LDict, what: str, issues: list[ModelIssue], allowed: tuple[str, ...]):
        self.node, self.what, self.issues, self.loc = node, what, issues, node.loc
        for key in node:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                tip = f" (did you mean '{close[0]}'?)" if close else ""
                self._issue(key, f"unknown key '{key}' in {what}{tip}")

    def _issue(self, key: str, message: str) -> None:
        self.issues.append(self.loc.at(key).issue(message))

    def text(self, key: str, required: bool = False, default: str | None = None) -> Any:
        value = self.node.get(key)
        if value is None:
            if required:
                self._issue(key, f"{self.what} has no '{key}'")
            return default
        if not isinstance(value, str):
            self._issue(key, f"'{key}' of {self.what} must be a string, got {value!r}"
                        + (" (quote it)" if isinstance(value, bool | int | float) else ""))
            return default
        return value

    def flag(self, key: str) -> bool:
        value = self.node.get(key, False)
        if not isinstance(value, bool):
            self._issue(key, f"'{key}' of {self.what} must be true or false")
            return False
        return value

    def integer(self, key: str) -> int | None:
        value = self.node.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            self._issue(key, f"'{key}' of {self.what} must be an integer")
            return None
        return value

    def labels(self, key: str) -> dict[str, str]:
        value = self.node.get(key)
        if value is None:
            return {}
        if not isinstance(value, LDict):
            self._issue(key, f"'{key}' of {self.what} must map languages to text")
            return {}
        out = {}
        for lang, text in value.items():
            if isinstance(text, str):
                out[lang] = text
            else:
                self.issues.append(value.loc.at(lang).issue(
                    f"'{key}' of {self.what} in '{lang}' must be text"))
        return out

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.node.get(key)
        if value is None:
            return ()
        if not isinstance(value, LList) or not all(isinstance(v, str) for v in value):
            self._issue(key, f"'{key}' of {self.what} must be a list of strings (quote codes "
                        "such as NO, which YAML reads as false)")
            return ()
        return tuple(value)

    def mapping(self, key: str) -> LDict | None:
        value = self.node.get(key)
        if value is not None and not isinstance(value, LDict):
            self._issue(key, f"'{key}' of {self.what} must be a mapping")
            return None
        return value

    def items(self, key: str) -> list[LDict]:
        value = self.node.get(key)
        if value is None:
            return []
        if not isinstance(value, LList):
            self._issue(key, f"'{key}' of {self.what} must be a list")
            return []
        out = []
        for item in value:
            if isinstance(item, LDict):
                out.append(item)
            else:
                self.issues.append(value.loc.issue(f"an item of '{key}' in {self.what} is not a mapping"))
        return out


def _bucket(node: LDict, owner: str, issues: list[ModelIssue]) -> Bucket:
    r = _Reader(node, f"a bucket of {owner}", issues, ("code", "label", "low", "high"))
    return Bucket(r.text("code", required=True, default=""), r.labels("label"), r.integer("low"),
                  r.integer("high"), node.loc)


def parse_fact(node: LDict, issues: list[ModelIssue]) -> Fact:
    """Parse one entry of ``semantic_models``."""
    r = _Reader(node, "a semantic model", issues, ("name", "table", "description", "joins", "columns"))
    name = r.text("name", required=True, default="")
    joins = []
    for j in r.items("joins"):
        jr = _Reader(j, f"a join of semantic model '{name}'", issues, ("table", "left", "right"))
        joins.append(Join(jr.text("table", True, ""), jr.text("left", True, ""),
                          jr.text("right", True, ""), j.loc))
    columns: dict[str, str] = {}
    mapping = r.mapping("columns")
    for key, value in (mapping or {}).items():
        if isinstance(value, str):
            columns[str(key)] = value
        else:
            issues.append(node.loc.at("columns").issue(
                f"'columns' of semantic model '{name}': '{key}' must map to a column name"))
    return Fact(name, r.text("table", True, ""), tuple(joins), r.text("description", default=""),
                node.loc, tuple(columns.items()))


def parse_measure(node: LDict, issues: list[ModelIssue]) -> Measure:
    """Parse one entry of ``measures``."""
    r = _Reader(node, "a measure", issues, ("name", "agg", "expr", "table", "filter", "description", "noise_slot"))
    name = r.text("name", required=True, default="")
    what = f"measure '{name}'"
    r.what = what
    flt = None
    fnode = r.mapping("filter")
    if fnode is not None:
        fr = _Reader(fnode, f"the filter of {what}", issues, ("dimension", "in", "not_in"))
        ops = [op for op in ("in", "not_in") if op in fnode]
        if len(ops) != 1:
            issues.append(fnode.loc.issue(f"the filter of {what} needs exactly one of 'in', 'not_in'"))
        else:
            flt = MeasureFilter(fr.text("dimension", True, ""), ops[0], fr.strings(ops[0]), fnode.loc)
    return Measure(name, r.text("agg", True, ""), r.text("expr"), r.text("table", default="buyers"),
                   flt, r.text("description", default=""), node.loc, r.integer("noise_slot"))


def parse_dimension(node: LDict, issues: list[ModelIssue]) -> Dimension:
    """Parse one entry of ``dimensions``."""
    allowed = ("name", "type", "table", "column", "label", "description", "enriched", "sensitive",
               "buckets", "values_from", "pattern", "special_values", "granularities",
               "date_parts")
    r = _Reader(node, "a dimension", issues, allowed)
    name = r.text("name", required=True, default="")
    r.what = what = f"dimension '{name}'"
    values_from = None
    vnode = r.mapping("values_from")
    if vnode is not None:
        vr = _Reader(vnode, f"values_from of {what}", issues, ("table", "key", "label"))
        values_from = ValuesFrom(vr.text("table", True, ""), vr.text("key", True, ""),
                                 vr.labels("label"), vnode.loc)
    return Dimension(
        name=name, type=r.text("type", True, ""), table=r.text("table", True, ""),
        column=r.text("column", True, ""), label=r.labels("label"),
        description=r.labels("description"), enriched=r.flag("enriched"),
        sensitive=r.flag("sensitive"),
        buckets=tuple(_bucket(b, what, issues) for b in r.items("buckets")),
        values_from=values_from, pattern=r.text("pattern"),
        special_values=tuple(_bucket(b, what, issues) for b in r.items("special_values")),
        granularities=r.strings("granularities"), date_parts=r.strings("date_parts"),
        loc=node.loc,
    )


def parse_metric(node: LDict, issues: list[ModelIssue]) -> Metric:
    """Parse one entry of ``metrics``."""
    allowed = ("name", "type", "measure", "numerator", "denominator", "label", "description",
               "unit", "format", "decimals", "per")
    r = _Reader(node, "a metric", issues, allowed)
    name = r.text("name", required=True, default="")
    r.what = f"metric '{name}'"
    return Metric(
        name=name, type=r.text("type", True, ""), measure=r.text("measure"),
        numerator=r.text("numerator"), denominator=r.text("denominator"),
        label=r.labels("label"), description=r.labels("description"),
        unit=r.text("unit", True, ""), format=r.text("format", True, ""),
        decimals=r.integer("decimals") or 0, per=r.integer("per"), loc=node.loc,
    )


def parse_time_unit(node: LDict, issues: list[ModelIssue], kind: str) -> TimeUnit:
    """Parse one entry of ``granularities`` or ``date_parts``."""
    r = _Reader(node, f"a {kind}", issues, ("name", "label", "low", "high", "buckets"))
    name = r.text("name", required=True, default="")
    what = f"{kind} '{name}'"
    return TimeUnit(name, r.labels("label"), r.integer("low"), r.integer("high"),
                    tuple(_bucket(b, what, issues) for b in r.items("buckets")), node.loc)


def parse_rollup(node: LDict, issues: list[ModelIssue]) -> Rollup:
    """Parse one entry of ``rollups`` (Cube's ``pre_aggregations`` keys, snake_case)."""
    allowed = ("name", "description", "measures", "dimensions", "time_dimension", "granularity", "date_parts")
    r = _Reader(node, "a rollup", issues, allowed)
    name = r.text("name", required=True, default="")
    r.what = f"rollup '{name}'"
    return Rollup(
        name=name, measures=r.strings("measures"), dimensions=r.strings("dimensions"),
        time_dimension=r.text("time_dimension"), granularity=r.text("granularity"),
        date_parts=r.strings("date_parts"), description=r.text("description", default=""),
        loc=node.loc,
    )


_PARSERS: dict[str, Callable[[LDict, list[ModelIssue]], Any]] = {
    "semantic_models": parse_fact,
    "measures": parse_measure,
    "dimensions": parse_dimension,
    "metrics": parse_metric,
    "granularities": lambda n, i: parse_time_unit(n, i, "granularity"),
    "date_parts": lambda n, i: parse_time_unit(n, i, "date part"),
    "rollups": parse_rollup,
}


def parse_document(doc: Any, file: str) -> tuple[dict[str, list[Any]], list[ModelIssue]]:
    """Parse one YAML file's top-level sections.

    Args:
        doc: The located value of the file (see :func:`metrics.yaml_nodes.load_located`).
        file: The file name, for issues about the document as a whole.

    Returns:
        The parsed objects per section and the shape issues found.
    """
    issues: list[ModelIssue] = []
    parts: dict[str, list[Any]] = {s: [] for s in SECTIONS}
    if doc is None:
        return parts, issues
    if not isinstance(doc, LDict):
        return parts, [Loc(file, 1).issue(f"a model file must be a mapping of {', '.join(SECTIONS)}")]
    reader = _Reader(doc, "a model file", issues, SECTIONS)
    for section in SECTIONS:
        parts[section] = [_PARSERS[section](item, issues) for item in reader.items(section)]
    return parts, issues
