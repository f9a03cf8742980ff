"""The tables of a published warehouse version.

A version is one DuckDB file. Its tables are the contract between ingest (which writes them)
and the semantic model (``metrics/model/*.yaml``, which reads them). Nothing here holds a
direct identifier (P1): buyers are keyed by an HMAC of (organization, event, customer) whose
key lives outside the warehouse, and postal codes are coarsened to the enrichment attributes.

Tables the semantic model reads:

- ``organizations``: one row per member organization.
- ``events``: one row per event; ``event_sk`` is a stable surrogate key.
- ``buyers``: view of ``buyer_rows`` with net tickets > 0: one row per buyer per event, the fact.
- ``regions``: first-level regions of the five countries (codes, names, population).

Internal tables (never exposed through the API): ``buyer_rows`` (merged purchase state,
including fully refunded keys, so that later loads can merge), ``customer_links`` (which buyer
rows are one customer's at one organization, under a customer pseudonym whose key is derived
apart from the buyer key's, so that ingest can compute customer history; see
``warehouse/ingest/history.py``), ``org_noise`` (each
organization's secret, permanent noise factors for pooled NETWORK cells, one per noise slot, P5), ``transactions_seen``
(de-duplication state: keyed hashes only), ``loads`` (what each load did) and ``meta``.
"""

from __future__ import annotations

