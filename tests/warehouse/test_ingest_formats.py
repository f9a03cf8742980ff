"""Parquet input and source profiles give the same warehouse as canonical CSV."""

from __future__ import annotations

import duckdb

from tests.warehouse.conftest import EXAMPLES
from warehouse.demo import generate
from warehouse.ingest import ingest
from warehouse.ingest.sources import load_profile
from warehouse.store import WarehouseStore

STATE = "SELECT org_id, count(*), sum(tickets), round(sum(amount_eur), 4) FROM buyers GROUP BY org_id ORDER BY org_id"


def _state(store: WarehouseStore) -> list[tuple]:
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    try:
        return con.execute(STATE).fetchall()
    finally:
        con.close()


def test_parquet_gives_the_same_warehouse_as_csv(tmp_path, secret):
    csv_files = generate(tmp_path / "csv", size="small", seed=5)
    pq_files = generate(tmp_path / "pq", size="small", seed=5, fmt="parquet")
    a, b = WarehouseStore(tmp_path / "a"), WarehouseStore(tmp_path / "b")
    ra = ingest(a, secret, [csv_files.organizations], csv_files.transactions)
    rb = ingest(b, secret, [pq_files.organizations], pq_files.transactions)
    assert (ra.rows_read, ra.rows_loaded, ra.rows_rejected, ra.duplicates) == (
        rb.rows_read, rb.rows_loaded, rb.rows_rejected, rb.duplicates)
    assert _state(a) == _state(b)


def test_a_profile_maps_an_export_onto_the_contract(tmp_path, store, secret):
    text = (EXAMPLES / "transactions.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    renamed = header.replace("transaction_id", "OrderLineId").replace("customer_id", "KundeNr").replace(
        "purchased_at", "Kjøpstidspunkt")
    (tmp_path / "export.csv").write_text(renamed + "\n" + rest, encoding="utf-8")
    (tmp_path / "profile.yaml").write_text(
        "name: billettsystem\ncolumns:\n  transaction_id: OrderLineId\n  customer_id: KundeNr\n"
        "  purchased_at: Kjøpstidspunkt\n", encoding="utf-8")
    result = ingest(store, secret, [EXAMPLES / "organizations.csv"], [tmp_path / "export.csv"],
                    profile=load_profile(str(tmp_path / "profile.yaml")))
    assert (result.rows_loaded, result.duplicates, result.buyers) == (7, 1, 5)
