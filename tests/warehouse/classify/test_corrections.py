"""Corrections: validated, stored append-only, latest wins, and they change a retrained model."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from warehouse.classify.corrections import CorrectionStore, EventRef, InvalidLabelError
from warehouse.classify.labels import LabelledRow
from warehouse.classify.model import EventClassifier, read_corpus, train

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
KVELD = EventRef("org-1", "ev-1", "Kveld på brygga", "NO", "other", "concert", "other", "model")


@pytest.fixture
def store(tmp_path: Path) -> CorrectionStore:
    return CorrectionStore(tmp_path / "corrections.sqlite")


def test_labels_are_validated(store: CorrectionStore) -> None:
    with pytest.raises(InvalidLabelError, match="unknown event type 'gig'") as info:
        store.record(KVELD, "gig", "jazz", corrected_by_token_id="t")
    assert info.value.code == "BAD_QUERY" and "concert" in (info.value.hint or "")
    with pytest.raises(InvalidLabelError, match="unknown event category 'unclassified'"):
        store.record(KVELD, "concert", "unclassified", corrected_by_token_id="t")
    assert store.latest() == [] and store.max_id() == 0


def test_latest_correction_wins_and_history_is_kept(store: CorrectionStore) -> None:
    first = store.record(KVELD, "concert", "jazz", corrected_by_token_id="t1", corrected_at=T0)
    second = store.record(KVELD, "concert", "folk_world", corrected_by_token_id="t2",
                          corrected_at=T0 + timedelta(hours=1))
    assert second.id > first.id
    [latest] = store.latest()
    assert (latest.event_type, latest.event_category, latest.corrected_by_token_id) == (
        "concert", "folk_world", "t2")
    history = store.history("org-1", "ev-1")
    assert [(c.corrected_by_token_id, c.corrected_at) for c in history] == [
        ("t1", "2025-03-01T12:00:00.000+00:00"), ("t2", "2025-03-01T13:00:00.000+00:00")]
    assert history[0].previous_type == "concert" and history[0].previous_source == "model"
    # what a version built up to the first correction holds, and what is pending over it
    assert [c.event_category for c in store.latest(through_id=first.id)] == ["jazz"]
    assert [c.event_category for c in store.latest(above_id=first.id)] == ["folk_world"]
    assert store.latest(above_id=second.id) == []


def test_corrections_are_durable_and_shared(tmp_path: Path) -> None:
    path = tmp_path / "corrections.sqlite"
    a = CorrectionStore(path)
    a.record(KVELD, "talk", "history", corrected_by_token_id="t")
    b = CorrectionStore(path)  # another process opens the same file
    assert [c.event_type for c in b.latest()] == ["talk"]
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            ref = EventRef("org-2", f"ev-{i}", f"title {i}", "SE", "music")
            CorrectionStore(path).record(ref, "concert", "jazz", corrected_by_token_id="t")
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert b.max_id() == 9 and len(b.latest("org-2")) == 8


def test_corrections_read_as_training_rows(store: CorrectionStore) -> None:
    store.record(KVELD, "concert", "jazz", corrected_by_token_id="t")
    assert store.training_rows() == [
        LabelledRow("Kveld på brygga", "concert", "jazz", country="NO", org_type="other",
                    source="feedback")]


def test_a_correction_changes_the_retrained_answer(store: CorrectionStore,
                                                    corpus_model: EventClassifier) -> None:
    title = "Kveld på brygga"
    [before] = corpus_model.predict([title], ["other"], ["NO"])
    target = ("talk", "history") if before.event_type != "talk" else ("concert", "jazz")
    store.record(KVELD, *target, corrected_by_token_id="t")
    retrained = train([*read_corpus(), *store.training_rows()])
    [after] = retrained.predict([title], ["other"], ["NO"])
    assert (after.event_type, after.event_category) == target
    assert (before.event_type, before.event_category) != target
    # the rest of the model is not upset by one correction
    assert retrained.predict(["Hedda Gabler"])[0].event_type == "play"
