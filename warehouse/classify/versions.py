"""Event labels in the warehouse's versions: at ingest, when corrections arrive, on retrain.

Three paths build a new version and label its events the same way (:func:`label_version`):

- ``cid-graph ingest`` labels the events its load left ``pending`` and applies every stored
  correction, so a later load never undoes one;
- :func:`apply_stored_corrections` (the server's background applier) copies the current
  version, applies the corrections stored since it was built and publishes;
- :func:`retrain` (``cid-graph classify retrain``) trains on the shipped corpus plus every
  correction, re-labels all events the model labelled, applies the corrections and publishes.

Each is one new version file, built beside the published one under the writer lock and
published atomically (all or nothing), with ``warehouse.derived.build_derived`` run before.
The version's ``meta`` records the classifier used (model version, corpus and training-data
hashes, corrections, threshold) and ``corrections_applied_id``, the newest correction it holds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from warehouse.classify.apply import apply_corrections, relabel_events
from warehouse.classify.corrections import CorrectionStore
from warehouse.classify.labels import PREDICTED_SOURCES
from warehouse.classify.model import MODEL_VERSION, EventClassifier, corpus_hash, default_model
from warehouse.ddl import MIGRATIONS, PENDING
from warehouse.derived import build_derived, fingerprints_if_built
from warehouse.store import Version, WarehouseStore

Progress = Callable[[str], None]


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a version file written before event classification up to date (idempotent)."""
    for stmt in MIGRATIONS:
        con.execute(stmt)


def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    return str(rows[0][0]) if rows else None


