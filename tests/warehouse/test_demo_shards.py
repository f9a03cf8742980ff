"""The sharded demo (``xlarge``'s way of writing 100 M buyer rows): shards are distinct networks,
written reproducibly, and a load of all of them together gives the counts known by construction.

Run on a few tiny shards; the ``xlarge`` preset is ten ``large`` shards (bench/, BENCH_SIZE=xlarge).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.demo import SIZES
from warehouse.demo.shards import generate_shards
from warehouse.ingest import ingest
from warehouse.secret import load_or_create_secret
from warehouse.store import WarehouseStore

TINY = {"shards": 3, "organizations": 8, "buyers": 6_000, "events_scale": 0.04, "seed": 5, "fmt": "parquet"}


def _write(where: Path) -> tuple[Path, list[Path], dict]:
    where.mkdir(parents=True, exist_ok=True)
    return generate_shards(where, say=lambda _m: None, **TINY)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], dict]:
    return _write(tmp_path_factory.mktemp("shards"))


def test_xlarge_is_ten_large_networks() -> None:
    xl, large = SIZES["xlarge"], SIZES["large"]
    assert xl.shards == 10
    assert (xl.organizations, xl.buyers, xl.events_scale) == (large.organizations, large.buyers, large.events_scale)


def test_every_shard_is_its_own_network_with_its_own_organizations(tiny: tuple[Path, list[Path], dict]) -> None:
    orgs_file, files, expected = tiny
    con = duckdb.connect()
    orgs = con.execute("SELECT org_id FROM read_parquet(?)", [str(orgs_file)]).fetchall()
    ids = [r[0] for r in orgs]
    assert len(ids) == len(set(ids)) == TINY["shards"] * TINY["organizations"] == expected["organizations"]
    for tag in ("01", "02", "03"):
        assert sum(i.endswith(f"-{tag}") for i in ids) == TINY["organizations"]
        assert any(f.name.endswith(f"_part{tag}.parquet") for f in files)
    # Each shard's transactions are its own organizations' (bar the planted unknown org ids).
    per_part = con.execute(
        "SELECT regexp_extract(filename, '_part(\\d+)', 1) AS part, count(DISTINCT org_id) FILTER "
        "(WHERE regexp_extract(org_id, '-(\\d+)$', 1) <> part) FROM read_parquet(?, filename=true) "
        "WHERE org_id IN (SELECT org_id FROM read_parquet(?)) GROUP BY part ORDER BY part",
        [[str(f) for f in files], str(orgs_file)]).fetchall()
    assert per_part == [("01", 0), ("02", 0), ("03", 0)]
    # Different seeds per shard: the shards' sizes differ.
    sizes = con.execute("SELECT count(*) FROM read_parquet(?, filename=true) GROUP BY "
                        "regexp_extract(filename, '_part(\\d+)', 1)", [[str(f) for f in files]]).fetchall()
    assert len({s[0] for s in sizes}) == TINY["shards"]


def test_the_same_seed_writes_the_same_bytes(tiny: tuple[Path, list[Path], dict], tmp_path: Path) -> None:
    orgs_file, files, expected = tiny
    again_orgs, again_files, again_expected = _write(tmp_path / "again")
    assert again_orgs.read_bytes() == orgs_file.read_bytes()
    assert [f.read_bytes() for f in again_files] == [f.read_bytes() for f in files]
    assert again_expected == expected


def test_one_load_of_all_shards_gives_the_counts_known_by_construction(
        tiny: tuple[Path, list[Path], dict], tmp_path: Path) -> None:
    orgs_file, files, expected = tiny
    secret, _ = load_or_create_secret(tmp_path / "secret.key")
    result = ingest(WarehouseStore(tmp_path / "wh"), secret, [orgs_file], files)
    assert result.buyers == expected["buyers"]
    assert result.organizations == expected["organizations"]
    assert result.rows_rejected == expected["bad_rows_total"]
    assert result.duplicates == expected["exact_duplicates"]
