"""The values and labels of a dynamic dimension, read from its ``values_from`` table.

Enumerated dimensions carry their labels in the model; dynamic ones (region, organization,
event) name the table that holds them. The resolver runs this query to label result rows.

>>> from cid_graph.settings import Settings
>>> from metrics.catalog import Catalog
>>> from metrics.model import load_model
>>> catalog = Catalog(load_model(Settings.load(env={}, dotenv=None).model_dir))
>>> print(compile_values(catalog, "region").sql("duckdb"))
SELECT DISTINCT regions.iso_3166_2 AS value, regions.name AS label_nb, regions.name_en AS label_en, regions.name AS label_sv, regions.name AS label_da, regions.name AS label_fi FROM regions ORDER BY value
"""

from __future__ import annotations

from sqlglot import exp

from cid_graph.errors import QueryError
from metrics.catalog import Catalog
from metrics.definitions import LANGUAGES
from metrics.warehouse_schema import warehouse_columns


def compile_values(catalog: Catalog, dimension: str,
                   org_ids: tuple[str, ...] | None = None) -> exp.Select:
    """``SELECT DISTINCT value, label_<lang>...`` for a dynamic dimension.

    Args:
        catalog: The catalog.
        dimension: A dimension with ``values_from``.
        org_ids: Restrict to these organizations when the table has an ``org_id`` column
            (event names of the caller's own events only).

    Raises:
        QueryError: when the dimension has no ``values_from``.
    """
    dim = catalog.dimension(dimension)
    vf = dim.values_from
    if vf is None:
        raise QueryError(f"dimension {dim.name} has no value table",
                         hint="its labels are in the catalog (buckets) or it has none")
    select = exp.select(exp.column(vf.key, vf.table).as_("value")).distinct()
    for lang in LANGUAGES:
        select = select.select(exp.column(vf.label.get(lang, vf.label["en"]), vf.table).as_(f"label_{lang}"))
    select = select.from_(exp.to_table(vf.table))
    if org_ids is not None:
        for org in org_ids:
            catalog.validate_value("organization", org)
        if "org_id" in warehouse_columns().get(vf.table, {}):
            col = exp.column("org_id", vf.table)
            select = select.where(col.isin(*(exp.Literal.string(o) for o in org_ids)) if org_ids else exp.false())
    return select.order_by(exp.column("value"))
