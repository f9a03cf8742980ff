"""A load that touches a few organizations refreshes only their rows of each rollup, and every
rollup ends up with the same rows as building it again from the same base tables (issue 16 §1:
rollups only for what the load touched)."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb

from warehouse.derived import (
    built_derived,
    changed_organizations,
    organization_fingerprints,
    rebuild_derived,
)
from warehouse.ingest import ingest
from warehouse.store import WarehouseStore

CSV = "header=true, delim=',', quote='\"', escape='\"', all_varchar=true"


def _split(demo, out: Path, later: list[str], since: str) -> tuple[list[Path], list[Path]]:
    """The demo's transactions in two loads: the ``later`` organizations' purchases from
    ``since`` in the second, everything else in the first."""
    con = duckdb.connect()
    first, second = [], []
    for path in demo.transactions:
        for name, keep in (("a", "NOT"), ("b", "")):
            target = out / f"{name}-{path.name}"
            con.execute(f"""COPY (SELECT * FROM read_csv(?, {CSV})
                                  WHERE {keep} (list_contains(?, org_id) AND purchased_at >= ?))
                            TO '{target}' (HEADER, DELIMITER ',')""", [str(path), later, since])
            (first if name == "a" else second).append(target)
    return first, second


def _tables(store: WarehouseStore) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    try:
        out = {}
        for name in built_derived(con):
            rows = con.execute(f"SELECT * FROM {name}").fetchall()
            out[name] = sorted((tuple(round(v, 9) if isinstance(v, float) and math.isfinite(v) else v for v in r)
                                for r in rows), key=repr)
        return out
    finally:
        con.close()


def test_a_load_of_a_few_organizations_refreshes_their_rollup_rows_only(tmp_path, secret, demo_small):
    orgs = duckdb.sql(f"SELECT org_id FROM read_csv('{demo_small.organizations}', {CSV}) ORDER BY org_id").fetchall()
    later = [o for (o,) in orgs][::8]
    first, second = _split(demo_small, tmp_path, later, "2025-07-01")
    inc = WarehouseStore(tmp_path / "inc")
    ingest(inc, secret, [demo_small.organizations], first)
    said: list[str] = []
    r2 = ingest(inc, secret, [], second, progress=said.append)
    assert r2.published and r2.rows_loaded > 0

    refreshed = [m for m in said if m.startswith("refreshed rollup")]
    got = _tables(inc)
    assert len(refreshed) == len(got) > 10, [m for m in said if "rollup" in m]
    assert all(f"for {len(later)} changed organization(s)" in m for m in refreshed), refreshed
    # The same rows as building every rollup again from the same base tables...
    rebuild_derived(inc)
    expected = _tables(inc)
    assert got.keys() == expected.keys()
    for name in expected:
        assert got[name] == expected[name], name
    # ...and the refreshed organizations' rows did change.
    assert any(r[0] in later for r in got["rollup_org_month"])


def test_a_load_that_touches_most_rows_builds_the_rollups_again(tmp_path, secret, demo_small):
    first, second = _split(demo_small, tmp_path, [], "2100-01-01")  # the second load holds nothing new
    store = WarehouseStore(tmp_path / "wh")
    ingest(store, secret, [demo_small.organizations], [p for p in demo_small.transactions][:1])
    said: list[str] = []
    ingest(store, secret, [], demo_small.transactions[1:], progress=said.append)
    assert not [m for m in said if m.startswith("refreshed rollup")]
    assert [m for m in said if m.startswith("built rollup")]


def test_fingerprints_name_exactly_the_organizations_whose_rows_changed(tmp_path, secret, demo_small):
    store = WarehouseStore(tmp_path / "wh")
    ingest(store, secret, [demo_small.organizations], demo_small.transactions)
    con = duckdb.connect(str(store.require_current().path))
    try:
        before = organization_fingerprints(con)
        org = sorted(before)[3]
        con.execute("UPDATE buyer_rows SET tickets = tickets + 1 WHERE rowid = "
                    "(SELECT min(rowid) FROM buyer_rows WHERE org_id = ?)", [org])
        assert changed_organizations(before, organization_fingerprints(con)) == {org}
        other = sorted(before)[5]
        con.execute("UPDATE events SET event_type = 'talk' WHERE event_sk = "
                    "(SELECT min(event_sk) FROM events WHERE org_id = ? AND event_type <> 'talk')", [other])
        assert changed_organizations(before, organization_fingerprints(con)) == {org, other}
    finally:
        con.close()
