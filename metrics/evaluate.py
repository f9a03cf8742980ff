"""Metric values from measure values, computed in Python after the privacy layer.

The compiler selects measures; the privacy layer may perturb or suppress them; these
functions then compute every metric from what is left, so a ratio or share is always built
from protected counts.

>>> from cid_graph.settings import Settings
>>> from metrics.catalog import Catalog
>>> from metrics.model import load_model
>>> catalog = Catalog(load_model(Settings.load(env={}, dotenv=None).model_dir))
>>> sorted(measures_for(catalog, ["tickets_per_buyer", "buyers_share"]))
['buyers', 'tickets']
>>> evaluate(catalog, "tickets_per_buyer", {"tickets": 30, "buyers": 20}, None)
1.5
>>> evaluate(catalog, "buyers_share", {"buyers": 25}, {"buyers": 100})
0.25
>>> evaluate(catalog, "tickets_per_buyer", {"tickets": 30, "buyers": 0}, None) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from metrics.catalog import Catalog
from metrics.definitions import Metric

Values = Mapping[str, float | int | None]


def measures_for(catalog: Catalog, metric_names: Iterable[str]) -> set[str]:
    """The measures needed to compute ``metric_names``.

    Raises:
        QueryError: for an unknown metric.
    """
    return {m for name in metric_names for m in catalog.metric(name).measures}


def evaluate(catalog: Catalog, metric: str | Metric, measure_values: Values,
             totals: Values | None) -> float | None:
    """Compute one metric of one cell.

    Args:
        catalog: The catalog.
        metric: A metric name or :class:`~metrics.definitions.Metric`.
        measure_values: The cell's measure values (``None`` = suppressed or missing).
        totals: Measure values of the whole query population (needed by shares).

    Returns:
        The value, or ``None`` when an input is missing or a denominator is 0.
    """
    m = catalog.metric(metric) if isinstance(metric, str) else metric
    if m.uses_population:  # needs the population: resolvers/privacy/population.py, after protection
        return None
    if m.type == "ratio":
        return _divide(measure_values.get(m.numerator or ""), measure_values.get(m.denominator or ""))
    value = measure_values.get(m.measure or "")
    if m.type == "share":
        return _divide(value, None if totals is None else totals.get(m.measure or ""))
    return None if value is None else float(value)


def _divide(num: float | int | None, den: float | int | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return float(num) / float(den)
