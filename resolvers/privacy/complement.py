"""Complementary (secondary) suppression of answer distributions.

A choice question's distribution by ``ANSWER`` adds up to the question's answers, which another
cell or query publishes. Were exactly one option of a line hidden, the margin minus the published
options would estimate it, within the perturbation of each: a small option (fewer than k
respondents, often one person's answer) would be out. So along every line of the result (the
cells that differ in one grouped dimension only), a line with exactly one hidden cell also hides
its smallest published cell, repeated until no line has exactly one: a complement then recovers
the sum of at least two hidden cells, never one of them.

Only results grouped by a dimension in :data:`COMPLEMENT_DIMENSIONS` are touched (the closed
lists of answers; buyer breakdowns are protected by the cell key against complements, PRIVACY.md),
and only protected values: exact own values (P6) are the organization's own and stay.

>>> from metrics.query import GroupBy, Query
>>> P = lambda v: Published(v, v is None, None if v is not None else Reason.BELOW)
>>> rows = [(("yes",), {"answers": P(40.0)}), (("no",), {"answers": P(25.0)}), (("maybe",), {"answers": P(None)})]
>>> q = Query(metrics=("answers",), group_by=(GroupBy("answer"),))
>>> suppress_complements(q, rows, ("answers",))
1
>>> [(k[0], p["answers"].value, p["answers"].reason and str(p["answers"].reason)) for k, p in rows]
[('yes', 40.0, None), ('no', None, 'COMPLEMENTARY'), ('maybe', None, 'BELOW_THRESHOLD')]
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from metrics.query import Query
from resolvers.privacy.protect import Published
from resolvers.privacy.reasons import Reason

#: Dimensions whose values add up to a published margin and whose cells are answers of people.
COMPLEMENT_DIMENSIONS = frozenset({"answer"})

Row = tuple[tuple[Any, ...], dict[str, Published]]


def applies(query: Query) -> bool:
    """Whether ``query`` groups by a dimension whose lines need complementary suppression."""
    return any(g.dimension in COMPLEMENT_DIMENSIONS for g in query.group_by)


def suppress_complements(query: Query, rows: list[Row], protected: tuple[str, ...]) -> int:
    """Hide, in place, the smallest published cell of every line with exactly one hidden cell,
    until none is left; the number of cells hidden so. ``protected``: the metrics judged (a cell
    is hidden when any of them is); a cell hidden here loses all of them."""
    if not protected or not applies(query):
        return 0
    hidden_now = 0
    axes = range(len(query.group_by))
    changed = True
    while changed:
        changed = False
        for axis in axes:
            lines: dict[tuple[Any, ...], list[int]] = defaultdict(list)
            for i, (key, _) in enumerate(rows):
                lines[key[:axis] + key[axis + 1:]].append(i)
            for members in lines.values():
                hidden = [i for i in members if _hidden(rows[i][1], protected)]
                if len(hidden) != 1 or len(members) < 2:
                    continue
                shown = [i for i in members if i not in hidden]
                pick = min(shown, key=lambda i: (_size(rows[i][1], protected), repr(rows[i][0])))
                cells = rows[pick][1]
                for m in protected:
                    if m in cells:
                        cells[m] = Published(None, True, Reason.COMPLEMENT)
                hidden_now += 1
                changed = True
    return hidden_now


def _hidden(cells: dict[str, Published], protected: tuple[str, ...]) -> bool:
    return any(cells[m].suppressed for m in protected if m in cells)


def _size(cells: dict[str, Published], protected: tuple[str, ...]) -> float:
    """The cell's first published protected value (its count, where the query asks for one)."""
    for m in protected:
        pub = cells.get(m)
        if pub is not None and pub.value is not None:
            return float(pub.value)
    return 0.0
