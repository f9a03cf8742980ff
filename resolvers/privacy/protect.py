"""After executing: thresholds (P3), cell-key perturbation (P4), organizations (P5), own data (P6).

Input cells are dicts of the compiled query's columns (measures ``m_*``, privacy ``p_*``).
Output is, per cell, the published value of every metric or its suppression with a reason.
Nothing of ``p_*`` leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cid_graph.settings import Settings
from metrics.catalog import Catalog
from metrics.compiler import CompiledQuery
from metrics.evaluate import evaluate
from resolvers.privacy.perturb import cell_key, perturb_count, perturb_sum

BELOW = "BELOW_THRESHOLD"
POPULATION = "POPULATION_BELOW_THRESHOLD"
FEW_ORGS = "TOO_FEW_ORGANIZATIONS"
DOMINANCE = "DOMINANCE"
REASONS = (BELOW, POPULATION, FEW_ORGS, DOMINANCE)
#: Largest share of a pooled ratio's denominator one organization may hold (P5, ratios).
RATIO_DOMINANCE = 0.5


@dataclass
class Published:
    """One metric of one cell as it may leave the server."""

    value: float | None
    suppressed: bool
    reason: str | None


@dataclass(frozen=True)
class Protection:
    """How a result must be protected."""

    catalog: Catalog
    settings: Settings
    compiled: CompiledQuery
    pooled: bool  # NETWORK scope: cells pool organizations
    own_exact_metrics: frozenset[str]  # metrics published exactly (own data, no enriched attribute)

    def cell_reason(self, cell: dict[str, Any], population_n: int | None) -> str | None:
        """Why the whole cell must be suppressed, or None."""
        k = self.settings.privacy_k
        n = int(cell.get(self.compiled.row_count_column) or 0)
        # Organizations first: the reason must not tell a cell (or a population) of 1-9 buyers
        # from a larger one where it holds too few organizations to be published anyway.
        if self.pooled and int(cell.get("p_orgs") or 0) < self.settings.privacy_min_orgs:
            return FEW_ORGS
        if population_n is not None and population_n < k:
            return POPULATION
        if n < k:
            return BELOW
        if self.pooled:
            p = self.settings.privacy_dominance_p
            for name in ("p_n", "tickets", "revenue_eur"):
                top1 = cell.get(f"p_top1_{name}")
                if top1 is None:
                    continue
                top2 = float(cell.get(f"p_top2_{name}") or 0)
                top3 = float(cell.get(f"p_top3_{name}") or 0)
                # Judged on the exact pooled sum, not the noise-scaled published one.
                total = n if name == "p_n" else cell.get(f"p_sum_{name}")
                if total is None:
                    continue
                x1 = float(top1)
                # p% rule: the 2nd largest alone, or with the 3rd (a coalition), could estimate the
                # largest within p% when what remains is under p·x1.
                if float(total) - x1 - top2 - top3 < p * x1:
                    return DOMINANCE
                # The same coalitions reading the published value, which pools the organizations'
                # noise factors: the noise must not carry their estimate back within p% either.
                published = self._scaled_total(cell, name)
                if published is not None:
                    margin = self._publish_margin(cell, name)
                    for others in (top2, top2 + top3):
                        if abs(published - others - x1) < p * x1 + margin:
                            return DOMINANCE
        return None

    def _ratio_dominated(self, cell: dict[str, Any], denominator: str) -> bool:
        """A pooled ratio is a weighted average of the organizations' own ratios: where one
        organization holds more than RATIO_DOMINANCE of the denominator, the average is mostly
        its own ratio (tickets per buyer, average price), which the p% rule on the sums does not
        see. Denominators without a per-organization maximum are judged by the buyers."""
        name = "p_n" if denominator not in ("tickets", "revenue_eur") else denominator
        top1 = cell.get(f"p_top1_{name}")
        total = cell.get(self.compiled.row_count_column) if name == "p_n" else cell.get(f"p_sum_{name}")
        if top1 is None or not total:
            return False
        return float(top1) > RATIO_DOMINANCE * float(total)

    def _scaled_total(self, cell: dict[str, Any], name: str) -> float | None:
        measure = "buyers" if name == "p_n" else name
        value = cell.get(self.compiled.measure_columns.get(measure, ""))
        return None if value is None else float(value)

    def _publish_margin(self, cell: dict[str, Any], name: str) -> float:
        """How far publishing may move the scaled value: rounding for counts, noise for sums."""
        # each of the (up to three) organizations' contributions is rounded or noised on its own
        if name == "p_n":
            return 3.0 * self.settings.privacy_rounding_base
        return 3.0 * abs(float(cell.get(self.compiled.max_columns.get(name, ""), 0) or 0))

    def measures(self, cell: dict[str, Any], reason: str | None) -> dict[str, float | None]:
        """Published measure values of a protected cell (None = suppressed)."""
        out: dict[str, float | None] = {}
        k, base = self.settings.privacy_k, self.settings.privacy_rounding_base
        all_rows_key = cell_key(cell.get(self.compiled.cell_key_columns.get("buyers", ""), 0))
        for name, alias in self.compiled.measure_columns.items():
            value = cell.get(alias)
            if reason is not None or value is None:
                out[name] = None
                continue
            m = self.catalog.measure(name)
            if m.agg == "count":
                ck = cell_key(cell.get(self.compiled.cell_key_columns.get(name, ""), 0))
                # A pooled count is already scaled and rounded per organization (pooled.py): the
                # threshold judges both the exact count and the published one.
                exact_count = cell.get(f"p_cnt_{name}", value)
                if exact_count is None or float(exact_count) < k:
                    out[name] = None
                else:
                    out[name] = perturb_count(round(float(value)), ck, k=k, base=base)
            elif m.agg == "sum" and self.pooled:  # noised per organization when pooled (pooled.py)
                out[name] = round(float(value))
            elif m.agg == "count_distinct" and self.pooled and m.pooled_with_noise:
                out[name] = round(float(value))  # events: scaled and rounded per organization (pooled.py)
            elif m.agg == "count_distinct" and self.pooled:
                # organizations: exact it would tell which organizations a difference adds
                out[name] = perturb_count(round(float(value)), (all_rows_key * 167 + 89) % 256,
                                          k=self.settings.privacy_min_orgs, base=base)
            elif m.agg == "sum":
                largest = cell.get(self.compiled.max_columns.get(name, ""))
                out[name] = perturb_sum(value, all_rows_key, largest, decimals=0)
            else:
                out[name] = float(value)
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
        exact = {name: (None if cell.get(alias) is None else float(cell[alias]))
                 for name, alias in self.compiled.measure_columns.items()}
        published: dict[str, Published] = {}
        for metric in metrics:
            m = self.catalog.metric(metric)
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
            if self.pooled and m.type == "ratio" and self._ratio_dominated(cell, m.denominator or ""):
                published[metric] = Published(None, True, DOMINANCE)
                continue
            needed = list(m.measures)
            if any(protected.get(x) is None for x in needed) or (
                    m.type == "share" and (totals is None or totals.get(m.measure or "") is None)):
                published[metric] = Published(None, True, BELOW)
                continue
            published[metric] = Published(evaluate(self.catalog, m, protected, totals), False, None)
        return published, protected
