"""Event type and category classification (issue 7): corpus, model, labelling, corrections.

The API the rest of CID Graph uses::

    from warehouse.classify import (CorrectionStore, apply_stored_corrections, default_model,
                                    evaluate, label_version, read_labelled, retrain)

- :func:`default_model` — the model trained on the shipped ``corpus.csv`` (plus corrections),
  cached in a directory the caller gives;
- :func:`label_version` — labels a version being built (the threshold rule of
  :mod:`warehouse.classify.apply`, then the stored corrections);
- :class:`CorrectionStore` — organizations' corrections, durable beside the versions;
- :func:`apply_stored_corrections` / :func:`retrain` — publish a version with the corrections
  applied / with every predicted event re-labelled by a model retrained on them;
- :func:`evaluate` / :func:`read_labelled` — quality on a labelled CSV.
"""

from __future__ import annotations

from warehouse.classify.apply import CATEGORY_THRESHOLD_CAP, CONFIDENCE_THRESHOLD, Decision, decide
from warehouse.classify.corrections import (
    Correction,
    CorrectionStore,
    EventRef,
    InvalidLabelError,
    validate_labels,
)
from warehouse.classify.evaluate import evaluate, read_labelled
from warehouse.classify.labels import (
    CATEGORY_LABELS,
    PREDICTED_SOURCES,
    SOURCE_FEEDBACK,
    SOURCE_LOW_CONFIDENCE,
    SOURCE_MODEL,
    SOURCE_SOURCE,
    SOURCES,
    TYPE_LABELS,
    LabelledRow,
)
from warehouse.classify.model import (
    CORPUS_PATH,
    CORPUS_REAL_PATH,
    HELDOUT_PATH,
    MODEL_VERSION,
    ClassifierFileError,
    EventClassifier,
    Prediction,
    default_model,
    load,
    read_corpus,
    train,
    training_rows,
)
from warehouse.classify.versions import (
    Labelling,
    RetrainResult,
    apply_stored_corrections,
    label_version,
    pending_corrections,
    retrain,
)

__all__ = [
    "CATEGORY_LABELS", "CATEGORY_THRESHOLD_CAP", "CONFIDENCE_THRESHOLD", "CORPUS_PATH", "CORPUS_REAL_PATH", "HELDOUT_PATH", "MODEL_VERSION",
    "PREDICTED_SOURCES", "SOURCES", "SOURCE_FEEDBACK", "SOURCE_LOW_CONFIDENCE", "SOURCE_MODEL",
    "SOURCE_SOURCE", "TYPE_LABELS", "ClassifierFileError", "Correction", "CorrectionStore",
    "Decision", "EventClassifier", "EventRef", "InvalidLabelError", "LabelledRow", "Labelling",
    "Prediction", "RetrainResult", "apply_stored_corrections", "decide", "default_model",
    "evaluate", "label_version", "load", "pending_corrections", "read_corpus", "read_labelled", "training_rows",
    "retrain", "train", "validate_labels",
]
