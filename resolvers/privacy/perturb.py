"""The cell key method (P4): consistent, unbiased perturbation from record keys.

Every buyer row carries a secret record key in 0..255. A cell's key is the sum of its rows'
keys mod 256, so the same set of rows always has the same key, whatever query produced the
cell. The perturbation table is the simplest one that meets the design:

- a count below *k* is suppressed;
- a count *v* ≥ *k* is rounded to a multiple of *b* (5): upwards when
  ``cell_key / 256 < (v mod b) / b``, else downwards. Over uniformly spread keys the expected
  published value is exactly *v* (unbiased), and a published value is at most *b − 1* from
  the truth.

Sums (tickets, revenue) get noise of zero mean scaled to the cell's largest single contributor
(the buyer row with the most tickets or the highest amount), so that no one buyer's
contribution can be read off a difference of two sums.

>>> perturb_count(23, cell_key=10)   # 10/256 < 3/5: rounds up
25
>>> perturb_count(23, cell_key=200)  # 200/256 >= 3/5: rounds down
20
>>> perturb_count(9, cell_key=0) is None
True
>>> perturb_count(30, cell_key=99)
30
"""

from __future__ import annotations


def cell_key(raw_sum: float | int | None) -> int:
    """The cell key from the raw sum of record keys."""
    return int(raw_sum or 0) % 256


def perturb_count(value: float | int | None, cell_key: int, *, k: int = 10, base: int = 5) -> int | None:
    """A published count, or ``None`` when the count is below ``k``."""
    if value is None:
        return None
    v = int(value)
    if v < k:
        return None
    rest = v % base
    if rest == 0:
        return v
    return v - rest + base if cell_key / 256 < rest / base else v - rest


def perturb_sum(value: float | int | None, cell_key: int, largest: float | int | None, *,
                decimals: int = 0) -> float | None:
    """A published sum: the true sum plus zero-mean noise of up to ± the largest contribution.

    >>> perturb_sum(1000, cell_key=128, largest=10) == perturb_sum(1000, cell_key=128, largest=10)
    True
    >>> 990 <= perturb_sum(1000, cell_key=0, largest=10) <= 1010
    True
    """
    if value is None:
        return None
    scale = abs(float(largest or 0))
    # A second, decorrelated draw from the same key so that sum and count noise differ.
    u = (((cell_key * 167 + 89) % 256) + 0.5) / 256 - 0.5  # in (-0.5, 0.5), zero mean
    noisy = float(value) + 2 * u * scale
    return round(noisy, decimals)
