"""The real training titles (``corpus_real.csv``, issue 15) stay training data only: valid codes,
a named source per row, and no title (or near copy of one) that any evaluation file holds."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from warehouse.classify.labels import is_valid_pair
from warehouse.classify.model import CORPUS_REAL_PATH, training_rows
from warehouse.ddl import EVENT_CATEGORIES, EVENT_TYPES, ORG_TYPES

HERE = CORPUS_REAL_PATH.parent
EVALUATION_FILES = ("eval_independent.csv", "heldout.csv", "heldout_real.csv")
COLUMNS = ["title", "language", "country", "org_type", "venue", "event_type", "event_category", "source"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _key(title: str) -> str:
    """A title without case, accents' spacing, punctuation or spaces: near copies compare equal."""
    return re.sub(r"[\W_]+", "", title.casefold())


def test_no_real_training_title_is_in_an_evaluation_file() -> None:
    titles = [_key(r["title"]) for r in _rows(CORPUS_REAL_PATH)]
    assert len(set(titles)) == len(titles), "a title occurs twice"
    for name in EVALUATION_FILES:
        seen = {_key(r["title"]) for r in _rows(HERE / name)}
        assert not set(titles) & seen, (name, sorted(set(titles) & seen)[:5])


def test_every_row_has_the_models_codes_and_a_source() -> None:
    with CORPUS_REAL_PATH.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == COLUMNS
    rows = _rows(CORPUS_REAL_PATH)
    assert len(rows) >= 200
    for r in rows:
        assert r["event_type"] in EVENT_TYPES and r["event_category"] in EVENT_CATEGORIES, r
        assert is_valid_pair(r["event_type"], r["event_category"]), r
        assert r["org_type"] in ORG_TYPES and r["country"] in {"NO", "SE", "DK", "FI", "IS"}, r
        assert r["source"].strip() and r["source"] not in {"team", "feedback"}, r


def test_the_shipped_model_trains_on_both_files() -> None:
    rows = training_rows()
    assert {r.source for r in rows} >= {"team"}
    assert sum(r.source != "team" for r in rows) == len(_rows(CORPUS_REAL_PATH))
