"""Shipped export profiles: the demo network written in each shape loads into the same warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.demo import generate
from warehouse.demo.profile_shape import write_profile_shape
from warehouse.ingest import ingest
from warehouse.ingest.sources import PROFILES_DIR, load_profile
from warehouse.store import WarehouseStore

AGGREGATES = {
    "counts": "SELECT (SELECT count(*) FROM buyer_rows), (SELECT count(*) FROM events), "
              "(SELECT count(*) FROM organizations)",
    "by_org": "SELECT org_id, count(*), sum(tickets), round(sum(amount_eur), 2) FROM buyer_rows GROUP BY ALL ORDER BY ALL",
    "by_type": "SELECT e.event_type, count(*), sum(b.tickets) FROM buyer_rows b JOIN events e USING (event_sk) "
               "GROUP BY ALL ORDER BY ALL",
    "by_age": "SELECT age_group, gender, count(*), sum(tickets) FROM buyer_rows GROUP BY ALL ORDER BY ALL",
    "by_month": "SELECT date_trunc('month', first_purchased_at_local), count(*), sum(tickets), "
                "round(sum(amount_local), 2) FROM buyer_rows GROUP BY ALL ORDER BY ALL",
    "by_event_month": "SELECT date_trunc('month', event_start_local), count(*) FROM events GROUP BY ALL ORDER BY ALL",
}


def _state(store: WarehouseStore) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    try:
        return {k: con.execute(q).fetchall() for k, q in AGGREGATES.items()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    return generate(tmp_path_factory.mktemp("demo"), size="small", seed=11)


@pytest.fixture(scope="module")
def canonical_state(demo, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    from warehouse.secret import load_or_create_secret

    tmp = tmp_path_factory.mktemp("canon")
    secret, _ = load_or_create_secret(tmp / "secret")
    store = WarehouseStore(tmp / "wh")
    ingest(store, secret, [demo.organizations], demo.transactions)
    return {"secret": secret, **_state(store)}  # type: ignore[dict-item]


@pytest.mark.parametrize("name", ["no_ticket_semicolon", "dk_jsonl_api", "canonical"])
def test_every_shipped_profile_loads_the_demo_like_the_canonical_files(name, demo, canonical_state, tmp_path: Path):
    profile = load_profile(name)
    orgs, txs = write_profile_shape(demo.organizations, demo.transactions, profile, tmp_path / "shape")
    store = WarehouseStore(tmp_path / "wh")
    ingest(store, canonical_state["secret"], [orgs], txs, profile=profile)
    got = _state(store)
    for key in AGGREGATES:
        assert got[key] == canonical_state[key], key


def test_shipped_profiles_all_parse():
    names = sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))
    assert {"canonical", "no_ticket_semicolon", "dk_jsonl_api"} <= set(names)
    for name in names:
        load_profile(name)
