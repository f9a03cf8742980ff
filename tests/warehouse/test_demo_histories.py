"""Demo customers have histories: returning shares differ by org type as the generator intends.

Everything here is computed by hand with DuckDB from the raw contract files the generator
writes (not with the project's ingest), using the definitions of issue 13: a *buyer row* is one
customer × one event at one organization with net tickets > 0; it is *returning* when the
same ``customer_id`` has a buyer row at the same organization for another event whose first
purchase is strictly earlier; its *frequency* is the distinct events the customer bought for
at that organization in the 365 days up to and including its first purchase.

Tolerance: the small preset's returning shares are checked against
``INTENDED_HISTORY`` within ±0.06. Over seeds 1–10 the small preset's measured share per org
type lies within ±0.04 of the figure it aims at, museums aside (see below): a type's rows
there come from only 5–25 customer pools, each with a handful of events, so one pool with a
big event moves the type by a few points. 0.06 leaves a margin on that and still catches a
type that drifts towards another type's figure (the order sports > theatre, music > festival
is checked separately; music 0.42 and theatre 0.45 are too close to order in a small demo).
Where the programme itself makes the target unreachable the figure aimed at is the most the
files allow: nobody buys twice for one event, so an organization has at least as many
customers as its biggest event has buyers, and its returning share is at most
1 − (biggest event's buyer rows ÷ all its buyer rows). In the small preset a sports club plays
about five home matches in three years, one of them often a derby with a third of the crowd,
which caps sports near 0.65 there (0.75 in ``medium``, where the target is met). The small
preset's museums hold about three events each in three years (exhibitions run for months),
too few for the shares of a museum's pools to be predictable, so there only the upper side is
checked; in ``medium`` (about 20 events a museum) the museums are within 0.02 of 0.25.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.demo import INTENDED_HISTORY, generate
from warehouse.demo.kinds import ORG_TYPE_SPELLINGS

CSV = "header=true, delim=',', quote='\"', escape='\"', all_varchar=true"
TOLERANCE = 0.06
#: Below this many events per organization (in three years) only the upper side is checked.
MIN_EVENTS_PER_ORG = 4

BUYER_ROWS = """
CREATE TABLE buyer_rows AS
WITH spelling AS (
    SELECT DISTINCT written, org_type FROM spellings
), orgs AS (
    SELECT o.org_id, s.org_type FROM o JOIN spelling s ON s.written = lower(o.org_type)
), txn AS (  -- one row per (org_id, transaction_id): exact duplicates and conflicts collapse
    SELECT org_id, transaction_id, any_value(event_id) AS event_id,
           any_value(customer_id) AS customer_id,
           any_value(try_cast(tickets AS INTEGER)) AS tickets,
           -- each organization writes all its timestamps one way, so the first 19 characters
           -- order its purchases correctly
           any_value(try_cast(left(purchased_at, 19) AS TIMESTAMP)) AS purchased
    FROM t GROUP BY org_id, transaction_id
)
SELECT orgs.org_type, org_id, event_id, customer_id, min(purchased) AS first_purchase
FROM txn JOIN orgs USING (org_id)
WHERE customer_id IS NOT NULL AND tickets IS NOT NULL AND purchased IS NOT NULL
GROUP BY ALL
HAVING sum(tickets) > 0
"""

HISTORY = """
CREATE TABLE history AS
SELECT *,
       -- strictly earlier first purchase for another event (a buyer row is one event)
       first_purchase > min(first_purchase) OVER (PARTITION BY org_id, customer_id)
           AS is_returning,
       count(*) OVER (PARTITION BY org_id, customer_id ORDER BY epoch(first_purchase)
                      RANGE BETWEEN 365 * 86400 PRECEDING AND CURRENT ROW) AS frequency
