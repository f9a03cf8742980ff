"""Compiled SQL, snapshotted per dialect in ``goldens/<dialect>/<case>.sql``.

Run ``pytest tests/metrics --update-goldens`` to rewrite them after an intended change, and
review the diff.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from metrics.catalog import Catalog
from metrics.compiler import compile_query
from metrics.model import load_model
from metrics.query import Filter, GroupBy, OrderBy, Query, TimeRange

GOLDENS = Path(__file__).parent / "goldens"
DIALECTS = ("duckdb", "spark")
_MODEL = load_model(Path(__file__).resolve().parents[2] / "metrics" / "model")

CASES: dict[str, Query] = {f"metric_{m.name}": Query((m.name,)) for m in _MODEL.metrics}
_SURVEY_TABLES = {"survey_answers", "survey_question_info"}
CASES.update({
    f"by_{d.name}": Query(("answers" if d.table in _SURVEY_TABLES else "buyers",), (GroupBy(d.name),))
    for d in _MODEL.dimensions if not d.is_time
})
CASES.update({
    "by_purchased_at_month": Query(("buyers",), (GroupBy("purchased_at", granularity="month"),)),
    "by_purchased_at_week": Query(("buyers",), (GroupBy("purchased_at", granularity="week"),)),
    "by_purchased_at_day": Query(("buyers",), (GroupBy("purchased_at", granularity="day"),)),
    "by_purchased_at_weekday": Query(("buyers",), (GroupBy("purchased_at", date_part="weekday"),)),
    "by_purchased_at_hour": Query(("buyers",), (GroupBy("purchased_at", date_part="hour"),)),
    "by_event_date_quarter": Query(("events", "tickets"), (GroupBy("event_date", granularity="quarter"),)),
    "by_region_month": Query(("buyers",), (GroupBy("region"), GroupBy("purchased_at", granularity="month"))),
    "demography_kpis_filtered": Query(
        ("buyers", "male_buyers", "female_buyers", "young_buyers", "female_share"),
        (GroupBy("org_type"),),
        filters=(Filter("country", "in", ("NO", "SE")), Filter("gender", "not_in", ("unknown",)),
                 Filter("event_type", "equals", ("concert",))),
    ),
    "time_range": Query(("buyers", "revenue_eur"), (GroupBy("age_group"),),
                        time_range=TimeRange(date(2025, 1, 1), date(2025, 3, 31))),
    "event_date_filters": Query(("buyers",), (GroupBy("event_date", date_part="weekday"),),
                                filters=(Filter("event_date", "between", ("2025-03-01", "2025-03-31")),
                                         Filter("purchased_at", "in", ("2025-02-14",)))),
    "ordered_limited": Query(("tickets_per_buyer", "buyers"), (GroupBy("event_category"),),
                             order_by=(OrderBy("tickets_per_buyer", descending=True),), limit=11),
    "own_scope_by_event": Query(("buyers", "tickets", "revenue_eur"), (GroupBy("event"),),
                                org_ids=("org-001",)),
    # Time zones: buckets and bounds are on the local timestamp, never the UTC one; a local date
    # that is still the day before in UTC (2025-07-01 01:30 in Oslo) belongs to July.
    "tz_local_day_not_utc": Query(("buyers",), (GroupBy("purchased_at", granularity="day"),),
                                  time_range=TimeRange(date(2025, 6, 30), date(2025, 7, 1))),
    # DST: the spring night (no 02:00-03:00) and the autumn night (02:00-03:00 twice) by hour.
    "dst_spring_hours": Query(("buyers",), (GroupBy("purchased_at", date_part="hour"),),
                              time_range=TimeRange(date(2025, 3, 30), date(2025, 3, 30))),
    "dst_autumn_hours": Query(("buyers", "revenue_eur"), (GroupBy("purchased_at", date_part="hour"),),
                              filters=(Filter("purchased_at", "equals", ("2025-10-26",)),)),
    # Week start: ISO weeks start on Monday, across New Year (2024-12-30 opens week 1 of 2025).
    "week_start_new_year": Query(("buyers",), (GroupBy("purchased_at", granularity="week"),
                                               GroupBy("purchased_at", date_part="weekday")),
                                 time_range=TimeRange(date(2024, 12, 23), date(2025, 1, 5))),
    "event_week_start": Query(("events",), (GroupBy("event_date", granularity="week"),),
                              filters=(Filter("event_date", "between", ("2020-12-28", "2021-01-10")),)),
    "peer_group_dominance": Query(("buyers", "buyers_share"), (GroupBy("gender"),),
                                  org_ids=("org-002", "org-003", "org-004"),
                                  exclude_org_ids=("org-001",), extra_group_by=("organization",)),
})


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_sql(case: str, dialect: str, catalog: Catalog, request: pytest.FixtureRequest) -> None:
    sql = compile_query(catalog, CASES[case], dialect).sql + "\n"
    path = GOLDENS / dialect / f"{case}.sql"
    if request.config.getoption("--update-goldens"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql, encoding="utf-8")
        return
    assert path.exists(), f"no golden {path}; run pytest --update-goldens"
    assert sql == path.read_text(encoding="utf-8")


def test_no_stale_goldens() -> None:
    for dialect in DIALECTS:
        stale = {p.stem for p in (GOLDENS / dialect).glob("*.sql")} - set(CASES)
        assert not stale, f"goldens without a case in {dialect}: {sorted(stale)}"
