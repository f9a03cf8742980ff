"""Organizations' corrections of event labels: stored, and read back as training rows.

Corrections are append-only in ``classification_feedback`` (one row per correction, so the
audit trail is kept); the latest per ``(org_id, event_id)`` is the one that counts, both when
labelling events (``classification_source = 'feedback'``) and when retraining. Who may correct
what (a member only its own events) is decided by the caller, before calling
:func:`record_correction`.

>>> import duckdb
>>> con = duckdb.connect()
>>> c = record_correction(con, "org-1", "ev-7", "concert", "jazz", corrected_by_token_id="tok-1")
>>> c.event_type, [r[2:4] for r in latest_corrections(con)]
('concert', [('concert', 'jazz')])
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from cid_graph.errors import CidGraphError
from warehouse.classify.labels import (
    CATEGORY_LABELS,
    SOURCE_FEEDBACK,
    TYPE_LABELS,
    LabelledRow,
)

FEEDBACK_DDL = """
    CREATE TABLE IF NOT EXISTS classification_feedback (
        org_id                VARCHAR NOT NULL,
        event_id              VARCHAR NOT NULL,
        event_type            VARCHAR NOT NULL,
        event_category        VARCHAR NOT NULL,
        corrected_at          TIMESTAMP NOT NULL,  -- UTC
        corrected_by_token_id VARCHAR NOT NULL
    )"""

_LATEST = """
    SELECT org_id, event_id, arg_max(event_type, corrected_at) AS event_type,
           arg_max(event_category, corrected_at) AS event_category,
           max(corrected_at) AS corrected_at
    FROM classification_feedback GROUP BY org_id, event_id"""


class InvalidLabelError(CidGraphError):
    """A correction names a type or category outside the vocabulary."""

    code = "INVALID_LABEL"


@dataclass(frozen=True)
class Correction:
    org_id: str
    event_id: str
    event_type: str
    event_category: str
    corrected_at: datetime
    corrected_by_token_id: str


def ensure_feedback_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``classification_feedback`` if it is not there."""
    con.execute(FEEDBACK_DDL)


def validate_labels(event_type: str, event_category: str) -> None:
    """Raise :class:`InvalidLabelError` unless both are labels of the vocabulary."""
    if event_type not in TYPE_LABELS:
        raise InvalidLabelError(f"unknown event type {event_type!r}",
                                hint=f"Use one of: {', '.join(TYPE_LABELS)}.")
    if event_category not in CATEGORY_LABELS:
        raise InvalidLabelError(f"unknown event category {event_category!r}",
                                hint=f"Use one of: {', '.join(CATEGORY_LABELS)}.")


def record_correction(con: duckdb.DuckDBPyConnection, org_id: str, event_id: str,
                      event_type: str, event_category: str, *, corrected_by_token_id: str,
                      corrected_at: datetime | None = None) -> Correction:
    """Store one correction (after validating its labels) and return it."""
    validate_labels(event_type, event_category)
    when = corrected_at or datetime.now(UTC)
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    ensure_feedback_table(con)
    con.execute("INSERT INTO classification_feedback VALUES (?, ?, ?, ?, ?, ?)",
                [org_id, event_id, event_type, event_category, when, corrected_by_token_id])
    return Correction(org_id, event_id, event_type, event_category, when, corrected_by_token_id)


def latest_corrections(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """``(org_id, event_id, event_type, event_category)`` of the latest correction per event."""
    ensure_feedback_table(con)
    rows = con.execute(f"SELECT org_id, event_id, event_type, event_category FROM ({_LATEST}) "
                       "ORDER BY org_id, event_id").fetchall()
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]


def read_corrections(con: duckdb.DuckDBPyConnection) -> list[LabelledRow]:
    """The latest correction per event as training rows (``source = 'feedback'``).

    Joins ``events`` (title, country) and ``organizations`` (type) of the same connection;
    a correction of an event that is not there is skipped (it has no title to learn from).
    """
    ensure_feedback_table(con)
    rows = con.execute(f"""
        SELECT e.event_name, f.event_type, f.event_category, e.country,
               coalesce(o.org_type, '') AS org_type
        FROM ({_LATEST}) f
        JOIN events e ON e.org_id = f.org_id AND e.event_id = f.event_id
        LEFT JOIN organizations o ON o.org_id = f.org_id
        ORDER BY f.org_id, f.event_id""").fetchall()
    return [LabelledRow(title=str(t), event_type=str(et), event_category=str(ec),
                        country=str(c), org_type=str(o), source=SOURCE_FEEDBACK)
            for t, et, ec, c, o in rows]
