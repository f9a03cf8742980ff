"""Demo survey answers: valid, linked to real purchases, and satisfaction differs as intended.

Everything is computed by hand with DuckDB from the raw files the generator writes (not with
the project's ingest). NPS is % promoters (9–10) minus % detractors (0–6) of the answers to
``nps`` questions; an answer's event type is its event's ``event_type`` in the transactions
(local spellings mapped back to the contract's code), so only linked answers to events that
carry a type count.

Which preset: the files' structure, validity, links and planted rows are checked on ``small``
(seed 42; about 2,000 responses). The patterns are checked on ``medium`` (seed 42; about
85,000 responses), the preset ``make demo`` shows: in ``small`` a type's answers come from one
to four organizations and 10–600 answers, so over seeds 1–20 its NPS by type strayed up to 26
points from the intent and the age and organization effects were sometimes lost in the noise.

Tolerance of NPS by event type: the generator solves each type's level so that the *expected*
NPS over all the type's respondents is ``INTENDED_NPS`` (see ``warehouse.demo.surveys``).
What the test measures differs from that in two ways:

* sampling: a type's NPS over ``n`` answers has a standard error of
  ``100 × sqrt((p + d − (p − d)²) / n)`` (``p``, ``d`` the promoter and detractor shares):
  0.5–3 points in ``medium`` for types with 1,000+ answers, 5–8 for talks and "other";
* which organizations count: a fifth of the organizations export no event types, so their
  answers cannot be attributed here, and each organization has its own offset (about ±12 NPS
  points, the organization effect the demo is meant to show), so the attributed answers of a
  type are not quite the population the level was solved for.

So a type with at least ``MIN_ANSWERS`` attributed answers must be within ``3 × se + BIAS``
of its intended NPS, ``BIAS`` = 5 points. Over seeds 1–5 and 42 of ``medium`` the largest
deviation of a type with 1,000+ answers was 3.8 points (standup, se 2.6) and the largest in
standard errors was plays' +3.3 at se 0.6 (the organization effect); talks and "other" (about
100–200 answers) strayed up to 8 points at se 5–6. The order is checked on every pair of
types with 1,000+ answers whose intended NPS differ by at least ``ORDER_GAP`` (10 points:
twice the bias allowance), and overall as a rank correlation.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from warehouse.demo import INTENDED_NPS, DemoFiles, generate
from warehouse.demo.kinds import EVENT_TYPE_SPELLINGS
from warehouse.demo.surveys import QUESTION_COLUMNS, RESPONSE_COLUMNS, SURVEY_START, TEXTS

CSV = "header=true, delim=',', quote='\"', escape='\"', all_varchar=true"
MIN_ANSWERS = 200
BIAS = 5.0
ORDER_GAP = 10
ORDER_ANSWERS = 1_000
TZ = {"NO": "Europe/Oslo", "SE": "Europe/Stockholm", "DK": "Europe/Copenhagen",
      "FI": "Europe/Helsinki", "IS": "Atlantic/Reykjavik"}
NPS = "100.0 * (avg((score >= 9)::INT) - avg((score <= 6)::INT))"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")

SETUP = """
CREATE TABLE tz AS SELECT * FROM (VALUES {tz}) v(country, zone);
CREATE TABLE orgs AS SELECT o.org_id, o.country, tz.zone FROM o JOIN tz USING (country);
-- Rows of the transactions a correct ingest keeps: one per (org_id, transaction_id), no bad row.
CREATE TABLE txn AS
SELECT org_id, transaction_id, any_value(event_id) AS event_id,
       any_value(event_start)::TIMESTAMP AS event_start, any_value(event_type) AS event_type,
       any_value(customer_id) AS customer_id, any_value(try_cast(tickets AS INTEGER)) AS tickets,
       any_value(birth_year)::INTEGER AS birth_year,
       any_value(CASE WHEN purchased_at LIKE '%Z' OR purchased_at LIKE '%+__:__'
                      THEN try_cast(purchased_at AS TIMESTAMPTZ) AT TIME ZONE orgs.zone
                      ELSE try_cast(purchased_at AS TIMESTAMP) END) AS purchased
