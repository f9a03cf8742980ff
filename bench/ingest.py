"""Ingest benchmark: transactions per second end to end, and the ratio to DuckDB's plain
``read_csv`` of the same files.

    python -m bench.ingest [--size large] [--seed 42] [--out bench/out] [--reuse] [--statements 15]

Writes ``bench/out/ingest-<size>.json`` and prints one line per number. The ingest is timed in
wall seconds and in CPU seconds of this process (user + system, DuckDB's threads included): the
machine is shared, so CPU time is the figure to compare between runs. ``--reuse`` loads the
contract files an earlier run generated in ``<out>/demo-<size>`` (the same seed writes the same
files). ``--statements N`` lists the N costliest SQL statements of the ingest (CPU and wall
seconds each, summed over identical texts) and writes them into the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb

from warehouse.demo import DemoFiles, generate
from warehouse.ingest import ingest
from warehouse.secret import load_or_create_secret
from warehouse.store import WarehouseStore


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Statements:
    """CPU and wall seconds per SQL text, over every connection the ingest opens."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.wall: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def timed(self, con: duckdb.DuckDBPyConnection) -> Any:
        stats = self

        class Timed:
            def __getattr__(self, name: str) -> Any:
                return getattr(con, name)

            def _run(self, method: str, sql: str, *args: Any, **kwargs: Any) -> Any:
                cpu, wall = cpu_seconds(), time.perf_counter()
                out = getattr(con, method)(sql, *args, **kwargs)
                key = " ".join(str(sql).split())
                stats.cpu[key] += cpu_seconds() - cpu
                stats.wall[key] += time.perf_counter() - wall
                stats.calls[key] += 1
                return self if out is con else out

            def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
                return self._run("execute", sql, *args, **kwargs)

            def executemany(self, sql: str, *args: Any, **kwargs: Any) -> Any:
                return self._run("executemany", sql, *args, **kwargs)

            def sql(self, sql: str, *args: Any, **kwargs: Any) -> Any:
                return self._run("sql", sql, *args, **kwargs)

        return Timed()

    @contextmanager
    def patched(self) -> Iterator[None]:
        real = duckdb.connect

        def connect(*args: Any, **kwargs: Any) -> Any:
            return self.timed(real(*args, **kwargs))

        with mock.patch("warehouse.ingest.pipeline.duckdb.connect", connect):
            yield

    def top(self, n: int) -> list[dict[str, object]]:
        ranked = sorted(self.cpu, key=lambda k: -self.cpu[k])[:n]
        return [{"cpu_s": round(self.cpu[k], 2), "wall_s": round(self.wall[k], 2), "calls": self.calls[k],
                 "sql": k[:160]} for k in ranked]


def _existing(files_dir: Path) -> DemoFiles:
    ext = "parquet" if (files_dir / "organizations.parquet").exists() else "csv"
    questions = files_dir / f"survey_questions.{ext}"
    return DemoFiles(files_dir / f"organizations.{ext}", sorted(files_dir.glob(f"transactions_*.{ext}")),
                     survey_questions=questions, survey_responses=sorted(files_dir.glob(f"survey_responses_*.{ext}")))


#: The files each size is written in: ``xlarge`` as Parquet, which takes a fifth of CSV's disk
#: (4.3 GB instead of about 21 GB) beside a warehouse of about 19 GB.
FORMATS = {"xlarge": "parquet"}


