"""Empty cells appear suppressed, exactly like small ones, wherever a breakdown's values are
knowable (P7): otherwise a missing row would tell "no buyers" apart from "1 to k-1 buyers".

>>> sorted([None, "b", 2, 1.5], key=sortable)
[1.5, 2, 'b', None]
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from metrics.catalog import Catalog
from resolvers.privacy.constrain import Constrained
from resolvers.privacy.protect import Published

_DATE_PART_DOMAINS = {"weekday": range(1, 8), "hour": range(24), "month": range(1, 13), "quarter": range(1, 5)}


def _region_codes() -> list[str]:
    import csv

    from warehouse.reference import REFERENCE_DIR

    with open(REFERENCE_DIR / "regions.csv", encoding="utf-8") as fh:
        return [row["iso_3166_2"] for row in csv.DictReader(fh)] + ["unknown"]


def _periods(observed: list[Any], granularity: str, bounds: Any) -> list[Any] | None:
    """Every bucket start from the first to the last observed (or asked-for) period."""
    import datetime as dt

    days = [v.date() if isinstance(v, dt.datetime) else v for v in observed if isinstance(v, dt.date)]
    if bounds is not None:
        days += [d for d in (bounds.start, bounds.end) if d is not None]
    if not days:
        return None

    def start(d: dt.date) -> dt.date:
        if granularity == "week":
            return d - dt.timedelta(days=d.weekday())
        if granularity == "month":
            return d.replace(day=1)
        if granularity == "quarter":
            return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
        if granularity == "year":
            return d.replace(month=1, day=1)
        return d

    def step(d: dt.date) -> dt.date:
        if granularity == "day":
            return d + dt.timedelta(days=1)
        if granularity == "week":
            return d + dt.timedelta(days=7)
        months = {"month": 1, "quarter": 3, "year": 12}[granularity]
        m = d.month - 1 + months
        return d.replace(year=d.year + m // 12, month=m % 12 + 1, day=1)

    out: list[Any] = []
    cur, last = start(min(days)), start(max(days))
    while cur <= last and len(out) <= 5000:
        out.append(cur)
        cur = step(cur)
    return out


def _domain(catalog: Catalog, g: Any, observed: list[Any], bounds: Any) -> list[Any] | None:
    """Every value a group-by can take, when that set is knowable and small; else None."""
    if g.date_part:
        domain = _DATE_PART_DOMAINS.get(g.date_part)
        return list(domain) if domain is not None else None
    if g.granularity:
        return _periods(observed, g.granularity, bounds)
    dim = catalog.dimension(g.dimension)
    if dim.is_enumerated:
        return [b.code for b in catalog.buckets(g.dimension)]
    if g.dimension in ("region", "buyer_region"):
        return _region_codes()
    if g.dimension == "buyer_country":
        return sorted({"NO", "SE", "DK", "FI", "IS", "unknown", *(v for v in observed if v is not None)})
    return None


#: A region dimension and the country dimension whose filter narrows its values (region codes
#: start with the country: NO-03).
_COUNTRY_OF = {"region": "country", "buyer_region": "buyer_country"}


def _asked(domain: list[Any], g: Any, filters: Any) -> list[Any]:
    """The values of ``domain`` the query's own list filters let through (nothing is filled for a
    value the query excluded; the filters are the asker's, so this tells nothing new)."""
    if g.granularity or g.date_part:
        return domain
    out = list(domain)
    for f in filters:
        part: Callable[[Any], str]
        if f.dimension == g.dimension:
            part = str
        elif f.dimension == _COUNTRY_OF.get(g.dimension):
            part = _country_part
        else:
            continue
        if f.op in ("in", "equals"):
            out = [v for v in out if part(v) in f.values]
        elif f.op == "not_in":
            out = [v for v in out if part(v) not in f.values]
    return out


def _country_part(region: Any) -> str:
    return str(region).split("-")[0]


def fill_empty_cells(
    catalog: Catalog, constrained: Constrained,
    rows: list[tuple[tuple[Any, ...], dict[str, Published]]],
    metrics: tuple[str, ...], reason: str,
) -> list[tuple[tuple[Any, ...], dict[str, Published]]]:
    """Empty cells appear suppressed, exactly like small ones, wherever the values are knowable.

    Otherwise a missing row would tell "no buyers" apart from "1 to k−1 buyers". Dimensions with
    a fixed set of values (buckets, date parts, regions) are filled for every combination of the
    other (observed) values, with ``reason`` (an empty pooled cell has no organizations, so it
    gets the reason a cell of few organizations gets).
    """
    group_by = constrained.query.group_by
    if not group_by:
        return rows
    tr = constrained.query.time_range
    domains = {}
    for i, g in enumerate(group_by):
        bounds = tr if tr is not None and tr.dimension == g.dimension else None
        d = _domain(catalog, g, [key[i] for key, _ in rows], bounds)
        if d is not None:
            domains[i] = _asked(d, g, constrained.query.filters)
    if not domains:
        return rows
    seen = {key for key, _ in rows}
    free = [i for i in range(len(group_by)) if i not in domains]
    others = sorted({tuple(key[i] for i in free) for key in seen}, key=lambda t: tuple(sortable(v) for v in t))
    if free and not others:
        return rows  # nothing observed to combine with
    if not free:
        others = [()]
    size = len(others)
    for d in domains.values():
        size *= len(d)
    if size > 20000:
        return rows  # too many combinations to list; the row cap would cut them anyway
    filled = list(rows)
    positions = sorted(domains)
    for rest in others:
        for combo in itertools.product(*(domains[i] for i in positions)):
            key_list: list[Any] = [None] * len(group_by)
            for i, v in zip(free, rest, strict=True):
                key_list[i] = v
            for i, v in zip(positions, combo, strict=True):
                key_list[i] = v
            key = tuple(key_list)
            if key not in seen:
                filled.append((key, {m: Published(None, True, reason) for m in metrics}))
    return filled


def sortable(value: Any) -> tuple[int, Any]:
    """A sort key that orders numbers, then text, then missing values."""
    if value is None:
        return (2, "")
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value))