FROM t JOIN orgs USING (org_id) ANTI JOIN bad_txn USING (org_id, transaction_id)
GROUP BY org_id, transaction_id;
-- Buyer rows: a customer x an event with net tickets > 0, and when they last bought.
CREATE TABLE buyers AS
SELECT org_id, event_id, customer_id, any_value(birth_year) AS birth_year,
       max(purchased) FILTER (WHERE tickets > 0) AS last_purchase
FROM txn WHERE customer_id IS NOT NULL GROUP BY ALL HAVING sum(tickets) > 0;
CREATE TABLE events AS
SELECT org_id, event_id, any_value(event_start) AS event_start,
       any_value(s.code) AS event_type
FROM txn LEFT JOIN spellings s ON s.written = lower(txn.event_type) GROUP BY ALL;
-- Answers a correct ingest keeps: no planted bad row, exact duplicates once.
CREATE TABLE answers AS
SELECT DISTINCT r.*, q.kind, orgs.zone,
       r.answered_at::TIMESTAMPTZ AT TIME ZONE orgs.zone AS answered_local
FROM r JOIN q USING (org_id, survey_id, question_id) JOIN orgs USING (org_id)
ANTI JOIN bad_answers USING (org_id, response_id, question_id);
CREATE TABLE nps AS
SELECT a.org_id, a.response_id, a.customer_id, a.value::INTEGER AS score, e.event_type,
       2025 - b.birth_year AS age