def run(size: str, seed: int, out: Path, say: Callable[[str], None] | None = None, *,
        reuse: bool = False, statements: int = 0) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    files_dir = out / f"demo-{size}"
    fmt = FORMATS.get(size, "csv")
    disk = DiskWatch(out)
    t0 = time.perf_counter()
    files = (_existing(files_dir) if reuse and (files_dir / f"organizations.{fmt}").exists()
             else generate(files_dir, size=size, seed=seed, fmt=fmt, progress=say))
    generate_s = time.perf_counter() - t0
    paths = [str(p) for p in files.transactions]
    input_bytes = sum(p.stat().st_size for p in files.transactions)

    con = duckdb.connect()
    t0 = time.perf_counter()
    reader = ("read_parquet(?)" if fmt == "parquet" else
              "read_csv(?, header=true, all_varchar=true, delim=',', quote='\"', escape='\"')")
    rows = con.execute(f"SELECT count(*) FROM {reader}", [paths]).fetchone()[0]
    read_csv_s = time.perf_counter() - t0
    con.close()

    wh = out / f"wh-{size}"
    if wh.exists():
        shutil.rmtree(wh)
    secret, _ = load_or_create_secret(out / "secret.key")
    profile = _Statements()
    load_start = os.getloadavg()
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    with profile.patched() if statements else _nothing(), disk:
        result = ingest(WarehouseStore(wh), secret, [files.organizations], files.transactions, progress=say)
    ingest_s = time.perf_counter() - t0
    ingest_cpu_s = cpu_seconds() - cpu0
    warehouse_bytes = sum(p.stat().st_size for p in wh.rglob("*") if p.is_file())
    report: dict[str, object] = {
        "size": size, "seed": seed, "transactions": rows, "buyers": result.buyers, "events": result.events,
        "generate_s": round(generate_s, 2), "read_csv_s": round(read_csv_s, 2), "ingest_s": round(ingest_s, 2),
        "ingest_cpu_s": round(ingest_cpu_s, 2),
        "transactions_per_s": round(rows / ingest_s), "transactions_per_cpu_s": round(rows / ingest_cpu_s),
        "read_csv_rows_per_s": round(rows / read_csv_s),
        "ratio_ingest_to_read_csv": round(ingest_s / read_csv_s, 2),
        "files": len(files.transactions), "format": fmt,
        "reader": "read_parquet" if fmt == "parquet" else "read_csv",
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "input_gib": round(input_bytes / 2**30, 2), "warehouse_gib": round(warehouse_bytes / 2**30, 2),
        "peak_disk_during_ingest_gib": round(disk.peak_bytes / 2**30, 2),
        "load_before": round(load_before[0], 1), "load_at_ingest_start": [round(v, 2) for v in load_start],
        "load_after": round(os.getloadavg()[0], 1),
        "warehouse": str(wh),
    }
    if statements:
        report["statements"] = profile.top(statements)
    (out / f"ingest-{size}.json").write_text(json.dumps(report, indent=1))
    return report


@contextmanager
def _nothing() -> Iterator[None]:
    yield


class DiskWatch:
    """The most disk the ingest took at once (warehouse, DuckDB's spill files, the version being
    built), as the fall of the file system's free space, sampled every second."""

    def __init__(self, where: Path, every_s: float = 1.0) -> None:
        self.where, self.every_s = where, every_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _free(self) -> int:
        return shutil.disk_usage(self.where).free

    def __enter__(self) -> DiskWatch:
        start = self._free()

        def sample() -> None:
            while not self._stop.wait(self.every_s):
                self.peak_bytes = max(self.peak_bytes, start - self._free())

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", default="large", choices=["small", "medium", "large", "xlarge"])
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", type=Path, default=Path("bench/out"))
    p.add_argument("--reuse", action="store_true", help="load the files of an earlier run in <out>/demo-<size>")
    p.add_argument("--statements", type=int, default=0, metavar="N", help="list the N costliest statements")
    args = p.parse_args()
    t0 = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - t0:7.1f}s] {message}", flush=True)

    for k, v in run(args.size, args.seed, args.out, say, reuse=args.reuse, statements=args.statements).items():
        if k == "statements":
            assert isinstance(v, list)
            print("costliest statements (CPU s, wall s, calls, SQL):")
            for s in v:
                print(f"  {s['cpu_s']:7.2f} {s['wall_s']:7.2f} {s['calls']:5} {s['sql']}")
        else:
            print(f"{k:28} {v}")


if __name__ == "__main__":
    main()
