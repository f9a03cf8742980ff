"""Compiled queries run on a real DuckDB built from ``warehouse/ddl.py``, against hand-written
oracle SQL and hand-computed calendars (DST night, week boundaries, hours 0 and 23)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import duckdb
import pytest
from sqlglot import exp

from cid_graph.errors import QueryError
from metrics.catalog import Catalog
from metrics.compiler import compile_query
from metrics.evaluate import evaluate, measures_for
from metrics.query import Filter, GroupBy, OrderBy, Query, TimeRange
from warehouse.ddl import DDL

STATUS = ("returning", "first_time", "returning", "first_time", "unknown")  # by buyer key
SURVEYED = ("responded", "surveyed", "not_surveyed", "surveyed")  # by buyer key

ORGS = [  # org_id, name, org_type, country, region
    ("o1", "Oslo Konserthus", "music", "NO", "NO-03"),
    ("o2", "Stockholms Teater", "theatre_performing_arts", "SE", "SE-AB"),
    ("o3", "Vestland Festival", "festival", "NO", "NO-46"),
]
EVENTS = [  # event_sk, org_id, event_id, start_local, region, event_type, event_category
    (1, "o1", "E1", datetime(2025, 4, 5, 19, 0), "NO-03", "concert", "classical"),
    (2, "o2", "E1", datetime(2025, 3, 8, 20, 0), "SE-AB", "play", "drama"),
    (3, "o3", "F25", datetime(2025, 6, 20, 16, 0), "NO-46", "festival", "pop_rock"),
]
# key, event_sk, org_id, purchased_local, tickets, amount_eur, age_group, gender, record_key
BUYERS = [
    (1, 1, "o1", datetime(2025, 3, 30, 2, 30), 2, 80.0, "25-34", "female", 200),  # DST gap night, Sunday
    (2, 1, "o1", datetime(2025, 3, 2, 23, 59, 59), 1, 40.0, "18-24", "male", 100),  # Sunday, hour 23
    (3, 2, "o2", datetime(2025, 3, 3, 0, 0), 4, 150.0, "0-17", "female", 255),  # Monday, hour 0
    (4, 2, "o2", datetime(2024, 12, 31, 23, 30), 1, 30.0, "unknown", "unknown", 7),  # Tuesday
    (5, 3, "o3", datetime(2025, 1, 1, 0, 15), 3, 99.5, "75+", "female", 13),  # Wednesday
    (6, 3, "o3", datetime(2025, 3, 2, 12, 0), 2, 60.0, "45-54", "male", 31),  # Sunday
    (7, 1, "o1", datetime(2025, 3, 9, 18, 0), 0, 0.0, "25-34", "female", 99),  # refunded: not a buyer
]
# org_id, survey_id, question_id, kind, scale_min, scale_max, choice_options. Survey s1 has an NPS
# question (its primary) and two rating questions (r1 is its main rating); survey s2 has none, so
# its primary question is its first (b) and its main rating r1 on a 1-10 scale.
QUESTIONS = [
    ("o1", "s1", "nps", "nps", 0, 10, None),
    ("o1", "s1", "r1", "rating", 1, 5, None),
    ("o1", "s1", "r2", "rating", 1, 7, None),
    ("o1", "s1", "where", "choice", None, None, "Avis|Facebook|Venner"),
    ("o2", "s2", "b", "choice", None, None, "Ja|Nei"),
    ("o2", "s2", "r1", "rating", 1, 10, None),
]
# respondent, org_id, survey_id, question_id, event_sk, number, option, age_group, gender
ANSWERS = [
    (1, "o1", "s1", "nps", 1, 10, None, "25-34", "female"), (1, "o1", "s1", "r1", 1, 5, None, "25-34", "female"),
    (1, "o1", "s1", "r2", 1, 2, None, "25-34", "female"), (1, "o1", "s1", "where", 1, None, "Avis", "25-34", "female"),
    (2, "o1", "s1", "nps", 1, 8, None, "18-24", "male"), (2, "o1", "s1", "r1", 1, 3, None, "18-24", "male"),
    (2, "o1", "s1", "where", 1, None, "Venner", "18-24", "male"),
    (3, "o1", "s1", "nps", None, 3, None, "unknown", "unknown"),
    (3, "o1", "s1", "where", None, None, "Venner", "unknown", "unknown"),
    (4, "o1", "s1", "nps", 1, 9, None, "45-54", "male"), (4, "o1", "s1", "r1", 1, 4, None, "45-54", "male"),
    (5, "o2", "s2", "b", 2, None, "Ja", "0-17", "female"), (5, "o2", "s2", "r1", 2, 7, None, "0-17", "female"),
    (6, "o2", "s2", "b", 2, None, "Nei", "unknown", "unknown"), (6, "o2", "s2", "r1", 2, 10, None, "unknown", "unknown"),
    (7, "o2", "s2", "r1", 2, 1, None, "75+", "female"),
]


@pytest.fixture(scope="module")
def db() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(":memory:")
    for statement in DDL:
        con.execute(statement)
    con.executemany("INSERT INTO organizations VALUES (?, ?, ?, ?, ?, NULL)", ORGS)
    for sk, org, eid, start, region, etype, ecat in EVENTS:
        con.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'org', ?, ?, 'source', NULL, NULL, NULL, NULL)",
            [sk, org, eid, f"{eid} of {org}", start, start, start.date(), region[:2], region, etype, ecat],
        )
    for key, sk, org, at, tickets, eur, age, gender, rk in BUYERS:
        con.execute(
            "INSERT INTO buyer_rows VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, 'NO', 'NO-03', NULL,"
            " 'city', 'medium', 'high', 'apartment', ?, ?, '1', '0-49', ?, ?, '1-6', ?)",
            [bytes([key]), sk, org, at, at, tickets, eur * 10, eur, age, gender, rk,
             STATUS[key % len(STATUS)], int(key != 2), 3 * key, SURVEYED[key % len(SURVEYED)]],
        )
    con.executemany("INSERT INTO survey_questions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(o, sv, q, k, lo, hi, f"{q}?", opts) for o, sv, q, k, lo, hi, opts in QUESTIONS])
    for n, (who, org, sv, q, sk, number, option, age, gender) in enumerate(ANSWERS):
        at = datetime(2025, 4, 6, 10, n)
        con.execute(
            "INSERT INTO survey_answer_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'NO', 'NO-03', 'city',"
            " 'medium', 'high', 'apartment', 'returning', ?)",
            [bytes([who]), org, sv, q, sk, at, at, number, option, sk is not None, age, gender, 17 * n % 256],
        )
    con.executemany("INSERT INTO regions VALUES (?, ?, ?, ?, NULL)", [
        ("NO", "NO-03", "Oslo", "Oslo"), ("NO", "NO-46", "Vestland", "Vestland"),
        ("SE", "SE-AB", "Stockholms län", "Stockholm County"),
    ])
    yield con
    con.close()


def run(db: duckdb.DuckDBPyConnection, catalog: Catalog, query: Query) -> list[dict[str, Any]]:
    compiled = compile_query(catalog, query)
    cur = db.execute(compiled.sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def oracle(db: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return db.execute(sql).fetchall()


ORACLES = {  # hand-written SQL over the base table, no view, no model
    "buyers": "SELECT count(*) FROM buyer_rows WHERE tickets > 0",
    "events": "SELECT count(DISTINCT event_sk) FROM buyer_rows WHERE tickets > 0",
    "organizations": "SELECT count(DISTINCT org_id) FROM buyer_rows WHERE tickets > 0",
    "tickets": "SELECT sum(tickets) FROM buyer_rows WHERE tickets > 0",
    "revenue_eur": "SELECT sum(amount_eur) FROM buyer_rows WHERE tickets > 0",
    "male_buyers": "SELECT count(*) FROM buyer_rows WHERE tickets > 0 AND gender = 'male'",
    "female_buyers": "SELECT count(*) FROM buyer_rows WHERE tickets > 0 AND gender = 'female'",
    "young_buyers": "SELECT count(*) FROM buyer_rows WHERE tickets > 0 AND age_group IN ('0-17', '18-24')",
    "tickets_per_buyer": "SELECT sum(tickets) / count(*) FROM buyer_rows WHERE tickets > 0",
    "revenue_per_buyer_eur": "SELECT sum(amount_eur) / count(*) FROM buyer_rows WHERE tickets > 0",
    "revenue_per_ticket_eur": "SELECT sum(amount_eur) / sum(tickets) FROM buyer_rows WHERE tickets > 0",
    "buyers_share": "SELECT 1.0",
    "female_share": "SELECT avg(CASE WHEN gender = 'female' THEN 1.0 ELSE 0 END) FROM buyer_rows WHERE tickets > 0",
    "male_share": "SELECT avg(CASE WHEN gender = 'male' THEN 1.0 ELSE 0 END) FROM buyer_rows WHERE tickets > 0",
    "young_share": "SELECT avg(CASE WHEN age_group IN ('0-17', '18-24') THEN 1.0 ELSE 0 END) FROM buyer_rows WHERE tickets > 0",
    "first_time_buyers": "SELECT count(*) FROM buyer_rows WHERE tickets > 0 AND customer_status = 'first_time'",
    "returning_buyers": "SELECT count(*) FROM buyer_rows WHERE tickets > 0 AND customer_status = 'returning'",
    "returning_share": "SELECT count(*) FILTER (WHERE customer_status = 'returning') / "
                       "count(*) FILTER (WHERE customer_status <> 'unknown') FROM buyer_rows WHERE tickets > 0",
    "avg_lead_time_days": "SELECT avg(lead_time_days) FROM buyer_rows WHERE tickets > 0",
    "tickets_share": "SELECT 1.0",
    "customers": "SELECT sum(customer_count) FROM buyer_rows WHERE tickets > 0",
    "surveyed_buyers": "SELECT count(*) FROM buyer_rows WHERE tickets > 0 AND survey_status <> 'not_surveyed'",
    "response_rate": "SELECT count(*) FILTER (WHERE survey_status = 'responded') / "
                     "count(*) FILTER (WHERE survey_status IN ('responded', 'surveyed')) FROM buyer_rows WHERE tickets > 0",
}
# Survey metrics: over the base tables. The NPS question of a survey is its primary question, else
# its smallest question id; its main rating is its smallest rating question id.
_ANSWERS = "survey_answer_rows a JOIN survey_questions q USING (org_id, survey_id, question_id)"
_MAIN_RATING = (f"FROM {_ANSWERS} WHERE q.question_id = (SELECT min(question_id) FROM survey_questions x "
                "WHERE x.org_id = q.org_id AND x.survey_id = q.survey_id AND x.kind = 'rating')")
_SCORE = "100.0 * (a.value_number - q.scale_min) / (q.scale_max - q.scale_min)"
_NPS = f"FROM {_ANSWERS} WHERE q.kind = 'nps'"
ORACLES.update({
    "answers": "SELECT count(*) FROM survey_answer_rows",
    "answers_share": "SELECT 1.0",
    "respondents": f"""SELECT count(*) FROM {_ANSWERS} WHERE q.kind = 'nps' OR (q.question_id = (
        SELECT min(question_id) FROM survey_questions x WHERE x.org_id = q.org_id AND x.survey_id = q.survey_id)
        AND NOT EXISTS (SELECT 1 FROM survey_questions x WHERE x.org_id = q.org_id
                        AND x.survey_id = q.survey_id AND x.kind = 'nps'))""",
    "nps_respondents": f"SELECT count(*) {_NPS}",
    "nps": f"SELECT 100.0 * (count(*) FILTER (WHERE a.value_number >= 9) "
           f"- count(*) FILTER (WHERE a.value_number <= 6)) / count(*) {_NPS}",
    "promoters": f"SELECT avg(CASE WHEN a.value_number >= 9 THEN 1.0 ELSE 0 END) {_NPS}",
    "passives": f"SELECT avg(CASE WHEN a.value_number IN (7, 8) THEN 1.0 ELSE 0 END) {_NPS}",
    "detractors": f"SELECT avg(CASE WHEN a.value_number <= 6 THEN 1.0 ELSE 0 END) {_NPS}",
    "avg_rating": f"SELECT avg(a.value_number) {_MAIN_RATING}",
    "rating_mean_square": f"SELECT avg(a.value_number ^ 2) {_MAIN_RATING}",
    "rating_respondents": f"SELECT count(*) {_MAIN_RATING}",
    "satisfaction_score": f"SELECT avg({_SCORE}) {_MAIN_RATING}",
    "satisfaction_mean_square": f"SELECT avg(({_SCORE}) ^ 2) {_MAIN_RATING}",
})
#: Computed after protection from the population (resolvers/privacy/population.py; tests/api/test_loyalty.py).
POPULATION_METRICS = {"buyers_per_1000_inhabitants", "customers_per_1000_inhabitants", "audience_index"}


def test_every_metric_has_an_oracle(catalog: Catalog) -> None:
    assert {m.name for m in catalog.metrics()} == set(ORACLES) | POPULATION_METRICS
    assert all(catalog.metric(m).uses_population for m in POPULATION_METRICS)


@pytest.mark.parametrize("metric", sorted(ORACLES))
def test_metric_matches_oracle(db: duckdb.DuckDBPyConnection, catalog: Catalog, metric: str) -> None:
    compiled = compile_query(catalog, Query((metric,)))
    [row] = run(db, catalog, Query((metric,)))
    values = {m: row[alias] for m, alias in compiled.measure_columns.items()}
    value = evaluate(catalog, metric, values, totals=values)
    [(expected,)] = oracle(db, ORACLES[metric])
    assert value == pytest.approx(float(expected))


def test_nps_by_age_group_matches_oracle(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """A buyer dimension applies to survey answers through the respondent's linked buyer row."""
    rows = run(db, catalog, Query(("nps",), (GroupBy("age_group"),)))
    got = {r["d_age_group"]: evaluate(catalog, "nps", {"nps_points": r["m_nps_points"],
                                                       "nps_answers": r["m_nps_answers"]}, None)
           for r in rows if r["m_nps_answers"]}
    expected = oracle(db, f"""SELECT a.age_group, 100.0 * (count(*) FILTER (WHERE a.value_number >= 9)
        - count(*) FILTER (WHERE a.value_number <= 6)) / count(*) {_NPS} GROUP BY 1""")
    assert got == pytest.approx(dict(expected))


