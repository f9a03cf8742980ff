"""The ``myEvents`` field and the ``classifyEvent`` mutation: an organization's own events with
their labels, and its corrections of them.

Who may do what is decided in ``resolvers.privacy.own_events`` (P6); every lookup is scoped to
the caller's organization. A correction is stored durably at once and published by the
background applier as a new warehouse version within seconds (``status: PENDING``); answers
move to that version between requests. Every correction attempt is audit-logged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlglot
from sqlglot import exp

from cid_graph.errors import CidGraphError, QueryError
from metrics.compiler import render
from resolvers.context import RequestContext
from resolvers.labels import language
from resolvers.privacy.constrain import Caller
from resolvers.privacy.own_events import corrector_org, own_events_org, unknown_event
from warehouse.classify.corrections import Correction, EventRef, validate_labels
from warehouse.classify.labels import CATEGORY_LABELS, SOURCES, TYPE_LABELS
from warehouse.serving import ServingEngine

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000
MAX_SEARCH = 100
MAX_EVENT_ID = 128
ORDERS = ("date_desc", "date_asc", "title", "confidence", "event_type", "source")

_E = "e"
_COLUMNS = ("event_id", "event_name", "event_date", "event_type", "event_category",
            "classification_source", "classification_confidence", "category_confidence")


@dataclass
class OwnEvent:
    id: str
    title: str
    date: str
    event_type: str
    event_type_label: str
    event_category: str
    event_category_label: str
    source: str
    source_label: str
    confidence: float | None
    category_confidence: float | None
    pending: bool  # a correction is stored that the answering version does not hold yet


@dataclass
class OwnEvents:
    total: int
    limit: int
    offset: int
    events: list[OwnEvent]
    warehouse_version: int
    pending_corrections: int


@dataclass
class CorrectionResult:
    event_id: str
    title: str
    event_type: str
    event_type_label: str
    event_category: str
    event_category_label: str
    previous_event_type: str
    previous_event_category: str
    previous_source: str
    status: str  # applied | pending
    warehouse_version: int
    message: str


def _caller(ctx: RequestContext) -> Caller:
    return Caller(ctx.caller.org_id, ctx.caller.role)


def _col(name: str) -> exp.Column:
    return exp.column(name, _E)


def _events() -> exp.Expr:
    return exp.to_table("events").as_(_E)


def _label(ctx: RequestContext, dimension: str, code: str, lang: str) -> str:
    return ctx.services.catalog.value_label(dimension, code, lang) or code


def applied_through(engine: ServingEngine, opened: Any = None, warehouse_dir: Any = None) -> int:
    """The newest correction id the (given or current) version holds, read through ``engine``."""
    if engine.dialect != "duckdb":
        # The Parquet export holds no meta table: corrections are published into the warehouse's
        # version files and reach a Spark engine with the next export (README: scale-out).
        return _applied_in_store(warehouse_dir)
    q = (sqlglot.select("value").from_("meta")
         .where(exp.column("key").eq(exp.Placeholder())))
    rows = engine.execute(render(q, engine.dialect), ["corrections_applied_id"], opened=opened).to_pylist()
    value = str(rows[0]["value"]) if rows else "0"
    return int(value) if value.isdigit() else 0


def _applied_in_store(warehouse_dir: Any) -> int:
    """``corrections_applied_id`` of the warehouse's current version file (engines other than DuckDB)."""
    import duckdb

    from warehouse.classify.versions import applied_through as applied_in
    from warehouse.store import WarehouseStore

    version = WarehouseStore(warehouse_dir).current_version() if warehouse_dir else None
    if version is None:
        return 0
    con = duckdb.connect(str(version.path), read_only=True)
    try:
        return applied_in(con)
    finally:
        con.close()


def _applied_through(ctx: RequestContext, opened: Any) -> int:
    return applied_through(ctx.services.engine, opened, ctx.services.settings.warehouse_dir)


def _pending(ctx: RequestContext, org: str, opened: Any) -> dict[str, Correction]:
    store = ctx.services.corrections
    if store is None:
        return {}
    return {c.event_id: c for c in store.latest(org, above_id=_applied_through(ctx, opened))}


