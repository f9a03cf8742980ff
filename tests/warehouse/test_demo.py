"""The demo generator writes contract files whose known facts hold (checked with DuckDB)."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from warehouse.demo import SIZES, DemoFiles, generate
from warehouse.demo.output import IDENTIFIER_COLUMNS, ORGANIZATION_COLUMNS, TRANSACTION_COLUMNS

# The contract's CSV dialect, stated as the ingest states it (no sniffing).
CSV = "header=true, delim=',', quote='\"', escape='\"', all_varchar=true"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoFiles, float]:
    started = time.perf_counter()
    files = generate(tmp_path_factory.mktemp("demo"), size="small", seed=42)
    return files, time.perf_counter() - started


@pytest.fixture(scope="module")
def con(small: tuple[DemoFiles, float]) -> duckdb.DuckDBPyConnection:
    files, _ = small
    c = duckdb.connect()
    c.execute(f"CREATE TABLE o AS SELECT * FROM read_csv(?, {CSV})", [str(files.organizations)])
    c.execute(f"CREATE TABLE t AS SELECT * FROM read_csv(?, {CSV}, filename=true)",
              [[str(p) for p in files.transactions]])
    return c


def _bytes(files: DemoFiles) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in [files.organizations, *files.transactions]}


def test_same_seed_writes_identical_bytes(small: tuple[DemoFiles, float], tmp_path: Path) -> None:
    again = generate(tmp_path, size="small", seed=42)
    assert _bytes(again) == _bytes(small[0])
    assert again.expected == small[0].expected


def test_another_seed_writes_other_data(small: tuple[DemoFiles, float], tmp_path: Path) -> None:
    other = generate(tmp_path, size="small", seed=7)
    assert _bytes(other) != _bytes(small[0])


def test_small_is_small_and_fast(small: tuple[DemoFiles, float]) -> None:
    files, seconds = small
    e = files.expected
    assert seconds < 10
    assert 30_000 <= e["buyers"] <= 60_000
    assert e["organizations"] == SIZES["small"].organizations
    assert set(e["organizations_by_country"]) == {"NO", "SE", "DK", "FI", "IS"}
    assert len(e["organizations_by_type"]) == 7
    assert max(e["organizations_by_country"], key=e["organizations_by_country"].get) == "NO"
    assert len(files.transactions) >= 3


def test_contract_columns_have_their_exact_names(small: tuple[DemoFiles, float]) -> None:
    files, _ = small
    header = files.organizations.read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(ORGANIZATION_COLUMNS)
    for path in files.transactions:
        with path.open(encoding="utf-8") as fh:
            header = fh.readline().strip()
        assert header.split(",") == [*TRANSACTION_COLUMNS, *IDENTIFIER_COLUMNS]


def test_every_org_id_exists_except_the_deliberate_ones(
        small: tuple[DemoFiles, float], con: duckdb.DuckDBPyConnection) -> None:
    unknown = con.execute(
        "SELECT DISTINCT org_id, transaction_id FROM t "
        "WHERE org_id NOT IN (SELECT org_id FROM o) ORDER BY ALL").fetchall()
    assert sorted(map(tuple, small[0].expected["bad_row_keys"]["unknown_org_id"])) == unknown


def test_row_counts_match_expected(small: tuple[DemoFiles, float],
                                   con: duckdb.DuckDBPyConnection) -> None:
    e = small[0].expected
    assert con.execute("SELECT count(*) FROM o").fetchone() == (e["organizations"],)
    assert con.execute("SELECT count(*) FROM o WHERE region IS NULL").fetchone() == (
        e["organizations_without_region"],)
    per_file = dict(con.execute(
        "SELECT parse_filename(filename), count(*) FROM t GROUP BY 1").fetchall())
    assert per_file == e["rows_per_file"]
    assert sum(per_file.values()) == e["transactions_written"]
    assert e["transactions_written"] == (
        e["clean_transactions"] + e["exact_duplicates"] + e["bad_rows_total"])
    # Exact duplicates: repeated rows; everything else is distinct.
    total, distinct = con.execute(
        "SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT * EXCLUDE (filename) FROM t)) "
        "FROM t").fetchone()
    assert total - distinct == e["exact_duplicates"]
    assert 0.002 <= e["exact_duplicates"] / e["clean_transactions"] <= 0.004


def test_bad_rows_are_where_expected_says(small: tuple[DemoFiles, float],
                                          con: duckdb.DuckDBPyConnection) -> None:
    keys = small[0].expected["bad_row_keys"]
    assert {k: len(v) for k, v in keys.items()} == small[0].expected["bad_rows"]

    def rows(kind: str) -> list[tuple[str, ...]]:
        return [con.execute("SELECT DISTINCT purchased_at, tickets, amount FROM t "
                            "WHERE org_id = ? AND transaction_id = ?", k).fetchall()
                for k in keys[kind]]

    for found in rows("unparseable_date"):
        assert len(found) == 1
        assert con.execute("SELECT try_cast(? AS TIMESTAMPTZ)", [found[0][0]]).fetchone() == (None,)
    for found in rows("non_integer_tickets"):
        assert len(found) == 1 and not found[0][1].lstrip("-").isdigit()
    for found in rows("conflicting_duplicate"):
        assert len(found) == 2 and found[0][1] == found[1][1] and found[0][2] != found[1][2]


def test_buyers_match_an_oracle_query(small: tuple[DemoFiles, float],
                                      con: duckdb.DuckDBPyConnection) -> None:
    """Buyers as the contract defines them, counted straight from the files."""
    e = small[0].expected
    bad = [k for kind, ks in e["bad_row_keys"].items() if kind != "conflicting_duplicate"
           for k in ks]
    con.execute("CREATE OR REPLACE TEMP TABLE bad (org_id VARCHAR, transaction_id VARCHAR)")
    con.executemany("INSERT INTO bad VALUES (?, ?)", bad)
    buyers, tickets, events, anonymous = con.execute("""
        WITH txn AS (  -- de-duplicated on (org_id, transaction_id); a conflict differs in amount only
            SELECT org_id, transaction_id, any_value(event_id) AS event_id,
                   any_value(customer_id) AS customer_id, any_value(tickets)::INTEGER AS tickets
            FROM t ANTI JOIN bad USING (org_id, transaction_id)
            GROUP BY ALL
        ), per_buyer AS (
            SELECT org_id, event_id, coalesce(customer_id, 'txn:' || transaction_id) AS buyer,
                   sum(tickets) AS tickets
            FROM txn GROUP BY ALL
        )
        SELECT count(*) FILTER (WHERE tickets > 0), sum(tickets) FILTER (WHERE tickets > 0),
               (SELECT count(DISTINCT (org_id, event_id)) FROM txn),
               (SELECT count(*) FROM txn WHERE customer_id IS NULL)
        FROM per_buyer""").fetchone()
    assert buyers == e["buyers"]
    assert tickets == e["buyer_tickets"]
    assert events == e["events"]
    assert anonymous == e["empty_customer_id_rows"]
    assert 0.03 <= anonymous / e["clean_transactions"] <= 0.07


def test_messy_but_plausible_values(con: duckdb.DuckDBPyConnection) -> None:
    genders = {g for (g,) in con.execute("SELECT DISTINCT gender FROM t").fetchall()}
    assert {"M", "F", "K", "male", "female", None} <= genders
    assert con.execute("SELECT count(*) FROM t WHERE postal_code LIKE '___ __'").fetchone()[0] > 0
    shares = con.execute("""
        SELECT avg((event_type IS NOT NULL)::INT),
               avg((purchased_at LIKE '%+0_:00' OR purchased_at LIKE '%Z')::INT),
               avg((try_cast(tickets AS INTEGER) < 0)::INT)
        FROM t""").fetchone()
    assert 0.4 <= shares[0] <= 0.95
    assert 0.2 <= shares[1] <= 0.9
    assert 0.005 <= shares[2] <= 0.05
    # Opera buyers are older than football buyers.
    opera, football = (con.execute(
        "SELECT avg(2025 - birth_year::INT) FROM t WHERE event_category = ?", [c]).fetchone()[0]
        for c in ("opera", "football"))
    assert opera - football > 10


def test_local_spellings_are_known_to_the_ingest() -> None:
    vocab = pytest.importorskip("warehouse.ingest.vocab")
    from warehouse.demo.kinds import CATEGORY_SPELLINGS, EVENT_TYPE_SPELLINGS, ORG_TYPE_SPELLINGS
    from warehouse.demo.output import GENDER_CODES

    for table, spellings in ((vocab.ORG_TYPE, ORG_TYPE_SPELLINGS),
                             (vocab.EVENT_TYPE, EVENT_TYPE_SPELLINGS),
                             (vocab.EVENT_CATEGORY, CATEGORY_SPELLINGS)):
        for code, by_country in spellings.items():
            for word in by_country.values():
                assert table.get(word.lower()) == code, word
    for style in GENDER_CODES.values():
        for male, female in style.values():
            assert (vocab.GENDER[male.lower()], vocab.GENDER[female.lower()]) == ("male", "female")


def test_parquet_has_the_same_rows(small: tuple[DemoFiles, float], tmp_path: Path) -> None:
    files = generate(tmp_path, size="small", seed=42, fmt="parquet")
    assert files.expected["rows_per_file"] == {
        k.replace(".csv", ".parquet"): v for k, v in small[0].expected["rows_per_file"].items()}
    table = pq.read_table(files.transactions[0])
    assert table.column_names == [*TRANSACTION_COLUMNS, *IDENTIFIER_COLUMNS]
    assert pq.read_table(files.organizations).num_rows == files.expected["organizations"]


def test_unknown_size_or_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="size"):
        generate(tmp_path, size="huge")
    with pytest.raises(ValueError, match="format"):
        generate(tmp_path, fmt="xlsx")
