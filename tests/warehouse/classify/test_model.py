"""The classifier: deterministic, saved and loaded faithfully, and good enough on held-out titles."""

from __future__ import annotations

import doctest
import pickle
import time
from pathlib import Path

import pytest

from warehouse.classify import apply, corrections, labels, model
from warehouse.classify.evaluate import evaluate, read_labelled
from warehouse.classify.model import (
    HELDOUT_PATH,
    ClassifierFileError,
    EventClassifier,
    default_model,
    load,
    read_corpus,
    train,
)

TITLES = ["Hedda Gabler", "Grieg: Klaverkonsert i a-moll", "Rosenborg – Molde",
          "Ateneum: Helene Schjerfbeck", "Peer Gynt – nynorsk framsyning", "Djurgården – Frölunda",
          "Kvikmyndahátíð: RIFF 2025", "Pubquiz", "Are Kalvø: Typisk norsk"]
ORGS = ["theatre_performing_arts", "music", "sports", "museum_heritage", "theatre_performing_arts",
        "sports", "festival", "other", "other"]
COUNTRIES = ["NO", "NO", "NO", "FI", "NO", "SE", "IS", "NO", "NO"]

#: Held-out floors. Measured (scikit-learn 1.9.1, model v2): type 0.949, category 0.857 on 336
#: titles. The floors sit about five points under the measurement, above the issue's targets
#: (0.85 / 0.70): a drop below them is a regression in the corpus or the features, not noise
#: from a library upgrade.
HELDOUT_TYPE_FLOOR = 0.90
HELDOUT_CATEGORY_FLOOR = 0.80


def test_the_issue_examples(corpus_model: EventClassifier) -> None:
    got = [(p.event_type, p.event_category)
           for p in corpus_model.predict(TITLES, ORGS, COUNTRIES, [None] * len(TITLES))]
    assert got == [("play", "drama"), ("concert", "classical"), ("sports_event", "football"),
                   ("exhibition", "art"), ("play", "drama"), ("sports_event", "ice_hockey"),
                   ("festival", "feature_film"), ("other", "other"), ("standup_comedy", "comedy")]


def test_same_input_same_output(corpus_model: EventClassifier) -> None:
    first = corpus_model.predict(TITLES, ORGS, COUNTRIES)
    assert corpus_model.predict(TITLES, ORGS, COUNTRIES) == first
    # one at a time gives the same as in a batch
    assert [corpus_model.predict([t], [o], [c])[0] for t, o, c in zip(TITLES, ORGS, COUNTRIES,
                                                                         strict=True)] == first


def test_training_twice_gives_the_same_model(corpus_model: EventClassifier) -> None:
    again = train(read_corpus())
    assert again.data_hash == corpus_model.data_hash
    assert again.predict(TITLES, ORGS, COUNTRIES) == corpus_model.predict(TITLES, ORGS, COUNTRIES)


def test_training_takes_seconds() -> None:
    start = time.perf_counter()
    train(read_corpus())
    assert time.perf_counter() - start < 10  # ~1 s on a laptop; slack for a busy CI runner


def test_confidences_are_probabilities(corpus_model: EventClassifier) -> None:
    for p in corpus_model.predict(TITLES, ORGS, COUNTRIES):
        assert 0.0 <= p.event_type_confidence <= 1.0
        assert 0.0 <= p.event_category_confidence <= 1.0


def test_pairs_are_ones_seen_in_training(corpus_model: EventClassifier) -> None:
    seen = {(r.event_type, r.event_category) for r in read_corpus()}
    heldout = read_labelled(HELDOUT_PATH)
    preds = corpus_model.predict([r.title for r in heldout])
    assert {(p.event_type, p.event_category) for p in preds} <= seen


def test_unknown_inputs_are_fine(corpus_model: EventClassifier) -> None:
    assert corpus_model.predict([]) == []
    [p] = corpus_model.predict([""], [None], [None], [None])
    assert p.event_type in labels.TYPE_LABELS
    with pytest.raises(ValueError, match="same length"):
        corpus_model.predict(["a", "b"], ["music"])


