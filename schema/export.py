"""The printed SDL (committed as ``schema/schema.graphql``; a test fails when it drifts).

Regenerate with ``cid-graph schema > schema/schema.graphql``.
"""

from __future__ import annotations

from pathlib import Path

from cid_graph.settings import Settings
from metrics.catalog import Catalog
from metrics.model import load_model
from schema.build import build_schema

SDL_PATH = Path(__file__).parent / "schema.graphql"


def print_sdl(settings: Settings) -> str:
    schema = build_schema(Catalog(load_model(settings.model_dir)), settings)
    return schema.as_str() + "\n"
