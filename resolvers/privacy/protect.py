"""After executing: thresholds (P3), cell-key perturbation (P4), organizations (P5), own data (P6).

Input cells are dicts of the compiled query's columns (measures ``m_*``, privacy ``p_*``, read
through :class:`~resolvers.privacy.cells.CellView`). Output is, per cell, the published value of
every metric or its suppression with a :class:`~resolvers.privacy.reasons.Reason`. Nothing of
``p_*`` leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from metrics.catalog import Catalog
from metrics.compiler import CompiledQuery
from metrics.evaluate import evaluate
from resolvers.privacy.cells import BUYER_ROWS, DOMINANCE_CHECKS, CellView
from resolvers.privacy.params import PrivacyParams
from resolvers.privacy.perturb import perturb_count, perturb_sum
from resolvers.privacy.reasons import REASONS, Reason

BELOW, POPULATION, FEW_ORGS, DOMINANCE = Reason.BELOW, Reason.POPULATION, Reason.FEW_ORGS, Reason.DOMINANCE
__all__ = ["BELOW", "DOMINANCE", "FEW_ORGS", "POPULATION", "REASONS", "Protection", "Published"]


@dataclass
class Published:
    """One metric of one cell as it may leave the server."""

    value: float | None
    suppressed: bool
    reason: str | None
    #: A population metric's published measure, until population.py turns it into the value.
    base: float | None = None


@dataclass(frozen=True)
class Protection:
    """How a result must be protected."""

    catalog: Catalog
    params: PrivacyParams
    compiled: CompiledQuery
    pooled: bool  # NETWORK scope: cells pool organizations
    own_exact_metrics: frozenset[str]  # metrics published exactly (own data, no enriched attribute)

    def cell_reason(self, cell: dict[str, Any], population_n: int | None) -> Reason | None:
        """Why the whole cell must be suppressed, or None."""
        view = CellView(cell, self.compiled)
        k = self.params.k
        # Organizations first: the reason must not tell a cell (or a population) of 1-9 buyers
        # from a larger one where it holds too few organizations to be published anyway.
        if self.pooled and view.orgs < self.params.min_orgs:
            return FEW_ORGS
        if population_n is not None and population_n < k:
            return POPULATION
        if view.rows < k:
            return BELOW
        if self.pooled and self._dominated(view):
            return DOMINANCE
        return None

    def _dominated(self, view: CellView) -> bool:
        p = self.params.dominance_p
        for check in DOMINANCE_CHECKS:
            total = view.exact_total(check)  # judged on the exact pooled sum, not the published one
            if not view.has_top(check) or total is None:
                continue
            x1, top2, top3 = view.top(check, 1), view.top(check, 2), view.top(check, 3)
            # p% rule: the 2nd largest alone, or with the 3rd (a coalition), could estimate the
            # largest within p% when what remains is under p·x1.
            if total - x1 - top2 - top3 < p * x1:
                return True
            # The same coalitions reading the published value, which pools the organizations'
            # noise factors: the noise must not carry their estimate back within p% either.
            published = view.value(self.catalog.row_measure if check == BUYER_ROWS else check)
            if published is not None:
                margin = self._publish_margin(view, check)
                for others in (top2, top2 + top3):
                    if abs(published - others - x1) < p * x1 + margin:
                        return True
        return False

    def _publish_margin(self, view: CellView, check: str) -> float:
        """How far publishing may move the scaled value: rounding for counts, noise for sums."""
        # each of the (up to three) organizations' contributions is rounded or noised on its own
        if check == BUYER_ROWS:
            return 3.0 * self.params.rounding_base
        return 3.0 * view.largest(check)

    def _ratio_dominated(self, view: CellView, denominator: str) -> bool:
        """A pooled ratio is a weighted average of the organizations' own ratios: where one
        organization holds more than ``ratio_dominance`` of the denominator, the average is mostly
        its own ratio (tickets per buyer, average price), which the p% rule on the sums does not
        see. Denominators without a per-organization maximum are judged by the buyers."""
        check = denominator if denominator in DOMINANCE_CHECKS else BUYER_ROWS
        total = view.exact_total(check)
        if not view.has_top(check) or not total:
            return False
        return view.top(check, 1) > self.params.ratio_dominance * total

    def measures(self, cell: dict[str, Any], reason: str | None) -> dict[str, float | None]:
        """Published measure values of a protected cell (None = suppressed)."""
        view = CellView(cell, self.compiled)
        out: dict[str, float | None] = {}
        k, base = self.params.k, self.params.rounding_base
        all_rows_key = view.cell_key(self.catalog.row_measure)
        for name in self.compiled.measure_columns:
            value = view.value(name)
            if reason is not None or value is None:
                out[name] = None
                continue
            m = self.catalog.measure(name)
            if m.agg == "count":
                # A pooled count is already scaled and rounded per organization (pooled.py): the
                # threshold judges both the exact count and the published one.
                exact_count = view.exact_count(name)
                if exact_count is None or exact_count < k:
                    out[name] = None
                else:
                    out[name] = perturb_count(round(value), view.cell_key(name), k=k, base=base)
            elif m.agg == "sum" and self.pooled:  # noised per organization when pooled (pooled.py)
                out[name] = round(value)
            elif m.agg == "count_distinct" and self.pooled and m.pooled_with_noise:
                out[name] = round(value)  # events: scaled and rounded per organization (pooled.py)
            elif m.agg == "count_distinct" and self.pooled:
                # organizations: exact it would tell which organizations a difference adds
                out[name] = perturb_count(round(value), (all_rows_key * 167 + 89) % 256,
                                          k=self.params.min_orgs, base=base)
            elif m.agg == "sum":
                out[name] = perturb_sum(value, all_rows_key, view.largest(name), decimals=0)
            else:
                out[name] = value
        return out

    def publish(
        self,
        cell: dict[str, Any],
        population_n: int | None,
        metrics: tuple[str, ...],
        totals: dict[str, float | None] | None,
        totals_reason: str | None,
        totals_exact: dict[str, float | None] | None = None,
    ) -> tuple[dict[str, Published], dict[str, float | None]]:
        """Every requested metric of one cell, and the cell's published measures."""
        reason = self.cell_reason(cell, population_n)
        protected = self.measures(cell, reason)
        view = CellView(cell, self.compiled)
        exact = {name: view.value(name) for name in self.compiled.measure_columns}
        published: dict[str, Published] = {}
        for metric in metrics:
            m = self.catalog.metric(metric)
            if m.uses_population:
                # the published measure; the value is computed from it and the population afterwards
                if metric in self.own_exact_metrics:
                    published[metric] = Published(None, False, None, base=exact.get(m.measure or ""))
                    continue
                value = protected.get(m.measure or "") if reason is None else None
                published[metric] = (Published(None, True, reason) if reason is not None
                                     else Published(None, value is None, None if value is not None else BELOW,
                                                    base=value))
                continue
            if metric in self.own_exact_metrics:
                value = evaluate(self.catalog, m, exact, totals_exact)
                published[metric] = Published(value, False, None)
                continue
            if reason is not None:
                published[metric] = Published(None, True, reason)
                continue
            if m.type == "share" and totals_reason is not None:
                published[metric] = Published(None, True, totals_reason)
                continue
            if self.pooled and m.type == "ratio" and self._ratio_dominated(view, m.denominator or ""):
                published[metric] = Published(None, True, DOMINANCE)
                continue
            needed = list(m.measures)
            if any(protected.get(x) is None for x in needed) or (
                    m.type == "share" and (totals is None or totals.get(m.measure or "") is None)):
                published[metric] = Published(None, True, BELOW)
                continue
            published[metric] = Published(evaluate(self.catalog, m, protected, totals), False, None)
        return published, protected
