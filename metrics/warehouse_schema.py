"""The tables and columns of the warehouse, read from :mod:`warehouse.ddl` with sqlglot.

The semantic model is validated against these: a dimension or measure naming a column that
the DDL does not create is an error at load time, not at query time.

>>> cols = warehouse_columns()
>>> cols["buyers"]["record_key"], "buyer_key" in cols["buyers"]
('SMALLINT', False)
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp

from warehouse.ddl import DDL


@lru_cache(maxsize=1)
def warehouse_columns() -> dict[str, dict[str, str]]:
    """Every table and view of the warehouse DDL with its columns and their SQL types.

    Returns:
        ``{table: {column: type}}``, columns in DDL order. A view's columns are derived
        from its ``SELECT`` (``*``, ``* EXCLUDE (...)`` and named columns).
    """
    tables: dict[str, dict[str, str]] = {}
    for statement in DDL:
        create = sqlglot.parse_one(statement, dialect="duckdb")
        if not isinstance(create, exp.Create):
            continue
        if create.kind == "TABLE":
            schema = create.this
            name = schema.this.name
            tables[name] = {
                col.name: col.args["kind"].sql(dialect="duckdb")
                for col in schema.expressions
                if isinstance(col, exp.ColumnDef)
            }
        elif create.kind == "VIEW":
            tables[create.this.name] = _view_columns(create.expression, tables)
    return tables


def _view_columns(select: exp.Expression, tables: dict[str, dict[str, str]]) -> dict[str, str]:
    """A view's columns: ``*`` (with ``EXCLUDE``) over its FROM and JOINed tables, named columns
    (typed by their source column) and ``CAST(... AS type) AS name``."""
    sources = [select.args["from_"].this.name] if select.args.get("from_") else []
    sources += [j.this.name for j in select.args.get("joins") or []]
    base: dict[str, str] = {}
    for source in sources:
        for column, kind in tables.get(source, {}).items():
            base.setdefault(column, kind)
    out: dict[str, str] = {}
    for projection in select.expressions:
        if isinstance(projection, exp.Star):
            excluded = {c.name for c in projection.args.get("except_") or []}
            out.update({k: v for k, v in base.items() if k not in excluded})
            continue
        inner = projection.unalias()
        if isinstance(inner, exp.Cast):
            out[projection.alias_or_name] = inner.to.sql(dialect="duckdb")
        else:
            out[projection.alias_or_name] = base.get(inner.name, "UNKNOWN")
    return out
