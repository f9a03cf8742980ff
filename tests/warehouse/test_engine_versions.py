"""The engine refuses a version that lacks a serving table, with a hint, and a new load mends it."""

from __future__ import annotations

import duckdb
import pytest

from cid_graph.errors import WarehouseError
from tests.warehouse.conftest import EXAMPLES
from warehouse.ddl import NOISE_SLOTS
from warehouse.engine import Engine
from warehouse.ingest import ingest
from warehouse.secret import Secret
from warehouse.store import WarehouseStore

ORGS, TX = EXAMPLES / "organizations.csv", EXAMPLES / "transactions.csv"


def _refused_after(store: WarehouseStore, secret: Secret, *statements: str) -> tuple[Engine, WarehouseError]:
    """Load the examples, run ``statements`` on the published version (an older CID Graph's
    tables), and return the engine with the error it refuses the version with."""
    ingest(store, secret, [ORGS], [TX])
    con = duckdb.connect(str(store.require_current().path))
    for sql in statements:
        con.execute(sql)
    con.close()
    engine = Engine(store.root)
    with pytest.raises(WarehouseError) as err:
        engine.require()
    return engine, err.value


def test_a_version_without_org_noise_is_refused_until_loaded_again(store: WarehouseStore, secret: Secret) -> None:
    # an older CID Graph built versions without the organizations' noise factors
    engine, err = _refused_after(store, secret, "DROP TABLE org_noise")
    assert "org_noise" in str(err) and "cid-graph ingest" in (err.hint or "")
    again = ingest(store, secret, [ORGS])
    assert again.published
    counts = engine.execute("SELECT (SELECT count(DISTINCT org_id) FROM org_noise) AS f, "
                            "(SELECT count(*) FROM org_noise) AS n, (SELECT count(*) FROM organizations) AS o")
    assert counts.to_pylist() == [{"f": 5, "n": 5 * NOISE_SLOTS, "o": 5}]
    engine.close()


def test_a_version_with_one_factor_per_organization_is_refused_until_loaded_again(
        store: WarehouseStore, secret: Secret) -> None:
    """The older org_noise held one factor per organization for every measure (a ratio of two
    isolated figures cancelled it): such a version is refused, and the next load rebuilds the table
    with one factor per organization and noise slot."""
    engine, err = _refused_after(store, secret, "DROP TABLE org_noise",
                                 "CREATE TABLE org_noise (org_id VARCHAR PRIMARY KEY, factor DOUBLE NOT NULL)",
                                 "INSERT INTO org_noise SELECT org_id, 1.2 FROM organizations")
    assert "org_noise per measure" in str(err) and "cid-graph ingest" in (err.hint or "")
    assert ingest(store, secret, [ORGS]).published
    rows = engine.execute("SELECT count(*) AS n, count(DISTINCT factor) AS d FROM org_noise").to_pylist()
    assert rows == [{"n": 5 * NOISE_SLOTS, "d": 5 * NOISE_SLOTS}]
    engine.close()


def test_a_version_without_customer_history_is_refused_until_loaded_again(
        store: WarehouseStore, secret: Secret) -> None:
    """A version built before customer history lacks its columns: refused with the hint to load
    again; the next load adds them (statuses stay unknown: the customer ids are gone; lead times
    are computed from the rows)."""
    engine, err = _refused_after(
        store, secret, "DROP VIEW buyers",
        *(f"ALTER TABLE buyer_rows DROP COLUMN {c}" for c in
          ("customer_status", "frequency_band", "spend_band", "customer_count", "lead_time_days", "lead_time_band")),
        "DROP TABLE customer_links",
        "CREATE VIEW buyers AS SELECT * EXCLUDE (buyer_key) FROM buyer_rows WHERE tickets > 0")
    assert "customer history" in str(err) and "cid-graph ingest" in (err.hint or "")
    assert ingest(store, secret, [ORGS]).published
    rows = engine.execute("SELECT count(*) AS n, count(*) FILTER (WHERE customer_status = 'unknown') AS unknown, "
                          "count(*) FILTER (WHERE lead_time_days IS NULL OR lead_time_band IS NULL) AS no_lead "
                          "FROM buyers").to_pylist()
    assert rows[0]["n"] > 0 and rows[0]["unknown"] == rows[0]["n"] and rows[0]["no_lead"] == 0
    engine.close()


def test_a_version_with_old_survey_answers_is_served_without_survey_metrics(
        store: WarehouseStore, secret: Secret) -> None:
    """A version built before survey metrics has survey answers without question kinds: its buyer
    data is still served; survey queries are refused (resolvers/execute.py) until a new load."""
    ingest(store, secret, [ORGS], [TX])
    con = duckdb.connect(str(store.require_current().path))
    con.execute("CREATE OR REPLACE VIEW survey_answers AS SELECT * EXCLUDE (response_key) FROM survey_answer_rows")
    con.close()
    engine = Engine(store.root)
    assert "survey metrics" in engine.require().outdated["survey_answers"]
    assert engine.execute("SELECT count(*) AS n FROM buyers").to_pylist()[0]["n"] > 0
    assert ingest(store, secret, [ORGS]).published
    assert engine.require().outdated == {}
    assert engine.execute("SELECT count(*) AS n FROM survey_answers WHERE question_kind IS NULL").to_pylist() == [
        {"n": 0}]
    engine.close()
