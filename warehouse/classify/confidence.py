"""Stated confidence that means what it says: the chance that a predicted label is right.

The classifiers' own probabilities rank predictions poorly on real programmes: a play whose
title has no kind-of-event word, predicted ``opera_ballet`` at 0.8, is as often wrong as right.
So the confidence an event gets is a second, small model's estimate that the label is right,
read from what the first model said and how it says it:

- the probability of the chosen label (as a logit) and its margin over the runner-up;
- whether the title names a kind of event (``KEYWORDS``) and whether that is the predicted one;
- whether the organization's type was known;
- which type was predicted (some are reliable, others often a near miss: a play called opera).

Its coefficients are fitted by logistic regression on out-of-fold predictions for the real
programme titles of ``corpus_real.csv`` (folds by source; ``python -m
warehouse.classify.calibrate --fit-confidence`` prints them), never on an evaluation file, and
written here by hand; changing them changes the model version.

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

#: (intercept, *one coefficient per FEATURES) for the event type's confidence and the genre's.
TYPE_COEF: tuple[float, ...] = (
    -0.1788, 0.8986, -0.2471, -0.1671, -0.3188, 0.2203,
    -0.2929, 0.474, -0.0325, 0.1739, -0.5863, -1.221,
    0.4445, 0.4918, -0.1462, 0.0937, 0.5367,
)
CATEGORY_COEF: tuple[float, ...] = (
    -0.2026, 0.9445, -0.1362, -0.0939, -0.389, 0.2688,
    0.0346, 0.1735, -0.159, 0.1961, 0.2621, -0.5964,
    0.3746, 0.086, 0.1086, -0.7209, 0.1498,
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
               coef: tuple[float, ...]) -> np.ndarray:
    """The chance each predicted label is right, from the first model's outputs."""
    if len(coef) != len(FEATURES) + 1:
        raise ValueError(f"{len(coef)} coefficients for {len(FEATURES)} features and an intercept")
    x = features(p, margin, keyword_agrees, keyword_other, org_type_known, predicted)
    z = coef[0] + x @ np.asarray(coef[1:], dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-z))
