"""The organizations a like-for-like comparison pools (resolvers/privacy/comparisons.py)."""

from __future__ import annotations

import random

from resolvers.privacy.comparisons import _compared


def test_what_like_for_like_leaves_out_is_never_one_to_four_organizations() -> None:
    rng = random.Random(13)
    for _ in range(2000):
        pool = [f"org-{i}" for i in range(rng.randint(0, 40))]
        now = {o for o in pool if rng.random() < 0.9}
        then = {o for o in pool if rng.random() < 0.9}
        both = set(_compared(now, then, 5))
        assert both <= now & then
        if len(both) >= 5:  # fewer: the comparison is suppressed (TOO_FEW_ORGANIZATIONS) anyway
            for period in (now, then):
                assert not 0 < len(period - both) < 5, (len(now), len(then), len(both))
        # no more are left out than needed
        if not any(0 < len(p - (now & then)) < 5 for p in (now, then)):
            assert both == now & then
        assert _compared(set(now), set(then), 5) == tuple(sorted(both))  # the same answer every time


def test_own_scope_compares_the_organization_itself() -> None:
    assert _compared({"me"}, {"me"}, 0) == ("me",)
    assert _compared({"me"}, set(), 0) == ()
