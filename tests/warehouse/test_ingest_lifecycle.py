"""Idempotency, incremental merge, atomic publish and P1 on generated data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from warehouse.ingest import ingest
from warehouse.store import WarehouseStore

BUYER_STATE = """
    SELECT buyer_key, (SELECT e.event_id FROM events e WHERE e.event_sk = b.event_sk) AS event_id,
           org_id, first_purchased_at_utc, first_purchased_at_local, purchases,
           tickets, round(amount_local, 6), round(amount_eur, 6), age_group, gender, buyer_country,
           buyer_region, area_type, purchasing_power, education_level, home_type, record_key,
           customer_status, frequency_band, spend_band, customer_count, lead_time_days, lead_time_band
    FROM buyer_rows b ORDER BY buyer_key
"""


def _rows(store: WarehouseStore, sql: str) -> list[tuple]:
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_loading_the_same_files_again_changes_nothing(store, secret, demo_small):
    first = ingest(store, secret, [demo_small.organizations], demo_small.transactions)
    assert first.published and first.reconciles() and first.rows_loaded > 10_000
    snapshot = store.require_current().path.read_bytes()
    again = ingest(store, secret, [demo_small.organizations], demo_small.transactions)
    assert not again.published and again.version == first.version
    assert again.rows_loaded == 0 and again.duplicates + again.rows_rejected == again.rows_read
    assert again.buyers == first.buyers
    assert store.require_current().path.read_bytes() == snapshot


def _split(path: Path, out: Path, fraction: float) -> tuple[Path, Path]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = 1 + int((len(lines) - 1) * fraction)
    a, b = out / f"a-{path.name}", out / f"b-{path.name}"
    a.write_text("".join(lines[:cut]), encoding="utf-8")
    b.write_text(lines[0] + "".join(lines[cut:]), encoding="utf-8")
    return a, b


def test_later_purchases_merge_into_existing_buyer_rows(tmp_path, secret, demo_small):
    whole = WarehouseStore(tmp_path / "whole")
    ingest(whole, secret, [demo_small.organizations], demo_small.transactions)
    parts = [_split(p, tmp_path, 0.6) for p in demo_small.transactions]
    inc = WarehouseStore(tmp_path / "inc")
    r1 = ingest(inc, secret, [demo_small.organizations], [a for a, _ in parts])
    r2 = ingest(inc, secret, [], [b for _, b in parts])
    assert r1.version == 1 and r2.version == 2
    merged = _rows(inc, "SELECT count(*) FROM buyer_rows WHERE purchases > 1")[0][0]
    assert merged > 0
    assert _rows(inc, BUYER_STATE) == _rows(whole, BUYER_STATE)
    assert _rows(inc, "SELECT * FROM events ORDER BY org_id, event_id") != []
    assert sorted(_rows(inc, "SELECT org_id, event_id, event_type FROM events")) == sorted(
        _rows(whole, "SELECT org_id, event_id, event_type FROM events"))


def test_a_load_killed_half_way_leaves_the_previous_version(tmp_path, secret, demo_small):
    store = WarehouseStore(tmp_path / "wh")
    parts = [_split(p, tmp_path, 0.5) for p in demo_small.transactions]
    ingest(store, secret, [demo_small.organizations], [a for a, _ in parts])
    before = store.require_current()
    before_rows = _rows(store, BUYER_STATE)
    env = dict(os.environ, CID_GRAPH_SECRET_PATH=str(tmp_path / "secret.key"))
    (tmp_path / "secret.key").write_text(secret.key.hex())
    cmd = [sys.executable, "-m", "cid_graph.cli", "ingest", "--warehouse", str(store.root),
           "--transactions", *[str(b) for _, b in parts]]
    killed_while_building = 0
    for delay in (0.0, 0.15, 0.4):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list(store.versions_dir.glob(".building-*")):
            if proc.poll() is not None:
                break
            time.sleep(0.005)
        time.sleep(delay)
        if proc.poll() is None:
            killed_while_building += 1
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        if store.require_current() == before:
            assert _rows(store, BUYER_STATE) == before_rows
        else:  # the load finished before the kill: then it is complete
            pytest.fail("the load finished before it could be killed; make the data larger")
    assert killed_while_building == 3
    # the next load cleans up and completes
    result = ingest(store, secret, [], [b for _, b in parts])
    assert result.published and not list(store.versions_dir.glob(".building-*"))


def test_no_input_identifier_is_stored(tmp_path, store, secret, demo_small):
    """P1: customer ids, names, e-mails, phones and birth years never reach the warehouse file."""
    ingest(store, secret, [demo_small.organizations], demo_small.transactions)
    src = duckdb.connect()
    files = [str(p) for p in demo_small.transactions]
    ids = src.execute(
        "SELECT list(DISTINCT customer_id), list(DISTINCT email), list(DISTINCT customer_name), list(DISTINCT phone) "
        "FROM read_csv(?, all_varchar=true, union_by_name=true) WHERE customer_id IS NOT NULL", [files]
    ).fetchone()
    secrets_in_input = {v for values in ids for v in values if v}
    assert len(secrets_in_input) > 1000
    path = store.require_current().path
    con = duckdb.connect(str(path), read_only=True)
    text_columns = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE data_type = 'VARCHAR' AND table_schema = 'main'"
    ).fetchall()
    forbidden_names = ("customer", "email", "phone", "name_of", "birth", "address", "postal")
    # bands of the customer history (warehouse/ingest/history.py), not identifiers: their values
    # are checked against the input's identifiers below like every other column's
    derived = {"customer_status", "d_customer_status"}
    for table, column in text_columns:
        assert column in derived or not any(f in column for f in forbidden_names), (table, column)
        values = {r[0] for r in con.execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall()}
        leaked = values & secrets_in_input
        assert not leaked, f"{table}.{column} holds input identifiers such as {sorted(leaked)[:3]}"
    all_columns = {c for _, c in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'").fetchall()}
    assert not {"customer_id", "birth_year", "postal_code", "email", "phone"} & all_columns
    # the customer pseudonyms (internal, P1) are keyed apart from the buyer keys: none is one
    links = con.execute("SELECT count(*), count(*) FILTER (WHERE customer_key IN (SELECT buyer_key FROM buyer_rows)) "
                        "FROM customer_links").fetchone()
    assert links is not None and links[0] > 1000 and links[1] == 0
    con.close()
    raw = path.read_bytes()
    sample = sorted(secrets_in_input)[:200]
    assert not [s for s in sample if len(s) > 6 and s.encode() in raw]


def test_the_load_connection_prints_no_progress_bar(tmp_path):
    """DuckDB's progress bar writes to stdout, which `cid-graph ingest --json` owns (issue 16)."""
    from warehouse.ingest.pipeline import connect

    con = connect(tmp_path / "v.duckdb")
    try:
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)
    finally:
        con.close()


