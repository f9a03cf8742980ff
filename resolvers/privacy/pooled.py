"""Pooling per-organization rows into network cells, with what P5 needs to judge them.

A NETWORK query is compiled with a hidden breakdown by organization; this wraps it so that each
cell also carries how many organizations contribute (``p_orgs``) and the largest and
second-largest contribution (``p_top1_*``, ``p_top2_*``) of buyers, tickets and revenue, for the
p% dominance rule. Built with sqlglot builders on the compiled expression.

Each organization's contribution to a pooled cell is protected on its own before the
contributions are added up, so that a difference of two pooled cells that isolates one
organization shows that organization's protected contribution and nothing else: counts (and
event counts) are multiplied by the organization's secret noise factor of the measure's slot
(``org_noise``, see
``warehouse/ingest/org_noise.py``) and rounded to a multiple of the rounding base with the
organization's own cell key (the sum of its rows' record keys, P4); sums are multiplied by the
factor and get zero-mean noise of up to ± the organization's largest buyer in the cell. What the
privacy rules judge (``p_*``: exact row counts ``p_cnt_*``, the largest contributions, and the
exact sums ``p_sum_*``) is pooled exactly and never published.
"""

from __future__ import annotations

from sqlglot import exp

from cid_graph.errors import QueryError
from metrics.catalog import Catalog
from metrics.compiler import CompiledQuery
from resolvers.privacy.cells import (
    BUYER_ROWS,
    DOMINANCE_CHECKS,
    ORGS,
    exact_count_column,
    exact_sum_column,
    top_column,
)

#: Measures (besides the buyer-row count) whose concentration the dominance rule checks.
DOMINANCE_MEASURES = tuple(c for c in DOMINANCE_CHECKS if c != BUYER_ROWS)
#: Distinct counts that can be summed over organizations (their values never span two).
_SUMMABLE_DISTINCT = {"event_sk", "org_id"}