FROM answers a LEFT JOIN events e USING (org_id, event_id)
LEFT JOIN buyers b USING (org_id, event_id, customer_id)
WHERE a.kind = 'nps';
"""


def _load(files: DemoFiles) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute(f"CREATE TABLE o AS SELECT * FROM read_csv(?, {CSV})", [str(files.organizations)])
    c.execute("CREATE TABLE t AS SELECT org_id, transaction_id, event_id, event_start, "
              "event_type, customer_id, tickets, birth_year, purchased_at "
              f"FROM read_csv(?, {CSV})", [[str(p) for p in files.transactions]])
    c.execute(f"CREATE TABLE q AS SELECT * FROM read_csv(?, {CSV})",
              [str(files.survey_questions)])
    c.execute(f"CREATE TABLE r AS SELECT * FROM read_csv(?, {CSV}, filename=true)",
              [[str(p) for p in files.survey_responses]])
    c.execute("CREATE TABLE spellings (written VARCHAR, code VARCHAR)")
    c.executemany("INSERT INTO spellings VALUES (?, ?)",
                  [(w.lower(), code) for code in INTENDED_NPS
                   for w in (code, *EVENT_TYPE_SPELLINGS.get(code, {}).values())])
    e = files.expected
    c.execute("CREATE TABLE bad_txn (org_id VARCHAR, transaction_id VARCHAR)")
    c.executemany("INSERT INTO bad_txn VALUES (?, ?)",
                  [k for kind, keys in e["bad_row_keys"].items()
                   if kind != "conflicting_duplicate" for k in keys])
    c.execute("CREATE TABLE bad_answers (org_id VARCHAR, response_id VARCHAR, "
              "question_id VARCHAR)")
    c.executemany("INSERT INTO bad_answers VALUES (?, ?, ?)",
                  [k for keys in e["survey_bad_row_keys"].values() for k in keys])
    tz = ", ".join(f"('{k}', '{v}')" for k, v in TZ.items())
    for statement in SETUP.format(tz=tz).split(";"):
        if statement.strip():
            c.execute(statement)
    return c


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate(tmp_path_factory.mktemp("demo_surveys"), size="small", seed=42)


@pytest.fixture(scope="module")
def con(files: DemoFiles) -> duckdb.DuckDBPyConnection:
    return _load(files)


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """The preset ``make demo`` shows (about 85,000 responses; 15-20 seconds with the load)."""
    return generate(tmp_path_factory.mktemp("demo_surveys_medium"), size="medium", seed=42)


@pytest.fixture(scope="module")
def mcon(medium: DemoFiles) -> duckdb.DuckDBPyConnection:
    return _load(medium)


def nps_by_type(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, float]]:
    """Per event type: answers, NPS, its standard error, promoter and detractor shares, sd."""
    rows = con.execute(f"""
        SELECT event_type, count(*), {NPS}, avg((score >= 9)::INT), avg((score <= 6)::INT),
               stddev_samp(score)
        FROM nps WHERE event_type IS NOT NULL GROUP BY event_type""").fetchall()
    out = {}
    for event_type, n, nps, p, d, sd in rows:
        se = 100 * math.sqrt(max(p + d - (p - d) ** 2, 0.01) / n)
        out[event_type] = {"n": n, "nps": nps, "se": se, "promoters": p, "detractors": d,
                           "sd": sd or 0.0}
    return out


def test_result_object_names_the_survey_files(files: DemoFiles) -> None:
    assert files.survey_questions.name == "survey_questions.csv"
    assert [p.name for p in files.survey_responses] == sorted(
        files.expected["survey_rows_per_file"])
    assert {p.name for p in files.survey_responses} == {"survey_responses_2025.csv",
                                                       "survey_responses_2026.csv"}


def test_files_have_exactly_the_contract_columns(files: DemoFiles) -> None:
    with files.survey_questions.open(encoding="utf-8") as fh:
        assert fh.readline().rstrip("\n").split(",") == list(QUESTION_COLUMNS)
    for path in files.survey_responses:
        with path.open(encoding="utf-8") as fh:
            assert fh.readline().rstrip("\n").split(",") == list(RESPONSE_COLUMNS)


def test_questions_per_organization_in_its_language(files: DemoFiles,
                                                    con: duckdb.DuckDBPyConnection) -> None:
    e = files.expected
    assert con.execute("SELECT count(*) FROM q").fetchone() == (e["survey_questions"],)
    per_org = con.execute("""
        SELECT org_id, count(DISTINCT survey_id), list(kind ORDER BY kind),
               list(scale_min ORDER BY kind), list(scale_max ORDER BY kind),
               any_value(choice_options) FILTER (WHERE kind = 'choice'),
               any_value(text) FILTER (WHERE kind = 'nps'), any_value(country)
        FROM q JOIN orgs USING (org_id) GROUP BY org_id""").fetchall()
    assert len(per_org) == e["survey_organizations"]
    assert e["survey_organizations"] >= 0.75 * e["organizations"]
    language = {"NO": ["nb"], "SE": ["sv"], "DK": ["da"], "FI": ["fi", "sv"], "IS": ["is"]}
    for org_id, surveys, kinds, mins, maxs, options, nps_text, country in per_org:
        assert surveys == 1, org_id
        assert kinds == ["choice", "nps", "rating"]
        assert mins == [None, "0", "1"] and maxs == [None, "10", "5"]
        matches = [lang for lang in language[country]
                   if TEXTS[lang][0] == nps_text and "|".join(TEXTS[lang][3]) == options]
        assert matches, (org_id, nps_text, options)
    # Choice options and scales are empty where the contract says so.
    assert con.execute("SELECT count(*) FROM q WHERE (kind = 'choice') <> "
                       "(choice_options IS NOT NULL)").fetchone() == (0,)


def test_row_counts_and_planted_rows_match_expected(files: DemoFiles,
                                                   con: duckdb.DuckDBPyConnection) -> None:
    e = files.expected
    per_file = dict(con.execute(
        "SELECT parse_filename(filename), count(*) FROM r GROUP BY 1").fetchall())
    assert per_file == e["survey_rows_per_file"]
    assert sum(per_file.values()) == e["survey_rows_written"] == (
        e["survey_answers"] + e["survey_exact_duplicates"] + e["survey_bad_rows_total"])
    total, distinct = con.execute(
        "SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT * EXCLUDE (filename) FROM r)) "
        "FROM r").fetchone() or ()
    assert total - distinct == e["survey_exact_duplicates"]
    assert 0.002 <= e["survey_exact_duplicates"] / e["survey_answers"] <= 0.004
    keys = e["survey_bad_row_keys"]
    assert {k: len(v) for k, v in keys.items()} == e["survey_bad_rows"]
    # What makes each planted row bad.
    for org_id, response_id, question_id in keys["nps_out_of_range"]:
        assert con.execute(
            "SELECT kind, try_cast(value AS INTEGER) NOT BETWEEN 0 AND 10 FROM r "
            "JOIN q USING (org_id, survey_id, question_id) WHERE org_id = ? AND "
            "response_id = ? AND question_id = ?",
            [org_id, response_id, question_id]).fetchall() == [("nps", True)]
    for org_id, response_id, question_id in keys["unknown_option"]:
        assert con.execute(
            "SELECT kind, list_contains(string_split(choice_options, '|'), value) FROM r "
            "JOIN q USING (org_id, survey_id, question_id) WHERE org_id = ? AND "
            "response_id = ? AND question_id = ?",
            [org_id, response_id, question_id]).fetchall() == [("choice", False)]
    for key in keys["conflicting_duplicate"]:
        values = con.execute(
            "SELECT count(*), count(DISTINCT value), count(DISTINCT answered_at) FROM r "
            "WHERE org_id = ? AND response_id = ? AND question_id = ?", key).fetchone() or ()
        assert values == (2, 2, 1), key
    # Every (org, response, question) is answered once, the conflicting ones aside.
    repeated = con.execute("""
        SELECT org_id, response_id, question_id FROM (SELECT DISTINCT * EXCLUDE (filename) FROM r)
        GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL""").fetchall()
    assert repeated == sorted(map(tuple, keys["conflicting_duplicate"]))
    # Clean answers and responses.
    answers, responses, linked, unlinked = con.execute("""
        SELECT count(*), count(DISTINCT (org_id, response_id)),
               count(*) FILTER (WHERE customer_id IS NOT NULL),
               count(*) FILTER (WHERE customer_id IS NULL) FROM answers""").fetchone() or ()
    conflicts = e["survey_bad_rows"]["conflicting_duplicate"]
    assert answers + conflicts == e["survey_answers"]
    assert responses == e["survey_responses"]
    assert linked + unlinked + conflicts == e["survey_answers"]
    assert abs(linked - e["survey_linked_answers"]) <= conflicts


def test_every_value_that_is_not_planted_is_valid(files: DemoFiles,
                                                  con: duckdb.DuckDBPyConnection) -> None:
    invalid = con.execute("""
        SELECT r.org_id, r.response_id, r.question_id FROM r
        JOIN q USING (org_id, survey_id, question_id)
        WHERE NOT CASE WHEN kind = 'choice'
                       THEN list_contains(string_split(choice_options, '|'), value)
                       ELSE regexp_full_match(value, '-?[0-9]+')
                            AND value::INTEGER BETWEEN scale_min::INTEGER AND scale_max::INTEGER
                  END
        ORDER BY ALL""").fetchall()
    keys = files.expected["survey_bad_row_keys"]
    assert invalid == sorted(map(tuple, keys["nps_out_of_range"] + keys["unknown_option"]))
    # Every answer names a question of its organization's survey.
    assert con.execute("SELECT count(*) FROM r ANTI JOIN q USING (org_id, survey_id, "
                       "question_id)").fetchone() == (0,)
    for (stamp,) in con.execute("SELECT DISTINCT answered_at FROM r USING SAMPLE 2000 ROWS "
                                "(reservoir, 1)").fetchall():
        assert TIMESTAMP.match(stamp), stamp


def test_a_response_is_one_submission(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE surveys > 1 OR events > 1 OR customers > 1
                                                OR times > 1 OR nps_answers <> 1
                                                OR linked_mixed)
        FROM (SELECT org_id, response_id, count(DISTINCT survey_id) AS surveys,
                     count(DISTINCT event_id) AS events, count(DISTINCT customer_id) AS customers,
                     count(DISTINCT answered_at) AS times,
                     count(*) FILTER (WHERE kind = 'nps') AS nps_answers,
                     count(DISTINCT (event_id IS NULL, customer_id IS NULL)) > 1
                         OR bool_or((event_id IS NULL) <> (customer_id IS NULL)) AS linked_mixed
              FROM answers ANTI JOIN bad_answers USING (org_id, response_id)  -- conflicts
              GROUP BY ALL)""").fetchone() or ()
    assert rows[0] > 1_000 and rows[1] == 0


