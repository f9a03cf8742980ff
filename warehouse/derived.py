"""Derived tables of a version being built: rebuilt from the base tables before it is published.

Every path that builds a new warehouse version (``ingest``, :func:`rebuild_derived`, and
anything that patches a copy of the current version, such as applying event-classification
corrections) calls :func:`build_derived` on the version's connection after its base tables
(``buyer_rows``, ``events``, ``organizations``, ``org_noise``) are final and before it is
published, so that no published version ever holds derived tables (rollups) that disagree with
its base tables: every derived table a version holds is either rebuilt or dropped.

The derived tables are the rollups the semantic model declares (``rollups:`` in
``metrics/model/*.yaml``); their SELECTs are written by the model's compiler
(:func:`metrics.compiler.rollup_definitions`). The ``derived_tables`` registry of the version
records, per table, the fingerprint of the definition it was built from, its rows and build
time; a server reads a rollup only when that fingerprint is the one its model gives now.

>>> import duckdb
>>> con = duckdb.connect()
>>> build_derived(con, tables=[])  # nothing declared: nothing built
[]
>>> built_derived(con)
{}
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from sqlglot import exp

from cid_graph.errors import CidGraphError, ModelError
from warehouse.store import Version, WarehouseStore

Progress = Callable[[str], None]
REGISTRY = "derived_tables"
_REGISTRY_DDL = f"""CREATE TABLE IF NOT EXISTS {REGISTRY} (
    name        VARCHAR PRIMARY KEY,
    fingerprint VARCHAR NOT NULL,
    rows        BIGINT NOT NULL,
    seconds     DOUBLE NOT NULL
)"""


#: A derived table with more rows than this share of the table it aggregates saves little: say so.
LARGE_SHARE = 0.5


@dataclass(frozen=True)
class DerivedTable:
    """One table to (re)build: its name, the SELECT over base tables, what it was built from,
    and the table it aggregates (for its size relative to it)."""

    name: str
    select: exp.Select
    fingerprint: str
    aggregates: str | None = None


@dataclass(frozen=True)
class BuiltTable:
    """A derived table as the registry of a version records it."""

    name: str
    fingerprint: str
    rows: int
    seconds: float


def declared_tables(model_dir: Path | None = None) -> list[DerivedTable]:
    """The derived tables the semantic model declares (its rollups).

    The model, and the compiler that writes a rollup's SELECT, live in ``metrics``, which itself
    reads this package's DDL; so this one function imports it when called, never at import time.

    Raises:
        ModelError: the semantic model does not load (``cid-graph check`` lists why).
    """
    from cid_graph.settings import Settings
    from metrics.catalog import Catalog
    from metrics.compiler import rollup_definitions
    from metrics.model import load_model

    catalog = Catalog(load_model(model_dir or Settings.load().model_dir))
    fact = catalog.model.fact.table
    return [DerivedTable(name, select, fingerprint, fact) for name, select, fingerprint in rollup_definitions(catalog)]


def build_derived(con: duckdb.DuckDBPyConnection, say: Progress | None = None,
                  tables: Sequence[DerivedTable] | None = None,
                  since: Fingerprints | None = None) -> list[str]:
    """(Re)build every derived table on ``con``; returns the names of the tables built.

    Args:
        con: The connection of the version being built (read-write).
        say: Progress messages (one per table, with its rows and seconds).
        tables: What to build; the semantic model's rollups by default (see
            :func:`declared_tables`). Tables registered earlier and not listed are dropped.
        since: The version's fingerprints before it was changed (:func:`fingerprints_if_built`),
            or None when unknown. A table already built from the same definition then keeps the
            rows of the organizations whose fingerprints are unchanged and recomputes the others
            (see :func:`_refresh`); every table has a row per organization, so this gives the
            same rows as building it again.
    """
    say = say or (lambda _msg: None)
    if tables is None:
        try:
            wanted = declared_tables()
        except ModelError as exc:
            # The data still loads; no rollup is kept that could disagree with it.
            say(f"warning: no rollups built: {exc.message.splitlines()[0]} (run `cid-graph check`)")
            wanted = []
    else:
        wanted = list(tables)
    con.execute("SET enable_progress_bar = false")  # progress is ours (say), not DuckDB's bar
    con.execute(_REGISTRY_DDL)
    names = {t.name for t in wanted}
    for (old,) in con.execute(f"SELECT name FROM {REGISTRY} ORDER BY name").fetchall():
        if old not in names:
            con.execute(exp.Drop(tables=[exp.to_table(old)], kind="TABLE", exists=True).sql("duckdb"))
            con.execute(f"DELETE FROM {REGISTRY} WHERE name = ?", [old])
            say(f"dropped derived table {old} (no longer declared)")
    built = []
    previous = built_derived(con)
    partial = None if since is None else _partial(con, since, organization_fingerprints(con))
    for i, table in enumerate(wanted, start=1):
        started = time.perf_counter()
        old = previous.get(table.name)
        select = table.select
        how, why = "built", ""
        if partial is not None and old is not None and old.fingerprint == table.fingerprint \
                and (refreshed := _refresh(table, partial)) is not None:
            select, how, why = refreshed, "refreshed", f" for {len(partial):,} changed organization(s)"
            say(f"refreshing rollup {i}/{len(wanted)}: {table.name}")
        else:
            say(f"building rollup {i}/{len(wanted)}: {table.name}")
        create = exp.Create(this=exp.to_table(table.name), kind="TABLE", replace=True, expression=select)
        con.execute(create.sql("duckdb"))
        rows = _rows(con, table.name)
        seconds = round(time.perf_counter() - started, 3)
        con.execute(f"INSERT OR REPLACE INTO {REGISTRY} VALUES (?, ?, ?, ?)", [table.name, table.fingerprint, rows, seconds])
        say(f"{how} rollup {table.name}{why}: {rows:,} rows in {seconds:.1f} s")
        if table.aggregates and rows > LARGE_SHARE * (source := _rows(con, table.aggregates)) > 0:
            say(f"warning: rollup {table.name} has {rows:,} rows, {rows / source:.0%} of {table.aggregates}: it saves "
                "little; give it fewer dimensions or a coarser granularity")
        built.append(table.name)
    return built


#: Above this share of the buyer rows, the changed organizations' rollup rows are built with the
#: rest: a refresh then reads almost as much and sorts more.
REFRESH_MAX_SHARE = 0.5

#: Where the organizations a refresh recomputes are listed while the rollups are built.
CHANGED_ORGS = "_derived_changed_orgs"


#: Per organization: its buyer rows' count and hash sum, its events' count and hash sum.
Fingerprints = dict[str, tuple[int, int, int, int]]


def fingerprints_if_built(con: duckdb.DuckDBPyConnection) -> Fingerprints | None:
    """The version's :func:`organization_fingerprints` before a change, for
    ``build_derived(since=...)``; None when it holds no derived tables yet (all are built)."""
    return organization_fingerprints(con) if built_derived(con) else None


def organization_fingerprints(con: duckdb.DuckDBPyConnection) -> Fingerprints:
    """Per organization, the count and a hash sum of its buyer rows and of its events: what the
    rollups read (every rollup reads ``buyers``, a view of ``buyer_rows``, and ``events``, and
    keeps one row per organization and group)."""
    out: dict[str, list[int]] = {}
    for i, table in enumerate(("buyer_rows", "events")):
        rows = con.execute(f"SELECT org_id, count(*), coalesce(sum(hash(t)), 0) FROM {table} t GROUP BY org_id").fetchall()
        for org, n, h in rows:
            out.setdefault(org, [0, 0, 0, 0])[2 * i: 2 * i + 2] = [int(n), int(h)]
    return {org: (v[0], v[1], v[2], v[3]) for org, v in out.items()}


def changed_organizations(before: Fingerprints, after: Fingerprints) -> set[str]:
    """The organizations whose fingerprints differ (added, removed or changed)."""
    return {org for org in before.keys() | after.keys() if before.get(org) != after.get(org)}


def _partial(con: duckdb.DuckDBPyConnection, before: Fingerprints, after: Fingerprints) -> list[str] | None:
    """The changed organizations when a refresh pays (few enough of the buyer rows), else None;
    lists them in :data:`CHANGED_ORGS` for :func:`_refresh`."""
    orgs = sorted(changed_organizations(before, after))
    total = sum(f[0] for f in after.values())
    touched = sum(after[o][0] for o in orgs if o in after)
    if not total or touched > REFRESH_MAX_SHARE * total:
        return None
    con.execute(f"CREATE OR REPLACE TEMP TABLE {CHANGED_ORGS} (org_id VARCHAR)")
    if orgs:
        con.executemany(f"INSERT INTO {CHANGED_ORGS} VALUES (?)", [[o] for o in orgs])
    return orgs


def _refresh(table: DerivedTable, orgs: list[str]) -> exp.Select | None:
    """The table's rows for organizations not in ``orgs`` as built, and the rest computed again,
    in the table's order; None when the table's SELECT has no organization column to split on."""
    select = table.select
    org = next((e for e in select.expressions if isinstance(e, exp.Alias)
                and isinstance(e.this, exp.Column) and e.this.name == "org_id"), None)
    if org is None:
        return None
    listed = exp.select("org_id").from_(CHANGED_ORGS)
    fresh = select.copy()
    fresh.set("order", None)
    fresh = fresh.where(org.this.copy().isin(query=listed.copy()), copy=False)
    kept = exp.select("*").from_(table.name).where(exp.not_(exp.column(org.alias).isin(query=listed.copy())))
    both = exp.union(kept, fresh, distinct=False)
    out = exp.select("*").from_(both.subquery("refreshed"))
    order = select.args.get("order")
    if order is not None:
        keys = [o.this if isinstance(o, exp.Ordered) else o for o in order.expressions]
        if not all(isinstance(k, exp.Column) and not k.table for k in keys):
            return None
        out = out.order_by(*(o.copy() for o in order.expressions), copy=False)
    return out


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(exp.select(exp.Count(this=exp.Star())).from_(table).sql("duckdb")).fetchone()
    return int(row[0]) if row else 0


def built_derived(con: duckdb.DuckDBPyConnection) -> dict[str, BuiltTable]:
    """The derived tables a version holds, by name (empty for versions built before rollups)."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [REGISTRY]).fetchone()
    if not exists or not exists[0]:
        return {}
    rows = con.execute(f"SELECT name, fingerprint, rows, seconds FROM {REGISTRY} ORDER BY name").fetchall()
    return {r[0]: BuiltTable(r[0], r[1], int(r[2]), float(r[3])) for r in rows}


def rebuild_derived(store: WarehouseStore, say: Progress | None = None,
                    tables: Sequence[DerivedTable] | None = None) -> Version:
    """Publish a new version: the current one with its derived tables rebuilt.

    For a semantic model whose rollups changed, or a version built before rollups existed.
    Holds the writer lock; the current version stays published until the new one is complete.
    """
    say = say or (lambda _msg: None)
    with store.writer_lock():
        if store.current_version() is None:
            raise CidGraphError(f"no published warehouse at {store.root}",
                                hint="Load data first: `cid-graph ingest` or `cid-graph demo`.", code="WAREHOUSE")
        wanted = declared_tables() if tables is None else list(tables)
        number, building = store.start_building()
        try:
            con = duckdb.connect(str(building))
            try:
                con.execute("SET TimeZone = 'UTC'")
                build_derived(con, say, wanted)
                for key, value in (("version", str(number)),
                                   ("published_at", datetime.now(UTC).isoformat(timespec="seconds"))):
                    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
                con.execute("CHECKPOINT")
            finally:
                con.close()
            say(f"publishing version v{number:06d}")
            return store.publish(number, building)
        except BaseException:
            building.unlink(missing_ok=True)
            Path(str(building) + ".wal").unlink(missing_ok=True)
            raise
