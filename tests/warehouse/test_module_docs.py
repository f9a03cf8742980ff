"""The usage examples in the docstrings of the engine, export, dry-run and watcher modules run and hold."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from cid_graph import result_text, watching
from metrics.compiler import dialects
from warehouse import parquet_store, serving, spark_engine
from warehouse.ingest import dry_run, sources, watch


@pytest.mark.parametrize("module", [serving, parquet_store, spark_engine, dialects, result_text, dry_run, sources,
                                    watch, watching],
                         ids=lambda m: m.__name__)
def test_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
