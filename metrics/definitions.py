"""The semantic model as frozen dataclasses: what the YAML in ``metrics/model/`` means.

Vocabulary of dbt's semantic layer and Cube: one fact (``semantic_models``) with its joins,
``measures`` (aggregations of fact columns), ``dimensions`` (categorical or time) and
``metrics`` (simple, ratio or share of measures). Every object keeps its :class:`Loc`, so
validation reports ``file:line``.

>>> Metric("tickets_per_buyer", "ratio", numerator="tickets", denominator="buyers").measures
('tickets', 'buyers')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from metrics.issues import Loc

#: Languages every label must be given in; ``en`` is the fallback.
LANGUAGES: tuple[str, ...] = ("nb", "en", "sv", "da", "fi")
FALLBACK_LANGUAGE = "en"
#: Time granularities the compiler can truncate to (bucket start, as a DATE).
GRANULARITIES: tuple[str, ...] = ("day", "week", "month", "quarter", "year")
#: Date parts the compiler can extract (integers).
DATE_PARTS: tuple[str, ...] = ("year", "quarter", "month", "weekday", "hour")
AGGREGATIONS: tuple[str, ...] = ("count", "count_distinct", "sum", "max")
METRIC_TYPES: tuple[str, ...] = ("simple", "ratio", "share", "per_capita", "population_index")
#: Metric types computed from a published measure and the official population of the cell's
#: buyer regions, age groups and genders (resolvers/privacy/population.py), never from raw rows.
POPULATION_METRIC_TYPES: tuple[str, ...] = ("per_capita", "population_index")
DIMENSION_TYPES: tuple[str, ...] = ("categorical", "time")
UNITS: tuple[str, ...] = (
    "buyers", "events", "organizations", "tickets", "eur", "tickets_per_buyer",
    "eur_per_buyer", "eur_per_ticket", "share", "customers", "days", "per_1000_inhabitants", "index",
    "respondents", "answers", "nps", "rating", "score",
)
FORMATS: tuple[str, ...] = ("integer", "decimal", "currency", "percent")
#: Operators a measure's structured filter may use.
MEASURE_FILTER_OPS: tuple[str, ...] = ("in", "not_in")

Labels = dict[str, str]


@dataclass(frozen=True)
class Bucket:
    """One enumerated value of a dimension (or of a date part), in display order.

    ``low``/``high`` give the numeric range a bucket covers (age groups), so gaps and
    overlaps between buckets can be checked.
    """

    code: str
    label: Labels = field(default_factory=dict)
    low: int | None = None
    high: int | None = None
    loc: Loc = field(default=Loc(), compare=False)


@dataclass(frozen=True)
class ValuesFrom:
    """Where the values and labels of a dynamic dimension live (e.g. the ``regions`` table).

    ``label`` maps a language to the column holding the label in that language.
    """

    table: str
    key: str
    label: dict[str, str] = field(default_factory=dict)
    loc: Loc = field(default=Loc(), compare=False)


@dataclass(frozen=True)
class Dimension:
    """A way to break figures down or filter them.

    Enumerated dimensions have ``buckets`` (ordered codes); dynamic ones have ``values_from``
    and a ``pattern`` that filter values must match, plus optional ``special_values`` (such as
    ``unknown``). Time dimensions list their ``granularities`` and ``date_parts``.
    ``enriched`` and ``sensitive`` are read by the privacy layer.
    """

    name: str
    type: str
    table: str
    column: str
    label: Labels = field(default_factory=dict)
    description: Labels = field(default_factory=dict)
    enriched: bool = False
    sensitive: bool = False
    buckets: tuple[Bucket, ...] = ()
    values_from: ValuesFrom | None = None
    pattern: str | None = None
    special_values: tuple[Bucket, ...] = ()
    granularities: tuple[str, ...] = ()
    date_parts: tuple[str, ...] = ()
    loc: Loc = field(default=Loc(), compare=False)

    @property
    def is_time(self) -> bool:
        return self.type == "time"

    @property
    def is_enumerated(self) -> bool:
        return bool(self.buckets)

    @property
    def codes(self) -> tuple[str, ...]:
        """Bucket codes in order (empty for dynamic dimensions)."""
        return tuple(b.code for b in self.buckets)


@dataclass(frozen=True)
class MeasureFilter:
    """A structured condition on a categorical dimension, e.g. ``gender in [female]``."""

    dimension: str
    op: str
    values: tuple[str, ...]
    loc: Loc = field(default=Loc(), compare=False)


@dataclass(frozen=True)
class Measure:
    """An aggregation of one fact column (or of rows, for ``count`` without ``expr``)."""

    name: str
    agg: str
    expr: str | None = None
    table: str = "buyers"
    filter: MeasureFilter | None = None
    description: str = ""
    loc: Loc = field(default=Loc(), compare=False)
    #: Which of an organization's independent noise factors pools this measure (P5); every
    #: measure summed over organizations has its own.
    noise_slot: int | None = None

    @property
    def pooled_with_noise(self) -> bool:
        """Whether a NETWORK cell scales each organization's contribution by its noise factor."""
        return self.agg in ("count", "sum") or (self.agg == "count_distinct" and self.expr == "event_sk")


