"""Shared pytest options for the whole suite (keep minimal; fixtures live per package)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Rewrite golden files (e.g. tests/metrics/goldens/) instead of comparing with them.",
    )
