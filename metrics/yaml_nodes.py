"""YAML composed into plain Python values that remember their line numbers.

``yaml.compose`` keeps a start mark on every node; this module turns that node tree into
``dict``/``list``/scalar values while recording the location of every mapping, sequence and
key, so validation rules can report ``file:line``. Duplicate keys are reported, not silently
overwritten as ``yaml.safe_load`` would.

>>> doc, issues = load_located("a: 1\\nb:\\n  - x\\n", "f.yaml")
>>> doc["b"], doc.loc.at("b").line, issues
(['x'], 3, [])
"""

from __future__ import annotations

from typing import Any

import yaml

from metrics.issues import Loc, ModelIssue


class LDict(dict[str, Any]):
    """A mapping with its :class:`Loc` (the line of each key's value in ``loc.keys``)."""

    loc: Loc = Loc()


class LList(list[Any]):
    """A sequence with its :class:`Loc`."""

    loc: Loc = Loc()


def loc_of(value: Any, default: Loc) -> Loc:
    """The location of a composed value, or ``default`` for scalars (which carry none)."""
    return getattr(value, "loc", default)


def load_located(text: str, file: str) -> tuple[Any, list[ModelIssue]]:
    """Compose one YAML document into located Python values.

    Args:
        text: The YAML source.
        file: The name used in locations.

    Returns:
        The value (``None`` for an empty or unreadable document) and the issues found:
        a syntax error (with the line of the error mark) or duplicate keys.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = err.problem or err.context or "invalid YAML"
        return None, [ModelIssue("error", file, line, f"YAML syntax error: {problem}")]
    except yaml.YAMLError as err:
        return None, [ModelIssue("error", file, 0, f"YAML syntax error: {err}")]
    if node is None:
        return None, []
    issues: list[ModelIssue] = []
    # A fresh constructor per document: it caches every node it has built.
    constructor = yaml.SafeLoader("")
    return _convert(node, file, issues, constructor), issues


def _convert(node: yaml.Node, file: str, issues: list[ModelIssue], constructor: yaml.SafeLoader) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = LDict()
        keys: list[tuple[str, int]] = []
        for key_node, value_node in node.value:
            key = _scalar(key_node, constructor)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                issues.append(ModelIssue("error", file, key_line, f"key {key!r} is not a string"))
                key = str(key)
            if key in out:
                issues.append(ModelIssue("error", file, key_line, f"duplicate key '{key}'"))
            out[key] = _convert(value_node, file, issues, constructor)
            keys.append((key, value_node.start_mark.line + 1))
        out.loc = Loc(file, line, tuple(keys))
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LList(_convert(item, file, issues, constructor) for item in node.value)
        seq.loc = Loc(file, line)
        return seq
    return _scalar(node, constructor)


def _scalar(node: yaml.Node, constructor: yaml.SafeLoader) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return constructor.construct_object(node, deep=True)
    return None
