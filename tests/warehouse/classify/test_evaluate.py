"""evaluate() numbers on a tiny hand-made set, and read_labelled's errors with line numbers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import pytest

from cid_graph.errors import InputFileError
from warehouse.classify.apply import CATEGORY_THRESHOLD_CAP
from warehouse.classify.evaluate import evaluate, read_labelled
from warehouse.classify.labels import LabelledRow
from warehouse.classify.model import EventClassifier, Prediction


class _Fixed:
    """A stand-in model that answers from a table, so the expected numbers are known."""

    version = "test"
    data_hash = "none"

    def __init__(self, answers: dict[str, tuple[str, str]]) -> None:
        self.answers = answers

    def predict(self, titles: Sequence[str], *_: Any, **__: Any) -> list[Prediction]:
        return [Prediction(self.answers[t][0], 0.9, self.answers[t][1], 0.8) for t in titles]


ROWS = [
    LabelledRow("A", "concert", "jazz", language="nb"),
    LabelledRow("B", "concert", "classical", language="nb"),
    LabelledRow("C", "play", "drama", language="sv"),
    LabelledRow("D", "play", "comedy", language="sv"),
]
ANSWERS = {"A": ("concert", "jazz"), "B": ("concert", "jazz"),     # category wrong
           "C": ("play", "drama"), "D": ("concert", "comedy")}     # type wrong


def test_evaluate_on_a_hand_made_set() -> None:
    report = evaluate(cast(EventClassifier, _Fixed(ANSWERS)), ROWS)
    assert report["n"] == 4
    assert report["type_accuracy"] == 0.75
    assert report["category_accuracy"] == 0.75
    # types: concert P=2/3 R=1 F1=0.8; play P=1 R=1/2 F1=2/3 → macro 0.7333
    assert report["type_macro_f1"] == 0.7333
    # categories: jazz F1=2/3, classical 0, drama 1, comedy 1 → macro 0.6667
    assert report["category_macro_f1"] == 0.6667
    assert report["per_language"] == {
        # nb categories: jazz F1 2/3, classical 0; sv types: play F1 2/3, concert (predicted) 0
        "nb": {"n": 2, "type_accuracy": 1.0, "category_accuracy": 0.5,
               "type_macro_f1": 1.0, "category_macro_f1": 0.3333},
        "sv": {"n": 2, "type_accuracy": 0.5, "category_accuracy": 1.0,
               "type_macro_f1": 0.3333, "category_macro_f1": 1.0},
    }
    assert report["type_confusion"] == {"labels": ["concert", "play"], "matrix": [[2, 0], [1, 1]]}


def test_evaluate_empty() -> None:
    report = evaluate(cast(EventClassifier, _Fixed({})), [])
    assert report["n"] == 0 and report["type_accuracy"] == 0.0


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "labelled.csv"
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "title,language,country,venue,event_type,event_category\n"


def test_read_labelled(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + '"Grieg: Klaverkonsert, a-moll",nb,no,Grieghallen,concert,classical\n'
                  "Hedda Gabler,nb,NO,,play,drama\n")
    rows = read_labelled(path)
    assert rows[0] == LabelledRow("Grieg: Klaverkonsert, a-moll", "concert", "classical",
                                  language="nb", country="NO", venue="Grieghallen",
                                  source="labelled")
    assert rows[1].org_type == ""


def test_org_type_is_read_when_present(tmp_path: Path) -> None:
    path = _write(tmp_path, "title,language,country,venue,event_type,event_category,org_type\n"
                  "Hedda Gabler,nb,NO,,play,drama,theatre_performing_arts\n")
    assert read_labelled(path)[0].org_type == "theatre_performing_arts"


def test_missing_column_names_line_1(tmp_path: Path) -> None:
    path = _write(tmp_path, "title,language,country,event_type\nHedda Gabler,nb,NO,play\n")
    with pytest.raises(InputFileError, match=r"labelled\.csv:1: missing column\(s\) venue, event_category"):
        read_labelled(path)


@pytest.mark.parametrize(("line", "message"), [
    ("Hedda Gabler,nb,NO,,theatre,drama", "unknown event_type 'theatre'"),
    ("Hedda Gabler,nb,NO,,play,unclassified", "unknown event_category 'unclassified'"),
    (",nb,NO,,play,drama", "empty title"),
])
def test_bad_row_names_its_line(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path, HEADER + "Rosenborg – Molde,nb,NO,,sports_event,football\n" + line + "\n")
    with pytest.raises(InputFileError, match=rf"labelled\.csv:3: {message}") as info:
        read_labelled(path)
    assert info.value.code == "LABELLED_FILE" and info.value.hint


def test_multiline_quoted_title_counts_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + '"Two\nlines",nb,NO,,play,drama\nX,nb,NO,,nope,drama\n')
    with pytest.raises(InputFileError, match=r":4: unknown event_type"):
        read_labelled(path)


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="cannot open"):
        read_labelled(tmp_path / "nope.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "Fröken Julie,sv,SE,,play,drama\n").encode("latin-1"))
    with pytest.raises(InputFileError, match="not valid UTF-8"):
        read_labelled(path)


def test_evaluate_reports_blind_accuracy_calibration_and_the_threshold() -> None:
    """Issue 15: accuracy without the organization's type, how well the stated confidence matches
    the observed accuracy, and how right (and how many) the labels above the threshold are."""

    class _ByOrgType(_Fixed):
        def predict(self, titles: Sequence[str], org_types: Sequence[str | None] | None = None,
                    *_: Any, **__: Any) -> list[Prediction]:
            out = super().predict(titles)
            if org_types is not None and all(o is None for o in org_types):  # blind: every type wrong
                return [Prediction("festival", 0.3, p.event_category, 0.8) for p in out]
            return out

    rows = [LabelledRow(r.title, r.event_type, r.event_category, language=r.language, org_type="music")
            for r in ROWS]
    report = evaluate(cast(EventClassifier, _ByOrgType(ANSWERS)), rows, threshold=0.85)
    blind = report["without_org_type"]
    assert (blind["type_accuracy"], blind["category_accuracy"]) == (0.0, 0.75)
    assert set(blind["per_language"]) == set(report["per_language"])
    assert all(v["type_accuracy"] == 0.0 for v in blind["per_language"].values())
    # stated 0.9 for types that are right 3 times in 4; 0.8 for categories right 3 times in 4
    assert report["type_calibration_error"] == 0.15
    assert report["category_calibration_error"] == 0.05
    assert report["at_threshold"] == {"threshold": 0.85, "type": {"precision": 0.75, "coverage": 1.0},
                                      "category_threshold": 0.6,
                                      "category": {"precision": 0.75, "coverage": 1.0}}
    assert report["at_threshold"]["category_threshold"] == min(0.85, CATEGORY_THRESHOLD_CAP)
    # above the genre's cap the genre's bar is that cap; below it, the threshold itself
    low = evaluate(cast(EventClassifier, _ByOrgType(ANSWERS)), rows, threshold=0.95)["at_threshold"]
    assert low["type"] == {"precision": 0.0, "coverage": 0.0} and low["category"]["coverage"] == 1.0
    high = evaluate(cast(EventClassifier, _ByOrgType(ANSWERS)), rows, threshold=0.5)["at_threshold"]
    assert high["category_threshold"] == 0.5
    assert report["type_mean_confidence"] == 0.9 and report["category_mean_confidence"] == 0.8
