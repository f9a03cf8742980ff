"""Survey questions and responses: validated, de-duplicated, linked to purchases, stored without ids.

Two contract file kinds (docs/data-contract.md): **survey questions** (``nps`` 0-10, ``rating`` on
a scale, ``choice`` among ``|``-separated options) and **survey responses** (one row per answer).
The discipline is that of transactions: every row is loaded, rejected (file, line, column and a
reason, never the value of a personal column) or counted as an exact duplicate; the same
(organization, response, question) with other content is a conflicting duplicate; a load is
atomic and loading the same files again changes nothing.

A response row with ``customer_id`` and ``event_id`` is linked, inside the load, to that buyer
row through the buyer key (the same keyed pseudonym of organization, event and customer): the
respondent's age group, gender, region, area attributes and customer status are copied onto the
answer, and the customer id is dropped. Nothing stored can be joined back to the buyer row or
the customer (P1): the answer keeps only an HMAC of (organization, response id) under a key
derived for responses (``response_key``, internal like ``buyer_key``; served through the
``survey_answers`` view without it).

Free text is not part of the contract: a responses file with a column outside the contract is
refused as a whole (it may hold comments naming people), with a hint to drop that column.

>>> SURVEY_RESPONSE_COLUMNS[:3]
('response_id', 'survey_id', 'org_id')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cid_graph.errors import InputFileError
from warehouse.ingest.merge import BUYER_HASH_SQL
from warehouse.ingest.sources import CANONICAL, file_columns, stage_files
from warehouse.ingest.sqlparts import blank_to_null, country_tz_case, timestamp_utc
from warehouse.secret import Secret

SURVEY_QUESTION_COLUMNS = ("survey_id", "org_id", "question_id", "kind", "scale_min", "scale_max", "text",
                           "choice_options")
SURVEY_QUESTION_REQUIRED = ("survey_id", "org_id", "question_id", "kind", "text")
SURVEY_RESPONSE_COLUMNS = ("response_id", "survey_id", "org_id", "event_id", "customer_id", "answered_at",
                           "question_id", "value")
SURVEY_RESPONSE_REQUIRED = ("response_id", "survey_id", "org_id", "question_id", "answered_at", "value")
QUESTION_KINDS = ("nps", "rating", "choice")
#: Columns of a responses file whose values never go into a rejects file.
RESPONSE_PERSONAL = ("customer_id", "value")
#: What the response keys' HMAC key is derived for (never the buyer key's).
RESPONSE_KEY_PURPOSE = "cid-graph survey response key"
_US = "chr(31)"


@dataclass
class SurveyCounts:
    """What one load did with survey files. ``responses_read = loaded + rejected + duplicates``."""

    questions_read: int = 0
    questions_loaded: int = 0
    questions_rejected: int = 0
    responses_read: int = 0
    responses_loaded: int = 0
    responses_rejected: int = 0
    responses_duplicates: int = 0
    responses_linked: int = 0
    responses_unlinked: int = 0


def refuse_free_text(paths: Sequence[Path]) -> None:
    """A responses file holding any column outside the contract is refused before anything loads."""
    for path in paths:
        extra = [c for c in file_columns(Path(path)) if c.strip().lower() not in SURVEY_RESPONSE_COLUMNS]
        if extra:
            raise InputFileError(
                f"{path} has column(s) outside the survey responses contract: {', '.join(extra[:5])}",
                hint="Free-text answers and other columns are not part of the contract (they hold names and "
                     "opinions about people, which aggregation cannot protect): export only "
                     + ", ".join(SURVEY_RESPONSE_COLUMNS) + ".")


def stage(con: duckdb.DuckDBPyConnection, questions: Sequence[Path], responses: Sequence[Path],
          say: object = None) -> None:
    """Stage the files (``stg_sq``, ``stg_sr``); unreadable files fail here, before any change."""
    refuse_free_text(responses)
    progress = say if callable(say) else None
    if questions:
        stage_files(con, "stg_sq", questions, SURVEY_QUESTION_COLUMNS, SURVEY_QUESTION_REQUIRED, CANONICAL, progress)
    if responses:
        stage_files(con, "stg_sr", responses, SURVEY_RESPONSE_COLUMNS, SURVEY_RESPONSE_REQUIRED, CANONICAL, progress)


def load_questions(con: duckdb.DuckDBPyConnection, counts: SurveyCounts) -> bool:
    """Validate ``stg_sq`` into ``survey_questions``; rejects go to ``rejects``. Returns whether
    anything changed. A stored question may get a new text, never a new kind, scale or options
    (its answers would no longer fit)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE sq AS
        SELECT s._file, s._line, s._parse_error,
               {blank_to_null('s.survey_id')} AS survey_id, {blank_to_null('s.org_id')} AS org_id,
               {blank_to_null('s.question_id')} AS question_id, lower(trim(s.kind)) AS kind,
               {blank_to_null('s.text')} AS text, s.scale_min AS min_raw, s.scale_max AS max_raw,
               CASE WHEN lower(trim(s.kind)) = 'nps' THEN coalesce(try_cast(trim(s.scale_min) AS INTEGER), 0)
                    ELSE try_cast(trim(s.scale_min) AS INTEGER) END AS scale_min,
               CASE WHEN lower(trim(s.kind)) = 'nps' THEN coalesce(try_cast(trim(s.scale_max) AS INTEGER), 10)
                    ELSE try_cast(trim(s.scale_max) AS INTEGER) END AS scale_max,
               CASE WHEN lower(trim(s.kind)) = 'choice' THEN
                    list_filter(list_transform(string_split(coalesce(s.choice_options, ''), '|'), lambda x: trim(x)),
                                lambda x: x <> '') END AS options,
               o.org_id IS NOT NULL AS org_known
        FROM stg_sq s LEFT JOIN organizations o ON o.org_id = trim(s.org_id)
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE sq_in AS
        SELECT q.*,
          CASE WHEN _parse_error IS NOT NULL THEN ''
               WHEN survey_id IS NULL THEN 'survey_id' WHEN org_id IS NULL OR NOT org_known THEN 'org_id'
               WHEN question_id IS NULL THEN 'question_id'
               WHEN kind NOT IN ({', '.join(f"'{k}'" for k in QUESTION_KINDS)}) OR kind IS NULL THEN 'kind'
               WHEN text IS NULL THEN 'text'
               WHEN kind = 'nps' AND (scale_min <> 0 OR scale_max <> 10) THEN 'scale_min'
               WHEN kind = 'rating' AND (scale_min IS NULL OR scale_max IS NULL OR scale_min >= scale_max
                                         OR scale_max - scale_min > 100) THEN 'scale_min'
               WHEN kind = 'choice' AND (len(options) < 2 OR len(list_distinct(options)) <> len(options)) THEN 'choice_options'
          END AS reject_column,
          CASE WHEN _parse_error IS NOT NULL THEN _parse_error
               WHEN survey_id IS NULL THEN 'survey_id is empty'
               WHEN org_id IS NULL THEN 'org_id is empty'
               WHEN NOT org_known THEN 'org_id ''' || org_id || ''' is not a known organization; load it with --organizations first'
               WHEN question_id IS NULL THEN 'question_id is empty'
               WHEN kind NOT IN ({', '.join(f"'{k}'" for k in QUESTION_KINDS)}) OR kind IS NULL THEN
                    'kind ' || coalesce('''' || kind || '''', 'is empty') || ' is not one of nps, rating, choice'
               WHEN text IS NULL THEN 'text is empty: give the question as it was asked'
               WHEN kind = 'nps' AND (scale_min <> 0 OR scale_max <> 10) THEN 'an nps question is on the scale 0-10: leave scale_min and scale_max empty or give 0 and 10'
               WHEN kind = 'rating' AND (scale_min IS NULL OR scale_max IS NULL OR scale_min >= scale_max
                                         OR scale_max - scale_min > 100) THEN
                    'a rating question needs whole numbers scale_min < scale_max (e.g. 1 and 5)'
               WHEN kind = 'choice' AND (len(options) < 2 OR len(list_distinct(options)) <> len(options)) THEN
                    'a choice question needs at least two different options in choice_options, separated by |'
          END AS reject_reason
        FROM sq q
    """)
    con.execute("""
        UPDATE sq_in SET reject_column = 'question_id',
            reject_reason = 'question ''' || sq_in.question_id || ''' of survey ''' || sq_in.survey_id ||
                ''' was loaded earlier as another kind, scale or option list; give a changed question a new question_id'
        FROM survey_questions q
        WHERE sq_in.reject_reason IS NULL AND q.org_id = sq_in.org_id AND q.survey_id = sq_in.survey_id
          AND q.question_id = sq_in.question_id
          AND (q.kind, q.scale_min, q.scale_max, coalesce(q.choice_options, ''))
              IS DISTINCT FROM (sq_in.kind, CASE WHEN sq_in.kind = 'choice' THEN NULL ELSE sq_in.scale_min END,
                                CASE WHEN sq_in.kind = 'choice' THEN NULL ELSE sq_in.scale_max END,
                                coalesce(array_to_string(sq_in.options, '|'), ''))
    """)
    # One NPS question per survey (this file's and those loaded before), so that NPS counts every
    # respondent once: the P3 threshold judges respondents, not answers.
    con.execute("""
        UPDATE sq_in SET reject_column = 'kind',
            reject_reason = 'survey ''' || sq_in.survey_id || ''' already has an nps question (''' || o.question_id ||
                '''); a survey has one: ask further recommendation questions as kind rating'
        FROM (SELECT org_id, survey_id, question_id, _file, _line, 0 AS earlier FROM sq_in
              WHERE reject_reason IS NULL AND kind = 'nps'
              UNION ALL SELECT org_id, survey_id, question_id, '', 0, 1 FROM survey_questions WHERE kind = 'nps') o
        WHERE sq_in.reject_reason IS NULL AND sq_in.kind = 'nps' AND o.org_id = sq_in.org_id
          AND o.survey_id = sq_in.survey_id AND o.question_id <> sq_in.question_id
          AND (o.earlier = 1 OR (o._file, o._line) < (sq_in._file, sq_in._line))
    """)
    con.execute("""INSERT INTO rejects SELECT _file, _line, nullif(reject_column, ''), reject_reason, NULL
                   FROM sq_in WHERE reject_reason IS NOT NULL""")
    row = con.execute("SELECT count(*), count(*) FILTER (WHERE reject_reason IS NOT NULL) FROM sq_in").fetchone()
    assert row is not None
    counts.questions_read, counts.questions_rejected = int(row[0]), int(row[1])
    before = con.execute("SELECT count(*), coalesce(sum(hash(q)), 0) FROM survey_questions q").fetchone()
    con.execute("""
        INSERT OR REPLACE INTO survey_questions
        SELECT org_id, survey_id, question_id, arg_min(kind, _line),
               arg_min(CASE WHEN kind = 'choice' THEN NULL ELSE scale_min END, _line),
               arg_min(CASE WHEN kind = 'choice' THEN NULL ELSE scale_max END, _line),
               arg_min(text, _line), arg_min(array_to_string(options, '|'), _line)
        FROM sq_in WHERE reject_reason IS NULL GROUP BY org_id, survey_id, question_id
    """)
    counts.questions_loaded = counts.questions_read - counts.questions_rejected
    after = con.execute("SELECT count(*), coalesce(sum(hash(q)), 0) FROM survey_questions q").fetchone()
    return before != after


def load_responses(con: duckdb.DuckDBPyConnection, secret: Secret, load_id: int, counts: SurveyCounts) -> bool:
    """Validate, de-duplicate and link ``stg_sr`` into ``survey_answer_rows``; returns whether
    anything was loaded. The link is the buyer key (merge.py's ``BUYER_HASH_SQL``) of the
    answer's organization, event and customer."""
    response = secret.derived(RESPONSE_KEY_PURPOSE)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE sr AS
        SELECT s._file, s._line, s._file_no::BIGINT * 1099511627776 + s._line AS _ord, s._parse_error,
               {blank_to_null('s.response_id')} AS response_id, {blank_to_null('s.survey_id')} AS survey_id,
               {blank_to_null('s.org_id')} AS org_id, {blank_to_null('s.event_id')} AS event_id,
               {blank_to_null('s.customer_id')} AS customer_id, {blank_to_null('s.question_id')} AS question_id,
               s.answered_at AS answered_raw, trim(s.value) AS value,
               o.country AS org_country,
               {timestamp_utc('s.answered_at', country_tz_case('o.country'))} AS answered_tz,
               q.kind, q.scale_min, q.scale_max, q.choice_options,
               e.event_sk,
               md5_number(? || concat_ws({_US}, {', '.join("coalesce(trim(s." + c + "), '')" for c in SURVEY_RESPONSE_COLUMNS)})) AS content_hash,
               md5_number(? || trim(s.org_id) || {_US} || trim(s.response_id) || {_US} || trim(s.question_id)) AS answer_hash
        FROM stg_sr s
        LEFT JOIN organizations o ON o.org_id = trim(s.org_id)
        LEFT JOIN survey_questions q ON q.org_id = trim(s.org_id) AND q.survey_id = trim(s.survey_id)
                                    AND q.question_id = trim(s.question_id)
        LEFT JOIN events e ON e.org_id = trim(s.org_id) AND e.event_id = trim(s.event_id)
    """, [secret.salt_hex, secret.salt_hex])
    number = "try_cast(value AS DOUBLE)"
    whole = "regexp_full_match(value, '[+-]?[0-9]+')"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE sr_in AS
        SELECT r.*,
          CASE WHEN _parse_error IS NOT NULL THEN ''
               WHEN response_id IS NULL THEN 'response_id' WHEN org_id IS NULL OR org_country IS NULL THEN 'org_id'
               WHEN survey_id IS NULL THEN 'survey_id' WHEN question_id IS NULL OR kind IS NULL THEN 'question_id'
               WHEN answered_tz IS NULL THEN 'answered_at'
               WHEN event_id IS NOT NULL AND event_sk IS NULL THEN 'event_id'
               WHEN customer_id IS NOT NULL AND event_id IS NULL THEN 'event_id'
               WHEN value IS NULL OR value = '' THEN 'value'
               WHEN kind IN ('nps', 'rating') AND NOT ({whole} AND {number} BETWEEN scale_min AND scale_max) THEN 'value'
               WHEN kind = 'choice' AND NOT list_contains(string_split(choice_options, '|'), value) THEN 'value'
          END AS reject_column,
          CASE WHEN _parse_error IS NOT NULL THEN _parse_error
               WHEN response_id IS NULL THEN 'response_id is empty; every answer needs the id of its response'
               WHEN org_id IS NULL THEN 'org_id is empty'
               WHEN org_country IS NULL THEN 'org_id ''' || org_id || ''' is not a known organization'
               WHEN survey_id IS NULL THEN 'survey_id is empty'
               WHEN question_id IS NULL THEN 'question_id is empty'
               WHEN kind IS NULL THEN 'question ''' || question_id || ''' of survey ''' || survey_id || ''' is not known: load its survey questions file (--survey-questions) first'
               WHEN answered_tz IS NULL THEN coalesce('answered_at ''' || trim(answered_raw) || ''' is not an ISO 8601 date-time such as 2025-11-02T20:15:00+01:00', 'answered_at is empty')
               WHEN event_id IS NOT NULL AND event_sk IS NULL THEN 'event_id ''' || event_id || ''' is not a known event of ' || org_id || ': load its transactions first, then these responses again'
               WHEN customer_id IS NOT NULL AND event_id IS NULL THEN 'customer_id is given without event_id: an answer is tied to one purchase (give both, or neither)'
               WHEN value IS NULL OR value = '' THEN 'value is empty'
               WHEN kind IN ('nps', 'rating') AND NOT ({whole} AND {number} BETWEEN scale_min AND scale_max) THEN
                    'value is not a whole number from ' || scale_min || ' to ' || scale_max || ' (the question''s scale)'
               WHEN kind = 'choice' AND NOT list_contains(string_split(choice_options, '|'), value) THEN
                    'value is not one of the question''s options: ' || replace(choice_options, '|', ', ')
          END AS reject_reason,
          CASE WHEN org_id IS NOT NULL AND org_country IS NULL THEN org_id
               WHEN event_id IS NOT NULL AND event_sk IS NULL THEN event_id END AS bad_value,
          false AS duplicate
        FROM sr r
    """)
    _deduplicate(con)
    con.execute("""INSERT INTO rejects SELECT _file, _line, nullif(reject_column, ''), reject_reason, bad_value
                   FROM sr_in WHERE reject_reason IS NOT NULL""")
    row = con.execute("""SELECT count(*), count(*) FILTER (WHERE reject_reason IS NOT NULL),
                                count(*) FILTER (WHERE duplicate) FROM sr_in""").fetchone()
    assert row is not None
    counts.responses_read, counts.responses_rejected, counts.responses_duplicates = (int(x) for x in row)
    counts.responses_loaded = counts.responses_read - counts.responses_rejected - counts.responses_duplicates
    if not counts.responses_loaded:
        return False
    con.execute("""INSERT INTO survey_answers_seen SELECT org_id, answer_hash, content_hash, ?
                   FROM sr_in WHERE reject_reason IS NULL AND NOT duplicate""", [load_id])
    key = "unhex(substr(" + BUYER_HASH_SQL.format(org_id="a.org_id", event_id="a.event_id",
                                                  who=f"'c' || {_US} || a.customer_id") + ", 1, 32))"
    # Keys once per answer: the buyer key it links by (then the customer id is dropped) and its own.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE sr_keyed AS
        SELECT k.* EXCLUDE (buyer_key), b.buyer_key AS linked_key, b.age_group, b.gender, b.buyer_country,
               b.buyer_region, b.area_type, b.purchasing_power, b.education_level, b.home_type, b.customer_status
        FROM (SELECT a.* EXCLUDE (customer_id), CASE WHEN a.customer_id IS NOT NULL THEN {key} END AS buyer_key,
                     sha256(?::BLOB || unhex(sha256(?::BLOB || encode(a.org_id || {_US} || a.response_id)))) AS h
              FROM sr_in a WHERE a.reject_reason IS NULL AND NOT a.duplicate) k
        LEFT JOIN buyer_rows b ON b.buyer_key = k.buyer_key AND b.tickets > 0
    """, [secret.outer_pad, secret.inner_pad, response.outer_pad, response.inner_pad])
    con.execute(f"""
        INSERT INTO survey_answer_rows
        SELECT unhex(substr(k.h, 1, 32)) AS response_key, k.org_id, k.survey_id, k.question_id, k.event_sk,
               timezone('UTC', k.answered_tz) AS answered_at_utc,
               timezone({country_tz_case('k.org_country')}, k.answered_tz) AS answered_at_local,
               CASE WHEN k.kind <> 'choice' THEN CAST(k.value AS DOUBLE) END AS value_number,
               CASE WHEN k.kind = 'choice' THEN k.value END AS value_option,
               k.linked_key IS NOT NULL AS linked,
               coalesce(k.age_group, 'unknown'), coalesce(k.gender, 'unknown'),
               coalesce(k.buyer_country, 'unknown'), coalesce(k.buyer_region, 'unknown'),
               coalesce(k.area_type, 'unknown'), coalesce(k.purchasing_power, 'unknown'),
               coalesce(k.education_level, 'unknown'), coalesce(k.home_type, 'unknown'),
               coalesce(k.customer_status, 'unknown'),
               ('0x' || substr(k.h, 33, 2))::SMALLINT AS record_key
        FROM sr_keyed k
    """)
    # The buyer row learns that it answered (the base of RESPONSE_RATE), never what it answered.
    con.execute("""UPDATE buyer_rows SET survey_status = 'responded'
                   WHERE buyer_key IN (SELECT linked_key FROM sr_keyed WHERE linked_key IS NOT NULL)""")
    row = con.execute("SELECT count(linked_key), count(*) - count(linked_key) FROM sr_keyed").fetchone()
    con.execute("DROP TABLE sr_keyed")
    assert row is not None
    counts.responses_linked, counts.responses_unlinked = int(row[0]), int(row[1])
    return True


def mark_surveyed(con: duckdb.DuckDBPyConnection) -> None:
    """Buyer rows of an event some answer is tied to are ``surveyed`` (unless they ``responded``):
    run after every load, so buyers loaded after the answers count too."""
    con.execute("""UPDATE buyer_rows SET survey_status = 'surveyed'
                   WHERE survey_status = 'not_surveyed'
                     AND event_sk IN (SELECT event_sk FROM survey_answer_rows WHERE event_sk IS NOT NULL)""")


def _deduplicate(con: duckdb.DuckDBPyConnection) -> None:
    """An exact repeat of an answer (this load or an earlier one) is a duplicate; the same
    (organization, response, question) with other content is rejected."""
    con.execute("""
        UPDATE sr_in SET duplicate = (sr_in.content_hash = f.content_hash),
            reject_column = CASE WHEN sr_in.content_hash = f.content_hash THEN NULL ELSE 'response_id' END,
            reject_reason = CASE WHEN sr_in.content_hash = f.content_hash THEN NULL ELSE
                'conflicting duplicate: the answer of response ''' || sr_in.response_id || ''' to question ''' ||
                sr_in.question_id || ''' is also at ' || f.first_file || ' line ' || f.first_line || ' with different content' END
        FROM (SELECT org_id, answer_hash, arg_min(content_hash, _ord) AS content_hash,
                     arg_min(_file, _ord) AS first_file, arg_min(_line, _ord) AS first_line, min(_ord) AS first_ord
              FROM sr_in WHERE reject_reason IS NULL GROUP BY org_id, answer_hash) f
        WHERE sr_in.reject_reason IS NULL AND sr_in.org_id = f.org_id AND sr_in.answer_hash = f.answer_hash
          AND sr_in._ord > f.first_ord
    """)
    con.execute("""
        UPDATE sr_in SET duplicate = (sr_in.content_hash = s.content_hash),
            reject_column = CASE WHEN sr_in.content_hash = s.content_hash THEN NULL ELSE 'response_id' END,
            reject_reason = CASE WHEN sr_in.content_hash = s.content_hash THEN NULL ELSE
                'conflicting duplicate: the answer of response ''' || sr_in.response_id || ''' to question ''' ||
                sr_in.question_id || ''' was loaded earlier (load ' || s.load_id || ') with different content' END
        FROM survey_answers_seen s
        WHERE sr_in.reject_reason IS NULL AND NOT sr_in.duplicate
          AND sr_in.org_id = s.org_id AND sr_in.answer_hash = s.answer_hash
    """)
