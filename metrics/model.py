"""Load and validate the semantic model (the YAML files of ``metrics/model/``).

:func:`load_model` returns a frozen :class:`SemanticModel` or raises
:class:`~cid_graph.errors.ModelError` carrying every problem found, each rendered as
``file:line: message``; :func:`check_model` returns the same issues for ``cid-graph check``.

>>> from cid_graph.settings import Settings
>>> model = load_model(Settings.load(env={}, dotenv=None).model_dir)
>>> model.fact.table, "buyers" in {m.name for m in model.metrics}
('buyers', True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cid_graph.errors import ModelError
from metrics.definitions import (
    Bucket,
    Dimension,
    Fact,
    Join,
    Measure,
    MeasureFilter,
    Metric,
    Rollup,
    SemanticModel,
    TimeUnit,
    ValuesFrom,
)
from metrics.issues import ERROR, ModelIssue
from metrics.parse import SECTIONS, parse_document
from metrics.validate import validate
from metrics.warehouse_schema import warehouse_columns
from metrics.yaml_nodes import load_located

__all__ = [
    "Bucket", "Dimension", "Fact", "Join", "Measure", "MeasureFilter", "Metric", "ModelIssue",
    "Rollup", "SemanticModel", "TimeUnit", "ValuesFrom", "check_model", "load_model",
]


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted([*path.glob("*.yaml"), *path.glob("*.yml")])


def _read(path: Path) -> tuple[SemanticModel, list[ModelIssue]]:
    issues: list[ModelIssue] = []
    files = _files(path)
    if not files:
        return SemanticModel(), [ModelIssue(ERROR, str(path), 0, "no YAML files in the model folder")]
    sections: dict[str, list[Any]] = {s: [] for s in SECTIONS}
    for file in files:
        name = str(file)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            issues.append(ModelIssue(ERROR, name, 0, f"cannot read the file: {err}"))
            continue
        doc, found = load_located(text, name)
        issues += found
        parts, found = parse_document(doc, name)
        issues += found
        for section, items in parts.items():
            sections[section] += items
    model = SemanticModel(
        facts=tuple(sections["semantic_models"]), measures=tuple(sections["measures"]),
        dimensions=tuple(sections["dimensions"]), metrics=tuple(sections["metrics"]),
        granularities=tuple(sections["granularities"]), date_parts=tuple(sections["date_parts"]),
        files=tuple(str(f) for f in files), rollups=tuple(sections["rollups"]),
    )
    return model, issues


def check_model(path: Path) -> list[ModelIssue]:
    """Every issue of the model at ``path`` (a folder of YAML files, or one file).

    Args:
        path: The model folder (``Settings.model_dir``) or a single YAML file.

    Returns:
        All issues, errors and warnings, sorted by file and line; empty when the model is valid.
    """
    model, issues = _read(Path(path))
    issues += validate(model, warehouse_columns())
    return sorted(set(issues), key=lambda i: (i.file, i.line, i.message))


def load_model(path: Path) -> SemanticModel:
    """Load and validate the semantic model.

    Args:
        path: The model folder (``Settings.model_dir``) or a single YAML file.

    Returns:
        The validated, frozen model.

    Raises:
        ModelError: with ``.issues`` listing every problem at once.
    """
    model, issues = _read(Path(path))
    issues += validate(model, warehouse_columns())
    errors = sorted(set(i for i in issues if i.level == ERROR), key=lambda i: (i.file, i.line, i.message))
    if errors:
        raise ModelError(list(errors))
    return model
