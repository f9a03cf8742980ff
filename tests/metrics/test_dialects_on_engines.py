"""Every time grain and date part of both dialects, computed by real engines on a calendar of hard
cases, against Python's own calendar.

The rows sit where engines disagree: both DST nights of 2025 (a local time that does not exist,
one that exists twice), ISO weeks that span New Year, a leap day, hours 0 and 23, Sundays and
Mondays, and purchases whose local date differs from their UTC date. The compiled DuckDB SQL
runs on a version file, the compiled Spark SQL on a real Spark (local[2]) over that file's
Parquet export; both must equal the calendar, and so each other.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from metrics.catalog import Catalog
from metrics.compiler import compile_query
from metrics.query import Filter, GroupBy, Query, TimeRange
from warehouse.ddl import DDL
from warehouse.engine import Engine
from warehouse.export import export
from warehouse.parquet_store import ParquetStore
from warehouse.spark_engine import SparkEngine
from warehouse.store import WarehouseStore

# (local time, UTC time) of each purchase; the organizations are in Oslo (CET/CEST).
PURCHASES = [
    (datetime(2025, 3, 30, 1, 59), datetime(2025, 3, 30, 0, 59)),  # the last minute of winter time
    (datetime(2025, 3, 30, 2, 30), datetime(2025, 3, 30, 1, 30)),  # does not exist locally (DST gap)
    (datetime(2025, 3, 30, 3, 0), datetime(2025, 3, 30, 1, 0)),  # summer time, Sunday
    (datetime(2025, 10, 26, 2, 30), datetime(2025, 10, 26, 0, 30)),  # exists twice: first pass
    (datetime(2025, 10, 26, 2, 30), datetime(2025, 10, 26, 1, 30)),  # and second pass
    (datetime(2024, 12, 29, 23, 59), datetime(2024, 12, 29, 22, 59)),  # Sunday: week of 2024-12-23
    (datetime(2024, 12, 30, 0, 0), datetime(2024, 12, 29, 23, 0)),  # Monday: ISO week 1 of 2025
    (datetime(2025, 1, 1, 0, 30), datetime(2024, 12, 31, 23, 30)),  # New Year locally, not in UTC
    (datetime(2021, 1, 3, 12, 0), datetime(2021, 1, 3, 11, 0)),  # Sunday of ISO week 53 of 2020
    (datetime(2024, 2, 29, 23, 0), datetime(2024, 2, 29, 22, 0)),  # leap day, hour 23
    (datetime(2025, 6, 30, 23, 30), datetime(2025, 6, 30, 21, 30)),  # the end of a quarter
    (datetime(2025, 7, 1, 1, 30), datetime(2025, 6, 30, 23, 30)),  # a new quarter locally only
]
EVENT_START = datetime(2025, 3, 30, 2, 30)  # the event itself also starts in the DST gap

GRAINS = ("day", "week", "month", "quarter", "year")
PARTS = ("year", "quarter", "month", "weekday", "hour")


def _grain(ts: datetime, grain: str) -> date:
    d = ts.date()
    return {"day": d, "week": d - timedelta(days=d.weekday()), "month": d.replace(day=1),
            "quarter": d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1), "year": d.replace(month=1, day=1)}[grain]


def _part(ts: datetime, part: str) -> int:
    return {"year": ts.year, "quarter": (ts.month - 1) // 3 + 1, "month": ts.month,
            "weekday": ts.isoweekday(), "hour": ts.hour}[part]


@pytest.fixture(scope="module")
def calendar_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("calendar") / "wh"
    store = WarehouseStore(root)
    number, building = store.start_building()
    con = duckdb.connect(str(building))
    for statement in DDL:
        con.execute(statement)
    con.execute("INSERT INTO meta VALUES ('published_at', '2025-11-01T00:00:00+00:00')")
    con.execute("INSERT INTO organizations VALUES ('o1', 'Oslo Konserthus', 'music', 'NO', 'NO-03', NULL)")
    con.execute("INSERT INTO org_noise SELECT 'o1', s, 1.2 FROM range(32) t(s)")
    con.execute("INSERT INTO events (event_sk, org_id, event_id, event_name, event_start_utc, event_start_local, "
                "event_date, country, region, region_source, event_type, event_category, classification_source, "
                "classification_confidence) VALUES (1, 'o1', 'E1', 'Påskekonsert', ?, ?, ?, 'NO', 'NO-03', 'org', "
                "'concert', 'classical', 'source', NULL)",
                [EVENT_START - timedelta(hours=1), EVENT_START, EVENT_START.date()])
    for i, (local, utc) in enumerate(PURCHASES):
        con.execute("INSERT INTO buyer_rows VALUES (?, 1, 'o1', ?, ?, 1, 1, 10.0, 1.0, '25-34', 'female', "
                    "'NO', 'NO-03', NULL, 'city', 'medium', 'high', 'apartment', ?, "
                    "'first_time', '1', '0-49', 1, 0, '0', 'not_surveyed')",
                    [bytes([i]), utc, local, (37 * i) % 256])
    con.close()
    store.publish(number, building)
    export(store, ParquetStore(root / "parquet"))
    return root


@pytest.fixture(scope="module")
def engines(calendar_warehouse: Path, spark: Any) -> Any:
    duck = Engine(calendar_warehouse, timeout_s=600)
    on_spark = SparkEngine(calendar_warehouse / "parquet", master=spark.master, timeout_s=600)
    yield {"duckdb": duck, "spark": on_spark}
    duck.close()
    on_spark.close()


def _run(engines: dict[str, Any], catalog: Catalog, query: Query) -> dict[str, list[dict[str, Any]]]:
    return {name: engine.execute(compile_query(catalog, query, name).sql).to_pylist()
            for name, engine in engines.items()}


@pytest.mark.parametrize("grain", GRAINS)
def test_grains_match_the_calendar(engines: dict[str, Any], catalog: Catalog, grain: str) -> None:
    expected = Counter(_grain(local, grain) for local, _ in PURCHASES)
    for name, rows in _run(engines, catalog, Query(("buyers",), (GroupBy("purchased_at", grain),))).items():
        got = {r[f"d_purchased_at__{grain}"]: r["m_buyers"] for r in rows}
        assert got == dict(expected), f"{name}: {grain}"
        assert all(type(k) is date for k in got), f"{name}: a {grain} bucket is not a DATE"


@pytest.mark.parametrize("part", PARTS)
def test_date_parts_match_the_calendar(engines: dict[str, Any], catalog: Catalog, part: str) -> None:
    expected = Counter(_part(local, part) for local, _ in PURCHASES)
    for name, rows in _run(engines, catalog, Query(("buyers",), (GroupBy("purchased_at", date_part=part),))).items():
        assert {r[f"d_purchased_at__{part}"]: r["m_buyers"] for r in rows} == dict(expected), f"{name}: {part}"


@pytest.mark.parametrize("part", ("weekday", "hour"))
def test_event_date_parts_use_the_local_start(engines: dict[str, Any], catalog: Catalog, part: str) -> None:
    query = Query(("events",), (GroupBy("event_date", date_part=part),))
    for name, rows in _run(engines, catalog, query).items():
        assert [(r[f"d_event_date__{part}"], r["m_events"]) for r in rows] == [(_part(EVENT_START, part), 1)], name


@pytest.mark.parametrize(("start", "end"), [
    (date(2025, 3, 30), date(2025, 3, 30)),  # the spring DST day, 23 hours long
    (date(2025, 10, 26), date(2025, 10, 26)),  # the autumn DST day, 25 hours long
    (date(2024, 12, 30), date(2025, 1, 1)),  # across New Year
    (date(2025, 7, 1), date(2025, 7, 1)),  # a local date that is still June 30 in UTC
])
def test_time_ranges_are_local_dates(engines: dict[str, Any], catalog: Catalog, start: date, end: date) -> None:
    expected = Counter(local.hour for local, _ in PURCHASES if start <= local.date() <= end)
    query = Query(("buyers",), (GroupBy("purchased_at", date_part="hour"),), time_range=TimeRange(start, end))
    for name, rows in _run(engines, catalog, query).items():
        assert {r["d_purchased_at__hour"]: r["m_buyers"] for r in rows} == dict(expected), name


def test_date_filters_and_cell_keys_agree(engines: dict[str, Any], catalog: Catalog) -> None:
    """A date filter (IN on local days) and the cell-key sums (record keys, mod 256 later)."""
    days = ("2025-03-30", "2025-10-26")
    query = Query(("buyers", "revenue_eur"), (GroupBy("purchased_at", "week"),),
                  filters=(Filter("purchased_at", "in", days),))
    result = _run(engines, catalog, query)
    assert result["duckdb"] == result["spark"]
    keys = {r["d_purchased_at__week"]: r["p_ck_buyers"] for r in result["duckdb"]}
    expected: dict[date, int] = {}
    for i, (local, _) in enumerate(PURCHASES):
        if local.date().isoformat() in days:
            expected[_grain(local, "week")] = expected.get(_grain(local, "week"), 0) + (37 * i) % 256
    assert keys == expected