def test_linked_answers_are_real_purchases_from_october_2025(
        con: duckdb.DuckDBPyConnection) -> None:
    linked, unknown_buyer, too_early, outside, share = con.execute("""
        WITH a AS (
            SELECT DISTINCT org_id, response_id, event_id, customer_id, answered_local
            FROM answers WHERE event_id IS NOT NULL
        )
        SELECT count(*),
               count(*) FILTER (WHERE b.customer_id IS NULL),
               count(*) FILTER (WHERE e.event_start < TIMESTAMP '2025-10-01'),
               count(*) FILTER (WHERE date_diff('day', greatest(e.event_start,
                                                                b.last_purchase)::DATE,
                                                answered_local::DATE) NOT BETWEEN 1 AND 14),
               count(*) / (SELECT count(DISTINCT (org_id, response_id)) FROM answers)
        FROM a LEFT JOIN buyers b USING (org_id, event_id, customer_id)
        LEFT JOIN events e USING (org_id, event_id)""").fetchone() or ()
    assert linked > 1_000
    assert unknown_buyer == 0
    assert too_early == 0
    assert outside == 0
    assert 0.85 <= share <= 0.95  # about 10 % of the submissions are not tied to a purchase
    start = str(SURVEY_START).replace("T", " ")
    assert con.execute("SELECT min(answered_local) >= ?::TIMESTAMP, max(answered_local) < "
                       "TIMESTAMP '2026-11-01' FROM answers", [start]).fetchone() == (True, True)


