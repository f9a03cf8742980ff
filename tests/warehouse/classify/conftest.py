"""Fixtures for classifier tests: the corpus model, trained once per session (about a second)."""

from __future__ import annotations

import pytest

from warehouse.classify.model import EventClassifier, read_corpus, train


@pytest.fixture(scope="session")
def corpus_model() -> EventClassifier:
    return train(read_corpus())
