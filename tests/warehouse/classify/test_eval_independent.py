"""The independent evaluation set (issue 15) stays what SOURCES.md says: real titles the model
never trained on, labelled with the model's own codes, each with its source."""

from __future__ import annotations

import csv
from pathlib import Path

from warehouse.classify.labels import is_valid_pair
from warehouse.ddl import EVENT_CATEGORIES, EVENT_TYPES, ORG_TYPES

HERE = Path(__file__).resolve().parents[3] / "warehouse" / "classify"
COLUMNS = ["title", "language", "country", "org_type", "venue", "event_type", "event_category", "source",
           "event_start", "label_basis"]


def _rows(name: str) -> list[dict[str, str]]:
    with open(HERE / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_set_never_shares_a_title_with_what_the_model_learnt_or_was_tuned_on() -> None:
    rows = _rows("eval_independent.csv")
    assert len(rows) >= 1050
    titles = [r["title"].strip().casefold() for r in rows]
    assert len(set(titles)) == len(titles), "a title occurs twice"
    for other in ("corpus.csv", "heldout.csv", "heldout_real.csv"):
        seen = {r["title"].strip().casefold() for r in _rows(other)}
        assert not set(titles) & seen, (other, sorted(set(titles) & seen)[:5])


def test_every_row_has_the_models_codes_and_a_source() -> None:
    with open(HERE / "eval_independent.csv", encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == COLUMNS
    langs = set()
    for r in _rows("eval_independent.csv"):
        assert r["event_type"] in EVENT_TYPES and r["event_category"] in EVENT_CATEGORIES, r
        assert r["org_type"] in ORG_TYPES and r["country"] in {"NO", "SE", "DK", "FI", "IS"}, r
        assert is_valid_pair(r["event_type"], r["event_category"]), r
        assert r["source"].strip() and r["label_basis"] in {"source_category", "by_hand"}, r
        langs.add(r["language"])
    assert langs == {"nb", "nn", "sv", "da", "fi", "is", "en"}