def _set_meta(con: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
    for key, value in values.items():
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def applied_through(con: duckdb.DuckDBPyConnection) -> int:
    """The newest correction id a version holds (0 when none)."""
    value = _meta(con, "corrections_applied_id")
    return int(value) if value and value.isdigit() else 0


@dataclass
class Labelling:
    """What labelling one version did."""

    predicted: int = 0          # events whose labels the model decided
    corrected: int = 0          # events whose labels a correction changed
    corrections: int = 0        # corrections applied (latest per event)
    corrections_applied_id: int = 0
    model_data_hash: str | None = None
    changed: bool = False


def label_version(con: duckdb.DuckDBPyConnection, corrections: CorrectionStore, *,
                  classifier_cache: Path | None, threshold: float,
                  sources: tuple[str, ...] = (PENDING,), model: EventClassifier | None = None,
                  say: Progress | None = None) -> Labelling:
    """Label the events of ``sources`` with the model, then apply every stored correction.

    The model is the shipped corpus plus every correction (trained once, then cached), made
    only when there is something to predict (or given as ``model``).
    """
    say = say or (lambda _msg: None)
    prepare(con)
    result = Labelling()
    through = corrections.max_id()
    latest = corrections.latest(through_id=through)
    to_predict = 0
    if sources:
        marks = ", ".join("?" for _ in sources)
        [(to_predict,)] = con.execute(
            f"SELECT count(*) FROM events WHERE classification_source IN ({marks})",
            list(sources)).fetchall()
    meta: dict[str, str] = {}
    if to_predict or model is not None:
        if model is None:
            say(f"training the event classifier on the corpus and {len(latest):,} correction(s)")
            model = default_model(classifier_cache, [c.training_row() for c in latest])
        say(f"classifying {to_predict:,} event(s)")
        result.predicted = relabel_events(con, model, threshold, sources).events
        result.model_data_hash = model.data_hash
        meta.update({
            "classifier_model_version": MODEL_VERSION, "classifier_data_hash": model.data_hash,
            "classifier_corpus_hash": corpus_hash(), "classifier_training_rows": str(model.n_rows),
            "classifier_corrections": str(len(latest)), "classification_threshold": f"{threshold:g}",
        })
    result.corrected = apply_corrections(con, latest)
    result.corrections = len(latest)
    result.corrections_applied_id = through
    if result.corrected:
        say(f"applied {result.corrected:,} correction(s) of event labels")
    if through != applied_through(con):
        meta["corrections_applied_id"] = str(through)
    _set_meta(con, meta)
    result.changed = bool(result.predicted or result.corrected or meta)
    return result


def _build(store: WarehouseStore, work: Callable[[duckdb.DuckDBPyConnection], bool],
           say: Progress) -> Version | None:
    """Copy the current version, let ``work`` change it, and publish it if ``work`` says it
    changed something; all or nothing, under the writer lock."""
    with store.writer_lock():
        store.require_current()
        number, building = store.start_building()
        try:
            con = duckdb.connect(str(building))
            try:
                con.execute("SET TimeZone = 'UTC'")
                # A correction changes one organization's events: only its rollup rows are recomputed.
                before = fingerprints_if_built(con)
                changed = work(con)
                if changed:
                    build_derived(con, say, since=before)
                    _set_meta(con, {"version": str(number),
                                    "published_at": datetime.now(UTC).isoformat(timespec="seconds")})
                    con.execute("CHECKPOINT")
            finally:
                con.close()
            if not changed:
                building.unlink(missing_ok=True)
                return None
            say(f"publishing version v{number:06d}")
            return store.publish(number, building)
        except BaseException:
            building.unlink(missing_ok=True)
            Path(str(building) + ".wal").unlink(missing_ok=True)
            raise


def pending_corrections(store: WarehouseStore, corrections: CorrectionStore) -> bool:
    """Whether corrections were stored that the current version does not hold yet."""
    version = store.current_version()
    if version is None:
        return False
    newest = corrections.max_id()
    if newest == 0:
        return False
    con = duckdb.connect(str(version.path), read_only=True)
    try:
        return newest > applied_through(con)
    finally:
        con.close()


def apply_stored_corrections(store: WarehouseStore, corrections: CorrectionStore,
                             say: Progress | None = None) -> Version | None:
    """Publish a version holding every stored correction (None when the current one does).

    Raises:
        WarehouseLockedError: another process is writing the warehouse (try again later).
    """
    say = say or (lambda _msg: None)

    def work(con: duckdb.DuckDBPyConnection) -> bool:
        prepare(con)
        if corrections.max_id() <= applied_through(con):
            return False
        labelling = label_version(con, corrections, classifier_cache=None, threshold=0.0,
                                  sources=(), say=say)
        return labelling.changed

    return _build(store, work, say)


@dataclass
class RetrainResult:
    """What ``cid-graph classify retrain`` did (``--json`` prints it)."""

    version: int | None = None
    published: bool = False
    events_predicted: int = 0            # events the model (re)labelled
    events_relabelled: int = 0           # ... of which got another type or category
    corrections: int = 0
    training_rows: int = 0
    model_data_hash: str = ""
    type_changes: list[dict[str, Any]] = field(default_factory=list)      # from, to, events
    category_changes: list[dict[str, Any]] = field(default_factory=list)
    by_type: dict[str, dict[str, int]] = field(default_factory=dict)      # type: before, after
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def retrain(store: WarehouseStore, corrections: CorrectionStore, *, classifier_cache: Path | None,
            threshold: float, say: Progress | None = None) -> RetrainResult:
    """Retrain on the corpus plus every correction and re-label every predicted event.

    Events whose labels came from their source or from a correction keep them. The new
    version is published only when some label or the recorded model changed.
    """
    say = say or (lambda _msg: None)
    started = time.perf_counter()
    result = RetrainResult()

    def work(con: duckdb.DuckDBPyConnection) -> bool:
        prepare(con)
        latest = corrections.latest(through_id=corrections.max_id())
        say(f"training the event classifier on the corpus and {len(latest):,} correction(s)")
        model = default_model(classifier_cache, [c.training_row() for c in latest])
        result.training_rows, result.model_data_hash = model.n_rows, model.data_hash
        con.execute("CREATE OR REPLACE TEMP TABLE _labels_before AS SELECT event_sk, event_type, "
                    "event_category, classification_source FROM events")
        meta_before = con.execute("SELECT * FROM meta ORDER BY key").fetchall()
        labelling = label_version(con, corrections, classifier_cache=classifier_cache,
                                  threshold=threshold, sources=(PENDING, *PREDICTED_SOURCES),
                                  model=model, say=say)
        result.events_predicted, result.corrections = labelling.predicted, labelling.corrections
        _changes(con, result)
        row = con.execute("""
            SELECT count(*) FROM _labels_before b JOIN events e USING (event_sk)
            WHERE (b.event_type, b.event_category, b.classification_source)
                  IS DISTINCT FROM (e.event_type, e.event_category, e.classification_source)""").fetchall()
        sources_changed = bool(row[0][0])
        meta_after = con.execute("SELECT * FROM meta ORDER BY key").fetchall()
        return sources_changed or meta_after != meta_before

    version = _build(store, work, say)
    if version is not None:
        result.version, result.published = version.number, True
    else:
        current = store.current_version()
        result.version = current.number if current else None
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _changes(con: duckdb.DuckDBPyConnection, result: RetrainResult) -> None:
    changed = """FROM _labels_before b JOIN events e USING (event_sk)
                 WHERE b.event_type <> e.event_type OR b.event_category <> e.event_category"""
    [(relabelled,)] = con.execute(f"SELECT count(*) {changed}").fetchall()
    result.events_relabelled = int(relabelled)
    result.type_changes = [
        {"from": a, "to": b, "events": int(n)} for a, b, n in con.execute(
            "SELECT b.event_type, e.event_type, count(*) FROM _labels_before b JOIN events e USING (event_sk) "
            "WHERE b.event_type <> e.event_type GROUP BY ALL ORDER BY 3 DESC, 1, 2").fetchall()]
    result.category_changes = [
        {"from": a, "to": b, "events": int(n)} for a, b, n in con.execute(
            "SELECT b.event_category, e.event_category, count(*) FROM _labels_before b "
            "JOIN events e USING (event_sk) WHERE b.event_category <> e.event_category "
            "GROUP BY ALL ORDER BY 3 DESC, 1, 2").fetchall()]
    before = dict(con.execute("SELECT event_type, count(*) FROM _labels_before GROUP BY 1").fetchall())
    after = dict(con.execute("SELECT event_type, count(*) FROM events GROUP BY 1").fetchall())
    result.by_type = {t: {"before": int(before.get(t, 0)), "after": int(after.get(t, 0))}
                      for t in sorted(set(before) | set(after))
                      if before.get(t, 0) != after.get(t, 0)}