def _bounded(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise QueryError(f"{name} must be between {low} and {high}; got {value}",
                         hint=f"Page through the events with {name} in {low}..{high}.")
    return value


def _choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if value not in allowed:
        raise QueryError(f"unknown {name} {value[:64]!r}", hint=f"Use one of: {', '.join(allowed)}.")
    return value


def my_events(ctx: RequestContext, *, limit: int = 50, offset: int = 0, search: str | None = None,
              source: str | None = None, event_type: str | None = None,
              event_category: str | None = None, order: str = "date_desc") -> OwnEvents:
    """One page of the caller's own events with their labels, newest first by default."""
    started = time.perf_counter()
    outcome, cells = "error", 0
    try:
        result = _my_events(ctx, limit, offset, search, source, event_type, event_category, order)
        outcome, cells = "ok", len(result.events)
        return result
    except CidGraphError as exc:
        outcome = exc.code
        raise
    finally:
        if ctx.services.auditor is not None:
            shape = {"limit": limit, "offset": offset, "search": bool(search), "order": order[:32],
                     "filters": [n for n, v in (("source", source), ("event_type", event_type),
                                                ("event_category", event_category)) if v]}
            ctx.services.auditor.audit(ctx.caller, "myEvents", shape, cells=cells, outcome=outcome,
                                       ms=int((time.perf_counter() - started) * 1000))


def _my_events(ctx: RequestContext, limit: int, offset: int, search: str | None, source: str | None,
               event_type: str | None, event_category: str | None, order: str) -> OwnEvents:
    org = own_events_org(_caller(ctx))
    limit = _bounded("limit", limit, 1, MAX_LIMIT)
    offset = _bounded("offset", offset, 0, MAX_OFFSET)
    if search is not None and len(search) > MAX_SEARCH:
        raise QueryError(f"search is longer than {MAX_SEARCH} characters",
                         hint="Search for a shorter part of the title.")
    source = _choice("classification source", source, SOURCES)
    event_type = _choice("event type", event_type, TYPE_LABELS)
    event_category = _choice("event category", event_category, CATEGORY_LABELS)
    if order not in ORDERS:
        raise QueryError(f"unknown order {order!r}", hint=f"Use one of: {', '.join(o.upper() for o in ORDERS)}.")

    conditions: list[exp.Expr] = [_col("org_id").eq(exp.Placeholder())]
    params: list[Any] = [org]
    if search and search.strip():
        contains: exp.Expr = exp.func("contains", exp.Lower(this=_col("event_name")),
                                            exp.Lower(this=exp.Placeholder()))
        conditions.append(contains)
        params.append(search.strip())
    for column, value in (("classification_source", source), ("event_type", event_type),
                          ("event_category", event_category)):
        if value is not None:
            conditions.append(_col(column).eq(exp.Placeholder()))
            params.append(value)
    where = exp.and_(*conditions)

    opened = ctx.services.engine.require()
    count = sqlglot.select(exp.Count(this=exp.Star()).as_("n")).from_(_events()).where(where)
    total = int(ctx.services.engine.execute(render(count, ctx.services.engine.dialect), params, opened=opened).to_pylist()[0]["n"])
    least: exp.Expr = exp.func("least", _col("classification_confidence"), _col("category_confidence"))
    orders: dict[str, list[tuple[exp.Expr, bool]]] = {
        "date_desc": [(_col("event_date"), True)], "date_asc": [(_col("event_date"), False)],
        "title": [(_col("event_name"), False)],
        "confidence": [(least, False)],
        "event_type": [(_col("event_type"), False), (_col("event_category"), False)],
        "source": [(_col("classification_source"), False)],
    }
    ordering = orders[order] + [(_col("event_date"), True), (_col("event_id"), False)]
    page = (sqlglot.select(*(_col(c) for c in _COLUMNS)).from_(_events()).where(where)
            .order_by(*(exp.Ordered(this=e, desc=d, nulls_first=False) for e, d in ordering))
            .limit(exp.Placeholder()).offset(exp.Placeholder()))
    rows = ctx.services.engine.execute(render(page, ctx.services.engine.dialect), [*params, limit, offset], opened=opened).to_pylist()
    pending = _pending(ctx, org, opened)
    lang = language(ctx.locale)
    events = []
    for r in rows:
        fix = pending.get(str(r["event_id"]))
        etype, ecat = (fix.event_type, fix.event_category) if fix else (r["event_type"], r["event_category"])
        src = "feedback" if fix else r["classification_source"]
        events.append(OwnEvent(
            id=str(r["event_id"]), title=str(r["event_name"]), date=_iso(r["event_date"]),
            event_type=etype, event_type_label=_label(ctx, "event_type", etype, lang),
            event_category=ecat, event_category_label=_label(ctx, "event_category", ecat, lang),
            source=src, source_label=_label(ctx, "classification_source", src, lang),
            confidence=None if fix else r["classification_confidence"],
            category_confidence=None if fix else r["category_confidence"],
            pending=fix is not None))
    return OwnEvents(total, limit, offset, events, opened.version.number, len(pending))


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _find(ctx: RequestContext, org: str, event_id: str, opened: Any) -> EventRef:
    if not event_id or len(event_id) > MAX_EVENT_ID:
        raise unknown_event(event_id)
    o = exp.to_table("organizations").as_("o")
    q = (sqlglot.select(_col("event_id"), _col("event_name"), _col("country"), _col("event_type"),
                        _col("event_category"), _col("classification_source"),
                        exp.column("org_type", "o"))
         .from_(_events())
         .join(o, on=exp.column("org_id", "o").eq(_col("org_id")), join_type="left")
         .where(exp.and_(_col("org_id").eq(exp.Placeholder()), _col("event_id").eq(exp.Placeholder()))))
    rows = ctx.services.engine.execute(render(q, ctx.services.engine.dialect), [org, event_id], opened=opened).to_pylist()
    if not rows:
        raise unknown_event(event_id)
    r = rows[0]
    return EventRef(org, str(r["event_id"]), str(r["event_name"]), str(r["country"]),
                    str(r["org_type"] or ""), str(r["event_type"]), str(r["event_category"]),
                    str(r["classification_source"]))


def classify_event(ctx: RequestContext, event_id: str, event_type: str,
                   event_category: str) -> CorrectionResult:
    """Correct one of the caller's events (members only); audit-logged, applied in the background."""
    started = time.perf_counter()
    outcome, status = "error", None
    try:
        org = corrector_org(_caller(ctx))
        validate_labels(event_type, event_category)
        services = ctx.services
        if services.corrections is None:
            raise CidGraphError("this server cannot store corrections", code="WAREHOUSE",
                                hint="Ask an operator to serve the warehouse with `cid-graph serve`.")
        opened = services.engine.require()
        event = _find(ctx, org, event_id, opened)
        waiting = _pending(ctx, org, opened).get(event.event_id)
        already = (event.event_type, event.event_category, event.classification_source) == (
            event_type, event_category, "feedback")
        if already and waiting is None:
            status = "applied"
            message = "These are already the event's labels (corrected before); nothing changes."
        else:
            services.corrections.record(event, event_type, event_category,
                                        corrected_by_token_id=ctx.caller.token_id)
            if services.applier is not None:
                services.applier.notify()
            status = "pending"
            message = ("Stored. The next warehouse version, published within seconds, answers with "
                       "these labels; from then on they win over the classifier in every load and "
                       "retraining.")
        lang = language(ctx.locale)
        outcome = "ok"
        return CorrectionResult(
            event.event_id, event.title, event_type, _label(ctx, "event_type", event_type, lang),
            event_category, _label(ctx, "event_category", event_category, lang),
            str(event.event_type), str(event.event_category), str(event.classification_source),
            status, opened.version.number, message)
    except CidGraphError as exc:
        outcome = exc.code
        raise
    finally:
        if ctx.services.auditor is not None:
            shape = {"event_id": event_id[:MAX_EVENT_ID], "event_type": event_type[:64],
                     "event_category": event_category[:64], "status": status}
            ctx.services.auditor.audit(ctx.caller, "classifyEvent", shape, outcome=outcome,
                                       ms=int((time.perf_counter() - started) * 1000))
