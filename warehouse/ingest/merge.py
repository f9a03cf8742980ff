"""Turning valid transactions into events and buyer rows, and merging them into the version.

A buyer is one customer's purchases for one event. Its key is an HMAC of (organization, event,
customer) computed in DuckDB from the secret's inner and outer pads, so raw customer ids exist
only in this load's temporary tables and never in the warehouse file. A transaction without a
customer id is its own buyer (keyed by its transaction id). Purchases of a later load merge
into the buyer rows of earlier ones: counts and sums add up, the first purchase is the earliest,
and an attribute stays as first known unless it was unknown.
"""

from __future__ import annotations

import duckdb

from warehouse.ddl import LEAD_TIME_BAND_SQL, LEAD_TIME_DAYS_SQL, PENDING, UNCLASSIFIED
from warehouse.ingest import history
from warehouse.ingest.sqlparts import fold, postal_norm
from warehouse.secret import Secret

FEEDBACK = "feedback"
#: The temporary table of the load's organizations that had no buyer rows before it.
FIRST_ORGS = "b_first_orgs"

_US = "chr(31)"
_LOCAL_TZ = (
    "CASE {c} WHEN 'NO' THEN 'Europe/Oslo' WHEN 'SE' THEN 'Europe/Stockholm' "
    "WHEN 'DK' THEN 'Europe/Copenhagen' WHEN 'FI' THEN 'Europe/Helsinki' "
    "WHEN 'IS' THEN 'Atlantic/Reykjavik' ELSE 'UTC' END"
)  # unit separator between the parts of a hashed message


#: HMAC-SHA256(secret, organization ‖ event ‖ who) in DuckDB, as hex; binds the secret's outer and
#: inner pads (in that order). A buyer key is its first 16 bytes, a record key its 17th byte.
#: ``who`` is ``'c' ‖ US ‖ customer_id``, or ``'t' ‖ US ‖ transaction_id`` without a customer.
BUYER_HASH_SQL = ("sha256(?::BLOB || unhex(sha256(?::BLOB || encode("
                  "{org_id} || chr(31) || {event_id} || chr(31) || {who}))))")


def insert_transactions_seen(con: duckdb.DuckDBPyConnection, load_id: int) -> None:
    con.execute(
        "INSERT INTO transactions_seen SELECT org_id, txn_hash, content_hash, ? "
        "FROM tx WHERE reject_reason IS NULL AND NOT duplicate",
        [load_id],
    )


