"""Metrics over the official population: buyers per 1,000 inhabitants and the audience index.

They are computed here, after protection, from two things only: the **published** value of their
measure in each cell (already thresholded, perturbed and pooled like any other, P3–P5) and the
official population of the cell's buyer regions, age groups and genders (public reference data,
``warehouse/reference/population.csv``). So they reveal nothing the published counts do not.

- ``per_capita`` (``BUYERS_PER_1000_INHABITANTS``): the measure per ``per`` inhabitants. The
  population of a cell is that of its buyer region (or buyer country) when the query groups by
  one, else that of the regions its BUYER_REGION / BUYER_COUNTRY filters leave (all 68 regions
  without one); within it, the cell's age group and gender (grouped or filtered) where the
  statistics office publishes them. A cell whose population is not known (``unknown`` region,
  an age × gender breakdown the reference data lacks) has no value (it is not suppressed:
  nothing is hidden, there is nothing to divide by).
- ``population_index`` (``AUDIENCE_INDEX``): a cell's share of the measure among the published
  cells of the result whose population is known, divided by its share of their population, × 100
  (100 = as in the population). Suppressed cells are left out of both sums, so the index compares
  the groups the reader sees.

>>> pop = Population({("NO-03", "all", "all"): 700_000, ("NO-11", "all", "all"): 500_000},
...                  {"NO": ("NO-03", "NO-11")})
>>> pop.people(["NO-03", "NO-11"], ["all"], ["all"])
1200000
>>> pop.people(["NO-03"], ["18-24"], ["all"]) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from metrics.catalog import Catalog
from metrics.query import Query
from resolvers.privacy.protect import Published

ALL = "all"
REGION, COUNTRY, AGE, GENDER = "buyer_region", "buyer_country", "age_group", "gender"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Population:
    """People by (region, age group, gender); ``all`` marks a total over that part."""

    counts: Mapping[tuple[str, str, str], int]
    regions_by_country: Mapping[str, tuple[str, ...]]

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(r for rs in self.regions_by_country.values() for r in rs)

    def people(self, regions: Iterable[str], ages: Iterable[str], genders: Iterable[str]) -> int | None:
        """People of ``regions`` in ``ages`` × ``genders`` (``[all]`` = every one); None when a
        needed figure is not in the reference data."""
        total = 0
        ages, genders = list(ages), list(genders)
        for region in regions:
            n = self._one(region, ages, genders)
            if n is None:
                return None
            total += n
        return total

    def _one(self, region: str, ages: list[str], genders: list[str]) -> int | None:
        total = 0
        for age in ages:
            for gender in genders:
                n = self.counts.get((region, age, gender))
                if n is None and (age == ALL) != (gender == ALL):
                    # one part is a total: sum the other over the figures published for the region
                    parts = [v for (r, a, g), v in self.counts.items() if r == region
                             and (a == age if age != ALL else a != ALL) and (g == gender if gender != ALL else g != ALL)]
                    n = sum(parts) if parts else None
                if n is None:
                    return None
                total += n
        return total


def apply_population(catalog: Catalog, query: Query, rows: list[tuple[tuple[Any, ...], dict[str, Published]]],
                     totals: dict[str, Published], population: Population | None) -> None:
    """Turn the published measure (``Published.base``) of every population metric into its value,
    in place, for every row and the totals."""
    metrics = [catalog.metric(m) for m in query.metrics]
    wanted = [m for m in metrics if m.uses_population]
    if not wanted:
        return
    keys = _keyed_dimensions(query)
    people = {key: (_cell_people(query, dict(zip(keys, key, strict=False)) if keys else {}, population)
                    if population is not None else None) for key, _ in rows}
    for m in wanted:
        if m.type == "per_capita":
            per = float(m.per or 1)
            for key, pub in rows:
                pub[m.name] = _rate(pub[m.name], people.get(key), per)
            whole = _cell_people(query, {}, population) if population is not None else None
            totals[m.name] = _rate(totals[m.name], whole, per)
        else:
            known = [(pub[m.name].base, people.get(key)) for key, pub in rows
                     if not pub[m.name].suppressed and pub[m.name].base is not None and people.get(key)]
            b_sum = sum(float(b or 0) for b, _ in known)
            p_sum = sum(float(p or 0) for _, p in known)
            for key, pub in rows:
                pub[m.name] = _index(pub[m.name], people.get(key), b_sum, p_sum)
            totals[m.name] = replace(totals[m.name], value=None, base=None)


def _rate(pub: Published, people: int | None, per: float) -> Published:
    """The published measure per ``per`` inhabitants (no value without both)."""
    if pub.suppressed or pub.base is None or not people:
        return replace(pub, value=None, base=None)
    return replace(pub, value=float(pub.base) / people * per, base=None)


def _index(pub: Published, people: int | None, b_sum: float, p_sum: float) -> Published:
    """The cell's share of the published measure over its share of the population, × 100."""
    if pub.suppressed or pub.base is None or not people or not b_sum or not p_sum:
        return replace(pub, value=None, base=None)
    return replace(pub, value=(float(pub.base) / b_sum) / (people / p_sum) * 100, base=None)


def _keyed_dimensions(query: Query) -> list[str]:
    """The row key's dimension per position (a time breakdown keeps its place, unused here)."""
    return [g.dimension if not (g.granularity or g.date_part) else "" for g in query.group_by]


def _cell_people(query: Query, cell: dict[str, Any], population: Population) -> int | None:
    regions = _regions(query, cell, population)
    ages = _parts(query, cell, AGE)
    genders = _parts(query, cell, GENDER)
    if regions is None or ages is None or genders is None:
        return None
    return population.people(regions, ages, genders)


def _regions(query: Query, cell: dict[str, Any], population: Population) -> list[str] | None:
    if REGION in cell:
        code = str(cell[REGION]) if cell[REGION] is not None else UNKNOWN
        return [code] if code in population.regions else None
    if COUNTRY in cell:
        country = population.regions_by_country.get(str(cell[COUNTRY]))
        return list(country) if country else None
    regions = set(population.regions)
    for f in query.filters:
        if f.dimension == REGION:
            chosen = set(f.values)
        elif f.dimension == COUNTRY:
            chosen = {r for c in f.values for r in population.regions_by_country.get(c, ())}
        else:
            continue
        if f.op in ("in", "equals"):
            regions &= chosen
        elif f.op == "not_in":
            regions -= chosen
        else:
            return None
    return sorted(regions) or None


def _parts(query: Query, cell: dict[str, Any], dimension: str) -> list[str] | None:
    if dimension in cell:
        value = cell[dimension]
        return None if value is None or value == UNKNOWN else [str(value)]
    for f in query.filters:
        if f.dimension != dimension:
            continue
        if f.op in ("in", "equals"):
            values = [v for v in f.values if v != UNKNOWN]
            return values or None
        return None  # a range or an exclusion: not a population the reference data states
    return [ALL]
