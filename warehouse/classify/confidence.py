"""Stated confidence that means what it says: the chance that a predicted label is right.

The classifiers' own probabilities rank predictions poorly on real programmes: a play whose
title has no kind-of-event word, predicted ``opera_ballet`` at 0.8, is as often wrong as right.
So the confidence an event gets is a second, small model's estimate that the label is right,
read from what the first model said and how it says it:

- the probability of the chosen label (as a logit) and its margin over the runner-up;
- whether the title names a kind of event (``KEYWORDS``) and whether that is the predicted one;
- whether the organization's type was known;
- which type was predicted (some are reliable, others often a near miss: a play called opera).

There are two sets of coefficients per label, one for predictions made knowing the organization's
type (as ingest always does) and one for predictions without it: one set for both left the
first over-confident and the second under-confident (model v7, out of fold: type calibration
error with the organization's type 7.2 % with one set, 4.9 % with two). The first set leaves out
which type was predicted (its weights are 0, see ``calibrate.GENERIC_INPUTS_WHEN_ORG_KNOWN``).

Its coefficients are fitted by logistic regression on out-of-fold predictions for the real
programme titles of ``corpus_real.csv`` (folds by source; ``python -m
warehouse.classify.calibrate --fit-confidence`` prints them; pooled over three deals of the
sources into folds), never on an evaluation file, and written here by hand; changing them
changes the model version. Model v8 refitted all four sets on its own out-of-fold predictions
(1,240 real titles; the no-org set is that of its classifiers without the organization's type).

>>> conf = calibrated(np.array([0.9]), np.array([0.8]), np.array([1.0]), np.array([0.0]),
...                   np.array([1.0]), ["concert"], TYPE_COEF)
>>> 0.0 < float(conf[0]) < 1.0
True
"""

from __future__ import annotations

import numpy as np

from warehouse.classify.labels import TYPE_LABELS

#: Names of the inputs, in the order of the coefficients (after the intercept).
FEATURES = ("logit_p", "margin", "keyword_agrees", "keyword_other", "org_type_known",
            *(f"predicted_{t}" for t in TYPE_LABELS))

#: (intercept, *one coefficient per FEATURES) for the event type's confidence and the genre's,
#: when the organization's type is known (``org_type_known`` is then constant, its weight 0).
TYPE_COEF: tuple[float, ...] = (
    0.2514, 1.2148, -0.6594, -0.9248, -0.415, 0.1908,
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0,
)
CATEGORY_COEF: tuple[float, ...] = (
    0.0888, 0.9124, 0.998, -0.2914, -0.9448, 0.0429,
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0,
)


#: The same when the organization's type is not known.
TYPE_COEF_NO_ORG: tuple[float, ...] = (
    0.5221, 1.5112, -1.2236, -0.9984, 0.0019, 0.0,
    -0.4203, -0.0379, -0.1642, -0.5516, -0.0121, 0.7763,
    -0.0882, 0.2784, -0.2241, 0.2404, 0.5044,
)
CATEGORY_COEF_NO_ORG: tuple[float, ...] = (
    0.4798, 1.4086, -0.756, -0.3699, -0.8801, 0.0,
    0.2994, 0.0039, -0.2275, -1.0736, 0.9246, 1.5762,
    0.6131, 0.1931, -0.7158, -1.2412, -0.0269,
)


def features(p: np.ndarray, margin: np.ndarray, keyword_agrees: np.ndarray,
             keyword_other: np.ndarray, org_type_known: np.ndarray,
             predicted: list[str]) -> np.ndarray:
    """The calibrator's input matrix, one row per prediction (columns as ``FEATURES``)."""
    q = np.clip(p, 1e-4, 1 - 1e-4)
    onehot = np.array([[t == label for label in TYPE_LABELS] for t in predicted],
                      dtype=np.float64).reshape(len(predicted), len(TYPE_LABELS))
    return np.column_stack([np.log(q / (1 - q)), margin, keyword_agrees, keyword_other,
                            org_type_known, onehot]).astype(np.float64)


def calibrated(p: np.ndarray, margin: np.ndarray, keyword_agrees: np.ndarray,
               keyword_other: np.ndarray, org_type_known: np.ndarray, predicted: list[str],
               coef: tuple[float, ...], coef_no_org: tuple[float, ...] | None = None) -> np.ndarray:
    """The chance each predicted label is right, from the first model's outputs (``coef`` where
    the organization's type is known, ``coef_no_org``, by default the same, where it is not)."""
    coef_no_org = coef if coef_no_org is None else coef_no_org
    for c in (coef, coef_no_org):
        if len(c) != len(FEATURES) + 1:
            raise ValueError(f"{len(c)} coefficients for {len(FEATURES)} features and an intercept")
    x = features(p, margin, keyword_agrees, keyword_other, org_type_known, predicted)
    known = np.asarray(org_type_known, dtype=np.float64) > 0.5
    z_known = coef[0] + x @ np.asarray(coef[1:], dtype=np.float64)
    z_blind = coef_no_org[0] + x @ np.asarray(coef_no_org[1:], dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-np.where(known, z_known, z_blind)))
