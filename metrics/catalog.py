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
from datetime import date
from typing import Any

from cid_graph.errors import QueryError
from metrics.definitions import (
    FALLBACK_LANGUAGE,
    LANGUAGES,
    Bucket,
    Dimension,
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
