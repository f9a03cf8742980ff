"""The privacy columns of an executed cell (``p_*``): one typed contract between the SQL that
computes them (metrics/compiler, ``pooled.py``) and the rules that read them (``protect.py``).

None of them ever leaves the server. Per cell:

- ``p_n``: buyer rows (exact); ``p_ck_<count>``: raw sum of the rows' record keys (P4);
  ``p_max_<sum>``: the largest single row of a sum;
- pooled (NETWORK) cells only: ``p_orgs`` (contributing organizations); ``p_cnt_<count>`` (the
  exact count, while the measure column holds the organizations' scaled and rounded sum);
  ``p_sum_<sum>`` (the exact sum); ``p_top<r>_<check>`` (the r-th largest organization's
  contribution, r = 1..3, for check ``p_n``, ``tickets``, ``revenue_eur``).

>>> from types import SimpleNamespace
>>> compiled = SimpleNamespace(row_count_column="p_n", measure_columns={"buyers": "m_buyers"},
...                            cell_key_columns={"buyers": "p_ck_buyers"}, max_columns={})
>>> c = CellView({"p_n": 12, "p_orgs": 6, "p_top1_p_n": 5, "p_ck_buyers": 300, "m_buyers": 15}, compiled)
>>> (c.rows, c.orgs, c.top(BUYER_ROWS, 1), c.top(BUYER_ROWS, 2), c.cell_key("buyers"), c.value("buyers"))
(12, 6, 5.0, 0.0, 44, 15.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

ORGS = "p_orgs"
#: The checks the dominance rule judges: buyer rows, and the sums of tickets and revenue.
BUYER_ROWS = "p_n"
DOMINANCE_CHECKS = (BUYER_ROWS, "tickets", "revenue_eur")


def top_column(check: str, rank: int) -> str:
    return f"p_top{rank}_{check}"


def exact_sum_column(measure: str) -> str:
    return f"p_sum_{measure}"


def exact_count_column(measure: str) -> str:
    return f"p_cnt_{measure}"


class Compiled(Protocol):
    """The column names of a compiled query (metrics.compiler.CompiledQuery)."""

    @property
    def row_count_column(self) -> str: ...
    @property
    def measure_columns(self) -> Mapping[str, str]: ...
    @property
    def cell_key_columns(self) -> Mapping[str, str]: ...
    @property
    def max_columns(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class CellView:
    """Typed reads of one cell's measure and privacy columns."""

    cell: Mapping[str, Any]
    compiled: Compiled

    @property
    def rows(self) -> int:
        return int(self.cell.get(self.compiled.row_count_column) or 0)

    @property
    def orgs(self) -> int:
        return int(self.cell.get(ORGS) or 0)

    def top(self, check: str, rank: int) -> float:
        """The rank-th largest organization's contribution (0 when there is none)."""
        return float(self.cell.get(top_column(check, rank)) or 0)

    def has_top(self, check: str) -> bool:
        return self.cell.get(top_column(check, 1)) is not None

    def exact_total(self, check: str) -> float | None:
        """The exact pooled total a dominance check is judged on."""
        if check == BUYER_ROWS:
            return float(self.rows)
        value = self.cell.get(exact_sum_column(check))
        return None if value is None else float(value)

    def exact_count(self, measure: str) -> float | None:
        """A count before the organizations' noise (pooled), else the published column's."""
        value = self.cell.get(exact_count_column(measure), self.cell.get(self.compiled.measure_columns.get(measure, "")))
        return None if value is None else float(value)

    def value(self, measure: str) -> float | None:
        value = self.cell.get(self.compiled.measure_columns.get(measure, ""))
        return None if value is None else float(value)

    def cell_key(self, measure: str) -> int:
        """The cell key of a count (P4): the raw sum of its rows' record keys, mod 256."""
        return int(self.cell.get(self.compiled.cell_key_columns.get(measure, ""), 0) or 0) % 256

    def largest(self, measure: str) -> float:
        return abs(float(self.cell.get(self.compiled.max_columns.get(measure, ""), 0) or 0))
