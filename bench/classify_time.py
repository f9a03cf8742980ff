"""How long labelling a version's events takes: the classifier's whole pass at ingest.

    python -m bench.classify_time [--size large] [--buyers-per-event 30] [--out bench/out]
    python -m bench.classify_time --warehouse PATH     # a built warehouse's events instead

Without ``--warehouse`` it builds, in memory, the organizations and events of the demo of
``--size`` (the generator's own titles, starts and organizations; the large demo has about
62,000 events) and ``--buyers-per-event`` buyer rows per event priced as the generator prices
them, so that the context the classifier reads (runs, prices, tickets per buyer) costs what it
costs on a real version. With ``--warehouse`` it reads a copy of the current version. Then it
times :func:`warehouse.classify.apply.relabel_events` over every event (reading the inputs,
predicting, writing the labels back), and the model's predictions alone. The model is trained
(or read from the cache) before the clock starts. Writes ``bench/out/classify-time.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from warehouse.classify import CONFIDENCE_THRESHOLD, MODEL_VERSION, default_model
from warehouse.classify.apply import _contexts, event_inputs, relabel_events
from warehouse.ddl import DDL


def _demo_version(size: str, buyers_per_event: int) -> duckdb.DuckDBPyConnection:
    """An in-memory version holding the demo's organizations and events, every one pending."""
    from warehouse.demo import SIZES
    from warehouse.demo.events import make_events
    from warehouse.demo.organizations import make_organizations
    from warehouse.demo.places import load_places

    rng = np.random.default_rng(42)  # the same draws as `generate(size=..., seed=42)`
    places = load_places()
    orgs = make_organizations(rng, places, SIZES[size].organizations)
    events = make_events(rng, orgs, places, SIZES[size].events_scale)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for stmt in DDL:
        con.execute(stmt)
    con.register("_orgs", pa.table({
        "org_id": [o.org_id for o in orgs], "name": [o.name for o in orgs],
        "org_type": [o.org_type for o in orgs], "country": [o.country for o in orgs],
        "region": [o.region for o in orgs]}))
    con.execute("INSERT INTO organizations SELECT org_id, name, org_type, country, region, NULL FROM _orgs")
    n = len(events.event_id)
    starts = events.start.astype("datetime64[us]").tolist()
    con.register("_events", pa.table({
        "event_sk": np.arange(1, n + 1, dtype=np.int32),
        "org_id": [orgs[i].org_id for i in events.org], "event_id": events.event_id,
        "event_name": events.name, "start": pa.array(starts, pa.timestamp("us")),
        "country": [orgs[i].country for i in events.org], "price": events.price.astype(float)}))
    con.execute("""
        INSERT INTO events SELECT event_sk, org_id, event_id, event_name, start, start,
               CAST(start AS DATE), country, 'unknown', 'unknown', 'unclassified', 'unclassified',
               'pending', NULL, NULL, NULL, NULL FROM _events""")
    con.execute(f"""
        INSERT INTO buyer_rows (buyer_key, event_sk, org_id, first_purchased_at_utc,
               first_purchased_at_local, purchases, tickets, amount_local, amount_eur, age_group,
               gender, buyer_country, buyer_region, buyer_municipality, area_type,
               purchasing_power, education_level, home_type, record_key)
        SELECT sha256(e.event_sk || '/' || b.range)::BLOB, e.event_sk, e.org_id, e.start, e.start, 1,
               1 + (b.range % 3), 0, e.price * (1 + (b.range % 3)), 'unknown', 'unknown',
               e.country, 'unknown', NULL, 'unknown', 'unknown', 'unknown', 'unknown', 0
        FROM _events e, range({int(buyers_per_event)}) b""")
    return con


def _copy_of(warehouse: Path) -> tuple[duckdb.DuckDBPyConnection, Path]:
    from warehouse.store import WarehouseStore

    version = WarehouseStore(warehouse).require_current()
    tmp = Path(tempfile.mkdtemp(prefix="bench-classify-"))
    shutil.copyfile(version.path, tmp / "v.duckdb")
    con = duckdb.connect(str(tmp / "v.duckdb"))
    con.execute("UPDATE events SET classification_source = 'pending' "
                "WHERE classification_source IN ('model', 'model_low_confidence')")
    return con, tmp


def run(size: str, buyers_per_event: int, warehouse: Path | None, cache: Path | None) -> dict[str, Any]:
    started = time.perf_counter()
    model = default_model(cache)
    train_s = time.perf_counter() - started
    tmp: Path | None = None
    if warehouse is None:
        con = _demo_version(size, buyers_per_event)
        what = f"demo {size} (seed 42), {buyers_per_event} buyer rows per event"
    else:
        con, tmp = _copy_of(warehouse)
        what = str(warehouse)
    try:
        [(n_events,)] = con.execute("SELECT count(*) FROM events WHERE classification_source = 'pending'").fetchall()
        [(n_buyer_rows,)] = con.execute("SELECT count(*) FROM buyer_rows").fetchall()
        t0 = time.perf_counter()
        data = event_inputs(con, ("pending",))
        inputs_s = time.perf_counter() - t0
        contexts = _contexts(data)
        t0 = time.perf_counter()
        model.predict(data.column("event_name").to_pylist(), data.column("org_type").to_pylist(),
                      data.column("country").to_pylist(), data.column("venue_text").to_pylist(),
                      contexts=contexts)
        predict_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = relabel_events(con, model, CONFIDENCE_THRESHOLD, ("pending",))
        label_s = time.perf_counter() - t0
        by_source = dict(result.by_source)
    finally:
        con.close()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return {
        "events_from": what, "events": int(n_events), "buyer_rows": int(n_buyer_rows),
        "model_version": MODEL_VERSION, "train_or_load_model_s": round(train_s, 2),
        "read_inputs_s": round(inputs_s, 3), "predict_s": round(predict_s, 3),
        "label_all_events_s": round(label_s, 3),
        "events_labelled_per_s": int(n_events / label_s) if label_s else None,
        "seconds_per_10000_events": round(label_s * 10_000 / n_events, 3) if n_events else None,
        "by_source": by_source, "threshold": CONFIDENCE_THRESHOLD,
        "load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", default="large", choices=("small", "medium", "large"))
    parser.add_argument("--buyers-per-event", type=int, default=30)
    parser.add_argument("--warehouse", type=Path)
    parser.add_argument("--cache", type=Path, default=None, help="classifier cache (default: in memory)")
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    report = run(args.size, args.buyers_per_event, args.warehouse, args.cache)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "classify-time.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
