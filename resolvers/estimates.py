"""Margins of error of survey estimates, from published values only.

NPS, the NPS group shares and the mean ratings are estimates from a sample of respondents. Each
comes with a 95 % margin of error (normal approximation) and is flagged ``unreliable`` when
fewer than :data:`RELIABLE_N` respondents are behind it. Everything here reads what the privacy
layer published for the cell (the respondents, the shares, the mean squares), never raw rows,
so it reveals nothing the published values do not.

- NPS (points, −100..100): ``1.96 · 100 · √((p⁺ + p⁻ − (p⁺ − p⁻)²) / n)``, with
  ``p⁻ = p⁺ − NPS/100``
- a share p of n: ``1.96 · √(p (1 − p) / n)``
- a mean m with mean square q: ``1.96 · √(s² / n)``, ``s² = (q − m²) · n / (n − 1)``

>>> from resolvers.privacy import Published
>>> cell = {"nps": Published(40.0, False, None), "nps_respondents": Published(100, False, None),
...         "promoters": Published(0.55, False, None)}
>>> round(margin("nps", cell), 1), unreliable("nps", cell)
(14.4, False)
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from resolvers.privacy import Published

#: Fewer respondents than this behind an estimate: flagged unreliable (API and dashboard).
RELIABLE_N = 30
Z95 = 1.96

#: Survey metric -> the metric counting its respondents.
BASE = {
    "nps": "nps_respondents", "promoters": "nps_respondents", "passives": "nps_respondents",
    "detractors": "nps_respondents", "nps_respondents": "nps_respondents",
    "avg_rating": "rating_respondents", "satisfaction_score": "rating_respondents",
    "rating_mean_square": "rating_respondents", "satisfaction_mean_square": "rating_respondents",
    "rating_respondents": "rating_respondents", "respondents": "respondents", "answers": "answers",
    "answers_share": "answers",
}
#: Metric -> the other metrics its margin of error is computed from (besides its base).
_NEEDS = {
    "nps": ("promoters",),
    "avg_rating": ("rating_mean_square",),
    "satisfaction_score": ("satisfaction_mean_square",),
}
_SHARES = ("promoters", "passives", "detractors")
#: Metrics on a fixed scale (AVG_RATING is on each question's own scale: none known here).
_SCALE = {"satisfaction_score": (0.0, 100.0)}
#: The range a metric's value can take (noise can push a ratio of two protected sums past it).
BOUNDS = {"nps": (-100.0, 100.0), "satisfaction_score": (0.0, 100.0), "promoters": (0.0, 1.0),
          "passives": (0.0, 1.0), "detractors": (0.0, 1.0), "answers_share": (0.0, 1.0)}


def helpers(metrics: tuple[str, ...]) -> tuple[str, ...]:
    """The metrics to publish besides ``metrics`` so that their margins can be computed."""
    out: list[str] = []
    for m in metrics:
        if m in BASE:
            out += [BASE[m], *_NEEDS.get(m, ())]
    return tuple(dict.fromkeys(x for x in out if x not in metrics))


def _value(cell: Mapping[str, Published], metric: str) -> float | None:
    pub = cell.get(metric)
    return None if pub is None or pub.suppressed else pub.value


def respondents(metric: str, cell: Mapping[str, Published]) -> float | None:
    base = BASE.get(metric)
    return _value(cell, base) if base else None


def unreliable(metric: str, cell: Mapping[str, Published]) -> bool:
    """Whether a published survey estimate (a share, NPS or a mean: not a count) rests on fewer
    than RELIABLE_N respondents."""
    if metric not in (*_SHARES, *_NEEDS) or _value(cell, metric) is None:
        return False
    n = respondents(metric, cell)
    return n is not None and n < RELIABLE_N


def margin(metric: str, cell: Mapping[str, Published]) -> float | None:
    """The 95 % margin of error of a published estimate, in its unit (None: not an estimate
    with a margin, or something it needs is suppressed)."""
    value, n = _value(cell, metric), respondents(metric, cell)
    if value is None or n is None or n < 2 or metric not in (*_SHARES, *_NEEDS):
        return None
    # A unanimous (or noise-clamped) cell would give a margin of 0; an estimate from n answers
    # is never that sure: its variance is at least that of one answer in n being different.
    floor = (1 / n) * (1 - 1 / n)
    if metric in _SHARES:
        p = min(max(value, 0.0), 1.0)
        return Z95 * math.sqrt(max(p * (1 - p), floor) / n)
    if metric == "nps":
        plus, net = _value(cell, "promoters"), value / 100.0
        # p⁻ = p⁺ − NPS/100 from what is published (a detractor count under k is suppressed on
        # its own); without p⁺, the largest variance an NPS can have (1)
        variance = 1.0 if plus is None else plus + (plus - net) - net * net
        return Z95 * 100.0 * math.sqrt(min(max(variance, floor), 1.0) / n)
    square = _value(cell, _NEEDS[metric][0])
    if square is None:
        return None
    variance = (square - value * value) * n / (n - 1)
    if metric in _SCALE:
        # On a known scale the variance is at most (m − low)(high − m) (Bhatia–Davis): where the
        # protected moments (two sums, each with its own noise) say less than 0 or more than
        # that, the bound is the honest, conservative answer.
        low, high = _SCALE[metric]
        bound = max((value - low) * (high - value), 0.0)
        variance = bound if variance <= 0 or variance > bound else variance
    if variance <= 0:  # the protected moments of a small, uniform cell: no honest margin from them
        return None
    return Z95 * math.sqrt(variance / n)


def bounded(metric: str, value: float | None) -> float | None:
    """A published value kept inside the range its metric can take."""
    if value is None or metric not in BOUNDS:
        return value
    low, high = BOUNDS[metric]
    return min(max(value, low), high)