def test_answer_distribution_of_one_question_matches_oracle(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    rows = run(db, catalog, Query(("answers",), (GroupBy("answer"),),
                                  filters=(Filter("survey_question", "equals", ("o1:s1:where",)),)))
    got = {r["d_answer"]: r["m_answers"] for r in rows}
    expected = oracle(db, "SELECT value_option, count(*) FROM survey_answer_rows WHERE question_id = 'where' GROUP BY 1")
    assert got == dict(expected) == {"Avis": 1, "Venner": 2}


def test_buyer_and_survey_metrics_do_not_mix(catalog: Catalog) -> None:
    with pytest.raises(QueryError, match="come from different data") as info:
        compile_query(catalog, Query(("buyers", "nps")))
    assert "separate queries" in (info.value.hint or "")


def test_buyers_by_region_and_month_matches_oracle(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    rows = run(db, catalog, Query(("buyers",), (GroupBy("region"), GroupBy("purchased_at", "month"))))
    got = [(r["d_region"], r["d_purchased_at__month"], r["m_buyers"]) for r in rows]
    expected = oracle(db, """
        SELECT e.region, make_date(year(b.first_purchased_at_local), month(b.first_purchased_at_local), 1), count(*)
        FROM buyer_rows b JOIN events e USING (event_sk) WHERE b.tickets > 0
        GROUP BY ALL ORDER BY 1, 2""")
    assert got == expected


def test_week_starts_on_monday(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    rows = run(db, catalog, Query(("buyers",), (GroupBy("purchased_at", "week"),)))
    assert {r["d_purchased_at__week"]: r["m_buyers"] for r in rows} == {
        date(2024, 12, 30): 2,  # Tue 2024-12-31 and Wed 2025-01-01 share the week across the year
        date(2025, 2, 24): 2,  # Sunday 2025-03-02 (noon and 23:59:59) belongs to the week before
        date(2025, 3, 3): 1,  # Monday 00:00 opens a new week
        date(2025, 3, 24): 1,  # the DST night 2025-03-30 02:30 is a Sunday
    }
    assert all(type(r["d_purchased_at__week"]) is date for r in rows)


def test_day_of_dst_night(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    rows = run(db, catalog, Query(("buyers",), (GroupBy("purchased_at", "day"),),
                                  filters=(Filter("purchased_at", "equals", ("2025-03-30",)),)))
    assert [(r["d_purchased_at__day"], r["m_buyers"]) for r in rows] == [(date(2025, 3, 30), 1)]


def test_iso_weekday(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    rows = run(db, catalog, Query(("buyers",), (GroupBy("purchased_at", date_part="weekday"),)))
    assert [(r["d_purchased_at__weekday"], r["m_buyers"]) for r in rows] == [(1, 1), (2, 1), (3, 1), (7, 3)]


def test_hour_0_to_23(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    rows = run(db, catalog, Query(("buyers",), (GroupBy("purchased_at", date_part="hour"),)))
    assert [(r["d_purchased_at__hour"], r["m_buyers"]) for r in rows] == [(0, 2), (2, 1), (12, 1), (23, 2)]


def test_month_quarter_year_parts(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    for part, expected in (("month", {1: 1, 3: 4, 12: 1}), ("quarter", {1: 5, 4: 1}),
                           ("year", {2024: 1, 2025: 5})):
        rows = run(db, catalog, Query(("buyers",), (GroupBy("purchased_at", date_part=part),)))
        assert {r[f"d_purchased_at__{part}"]: r["m_buyers"] for r in rows} == expected


def test_time_range_is_inclusive_local_dates(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    one_day = Query(("buyers",), time_range=TimeRange(date(2025, 3, 2), date(2025, 3, 2)))
    assert run(db, catalog, one_day)[0]["m_buyers"] == 2  # 12:00 and 23:59:59, not Monday 00:00
    open_start = Query(("buyers",), time_range=TimeRange(None, date(2024, 12, 31)))
    assert run(db, catalog, open_start)[0]["m_buyers"] == 1
    on_events = Query(("buyers",), time_range=TimeRange(date(2025, 3, 1), date(2025, 4, 5), "event_date"))
    assert run(db, catalog, on_events)[0]["m_buyers"] == 4  # events 1 (Apr 5, 19:00) and 2


def test_filters(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    def count(*filters: Filter) -> int:
        return int(run(db, catalog, Query(("buyers",), filters=filters))[0]["m_buyers"])

    assert count(Filter("gender", "in", ("female",))) == 3
    assert count(Filter("gender", "not_in", ("female", "unknown"))) == 2
    assert count(Filter("country", "equals", ("NO",))) == 4
    assert count(Filter("region", "in", ("NO-46", "SE-AB")), Filter("age_group", "in", ("75+",))) == 1
    assert count(Filter("purchased_at", "gte", ("2025-03-03",))) == 2
    assert count(Filter("purchased_at", "lte", ("2025-03-02",))) == 4
    assert count(Filter("purchased_at", "in", ("2025-03-02", "2025-03-30"))) == 3
    assert count(Filter("event", "in", ("E1",)), Filter("organization", "in", ("o1",))) == 2


def test_org_scope_and_exclusion(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    def buyers(**kw: object) -> int:
        rows = run(db, catalog, Query(("buyers",), **kw))  # type: ignore[arg-type]
        return int(rows[0]["m_buyers"]) if rows else 0

    assert buyers(org_ids=("o1",)) == 2
    assert buyers(org_ids=("o1", "o3"), exclude_org_ids=("o1",)) == 2
    assert buyers(exclude_org_ids=("o2",)) == 4
    assert buyers(org_ids=()) == 0


def test_privacy_columns(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    query = Query(("female_buyers", "buyers", "tickets", "revenue_eur", "events"), (GroupBy("country"),),
                  extra_group_by=("organization",))
    compiled = compile_query(catalog, query)
    assert compiled.privacy_columns == ("p_n", "p_ck_female_buyers", "p_ck_buyers", "p_max_tickets",
                                        "p_max_revenue_eur")
    assert compiled.dimension_columns == ("d_country", "d_organization")
    assert compiled.hidden_dimension_columns == ("d_organization",)
    rows = {r["d_organization"]: r for r in run(db, catalog, query)}
    o1, o2 = rows["o1"], rows["o2"]
    assert (o1["p_n"], o1["p_ck_buyers"], o1["p_ck_female_buyers"]) == (2, 300, 200)
    assert (o2["p_ck_buyers"], o2["p_ck_female_buyers"], o2["p_max_tickets"]) == (262, 255, 4)
    assert o2["p_max_revenue_eur"] == 150.0
    assert type(o1["p_ck_buyers"]) is int and type(o1["m_tickets"]) is int


def test_cell_key_of_empty_filtered_count_is_null(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    [row] = run(db, catalog, Query(("male_buyers",), org_ids=("o2",)))
    assert (row["m_male_buyers"], row["p_ck_male_buyers"]) == (0, None)


def test_default_order_is_bucket_order_and_limit(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    rows = run(db, catalog, Query(("buyers",), (GroupBy("age_group"),)))
    assert [r["d_age_group"] for r in rows] == ["0-17", "18-24", "25-34", "45-54", "75+", "unknown"]
    rows = run(db, catalog, Query(("tickets_per_buyer",), (GroupBy("organization"),),
                                  order_by=(OrderBy("tickets_per_buyer", descending=True),), limit=2))
    assert [r["d_organization"] for r in rows] == ["o2", "o3"]  # 2.5, 2.5 tie broken by org, then 1.5
    rows = run(db, catalog, Query(("buyers",), (GroupBy("gender"),), order_by=(OrderBy("gender", True),)))
    assert [r["d_gender"] for r in rows] == ["unknown", "female", "male"]


def test_joins_only_what_is_needed(catalog: Catalog) -> None:
    def joined(query: Query) -> list[str]:
        return [j.this.name for j in compile_query(catalog, query).expression.args.get("joins") or []]

    assert joined(Query(("buyers", "tickets"), (GroupBy("gender"),), org_ids=("o1",))) == []
    assert joined(Query(("buyers",), (GroupBy("organization"),))) == []
    assert joined(Query(("buyers",), (GroupBy("region"),))) == ["events"]
    assert joined(Query(("buyers",), filters=(Filter("org_type", "in", ("music",)),))) == ["organizations"]
    assert joined(Query(("buyers",), time_range=TimeRange(date(2025, 1, 1), None, "event_date"))) == ["events"]


def test_totals_and_share(db: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    metrics = ("buyers_share",)
    cells = run(db, catalog, Query(metrics, (GroupBy("gender"),)))
    [totals] = run(db, catalog, Query(metrics))
    measures = measures_for(catalog, metrics)
    total_values = {m: totals[f"m_{m}"] for m in measures}
    shares = {c["d_gender"]: evaluate(catalog, "buyers_share", {m: c[f"m_{m}"] for m in measures}, total_values)
              for c in cells}
    assert shares == {"male": pytest.approx(2 / 6), "female": pytest.approx(3 / 6), "unknown": pytest.approx(1 / 6)}


@pytest.mark.parametrize(("spark_dow", "iso"), [(1, 7), (2, 1), (3, 2), (4, 3), (5, 4), (6, 5), (7, 6)])
def test_spark_weekday_is_iso(catalog: Catalog, spark_dow: int, iso: int) -> None:
    """Spark's dayofweek is Sunday = 1; the emitted arithmetic must map it to ISO."""
    compiled = compile_query(catalog, Query(("buyers",), (GroupBy("purchased_at", date_part="weekday"),)), "spark")
    weekday = compiled.expression.expressions[0].this.copy()
    weekday = weekday.transform(
        lambda n: exp.Literal.number(spark_dow) if isinstance(n, exp.Anonymous) and n.name.lower() == "dayofweek" else n
    )
    result = duckdb.sql(f"SELECT {weekday.sql('duckdb')}")
    assert result is not None and result.fetchall() == [(iso,)]
