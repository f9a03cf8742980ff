"""Fixtures of the semantic-model tests: the shipped model and its catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics.catalog import Catalog
from metrics.definitions import SemanticModel
from metrics.model import load_model

MODEL_DIR = Path(__file__).resolve().parents[2] / "metrics" / "model"


@pytest.fixture(scope="session")
def model_dir() -> Path:
    return MODEL_DIR


@pytest.fixture(scope="session")
def model() -> SemanticModel:
    return load_model(MODEL_DIR)


@pytest.fixture(scope="session")
def catalog(model: SemanticModel) -> Catalog:
    return Catalog(model)
