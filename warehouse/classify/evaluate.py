"""Measuring a classifier on labelled titles: accuracy, macro-F1, per language, type confusion.

A labelled file is a UTF-8 CSV with the columns ``title, language, country, venue, event_type,
event_category`` (``org_type``, ``source`` and ``event_start`` optional; extra columns ignored)::

    rows = read_labelled(Path("warehouse/classify/heldout.csv"))
    report = evaluate(default_model(cache_dir), rows)
    report["type_accuracy"], report["per_language"]["nn"]["category_accuracy"]
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sklearn.metrics import f1_score

from cid_graph.errors import InputFileError
from warehouse.classify.apply import CATEGORY_THRESHOLD_CAP, CONFIDENCE_THRESHOLD
from warehouse.classify.context import EventContext
from warehouse.classify.labels import CATEGORY_LABELS, TYPE_LABELS, LabelledRow
from warehouse.classify.model import EventClassifier

REQUIRED_COLUMNS = ("title", "language", "country", "venue", "event_type", "event_category")


def _error(path: Path, line: int | None, message: str, hint: str) -> InputFileError:
    where = f"{path}:{line}" if line is not None else str(path)
    return InputFileError(f"{where}: {message}", hint=hint, code="LABELLED_FILE")


def read_labelled(path: Path) -> list[LabelledRow]:
    """Read a labelled CSV; every problem names the file and line (the header is line 1).

    Raises:
        InputFileError: unreadable file, missing column, empty title, or a label outside the
            vocabulary (``unclassified`` included).
    """
    try:
        f = path.open(newline="", encoding="utf-8-sig")
    except OSError as e:
        raise _error(path, None, f"cannot open: {e.strerror}", "Check the path.") from e
    rows: list[LabelledRow] = []
    with f:
        try:
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise _error(path, 1, f"missing column(s) {', '.join(missing)}",
                             f"The header must name: {', '.join(REQUIRED_COLUMNS)}.")
            for rec in reader:
                line = reader.line_num
                title = (rec.get("title") or "").strip()
                event_type = (rec.get("event_type") or "").strip()
                category = (rec.get("event_category") or "").strip()
                if not title:
                    raise _error(path, line, "empty title", "Give every row a title.")
                if event_type not in TYPE_LABELS:
                    raise _error(path, line, f"unknown event_type {event_type!r}",
                                 f"Use one of: {', '.join(TYPE_LABELS)}.")
                if category not in CATEGORY_LABELS:
                    raise _error(path, line, f"unknown event_category {category!r}",
                                 f"Use one of: {', '.join(CATEGORY_LABELS)}.")
                rows.append(LabelledRow(
                    title=title, event_type=event_type, event_category=category,
                    language=(rec.get("language") or "").strip(),
                    country=(rec.get("country") or "").strip().upper(),
                    org_type=(rec.get("org_type") or "").strip(),
                    venue=(rec.get("venue") or "").strip(),
                    source=(rec.get("source") or "").strip() or "labelled",
                    event_start=(rec.get("event_start") or "").strip()))
        except UnicodeDecodeError as e:
            raise _error(path, None, "is not valid UTF-8", "Re-export it as UTF-8.") from e
        except csv.Error as e:
            raise _error(path, reader.line_num, f"malformed CSV: {e}",
                         "Quote fields that contain commas (RFC 4180).") from e
    return rows


def _accuracy(pairs: Sequence[tuple[str, str]]) -> float:
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else 0.0


def _calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error: over confidence bins of equal width, the gap between the mean
    stated confidence and the observed accuracy, weighted by the bin's share of the rows.

    >>> _calibration_error([0.9, 0.9, 0.9, 0.9], [True, True, True, False])
    0.15
    """
    if not confidences:
        return 0.0
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        ix = [i for i, c in enumerate(confidences) if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if ix:
            gap = sum(confidences[i] for i in ix) / len(ix) - sum(correct[i] for i in ix) / len(ix)
            total += abs(gap) * len(ix) / len(confidences)
    return round(total, 4)


def _at_threshold(confidences: Sequence[float], correct: Sequence[bool], threshold: float) -> dict[str, float]:
    """Precision (accuracy of the labels at or above the threshold, those shown as ``model``) and
    coverage (their share of all rows)."""
    kept = [ok for c, ok in zip(confidences, correct, strict=True) if c >= threshold]
    return {"precision": round(sum(kept) / len(kept), 4) if kept else 0.0,
            "coverage": round(len(kept) / len(confidences), 4) if confidences else 0.0}


def evaluate(model: EventClassifier, rows: Sequence[LabelledRow], threshold: float = CONFIDENCE_THRESHOLD) -> dict[str, Any]:
    """Compare the model's predictions with the labels.

    Returns a JSON-ready dict: ``n``, ``type_accuracy``, ``category_accuracy``,
    ``type_macro_f1``, ``category_macro_f1`` (over the labels present in truth or prediction),
    ``per_language`` ({language: {n, type_accuracy, category_accuracy, type_macro_f1,
    category_macro_f1}}) and
    ``type_confusion`` ({labels, matrix}: ``matrix[i][j]`` counts rows labelled ``labels[i]``
    predicted ``labels[j]``); ``without_org_type`` (type and category accuracy when the
    organization's type is not given, overall and ``per_language``); ``type_mean_confidence`` and
    ``category_mean_confidence`` (the average stated confidence, to set beside the accuracy);
    ``type_calibration_error`` and
    ``category_calibration_error`` (expected calibration error of the stated confidence, 10
    bins); ``at_threshold`` ({threshold, type: {precision, coverage}, category: {...}}: how
    right the labels at or above the confidence threshold are, and their share; the genre's at
    ``category_threshold``, the threshold capped as labelling caps it).
    """
    contexts = [EventContext.from_start(r.event_start) for r in rows]
    preds = model.predict([r.title for r in rows], [r.org_type for r in rows],
                          [r.country for r in rows], [r.venue for r in rows], contexts=contexts)
    plain = model.predict([r.title for r in rows], [r.org_type for r in rows],
                          [r.country for r in rows], [r.venue for r in rows])
    true_t = [r.event_type for r in rows]
    true_c = [r.event_category for r in rows]
    pred_t = [p.event_type for p in preds]
    pred_c = [p.event_category for p in preds]
    ok_t = [a == b for a, b in zip(true_t, pred_t, strict=True)]
    ok_c = [a == b for a, b in zip(true_c, pred_c, strict=True)]
    conf_t = [float(p.event_type_confidence) for p in preds]
    conf_c = [float(p.event_category_confidence) for p in preds]
    blind = model.predict([r.title for r in rows], [None] * len(rows),
                          [r.country for r in rows], [r.venue for r in rows], contexts=contexts)
    by_lang: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_lang.setdefault(r.language or "unknown", []).append(i)
    labels = [t for t in TYPE_LABELS if t in set(true_t) | set(pred_t)]
    index = {t: k for k, t in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for a, b in zip(true_t, pred_t, strict=True):
        matrix[index[a]][index[b]] += 1

    def f1(truth: list[str], pred: list[str]) -> float:
        if not truth:
            return 0.0
        return round(float(f1_score(truth, pred, average="macro", zero_division=0)), 4)

    return {
        "n": len(rows),
        "type_accuracy": round(_accuracy(list(zip(true_t, pred_t, strict=True))), 4),
        "category_accuracy": round(_accuracy(list(zip(true_c, pred_c, strict=True))), 4),
        "type_macro_f1": f1(true_t, pred_t),
        "category_macro_f1": f1(true_c, pred_c),
        "per_language": {
            lang: {
                "n": len(ix),
                "type_accuracy": round(_accuracy([(true_t[i], pred_t[i]) for i in ix]), 4),
                "category_accuracy": round(_accuracy([(true_c[i], pred_c[i]) for i in ix]), 4),
                "type_macro_f1": f1([true_t[i] for i in ix], [pred_t[i] for i in ix]),
                "category_macro_f1": f1([true_c[i] for i in ix], [pred_c[i] for i in ix]),
            }
            for lang, ix in sorted(by_lang.items())
        },
        "type_confusion": {"labels": labels, "matrix": matrix},
        "without_org_type": {
            "type_accuracy": round(_accuracy([(a, p.event_type) for a, p in zip(true_t, blind, strict=True)]), 4),
            "category_accuracy": round(_accuracy([(a, p.event_category) for a, p in zip(true_c, blind, strict=True)]), 4),
            "per_language": {
                lang: {"type_accuracy": round(_accuracy([(true_t[i], blind[i].event_type) for i in ix]), 4),
                       "category_accuracy": round(_accuracy([(true_c[i], blind[i].event_category) for i in ix]), 4)}
                for lang, ix in sorted(by_lang.items())
            },
        },
        "without_context": {
            "rows_with_context": sum(c != EventContext() for c in contexts),
            "type_accuracy": round(_accuracy([(a, p.event_type) for a, p in zip(true_t, plain, strict=True)]), 4),
            "category_accuracy": round(_accuracy([(a, p.event_category) for a, p in zip(true_c, plain, strict=True)]), 4),
        },
        "type_mean_confidence": round(sum(conf_t) / len(conf_t), 4) if conf_t else 0.0,
        "category_mean_confidence": round(sum(conf_c) / len(conf_c), 4) if conf_c else 0.0,
        "type_calibration_error": _calibration_error(conf_t, ok_t),
        "category_calibration_error": _calibration_error(conf_c, ok_c),
        "at_threshold": {"threshold": threshold, "type": _at_threshold(conf_t, ok_t, threshold),
                         "category_threshold": min(threshold, CATEGORY_THRESHOLD_CAP),
                         "category": _at_threshold(conf_c, ok_c, min(threshold, CATEGORY_THRESHOLD_CAP))},
        "model_version": model.version,
        "model_data_hash": model.data_hash,
    }