def pooled_select(compiled: CompiledQuery, catalog: Catalog, row_cap: int, base: int = 5,
                  summary: bool = False, dialect: str = "duckdb") -> exp.Select:
    """The pooled query. ``summary``: only what the organization rules judge (buyer rows,
    organizations, the three largest organizations' rows), no published measures (the guard's
    probes: no noise factors joined, nothing rounded).

    Three levels: the compiled query per organization (``per_org``); each organization's row
    with its scaled values and cell keys computed once (``scaled``: ``s_<measure>`` the value
    times the organization's factor, rounded for counts, ``k_<measure>`` the key's draw); the
    cells, adding up the organizations' protected contributions. The largest contributions are
    a list aggregate on DuckDB (``MAX(x, 3)``) and row numbers elsewhere."""
    inner = compiled.expression
    if inner.args.get("order") or inner.args.get("limit"):  # compiled unordered for pooling, it needs no copy
        inner = inner.copy()
        inner.set("order", None)
        inner.set("limit", None)
    hidden = set(compiled.hidden_dimension_columns)
    dims = [c for c in compiled.dimension_columns if c not in hidden]
    assert compiled.row_count_column == BUYER_ROWS
    checks = {BUYER_ROWS: compiled.row_count_column}
    for name in DOMINANCE_MEASURES:
        if name in compiled.measure_columns and not summary:
            checks[name] = compiled.measure_columns[name]
    listed = dialect == "duckdb"
    scaled = exp.select(exp.Star()).from_(inner.subquery("per_org", copy=False), copy=False)
    if not listed:
        for check, col in checks.items():
            window = exp.Window(
                this=exp.RowNumber(),
                partition_by=[exp.column(d) for d in dims] or None,
                order=exp.Order(expressions=[exp.Ordered(this=exp.column(col), desc=True)]),
            )
            scaled = scaled.select(exp.alias_(window, f"r_{check}", copy=False), copy=False)
    org_col = _organization_column(compiled)
    if summary:
        return _summary(scaled, dims, checks, compiled.row_count_column, row_cap, listed)
    slots: dict[str, int] = {}
    for measure in compiled.measure_columns:
        m = catalog.measure(measure)
        if m.agg == "count_distinct" and (m.expr or "") not in _SUMMABLE_DISTINCT:
            raise QueryError(f"measure {measure} cannot be pooled over organizations",
                             hint="Ask for it in scope OWN.")
        if m.pooled_with_noise:
            if m.noise_slot is None:  # the model validator refuses this; never pool without noise
                raise QueryError(f"measure {measure} has no noise_slot", code="INTERNAL",
                                 hint="This is a bug in the semantic model; run `cid-graph check`.")
            slots[measure] = m.noise_slot
    if slots:
        scaled = scaled.join(_factors(sorted(set(slots.values()))).subquery("nf", copy=False),
                             on=exp.EQ(this=exp.column("org_id", "nf"), expression=exp.column(org_col, "per_org")),
                             copy=False)
    outer = (exp.select(*[exp.column(d, "ranked") for d in dims])
             .from_(scaled.subquery("ranked", copy=False), copy=False))
    row_key = exp.column(compiled.cell_key_columns[catalog.row_measure]) if slots else None
    for measure, alias in compiled.measure_columns.items():
        m = catalog.measure(measure)
        agg: exp.Expression
        factor = exp.column(f"f{slots[measure]}", "nf") if measure in slots else None
        times = exp.Mul(this=exp.column(alias), expression=factor) if factor is not None else None
        s_col, k_col = f"s_{alias}", f"k_{alias}"
        if m.agg == "max":
            agg = exp.Max(this=exp.column(alias))
        elif m.agg == "count":
            assert times is not None
            scaled = _add(scaled, exp.Cast(this=exp.Round(this=times), to=_bigint()), s_col)
            scaled = _add(scaled, _key(exp.column(compiled.cell_key_columns[measure])), k_col)
            agg = exp.Sum(this=_rounded_drawn(exp.column(s_col), exp.column(k_col), base))
        elif times is not None and m.agg == "count_distinct":  # events: like a count, own rounding draw
            assert row_key is not None
            scaled = _add(scaled, exp.Cast(this=exp.Round(this=times), to=_bigint()), s_col)
            scaled = _add(scaled, _redraw(row_key.copy()), k_col)
            agg = exp.Sum(this=_rounded_drawn(exp.column(s_col), exp.column(k_col), base))
        elif m.agg == "sum":
            assert times is not None and row_key is not None
            noise = _sum_noise(row_key.copy(), exp.column(compiled.max_columns[measure]))
            scaled = _add(scaled, exp.Add(this=times, expression=noise), s_col)
            agg = exp.Sum(this=exp.column(s_col))
        else:
            agg = exp.Sum(this=exp.column(alias))
        outer = outer.select(exp.alias_(agg, alias, copy=False), copy=False)
    for measure, alias in compiled.measure_columns.items():
        if catalog.measure(measure).agg == "count":  # thresholds judge the exact count (P3)
            outer = outer.select(exp.alias_(exp.Sum(this=exp.column(alias)), exact_count_column(measure), copy=False), copy=False)
    for name in DOMINANCE_MEASURES:
        if name in compiled.measure_columns:
            outer = outer.select(exp.alias_(exp.Sum(this=exp.column(compiled.measure_columns[name])), exact_sum_column(name)),
                                 copy=False)
    for col in compiled.privacy_columns:
        agg = exp.Max(this=exp.column(col)) if col.startswith("p_max_") else exp.Sum(this=exp.column(col))
        outer = outer.select(exp.alias_(agg, col, copy=False), copy=False)
    outer = _org_columns(outer, checks, listed)
    if dims:
        outer = outer.group_by(*[exp.column(d, "ranked") for d in dims], copy=False)
    return outer.limit(row_cap + 1, copy=False)


def _add(select: exp.Select, value: exp.Expression, name: str) -> exp.Select:
    return select.select(exp.alias_(value, name, copy=False), copy=False)


def _summary(ranked: exp.Select, dims: list[str], checks: dict[str, str], rows: str, row_cap: int,
             listed: bool) -> exp.Select:
    outer = (exp.select(*[exp.column(d, "ranked") for d in dims])
             .from_(ranked.subquery("ranked", copy=False), copy=False)
             .select(exp.alias_(exp.Sum(this=exp.column(rows)), rows, copy=False), copy=False))
    outer = _org_columns(outer, checks, listed)
    if dims:
        outer = outer.group_by(*[exp.column(d, "ranked") for d in dims], copy=False)
    return outer.limit(row_cap + 1, copy=False)


def _org_columns(outer: exp.Select, checks: dict[str, str], listed: bool) -> exp.Select:
    """How many organizations contribute, and the three largest contributions of each check:
    the second and third from the list of the three largest (``listed``: DuckDB's ``MAX(x, 3)``,
    which counts equal values apart as row numbers do) or from the row numbers ``r_<check>``."""
    outer = outer.select(exp.alias_(exp.Count(this=exp.Star()), ORGS, copy=False), copy=False)
    for check, col in checks.items():
        outer = outer.select(exp.alias_(exp.Max(this=exp.column(col)), top_column(check, 1), copy=False), copy=False)
        for rank in (2, 3):
            nth: exp.Expression
            if listed:
                top3 = exp.Anonymous(this="MAX", expressions=[exp.column(col), exp.Literal.number(3)])
                nth = exp.Anonymous(this="LIST_EXTRACT", expressions=[top3, exp.Literal.number(rank)])
            else:
                nth = exp.Max(this=exp.If(
                    this=exp.EQ(this=exp.column(f"r_{check}"), expression=exp.Literal.number(rank)),
                    true=exp.column(col), false=exp.Null()))
            outer = outer.select(exp.alias_(nth, top_column(check, rank), copy=False), copy=False)
    return outer


