"""The usage examples in the report modules' docstrings run and hold (no browser needed)."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from cid_graph.report import data, numbers, svg, texts


@pytest.mark.parametrize("module", [data, numbers, svg, texts], ids=lambda m: m.__name__)
def test_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
