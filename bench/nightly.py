"""A member's nightly load on a built warehouse: how long until its new purchases are published.

Copies a warehouse (``--warehouse``, e.g. ``bench/out/wh-large`` from ``make bench``), writes a
file of new purchases of one organization (its purchases in the last ``--days`` days of the data,
under new transaction ids, so they merge into its buyer rows as a later export would) and loads
it twice, each time into a fresh copy: with the rollups refreshed for the changed organizations
(what ingest does) and with every rollup built again (``REFRESH_MAX_SHARE`` forced below 0: what
ingest did before). Prints wall and CPU seconds of each and the rollup phase.

    python -m bench.nightly --warehouse bench/out/wh-large --files bench/out/demo-large [--org ORG] [--days 60]

The copies go to ``--scratch`` (default: beside the warehouse) and are removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import duckdb

from bench.ingest import cpu_seconds
from warehouse import derived
from warehouse.ingest import ingest
from warehouse.secret import load_or_create_secret
from warehouse.store import WarehouseStore

CSV = "header=true, delim=',', quote='\"', escape='\"', all_varchar=true"


def new_purchases(files: Path, out: Path, org: str | None, days: int) -> tuple[str, int]:
    """One organization's purchases of the last ``days`` days as a new export; (org, rows)."""
    paths = [str(p) for p in sorted(files.glob("transactions_*.csv"))]
    con = duckdb.connect()
    listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    con.execute(f"CREATE TEMP VIEW t AS SELECT * FROM read_csv([{listed}], {CSV})")
    if org is None:  # the organization with the most purchases in the window: a large member
        org = con.execute(f"""SELECT org_id FROM t WHERE try_cast(left(purchased_at, 10) AS DATE) >=
                                (SELECT max(try_cast(left(purchased_at, 10) AS DATE)) FROM t) - {int(days)}
                              GROUP BY org_id ORDER BY count(*) DESC, org_id LIMIT 1""").fetchone()[0]
    con.execute(f"""COPY (SELECT * REPLACE (transaction_id || '-nightly' AS transaction_id) FROM t
                          WHERE org_id = ? AND try_cast(left(purchased_at, 10) AS DATE) >=
                                (SELECT max(try_cast(left(purchased_at, 10) AS DATE)) FROM t) - {int(days)})
                    TO '{out}' (HEADER, DELIMITER ',')""", [org])
    rows = con.execute(f"SELECT count(*) FROM read_csv(?, {CSV})", [str(out)]).fetchone()[0]
    con.close()
    return str(org), int(rows)


def load_once(warehouse: Path, scratch: Path, secret_file: Path, file: Path, *, refresh: bool) -> dict[str, Any]:
    copy = scratch / ("nightly-refresh" if refresh else "nightly-full")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(warehouse, copy)
    saved = derived.REFRESH_MAX_SHARE
    if not refresh:
        derived.REFRESH_MAX_SHARE = -1.0
    marks: list[tuple[float, str]] = []
    t0, c0 = time.perf_counter(), cpu_seconds()
    try:
        secret, _ = load_or_create_secret(secret_file)
        result = ingest(WarehouseStore(copy), secret, [], [file],
                        progress=lambda m: marks.append((time.perf_counter() - t0, m)))
    finally:
        derived.REFRESH_MAX_SHARE = saved
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        shutil.rmtree(copy, ignore_errors=True)
    rollups = [t for t, m in marks if "rollup" in m]
    return {"mode": "refresh" if refresh else "full rebuild", "rows_loaded": result.rows_loaded,
            "published": result.published, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "rollups_wall_s": round(rollups[-1] - rollups[0], 1) if rollups else 0.0,
            "refreshed": sum(m.startswith("refreshed rollup") for _, m in marks),
            "built": sum(m.startswith("built rollup") for _, m in marks)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--warehouse", type=Path, default=Path("bench/out/wh-large"))
    p.add_argument("--files", type=Path, default=Path("bench/out/demo-large"), help="the demo's contract files")
    p.add_argument("--secret", type=Path, default=Path("bench/out/secret.key"), help="the secret the warehouse was built with")
    p.add_argument("--org", help="the organization (default: the one with the most purchases in the window)")
    p.add_argument("--days", type=int, default=60)
    p.add_argument("--scratch", type=Path)
    args = p.parse_args()
    scratch = args.scratch or args.warehouse.parent
    file = scratch / "nightly.csv"
    org, rows = new_purchases(args.files, file, args.org, args.days)
    print(f"{rows:,} new purchases of {org} (its last {args.days} days, new transaction ids)", flush=True)
    out = {"organization": org, "rows": rows, "load_before": round(os.getloadavg()[0], 1),
           "runs": [load_once(args.warehouse, scratch, args.secret, file, refresh=r) for r in (True, False)]}
    file.unlink(missing_ok=True)
    for run in out["runs"]:
        print(f"  {run['mode']:13} wall {run['wall_s']:6.1f} s  CPU {run['cpu_s']:6.1f} s  rollups {run['rollups_wall_s']:5.1f} s "
              f"({run['refreshed']} refreshed, {run['built']} built)")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
