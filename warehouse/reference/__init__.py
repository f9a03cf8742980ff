"""Reference data of the warehouse: regions, population, postal codes, area indices, FX rates.

The tables are plain CSV files beside this module (their sources and licences are in
``SOURCES.md``); :func:`load_reference_tables` puts them into a DuckDB connection:

- ``ref_regions``: first-level regions of NO, SE, DK, FI and IS (ISO 3166-2, population).
- ``ref_population``: official population per region (``age_group = gender = 'all'``) with
  the year and source of every figure, plus per-region age group x gender rows that are
  SYNTHETIC (``source`` starts with ``SYNTHETIC:``) until an operator supplies licensed
  data; regions without a sourced figure have no rows (see ``build_population.py``).
- ``ref_postal_codes``: normalized postal code -> municipality -> region.
- ``ref_area_indices``: SYNTHETIC area type, purchasing power, education level and home type
  per postal code (demo only; an operator replaces the file with licensed data).
- ``ref_fx_rates``: units of each currency per euro, valid from the first day of each year.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

#: The folder holding the reference CSV files.
REFERENCE_DIR: Path = Path(__file__).resolve().parent

COUNTRY_TIMEZONE: dict[str, str] = {
    "NO": "Europe/Oslo",
    "SE": "Europe/Stockholm",
    "DK": "Europe/Copenhagen",
    "FI": "Europe/Helsinki",
    "IS": "Atlantic/Reykjavik",
}

COUNTRY_CURRENCY: dict[str, str] = {
    "NO": "NOK",
    "SE": "SEK",
    "DK": "DKK",
    "FI": "EUR",
    "IS": "ISK",
}

#: Digits of a normalized postal code (no spaces, leading zeros kept).
POSTAL_CODE_DIGITS: dict[str, int] = {"NO": 4, "SE": 5, "DK": 4, "FI": 5, "IS": 3}

#: Table name -> (CSV file, typed columns as ``column: SQL type``; the rest stay VARCHAR).
REFERENCE_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "ref_regions": ("regions.csv", {"population": "BIGINT"}),
    "ref_population": ("population.csv", {"population": "BIGINT", "year": "INTEGER"}),
    "ref_postal_codes": ("postal_codes.csv", {}),
    "ref_area_indices": ("area_indices_synthetic.csv", {}),
    "ref_fx_rates": ("fx_rates.csv", {"valid_from": "DATE", "units_per_eur": "DOUBLE"}),
}


def load_reference_tables(con: duckdb.DuckDBPyConnection, *, temp: bool = True) -> None:
    """Create (or replace) the ``ref_*`` tables in ``con`` from the CSV files.

    Every column is read as VARCHAR, so postal codes keep their leading zeros; only
    ``population`` (BIGINT), ``year`` (INTEGER), ``valid_from`` (DATE) and ``units_per_eur``
    (DOUBLE) are typed.

    Args:
        con: the connection to create the tables in.
        temp: create temporary tables (the default) rather than tables of the database.

    >>> con = duckdb.connect()
    >>> load_reference_tables(con)
    >>> con.execute(
    ...     "SELECT region FROM ref_postal_codes WHERE country = 'NO' AND postal_code = '0150'"
    ... ).fetchone()
    ('NO-03',)
    >>> con.execute(
    ...     "SELECT units_per_eur FROM ref_fx_rates WHERE currency = 'EUR' LIMIT 1"
    ... ).fetchone()
    (1.0,)
    """
    kind = "TEMP TABLE" if temp else "TABLE"
    for table, (filename, typed) in REFERENCE_TABLES.items():
        # Identifiers and types come from the constant table above; the path is bound.
        replace = ", ".join(f"CAST({column} AS {sql_type}) AS {column}"
                            for column, sql_type in typed.items())
        select = f"* REPLACE ({replace})" if replace else "*"
        con.execute(
            f"CREATE OR REPLACE {kind} {table} AS SELECT {select} "
            "FROM read_csv(?, header = true, all_varchar = true)",
            [str(REFERENCE_DIR / filename)],
        )
