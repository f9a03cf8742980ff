"""Fixtures of the attack suite: the environment over the shared demo warehouse, and the
results of each attack computed once per session (several tests read one attack)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.privacy import attacks


@pytest.fixture(scope="session")
def env(demo_warehouse: Any, gql: Any) -> Iterator[attacks.Env]:
    tokens = {r: demo_warehouse.tokens[r] for r in ("member", "member_small", "partner", "admin")}
    e = attacks.make_env(gql, demo_warehouse.root, "test", tokens=tokens)
    assert e.member_org == demo_warehouse.member_org and e.other_org == demo_warehouse.other_org
    yield e
    e.truth.close()


@pytest.fixture(scope="session")
def attack(env: attacks.Env) -> Callable[[str], attacks.AttackResult]:
    cache: dict[str, attacks.AttackResult] = {}

    def run(name: str) -> attacks.AttackResult:
        if name not in cache:
            cache[name] = getattr(attacks, f"attack_{name}")(env)
        return cache[name]

    return run
