"""Choosing the classifier's temperature and confidence threshold without an evaluation file.

The real programme titles of ``corpus_real.csv`` are split into five folds by source (a whole
programme is held out at once, as a new member's programme would be); for each fold the model is
trained on the template corpus and the other folds, and predicts the held-out titles. Over these
out-of-fold predictions the script picks the temperature whose stated confidence is closest to the
observed accuracy (expected calibration error, 10 bins), and reports, for that temperature, how
right the type labels at each threshold are and how many titles they cover::

    uv run --frozen --no-sync python -m warehouse.classify.calibrate

``TEMPERATURE`` in ``model.py`` is set from its output by hand. With ``--fit-confidence`` it fits
the calibrator of ``confidence.py`` (one for predictions knowing the organization's type, one
for those without) on the same out-of-fold predictions, pooled over three deals of the sources
into folds (``SALTS``; its coefficients are written there by hand), and measures it on the first
deal with the calibrator itself fitted without the sources it is measured on;
``suggested_threshold`` for the type is the smallest threshold at which the type labels are
at least 90 % right, or when none is, the most precise one still covering a third of the titles
(``CONFIDENCE_THRESHOLD`` in ``apply.py`` says how it was set from it). With
``--compare`` it instead reports, for each setting in ``CANDIDATES`` (module constants of
``model.py``), the out-of-fold type and category accuracy with and without the organization's
type; the feature weights in ``model.py`` were chosen from that output. It never reads
``eval_independent.csv``, ``heldout.csv`` or ``heldout_real.csv``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

import numpy as np

from warehouse.classify.evaluate import _calibration_error
from warehouse.classify.labels import LabelledRow
from warehouse.classify.model import (
    CORPUS_PATH,
    CORPUS_REAL_PATH,
    EventClassifier,
    read_corpus,
    train,
)

FOLDS = 5
#: The calibrator is fitted on the out-of-fold predictions of several deals of the sources into
#: folds (the sorted order, then two salted hashes): one deal's fold boundaries move its
#: coefficients by more than the data justifies (model v7: adding 26 titles, which re-deals the
#: folds, moved the stated confidence of concerts by several points).
SALTS = ("", "1", "2")
TEMPERATURES = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
THRESHOLDS = tuple(round(0.3 + 0.05 * i, 2) for i in range(13))
#: Settings ``--compare`` tries, each applied on top of the shipped values of ``model.py``.
CANDIDATES: tuple[dict[str, float], ...] = (
    {}, {"_CROSS_WEIGHT": 0.0, "_ALPHA": 2e-5}, {"_CROSS_WEIGHT": 0.0}, {"_ALPHA": 2e-5},
    {"_CROSS_WEIGHT": 0.25}, {"_CROSS_WEIGHT": 0.75}, {"_ALPHA": 3e-5}, {"_ALPHA": 1e-4},
    {"_KEYWORD_WEIGHT": 0.75}, {"_META_WEIGHT": 0.8}, {"REAL_WEIGHT": 2.0}, {"REAL_WEIGHT": 4.0},
    {"_BLIND_MODELS": False},
)


def _fold(source: str, sources: list[str], salt: str) -> int:
    """The fold of a source: its place in the sorted list (no salt), or a hash of salt and name."""
    if not salt:
        return sources.index(source) % FOLDS
    return int(hashlib.sha256(f"{salt}:{source}".encode()).hexdigest(), 16) % FOLDS


def out_of_fold(corpus: list[LabelledRow], real: list[LabelledRow],
                salt: str = "") -> list[tuple[LabelledRow, EventClassifier]]:
    """(row, model trained without the row's fold) for every real row, folds by source (another
    ``salt`` deals the sources into other folds)."""
    sources = sorted({r.source for r in real})
    pairs: list[tuple[LabelledRow, EventClassifier]] = []
    for k in range(FOLDS):
        held = {s for s in sources if _fold(s, sources, salt) == k}
        model = train([*corpus, *(r for r in real if r.source not in held)])
        pairs += [(r, model) for r in real if r.source in held]
    return pairs


def compare(corpus: list[LabelledRow], real: list[LabelledRow]) -> list[dict[str, object]]:
    """Out-of-fold accuracy of each setting in ``CANDIDATES`` (folds by source, as above)."""
    from warehouse.classify import model as model_module

    out = []
    for setting in CANDIDATES:
        saved = {name: getattr(model_module, name) for name in setting}
        for name, value in setting.items():
            setattr(model_module, name, value)
        try:
            ok_t, ok_c, ok_t_no = [], [], []
            pairs = out_of_fold(corpus, real)
            for m in {id(m): m for _, m in pairs}.values():
                rows = [r for r, mm in pairs if mm is m]
                given = m.predict([r.title for r in rows], [r.org_type for r in rows],
                                  [r.country for r in rows], [r.venue for r in rows])
                blind = m.predict([r.title for r in rows], None, [r.country for r in rows],
                                  [r.venue for r in rows])
                for r, p, q in zip(rows, given, blind, strict=True):
                    ok_t.append(p.event_type == r.event_type)
                    ok_c.append(p.event_category == r.event_category)
                    ok_t_no.append(q.event_type == r.event_type)
        finally:
            for name, value in saved.items():
                setattr(model_module, name, value)
        out.append({"setting": setting, "type_accuracy": round(float(np.mean(ok_t)), 3),
                    "category_accuracy": round(float(np.mean(ok_c)), 3),
                    "type_accuracy_without_org_type": round(float(np.mean(ok_t_no)), 3)})
    return out


def _raw_oof(pairs: list[tuple[LabelledRow, EventClassifier]]) -> list[dict[str, Any]]:
    """Per real row, twice (organization type given and not): the calibrator's inputs from the
    uncalibrated model, and whether its type and genre were right."""
    out: list[dict[str, Any]] = []
    for m in {id(m): m for _, m in pairs}.values():
        rows = [r for r, mm in pairs if mm is m]
        for given in (True, False):
            org = [r.org_type if given else None for r in rows]
            args = ([r.title for r in rows], org, [r.country for r in rows], [r.venue for r in rows])
            m.calibrated = False
            raw = m.predict(*args)
            m.calibrated = True
            x_t, x_c = m.confidence_inputs(*args)
            for k, (r, p) in enumerate(zip(rows, raw, strict=True)):
                out.append({"source": r.source, "given": given, "x_t": x_t[k], "x_c": x_c[k],
                            "ok_t": p.event_type == r.event_type,
                            "ok_c": p.event_category == r.event_category})
    return out


def _fit_logistic(x: np.ndarray, y: np.ndarray, columns: int | None = None) -> tuple[float, ...]:
    """Intercept and one coefficient per column of ``x``; with ``columns``, only the first that
    many inputs are used and the others get 0."""
    from sklearn.linear_model import LogisticRegression

    used = x if columns is None else x[:, :columns]
    lr = LogisticRegression(C=1.0, max_iter=1000).fit(used, y.astype(int))
    coef = [round(float(c), 4) for c in lr.coef_[0]] + [0.0] * (x.shape[1] - used.shape[1])
    return (round(float(lr.intercept_[0]), 4), *coef)


#: The calibrator for predictions knowing the organization's type uses only the first this many
#: inputs (probability, margin, the two keyword flags, the constant org-type flag), not which
#: type was predicted: how reliable "concert" or "opera_ballet" is depends on the programme it
#: comes from, and the per-type weights fitted on some programmes transferred badly to others
#: (model v7, out of fold with the organization's type: calibration error 6.7 % with them,
#: 4.1 % without; labels at 0.8 84.3 % right with, 86.7 % without). Without the organization's
#: type the predicted type stays an input (there it helped: 4.4 % with, 5.7 % without).
GENERIC_INPUTS_WHEN_ORG_KNOWN = 5


#: Below this share of titles a threshold is not worth its precision (``_suggest``).
MIN_COVERAGE = 1 / 3


def _suggest(at: dict[float, dict[str, float | None]]) -> float:
    """The smallest threshold whose labels are at least 90 % right out of fold; when none is,
    the one whose labels are the most often right while still covering ``MIN_COVERAGE``."""
    ok = [th for th, v in sorted(at.items()) if (v["precision"] or 0) >= 0.9]
    if ok:
        return ok[0]
    wide = [(v["precision"] or 0.0, -th, th) for th, v in at.items() if (v["coverage"] or 0) >= MIN_COVERAGE]
    return max(wide)[2]


def fit_confidence(corpus: list[LabelledRow], real: list[LabelledRow]) -> dict[str, Any]:
    """The calibrator's coefficients (fitted on all out-of-fold rows) and, to judge them, its
    figures when it is itself fitted without the fold it is measured on (folds by source)."""
    pooled: list[dict[str, Any]] = []
    for repeat, salt in enumerate(SALTS):
        pooled += [{**o, "repeat": repeat} for o in _raw_oof(out_of_fold(corpus, real, salt))]
    first = np.array([o["repeat"] == 0 for o in pooled])
    oof = [o for o in pooled if o["repeat"] == 0]
    report: dict[str, Any] = {"rows": len(oof), "pooled_rows": len(pooled)}
    given_all = np.array([o["given"] for o in pooled])
    for key, label in (("t", "type"), ("c", "category")):
        x_all = np.array([o[f"x_{key}"] for o in pooled])
        y_all = np.array([o[f"ok_{key}"] for o in pooled])
        # One calibrator for predictions knowing the organization's type, one for those without.
        report[f"{label}_coef"] = _fit_logistic(x_all[given_all], y_all[given_all],
                                                GENERIC_INPUTS_WHEN_ORG_KNOWN)
        report[f"{label}_coef_no_org"] = _fit_logistic(x_all[~given_all], y_all[~given_all])
        x, y = x_all[first], y_all[first]
        given = np.array([o["given"] for o in oof])
        sources = sorted({o["source"] for o in oof})
        conf = np.zeros(len(oof))
        for k in range(FOLDS):
            # Measured on the first deal's fold k, fitted on every deal's rows of other sources.
            held_sources = {s for s in sources if _fold(s, sources, "") == k}
            outside = np.array([o["source"] not in held_sources for o in pooled])
            for regime in (True, False):
                train = outside & (given_all == regime)
                held = np.array([o["source"] in held_sources for o in oof]) & (given == regime)
                coef = _fit_logistic(x_all[train], y_all[train],
                                     GENERIC_INPUTS_WHEN_ORG_KNOWN if regime else None)
                z = coef[0] + x[held] @ np.asarray(coef[1:])
                conf[held] = 1 / (1 + np.exp(-z))
        at = {}
        for th in THRESHOLDS + (0.9, 0.95):
            kept = y[given & (conf >= th)]
            at[th] = {"precision": round(float(kept.mean()), 3) if len(kept) else None,
                      "coverage": round(len(kept) / int(given.sum()), 3)}
        report[label] = {"suggested_threshold": _suggest(at),
                         "accuracy": round(float(y[given].mean()), 3),
                         "accuracy_without_org_type": round(float(y[~given].mean()), 3),
                         "mean_confidence": round(float(conf[given].mean()), 3),
                         "ece": _calibration_error(list(conf[given]), list(y[given])),
                         "ece_without_org_type": _calibration_error(list(conf[~given]), list(y[~given])),
                         "at_threshold": at}
    return report


def main() -> int:
    corpus, real = read_corpus(CORPUS_PATH), read_corpus(CORPUS_REAL_PATH)
    if "--fit-confidence" in sys.argv[1:]:
        json.dump(fit_confidence(corpus, real), sys.stdout, indent=1)
        print()
        return 0
    if "--compare" in sys.argv[1:]:
        json.dump(compare(corpus, real), sys.stdout, indent=1)
        print()
        return 0
    pairs = out_of_fold(corpus, real)
    models = {id(m): m for _, m in pairs}
    report: dict[str, object] = {"rows": len(pairs), "temperatures": {}}
    best = None
    for temp in TEMPERATURES:
        conf_t, ok_t, conf_c, ok_c = [], [], [], []
        for m in models.values():
            m.temperature, m.calibrated = temp, False  # the temperature acts on the raw probabilities
            rows = [r for r, mm in pairs if mm is m]
            preds = m.predict([r.title for r in rows], [r.org_type for r in rows],
                              [r.country for r in rows], [r.venue for r in rows])
            for r, p in zip(rows, preds, strict=True):
                conf_t.append(p.event_type_confidence)
                ok_t.append(p.event_type == r.event_type)
                conf_c.append(p.event_category_confidence)
                ok_c.append(p.event_category == r.event_category)
        ece = _calibration_error(conf_t, ok_t)
        at = {}
        for th in THRESHOLDS:
            kept = [ok for c, ok in zip(conf_t, ok_t, strict=True) if c >= th]
            at[th] = {"precision": round(float(np.mean(kept)), 3) if kept else None,
                      "coverage": round(len(kept) / len(conf_t), 3)}
        report["temperatures"][temp] = {  # type: ignore[index]
            "type_accuracy": round(float(np.mean(ok_t)), 3),
            "category_accuracy": round(float(np.mean(ok_c)), 3),
            "type_ece": ece, "category_ece": _calibration_error(conf_c, ok_c),
            "mean_type_confidence": round(float(np.mean(conf_t)), 3), "at_threshold": at}
        if best is None or ece < best[1]:
            best = (temp, ece)
    report["best_temperature"] = best[0] if best else None
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
