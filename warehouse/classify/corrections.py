"""Organizations' corrections of event labels, kept durably beside the warehouse versions.

Corrections live in ``PATH/corrections.sqlite`` (see :mod:`warehouse.store`), never in a
version file: a version is a whole DuckDB file replaced on every publish, so a correction
stored only there would be lost by a load that started before it. Every correction is a row
(append-only, so the history of who changed what stays); the latest per ``(org_id, event_id)``
is the one that counts, both when labelling events (``classification_source = 'feedback'``, in
every later version: ingest and retrain apply them too) and as training data for retraining.

Each correction keeps the event's title, country and organization type, so it can train the
classifier without the version it was made on. Ids only grow: a version records the highest
id it has applied (``meta.corrections_applied_id``), and what is above it is pending.

Who may correct what (a member only its own events) is decided by the caller, before calling
:meth:`CorrectionStore.record`.

>>> import tempfile; from pathlib import Path
>>> store = CorrectionStore(Path(tempfile.mkdtemp()) / "corrections.sqlite")
>>> c = store.record(EventRef("org-1", "ev-7", "Kari Bremnes", "NO", "music"), "concert", "folk_world",
...                  corrected_by_token_id="tok-1")
>>> [(x.event_id, x.event_type) for x in store.latest()], store.max_id()
([('ev-7', 'concert')], 1)
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cid_graph.errors import QueryError
from warehouse.classify.labels import CATEGORY_LABELS, SOURCE_FEEDBACK, TYPE_LABELS, LabelledRow

_SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id                TEXT NOT NULL,
    event_id              TEXT NOT NULL,
    event_type            TEXT NOT NULL,
    event_category        TEXT NOT NULL,
    title                 TEXT NOT NULL,
    country               TEXT NOT NULL,
    org_type              TEXT NOT NULL,
    previous_type         TEXT,
    previous_category     TEXT,
    previous_source       TEXT,
    corrected_at          TEXT NOT NULL,
    corrected_by_token_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS corrections_event ON corrections (org_id, event_id);
"""

_LATEST = """
    SELECT c.* FROM corrections c
    JOIN (SELECT max(id) AS id FROM corrections WHERE id <= ? GROUP BY org_id, event_id) m
      ON m.id = c.id"""


class InvalidLabelError(QueryError):
    """A correction names a type or category outside the vocabulary (``BAD_QUERY``)."""


@dataclass(frozen=True)
class EventRef:
    """The event a correction is about, as the current version knows it."""

    org_id: str
    event_id: str
    title: str
    country: str
    org_type: str
    event_type: str | None = None
    event_category: str | None = None
    classification_source: str | None = None


@dataclass(frozen=True)
class Correction:
    id: int
    org_id: str
    event_id: str
    event_type: str
    event_category: str
    title: str
    country: str
    org_type: str
    corrected_at: str
    corrected_by_token_id: str
    previous_type: str | None = None
    previous_category: str | None = None
    previous_source: str | None = None

    def training_row(self) -> LabelledRow:
        return LabelledRow(title=self.title, event_type=self.event_type,
                           event_category=self.event_category, country=self.country,
                           org_type=self.org_type, source=SOURCE_FEEDBACK)


def validate_labels(event_type: str, event_category: str) -> None:
    """Raise :class:`InvalidLabelError` unless both are labels of the vocabulary."""
    if event_type not in TYPE_LABELS:
        raise InvalidLabelError(f"unknown event type {event_type!r}",
                                hint=f"Use one of: {', '.join(TYPE_LABELS)}.")
    if event_category not in CATEGORY_LABELS:
        raise InvalidLabelError(f"unknown event category {event_category!r}",
                                hint=f"Use one of: {', '.join(CATEGORY_LABELS)}.")


class CorrectionStore:
    """The corrections of one warehouse, safe to use from several threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._ready = False

    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=FULL")  # a correction acknowledged is on disk
            if not self._ready:
                con.executescript(_SCHEMA)
                self._ready = True
            self._local.con = con
        return con

    def record(self, event: EventRef, event_type: str, event_category: str, *,
               corrected_by_token_id: str, corrected_at: datetime | None = None) -> Correction:
        """Store one correction (after validating its labels) and return it."""
        validate_labels(event_type, event_category)
        when = (corrected_at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")
        cur = self._con().execute(
            "INSERT INTO corrections (org_id, event_id, event_type, event_category, title, country,"
            " org_type, previous_type, previous_category, previous_source, corrected_at,"
            " corrected_by_token_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event.org_id, event.event_id, event_type, event_category, event.title, event.country,
             event.org_type, event.event_type, event.event_category, event.classification_source,
             when, corrected_by_token_id))
        assert cur.lastrowid is not None
        return Correction(int(cur.lastrowid), event.org_id, event.event_id, event_type,
                          event_category, event.title, event.country, event.org_type, when,
                          corrected_by_token_id, event.event_type, event.event_category,
                          event.classification_source)

    def latest(self, org_id: str | None = None, *, above_id: int = 0,
               through_id: int | None = None) -> list[Correction]:
        """The latest correction per event (of one organization, or all), in (org, event) order.

        ``through_id`` looks only at corrections up to that id (what a version built from
        :meth:`max_id` applies); ``above_id`` keeps only latest ones newer than that id (what
        is pending over a version that applied up to it).
        """
        if not self.path.exists():
            return []
        sql = _LATEST + " WHERE c.id > ?"
        args: list[object] = [through_id if through_id is not None else 2**62, above_id]
        if org_id is not None:
            sql += " AND c.org_id = ?"
            args.append(org_id)
        rows = self._con().execute(sql + " ORDER BY c.org_id, c.event_id", args).fetchall()
        return [_correction(r) for r in rows]

    def history(self, org_id: str, event_id: str) -> list[Correction]:
        """Every correction of one event, oldest first."""
        if not self.path.exists():
            return []
        rows = self._con().execute(
            "SELECT * FROM corrections WHERE org_id = ? AND event_id = ? ORDER BY id",
            (org_id, event_id)).fetchall()
        return [_correction(r) for r in rows]

    def max_id(self) -> int:
        """The newest correction's id (0 when there is none)."""
        if not self.path.exists():
            return 0
        row = self._con().execute("SELECT coalesce(max(id), 0) FROM corrections").fetchone()
        return int(row[0]) if row else 0

    def training_rows(self) -> list[LabelledRow]:
        """The latest correction per event as training rows (``source = 'feedback'``)."""
        return [c.training_row() for c in self.latest()]

    def close(self) -> None:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None


def _correction(row: Sequence[object]) -> Correction:
    (id_, org_id, event_id, event_type, event_category, title, country, org_type, prev_t,
     prev_c, prev_s, at, token) = row
    return Correction(int(id_), str(org_id), str(event_id), str(event_type), str(event_category),  # type: ignore[call-overload]
                      str(title), str(country), str(org_type), str(at), str(token),
                      None if prev_t is None else str(prev_t),
                      None if prev_c is None else str(prev_c),
                      None if prev_s is None else str(prev_s))
