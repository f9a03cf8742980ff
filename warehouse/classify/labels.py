"""The labels a classifier may give, and one labelled title (a training or evaluation row).

``unclassified`` is a warehouse state, not a label: the model never predicts it and a labelled
file or a correction may not use it.

>>> is_valid_pair("concert", "jazz"), "unclassified" in TYPE_LABELS
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.ddl import EVENT_CATEGORIES, EVENT_TYPES

TYPE_LABELS: tuple[str, ...] = tuple(t for t in EVENT_TYPES if t != "unclassified")
CATEGORY_LABELS: tuple[str, ...] = tuple(c for c in EVENT_CATEGORIES if c != "unclassified")

#: ``classification_source`` values this package writes.
SOURCE_MODEL = "model"
SOURCE_LOW_CONFIDENCE = "model_low_confidence"
SOURCE_FEEDBACK = "feedback"


def is_valid_pair(event_type: str, event_category: str) -> bool:
    """Whether both are labels of the vocabulary (any combination is allowed)."""
    return event_type in TYPE_LABELS and event_category in CATEGORY_LABELS


@dataclass(frozen=True)
class LabelledRow:
    """One title with what is known about it and its labels.

    ``source`` says where the label came from: ``team`` (the shipped corpus), ``feedback`` (an
    organization's correction), or the name of a public programme.
    """

    title: str
    event_type: str
    event_category: str
    language: str = ""
    country: str = ""
    org_type: str = ""
    venue: str = ""
    source: str = "team"
