"""Choosing the classifier's temperature and confidence threshold without an evaluation file.

The real programme titles of ``corpus_real.csv`` are split into five folds by source (a whole
programme is held out at once, as a new member's programme would be); for each fold the model is
trained on the template corpus and the other folds, and predicts the held-out titles. Over these
out-of-fold predictions the script picks the temperature whose stated confidence is closest to the
observed accuracy (expected calibration error, 10 bins), and reports, for that temperature, how
right the type labels at each threshold are and how many titles they cover::

    uv run --frozen --no-sync python -m warehouse.classify.calibrate

``TEMPERATURE`` in ``model.py`` and ``CONFIDENCE_THRESHOLD`` in ``apply.py`` are set from its
output by hand (the smallest threshold at which the type labels are at least 90 % right). With
``--compare`` it instead reports, for each setting in ``CANDIDATES`` (module constants of
``model.py``), the out-of-fold type and category accuracy with and without the organization's
type; the feature weights in ``model.py`` were chosen from that output. It never reads
``eval_independent.csv``, ``heldout.csv`` or ``heldout_real.csv``.
"""

from __future__ import annotations

import json
import sys

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
TEMPERATURES = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
THRESHOLDS = tuple(round(0.3 + 0.05 * i, 2) for i in range(13))
#: Settings ``--compare`` tries, each applied on top of the shipped values of ``model.py``.
CANDIDATES: tuple[dict[str, float], ...] = (
    {}, {"_KEYWORD_WEIGHT": 0.25}, {"_KEYWORD_WEIGHT": 0.75}, {"_KEYWORD_WEIGHT": 1.0},
    {"_META_WEIGHT": 1.0}, {"_META_WEIGHT": 1.5}, {"REAL_WEIGHT": 2.0}, {"REAL_WEIGHT": 5.0},
)


def out_of_fold(corpus: list[LabelledRow], real: list[LabelledRow]) -> list[tuple[LabelledRow, EventClassifier]]:
    """(row, model trained without the row's fold) for every real row, folds by source."""
    sources = sorted({r.source for r in real})
    pairs: list[tuple[LabelledRow, EventClassifier]] = []
    for k in range(FOLDS):
        held = {s for i, s in enumerate(sources) if i % FOLDS == k}
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


def main() -> int:
    corpus, real = read_corpus(CORPUS_PATH), read_corpus(CORPUS_REAL_PATH)
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
            m.temperature = temp
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
