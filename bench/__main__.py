"""`make bench`: the benchmark of issue 6 on the large demo warehouse; writes bench/REPORT.md.

Steps (progress on stdout): the large demo warehouse (generated and ingested, timed, unless
``bench/out/wh-large`` holds one already: then reused, its rollups rebuilt when the semantic
model's changed), the dashboard tabs against hand-written SQL (``bench/tabs.py``), where the
time goes (``bench/profile.py``), 32 concurrent clients (``bench/load.py``). Writes
``bench/out/bench.json`` and the committed ``bench/REPORT.md`` and ``bench/REPORT.json``.

Environment: ``BENCH_SIZE`` (default large), ``BENCH_OUT`` (default bench/out), ``BENCH_REPEAT``
(runs per tab, default 15), ``BENCH_CLIENTS`` (default 32), ``BENCH_LOAD_S`` (seconds of load,
default 60), ``BENCH_REBUILD=1`` (build the warehouse again even when one exists).

``BENCH_SIZE=xlarge`` (100 M buyer rows, issue 16 §4) runs only the warehouse, the tabs (3 runs
each unless ``BENCH_REPEAT``) and the memory and disk figures: see :func:`xlarge`.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import ingest, load, profile, report, server, tabs

ROOT = Path(__file__).resolve().parents[1]
_T0 = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {message}", flush=True)


def _warehouse(size: str, out: Path) -> tuple[Path, dict[str, Any]]:
    from warehouse.derived import built_derived, declared_tables, rebuild_derived
    from warehouse.store import WarehouseStore

    wh = out / f"wh-{size}"
    store = WarehouseStore(wh)
    if os.environ.get("BENCH_REBUILD") != "1" and store.current_version() is not None:
        say(f"reusing the {size} demo warehouse at {wh} (BENCH_REBUILD=1 builds it again)")
        import duckdb

        con = duckdb.connect(str(store.require_current().path), read_only=True)
        built = built_derived(con)
        con.close()
        wanted = {t.name: t.fingerprint for t in declared_tables()}
        if {n: b.fingerprint for n, b in built.items()} != wanted:
            say("its rollups are missing or from another definition: rebuilding them")
            rebuild_derived(store, say)
        previous = out / f"ingest-{size}.json"
        ing = json.loads(previous.read_text()) if previous.is_file() else {}
        ing["note"] = "the warehouse was reused; numbers of the run that built it" if ing else "the warehouse was reused"
        return wh, ing
    say(f"building the {size} demo warehouse (generate, then ingest; about 4 minutes for large)")
    return wh, ingest.run(size, 42, out, say)


def _rollups(version_file: Path) -> dict[str, Any]:
    import duckdb

    from warehouse.derived import built_derived

    con = duckdb.connect(str(version_file), read_only=True)
    try:
        tables = []
        block = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
        for b in built_derived(con).values():
            blocks = con.execute("SELECT count(DISTINCT block_id) FROM pragma_storage_info(?) WHERE persistent",
                                 [b.name]).fetchone()[0]
            tables.append({"name": b.name, "rows": b.rows, "seconds": b.seconds, "mib": blocks * block / 2**20})
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        orgs = con.execute("SELECT count(*) FROM organizations").fetchone()[0]
    finally:
        con.close()
    return {"tables": tables, "total_rows": sum(t["rows"] for t in tables),
            "total_seconds": sum(t["seconds"] for t in tables), "total_mib": sum(t["mib"] for t in tables),
            "file_mib": version_file.stat().st_size / 2**20,
            "warehouse": {"buyers": int(meta.get("buyers", 0)), "events": events, "organizations": orgs}}


def _commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()


def main() -> None:
    from warehouse.store import WarehouseStore

    size = os.environ.get("BENCH_SIZE", "large")
    out = Path(os.environ.get("BENCH_OUT", "bench/out"))
    if size == "xlarge":
        return xlarge(out, int(os.environ.get("BENCH_REPEAT", "3")))
    repeat = int(os.environ.get("BENCH_REPEAT", "15"))
    clients = int(os.environ.get("BENCH_CLIENTS", "32"))
    seconds = float(os.environ.get("BENCH_LOAD_S", "60"))
    today = date.today()
    load_before = os.getloadavg()
    wh, ing = _warehouse(size, out)
    version_file = WarehouseStore(wh).require_current().path
    rollups = _rollups(version_file)
    say(f"rollups: {rollups['total_rows']:,} rows, built in {rollups['total_seconds']:.1f} s")
    toks = server.tokens(wh)
    say("dashboard tabs over HTTP against hand-written SQL")
    tab_results = tabs.run(wh, version_file, toks["partner"], repeat, today, say, admin=toks["admin"])
    say("where the time goes")
    prof = profile.run(wh, toks["partner"], max(5, repeat // 2), tabs.variants(today), say)
    say(f"{clients} concurrent clients for {seconds:.0f} s")
    load_results = load.run(wh, toks, clients, seconds, today, say)
    load_after = os.getloadavg()
    start, end = tabs.last12(today)
    commit = _commit()
    results = {
        "date": today.isoformat(), "commit": commit or "unknown", "size": size,
        "machine": {"cores": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
                    "load_before": " ".join(f"{x:.1f}" for x in load_before),
                    "load_after": " ".join(f"{x:.1f}" for x in load_after),
                    "load_note": "1, 5 and 15 minute averages; above 2 means other work shared the 2 cores"},
        "warehouse": rollups.pop("warehouse"), "ingest": ing, "rollups": rollups, "tabs": tab_results,
        "profile": prof, "profile_stages": list(profile.STAGES), "load": load_results,
        "last12": f"{start} to {end}",
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=1))
    (ROOT / "bench" / "REPORT.json").write_text(json.dumps(results, indent=1) + "\n")
    (ROOT / "bench" / "REPORT.md").write_text(report.render(results) + "\n")
    ratio, tab = report.headline(results)
    say(f"Headline: dashboard tab uncached = {ratio:.2f}× hand-written DuckDB SQL ({tab}); wrote bench/REPORT.md")


def xlarge(out: Path, repeat: int) -> None:
    """BENCH_SIZE=xlarge: 100 M buyer rows. Ingest and rollups, the tabs uncached and cached
    against hand-written SQL, peak memory and disk; no profile and no load test (each would take
    longer than the rest together). Writes ``bench/REPORT-xlarge.json`` and re-renders
    ``bench/REPORT.md`` from the committed large run with this run's section."""
    from warehouse.store import WarehouseStore

    today = date.today()
    load_before = os.getloadavg()
    wh, ing = _warehouse("xlarge", out)
    version_file = WarehouseStore(wh).require_current().path
    rollups = _rollups(version_file)
    say(f"rollups: {rollups['total_rows']:,} rows, built in {rollups['total_seconds']:.1f} s")
    toks = server.tokens(wh)
    say("dashboard tabs over HTTP against hand-written SQL")
    memory: dict[str, float] = {}
    tab_results = tabs.run(wh, version_file, toks["partner"], repeat, today, say, admin=toks["admin"], memory=memory)
    commit = _commit()
    start, end = tabs.last12(today)
    results = {
        "date": today.isoformat(), "commit": commit or "unknown", "size": "xlarge", "repeat": repeat,
        "machine": {"cores": os.cpu_count(), "load_before": " ".join(f"{x:.1f}" for x in load_before),
                    "load_after": " ".join(f"{x:.1f}" for x in os.getloadavg())},
        "warehouse": rollups.pop("warehouse"), "ingest": ing, "rollups": rollups, "tabs": tab_results,
        "server_peak_rss_mb": memory, "last12": f"{start} to {end}",
        "disk_gib": {"input": ing.get("input_gib"), "warehouse": round(sum(
            p.stat().st_size for p in wh.rglob("*") if p.is_file()) / 2**30, 2),
            "version_file": round(version_file.stat().st_size / 2**30, 2),
            "peak_during_ingest": ing.get("peak_disk_during_ingest_gib")},
    }
    (out / "bench-xlarge.json").write_text(json.dumps(results, indent=1))
    (ROOT / "bench" / "REPORT-xlarge.json").write_text(json.dumps(results, indent=1) + "\n")
    large = json.loads((ROOT / "bench" / "REPORT.json").read_text())
    (ROOT / "bench" / "REPORT.md").write_text(report.render(large) + "\n")
    say("wrote bench/REPORT-xlarge.json and its section of bench/REPORT.md")


if __name__ == "__main__":
    main()
