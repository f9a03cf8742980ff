"""``cid-graph rollups list|build``: which rollups the current version holds, and rebuilding them.

Rollups are built with every version that ingest publishes; ``build`` is for a semantic model
whose rollups changed since (or a warehouse built before rollups existed): it publishes a new
version, the current one with its rollups rebuilt, while the server keeps answering.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cid_graph.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    roll = sub.add_parser("rollups", help="list the rollups of the current warehouse version, or rebuild them")
    rsub = roll.add_subparsers(dest="rollups_command")
    lst = rsub.add_parser("list", help="each rollup the semantic model declares: built, rows, build time")
    lst.add_argument("--warehouse")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_cmd_list)
    build = rsub.add_parser("build", help="publish a new version with every rollup rebuilt from the base tables")
    build.add_argument("--warehouse")
    build.add_argument("--json", action="store_true")
    build.set_defaults(func=_cmd_build)


def status(settings: Settings) -> list[dict[str, Any]]:
    """Per declared rollup (and per leftover derived table): its state in the current version."""
    import duckdb

    from warehouse.derived import built_derived, declared_tables
    from warehouse.store import WarehouseStore

    version = WarehouseStore(settings.warehouse_dir).require_current()
    con = duckdb.connect(str(version.path), read_only=True)
    try:
        built = built_derived(con)
    finally:
        con.close()
    out = []
    declared = declared_tables(settings.model_dir)
    for table in declared:
        have = built.get(table.name)
        state = "missing" if have is None else ("built" if have.fingerprint == table.fingerprint else "stale")
        out.append({"table": table.name, "state": state, "rows": have.rows if have else None,
                    "seconds": have.seconds if have else None, "version": version.number})
    names = {t.name for t in declared}
    out += [{"table": b.name, "state": "undeclared", "rows": b.rows, "seconds": b.seconds, "version": version.number}
            for b in built.values() if b.name not in names]
    return out


def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    rows = status(settings)
    if args.json:
        print(json.dumps({"rollups": rows}, ensure_ascii=False))
        return 0
    for r in rows:
        size = f"{r['rows']:>12,} rows  {r['seconds']:6.1f} s" if r["rows"] is not None else " " * 28
        print(f"{r['table']:32} {r['state']:10} {size}")
    stale = [r["table"] for r in rows if r["state"] in ("missing", "stale")]
    if stale:
        print(f"{len(stale)} rollup(s) missing or built from another definition: queries they would serve read the "
              "base tables. Run `cid-graph rollups build` to rebuild them.")
    return 0


def _cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from cid_graph.cli import _progress
    from warehouse.derived import declared_tables, rebuild_derived
    from warehouse.store import WarehouseStore

    say = _progress(args.json)
    version = rebuild_derived(WarehouseStore(settings.warehouse_dir), say, declared_tables(settings.model_dir))
    rows = status(settings)
    if args.json:
        print(json.dumps({"version": version.number, "rollups": rows}, ensure_ascii=False))
    else:
        total = sum(r["rows"] or 0 for r in rows)
        seconds = sum(r["seconds"] or 0 for r in rows)
        print(f"warehouse {version.name}: {len(rows)} rollup(s), {total:,} rows, built in {seconds:.1f} s")
    return 0