def merge_events(con: duckdb.DuckDBPyConnection) -> int:
    """Add the load's new events; fill in the type/category of known ones that had none.

    Events the source does not fully label are left ``pending`` (their missing labels
    ``unclassified``) for the event classifier, which runs before the version is published.
    """
    # The venue's postal code is normalized once per event, after the first one is picked (the
    # organization's country is the same on every row of an event, and a non-blank code never
    # normalizes to NULL), not on every purchase.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ev_in AS
        SELECT * EXCLUDE (venue_postal_raw), {postal_norm('venue_postal_raw', 'country')} AS venue_postal
        FROM (
            SELECT t.org_id, t.event_id,
                   arg_min(t.event_name, t._ord) AS event_name,
                   arg_min(t.event_start_tz, t._ord) AS event_start_tz,
                   arg_min(t.org_country, t._ord) AS country,
                   arg_min(t.org_region, t._ord) AS org_region,
                   arg_min(t.venue_postal_code, t._ord)
                       FILTER (WHERE nullif(trim(t.venue_postal_code), '') IS NOT NULL) AS venue_postal_raw,
                   arg_min(t.event_type_raw, t._ord) FILTER (WHERE nullif(trim(t.event_type_raw), '') IS NOT NULL) AS type_raw,
                   arg_min(t.event_category_raw, t._ord) FILTER (WHERE nullif(trim(t.event_category_raw), '') IS NOT NULL) AS category_raw
            FROM tx t WHERE t.reject_reason IS NULL AND NOT t.duplicate
            GROUP BY t.org_id, t.event_id
        )
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ev_new AS
        SELECT e.*,
            coalesce(pc.region, e.org_region) AS region,
            CASE WHEN pc.region IS NOT NULL THEN 'venue'
                 WHEN e.org_region <> 'unknown' THEN 'organization' ELSE 'unknown' END AS region_source,
            vt.code AS src_type,
            vc.code AS src_category
        FROM ev_in e
        LEFT JOIN ref_postal_codes pc ON pc.country = e.country AND pc.postal_code = e.venue_postal
        LEFT JOIN voc_event_type vt ON vt.key = {fold('e.type_raw')}
        LEFT JOIN voc_event_category vc ON vc.key = {fold('e.category_raw')}
    """)
    # A known event that now gets a type or category from its source it lacked: the source's
    # labels replace the model's (never an organization's correction), and what is still
    # missing is predicted again (warehouse/classify).
    con.execute(f"""
        UPDATE events SET
            source_event_type = coalesce(events.source_event_type, n.src_type),
            source_event_category = coalesce(events.source_event_category, n.src_category),
            event_type = CASE WHEN events.classification_source = '{FEEDBACK}' THEN events.event_type
                              ELSE coalesce(events.source_event_type, n.src_type, '{UNCLASSIFIED}') END,
            event_category = CASE WHEN events.classification_source = '{FEEDBACK}' THEN events.event_category
                                  ELSE coalesce(events.source_event_category, n.src_category, '{UNCLASSIFIED}') END,
            classification_source = CASE
                WHEN events.classification_source = '{FEEDBACK}' THEN '{FEEDBACK}'
                WHEN coalesce(events.source_event_type, n.src_type) IS NOT NULL
                 AND coalesce(events.source_event_category, n.src_category) IS NOT NULL THEN 'source'
                ELSE '{PENDING}' END,
            classification_confidence = NULL,
            category_confidence = NULL
        FROM ev_new n
        WHERE events.org_id = n.org_id AND events.event_id = n.event_id
          AND ((events.source_event_type IS NULL AND n.src_type IS NOT NULL)
               OR (events.source_event_category IS NULL AND n.src_category IS NOT NULL))
    """)
    before = con.execute("SELECT count(*) FROM events").fetchone()[0]  # type: ignore[index]
    con.execute(f"""
        INSERT INTO events (event_sk, org_id, event_id, event_name, event_start_utc,
                            event_start_local, event_date, country, region, region_source,
                            event_type, event_category, classification_source,
                            classification_confidence, source_event_type, source_event_category,
                            category_confidence)
        WITH n AS (
            SELECT ev_new.*, {_LOCAL_TZ.format(c='country')} AS tz FROM ev_new
            WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.org_id = ev_new.org_id AND e.event_id = ev_new.event_id)
        )
        SELECT (SELECT coalesce(max(event_sk), 0) FROM events)
                 + row_number() OVER (ORDER BY n.org_id, n.event_id) AS event_sk,
               n.org_id, n.event_id, n.event_name,
               timezone('UTC', n.event_start_tz),
               timezone(n.tz, n.event_start_tz),
               CAST(timezone(n.tz, n.event_start_tz) AS DATE),
               n.country, n.region, n.region_source,
               coalesce(n.src_type, '{UNCLASSIFIED}'), coalesce(n.src_category, '{UNCLASSIFIED}'),
               CASE WHEN n.src_type IS NOT NULL AND n.src_category IS NOT NULL THEN 'source'
                    ELSE '{PENDING}' END,
               NULL, n.src_type, n.src_category, NULL
        FROM n
    """)
    after = con.execute("SELECT count(*) FROM events").fetchone()[0]  # type: ignore[index]
    return int(after - before)


def merge_buyers(con: duckdb.DuckDBPyConnection, buyer: Secret, customer: Secret) -> None:
    """Aggregate the load's purchases per buyer, key them, enrich them and merge them.

    ``buyer`` keys the buyer rows; ``customer`` (a key derived apart from it) keys the
    per-organization customer pseudonyms of ``customer_links``, written to the temporary table
    ``c_new`` for :mod:`warehouse.ingest.history`. The rows of organizations that had none before
    (:data:`FIRST_ORGS`) are inserted with their customer histories; those of the others wait
    for :func:`warehouse.ingest.history.update_history`.
    """
    # Exchange rates per (currency, local purchase date): an as-of lookup on the few distinct
    # dates, then a plain join for every purchase.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE fx_day AS
        SELECT d.currency, d.day, fx.units_per_eur
        FROM (SELECT DISTINCT c.currency, t.purchased_date_local AS day
              FROM tx t CROSS JOIN (SELECT DISTINCT currency FROM ref_fx_rates) c
              WHERE t.reject_reason IS NULL AND NOT t.duplicate) d
        ASOF JOIN ref_fx_rates fx ON fx.currency = d.currency AND d.day >= fx.valid_from
    """)
    local_first = f"timezone({_LOCAL_TZ.format(c='x.org_country')}, x.first_tz)"
    # Group on the raw identity first, so the HMAC runs once per buyer, not per purchase.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE b_raw AS
        SELECT t.org_id, t.event_id,
               CASE WHEN t.customer_id IS NULL THEN 't' || {_US} || t.transaction_id
                    ELSE 'c' || {_US} || t.customer_id END AS who,
               coalesce(min(t.purchased_at_tz) FILTER (WHERE t.tickets > 0), min(t.purchased_at_tz)) AS first_tz,
               count(*)::INTEGER AS purchases,
               sum(t.tickets)::INTEGER AS tickets,
               sum(t.amount / fx.units_per_eur) AS amount_eur,
               -- each purchase in the organization's currency at its own date's rate
               sum(CASE WHEN t.currency = cc.currency THEN t.amount
                        ELSE t.amount / fx.units_per_eur * ofx.units_per_eur END) AS amount_local,
               arg_min(t.birth_year, t._ord) FILTER (WHERE t.birth_year IS NOT NULL) AS birth_year,
               coalesce(arg_min(t.gender, t._ord) FILTER (WHERE t.gender <> 'unknown'), 'unknown') AS gender,
               arg_min(t.buyer_country, t._ord) AS buyer_country,
               arg_min(t.postal_raw, t._ord) FILTER (WHERE nullif(trim(t.postal_raw), '') IS NOT NULL) AS postal_raw
        FROM tx t
        JOIN country_currency cc ON cc.country = t.org_country
        JOIN fx_day fx ON fx.currency = t.currency AND fx.day = t.purchased_date_local
        JOIN fx_day ofx ON ofx.currency = cc.currency AND ofx.day = t.purchased_date_local
        WHERE t.reject_reason IS NULL AND NOT t.duplicate
        GROUP BY t.org_id, t.event_id, who
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE b_new AS
        WITH customers AS (
            -- The pseudonym once per (organization, customer), not once per buyer row.
            SELECT c.org_id, c.who, unhex(sha256($customer_outer::BLOB || unhex(sha256(
                       $customer_inner::BLOB || encode(c.org_id || {_US} || c.who))))) AS customer_key
            FROM (SELECT DISTINCT org_id, who FROM b_raw WHERE starts_with(who, 'c')) c
        ), keyed AS (
            SELECT b.*, {BUYER_HASH_SQL.format(org_id='b.org_id', event_id='b.event_id', who='b.who')} AS h,
                   c.customer_key
            FROM b_raw b LEFT JOIN customers c ON c.org_id = b.org_id AND c.who = b.who
        ), postals AS (
            -- Postal codes normalized once per distinct code and country, not per buyer row.
            SELECT p.postal_raw, p.buyer_country, {postal_norm('p.postal_raw', 'p.buyer_country')} AS postal
            FROM (SELECT DISTINCT postal_raw, buyer_country FROM b_raw WHERE postal_raw IS NOT NULL) p
        ), enriched AS (
            SELECT k.*, e.event_sk, e.event_date, o.country AS org_country, o.region AS org_region, p.postal
            FROM keyed k
            JOIN events e ON e.org_id = k.org_id AND e.event_id = k.event_id
            JOIN organizations o ON o.org_id = k.org_id
            LEFT JOIN postals p ON p.postal_raw = k.postal_raw AND p.buyer_country = k.buyer_country
        )
        SELECT unhex(substr(x.h, 1, 32)) AS buyer_key,
               x.event_sk, x.org_id,
               timezone('UTC', x.first_tz) AS first_purchased_at_utc,
               {local_first} AS first_purchased_at_local,
               x.purchases, x.tickets,
               x.amount_local,
               x.amount_eur,
               CASE
                 WHEN x.birth_year IS NULL THEN 'unknown'
                 WHEN year(x.event_date) - x.birth_year < 0 OR year(x.event_date) - x.birth_year > 110 THEN 'unknown'
                 WHEN year(x.event_date) - x.birth_year < 18 THEN '0-17'
                 WHEN year(x.event_date) - x.birth_year < 25 THEN '18-24'
                 WHEN year(x.event_date) - x.birth_year < 35 THEN '25-34'
                 WHEN year(x.event_date) - x.birth_year < 45 THEN '35-44'
                 WHEN year(x.event_date) - x.birth_year < 55 THEN '45-54'
                 WHEN year(x.event_date) - x.birth_year < 65 THEN '55-64'
                 WHEN year(x.event_date) - x.birth_year < 75 THEN '65-74'
                 ELSE '75+' END AS age_group,
               x.gender,
               x.buyer_country,
               coalesce(pc.region, 'unknown') AS buyer_region,
               pc.municipality_code AS buyer_municipality,
               coalesce(ai.area_type, 'unknown') AS area_type,
               coalesce(ai.purchasing_power, 'unknown') AS purchasing_power,
               coalesce(ai.education_level, 'unknown') AS education_level,
               coalesce(ai.home_type, 'unknown') AS home_type,
               ('0x' || substr(x.h, 33, 2))::SMALLINT AS record_key,
               {LEAD_TIME_DAYS_SQL.format(first_local=local_first, event_date='x.event_date')} AS lead_time_days,
               x.customer_key
        FROM enriched x
        LEFT JOIN ref_postal_codes pc ON pc.country = x.buyer_country AND pc.postal_code = x.postal
        LEFT JOIN ref_area_indices ai ON ai.country = x.buyer_country AND ai.postal_code = x.postal
    """.replace("$customer_outer", "?").replace("$customer_inner", "?"),
        [customer.outer_pad, customer.inner_pad, buyer.outer_pad, buyer.inner_pad])
    con.execute("""CREATE OR REPLACE TEMP TABLE c_new AS
                   SELECT buyer_key, org_id, customer_key FROM b_new WHERE customer_key IS NOT NULL""")
    # Organizations without earlier buyer rows (every one on a first load): all their customers'
    # rows are in this load, so their histories are computed here and the rows inserted with them.
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {FIRST_ORGS} AS
                    SELECT DISTINCT org_id FROM b_new
                    WHERE org_id NOT IN (SELECT DISTINCT org_id FROM buyer_rows)
                      AND org_id NOT IN (SELECT DISTINCT org_id FROM customer_links)""")
    con.execute("""
        UPDATE buyer_rows SET
            first_purchased_at_utc = CASE WHEN n.tickets > 0 AND n.first_purchased_at_utc < buyer_rows.first_purchased_at_utc
                                          THEN n.first_purchased_at_utc ELSE buyer_rows.first_purchased_at_utc END,
            first_purchased_at_local = CASE WHEN n.tickets > 0 AND n.first_purchased_at_utc < buyer_rows.first_purchased_at_utc
                                          THEN n.first_purchased_at_local ELSE buyer_rows.first_purchased_at_local END,
            purchases = buyer_rows.purchases + n.purchases,
            tickets = buyer_rows.tickets + n.tickets,
            amount_local = buyer_rows.amount_local + n.amount_local,
            amount_eur = buyer_rows.amount_eur + n.amount_eur,
            age_group = CASE WHEN buyer_rows.age_group = 'unknown' THEN n.age_group ELSE buyer_rows.age_group END,
            gender = CASE WHEN buyer_rows.gender = 'unknown' THEN n.gender ELSE buyer_rows.gender END,
            buyer_region = CASE WHEN buyer_rows.buyer_region = 'unknown' THEN n.buyer_region ELSE buyer_rows.buyer_region END,
            buyer_municipality = CASE WHEN buyer_rows.buyer_region = 'unknown' THEN n.buyer_municipality ELSE buyer_rows.buyer_municipality END,
            area_type = CASE WHEN buyer_rows.area_type = 'unknown' THEN n.area_type ELSE buyer_rows.area_type END,
            purchasing_power = CASE WHEN buyer_rows.purchasing_power = 'unknown' THEN n.purchasing_power ELSE buyer_rows.purchasing_power END,
            education_level = CASE WHEN buyer_rows.education_level = 'unknown' THEN n.education_level ELSE buyer_rows.education_level END,
            home_type = CASE WHEN buyer_rows.home_type = 'unknown' THEN n.home_type ELSE buyer_rows.home_type END
        FROM b_new n
        WHERE buyer_rows.buyer_key = n.buyer_key
    """)
    # A purchase that arrives later may be the row's first: its lead time follows.
    days = LEAD_TIME_DAYS_SQL.format(first_local="buyer_rows.first_purchased_at_local", event_date="e.event_date")
    con.execute(f"""
        UPDATE buyer_rows SET lead_time_days = {days}, lead_time_band = {LEAD_TIME_BAND_SQL.format(days=days)}
        FROM b_new n, events e
        WHERE buyer_rows.buyer_key = n.buyer_key AND e.event_sk = buyer_rows.event_sk
          AND buyer_rows.lead_time_days <> {days}
    """)
    first = history.history_select(f"""
            SELECT c.org_id, c.customer_key, c.buyer_key FROM c_new c
            SEMI JOIN {FIRST_ORGS} f ON f.org_id = c.org_id""", rows="b_new")
    # Rows of other organizations start unknown: warehouse.ingest.history recomputes them.
    con.execute(f"""
        INSERT INTO buyer_rows BY NAME
        WITH first AS ({first})
        SELECT n.* EXCLUDE (customer_key),
               coalesce(h.customer_status, 'unknown') AS customer_status,
               coalesce(h.frequency_band, 'unknown') AS frequency_band,
               coalesce(h.spend_band, 'unknown') AS spend_band,
               coalesce(h.customer_count, 1) AS customer_count,
               {LEAD_TIME_BAND_SQL.format(days="n.lead_time_days")} AS lead_time_band
        FROM b_new n
        LEFT JOIN first h ON h.buyer_key = n.buyer_key
        ANTI JOIN buyer_rows b ON b.buyer_key = n.buyer_key
        -- In purchase-date order: each row group then spans a few days, so a time range that
        -- reads the base table (the first and last days of a range cut mid-month, see
        -- metrics/compiler/split.py) skips the row groups outside it by their min/max.
        ORDER BY n.first_purchased_at_local, n.buyer_key
    """)