FROM buyer_rows
"""


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    files = generate(tmp_path_factory.mktemp("demo_histories"), size="small", seed=42)
    return _load(files.organizations, files.transactions)


def _load(organizations: Path, transactions: list[Path]) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute(f"CREATE TABLE o AS SELECT * FROM read_csv(?, {CSV})", [str(organizations)])
    c.execute(f"CREATE TABLE t AS SELECT * FROM read_csv(?, {CSV})",
              [[str(p) for p in transactions]])
    c.execute("CREATE TABLE spellings (written VARCHAR, org_type VARCHAR)")
    c.executemany("INSERT INTO spellings VALUES (?, ?)",
                  [(w.lower(), code) for code, by_country in ORG_TYPE_SPELLINGS.items()
                   for w in (code, *by_country.values())])
    c.execute(BUYER_ROWS)
    c.execute(HISTORY)
    return c


def returning_shares(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[float, float]]:
    """Per org type: (measured returning share, the most the programme allows)."""
    rows = con.execute("""
        WITH per_event AS (
            SELECT org_type, org_id, event_id, count(*) AS n FROM history GROUP BY ALL
        ), per_org AS (
            SELECT org_type, org_id, max(n) AS biggest, sum(n) AS n FROM per_event GROUP BY ALL
        ), bound AS (
            SELECT org_type, 1 - sum(biggest) / sum(n) AS most FROM per_org GROUP BY ALL
        )
        SELECT org_type, avg(is_returning::INT), any_value(most)
        FROM history JOIN bound USING (org_type) GROUP BY org_type""").fetchall()
    return {t: (share, most) for t, share, most in rows}


def test_every_org_type_has_buyer_rows_and_an_intended_figure(
        con: duckdb.DuckDBPyConnection) -> None:
    shares = returning_shares(con)
    assert set(shares) == set(INTENDED_HISTORY)
    n = dict(con.execute("SELECT org_type, count(*) FROM history GROUP BY ALL").fetchall())
    assert min(n.values()) >= 1_000


def test_returning_share_differs_by_org_type_in_the_intended_order(
        con: duckdb.DuckDBPyConnection) -> None:
    share = {t: s for t, (s, _) in returning_shares(con).items()}
    assert share["sports"] > share["theatre_performing_arts"] > share["festival"]
    assert share["sports"] > share["music"] > share["festival"]
    assert share["sports"] - share["festival"] > 0.3


@pytest.mark.parametrize("org_type", sorted(INTENDED_HISTORY))
def test_returning_share_is_near_the_intended_figure(con: duckdb.DuckDBPyConnection,
                                                     org_type: str) -> None:
    measured, most = returning_shares(con)[org_type]
    intended = INTENDED_HISTORY[org_type]["returning_share"]
    assert measured <= intended + TOLERANCE, (org_type, measured, intended)
    events_per_org = con.execute(
        "SELECT count(DISTINCT (org_id, event_id)) / count(DISTINCT org_id) FROM history "
        "WHERE org_type = ?", [org_type]).fetchone()[0]
    if events_per_org >= MIN_EVENTS_PER_ORG:
        aimed = min(intended, most)
        assert measured >= aimed - TOLERANCE, (org_type, measured, aimed)


def test_frequent_buyers_are_sports_fans_more_than_festival_goers(
        con: duckdb.DuckDBPyConnection) -> None:
    repeat = dict(con.execute(
        "SELECT org_type, avg((frequency >= 2)::INT) FROM history GROUP BY ALL").fetchall())
    assert repeat["sports"] > repeat["theatre_performing_arts"] > repeat["festival"]
    for band in INTENDED_HISTORY.values():
        assert abs(sum(band["frequency"].values()) - 1) < 1e-3


def test_customers_span_calendar_years(con: duckdb.DuckDBPyConnection) -> None:
    customers, two, three = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE years >= 2), count(*) FILTER (WHERE years >= 3)
        FROM (SELECT org_id, customer_id, count(DISTINCT year(first_purchase)) AS years
              FROM history GROUP BY ALL)""").fetchone()
    assert two >= 0.1 * customers
    assert three > 0
    # Loyal customers of a club come back across seasons more than a festival's do.
    spanning = dict(con.execute("""
        SELECT org_type, avg((years >= 2)::INT) FROM (
            SELECT org_type, org_id, customer_id, count(DISTINCT year(first_purchase)) AS years
            FROM history GROUP BY ALL) GROUP BY ALL""").fetchall())
    assert spanning["sports"] > spanning["festival"]