def test_response_rates_are_a_share_of_buyers(mcon: duckdb.DuckDBPyConnection) -> None:
    # Events up to September 2026, whose answers (up to 14 days later) are all in the files.
    per_org = mcon.execute("""
        WITH surveyed AS (
            SELECT DISTINCT org_id FROM q
        ), eligible AS (
            SELECT b.org_id, count(*) AS buyers FROM buyers b JOIN events e USING (org_id, event_id)
            JOIN surveyed USING (org_id)
            WHERE e.event_start >= TIMESTAMP '2025-10-01' AND e.event_start < TIMESTAMP '2026-10-01'
            GROUP BY ALL
        ), answered AS (  -- linked responses to those events (90 % of all)
            SELECT org_id, count(DISTINCT response_id) AS responses
            FROM answers JOIN events e USING (org_id, event_id)
            WHERE e.event_start < TIMESTAMP '2026-10-01' GROUP BY ALL
        )
        SELECT org_id, buyers, responses FROM eligible JOIN answered USING (org_id)
        WHERE buyers >= 1000""").fetchall()
    assert len(per_org) >= 50
    rates = [responses / buyers for _, buyers, responses in per_org]
    # 8-20 % answer, 90 % of them linked: 7.2-18 %, give or take the sampling noise
    assert all(0.05 <= rate <= 0.21 for rate in rates), rates
    assert max(rates) - min(rates) > 0.08  # response rates vary by organization


def test_nps_by_event_type_is_near_the_intended_figure(mcon: duckdb.DuckDBPyConnection) -> None:
    measured = nps_by_type(mcon)
    assert set(measured) <= set(INTENDED_NPS)
    checked = {t: m for t, m in measured.items() if m["n"] >= MIN_ANSWERS}
    assert len(checked) >= 8
    for event_type, m in checked.items():
        intended = INTENDED_NPS[event_type]
        assert abs(m["nps"] - intended) <= 3 * m["se"] + BIAS, (event_type, m, intended)


def test_nps_by_event_type_is_ordered_as_intended(mcon: duckdb.DuckDBPyConnection) -> None:
    measured = nps_by_type(mcon)
    checked = {t: m["nps"] for t, m in measured.items() if m["n"] >= MIN_ANSWERS}
    pairs = [(a, b) for a in checked for b in checked
             if INTENDED_NPS[a] - INTENDED_NPS[b] >= ORDER_GAP
             and min(measured[a]["n"], measured[b]["n"]) >= ORDER_ANSWERS]
    assert len(pairs) >= 15
    for high, low in pairs:
        assert checked[high] > checked[low], (high, low, checked)
    assert _rank_correlation([INTENDED_NPS[t] for t in checked], list(checked.values())) >= 0.9


def test_sports_audiences_are_the_most_polarised(mcon: duckdb.DuckDBPyConnection) -> None:
    m = nps_by_type(mcon)
    sports = m.pop("sports_event")
    m = {t: v for t, v in m.items() if v["n"] >= MIN_ANSWERS}
    assert all(sports["sd"] > other["sd"] for other in m.values()), (sports, m)
    assert sports["promoters"] >= 0.35 and sports["detractors"] >= 0.25


