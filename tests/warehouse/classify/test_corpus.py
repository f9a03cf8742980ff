"""The shipped corpus and held-out set: complete, valid, reproducible and disjoint."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from warehouse.classify import corpus_build
from warehouse.classify.corpus_recipes import LANGS
from warehouse.classify.evaluate import read_labelled
from warehouse.classify.labels import CATEGORY_LABELS, TYPE_LABELS
from warehouse.classify.model import CORPUS_PATH, HELDOUT_PATH


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_corpus_has_the_columns_and_every_label() -> None:
    rows = _rows(CORPUS_PATH)
    assert tuple(rows[0]) == corpus_build.COLUMNS
    assert {r["event_type"] for r in rows} == set(TYPE_LABELS)
    assert {r["event_category"] for r in rows} == set(CATEGORY_LABELS)
    assert all(r["source"] for r in rows)


def test_corpus_covers_every_language_and_is_large_enough() -> None:
    rows = _rows(CORPUS_PATH)
    per_lang = Counter(r["language"] for r in rows)
    assert set(per_lang) == set(LANGS)
    assert len(rows) >= 1500
    assert min(per_lang.values()) >= 200


def test_every_language_has_every_type() -> None:
    rows = _rows(CORPUS_PATH)
    for lang in LANGS:
        assert {r["event_type"] for r in rows if r["language"] == lang} == set(TYPE_LABELS), lang


def test_corpus_is_what_the_generator_writes(tmp_path: Path) -> None:
    out = tmp_path / "corpus.csv"
    corpus_build.write(out)
    assert out.read_bytes() == CORPUS_PATH.read_bytes()


def test_corpus_reads_as_a_labelled_file() -> None:
    assert len(read_labelled(CORPUS_PATH)) == len(_rows(CORPUS_PATH))


def test_heldout_is_disjoint_from_the_corpus_and_covers_all_languages() -> None:
    corpus = {r["title"].casefold() for r in _rows(CORPUS_PATH)}
    heldout = read_labelled(HELDOUT_PATH)
    assert len(heldout) >= 300
    assert not [r.title for r in heldout if r.title.casefold() in corpus]
    assert {r.language for r in heldout} == set(LANGS)
    assert {r.event_type for r in heldout} == set(TYPE_LABELS)
