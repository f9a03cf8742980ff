"""Checks of the warehouse's reference tables (``warehouse/reference``)."""

from __future__ import annotations

import csv
import doctest
import os
from collections import Counter
from pathlib import Path

import duckdb
import pytest

import warehouse.reference as reference
from warehouse.ddl import AREA_TYPES, EDUCATION_LEVELS, HOME_TYPES, PURCHASING_POWER
from warehouse.reference import (
    COUNTRY_CURRENCY,
    POSTAL_CODE_DIGITS,
    REFERENCE_DIR,
    build_area_indices,
    load_reference_tables,
)

REGION_COUNTS = {"NO": 15, "SE": 21, "DK": 5, "FI": 19, "IS": 8}
NO_FYLKER_2024 = {
    "NO-03", "NO-11", "NO-15", "NO-18", "NO-31", "NO-32", "NO-33", "NO-34", "NO-39",
    "NO-40", "NO-42", "NO-46", "NO-50", "NO-55", "NO-56",
}
YEARS = range(2015, 2027)


def _shared_reference() -> Path:
    env = os.environ.get("CID_GRAPH_SHARED_REFERENCE")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "reference"


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def regions() -> list[dict[str, str]]:
    return _read(REFERENCE_DIR / "regions.csv")


@pytest.fixture(scope="module")
def postal_codes() -> list[dict[str, str]]:
    return _read(REFERENCE_DIR / "postal_codes.csv")


@pytest.fixture(scope="module")
def area_indices() -> list[dict[str, str]]:
    return _read(REFERENCE_DIR / "area_indices_synthetic.csv")


@pytest.fixture(scope="module")
def shared() -> Path:
    path = _shared_reference()
    if not path.is_dir():
        pytest.skip(f"shared reference folder {path} is absent (set CID_GRAPH_SHARED_REFERENCE)")
    return path


def test_csv_headers() -> None:
    expected = {
        "regions.csv": "country,iso_3166_2,national_code,name,name_en,population",
        "postal_codes.csv": "country,postal_code,municipality_code,municipality_name,region",
        "area_indices_synthetic.csv":
            "country,postal_code,area_type,purchasing_power,education_level,home_type",
        "fx_rates.csv": "currency,valid_from,units_per_eur",
    }
    for name, header in expected.items():
        with open(REFERENCE_DIR / name, encoding="utf-8") as f:
            assert f.readline().rstrip("\n") == header, name


def test_region_counts_per_country(regions: list[dict[str, str]]) -> None:
    assert Counter(r["country"] for r in regions) == REGION_COUNTS
    assert len({r["iso_3166_2"] for r in regions}) == len(regions)
    assert {r["iso_3166_2"] for r in regions if r["country"] == "NO"} == NO_FYLKER_2024
    assert all(r["iso_3166_2"].startswith(r["country"] + "-") for r in regions)
    assert all(r["name"] and r["name_en"] for r in regions)


def test_postal_regions_exist(regions: list[dict[str, str]],
                              postal_codes: list[dict[str, str]]) -> None:
    known = {(r["country"], r["iso_3166_2"]) for r in regions}
    unknown = {(p["country"], p["region"]) for p in postal_codes} - known
    assert not unknown


def test_postal_codes_normalized(postal_codes: list[dict[str, str]]) -> None:
    bad = [p for p in postal_codes
           if not (p["postal_code"].isdigit()
                   and len(p["postal_code"]) == POSTAL_CODE_DIGITS[p["country"]])]
    assert not bad[:5]
    keys = [(p["country"], p["postal_code"]) for p in postal_codes]
    assert len(keys) == len(set(keys))
    assert set(Counter(p["country"] for p in postal_codes)) == set(REGION_COUNTS)


def test_area_indices_cover_every_postal_code(postal_codes: list[dict[str, str]],
                                              area_indices: list[dict[str, str]]) -> None:
    assert sorted((a["country"], a["postal_code"]) for a in area_indices) == sorted(
        (p["country"], p["postal_code"]) for p in postal_codes)


def test_area_indices_buckets(area_indices: list[dict[str, str]]) -> None:
    for column, allowed in (("area_type", AREA_TYPES), ("purchasing_power", PURCHASING_POWER),
                            ("education_level", EDUCATION_LEVELS), ("home_type", HOME_TYPES)):
        values = {a[column] for a in area_indices}
        assert values <= set(allowed) - {"unknown"}, column


def test_area_indices_are_reproducible(postal_codes: list[dict[str, str]],
                                       area_indices: list[dict[str, str]]) -> None:
    rebuilt = [build_area_indices.indices(p["country"], p["postal_code"], p["municipality_code"])
               for p in postal_codes]
    assert rebuilt == [tuple(a.values()) for a in area_indices]


