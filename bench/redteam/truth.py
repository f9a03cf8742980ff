"""The truth: DuckDB SQL over the raw contract files (never the warehouse).

Reproduces the contract's definitions (docs/data-contract.md, README "Ingest in detail"):
a buyer is one (organization, event, customer) — or one transaction without a customer id — whose
purchases net to more than 0 tickets; tickets are the net tickets, revenue_eur the net amount at
the rate of each purchase's local date (the dated table in warehouse/reference/fx_rates.csv);
PURCHASED_AT is the buyer's first (positive) purchase, local time; an event's region is that of
its venue's postal code, else its organization's; age is the event's year minus the birth year.
Rows the contract rejects (unknown org, tickets not a whole number) are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

REF = Path(__file__).resolve().parents[2] / "warehouse" / "reference"


def connect(orgs_csv: Path, tx_csv: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"""
        CREATE TABLE postal AS SELECT country, postal_code, region
        FROM read_csv('{REF / "postal_codes.csv"}', all_varchar=true, header=true);
        CREATE TABLE fx AS SELECT currency, CAST(valid_from AS DATE) AS valid_from,
               CAST(units_per_eur AS DOUBLE) AS units_per_eur
        FROM read_csv('{REF / "fx_rates.csv"}', all_varchar=true, header=true);
        CREATE TABLE org_raw AS SELECT * FROM read_csv('{orgs_csv}', all_varchar=true, header=true);
        CREATE TABLE orgs AS
        SELECT o.org_id, o.name, o.country,
               CASE WHEN o.org_type = 'theatre' THEN 'theatre_performing_arts' ELSE o.org_type END AS org_type,
               coalesce(nullif(o.region, ''), p.region) AS region,
               CASE o.country WHEN 'NO' THEN 'NOK' WHEN 'SE' THEN 'SEK' WHEN 'DK' THEN 'DKK'
                              WHEN 'IS' THEN 'ISK' ELSE 'EUR' END AS currency
        FROM org_raw o LEFT JOIN postal p ON p.country = o.country AND p.postal_code = o.postal_code;
        CREATE TABLE tx AS
        SELECT t.*, TRY_CAST(t.tickets AS INTEGER) AS n, TRY_CAST(t.amount AS DOUBLE) AS amt,
               CAST(t.purchased_at AS TIMESTAMP) AS pts, CAST(t.event_start AS TIMESTAMP) AS ets,
               coalesce(nullif(t.currency, ''), o.currency) AS cur, o.country AS org_country
        FROM read_csv('{tx_csv}', all_varchar=true, header=true) t JOIN orgs o USING (org_id)
        WHERE TRY_CAST(t.tickets AS INTEGER) IS NOT NULL;
        CREATE TABLE tx_eur AS
        SELECT tx.*, tx.amt / fx.units_per_eur AS eur
        FROM tx ASOF JOIN fx ON fx.currency = tx.cur AND CAST(tx.pts AS DATE) >= fx.valid_from;
        CREATE TABLE events AS
        SELECT t.org_id, t.event_id, any_value(t.event_name) AS title, CAST(min(t.ets) AS DATE) AS event_date,
               coalesce(any_value(p.region), any_value(o.region)) AS region,
               any_value(t.event_type) AS event_type, any_value(t.event_category) AS event_category
        FROM tx t JOIN orgs o USING (org_id)
        LEFT JOIN postal p ON p.country = o.country AND p.postal_code = t.venue_postal_code
        GROUP BY t.org_id, t.event_id;
        CREATE TABLE buyers AS
        WITH b AS (
            SELECT org_id, event_id,
                   coalesce('c' || customer_id, 't' || transaction_id) AS who,
                   sum(n) AS tickets, sum(eur) AS revenue_eur,
                   coalesce(min(pts) FILTER (WHERE n > 0), min(pts)) AS purchased_at,
                   any_value(TRY_CAST(birth_year AS INTEGER)) AS birth_year,
                   any_value(gender) AS gender_raw,
                   any_value(nullif(postal_code, '')) AS postal_code,
                   coalesce(any_value(nullif(buyer_country, '')), any_value(org_country)) AS buyer_country
            FROM tx_eur GROUP BY org_id, event_id, who HAVING sum(n) > 0
        )
        SELECT b.*, e.event_date, e.region, e.event_type, e.event_category, o.country, o.org_type,
               p.region AS buyer_region,
               CASE WHEN b.birth_year IS NULL THEN 'unknown'
                    WHEN year(e.event_date) - b.birth_year < 0 OR year(e.event_date) - b.birth_year > 110 THEN 'unknown'
                    WHEN year(e.event_date) - b.birth_year < 18 THEN '0-17'
                    WHEN year(e.event_date) - b.birth_year < 25 THEN '18-24'
                    WHEN year(e.event_date) - b.birth_year < 35 THEN '25-34'
                    WHEN year(e.event_date) - b.birth_year < 45 THEN '35-44'
                    WHEN year(e.event_date) - b.birth_year < 55 THEN '45-54'
                    WHEN year(e.event_date) - b.birth_year < 65 THEN '55-64'
                    WHEN year(e.event_date) - b.birth_year < 75 THEN '65-74'
                    ELSE '75+' END AS age_group,
               CASE WHEN lower(b.gender_raw) IN ('k', 'f', 'kvinne', 'kvinna', 'kvinde', 'nainen', 'female') THEN 'female'
                    WHEN lower(b.gender_raw) IN ('m', 'mann', 'man', 'mand', 'mies', 'male') THEN 'male'
                    ELSE 'unknown' END AS gender
        FROM b JOIN events e USING (org_id, event_id) JOIN orgs o USING (org_id)
        LEFT JOIN postal p ON p.country = b.buyer_country AND p.postal_code = b.postal_code;
    """)
    return con


# Column of the truth `buyers` table per API dimension (None: not reproduced).
DIM_COLUMN = {
    "COUNTRY": "country", "REGION": "region", "ORG_TYPE": "org_type", "EVENT_TYPE": "event_type",
    "EVENT_CATEGORY": "event_category", "AGE_GROUP": "age_group", "GENDER": "gender",
    "BUYER_REGION": "coalesce(buyer_region, 'unknown')", "ORGANIZATION": "org_id", "EVENT": "event_id",
}


def where(filters: list[dict[str, Any]] | None, time_range: dict[str, str] | None) -> str:
    parts = ["TRUE"]
    for f in filters or []:
        col = DIM_COLUMN[f["dimension"]]
        vals = ", ".join("'" + str(v).replace("'", "''") + "'" for v in f["values"])
        parts.append(f"{col} IN ({vals})")
    if time_range:
        if time_range.get("from"):
            parts.append(f"CAST(purchased_at AS DATE) >= DATE '{time_range['from']}'")
        if time_range.get("to"):
            parts.append(f"CAST(purchased_at AS DATE) <= DATE '{time_range['to']}'")
    return " AND ".join(parts)


def figures(con: duckdb.DuckDBPyConnection, filters: list[dict[str, Any]] | None = None,
            time_range: dict[str, str] | None = None, group: str | None = None) -> dict[Any, dict[str, float]]:
    """BUYERS, TICKETS, REVENUE_EUR, EVENTS, ORGANIZATIONS (per group value, or under key None)."""
    g = group or "NULL"
    rows = con.execute(f"""
        SELECT {g} AS g, count(*), sum(tickets), sum(revenue_eur), count(DISTINCT org_id || '|' || event_id),
               count(DISTINCT org_id)
        FROM buyers WHERE {where(filters, time_range)} GROUP BY 1""").fetchall()
    out: dict[Any, dict[str, float]] = {}
    for r in rows:
        out[r[0]] = {"BUYERS": r[1], "TICKETS": float(r[2]), "REVENUE_EUR": float(r[3]), "EVENTS": r[4],
                     "ORGANIZATIONS": r[5], "TICKETS_PER_BUYER": float(r[2]) / r[1],
                     "REVENUE_PER_TICKET_EUR": float(r[3]) / float(r[2]) if r[2] else 0.0}
    return out


def org_figures(con: duckdb.DuckDBPyConnection, org: str, filters: list[dict[str, Any]] | None = None,
                time_range: dict[str, str] | None = None) -> dict[str, float]:
    f = list(filters or []) + [{"dimension": "ORGANIZATION", "values": [org]}]
    return figures(con, f, time_range).get(None, {"BUYERS": 0, "TICKETS": 0.0, "REVENUE_EUR": 0.0, "EVENTS": 0,
                                                 "ORGANIZATIONS": 0, "TICKETS_PER_BUYER": 0.0,
                                                 "REVENUE_PER_TICKET_EUR": 0.0})


def orgs_in(con: duckdb.DuckDBPyConnection, filters: list[dict[str, Any]] | None,
            time_range: dict[str, str] | None = None) -> list[str]:
    return [r[0] for r in con.execute(
        f"SELECT DISTINCT org_id FROM buyers WHERE {where(filters, time_range)} ORDER BY 1").fetchall()]
