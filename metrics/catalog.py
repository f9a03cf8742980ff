"""The catalog: what can be asked of the semantic model, with labels in five languages.

The GraphQL layer builds its enums and the ``catalog`` field from this; the compiler resolves
names and checks filter values through it.

>>> from cid_graph.settings import Settings
>>> from metrics.model import load_model
>>> catalog = Catalog(load_model(Settings.load(env={}, dotenv=None).model_dir))
>>> catalog.label(catalog.metric("buyers"), "sv"), catalog.label(catalog.metric("buyers"), "de")
('Köpare', 'Buyers')
>>> catalog.validate_value("gender", "female")
'female'
>>> catalog.validate_value("gender", "f")
Traceback (most recent call last):
...
cid_graph.errors.QueryError: unknown value 'f' for dimension gender
hint: one of male, female, unknown
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from cid_graph.errors import QueryError
from metrics.definitions import (
    FALLBACK_LANGUAGE,
    LANGUAGES,
    Bucket,
    Dimension,
    Fact,
    Measure,
    Metric,
    SemanticModel,
    TimeUnit,
)


class Catalog:
    """Read access to a validated :class:`~metrics.definitions.SemanticModel`.

    Args:
        model: The loaded model (see :func:`metrics.model.load_model`).
    """

    languages: tuple[str, ...] = LANGUAGES

    def __init__(self, model: SemanticModel) -> None:
        self.model = model
        self._metrics = {m.name: m for m in model.metrics}
        self._measures = {m.name: m for m in model.measures}
        self._dimensions = {d.name: d for d in model.dimensions}
        self._granularities = {g.name: g for g in model.granularities}
        self._date_parts = {p.name: p for p in model.date_parts}
        self._patterns = {d.name: re.compile(d.pattern) for d in model.dimensions if d.pattern}
        self._for_fact: dict[str, Catalog] = {}

    # Facts ---------------------------------------------------------------------------------
    @property
    def fact(self) -> Fact:
        """The fact this catalog's queries read (the first of a whole model)."""
        return self.model.fact

    @property
    def row_measure(self) -> str:
        """The measure (and metric) counting the fact's rows: buyer rows, or survey answers.
        The privacy rules count people with it (P3 thresholds, the guard's probes, cell keys)."""
        for m in self.model.measures:
            if m.table == self.fact.table and m.agg == "count" and not m.expr and m.filter is None:
                return m.name
        raise QueryError(f"the semantic model '{self.fact.name}' has no row count measure", code="INTERNAL",
                         hint="Add a measure with agg: count and no expr or filter; run `cid-graph check`.")

    def fact_of(self, metric: str) -> Fact:
        """The fact a metric's measures are read from."""
        tables = {self.measure(n).table for n in self.metric(metric).measures}
        return next((f for f in self.model.facts if f.table in tables), self.fact)

    def for_metrics(self, metrics: tuple[str, ...] | list[str]) -> Catalog:
        """The catalog of the one fact ``metrics`` are read from (see :meth:`for_fact`).

        Raises:
            QueryError: when the metrics come from different facts (buyers and survey answers).
        """
        facts = {self.fact_of(m).name: self.fact_of(m) for m in metrics}
        if len(facts) > 1:
            by_fact = {f: [m.upper() for m in metrics if self.fact_of(m).name == f] for f in facts}
            raise QueryError("these metrics come from different data: "
                             + "; ".join(f"{', '.join(ms)} from {f}" for f, ms in by_fact.items()),
                             hint="Ask for them in separate queries (in GraphQL, two insights fields with aliases).")
        return self.for_fact(next(iter(facts.values())).name if facts else self.fact.name)

    def for_fact(self, name: str) -> Catalog:
        """A catalog whose queries read the fact ``name``: its measures and metrics, and the
        dimensions it can reach (those of the first fact's table read from its own columns, see
        :class:`~metrics.definitions.Fact`). The first fact's catalog is the whole model without
        the other facts' measures, metrics and dimensions."""
        if name == self.fact.name and len(self.model.facts) == 1:
            return self
        cached = self._for_fact.get(name)
        if cached is None:
            cached = self._for_fact[name] = Catalog(_restrict(self.model, name))
        return cached

    # Listing -------------------------------------------------------------------------------
    def metrics(self) -> tuple[Metric, ...]:
        """Every metric, in model order."""
        return self.model.metrics

    def dimensions(self) -> tuple[Dimension, ...]:
        """Every dimension (categorical and time), in model order."""
        return self.model.dimensions

    def measures(self) -> tuple[Measure, ...]:
        """Every measure, in model order."""
        return self.model.measures

    # Lookup --------------------------------------------------------------------------------
    def metric(self, name: str) -> Metric:
        """The metric called ``name``; raises :class:`QueryError` listing valid names."""
        return _lookup(self._metrics, name, "metric")

    def dimension(self, name: str) -> Dimension:
        """The dimension called ``name``; raises :class:`QueryError` listing valid names."""
        return _lookup(self._dimensions, name, "dimension")

    def measure(self, name: str) -> Measure:
        """The measure called ``name``; raises :class:`QueryError` listing valid names."""
        return _lookup(self._measures, name, "measure")

    def has_metric(self, name: str) -> bool:
        return name in self._metrics

    def has_dimension(self, name: str) -> bool:
        return name in self._dimensions

    # Labels and presentation ---------------------------------------------------------------
    def label(self, obj: Metric | Dimension | Bucket | TimeUnit, locale: str) -> str:
        """The label of a metric, dimension, bucket, granularity or date part in ``locale``.

        Falls back to English, then to the object's name or code. ``locale`` may carry a
        region (``nb-NO``); ``no`` is read as ``nb``.
        """
        return _pick(obj.label, locale) or str(getattr(obj, "name", None) or getattr(obj, "code", ""))

    def description(self, obj: Metric | Dimension, locale: str) -> str:
        """The description in ``locale`` (English fallback; empty when none)."""
        return _pick(obj.description, locale)

    def buckets(self, dimension: str) -> tuple[Bucket, ...]:
        """The ordered buckets of an enumerated dimension, then its special values."""
        dim = self.dimension(dimension)
        return dim.buckets + dim.special_values

    def value_label(self, dimension: str, value: str, locale: str) -> str | None:
        """The label of a bucket or special value; ``None`` for dynamic values (look those up
        in ``values_from``, see :func:`metrics.compiler.compile_values`)."""
        for bucket in self.buckets(dimension):
            if bucket.code == value:
                return self.label(bucket, locale)
        return None

    def unit(self, metric: str) -> str:
        return self.metric(metric).unit

    def format(self, metric: str) -> tuple[str, int]:
        """``(format, decimals)`` of a metric, e.g. ``("percent", 1)``."""
        m = self.metric(metric)
        return m.format, m.decimals

    def granularities(self, dimension: str) -> tuple[TimeUnit, ...]:
        """The granularities a time dimension offers (empty for categorical ones)."""
        return tuple(self._granularities[g] for g in self.dimension(dimension).granularities)

    def date_parts(self, dimension: str) -> tuple[TimeUnit, ...]:
        """The date parts a time dimension offers (empty for categorical ones)."""
        return tuple(self._date_parts[p] for p in self.dimension(dimension).date_parts)

    def granularity(self, name: str) -> TimeUnit:
        return _lookup(self._granularities, name, "granularity")

    def date_part(self, name: str) -> TimeUnit:
        return _lookup(self._date_parts, name, "date part")

    # Values --------------------------------------------------------------------------------
    def validate_value(self, dimension: str, value: str) -> str:
        """Check one filter value and return it.

        Enumerated dimensions accept their bucket codes (and special values), dynamic ones a
        value matching their pattern (or a special value), time dimensions an ISO date.

        Raises:
            QueryError: ``unknown value X for dimension Y`` with a hint saying what is valid.
        """
        dim = self.dimension(dimension)
        if not isinstance(value, str):
            raise QueryError(f"value {value!r} for dimension {dim.name} is not text",
                             hint="Pass filter values as strings.")
        if dim.is_time:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise QueryError(f"unknown value '{value}' for dimension {dim.name}",
                                 hint="an ISO date such as 2025-03-30") from None
            if len(value) != 10:
                raise QueryError(f"unknown value '{value}' for dimension {dim.name}",
                                 hint="an ISO date such as 2025-03-30 (YYYY-MM-DD)")
            return value
        specials = [b.code for b in dim.special_values]
        if dim.is_enumerated:
            if value in dim.codes or value in specials:
                return value
            raise QueryError(f"unknown value '{value}' for dimension {dim.name}",
                             hint="one of " + ", ".join((*dim.codes, *specials)))
        pattern = self._patterns.get(dim.name)
        if value in specials or (pattern is not None and pattern.fullmatch(value)):
            return value
        example = " or ".join([f"a value matching {dim.pattern}", *specials])
        raise QueryError(f"unknown value '{value}' for dimension {dim.name}", hint=example)


