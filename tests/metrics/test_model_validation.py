"""The semantic model loads as a batch of issues, each with file:line.

Each file in ``fixtures/broken/`` is added to a copy of the shipped model; its ``# expect:
LINE: message`` comments list exactly the issues the loader must report for it, all in one run.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from cid_graph.errors import ModelError
from metrics.model import check_model, load_model

BROKEN = sorted((Path(__file__).parent / "fixtures" / "broken").glob("*.yaml"))
EXPECT = re.compile(r"#\s*expect:\s*(\d+):\s*(.+?)\s*$")


def _model_with(tmp_path: Path, fixture: Path) -> tuple[Path, Path]:
    model = tmp_path / "model"
    shutil.copytree(Path(__file__).resolve().parents[2] / "metrics" / "model", model)
    target = model / f"zz_{fixture.name}"
    shutil.copy(fixture, target)
    return model, target


def _expected(fixture: Path, target: Path) -> list[str]:
    out = []
    for line in fixture.read_text(encoding="utf-8").splitlines():
        if m := EXPECT.search(line):
            message = m.group(2).replace("{file}", str(target))
            out.append(f"{target}:{m.group(1)}: {message}")
    return sorted(out)


def test_shipped_model_has_no_issues(model_dir: Path) -> None:
    assert check_model(model_dir) == []


@pytest.mark.parametrize("fixture", BROKEN, ids=[f.stem for f in BROKEN])
def test_broken_fixture_reports_every_issue_with_file_and_line(tmp_path: Path, fixture: Path) -> None:
    model, target = _model_with(tmp_path, fixture)
    expected = _expected(fixture, target)
    assert expected, f"{fixture.name} declares no '# expect:' lines"
    assert sorted(str(i) for i in check_model(model)) == expected


def test_load_model_raises_one_error_listing_all_issues(tmp_path: Path) -> None:
    model, target = _model_with(tmp_path, Path(__file__).parent / "fixtures" / "broken" / "many_problems.yaml")
    with pytest.raises(ModelError) as info:
        load_model(model)
    err = info.value
    assert err.code == "SEMANTIC_MODEL"
    assert len(err.issues) == 10
    assert f"{target}:5: measure 'avg_tickets': unknown agg 'avg'" in str(err)
    assert "cid-graph check" in (err.hint or "")


def test_syntax_error_does_not_hide_other_files(tmp_path: Path) -> None:
    model, _ = _model_with(tmp_path, Path(__file__).parent / "fixtures" / "broken" / "syntax_error.yaml")
    shutil.copy(Path(__file__).parent / "fixtures" / "broken" / "missing_measure.yaml", model / "zz_b.yaml")
    messages = [i.message for i in check_model(model)]
    assert any(m.startswith("YAML syntax error") for m in messages)
    assert any("missing measure 'visitors'" in m for m in messages)


def test_empty_folder_is_an_issue(tmp_path: Path) -> None:
    issues = check_model(tmp_path)
    assert "no YAML files in the model folder" in [i.message for i in issues]


def test_issue_levels_are_errors(model_dir: Path, tmp_path: Path) -> None:
    model, _ = _model_with(tmp_path, BROKEN[0])
    assert {i.level for i in check_model(model)} == {"error"}