def test_capitals_are_large_cities(area_indices: list[dict[str, str]]) -> None:
    by_key = {(a["country"], a["postal_code"]): a for a in area_indices}
    for key in (("NO", "0150"), ("SE", "11122"), ("DK", "1050"), ("FI", "00100"),
                ("IS", "101")):
        assert by_key[key]["area_type"] == "large_city", key


def test_fx_rates_cover_every_currency_and_year() -> None:
    rows = _read(REFERENCE_DIR / "fx_rates.csv")
    keys = {(r["currency"], r["valid_from"]) for r in rows}
    currencies = set(COUNTRY_CURRENCY.values()) | {"EUR"}
    assert keys == {(c, f"{y}-01-01") for c in currencies for y in YEARS}
    assert len(keys) == len(rows)
    assert all(float(r["units_per_eur"]) > 0 for r in rows)
    assert all(float(r["units_per_eur"]) == 1.0 for r in rows if r["currency"] == "EUR")


def test_load_reference_tables_types() -> None:
    con = duckdb.connect()
    load_reference_tables(con)
    types = dict(con.execute(
        "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
        "WHERE table_name LIKE 'ref_%'").fetchall())
    assert types["ref_regions.population"] == "BIGINT"
    assert types["ref_fx_rates.valid_from"] == "DATE"
    assert types["ref_fx_rates.units_per_eur"] == "DOUBLE"
    assert types["ref_postal_codes.postal_code"] == "VARCHAR"
    assert con.execute(
        "SELECT count(*) FROM ref_postal_codes WHERE country = 'NO' AND postal_code = '0001'"
    ).fetchone() == (1,)


@pytest.mark.parametrize("module", [reference, build_area_indices])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


def _agreement(ours: dict[str, str], theirs: dict[str, str]) -> tuple[int, float]:
    common = ours.keys() & theirs.keys()
    agree = sum(ours[k] == theirs[k] for k in common)
    return len(common), agree / len(common) if common else 0.0


def _ours(postal_codes: list[dict[str, str]], country: str, column: str) -> dict[str, str]:
    return {p["postal_code"]: p[column] for p in postal_codes if p["country"] == country}


def test_no_fylke_matches_shared(shared: Path, postal_codes: list[dict[str, str]]) -> None:
    theirs = {r["postnummer"]: f"NO-{r['fylkesnummer']}"
              for r in _read(shared / "no_postnummer_kommune_fylke.csv")}
    common, agreement = _agreement(_ours(postal_codes, "NO", "region"), theirs)
    assert common > 5000 and agreement >= 0.99


def test_is_region_and_municipality_match_shared(shared: Path,
                                                 postal_codes: list[dict[str, str]]) -> None:
    rows = _read(shared / "is_postnr_municipality_region.csv")
    common, agreement = _agreement(_ours(postal_codes, "IS", "region"),
                                   {r["postnr"]: r["iso_3166_2"] for r in rows})
    assert common > 150 and agreement >= 0.99
    ours = {k: str(int(v)) for k, v in _ours(postal_codes, "IS", "municipality_code").items()}
    _, agreement = _agreement(ours, {r["postnr"]: str(int(r["municipality_nr"])) for r in rows})
    assert agreement >= 0.99


def test_fi_region_and_municipality_match_shared(shared: Path, regions: list[dict[str, str]],
                                                 postal_codes: list[dict[str, str]]) -> None:
    by_name = {r["name"]: r["iso_3166_2"] for r in regions if r["country"] == "FI"}
    by_name["Helsinki-Uusimaa"] = by_name["Uusimaa"]
    rows = _read(shared / "fi_postinumero_kunta_maakunta.csv")
    common, agreement = _agreement(_ours(postal_codes, "FI", "region"),
                                   {r["postinumero"]: by_name[r["ad_area_fi"]] for r in rows})
    assert common > 4000 and agreement >= 0.99
    _, agreement = _agreement(_ours(postal_codes, "FI", "municipality_code"),
                              {r["postinumero"]: r["kunta_koodi"] for r in rows})
    assert agreement >= 0.99


@pytest.mark.parametrize("country,filename", [("SE", "se_postcode_region_countrystatecity.csv"),
                                              ("DK", "dk_postcode_region_countrystatecity.csv")])
def test_se_dk_region_matches_shared(shared: Path, postal_codes: list[dict[str, str]],
                                     country: str, filename: str) -> None:
    theirs = {r["postcode"].replace(" ", ""): r["iso_3166_2"]
              for r in _read(shared / filename) if r["iso_3166_2"]}
    common, agreement = _agreement(_ours(postal_codes, country, "region"), theirs)
    assert common > 1000 and agreement >= 0.99
