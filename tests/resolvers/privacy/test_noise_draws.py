"""The SQL that pools organizations (resolvers/privacy/pooled.py) and the Python that protects
cells (resolvers/privacy/perturb.py) draw the same noise from the same key: every key 0-255, run
in DuckDB, against the Python functions. A drift would make pooled cells and own cells disagree
about what P4 promises (unbiased rounding, noise within ± the largest contribution)."""

from __future__ import annotations

import duckdb
import pytest
from sqlglot import exp

from resolvers.privacy.perturb import perturb_count, perturb_sum
from resolvers.privacy.pooled import _redraw, _rounded, _sum_noise

KEYS = range(256)


def _sql(expression: exp.Expression) -> str:
    return expression.sql(dialect="duckdb")


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("CREATE TABLE t AS SELECT k AS key, v AS value FROM range(256) r(k), range(10, 40) s(v)")
    return c


def test_sql_rounding_is_the_python_rounding(con: duckdb.DuckDBPyConnection) -> None:
    rounded = _rounded(exp.column("value"), exp.column("key"), 5)
    rows = con.execute(f"SELECT key, value, {_sql(rounded)} FROM t").fetchall()
    assert len(rows) == 256 * 30
    for key, value, got in rows:
        assert got == perturb_count(value, key, k=0, base=5), (key, value)


def test_sql_sum_noise_is_the_python_sum_noise(con: duckdb.DuckDBPyConnection) -> None:
    noise = _sum_noise(exp.column("key"), exp.column("value"))
    rows = con.execute(f"SELECT key, value, 1000 + {_sql(noise)} FROM t").fetchall()
    for key, value, got in rows:
        assert got == pytest.approx(perturb_sum(1000, key, value, decimals=9), abs=1e-9), (key, value)


def test_the_second_draw_is_a_permutation_of_the_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Events round by a second draw from the buyers' key: every key maps to one other key, so
    the rounding stays unbiased over uniformly spread keys."""
    drawn = [r[0] for r in con.execute(f"SELECT {_sql(_redraw(exp.column('key')))} FROM range(256) r(key)").fetchall()]
    assert sorted(drawn) == list(KEYS)
    assert drawn != list(KEYS)


@pytest.mark.parametrize("value", [11, 23, 37])
def test_sql_rounding_is_unbiased_over_the_keys(con: duckdb.DuckDBPyConnection, value: int) -> None:
    rounded = _rounded(exp.Literal.number(value), exp.column("key"), 5)
    mean = con.execute(f"SELECT avg({_sql(rounded)}) FROM range(256) r(key)").fetchone()[0]  # type: ignore[index]
    assert abs(mean - value) < 5 / 256 * 2
