"""Queries the model cannot answer are rejected with BAD_QUERY, a message and a hint."""

from __future__ import annotations

from datetime import date

import pytest
from sqlglot import exp

from metrics.catalog import Catalog
from metrics.compiler import compile_query
from metrics.query import Filter, GroupBy, OrderBy, Query, TimeRange

BAD: dict[str, tuple[Query, str, str]] = {  # case: (query, message contains, hint contains)
    "empty_metrics": (Query(()), "asks for no metrics", "buyers"),
    "unknown_metric": (Query(("visitors",)), "unknown metric 'visitors'", "tickets_per_buyer"),
    "unknown_dimension": (Query(("buyers",), (GroupBy("venue"),)), "unknown dimension 'venue'", "age_group"),
    "granularity_on_categorical": (Query(("buyers",), (GroupBy("gender", granularity="month"),)),
                                   "not a time dimension", "purchased_at"),
    "date_part_on_categorical": (Query(("buyers",), (GroupBy("region", date_part="hour"),)),
                                 "not a time dimension", "event_date"),
    "granularity_and_date_part": (Query(("buyers",), (GroupBy("purchased_at", "month", "weekday"),)),
                                  "both a granularity and a date part", "either"),
    "time_without_grain": (Query(("buyers",), (GroupBy("purchased_at"),)),
                           "needs a granularity or a date part", "weekday"),
    "unknown_granularity": (Query(("buyers",), (GroupBy("purchased_at", granularity="decade"),)),
                            "unknown granularity 'decade'", "quarter"),
    "unknown_date_part": (Query(("buyers",), (GroupBy("purchased_at", date_part="minute"),)),
                          "unknown date part 'minute'", "hour"),
    "same_dimension_twice": (Query(("buyers",), (GroupBy("gender"), GroupBy("gender"))),
                             "grouped by twice", "once"),
    "same_date_part_twice": (Query(("buyers",), (GroupBy("purchased_at", date_part="hour"),
                                                 GroupBy("purchased_at", date_part="hour"))),
                             "grouped by twice", "once"),
    "order_by_missing": (Query(("buyers",), (GroupBy("gender"),), order_by=(OrderBy("tickets"),)),
                         "cannot order by 'tickets'", "buyers, gender"),
    "order_by_hidden": (Query(("buyers",), extra_group_by=("organization",),
                              order_by=(OrderBy("organization"),)), "cannot order by", "buyers"),
    "bad_filter_value": (Query(("buyers",), filters=(Filter("gender", "in", ("f",)),)),
                         "unknown value 'f' for dimension gender", "male, female"),
    "injection_value": (Query(("buyers",), filters=(Filter("region", "equals", ("x') OR 1=1 --",)),)),
                        "unknown value", "matching"),
    "unknown_op": (Query(("buyers",), filters=(Filter("gender", "like", ("f%",)),)), "unknown filter op", "in"),
    "equals_two_values": (Query(("buyers",), filters=(Filter("gender", "equals", ("male", "female")),)),
                          "takes exactly 1 value", "in"),
    "between_one_value": (Query(("buyers",), filters=(Filter("purchased_at", "between", ("2025-01-01",)),)),
                          "takes exactly 2 value", "between"),
    "range_on_categorical": (Query(("buyers",), filters=(Filter("age_group", "gte", ("25-34",)),)),
                             "time dimensions only", "in"),
    "empty_in": (Query(("buyers",), filters=(Filter("gender", "in", ()),)), "at least 1", "in"),
    "reversed_range": (Query(("buyers",), time_range=TimeRange(date(2025, 2, 1), date(2025, 1, 1))),
                       "starts (2025-02-01) after it ends", "swap"),
    "range_on_categorical_dim": (Query(("buyers",), time_range=TimeRange(date(2025, 1, 1), None, "gender")),
                                 "not a time dimension", "purchased_at"),
    "bad_org_id": (Query(("buyers",), org_ids=("o1'; --",)), "unknown value", "matching"),
    "time_extra_group_by": (Query(("buyers",), extra_group_by=("purchased_at",)),
                            "is a time dimension", "categorical"),
    "zero_limit": (Query(("buyers",), limit=0), "not a positive integer", "1 or more"),
    "unknown_dialect": (Query(("buyers",)), "unknown SQL dialect", "duckdb"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_rejected(catalog: Catalog, case: str) -> None:
    query, message, hint = BAD[case]
    dialect = "oracle" if case == "unknown_dialect" else "duckdb"
    with pytest.raises(Exception) as info:
        compile_query(catalog, query, dialect)
    err = info.value
    assert type(err).__name__ == "QueryError" and err.code == "BAD_QUERY"  # type: ignore[attr-defined]
    assert message in err.message, err.message  # type: ignore[attr-defined]
    assert hint in (err.hint or ""), err.hint  # type: ignore[attr-defined]


def test_values_only_reach_sql_as_literals(catalog: Catalog) -> None:
    query = Query(("buyers",), filters=(Filter("event", "in", ("E.1/x",)),), org_ids=("org-7",))
    expression = compile_query(catalog, query).expression
    strings = {lit.this for lit in expression.find_all(exp.Literal) if lit.is_string}
    assert {"E.1/x", "org-7"} <= strings
    identifiers = {i.name for i in expression.find_all(exp.Identifier)}
    assert not {"E.1/x", "org-7"} & identifiers
