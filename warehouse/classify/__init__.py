"""Event type and category classification (issue 7): corpus, model, evaluation, corrections.

The API the rest of CID Graph uses::

    from warehouse.classify import (CONFIDENCE_THRESHOLD, classify_events, default_model,
                                    evaluate, read_corrections, read_labelled,
                                    record_correction, train)

- :func:`default_model` — the model trained on the shipped ``corpus.csv`` (plus optional
  corrections), cached in a directory the caller gives;
- :func:`classify_events` — labels a DuckDB table of events, with the threshold rule;
- :func:`record_correction` / :func:`read_corrections` — the ``classification_feedback`` table;
- :func:`evaluate` / :func:`read_labelled` — quality on a labelled CSV.
"""

from __future__ import annotations

from warehouse.classify.apply import CONFIDENCE_THRESHOLD, RESULT_SCHEMA, classify_events
from warehouse.classify.corrections import (
    Correction,
    InvalidLabelError,
    ensure_feedback_table,
    latest_corrections,
    read_corrections,
    record_correction,
)
from warehouse.classify.evaluate import evaluate, read_labelled
from warehouse.classify.labels import (
    CATEGORY_LABELS,
    SOURCE_FEEDBACK,
    SOURCE_LOW_CONFIDENCE,
    SOURCE_MODEL,
    TYPE_LABELS,
    LabelledRow,
)
from warehouse.classify.model import (
    CORPUS_PATH,
    HELDOUT_PATH,
    MODEL_VERSION,
    ClassifierFileError,
    EventClassifier,
    Prediction,
    default_model,
    load,
    read_corpus,
    train,
)

__all__ = [
    "CATEGORY_LABELS", "CONFIDENCE_THRESHOLD", "CORPUS_PATH", "HELDOUT_PATH", "MODEL_VERSION",
    "RESULT_SCHEMA", "SOURCE_FEEDBACK", "SOURCE_LOW_CONFIDENCE", "SOURCE_MODEL", "TYPE_LABELS",
    "ClassifierFileError", "Correction", "EventClassifier", "InvalidLabelError", "LabelledRow",
    "Prediction", "classify_events", "default_model", "ensure_feedback_table", "evaluate",
    "latest_corrections", "load", "read_corpus", "read_corrections", "read_labelled",
    "record_correction", "train",
]
