"""Row validation and de-duplication of staged transactions and organizations.

Each row gets at most one reject: the first failing check, with the column and a reason a
person can act on. Valid rows are then de-duplicated on (org_id, transaction_id): an exact
repeat (in this load or an earlier one) is counted as a duplicate and not loaded; the same id
with different content is rejected as a conflicting duplicate.
"""

from __future__ import annotations

import duckdb

from warehouse.ddl import COUNTRIES, ORG_TYPES
from warehouse.ingest.sources import TRANSACTION_COLUMNS
from warehouse.ingest.sqlparts import (
    blank_to_null,
    country_tz_case,
    fold,
    postal_norm,
    timestamp_utc,
)

_ISO_HINT = "an ISO 8601 date-time such as 2025-03-14T19:30:00 or 2025-03-14T19:30:00+01:00"
_PERSONAL = ("customer_id", "birth_year", "gender", "postal_code")


def prepare_organizations(con: duckdb.DuckDBPyConnection) -> None:
    """``org_in``: normalized organization rows with ``reject_column``/``reject_reason``."""
    countries = ", ".join(f"'{c}'" for c in COUNTRIES)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE org_norm AS
        SELECT s._file, s._line, s._parse_error,
               {blank_to_null('s.org_id')} AS org_id,
               {blank_to_null('s.name')} AS name,
               s.org_type AS org_type_raw, v.code AS org_type,
               upper(trim(s.country)) AS country,
               {postal_norm('s.postal_code', 'upper(trim(s.country))')} AS postal,
               upper({blank_to_null('s.region')}) AS region_raw
        FROM stg_org s LEFT JOIN voc_org_type v ON v.key = {fold('s.org_type')}
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE org_in AS
        SELECT o.*,
            coalesce(rr.iso_3166_2, pc.region, 'unknown') AS region,
            pc.municipality_code AS municipality,
            CASE
              WHEN o._parse_error IS NOT NULL THEN NULL
              WHEN o.org_id IS NULL THEN 'org_id'
              WHEN o.name IS NULL THEN 'name'
              WHEN o.org_type IS NULL THEN 'org_type'
              WHEN o.country NOT IN ({countries}) OR o.country IS NULL THEN 'country'
              WHEN o.region_raw IS NOT NULL AND rr.iso_3166_2 IS NULL THEN 'region'
            END AS reject_column,
            CASE
              WHEN o._parse_error IS NOT NULL THEN o._parse_error
              WHEN o.org_id IS NULL THEN 'org_id is empty; every organization needs its id'
              WHEN o.name IS NULL THEN 'name is empty'
              WHEN o.org_type IS NULL THEN 'org_type ' || coalesce('''' || o.org_type_raw || '''', 'is empty') ||
                   ' is not one of {", ".join(ORG_TYPES)} (Nordic and English spellings are accepted)'
              WHEN o.country NOT IN ({countries}) OR o.country IS NULL THEN 'country ' ||
                   coalesce('''' || o.country || '''', 'is empty') || ' is not one of {", ".join(COUNTRIES)} (ISO 3166-1 alpha-2)'
              WHEN o.region_raw IS NOT NULL AND rr.iso_3166_2 IS NULL THEN 'region ''' || o.region_raw ||
                   ''' is not a first-level region (ISO 3166-2) of ' || o.country || ', e.g. NO-03 Oslo or SE-AB Stockholm; leave it empty to take it from postal_code'
            END AS reject_reason,
            o.region_raw AS bad_value
        FROM org_norm o
        LEFT JOIN ref_regions rr ON rr.iso_3166_2 = o.region_raw AND rr.country = o.country
        LEFT JOIN ref_postal_codes pc ON pc.country = o.country AND pc.postal_code = o.postal
    """)
    # The same org_id twice in the file: identical rows are fine, different ones are not.
    con.execute("""
        UPDATE org_in SET reject_column = 'org_id',
            reject_reason = 'org_id ''' || org_in.org_id || ''' appears more than once with different content (first at line ' || f.first_line || ')'
        FROM (
            SELECT org_id, min(_line) AS first_line,
                   arg_min(md5(concat_ws('|', name, org_type, country, region)), _line) AS first_content
            FROM org_in WHERE reject_reason IS NULL GROUP BY org_id
        ) f
        WHERE org_in.org_id = f.org_id AND org_in.reject_reason IS NULL AND org_in._line > f.first_line
          AND md5(concat_ws('|', org_in.name, org_in.org_type, org_in.country, org_in.region)) <> f.first_content
    """)


def prepare_transactions(con: duckdb.DuckDBPyConnection, salt_hex: str) -> None:
    """``tx``: every staged row, normalized and parsed, with its reject or duplicate status."""
    # ``tx_norm`` is a CTE, not a table of its own: its rows were written once only to be read once.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE tx AS
        WITH tx_norm AS (
            SELECT s._file, s._line, s._file_no::BIGINT * 1099511627776 + s._line AS _ord, s._parse_error,
                {blank_to_null('s.transaction_id')} AS transaction_id,
                {blank_to_null('s.org_id')} AS org_id,
                {blank_to_null('s.event_id')} AS event_id,
                {blank_to_null('s.event_name')} AS event_name,
                s.event_start AS event_start_raw, s.purchased_at AS purchased_at_raw,
                s.tickets AS tickets_raw, s.amount AS amount_raw, s.currency AS currency_raw,
                s.birth_year AS birth_year_raw, s.buyer_country AS buyer_country_raw,
                {blank_to_null('s.customer_id')} AS customer_id,
                s.venue_postal_code, s.event_type AS event_type_raw, s.event_category AS event_category_raw,
                o.country AS org_country, o.region AS org_region,
                {timestamp_utc('s.event_start', country_tz_case('o.country'))} AS event_start_tz,
                {timestamp_utc('s.purchased_at', country_tz_case('o.country'))} AS purchased_at_tz,
                {country_tz_case('o.country')} AS org_tz,
                CASE WHEN regexp_full_match(trim(s.tickets), '[+-]?[0-9]+') THEN try_cast(trim(s.tickets) AS BIGINT) END AS tickets,
                CASE WHEN {blank_to_null('s.amount')} IS NULL THEN 0.0
                     WHEN regexp_full_match(trim(s.amount), '[+-]?[0-9]+([.][0-9]+)?') THEN try_cast(trim(s.amount) AS DOUBLE)
                     WHEN regexp_full_match(trim(s.amount), '[+-]?[0-9]+(,[0-9]+)?') THEN try_cast(replace(trim(s.amount), ',', '.') AS DOUBLE)
                END AS amount,
                coalesce(upper({blank_to_null('s.currency')}), cur.currency) AS currency,
                CASE WHEN regexp_full_match(trim(s.birth_year), '[0-9]{{4}}') THEN trim(s.birth_year)::INTEGER END AS birth_year,
                coalesce(g.code, 'unknown') AS gender, s.gender AS gender_raw,
                coalesce(upper({blank_to_null('s.buyer_country')}), o.country) AS buyer_country,
                s.postal_code AS postal_raw,
                md5_number(? || concat_ws(chr(31), {', '.join('coalesce(trim(s.' + c + "), '')" for c in TRANSACTION_COLUMNS)})) AS content_hash,
                md5_number(? || trim(s.org_id) || chr(31) || trim(s.transaction_id)) AS txn_hash
            FROM stg_tx s
            LEFT JOIN organizations o ON o.org_id = trim(s.org_id)
            LEFT JOIN voc_gender g ON g.key = {fold('s.gender')}
            LEFT JOIN country_currency cur ON cur.country = o.country
        ), t AS (
            SELECT n.*, (k.currency IS NOT NULL) AS currency_known,
                   CAST(timezone(n.org_tz, n.purchased_at_tz) AS DATE) AS purchased_date_local
            FROM tx_norm n LEFT JOIN (SELECT DISTINCT currency FROM ref_fx_rates) k ON k.currency = n.currency
        )
        SELECT t.*,
          CASE
            WHEN _parse_error IS NOT NULL THEN ''
            WHEN transaction_id IS NULL THEN 'transaction_id'
            WHEN org_id IS NULL THEN 'org_id'
            WHEN org_country IS NULL THEN 'org_id'
            WHEN event_id IS NULL THEN 'event_id'
            WHEN event_name IS NULL THEN 'event_name'
            WHEN event_start_tz IS NULL THEN 'event_start'
            WHEN purchased_at_tz IS NULL THEN 'purchased_at'
            WHEN tickets IS NULL THEN 'tickets'
            WHEN amount IS NULL THEN 'amount'
            WHEN NOT currency_known THEN 'currency'
            WHEN {blank_to_null('birth_year_raw')} IS NOT NULL AND birth_year IS NULL THEN 'birth_year'
            WHEN NOT regexp_full_match(buyer_country, '[A-Z]{{2}}') THEN 'buyer_country'
          END AS reject_column,
          CASE
            WHEN _parse_error IS NOT NULL THEN _parse_error
            WHEN transaction_id IS NULL THEN 'transaction_id is empty; every purchase needs its id'
            WHEN org_id IS NULL THEN 'org_id is empty'
            WHEN org_country IS NULL THEN 'org_id ''' || org_id || ''' is not a known organization; add it to the organizations file (or fix the id) and load again'
            WHEN event_id IS NULL THEN 'event_id is empty'
            WHEN event_name IS NULL THEN 'event_name is empty'
            WHEN event_start_tz IS NULL THEN coalesce('event_start ''' || trim(event_start_raw) || ''' is not {_ISO_HINT}', 'event_start is empty')
            WHEN purchased_at_tz IS NULL THEN coalesce('purchased_at ''' || trim(purchased_at_raw) || ''' is not {_ISO_HINT}', 'purchased_at is empty')
            WHEN tickets IS NULL THEN coalesce('tickets ''' || trim(tickets_raw) || ''' is not a whole number (use a negative number for refunds)', 'tickets is empty')
            WHEN amount IS NULL THEN 'amount ''' || trim(amount_raw) || ''' is not a decimal number such as 445.00'
            WHEN NOT currency_known THEN 'currency ''' || currency || ''' is not one of NOK, SEK, DKK, EUR, ISK (ISO 4217)'
            WHEN {blank_to_null('birth_year_raw')} IS NOT NULL AND birth_year IS NULL THEN 'birth_year is not a four-digit year'
            WHEN NOT regexp_full_match(buyer_country, '[A-Z]{{2}}') THEN 'buyer_country ''' || buyer_country || ''' is not an ISO 3166-1 alpha-2 code such as NO'
          END AS reject_reason,
          CASE
            WHEN reject_column IN ('event_start') THEN trim(event_start_raw)
            WHEN reject_column IN ('purchased_at') THEN trim(purchased_at_raw)
            WHEN reject_column = 'tickets' THEN trim(tickets_raw)
            WHEN reject_column = 'amount' THEN trim(amount_raw)
            WHEN reject_column = 'currency' THEN currency
            WHEN reject_column = 'org_id' THEN org_id
            WHEN reject_column = 'buyer_country' THEN buyer_country
          END AS bad_value,
          false AS duplicate
        FROM t
    """, [salt_hex, salt_hex])
    _deduplicate(con)


def _deduplicate(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE tx_first AS
        SELECT org_id, txn_hash,
               arg_min(content_hash, _ord) AS content_hash,
               arg_min(_file, _ord) AS first_file, arg_min(_line, _ord) AS first_line,
               min(_ord) AS first_ord
        FROM tx WHERE reject_reason IS NULL
        GROUP BY org_id, txn_hash
    """)
    # Later rows of the same key within this load.
    con.execute("""
        UPDATE tx SET
            duplicate = (tx.content_hash = f.content_hash),
            reject_column = CASE WHEN tx.content_hash = f.content_hash THEN NULL ELSE 'transaction_id' END,
            reject_reason = CASE WHEN tx.content_hash = f.content_hash THEN NULL ELSE
                'conflicting duplicate: transaction_id ''' || tx.transaction_id || ''' of ' || tx.org_id ||
                ' is also at ' || f.first_file || ' line ' || f.first_line || ' with different content' END,
            bad_value = CASE WHEN tx.content_hash = f.content_hash THEN NULL ELSE tx.transaction_id END
        FROM tx_first f
        WHERE tx.reject_reason IS NULL AND tx.org_id = f.org_id AND tx.txn_hash = f.txn_hash
          AND tx._ord > f.first_ord
    """)
    # The first row of each key against what earlier loads stored.
    con.execute("""
        UPDATE tx SET
            duplicate = (tx.content_hash = s.content_hash),
            reject_column = CASE WHEN tx.content_hash = s.content_hash THEN NULL ELSE 'transaction_id' END,
            reject_reason = CASE WHEN tx.content_hash = s.content_hash THEN NULL ELSE
                'conflicting duplicate: transaction_id ''' || tx.transaction_id || ''' of ' || tx.org_id ||
                ' was loaded earlier (load ' || s.load_id || ') with different content; corrections must come as new transactions (e.g. a refund row)' END,
            bad_value = CASE WHEN tx.content_hash = s.content_hash THEN NULL ELSE tx.transaction_id END
        FROM transactions_seen s
        WHERE tx.reject_reason IS NULL AND NOT tx.duplicate
          AND tx.org_id = s.org_id AND tx.txn_hash = s.txn_hash
    """)


def personal_columns() -> tuple[str, ...]:
    """Columns whose values never go into a rejects file (they may identify a person)."""
    return _PERSONAL
