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
changes the model version.

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
    0.2648, 1.1202, -0.483, -0.768, 0.1241, 0.1831,
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0,
)
CATEGORY_COEF: tuple[float, ...] = (
    0.0523, 0.8458, 1.1812, -0.1891, -0.6451, 0.013,
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0,
)


#: The same when the organization's type is not known.
TYPE_COEF_NO_ORG: tuple[float, ...] = (
    0.3352, 1.3511, -0.8101, -0.6676, 0.5642, 0.0,
    -0.2347, 0.0243, -0.1823, -0.4799, -0.044, 0.8721,
    -0.113, 0.1312, -0.2332, -0.2649, 0.749,
)
CATEGORY_COEF_NO_ORG: tuple[float, ...] = (
    0.3994, 1.37, -0.6755, -0.2718, -0.5616, 0.0,
    0.3491, 0.0915, -0.2195, -0.8604, 0.869, 1.6092,
    0.7102, 0.1618, -0.5035, -1.8043, -0.1306,
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