def test_older_respondents_are_more_satisfied(mcon: duckdb.DuckDBPyConnection) -> None:
    # Overall, and within event types (older audiences also go to the higher-rated types).
    young, old = (mcon.execute(f"SELECT {NPS} FROM nps WHERE age {cond}").fetchone()[0]  # type: ignore[index]
                  for cond in ("< 35", ">= 60"))
    assert old - young > 20
    within = mcon.execute(f"""
        WITH g AS (
            SELECT event_type, age >= 60 AS old, count(*) AS n, {NPS} AS nps
            FROM nps WHERE event_type IS NOT NULL AND (age < 35 OR age >= 60) GROUP BY ALL
        ), paired AS (
            SELECT o.nps - y.nps AS diff, 1 / (1 / o.n + 1 / y.n) AS w
            FROM g o JOIN g y ON o.event_type = y.event_type AND o.old AND NOT y.old
            WHERE o.n >= 100 AND y.n >= 100
        )
        SELECT sum(diff * w) / sum(w), count(*), min(diff) FROM paired""").fetchone() or ()
    assert within[1] >= 5
    assert within[0] > 10, within  # AGE_SLOPE: about 20 points between 28 and 68


def test_organizations_differ_beyond_their_event_types(medium: DemoFiles,
                                                       mcon: duckdb.DuckDBPyConnection) -> None:
    effect = medium.expected["survey_org_effect"]
    mcon.execute("CREATE OR REPLACE TEMP TABLE effect (org_id VARCHAR, offset_ DOUBLE)")
    mcon.executemany("INSERT INTO effect VALUES (?, ?)", list(effect.items()))
    diff, types = mcon.execute(f"""
        WITH g AS (
            SELECT event_type, offset_ > 0 AS up, count(*) AS n, {NPS} AS nps
            FROM nps JOIN effect USING (org_id) WHERE event_type IS NOT NULL GROUP BY ALL
        ), paired AS (
            SELECT u.nps - d.nps AS diff, 1 / (1 / u.n + 1 / d.n) AS w
            FROM g u JOIN g d ON u.event_type = d.event_type AND u.up AND NOT d.up
            WHERE u.n >= 100 AND d.n >= 100
        )
        SELECT sum(diff * w) / sum(w), count(*) FROM paired""").fetchone() or ()
    assert types >= 5
    assert diff > 8, diff  # ORG_SD: the two halves' mean offsets differ by about 0.7 latent


def test_where_people_heard_of_it_depends_on_age(mcon: duckdb.DuckDBPyConnection) -> None:
    social, paper = mcon.execute("""
        WITH c AS (
            SELECT a.org_id, a.response_id, list_position(string_split(q.choice_options, '|'),
                                                          a.value) AS option,
                   2025 - b.birth_year AS age
            FROM answers a JOIN q USING (org_id, survey_id, question_id)
            JOIN buyers b USING (org_id, event_id, customer_id) WHERE a.kind = 'choice'
        )
        SELECT avg((option = 1)::INT) FILTER (WHERE age < 35)
                   - avg((option = 1)::INT) FILTER (WHERE age >= 60),
               avg((option = 2)::INT) FILTER (WHERE age >= 60)
                   - avg((option = 2)::INT) FILTER (WHERE age < 35)
        FROM c""").fetchone() or ()
    assert social > 0.2 and paper > 0.15


def test_same_seed_same_survey_files(files: DemoFiles, tmp_path: Path) -> None:
    again = generate(tmp_path, size="small", seed=42)
    for a, b in zip([again.survey_questions, *again.survey_responses],
                    [files.survey_questions, *files.survey_responses], strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert again.expected == files.expected


def test_parquet_surveys_have_the_same_rows(files: DemoFiles, tmp_path: Path) -> None:
    pq = generate(tmp_path, size="small", seed=42, fmt="parquet")
    assert pq.survey_questions.name == "survey_questions.parquet"
    c = duckdb.connect()
    rows: Any = c.execute("SELECT count(*) FROM read_parquet(?)",
                          [[str(p) for p in pq.survey_responses]]).fetchone() or ()
    assert rows[0] == files.expected["survey_rows_written"]
    assert pq.expected["survey_rows_per_file"] == {
        k.replace(".csv", ".parquet"): v for k, v in files.expected["survey_rows_per_file"].items()}


def _rank_correlation(xs: list[float], ys: list[float]) -> float:
    def ranks(v: list[float]) -> list[float]:
        order = sorted(range(len(v)), key=lambda i: v[i])
        r = [0.0] * len(v)
        for rank, i in enumerate(order):
            r[i] = float(rank)
        return r

    rx, ry = ranks(xs), ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))
    return cov / var if var else 0.0
