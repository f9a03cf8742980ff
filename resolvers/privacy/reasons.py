"""Why a value is not published: one enum for every path (cells, totals, comparisons, fills).

The GraphQL enum ``SuppressionReason`` is built from it, so a reason the server can give is a
reason the schema names.

>>> Reason.FEW_ORGS == "TOO_FEW_ORGANIZATIONS"
True
>>> [r.value for r in Reason][:2]
['BELOW_THRESHOLD', 'POPULATION_BELOW_THRESHOLD']
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """A suppression reason. Organizations are judged first (P5, P7): a population or cell of too
    few organizations says so whatever its buyers, so the reasons never tell counts apart there."""

    BELOW = "BELOW_THRESHOLD"  # the cell holds fewer than k buyers (P3)
    POPULATION = "POPULATION_BELOW_THRESHOLD"  # the query's population does, or the guard emptied it
    FEW_ORGS = "TOO_FEW_ORGANIZATIONS"  # a pooled cell or population of fewer than min_orgs (P5)
    DOMINANCE = "DOMINANCE"  # one organization (or a coalition) could estimate another's figure (P5)
    COMPLEMENT = "COMPLEMENTARY"  # hidden so that a margin minus the shown cells isolates no hidden one


REASONS: tuple[Reason, ...] = tuple(Reason)
