"""Customer history inside one organization: returning or first-time, frequency, spend.

A buyer row (one customer's purchases for one event) gets attributes computed from the same
customer's other buyer rows **at the same organization only**; nothing links a customer across
organizations. Only buyer rows (net tickets > 0) count as history. With ``t`` the row's first
purchase time (UTC):

- ``customer_status``: ``returning`` when the customer has a buyer row at the organization for
  another event whose first purchase is strictly earlier than ``t``; ``first_time`` otherwise.
  "First time" means first in the data the warehouse holds (see the organization's data-since
  date in ``me``).
- ``frequency_band``: distinct events the customer bought for at the organization with a first
  purchase in ``[t - 365 days, t]`` (this row and rows at the same instant included):
  ``1``, ``2``, ``3-5``, ``6+``.
- ``spend_band``: the customer's net spend in EUR at the organization over the same rows:
  ``0-49``, ``50-199``, ``200-499``, ``500+``.
- ``customer_count``: 1 on the customer's first buyer row (by event date) at the organization in
  each calendar year of the event date, else 0: summed, it counts distinct customers per year.

A buyer without customer id is its own buyer (keyed by its transaction): ``unknown`` status and
bands, ``customer_count`` 1. The pseudonym that ties a customer's rows together lives only in the
internal ``customer_links`` table (an HMAC of organization and customer id under a key derived
from the secret apart from the buyer key's, so it cannot be joined to buyer keys or across
organizations); the API never reads it and the export never writes it (P1).

A load recomputes exactly the customers it touched (``c_new`` from
:func:`warehouse.ingest.merge.merge_buyers`), over all their rows: a purchase that arrives later
but is earlier in time changes the status and bands of that customer's other rows, so an
incremental load equals a single load of all files. An organization without earlier buyer rows
(every one on a first load) has all its customers' rows in the load: those rows are inserted with
their histories already (:func:`history_select` over the load's rows), not updated afterwards.

>>> import duckdb
>>> con = duckdb.connect()
>>> _ = con.execute("CREATE TABLE t AS SELECT 49.99 AS s UNION ALL SELECT 50 UNION ALL SELECT 500")
>>> [r[0] for r in con.execute(f"SELECT {SPEND_BAND_SQL.format(spend='s')} FROM t ORDER BY s").fetchall()]
['0-49', '50-199', '500+']
"""

from __future__ import annotations

import duckdb

#: Frequency and spend bands from a count of events and a sum of EUR (codes of warehouse/ddl.py).
FREQUENCY_BAND_SQL = "CASE WHEN {n} <= 1 THEN '1' WHEN {n} = 2 THEN '2' WHEN {n} <= 5 THEN '3-5' ELSE '6+' END"
SPEND_BAND_SQL = ("CASE WHEN {spend} < 50 THEN '0-49' WHEN {spend} < 200 THEN '50-199' "
                  "WHEN {spend} < 500 THEN '200-499' ELSE '500+' END")
WINDOW_DAYS = 365


def update_history(con: duckdb.DuckDBPyConnection, first_orgs: str | None = None) -> int:
    """Link the load's customer rows (``c_new``) and recompute the history of every customer the
    load touched. Returns the number of customers recomputed.

    ``first_orgs`` names a table of organizations whose rows this load added with their final
    histories already (no earlier rows: :func:`warehouse.ingest.merge.merge_buyers`); their
    customers are linked but not recomputed.
    """
    con.execute("""
        INSERT INTO customer_links
        SELECT c.org_id, c.customer_key, c.buyer_key FROM c_new c
        ANTI JOIN customer_links l ON l.buyer_key = c.buyer_key
    """)
    skip = f"WHERE org_id NOT IN (SELECT org_id FROM {first_orgs})" if first_orgs else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE h_customers AS SELECT DISTINCT org_id, customer_key FROM c_new {skip}")
    row = con.execute("SELECT count(*) FROM h_customers").fetchone()
    customers = int(row[0]) if row else 0
    if not customers:
        return 0
    linked = """
            SELECT l.org_id, l.customer_key, l.buyer_key
            FROM customer_links l
            SEMI JOIN h_customers h ON h.org_id = l.org_id AND h.customer_key = l.customer_key"""
    con.execute(f"CREATE OR REPLACE TEMP TABLE h_rows AS {history_select(linked)}")
    con.execute("""
        UPDATE buyer_rows SET customer_status = h.customer_status, frequency_band = h.frequency_band,
                              spend_band = h.spend_band, customer_count = h.customer_count
        FROM h_rows h
        WHERE buyer_rows.buyer_key = h.buyer_key
          AND (buyer_rows.customer_status, buyer_rows.frequency_band, buyer_rows.spend_band,
               buyer_rows.customer_count)
              IS DISTINCT FROM (h.customer_status, h.frequency_band, h.spend_band, h.customer_count)
    """)
    for table in ("h_rows", "h_customers", "c_new"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return customers


def history_select(linked: str, rows: str = "buyer_rows") -> str:
    """A query of the history of every row of ``linked``: ``buyer_key``, ``customer_status``,
    ``frequency_band``, ``spend_band``, ``customer_count``.

    ``linked`` is a query of (``org_id``, ``customer_key``, ``buyer_key``) that holds *every* row
    of each customer in it; ``rows`` the buyer rows they key (``buyer_key``, ``event_sk``,
    ``first_purchased_at_utc``, ``amount_eur``, ``tickets``).
    """
    return f"""
        WITH linked AS ({linked}
        ), bought AS (
            SELECT k.org_id, k.customer_key, k.buyer_key, b.first_purchased_at_utc AS t, b.amount_eur,
                   e.event_date
            FROM linked k
            JOIN {rows} b ON b.buyer_key = k.buyer_key
            JOIN events e ON e.event_sk = b.event_sk
            WHERE b.tickets > 0
        ), history AS (
            SELECT buyer_key,
                   min(t) OVER whole < t AS returning,
                   count(*) OVER recent AS events_365,
                   sum(amount_eur) OVER recent AS spend_365,
                   row_number() OVER (PARTITION BY org_id, customer_key, year(event_date)
                                      ORDER BY event_date, t, buyer_key) = 1 AS first_of_year
            FROM bought
            WINDOW whole AS (PARTITION BY org_id, customer_key),
                   recent AS (PARTITION BY org_id, customer_key ORDER BY t
                              RANGE BETWEEN INTERVAL {WINDOW_DAYS} DAYS PRECEDING AND CURRENT ROW)
        )
        SELECT k.buyer_key,
               CASE WHEN h.buyer_key IS NULL THEN 'unknown'
                    WHEN h.returning THEN 'returning' ELSE 'first_time' END AS customer_status,
               CASE WHEN h.buyer_key IS NULL THEN 'unknown'
                    ELSE {FREQUENCY_BAND_SQL.format(n='h.events_365')} END AS frequency_band,
               CASE WHEN h.buyer_key IS NULL THEN 'unknown'
                    ELSE {SPEND_BAND_SQL.format(spend='h.spend_365')} END AS spend_band,
               CASE WHEN h.first_of_year THEN 1 ELSE 0 END AS customer_count
        FROM linked k LEFT JOIN history h ON h.buyer_key = k.buyer_key
    """