def _restrict(model: SemanticModel, name: str) -> SemanticModel:
    from metrics.warehouse_schema import warehouse_columns

    first = model.fact
    fact = next((f for f in model.facts if f.name == name), None)
    if fact is None:
        raise QueryError(f"unknown semantic model '{name}'", code="INTERNAL",
                         hint="valid: " + ", ".join(f.name for f in model.facts))
    other_facts = {f.table for f in model.facts if f.table != fact.table}
    own_columns = warehouse_columns().get(fact.table, {})
    renamed = dict(fact.columns)
    dimensions = []
    for d in model.dimensions:
        if d.table == first.table and fact is not first:
            column = renamed.get(d.column, d.column)
            if column in own_columns:
                dimensions.append(replace(d, table=fact.table, column=column))
        elif d.table not in other_facts and fact.reaches(d.table):
            dimensions.append(d)
    measures = tuple(m for m in model.measures if m.table == fact.table)
    names = {m.name for m in measures}
    metrics = tuple(m for m in model.metrics if m.measures and set(m.measures) <= names)
    return replace(model, facts=(fact,), measures=measures, metrics=metrics, dimensions=tuple(dimensions),
                   rollups=model.rollups if fact is first else ())


def _lookup(table: dict[str, Any], name: str, kind: str) -> Any:
    try:
        return table[name]
    except (KeyError, TypeError):
        raise QueryError(f"unknown {kind} '{name}'",
                         hint=f"valid {kind}s: {', '.join(table)}") from None


def _pick(labels: dict[str, str], locale: str) -> str:
    lang = (locale or "").replace("_", "-").split("-")[0].lower()
    lang = "nb" if lang in ("no", "nn") else lang
    return labels.get(lang) or labels.get(FALLBACK_LANGUAGE) or ""