@dataclass(frozen=True)
class Metric:
    """What users ask for: a measure (simple), a ratio of two measures, a measure's share of the
    whole query population (share), a measure per ``per`` inhabitants of the cell's population
    (per_capita), or a cell's share of the measure over its share of the population, × 100
    (population_index)."""

    name: str
    type: str
    measure: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    label: Labels = field(default_factory=dict)
    description: Labels = field(default_factory=dict)
    unit: str = ""
    format: str = "integer"
    decimals: int = 0
    per: int | None = None  # per_capita: per how many inhabitants
    loc: Loc = field(default=Loc(), compare=False)

    @property
    def uses_population(self) -> bool:
        return self.type in POPULATION_METRIC_TYPES

    @property
    def measures(self) -> tuple[str, ...]:
        """The measures this metric is computed from."""
        if self.type == "ratio":
            return tuple(m for m in (self.numerator, self.denominator) if m)
        return (self.measure,) if self.measure else ()


@dataclass(frozen=True)
class TimeUnit:
    """A granularity or a date part, with its label and (for date parts) value range."""

    name: str
    label: Labels = field(default_factory=dict)
    low: int | None = None
    high: int | None = None
    buckets: tuple[Bucket, ...] = ()
    loc: Loc = field(default=Loc(), compare=False)


@dataclass(frozen=True)
class Join:
    """A many-to-one join from the fact: ``fact.left = table.right``."""

    table: str
    left: str
    right: str
    loc: Loc = field(default=Loc(), compare=False)


@dataclass(frozen=True)
class Fact:
    """A semantic model in dbt's sense: the fact table and the tables it joins to.

    The first fact (``buyers``) is the one dimensions are written against; another fact
    (``survey_answers``) reads a dimension of the first fact's table from the column of the
    same name, or from the one ``columns`` maps it to (``first_purchased_at_local:
    answered_at_local``), and does without the dimensions it has no column for.
    """

    name: str
    table: str
    joins: tuple[Join, ...] = ()
    description: str = ""
    loc: Loc = field(default=Loc(), compare=False)
    columns: tuple[tuple[str, str], ...] = ()

    def reaches(self, table: str) -> bool:
        return table == self.table or any(j.table == table for j in self.joins)


@dataclass(frozen=True)
class Rollup:
    """A pre-aggregation of the fact (Cube's ``pre_aggregations``), built with every version.

    The rollup groups the fact by its ``dimensions`` (categorical), by ``time_dimension`` at
    ``granularity`` and by the listed ``date_parts`` of it, and stores every measure in
    additive form with the privacy columns the protection reads. A ``count_distinct`` measure
    is never summed: listing one keeps the counted column as a key of the rollup, so the
    distinct count is taken over the rollup's rows.
    """

    name: str
    measures: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()
    time_dimension: str | None = None
    granularity: str | None = None
    date_parts: tuple[str, ...] = ()
    description: str = ""
    loc: Loc = field(default=Loc(), compare=False)

    @property
    def table(self) -> str:
        """The warehouse table the rollup is built into."""
        return f"rollup_{self.name}"


@dataclass(frozen=True)
class SemanticModel:
    """The whole validated model."""

    facts: tuple[Fact, ...] = ()
    measures: tuple[Measure, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    metrics: tuple[Metric, ...] = ()
    granularities: tuple[TimeUnit, ...] = ()
    date_parts: tuple[TimeUnit, ...] = ()
    files: tuple[str, ...] = ()
    rollups: tuple[Rollup, ...] = ()

    @property
    def fact(self) -> Fact:
        """The fact the compiler queries: the first (see ``metrics.catalog.Catalog.for_fact``)."""
        return self.facts[0]