#: Statements that create an empty warehouse version, in order.
DDL: tuple[str, ...] = (
    """
    CREATE TABLE meta (
        key   VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL
    )""",
    """
    CREATE TABLE organizations (
        org_id       VARCHAR PRIMARY KEY,
        name         VARCHAR NOT NULL,
        org_type     VARCHAR NOT NULL,
        country      VARCHAR NOT NULL,
        region       VARCHAR NOT NULL,
        municipality VARCHAR
    )""",
    """
    CREATE TABLE events (
        event_sk                  INTEGER PRIMARY KEY,
        org_id                    VARCHAR NOT NULL,
        event_id                  VARCHAR NOT NULL,
        event_name                VARCHAR NOT NULL,
        event_start_utc           TIMESTAMP NOT NULL,
        event_start_local         TIMESTAMP NOT NULL,
        event_date                DATE NOT NULL,
        country                   VARCHAR NOT NULL,
        region                    VARCHAR NOT NULL,
        region_source             VARCHAR NOT NULL,
        event_type                VARCHAR NOT NULL,
        event_category            VARCHAR NOT NULL,
        classification_source     VARCHAR NOT NULL,
        classification_confidence DOUBLE,     -- the predicted type's; NULL when not predicted
        source_event_type         VARCHAR,    -- what the ticketing system said, normalized
        source_event_category     VARCHAR,    -- (NULL: not given, or a spelling not known)
        category_confidence       DOUBLE,     -- the predicted category's; NULL when not predicted
        UNIQUE (org_id, event_id)
    )""",
    """
    CREATE TABLE buyer_rows (
        buyer_key                BLOB NOT NULL,  -- unique by construction; no index (loads are joins)
        event_sk                 INTEGER NOT NULL,
        org_id                   VARCHAR NOT NULL,
        first_purchased_at_utc   TIMESTAMP NOT NULL,
        first_purchased_at_local TIMESTAMP NOT NULL,
        purchases                INTEGER NOT NULL,
        tickets                  INTEGER NOT NULL,
        amount_local             DOUBLE NOT NULL,
        amount_eur               DOUBLE NOT NULL,
        age_group                VARCHAR NOT NULL,
        gender                   VARCHAR NOT NULL,
        buyer_country            VARCHAR NOT NULL,
        buyer_region             VARCHAR NOT NULL,
        buyer_municipality       VARCHAR,
        area_type                VARCHAR NOT NULL,
        purchasing_power         VARCHAR NOT NULL,
        education_level          VARCHAR NOT NULL,
        home_type                VARCHAR NOT NULL,
        record_key               SMALLINT NOT NULL,
        -- customer history at this organization (warehouse/ingest/history.py), never across
        -- organizations; 'unknown' for a buyer without customer id
        customer_status          VARCHAR NOT NULL DEFAULT 'unknown',
        frequency_band           VARCHAR NOT NULL DEFAULT 'unknown',
        spend_band               VARCHAR NOT NULL DEFAULT 'unknown',
        customer_count           INTEGER NOT NULL DEFAULT 1,   -- 1: the customer's first row of the year
        lead_time_days           INTEGER NOT NULL DEFAULT 0,
        lead_time_band           VARCHAR NOT NULL DEFAULT '0',
        -- whether the event was surveyed and this buyer answered (warehouse/ingest/surveys.py):
        -- 'responded', 'surveyed' (did not answer) or 'not_surveyed'; never what was answered
        survey_status            VARCHAR NOT NULL DEFAULT 'not_surveyed'
    )""",
    """
    CREATE VIEW buyers AS
        SELECT * EXCLUDE (buyer_key) FROM buyer_rows WHERE tickets > 0
    """,
    """
    CREATE TABLE customer_links (
        org_id       VARCHAR NOT NULL,
        customer_key BLOB NOT NULL,  -- HMAC of (organization, customer id) under a derived key
        buyer_key    BLOB NOT NULL   -- the buyer row it belongs to
    )""",
    """
    CREATE TABLE survey_questions (
        org_id         VARCHAR NOT NULL,
        survey_id      VARCHAR NOT NULL,
        question_id    VARCHAR NOT NULL,
        kind           VARCHAR NOT NULL,  -- nps | rating | choice
        scale_min      INTEGER,
        scale_max      INTEGER,
        text           VARCHAR NOT NULL,
        choice_options VARCHAR,           -- '|'-separated, in the organization's order
        PRIMARY KEY (org_id, survey_id, question_id)
    )""",
    """
    CREATE TABLE survey_answer_rows (
        response_key      BLOB NOT NULL,  -- HMAC of (organization, response id): internal (P1)
        org_id            VARCHAR NOT NULL,
        survey_id         VARCHAR NOT NULL,
        question_id       VARCHAR NOT NULL,
        event_sk          INTEGER,        -- NULL: an answer not tied to an event
        answered_at_utc   TIMESTAMP NOT NULL,
        answered_at_local TIMESTAMP NOT NULL,
        value_number      DOUBLE,         -- nps and rating answers
        value_option      VARCHAR,        -- choice answers
        linked            BOOLEAN NOT NULL,  -- tied to the respondent's buyer row of the event
        age_group         VARCHAR NOT NULL,  -- the respondent's, from the linked buyer row; else unknown
        gender            VARCHAR NOT NULL,
        buyer_country     VARCHAR NOT NULL,
        buyer_region      VARCHAR NOT NULL,
        area_type         VARCHAR NOT NULL,
        purchasing_power  VARCHAR NOT NULL,
        education_level   VARCHAR NOT NULL,
        home_type         VARCHAR NOT NULL,
        customer_status   VARCHAR NOT NULL,
        record_key        SMALLINT NOT NULL
    )""",
    # Each question with what the survey metrics read: its key (a SURVEY_QUESTION value), and
    # whether it is its survey's primary question (the NPS question, else its first question:
    # RESPONDENTS counts its answers) or its main rating (its first rating question: AVG_RATING
    # and SATISFACTION_SCORE read it), so each survey metric counts every respondent once.
    """
    CREATE OR REPLACE VIEW survey_question_info AS SELECT *,
        CAST(org_id || ':' || survey_id || ':' || question_id AS VARCHAR) AS question_key,
        CAST(question_id = coalesce(min(CASE WHEN kind = 'nps' THEN question_id END) OVER s,
                                    min(question_id) OVER s) AS BOOLEAN) AS is_primary,
        CAST(question_id IS NOT DISTINCT FROM min(CASE WHEN kind = 'rating' THEN question_id END) OVER s
             AS BOOLEAN) AS is_main_rating
    FROM survey_questions WINDOW s AS (PARTITION BY org_id, survey_id)
    """,
    # The survey fact: one row per answer, with its question's attributes and the derived
    # values the metrics add up (no response key: P1).
    """
    CREATE OR REPLACE VIEW survey_answers AS SELECT * EXCLUDE (response_key, text, choice_options),
        CAST(kind AS VARCHAR) AS question_kind,
        CAST(CASE WHEN is_primary THEN 'yes' ELSE 'no' END AS VARCHAR) AS primary_question,
        CAST(CASE WHEN kind <> 'nps' THEN 'none' WHEN value_number >= 9 THEN 'promoter'
                  WHEN value_number >= 7 THEN 'passive' ELSE 'detractor' END AS VARCHAR) AS nps_group,
        CAST(CASE WHEN kind = 'nps' THEN CASE WHEN value_number >= 9 THEN 100 WHEN value_number >= 7 THEN 0
                  ELSE -100 END END AS INTEGER) AS nps_points,
        CAST(CASE WHEN is_main_rating THEN 'yes' ELSE 'no' END AS VARCHAR) AS main_rating,
        CAST(CASE WHEN is_main_rating THEN value_number END AS DOUBLE) AS rating_value,
        CAST(CASE WHEN is_main_rating THEN value_number * value_number END AS DOUBLE) AS rating_square,
        CAST(CASE WHEN is_main_rating AND scale_max > scale_min
                  THEN 100.0 * (value_number - scale_min) / (scale_max - scale_min) END AS DOUBLE) AS rating_score,
        CAST(CASE WHEN is_main_rating AND scale_max > scale_min
                  THEN power(100.0 * (value_number - scale_min) / (scale_max - scale_min), 2) END AS DOUBLE)
             AS rating_score_square,
        CAST(CASE WHEN kind = 'choice' THEN value_option ELSE 'none' END AS VARCHAR) AS answer
    FROM survey_answer_rows JOIN survey_question_info USING (org_id, survey_id, question_id)
    """,
    """
    CREATE TABLE survey_answers_seen (
        org_id       VARCHAR NOT NULL,
        answer_hash  UHUGEINT NOT NULL,
        content_hash UHUGEINT NOT NULL,
        load_id      INTEGER NOT NULL
    )""",
    """
    CREATE TABLE org_noise (
        org_id VARCHAR NOT NULL,
        slot   SMALLINT NOT NULL,  -- 0 .. NOISE_SLOTS - 1: one per pooled measure (its noise_slot)
        factor DOUBLE NOT NULL,    -- 1 ± [ORG_NOISE_MIN, ORG_NOISE_MAX], from the secret
        PRIMARY KEY (org_id, slot)
    )""",
    """
    CREATE TABLE transactions_seen (
        org_id       VARCHAR NOT NULL,
        txn_hash     UHUGEINT NOT NULL,
        content_hash UHUGEINT NOT NULL,
        load_id      INTEGER NOT NULL
    )""",
    """
    CREATE TABLE loads (
        load_id       INTEGER PRIMARY KEY,
        version       INTEGER NOT NULL,
        loaded_at     TIMESTAMP NOT NULL,
        files         VARCHAR NOT NULL,
        rows_read     BIGINT NOT NULL,
        rows_loaded   BIGINT NOT NULL,
        rows_rejected BIGINT NOT NULL,
        duplicates    BIGINT NOT NULL
    )""",
    """
    CREATE TABLE regions (
        country    VARCHAR NOT NULL,
        iso_3166_2 VARCHAR PRIMARY KEY,
        name       VARCHAR NOT NULL,
        name_en    VARCHAR NOT NULL,
        population BIGINT
    )""",
)

