"""Complementary suppression of answer distributions (resolvers/privacy/complement.py) on
constructed cells: every line ends with zero or at least two hidden cells, the smallest shown
cell is the one hidden, other dimensions and exact metrics are left alone."""

from __future__ import annotations

import itertools
import random
from typing import Any

from metrics.query import GroupBy, Query
from resolvers.privacy.complement import suppress_complements
from resolvers.privacy.protect import Published
from resolvers.privacy.reasons import Reason

METRICS = ("answers_share", "answers")


def _cell(n: float | None) -> dict[str, Published]:
    if n is None:
        return {m: Published(None, True, Reason.BELOW) for m in METRICS}
    return {"answers_share": Published(n / 100, False, None), "answers": Published(n, False, None)}


def _lines(rows: list[tuple[tuple[Any, ...], dict[str, Published]]], width: int) -> list[list[bool]]:
    out = []
    for axis in range(width):
        lines: dict[tuple[Any, ...], list[bool]] = {}
        for key, cells in rows:
            lines.setdefault(key[:axis] + key[axis + 1:], []).append(cells["answers"].suppressed)
        out.extend(lines.values())
    return out


def test_one_hidden_option_takes_the_smallest_shown_one_with_it() -> None:
    rows = [(("a",), _cell(50)), (("b",), _cell(12)), (("c",), _cell(None)), (("d",), _cell(30))]
    q = Query(metrics=METRICS, group_by=(GroupBy("answer"),))
    assert suppress_complements(q, rows, METRICS) == 1
    assert [k[0] for k, c in rows if c["answers"].suppressed] == ["b", "c"]
    assert all(p.reason == Reason.COMPLEMENT for p in dict(rows)[("b",)].values())
    assert dict(rows)[("a",)]["answers"].value == 50


def test_two_hidden_options_or_none_are_left_as_they_are() -> None:
    q = Query(metrics=METRICS, group_by=(GroupBy("answer"),))
    for values in ([50, None, None], [50, 40, 30], [None]):
        rows = [((str(i),), _cell(v)) for i, v in enumerate(values)]
        assert suppress_complements(q, rows, METRICS) == 0


def test_other_breakdowns_and_exact_metrics_are_untouched() -> None:
    rows = [(("female",), _cell(50)), (("male",), _cell(None))]
    assert suppress_complements(Query(metrics=METRICS, group_by=(GroupBy("gender"),)), rows, METRICS) == 0
    rows = [(("yes",), _cell(50)), (("no",), _cell(None))]
    q = Query(metrics=METRICS, group_by=(GroupBy("answer"),))
    assert suppress_complements(q, rows, ()) == 0  # nothing protected: own exact values (P6)


def test_two_way_tables_end_with_no_line_of_exactly_one_hidden_cell() -> None:
    """Random 2-D and 3-D tables of answers × other dimensions: after the rule, every line along
    every grouped dimension has zero or ≥ 2 hidden cells; it only ever adds hidden cells."""
    rng = random.Random(14)
    for trial in range(300):
        dims = [["yes", "no", "maybe", "later"][: rng.randint(2, 4)],
                [f"g{i}" for i in range(rng.randint(1, 5))]]
        if trial % 3 == 0:
            dims.append(["NO", "SE"])
        group_by = (GroupBy("answer"), GroupBy("age_group"), GroupBy("country"))[: len(dims)]
        rows = [(key, _cell(None if rng.random() < 0.2 else float(rng.randint(10, 90))))
                for key in itertools.product(*dims) if rng.random() < 0.9]
        before = {k for k, c in rows if c["answers"].suppressed}
        suppress_complements(Query(metrics=METRICS, group_by=group_by), rows, METRICS)
        after = {k for k, c in rows if c["answers"].suppressed}
        assert before <= after
        for line in _lines(rows, len(dims)):
            assert len(line) < 2 or sum(line) != 1, (trial, line)
