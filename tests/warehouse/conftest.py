"""Fixtures for warehouse tests: a secret and a warehouse directory per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.secret import Secret, load_or_create_secret
from warehouse.store import WarehouseStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


@pytest.fixture
def secret(tmp_path: Path) -> Secret:
    return load_or_create_secret(tmp_path / "secret.key")[0]


@pytest.fixture
def store(tmp_path: Path) -> WarehouseStore:
    return WarehouseStore(tmp_path / "wh")


@pytest.fixture(scope="session")
def demo_small(tmp_path_factory: pytest.TempPathFactory):
    """Contract files of the small demo network (generated once per test session)."""
    from warehouse.demo import generate

    return generate(tmp_path_factory.mktemp("demo-small"), size="small", seed=7)
