"""Choosing the classifier's temperature and confidence threshold without an evaluation file.

The real programme titles of ``corpus_real.csv`` are split into five folds by source (a whole
programme is held out at once, as a new member's programme would be); for each fold the model is
trained on the template corpus and the other folds, and predicts the held-out titles. Over these
out-of-fold predictions the script picks the temperature whose stated confidence is closest to the
observed accuracy (expected calibration error, 10 bins), and reports, for that temperature, how
right the type labels at each threshold are and how many titles they cover::

    uv run --frozen --no-sync python -m warehouse.classify.calibrate

``TEMPERATURE`` in ``model.py`` and ``CONFIDENCE_THRESHOLD`` in ``apply.py`` are set from its
output by hand (the smallest threshold at which the type labels are at least 90 % right). It
never reads ``eval_independent.csv``, ``heldout.csv`` or ``heldout_real.csv``.
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


def out_of_fold(corpus: list[LabelledRow], real: list[LabelledRow]) -> list[tuple[LabelledRow, EventClassifier]]:
    """(row, model trained without the row's fold) for every real row, folds by source."""
    sources = sorted({r.source for r in real})
    pairs: list[tuple[LabelledRow, EventClassifier]] = []
    for k in range(FOLDS):
        held = {s for i, s in enumerate(sources) if i % FOLDS == k}
        model = train([*corpus, *(r for r in real if r.source not in held)])
        pairs += [(r, model) for r in real if r.source in held]
    return pairs


def main() -> int:
    corpus, real = read_corpus(CORPUS_PATH), read_corpus(CORPUS_REAL_PATH)
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