def test_save_and_load_round_trip(corpus_model: EventClassifier, tmp_path: Path) -> None:
    path = tmp_path / "m.pkl"
    corpus_model.save(path)
    loaded = load(path)
    assert loaded.data_hash == corpus_model.data_hash
    assert loaded.version == model.MODEL_VERSION
    assert loaded.predict(TITLES, ORGS, COUNTRIES) == corpus_model.predict(TITLES, ORGS, COUNTRIES)


def test_load_refuses_another_version(corpus_model: EventClassifier, tmp_path: Path) -> None:
    path = tmp_path / "m.pkl"
    corpus_model.save(path)
    payload = pickle.loads(path.read_bytes())
    payload["version"] = "0"
    path.write_bytes(pickle.dumps(payload))
    with pytest.raises(ClassifierFileError, match="model version 0"):
        load(path)
    path.write_bytes(b"not a pickle")
    with pytest.raises(ClassifierFileError):
        load(path)


def test_default_model_is_cached(tmp_path: Path) -> None:
    model._MEMO.clear()  # the in-process copy would hide the file cache
    first = default_model(tmp_path)
    [cached] = list(tmp_path.glob("event-classifier-v*.pkl"))
    mtime = cached.stat().st_mtime_ns
    second = default_model(tmp_path)
    assert cached.stat().st_mtime_ns == mtime  # read back, not retrained
    assert second.predict(TITLES) == first.predict(TITLES)
    cached.write_bytes(b"damaged")
    model._MEMO.clear()
    assert default_model(tmp_path).predict(TITLES) == first.predict(TITLES)
    assert default_model(tmp_path) is default_model(tmp_path)  # and kept in memory


def test_known_labels_are_kept(corpus_model: EventClassifier) -> None:
    [free, typed, genred] = corpus_model.predict(
        ["Rosenborg – Molde"] * 3, known_types=[None, "concert", None],
        known_categories=[None, None, "handball"])
    assert (free.event_type, free.event_category) == ("sports_event", "football")
    assert typed.event_type == "concert" and typed.event_type_confidence == 1.0
    assert typed.event_category != "football" and 0 < typed.event_category_confidence <= 1
    assert (genred.event_type, genred.event_category, genred.event_category_confidence) == (
        "sports_event", "handball", 1.0)


#: Floors on the real held-out titles (warehouse/classify/SOURCES.md). Measured (model v2):
#: type 0.926, category 0.753 on 324 titles; the issue's aims are 0.85 / 0.70.
REAL_TYPE_FLOOR = 0.88
REAL_CATEGORY_FLOOR = 0.70


def test_real_heldout_titles_are_unseen_and_good_enough(corpus_model: EventClassifier) -> None:
    real = read_labelled(model.HELDOUT_REAL_PATH)
    corpus = {r.title.strip().lower() for r in read_corpus()}
    assert len(real) >= 300
    assert not [r.title for r in real if r.title.strip().lower() in corpus]
    assert all(r.source and r.source != "labelled" for r in real)  # every row says where it is from
    assert {r.language for r in real} == {"nb", "nn", "sv", "da", "fi", "is", "en"}
    report = evaluate(corpus_model, real)
    assert report["type_accuracy"] >= REAL_TYPE_FLOOR, report
    assert report["category_accuracy"] >= REAL_CATEGORY_FLOOR, report


def test_heldout_accuracy(corpus_model: EventClassifier) -> None:
    report = evaluate(corpus_model, read_labelled(HELDOUT_PATH))
    assert report["n"] >= 300
    assert report["type_accuracy"] >= HELDOUT_TYPE_FLOOR, report
    assert report["category_accuracy"] >= HELDOUT_CATEGORY_FLOOR, report


@pytest.mark.parametrize("module", [model, labels, apply, corrections])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.failed == 0
