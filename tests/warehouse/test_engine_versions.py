"""The engine refuses a version that lacks a serving table, with a hint, and a new load mends it."""

from __future__ import annotations

import duckdb
import pytest

from cid_graph.errors import WarehouseError
from tests.warehouse.conftest import EXAMPLES
from warehouse.engine import Engine
from warehouse.ingest import ingest
from warehouse.secret import Secret
from warehouse.store import WarehouseStore


def test_a_version_without_org_noise_is_refused_until_loaded_again(store: WarehouseStore, secret: Secret) -> None:
    orgs, tx = EXAMPLES / "organizations.csv", EXAMPLES / "transactions.csv"
    ingest(store, secret, [orgs], [tx])
    # an older CID Graph built versions without the organizations' noise factors
    path = store.require_current().path
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE org_noise")
    con.close()
    engine = Engine(store.root)
    with pytest.raises(WarehouseError) as err:
        engine.require()
    assert "org_noise" in str(err.value) and "cid-graph ingest" in (err.value.hint or "")
    again = ingest(store, secret, [orgs])
    assert again.published
    counts = engine.execute("SELECT (SELECT count(*) FROM org_noise) AS f, (SELECT count(*) FROM organizations) AS o")
    assert counts.to_pylist() == [{"f": 5, "o": 5}]
    engine.close()