#: The statements of DDL that create the survey tables (also run on older versions: MIGRATIONS).
SURVEY_DDL: tuple[str, ...] = tuple(s for s in DDL if "survey_" in s)

#: Bucket codes of the enriched attributes (the semantic model's dimensions use the same).
#: ``buyer_rows.survey_status``: the base of RESPONSE_RATE.
SURVEY_STATUSES = ("responded", "surveyed", "not_surveyed")
AGE_GROUPS = ("0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "unknown")
GENDERS = ("male", "female", "unknown")
PURCHASING_POWER = ("low", "medium", "high", "unknown")
EDUCATION_LEVELS = ("basic", "middle", "high", "unknown")
AREA_TYPES = ("large_city", "city", "town", "rural", "unknown")
HOME_TYPES = ("single_family", "row_house", "apartment", "other", "unknown")
ORG_TYPES = (
    "music", "theatre_performing_arts", "film_screening", "festival", "sports",
    "museum_heritage", "other",
)
COUNTRIES = ("NO", "SE", "DK", "FI", "IS")
EVENT_TYPES = (
    "concert", "play", "opera_ballet", "screening", "festival", "sports_event", "exhibition",
    "talk", "standup_comedy", "family_show", "other",
)
EVENT_CATEGORIES = (
    "classical", "pop_rock", "jazz", "folk_world", "electronic", "drama", "comedy", "musical",
    "dance", "opera", "documentary", "feature_film", "children", "football", "handball",
    "ice_hockey", "other_sport", "art", "history", "literature", "other",
)
#: Where an event's type and category came from (``events.classification_source``): both from
#: the ticketing system; (at least one) predicted by the event classifier; predicted with too
#: little confidence, so left ``other``; corrected by the organization.
CLASSIFICATION_SOURCES = ("source", "model", "model_low_confidence", "feedback")
#: Only inside a version being built: the labels are not decided yet (``event_type`` and/or
#: ``event_category`` are ``unclassified`` until the classifier has run). Never published.
PENDING = "pending"
UNCLASSIFIED = "unclassified"
#: Customer history bands (warehouse/ingest/history.py), in display order.
CUSTOMER_STATUSES = ("first_time", "returning", "unknown")
FREQUENCY_BANDS = ("1", "2", "3-5", "6+", "unknown")
SPEND_BANDS = ("0-49", "50-199", "200-499", "500+", "unknown")
LEAD_TIME_BANDS = ("0", "1-6", "7-13", "14-29", "30-89", "90+")
#: Booking lead time of a buyer row: calendar days from its first purchase's local date to the
#: event's local date; a first purchase on or after the event's date counts as 0.
LEAD_TIME_DAYS_SQL = "greatest(0, date_diff('day', CAST({first_local} AS DATE), {event_date}))"
LEAD_TIME_BAND_SQL = (
    "CASE WHEN {days} <= 0 THEN '0' WHEN {days} <= 6 THEN '1-6' WHEN {days} <= 13 THEN '7-13' "
    "WHEN {days} <= 29 THEN '14-29' WHEN {days} <= 89 THEN '30-89' ELSE '90+' END"
)

#: Statements that bring a version file written before event classification up to date
#: (idempotent). Events whose labels came from an earlier, partial rule are re-decided.
MIGRATIONS: tuple[str, ...] = (
    "ALTER TABLE events ADD COLUMN IF NOT EXISTS source_event_type VARCHAR",
    "ALTER TABLE events ADD COLUMN IF NOT EXISTS source_event_category VARCHAR",
    "ALTER TABLE events ADD COLUMN IF NOT EXISTS category_confidence DOUBLE",
    """UPDATE events SET
           source_event_type = CASE WHEN event_type <> 'unclassified' THEN event_type END,
           source_event_category = CASE WHEN event_category <> 'unclassified' THEN event_category END,
           classification_source = CASE WHEN event_type <> 'unclassified'
                                         AND event_category <> 'unclassified' THEN 'source'
                                        ELSE 'pending' END
       WHERE classification_source IN ('source', 'none', 'unmapped')
         AND source_event_type IS NULL AND source_event_category IS NULL""",
    # Customer history (a version written before it): buyer rows get the columns; statuses and
    # bands stay 'unknown' (the customer ids are gone), lead times are computed from the rows.
    "ALTER TABLE buyer_rows ADD COLUMN IF NOT EXISTS customer_status VARCHAR DEFAULT 'unknown'",
    "ALTER TABLE buyer_rows ADD COLUMN IF NOT EXISTS frequency_band VARCHAR DEFAULT 'unknown'",
    "ALTER TABLE buyer_rows ADD COLUMN IF NOT EXISTS spend_band VARCHAR DEFAULT 'unknown'",
    "ALTER TABLE buyer_rows ADD COLUMN IF NOT EXISTS customer_count INTEGER DEFAULT 1",
    "ALTER TABLE buyer_rows ADD COLUMN IF NOT EXISTS lead_time_days INTEGER",
    "ALTER TABLE buyer_rows ADD COLUMN IF NOT EXISTS lead_time_band VARCHAR",
    # Response rates (a version written before them): statuses are set again by the next survey load.
    "ALTER TABLE buyer_rows ADD COLUMN IF NOT EXISTS survey_status VARCHAR DEFAULT 'not_surveyed'",
    """CREATE TABLE IF NOT EXISTS customer_links (
           org_id VARCHAR NOT NULL, customer_key BLOB NOT NULL, buyer_key BLOB NOT NULL)""",
    *(stmt.replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ").replace("CREATE VIEW ", "CREATE VIEW IF NOT EXISTS ")
      for stmt in SURVEY_DDL),
    f"""UPDATE buyer_rows SET
           lead_time_days = {LEAD_TIME_DAYS_SQL.format(first_local='buyer_rows.first_purchased_at_local',
                                                       event_date='e.event_date')},
           lead_time_band = {LEAD_TIME_BAND_SQL.format(days=LEAD_TIME_DAYS_SQL.format(
               first_local='buyer_rows.first_purchased_at_local', event_date='e.event_date'))}
       FROM events e WHERE e.event_sk = buyer_rows.event_sk AND buyer_rows.lead_time_days IS NULL""",
)

#: Bounds of an organization's noise factor's distance from 1 (P5: what differencing two pooled
#: cells reveals of one organization is off by at least ORG_NOISE_MIN, in a direction the
#: attacker does not know). See PRIVACY.md.
ORG_NOISE_MIN = 0.20
ORG_NOISE_MAX = 0.28
#: Independent factors per organization, one per *noise slot*. Every measure that is pooled over
#: organizations names its own slot (``noise_slot`` in metrics/model/measures.yaml), so a ratio of
#: two measures of one organization never cancels its factor, and a factor learnt for one measure
#: (from a published annual figure, say) tells nothing of another.
NOISE_SLOTS = 32
