"""Margins of error of survey estimates (resolvers/estimates.py), from published values only."""

from __future__ import annotations

import math

import pytest

from resolvers.estimates import RELIABLE_N, bounded, helpers, margin, unreliable
from resolvers.privacy import Published


def _cell(**values: float | None) -> dict[str, Published]:
    return {k: Published(v, v is None, None if v is not None else "BELOW_THRESHOLD") for k, v in values.items()}


def test_nps_margin_is_the_normal_approximation() -> None:
    # 100 respondents, 50 % promoters, 20 % detractors: NPS 30, variance 0.5 + 0.2 - 0.09 = 0.61
    cell = _cell(nps=30.0, promoters=0.5, nps_respondents=100)
    assert margin("nps", cell) == pytest.approx(1.96 * 100 * math.sqrt(0.61 / 100))


def test_a_unanimous_cell_still_has_a_margin() -> None:
    """Every respondent a promoter (or noise clamping the NPS to 100) is not certainty."""
    cell = _cell(nps=100.0, promoters=1.0, nps_respondents=40)
    assert margin("nps", cell) == pytest.approx(1.96 * 100 * math.sqrt((1 / 40) * (39 / 40) / 40))
    assert margin("promoters", cell) > 0


def test_mean_margin_from_the_mean_square() -> None:
    # ratings 4 and 2 alternating over 50: mean 3, mean square 10, sample variance 1 * 50 / 49
    cell = _cell(avg_rating=3.0, rating_mean_square=10.0, rating_respondents=50)
    assert margin("avg_rating", cell) == pytest.approx(1.96 * math.sqrt(50 / 49 / 50))


def test_no_margin_without_what_it_needs() -> None:
    assert margin("avg_rating", _cell(avg_rating=3.0, rating_mean_square=None, rating_respondents=50)) is None
    assert margin("nps", _cell(nps=10.0, promoters=0.4, nps_respondents=None)) is None
    assert margin("answers", _cell(answers=120)) is None


def test_unreliable_below_thirty_respondents() -> None:
    assert unreliable("nps", _cell(nps=20.0, nps_respondents=RELIABLE_N - 5))
    assert not unreliable("nps", _cell(nps=20.0, nps_respondents=RELIABLE_N))
    assert not unreliable("nps", _cell(nps=None, nps_respondents=10))
    assert not unreliable("nps_respondents", _cell(nps_respondents=0))  # a count is not an estimate


def test_helpers_and_bounds() -> None:
    assert helpers(("nps",)) == ("nps_respondents", "promoters")
    assert helpers(("nps", "promoters")) == ("nps_respondents",)
    assert bounded("nps", 104.2) == 100.0 and bounded("promoters", -0.01) == 0.0 and bounded("answers", -3) == -3


def test_satisfaction_margin_falls_back_to_the_scale_bound() -> None:
    """Noise on two sums can make the mean square smaller than the squared mean: the variance of
    a 0-100 score is then taken at its bound m (100 - m), never reported as certainty."""
    cell = _cell(satisfaction_score=80.0, satisfaction_mean_square=6300.0, rating_respondents=100)
    assert margin("satisfaction_score", cell) == pytest.approx(1.96 * math.sqrt(80 * 20 / 100))
    sane = _cell(satisfaction_score=80.0, satisfaction_mean_square=6500.0, rating_respondents=101)
    assert margin("satisfaction_score", sane) == pytest.approx(1.96 * math.sqrt(100 * 101 / 100 / 101))
