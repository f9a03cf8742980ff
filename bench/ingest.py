"""Ingest benchmark: transactions per second end to end, and the ratio to DuckDB's plain
``read_csv`` of the same files.

    python -m bench.ingest [--size large] [--seed 42] [--out bench/out]

Writes ``bench/out/ingest-<size>.json`` and prints one line per number.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from warehouse.demo import generate
from warehouse.ingest import ingest
from warehouse.secret import load_or_create_secret
from warehouse.store import WarehouseStore


def run(size: str, seed: int, out: Path, say: Callable[[str], None] | None = None) -> dict[str, object]:
    import os

    out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    files_dir = out / f"demo-{size}"
    t0 = time.perf_counter()
    files = generate(files_dir, size=size, seed=seed, progress=say)
    generate_s = time.perf_counter() - t0
    paths = [str(p) for p in files.transactions]

    con = duckdb.connect()
    t0 = time.perf_counter()
    rows = con.execute(
        "SELECT count(*) FROM read_csv(?, header=true, all_varchar=true, delim=',', quote='\"', escape='\"')",
        [paths]).fetchone()[0]
    read_csv_s = time.perf_counter() - t0
    con.close()

    wh = out / f"wh-{size}"
    if wh.exists():
        import shutil

        shutil.rmtree(wh)
    secret, _ = load_or_create_secret(out / "secret.key")
    t0 = time.perf_counter()
    result = ingest(WarehouseStore(wh), secret, [files.organizations], files.transactions, progress=say)
    ingest_s = time.perf_counter() - t0
    report = {
        "size": size, "seed": seed, "transactions": rows, "buyers": result.buyers, "events": result.events,
        "generate_s": round(generate_s, 2), "read_csv_s": round(read_csv_s, 2), "ingest_s": round(ingest_s, 2),
        "transactions_per_s": round(rows / ingest_s), "read_csv_rows_per_s": round(rows / read_csv_s),
        "ratio_ingest_to_read_csv": round(ingest_s / read_csv_s, 2),
        "files": len(files.transactions),
        "load_before": round(load_before, 1), "load_after": round(os.getloadavg()[0], 1),
        "warehouse": str(wh),
    }
    (out / f"ingest-{size}.json").write_text(json.dumps(report, indent=1))
    return report


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--size", default="large", choices=["small", "medium", "large"])
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", type=Path, default=Path("bench/out"))
    args = p.parse_args()
    for k, v in run(args.size, args.seed, args.out).items():
        print(f"{k:28} {v}")


if __name__ == "__main__":
    main()
