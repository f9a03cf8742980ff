"""Ingest speed per export shape: rows per second of each shipped profile on the same demo network.

    python -m bench.ingest_shapes [--size large] [--seed 42] [--out bench/out]
                                  [--subset-year 2023] [--full canonical,parquet,...] [--report]

The demo network (``--size``) is generated once as the contract's CSV; each shape is then
written from it (not timed: canonical CSV as is, Parquet by DuckDB's ``COPY``, the profiles by
:func:`warehouse.demo.profile_shape.write_profile_shape`) and loaded into a fresh warehouse
through its profile with the normal :func:`ingest` (timed, end to end: read, normalize, validate,
harmonize, de-duplicate, merge, classify, publish).

Two runs, because a sheet holds at most 1,048,576 rows and openpyxl streams a workbook in pure
Python: **every shape on one year** of the network (``--subset-year``, the demo's smallest file,
742,739 purchases for the large demo with seed 42, one workbook), and **the whole network** for
the shapes named by ``--full`` (default: all but Excel; name ``se_purchase_xlsx`` to try it).

``rows_per_s`` counts the rows in the shaped files (a per-ticket export has a row per ticket);
``purchases_per_s`` the contract rows they stand for, which compares shapes. Writes
``OUT/ingest-shapes-<size>.json`` after every measurement; ``--report`` then puts its table in
``bench/REPORT.md`` (between the ``ingest-shapes`` markers) and copies the JSON next to it;
``--report-only`` does that from the JSON of earlier runs without measuring.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

SHAPES = ("canonical", "parquet", "no_ticket_semicolon", "dk_jsonl_api", "se_purchase_xlsx")
FULL_DEFAULT = ("canonical", "parquet", "no_ticket_semicolon", "dk_jsonl_api")
BENCH_DIR = Path(__file__).parent
MARK_BEGIN, MARK_END = "<!-- ingest-shapes:begin -->", "<!-- ingest-shapes:end -->"


def _rows(paths: list[Path], header_row: int = 1) -> int:
    """Records in the shaped files (data rows of a sheet, lines of CSV or JSON, Parquet rows)."""
    total = 0
    for p in paths:
        if p.suffix == ".parquet":
            import pyarrow.parquet as pq

            total += pq.ParquetFile(p).metadata.num_rows
        elif p.suffix == ".xlsx":
            import zipfile

            # Count the sheet's <row> elements: reading the cells would take as long as the load.
            with zipfile.ZipFile(p) as zf:
                sheets = sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
                rows, tail = 0, b""
                with zf.open(sheets[-1]) as src:  # the demo writes the profile's sheet last
                    while chunk := src.read(1 << 20):
                        rows += (tail + chunk).count(b"<row ") - tail.count(b"<row ")
                        tail = chunk[-8:]
            total += rows - header_row
        else:
            with open(p, "rb") as fh:
                total += sum(1 for line in fh if line.strip()) - (p.suffix != ".jsonl")
    return total


def _chunks(paths: list[Path], out: Path, rows: int = 500_000) -> list[Path]:
    """The CSV files cut into files of at most ``rows`` rows, so that writing a shape (which holds
    a file's rows in memory) stays within a few GB on the large demo. The demo has no multi-line fields."""
    out.mkdir(parents=True, exist_ok=True)
    parts: list[Path] = []
    for src in paths:
        with open(src, "rb") as fh:
            header = fh.readline()
            n, part, dst = 0, 0, None
            for line in fh:
                if dst is None or n == rows:
                    if dst is not None:
                        dst.close()
                    part += 1
                    parts.append(out / f"{src.stem}_{part:02d}.csv")
                    dst = open(parts[-1], "wb")  # noqa: SIM115 - closed when the next part starts
                    dst.write(header)
                    n = 0
                dst.write(line)
                n += 1
            if dst is not None:
                dst.close()
    return parts


def _shape(name: str, orgs: Path, txs: list[Path], out: Path) -> tuple[Any, Path, list[Path]]:
    from warehouse.demo.profile_shape import write_profile_shape
    from warehouse.ingest.sources import CANONICAL, load_profile

    if name == "canonical":
        return CANONICAL, orgs, txs
    if name == "parquet":
        out.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        paths = []
        for src in [orgs, *txs]:
            dst = out / (src.stem + ".parquet")
            con.execute(f"COPY (SELECT * FROM read_csv('{src}', all_varchar=true, header=true)) "
                        f"TO '{dst}' (FORMAT parquet)")
            paths.append(dst)
        con.close()
        return CANONICAL, paths[0], paths[1:]
    profile = load_profile(name)
    if sum(p.stat().st_size for p in txs) > 200_000_000:
        txs = _chunks(txs, out / "chunks")
    shaped_orgs, shaped = write_profile_shape(orgs, txs, profile, out)
    shutil.rmtree(out / "chunks", ignore_errors=True)
    return profile, shaped_orgs, shaped


def measure(name: str, orgs: Path, txs: list[Path], work: Path, secret: Any, purchases: int,
            say: Callable[[str], None]) -> dict[str, Any]:
    from warehouse.ingest import ingest
    from warehouse.store import WarehouseStore

    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    profile, s_orgs, s_txs = _shape(name, orgs, txs, work / f"shape-{name}")
    shape_s = time.perf_counter() - t0
    rows = _rows(s_txs, getattr(profile.shape, "header_row", 1))
    wh = work / f"wh-{name}"
    shutil.rmtree(wh, ignore_errors=True)
    say(f"{name}: {len(s_txs)} file(s), {rows:,} rows written in {shape_s:.0f} s; loading")
    t0 = time.perf_counter()
    result = ingest(WarehouseStore(wh), secret, [s_orgs], s_txs, profile=profile)
    ingest_s = time.perf_counter() - t0
    size_bytes = sum(p.stat().st_size for p in s_txs)
    shutil.rmtree(wh, ignore_errors=True)
    if name != "canonical":
        shutil.rmtree(work / f"shape-{name}", ignore_errors=True)
    out = {
        "shape": name, "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "files": len(s_txs), "rows": rows, "purchases": purchases,
        "bytes": size_bytes,
        "write_shape_s": round(shape_s, 1), "ingest_s": round(ingest_s, 1),
        "rows_per_s": round(rows / ingest_s), "purchases_per_s": round(purchases / ingest_s),
        "rows_loaded": result.rows_loaded, "buyers": result.buyers, "events": result.events,
        "load_before": round(load_before, 1), "load_after": round(os.getloadavg()[0], 1),
    }
    say(f"{name}: {out['rows_per_s']:,} rows/s ({out['purchases_per_s']:,} purchases/s), {ingest_s:.0f} s")
    return out


def run(size: str, seed: int, out: Path, subset_year: int, full: tuple[str, ...], shapes: tuple[str, ...],
        say: Callable[[str], None] = print) -> dict[str, Any]:
    """Measure ``shapes`` on one year, and those of them in ``full`` on the whole network."""
    from warehouse.demo import generate
    from warehouse.secret import load_or_create_secret

    out.mkdir(parents=True, exist_ok=True)
    files_dir = out / f"demo-{size}"
    if not (files_dir / "organizations.csv").exists():
        say(f"generating the {size} demo (seed {seed})")
        generate(files_dir, size=size, seed=seed, progress=say)
    txs = sorted(files_dir.glob("transactions_*.csv"))
    orgs = files_dir / "organizations.csv"
    secret, _ = load_or_create_secret(out / "secret.key")
    report: dict[str, Any] = {
        "size": size, "seed": seed, "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(), "note": "shared 2-core machine, other work running (see load_before/after)",
        "subset": {"year": subset_year, "file": f"transactions_{subset_year}.csv", "results": []},
        "full": {"files": [p.name for p in txs], "results": []},
    }
    path = out / f"ingest-shapes-{size}.json"
    if path.exists():
        # Shapes measured in an earlier run are kept (each result has its own time and load);
        # those measured now replace them.
        earlier = json.loads(path.read_text())
        if (earlier.get("size"), earlier.get("seed"), earlier["subset"]["year"]) == (size, seed, subset_year):
            for key in ("subset", "full"):
                now = shapes if key == "subset" else full
                report[key]["results"] = [r for r in earlier[key]["results"] if r["shape"] not in now]
                if "purchases" in earlier[key]:
                    report[key]["purchases"] = earlier[key]["purchases"]
    subset = [p for p in txs if p.stem.endswith(str(subset_year))]
    runs = [("subset", subset, shapes), ("full", txs, full)]
    for key, files, names in runs:
        if not names:
            continue
        purchases = _rows(files)
        report[key]["purchases"] = purchases
        for name in names:
            try:
                report[key]["results"].append(measure(name, orgs, files, out / f"shapes-{key}", secret, purchases, say))
            except Exception as exc:  # one shape failing must not lose the others' numbers
                report[key]["results"].append({"shape": name, "error": f"{type(exc).__name__}: {exc}"})
                say(f"{name} failed: {exc}")
            path.write_text(json.dumps(report, indent=1))
    return report


def section(report: dict[str, Any]) -> str:
    """The REPORT.md section for one run."""
    lines = [MARK_BEGIN, "## Ingest per export shape", "",
             f"`python -m bench.ingest_shapes --size {report['size']}` ({report['cores']} cores, {report['note']}; "
             "each row says when it was measured). End-to-end `ingest` of each shape written from the "
             f"same {report['size']} demo network (seed {report['seed']}) through its profile; `rows/s` counts the "
             "rows in the shaped files (a per-ticket export has one per ticket), `purchases/s` the contract rows "
             "they stand for. Writing the shapes is not timed.", ""]
    for key, title in (("subset", f"One year: `{report['subset']['file']}`, {report['subset'].get('purchases', 0):,} "
                        "purchases (every shape, Excel included: one workbook)"),
                       ("full", f"The whole network: {report['full'].get('purchases', 0):,} purchases in "
                        f"{len(report['full']['files'])} yearly files")):
        results = report[key]["results"]
        lines += [f"### {title}", ""]
        if not results:
            lines += ["Not measured in this run.", ""]
            continue
        lines += ["| shape | files | rows | ingest s | rows/s | purchases/s | measured | load before → after |",
                  "|---|---:|---:|---:|---:|---:|---|---|"]
        for r in results:
            if "error" in r:
                lines.append(f"| {r['shape']} | – | – | – | failed: {r['error'][:80]} | – | – | – |")
                continue
            lines.append(f"| {r['shape']} | {r['files']} | {r['rows']:,} | {r['ingest_s']:,.1f} | "
                         f"{r['rows_per_s']:,} | {r['purchases_per_s']:,} | {r.get('measured_at', report['date'])} | "
                         f"{r['load_before']} → {r['load_after']} |")
        lines.append("")
    measured_full = {r["shape"] for r in report["full"]["results"] if "error" not in r}
    missing = [s for s in SHAPES if s not in measured_full]
    if missing:
        why = ("; a sheet holds at most 1,048,576 rows, so the whole network is a dozen workbooks, and openpyxl "
               "reads a workbook cell by cell in Python: the one-year run is the Excel number"
               if any(s.endswith("xlsx") for s in missing) else "")
        lines += [f"Not measured on the whole network: {', '.join(missing)} (run them with --full{why}).", ""]
    lines.append(MARK_END)
    return "\n".join(lines)


def update_report(report: dict[str, Any], md: Path = BENCH_DIR / "REPORT.md") -> None:
    text = md.read_text(encoding="utf-8")
    block = section(report)
    if MARK_BEGIN in text and MARK_END in text:
        head, rest = text.split(MARK_BEGIN, 1)
        text = head + block + rest.split(MARK_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    md.write_text(text, encoding="utf-8")
    (BENCH_DIR / f"ingest-shapes-{report['size']}.json").write_text(json.dumps(report, indent=1) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", default="large", choices=["small", "medium", "large"])
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", type=Path, default=Path("bench/out"))
    p.add_argument("--subset-year", type=int, default=2023)
    p.add_argument("--shapes", default=",".join(SHAPES), help="shapes measured on one year (comma-separated)")
    p.add_argument("--full", default=",".join(FULL_DEFAULT), help="shapes measured on the whole network ('' for none)")
    p.add_argument("--report", action="store_true", help="write the section into bench/REPORT.md")
    p.add_argument("--report-only", action="store_true",
                   help="measure nothing: write the section of OUT/ingest-shapes-SIZE.json into bench/REPORT.md")
    args = p.parse_args()
    if args.report_only:
        update_report(json.loads((args.out / f"ingest-shapes-{args.size}.json").read_text()))
        return
    report = run(args.size, args.seed, args.out, args.subset_year, tuple(filter(None, args.full.split(","))),
                 tuple(filter(None, args.shapes.split(","))), say=lambda m: print(m, flush=True))
    if args.report:
        update_report(report)


if __name__ == "__main__":
    main()