def test_a_member_loaded_in_parts_gets_the_labels_and_rows_of_one_load(tmp_path, secret, demo_small):
    """Split by organization (some members' later purchases in a second load), the incremental
    warehouse equals the single load: buyer rows, and the events' labels, which the classifier
    decides from the member's whole programme (dates per title, prices, tickets per buyer)."""
    from tests.warehouse.test_derived_refresh import CSV, _split

    orgs = duckdb.sql(f"SELECT org_id FROM read_csv('{demo_small.organizations}', {CSV}) ORDER BY org_id").fetchall()
    first, second = _split(demo_small, tmp_path, [o for (o,) in orgs][::4], "2025-03-01")
    whole = WarehouseStore(tmp_path / "whole")
    ingest(whole, secret, [demo_small.organizations], demo_small.transactions)
    inc = WarehouseStore(tmp_path / "inc")
    ingest(inc, secret, [demo_small.organizations], first)
    ingest(inc, secret, [], second)
    assert _rows(inc, BUYER_STATE) == _rows(whole, BUYER_STATE)
    labels = ("SELECT org_id, event_id, event_type, event_category, classification_source, "
              "round(classification_confidence, 9) FROM events ORDER BY org_id, event_id")
    assert _rows(inc, labels) == _rows(whole, labels)
