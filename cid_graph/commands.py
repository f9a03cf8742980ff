"""Commands that need the API layers (serve, token, audit); registered on the CLI's parser."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the serving commands. Filled in as the API grows."""
