"""The contract's examples give exactly the numbers its README states."""

from __future__ import annotations

import duckdb

from tests.warehouse.conftest import EXAMPLES
from warehouse.ingest import ingest


def _load(store, secret):
    return ingest(store, secret, [EXAMPLES / "organizations.csv"], [EXAMPLES / "transactions.csv"])


def test_examples_give_the_contract_numbers(store, secret):
    result = _load(store, secret)
    assert result.published and result.reconciles()
    assert (result.rows_read, result.rows_loaded, result.duplicates, result.rows_rejected) == (8, 7, 1, 0)
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    assert con.execute("SELECT count(*) FROM buyers").fetchone()[0] == 5
    assert con.execute("SELECT count(DISTINCT event_sk) FROM buyers").fetchone()[0] == 4
    assert con.execute("SELECT count(DISTINCT org_id) FROM buyers").fetchone()[0] == 3
    per_event = dict(con.execute(
        "SELECT e.event_id, list(b.tickets ORDER BY b.tickets) FROM buyers b "
        "JOIN events e USING (event_sk) GROUP BY 1").fetchall())
    assert per_event["ev-77"] == [3, 3]  # c-5521: 2+1; c-0093: 4-1
    assert len(per_event["ev-78"]) == 1
    assert per_event["bk-9"] == [2]
    assert len(per_event["sm-3"]) == 1


def test_examples_harmonize_and_enrich(store, secret):
    _load(store, secret)
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    rows = con.execute("""
        SELECT e.event_id, b.gender, b.age_group, b.buyer_region, b.first_purchased_at_local,
               b.first_purchased_at_utc, e.region, e.event_type, e.classification_source
        FROM buyers b JOIN events e USING (event_sk) WHERE e.event_id = 'ev-77' ORDER BY b.first_purchased_at_utc
    """).fetchall()
    # c-5521: K/kvinne -> female, born 1979, event 2025 -> 45-54; postal 0354 -> Oslo
    first = rows[0]
    assert first[1:4] == ("female", "45-54", "NO-03")
    # 21:14:03+01:00 is 20:14:03 UTC, 21:14:03 in Oslo
    assert str(first[4]) == "2025-01-20 21:14:03" and str(first[5]) == "2025-01-20 20:14:03"
    # c-0093: M, born 2011 -> 0-17; postal 1337 (Sandvika, Akershus)
    assert rows[1][1:4] == ("male", "0-17", "NO-32")
    # no offset = Oslo local time: 12:30 local is 11:30 UTC in March (CET)
    assert str(rows[1][4]) == "2025-03-01 12:30:00" and str(rows[1][5]) == "2025-03-01 11:30:00"
    assert rows[0][6:] == ("NO-03", "play", "source")
    orgs = dict(con.execute("SELECT org_id, region FROM organizations").fetchall())
    assert orgs["no-tkf"] == "NO-50"  # empty region taken from postal code 7011 (Trondheim)
    amounts = con.execute(
        "SELECT amount_local, round(amount_eur, 2) FROM buyers b JOIN events e USING (event_sk) "
        "WHERE e.event_id = 'ev-77' ORDER BY first_purchased_at_utc").fetchall()
    assert amounts[0][0] == 1335.0 and amounts[1][0] == 1335.0
    assert 90 < amounts[0][1] < 150  # NOK -> EUR at a dated rate


def test_record_keys_are_stable_on_reingest(tmp_path, secret):
    from warehouse.store import WarehouseStore

    keys = []
    for name in ("a", "b"):
        store = WarehouseStore(tmp_path / name)
        _load(store, secret)
        con = duckdb.connect(str(store.require_current().path), read_only=True)
        keys.append(con.execute("SELECT list(record_key ORDER BY buyer_key) FROM buyer_rows").fetchone()[0])
    assert keys[0] == keys[1]
    assert all(0 <= k <= 255 for k in keys[0])
