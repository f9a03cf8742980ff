"""Time grains and date parts, written per SQL engine.

sqlglot transpiles most SQL faithfully, but not the calendar: weekday numbering and week
starts differ between engines and its generic translations get them wrong. So each
:class:`Dialect` spells its time expressions out with engine-native functions, as
``exp.Anonymous`` calls that sqlglot prints verbatim. Contract for every dialect:

- a granularity yields the period's first day as a DATE (weeks start on Monday);
- ``weekday`` is ISO (Monday = 1 ... Sunday = 7), ``hour`` is 0-23, ``month`` 1-12,
  ``quarter`` 1-4, ``year`` the calendar year.

>>> from sqlglot import exp
>>> col = exp.column("first_purchased_at_local", "buyers")
>>> DuckDB().date_part(col, "weekday").sql("duckdb")
'ISODOW(buyers.first_purchased_at_local)'
>>> Spark().date_part(col, "weekday").sql("spark")
'((DAYOFWEEK(buyers.first_purchased_at_local) + 5) % 7) + 1'
>>> DuckDB().truncate(col, "week").sql("duckdb")
"CAST(DATE_TRUNC('week', buyers.first_purchased_at_local) AS DATE)"
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from cid_graph.errors import QueryError


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


class Dialect:
    """Base dialect: the portable parts; subclasses write grains and date parts."""

    #: sqlglot's name of the dialect, used to print SQL.
    name = ""

    def to_date(self, value: exp.Expression) -> exp.Expression:
        """The local calendar date of a timestamp."""
        return exp.cast(value, exp.DataType.Type.DATE)

    def date_literal(self, value: date) -> exp.Expression:
        """A DATE literal (``CAST('2025-03-30' AS DATE)``), built from a ``date`` object."""
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)

    def truncate(self, value: exp.Expression, granularity: str) -> exp.Expression:
        """The first day (a DATE) of the ``granularity`` period holding ``value``."""
        raise NotImplementedError

    def date_part(self, value: exp.Expression, part: str) -> exp.Expression:
        """An integer date part of ``value`` (see the module contract)."""
        raise NotImplementedError


class DuckDB(Dialect):
    """DuckDB: ``date_trunc('week', x)`` starts on Monday; ``isodow`` is ISO."""

    name = "duckdb"
    _parts = {"year": "year", "quarter": "quarter", "month": "month", "weekday": "isodow",
              "hour": "hour"}

    def truncate(self, value: exp.Expression, granularity: str) -> exp.Expression:
        if granularity == "day":
            return self.to_date(value)
        if granularity not in ("week", "month", "quarter", "year"):
            raise QueryError(f"unknown granularity '{granularity}'",
                             hint="one of day, week, month, quarter, year")
        return self.to_date(_call("date_trunc", exp.Literal.string(granularity), value))

    def date_part(self, value: exp.Expression, part: str) -> exp.Expression:
        if part not in self._parts:
            raise QueryError(f"unknown date part '{part}'", hint="one of " + ", ".join(self._parts))
        return _call(self._parts[part], value)


class Spark(Dialect):
    """Apache Spark SQL: ``dayofweek`` is Sunday = 1, so ISO is ``((dow + 5) % 7) + 1``;
    ``date_trunc('WEEK', x)`` starts on Monday."""

    name = "spark"
    _parts = {"year": "year", "quarter": "quarter", "month": "month", "hour": "hour"}

    def truncate(self, value: exp.Expression, granularity: str) -> exp.Expression:
        if granularity == "day":
            return self.to_date(value)
        if granularity not in ("week", "month", "quarter", "year"):
            raise QueryError(f"unknown granularity '{granularity}'",
                             hint="one of day, week, month, quarter, year")
        return self.to_date(_call("date_trunc", exp.Literal.string(granularity.upper()), value))

    def date_part(self, value: exp.Expression, part: str) -> exp.Expression:
        if part == "weekday":
            shifted = exp.Add(this=_call("dayofweek", value), expression=exp.Literal.number(5))
            iso = exp.Mod(this=exp.Paren(this=shifted), expression=exp.Literal.number(7))
            return exp.Add(this=exp.Paren(this=iso), expression=exp.Literal.number(1))
        if part not in self._parts:
            raise QueryError(f"unknown date part '{part}'",
                             hint="one of " + ", ".join([*self._parts, "weekday"]))
        return _call(self._parts[part], value)


DIALECTS: dict[str, type[Dialect]] = {"duckdb": DuckDB, "spark": Spark}


def _portable(node: exp.Expression) -> exp.Expression:
    # IF(c, x) is NULL when c is false in DuckDB; Spark insists on the third argument.
    if isinstance(node, exp.If) and _needs_else(node):
        return exp.If(this=node.this.copy(), true=node.args["true"].copy(), false=exp.Null())
    return node


def render(expression: exp.Expression, dialect: str | Dialect, *, pretty: bool = False) -> str:
    """The SQL text of ``expression`` for ``dialect``, written so that every engine reads it alike.

    >>> render(exp.If(this=exp.column("x").eq(1), true=exp.column("y")), "spark")
    'IF(x = 1, y, NULL)'
    """
    name = get_dialect(dialect).name
    if any(_needs_else(node) for node in expression.find_all(exp.If)):
        expression = expression.transform(_portable, copy=True)
    # sqlglot copies the whole tree before printing by default (a quarter of compiling a
    # dashboard tab); its preprocessing leaves the trees the compiler builds unchanged
    # (tests/metrics/test_render.py), so they are printed as they are.
    return expression.sql(dialect=name, pretty=pretty, copy=False)


def _needs_else(node: exp.If) -> bool:
    return node.args.get("false") is None and not isinstance(node.parent, exp.Case)


def get_dialect(name: str | Dialect) -> Dialect:
    """The dialect called ``name`` (``duckdb`` or ``spark``), or ``name`` itself."""
    if isinstance(name, Dialect):
        return name
    try:
        return DIALECTS[name]()
    except KeyError:
        raise QueryError(f"unknown SQL dialect '{name}'", hint="one of " + ", ".join(DIALECTS)) from None
