"""Corrections: validated, stored append-only, latest wins, and they change a retrained model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from warehouse.classify.corrections import (
    InvalidLabelError,
    latest_corrections,
    read_corrections,
    record_correction,
)
from warehouse.classify.labels import LabelledRow
from warehouse.classify.model import EventClassifier, read_corpus, train

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE organizations (org_id VARCHAR, org_type VARCHAR)")
    con.execute("CREATE TABLE events (org_id VARCHAR, event_id VARCHAR, event_name VARCHAR, "
                "country VARCHAR)")
    con.execute("INSERT INTO organizations VALUES ('org-1', 'other')")
    con.execute("INSERT INTO events VALUES ('org-1', 'ev-1', 'Kveld på brygga', 'NO'), "
                "('org-1', 'ev-2', 'Hedda Gabler', 'NO')")
    return con


def test_labels_are_validated(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(InvalidLabelError, match="unknown event type 'gig'") as info:
        record_correction(con, "org-1", "ev-1", "gig", "jazz", corrected_by_token_id="t")
    assert info.value.code == "INVALID_LABEL"
    with pytest.raises(InvalidLabelError, match="unknown event category 'unclassified'"):
        record_correction(con, "org-1", "ev-1", "concert", "unclassified", corrected_by_token_id="t")
    assert latest_corrections(con) == []


def test_latest_correction_wins_and_history_is_kept(con: duckdb.DuckDBPyConnection) -> None:
    record_correction(con, "org-1", "ev-1", "concert", "jazz", corrected_by_token_id="t1",
                      corrected_at=T0)
    record_correction(con, "org-1", "ev-1", "concert", "folk_world", corrected_by_token_id="t2",
                      corrected_at=T0 + timedelta(hours=1))
    assert latest_corrections(con) == [("org-1", "ev-1", "concert", "folk_world")]
    history = con.execute("SELECT corrected_by_token_id, corrected_at FROM classification_feedback "
                          "ORDER BY corrected_at").fetchall()
    assert history == [("t1", datetime(2025, 3, 1, 12, 0)), ("t2", datetime(2025, 3, 1, 13, 0))]


def test_corrections_read_as_training_rows(con: duckdb.DuckDBPyConnection) -> None:
    record_correction(con, "org-1", "ev-1", "concert", "jazz", corrected_by_token_id="t")
    record_correction(con, "org-1", "ev-404", "concert", "jazz", corrected_by_token_id="t")
    assert read_corrections(con) == [
        LabelledRow("Kveld på brygga", "concert", "jazz", country="NO", org_type="other",
                    source="feedback")]


def test_a_correction_changes_the_retrained_answer(con: duckdb.DuckDBPyConnection,
                                                    corpus_model: EventClassifier) -> None:
    title = "Kveld på brygga"
    [before] = corpus_model.predict([title], ["other"], ["NO"])
    target = ("talk", "history") if before.event_type != "talk" else ("concert", "jazz")
    record_correction(con, "org-1", "ev-1", *target, corrected_by_token_id="t")
    retrained = train([*read_corpus(), *read_corrections(con)])
    [after] = retrained.predict([title], ["other"], ["NO"])
    assert (after.event_type, after.event_category) == target
    assert (before.event_type, before.event_category) != target
    # the rest of the model is not upset by one correction
    assert retrained.predict(["Hedda Gabler"])[0].event_type == "play"
