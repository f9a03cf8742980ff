"""The labels a classifier may give, where an event's labels came from, and one labelled title.

``unclassified`` is a state of a version being built, not a label: the model never predicts it,
no published event has it, and a labelled file or a correction may not use it.

>>> is_valid_pair("concert", "jazz"), "unclassified" in TYPE_LABELS
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.ddl import CLASSIFICATION_SOURCES, EVENT_CATEGORIES, EVENT_TYPES

TYPE_LABELS: tuple[str, ...] = EVENT_TYPES
CATEGORY_LABELS: tuple[str, ...] = EVENT_CATEGORIES

#: ``classification_source`` values (see :data:`warehouse.ddl.CLASSIFICATION_SOURCES`).
SOURCE_SOURCE = "source"
SOURCE_MODEL = "model"
SOURCE_LOW_CONFIDENCE = "model_low_confidence"
SOURCE_FEEDBACK = "feedback"
SOURCES: tuple[str, ...] = CLASSIFICATION_SOURCES
#: Sources whose labels the model decided: `cid-graph classify retrain` may change them.
PREDICTED_SOURCES: tuple[str, ...] = (SOURCE_MODEL, SOURCE_LOW_CONFIDENCE)

assert (SOURCE_SOURCE, SOURCE_MODEL, SOURCE_LOW_CONFIDENCE, SOURCE_FEEDBACK) == SOURCES


def is_valid_pair(event_type: str, event_category: str) -> bool:
    """Whether both are labels of the vocabulary (any combination is allowed)."""
    return event_type in TYPE_LABELS and event_category in CATEGORY_LABELS


@dataclass(frozen=True)
class LabelledRow:
    """One title with what is known about it and its labels.

    ``source`` says where the label came from: ``team`` (the shipped corpus), ``feedback`` (an
    organization's correction), or the name of a public programme; ``event_start`` is an ISO
    date or date-time when the labelled file gives one (evaluation only; no training file does).
    """

    title: str
    event_type: str
    event_category: str
    language: str = ""
    country: str = ""
    org_type: str = ""
    venue: str = ""
    source: str = "team"
    event_start: str = ""