def _factors(slots: list[int]) -> exp.Select:
    """One row per organization with its noise factor of each slot asked for (``f<slot>``).
    Built from nodes, not parsed from text: this runs for every pooled query compiled."""
    table = exp.Table(this=exp.to_identifier("org_noise"))
    select = exp.Select(expressions=[exp.column("org_id")]).from_(table, copy=False)
    for slot in slots:
        pick = exp.Max(this=exp.If(this=exp.EQ(this=exp.column("slot"), expression=exp.Literal.number(slot)),
                                   true=exp.column("factor"), false=exp.Null()))
        select = select.select(exp.alias_(pick, f"f{slot}", copy=False), copy=False)
    return select.group_by(exp.column("org_id"), copy=False)


def _redraw(raw_key: exp.Expression) -> exp.Expression:
    """A second draw from a cell key, decorrelated from the first (the draw of ``_sum_noise``)."""
    key = exp.Mod(this=exp.Cast(this=raw_key, to=_bigint()), expression=exp.Literal.number(256))
    return exp.Paren(this=exp.Mod(this=exp.Paren(this=exp.Add(
        this=exp.Mul(this=key, expression=exp.Literal.number(167)), expression=exp.Literal.number(89))),
        expression=exp.Literal.number(256)))


def _organization_column(compiled: CompiledQuery) -> str:
    """The hidden per-organization column the pooled query groups by."""
    for col in compiled.dimension_columns:  # hidden, or also asked for (a benchmark of OWN by organization)
        if col == "d_organization":
            return col
    raise QueryError("a pooled query needs the hidden breakdown by organization",
                     hint="This is a bug in CID Graph; please report it.", code="INTERNAL")


def _bigint() -> exp.DataType:
    # Built, not parsed: DataType.build("bigint") parses its text on every call.
    return exp.DataType.build(exp.DataType.Type.BIGINT)


def _key(raw_key: exp.Expression) -> exp.Expression:
    """The first draw of a cell key: its raw sum mod 256 (P4)."""
    return exp.Paren(this=exp.Mod(this=exp.Cast(this=raw_key, to=_bigint()), expression=exp.Literal.number(256)))


def _rounded(value: exp.Expression, raw_key: exp.Expression, base: int) -> exp.Expression:
    """``value`` rounded to a multiple of ``base``, up when key/256 < rest/base (unbiased, P4)."""
    return _rounded_drawn(exp.Cast(this=exp.Round(this=value), to=_bigint()), _key(raw_key), base)


def _rounded_drawn(v: exp.Expression, key: exp.Expression, base: int) -> exp.Expression:
    """The integer ``v`` rounded to a multiple of ``base`` with the draw ``key`` in 0..255."""
    rest = exp.Mod(this=v.copy(), expression=exp.Literal.number(base))
    up = exp.LT(this=exp.Mul(this=key, expression=exp.Literal.number(base)),
                expression=exp.Mul(this=rest.copy(), expression=exp.Literal.number(256)))
    down = exp.Sub(this=v.copy(), expression=rest.copy())
    return exp.Case(ifs=[exp.If(this=exp.EQ(this=rest.copy(), expression=exp.Literal.number(0)), true=v.copy()),
                         exp.If(this=up, true=exp.Add(this=down.copy(), expression=exp.Literal.number(base)))],
                    default=down)


def _sum_noise(raw_key: exp.Expression, largest: exp.Expression) -> exp.Expression:
    """Zero-mean noise in ±|largest| drawn from the key (the draw of ``perturb.perturb_sum``)."""
    def p(e: exp.Expression) -> exp.Expression:
        return exp.Paren(this=e)

    key = p(exp.Mod(this=exp.Cast(this=raw_key, to=_bigint()), expression=exp.Literal.number(256)))
    draw = p(exp.Mod(this=p(exp.Add(this=exp.Mul(this=key, expression=exp.Literal.number(167)),
                                    expression=exp.Literal.number(89))),
                     expression=exp.Literal.number(256)))
    u = p(exp.Sub(this=exp.Div(this=p(exp.Add(this=draw, expression=exp.Literal.number(0.5))),
                               expression=exp.Literal.number(256.0)),
                  expression=exp.Literal.number(0.5)))
    return p(exp.Mul(this=exp.Mul(this=exp.Literal.number(2), expression=u),
                     expression=exp.Abs(this=exp.Coalesce(this=largest, expressions=[exp.Literal.number(0)]))))
