"""SQL fragments shared by the ingest steps: folding, timestamps, postal codes.

These are fixed texts over column names chosen by the code (never over input values, which are
always bound as parameters or read from staged tables).
"""

from __future__ import annotations

from warehouse.reference import COUNTRY_TIMEZONE


def fold(col: str) -> str:
    """SQL twin of :func:`warehouse.ingest.vocab.fold`."""
    return f"trim(regexp_replace(lower(trim({col})), '[-\\s/&]+', '_', 'g'), '_')"


def blank_to_null(col: str) -> str:
    return f"NULLIF(trim({col}), '')"


# A date-time that ends in an offset: 'Z', '+01', '+0100' or '+01:00' after a time of day.
OFFSET_RE = r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)$"


def timestamp_utc(col: str, tz_col: str) -> str:
    """Parse an ISO 8601 text as TIMESTAMPTZ; without an offset it is local time in ``tz_col``."""
    v = f"trim({col})"
    return (
        f"CASE WHEN regexp_matches({v}, '{OFFSET_RE}') THEN try_cast({v} AS TIMESTAMPTZ) "
        f"ELSE timezone({tz_col}, try_cast({v} AS TIMESTAMP)) END"
    )


def country_tz_case(country_col: str) -> str:
    whens = " ".join(f"WHEN '{c}' THEN '{tz}'" for c, tz in COUNTRY_TIMEZONE.items())
    return f"CASE {country_col} {whens} ELSE 'UTC' END"


def postal_norm(col: str, country_col: str) -> str:
    """Digits only, an optional country prefix (``SE-``, ``DK``) removed, leading zeros restored
    where spreadsheets drop them (NO and FI codes may start with 0)."""
    digits = f"regexp_replace(regexp_replace(upper(trim({col})), '^[A-Z]{{1,2}}[- ]?', ''), '[^0-9]', '', 'g')"
    return (
        f"CASE WHEN {col} IS NULL OR trim({col}) = '' THEN NULL "
        f"WHEN {country_col} = 'NO' AND length({digits}) = 3 THEN lpad({digits}, 4, '0') "
        f"WHEN {country_col} = 'FI' AND length({digits}) BETWEEN 3 AND 4 THEN lpad({digits}, 5, '0') "
        f"ELSE {digits} END"
    )
