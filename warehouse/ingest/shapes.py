"""The shape of a ticketing system's export, as a profile declares it, and its normalization.

A profile (see ``warehouse/ingest/profiles/``) says, besides the column mapping: the file format
(CSV with its delimiter, quote, decimal separator and encoding; JSON lines whose columns may be
nested paths such as ``buyer.birth_year``; Parquet; an Excel ``.xlsx`` sheet, read by
:mod:`warehouse.ingest.xlsx`), the date-time format and its time zone,
value mappings (``K`` -> ``female``), the row grain (one row per ticket, summed per purchase by a
declared key, or one row per purchase), how refunds appear (negative amounts, or a marker column)
and which personal columns are dropped at the door (never read).

Every file is staged as text with its physical line numbers first; :func:`normalize` then
rewrites the staged rows of that file into the contract's shape with DuckDB SQL, so validation
and rejects work as for a canonical file. Profile mistakes are reported with ``file:line``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from cid_graph.errors import InputFileError

FORMATS = ("csv", "jsonl", "parquet", "xlsx")
FORMAT_KEYS = ("type", "delimiter", "quote", "decimal", "encoding", "sheet", "header_row")
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "latin-1": "latin-1", "latin1": "latin-1",
             "iso-8859-1": "latin-1", "utf-16": "utf-16"}
DATE_COLUMNS = ("event_start", "purchased_at")
VALUE_COLUMNS = ("gender", "currency", "event_type", "event_category", "buyer_country")
TOP_KEYS = ("name", "description", "format", "columns", "dates", "values", "grain", "refunds", "drop")
# strptime directives DuckDB understands that a date-time format needs.
_DATE_DIRECTIVES = re.compile(r"%[dmYyHMSbBIpfzZjeT-]")


@dataclass(frozen=True)
class Shape:
    """Everything a profile declares besides the column mapping (defaults: the canonical CSV)."""

    format: str = "csv"
    delimiter: str = ","
    quote: str = '"'
    decimal: str = "."
    encoding: str = "utf-8"
    sheet: str | int | None = None  # xlsx: a sheet's name, or its position (1 = first); None: the first
    header_row: int = 1  # xlsx: the row holding the column names (rows above it are titles)
    date_format: str | None = None  # strptime format; None: ISO 8601
    timezone: str | None = None  # None: local time of the organization's country (the contract)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    grain: str = "purchase"  # purchase | ticket
    purchase_key: str | None = None  # source column that groups ticket rows into a purchase
    refund_column: str | None = None  # source column marking refund rows (else: negative amounts)
    refund_values: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    lines: dict[str, int] = field(default_factory=dict)  # dotted YAML key -> line

    @property
    def is_canonical(self) -> bool:
        return self == Shape(lines=self.lines)

    def extra_sources(self) -> dict[str, str]:
        """Source columns the normalization needs besides the mapped contract columns."""
        out = {}
        if self.grain == "ticket" and self.purchase_key:
            out["_purchase_key"] = self.purchase_key
        if self.refund_column:
            out["_refund_marker"] = self.refund_column
        return out


def key_lines(root: object, prefix: str = "") -> dict[str, int]:
    """Line (1-based) of every mapping key in a composed YAML document, by dotted path."""
    import yaml

    out: dict[str, int] = {}
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            path = f"{prefix}{key.value}"
            out[path] = key.start_mark.line + 1
            out.update(key_lines(value, path + "."))
    return out


def parse_shape(doc: dict[str, Any], lines: dict[str, int], path: str,
                contract_columns: Sequence[str]) -> tuple[Shape, list[str]]:
    """The shape a profile declares and every problem in it as ``path:line: message``."""
    issues: list[str] = []

    def bad(key: str, message: str) -> None:
        line = lines.get(key) or lines.get(key.rsplit(".", 1)[0]) or 1
        issues.append(f"{path}:{line}: {message}")

    for key in doc:
        if str(key) not in TOP_KEYS:
            bad(str(key), f"unknown key {key!r} (known: {', '.join(TOP_KEYS)})")
    kw: dict[str, Any] = {}
    fmt = doc.get("format") or {}
    if isinstance(fmt, str):
        fmt = {"type": fmt}
    if not isinstance(fmt, dict):
        bad("format", "format must be a mapping such as {type: csv, delimiter: ';'}")
        fmt = {}
    ftype = str(fmt.get("type", "csv")).lower()
    if ftype == "excel":
        ftype = "xlsx"
    if ftype == "xls":
        bad("format.type", "the old binary Excel format (.xls) cannot be read; save the workbook as .xlsx "
                           "and use type: xlsx")
    elif ftype not in FORMATS:
        bad("format.type", f"unknown format type {ftype!r} (use one of {', '.join(FORMATS)})")
    else:
        kw["format"] = ftype
    for key in fmt:
        if key not in FORMAT_KEYS:
            bad(f"format.{key}", f"unknown format key {key!r} (known: {', '.join(FORMAT_KEYS)})")
        elif key in ("sheet", "header_row") and ftype != "xlsx":
            bad(f"format.{key}", f"format.{key} applies to type: xlsx only")
        elif key in ("delimiter", "quote", "encoding") and ftype == "xlsx":
            bad(f"format.{key}", f"format.{key} does not apply to a workbook (type: xlsx)")
    sheet = fmt.get("sheet")
    if isinstance(sheet, bool) or isinstance(sheet, int) and sheet < 1:
        bad("format.sheet", f"format.sheet is a sheet's name or its position from 1, not {sheet!r}")
    elif sheet is not None:
        kw["sheet"] = sheet if isinstance(sheet, int) else str(sheet)
    header_row = fmt.get("header_row", 1)
    if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
        bad("format.header_row", f"format.header_row is a row number from 1, not {header_row!r}")
    else:
        kw["header_row"] = header_row
    for key, default in (("delimiter", ","), ("quote", '"'), ("decimal", ".")):
        value = str(fmt.get(key, default))
        if key == "delimiter" and value in ("\\t", "tab"):
            value = "\t"
        if len(value) != 1:
            bad(f"format.{key}", f"{key} must be one character, not {value!r}")
        elif key == "decimal" and value not in ".,":
            bad("format.decimal", f"decimal must be '.' or ',', not {value!r}")
        else:
            kw[key] = value
    if kw.get("delimiter") and kw.get("delimiter") == kw.get("quote"):
        bad("format.quote", "the quote and the delimiter must differ")
    if kw.get("decimal") == "," and kw.get("delimiter") == "," and ftype != "xlsx":
        bad("format.decimal", "a decimal comma needs another delimiter (e.g. ';')")
    enc = str(fmt.get("encoding", "utf-8")).lower()
    if enc not in ENCODINGS:
        bad("format.encoding", f"unknown encoding {enc!r} (use utf-8, latin-1 or utf-16)")
    else:
        kw["encoding"] = ENCODINGS[enc]

    dates = doc.get("dates") or {}
    if not isinstance(dates, dict):
        bad("dates", "dates must be a mapping such as {format: '%d.%m.%Y %H:%M', timezone: Europe/Oslo}")
        dates = {}
    for key in dates:
        if key not in ("format", "timezone"):
            bad(f"dates.{key}", f"unknown dates key {key!r} (known: format, timezone)")
    if dates.get("format") not in (None, "iso"):
        dfmt = str(dates["format"])
        if not _DATE_DIRECTIVES.search(dfmt) or "%d" not in dfmt and "%j" not in dfmt and "%e" not in dfmt:
            bad("dates.format", f"date format {dfmt!r} is not a strptime format with a day, e.g. '%d.%m.%Y %H:%M'")
        else:
            kw["date_format"] = dfmt
    if dates.get("timezone") not in (None, "organization"):
        import zoneinfo

        tz = str(dates["timezone"])
        if tz not in zoneinfo.available_timezones():
            bad("dates.timezone", f"unknown time zone {tz!r} (an IANA name such as Europe/Oslo, or 'organization')")
        else:
            kw["timezone"] = tz

    values = doc.get("values") or {}
    if not isinstance(values, dict):
        bad("values", "values must map a contract column to {source value: contract value}")
        values = {}
    vmaps: dict[str, dict[str, str]] = {}
    for column, mapping in values.items():
        if column not in VALUE_COLUMNS:
            bad(f"values.{column}", f"values can map {', '.join(VALUE_COLUMNS)}, not {column!r}")
        elif not isinstance(mapping, dict) or not mapping:
            bad(f"values.{column}", f"values.{column} must map source values to contract values")
        else:
            vmaps[str(column)] = {str(k): str(v) for k, v in mapping.items()}
    kw["values"] = vmaps

    grain = doc.get("grain") or {}
    if isinstance(grain, str):
        grain = {"per": grain}
    if not isinstance(grain, dict):
        bad("grain", "grain must be {per: ticket, purchase_key: COLUMN} or {per: purchase}")
        grain = {}
    per = str(grain.get("per", "purchase"))
    if per not in ("purchase", "ticket"):
        bad("grain.per", f"grain.per must be 'ticket' or 'purchase', not {per!r}")
    kw["grain"] = per
    if per == "ticket":
        if not grain.get("purchase_key"):
            bad("grain", "a per-ticket profile must declare grain.purchase_key, the column that groups "
                         "ticket rows into one purchase")
        else:
            kw["purchase_key"] = str(grain["purchase_key"])

    refunds = doc.get("refunds") or "negative_amounts"
    if isinstance(refunds, dict):
        if not refunds.get("marker_column") or not refunds.get("marker_values"):
            bad("refunds", "refunds needs marker_column and marker_values (or the word negative_amounts)")
        else:
            kw["refund_column"] = str(refunds["marker_column"])
            mv = refunds["marker_values"]
            kw["refund_values"] = tuple(str(v) for v in (mv if isinstance(mv, list) else [mv]))
    elif refunds != "negative_amounts":
        bad("refunds", f"refunds must be negative_amounts or {{marker_column, marker_values}}, not {refunds!r}")

    drop = doc.get("drop") or []
    if not isinstance(drop, list):
        bad("drop", "drop must be a list of source column names")
        drop = []
    kw["drop"] = tuple(str(d) for d in drop)
    columns = {str(k): str(v) for k, v in (doc.get("columns") or {}).items()}
    for contract, source in columns.items():
        if source in kw["drop"] or source.lower() in {d.lower() for d in kw["drop"]}:
            bad(f"columns.{contract}", f"{contract} is mapped to {source!r}, which the profile drops as personal")
    del contract_columns
    return Shape(**kw, lines=lines), issues


def where(shape: Shape, path: str | None, key: str, name: str) -> str:
    """``profile NAME (path:line) key`` for a hint."""
    line = shape.lines.get(key) or shape.lines.get(key.split(".", 1)[0]) or 1
    return f"profile {name} ({path}:{line}) {key}"


# --------------------------------------------------------------------------- reading


def csv_header(path: Path, shape: Shape) -> list[str] | None:
    """The header of a CSV in the shape's dialect, or None for a UTF-8 comma file (the default reader)."""
    if shape.delimiter == "," and shape.quote == '"' and shape.encoding == "utf-8":
        return None
    import csv
    import io

    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip():
        raise InputFileError(f"{path} is empty", hint="Export the file again with a header row.")
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    codec = {"utf-8": "utf-8-sig", "latin-1": "latin-1", "utf-16": "utf-16"}[shape.encoding]
    try:
        text = first.decode(codec)
    except UnicodeDecodeError:
        raise InputFileError(f"{path} is not valid {shape.encoding} (the header line)",
                             hint="Re-export the file in the encoding the profile names, or fix format.encoding.") from None
    return [h.strip() for h in next(csv.reader(io.StringIO(text), delimiter=shape.delimiter, quotechar=shape.quote))]


def jsonl_header(path: Path, sample: int = 200) -> list[str]:
    """Dotted paths of every scalar field in the first objects of a JSON-lines file."""
    seen: dict[str, None] = {}

    def walk(obj: Any, prefix: str) -> None:
        for key, value in obj.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                seen.setdefault(f"{prefix}{key}")

    n = 0
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputFileError(f"{path} line {line_no} is not JSON ({exc.msg})",
                                     hint="A JSON-lines file holds one JSON object per line.") from None
            if not isinstance(obj, dict):
                raise InputFileError(f"{path} line {line_no} is not a JSON object",
                                     hint="A JSON-lines file holds one JSON object per line.")
            walk(obj, "")
            n += 1
            if n >= sample:
                break
    if not n:
        raise InputFileError(f"{path} is empty", hint="Export at least one record.")
    return list(seen)


def jsonl_lines(path: Path) -> list[int]:
    with open(path, "rb") as fh:
        return [i for i, line in enumerate(fh, start=1) if line.strip()]


def json_path(source: str) -> str:
    return "$." + ".".join('"' + part.replace('"', '\\"') + '"' for part in source.split("."))


# --------------------------------------------------------------------------- normalizing


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def normalize(con: duckdb.DuckDBPyConnection, table: str, file_no: int, columns: Sequence[str],
              shape: Shape, name: str, path: str | None) -> None:
    """Rewrite the staged rows of file ``file_no`` into the contract's shape."""
    mine = f"_file_no = {int(file_no)} AND _parse_error IS NULL"
    sets: list[str] = []
    if shape.decimal == "," and "amount" in columns:
        sets.append("amount = CASE WHEN regexp_full_match(trim(amount), '[+-]?[0-9 .\u00a0]*[0-9](,[0-9]+)?') "
                    "THEN replace(regexp_replace(trim(amount), '[ .\u00a0]', '', 'g'), ',', '.') ELSE amount END")
    for column, mapping in shape.values.items():
        if column in columns:
            whens = " ".join(f"WHEN {_lit(k.strip().lower())} THEN {_lit(v)}" for k, v in mapping.items())
            sets.append(f'"{column}" = CASE lower(trim("{column}")) {whens} ELSE "{column}" END')
    if shape.date_format or shape.timezone:
        for column in DATE_COLUMNS:
            if column not in columns:
                continue
            _check_date_format(con, table, mine, column, shape, name, path)
            parsed = (f"try_strptime(trim({column}), {_lit(shape.date_format)})" if shape.date_format
                      else f"try_cast(trim({column}) AS TIMESTAMP)")
            if shape.timezone:
                text = (f"strftime(timezone('UTC', timezone({_lit(shape.timezone)}, {parsed})), "
                        "'%Y-%m-%dT%H:%M:%SZ')")
            else:
                text = f"strftime({parsed}, '%Y-%m-%dT%H:%M:%S')"
            sets.append(f"{column} = coalesce({text}, {column})")
    if shape.refund_column and "tickets" in columns:
        marks = ", ".join(_lit(v.strip().lower()) for v in shape.refund_values)
        is_refund = f"lower(trim(_refund_marker)) IN ({marks})"
        if shape.grain == "purchase":
            sets.append(f"tickets = CASE WHEN {is_refund} THEN '-' || ltrim(trim(tickets), '+-') ELSE tickets END")
        sets.append(f"amount = CASE WHEN {is_refund} AND nullif(trim(amount), '') IS NOT NULL "
                    "THEN '-' || ltrim(trim(amount), '+-') ELSE amount END")
    if sets:
        # Each assignment reads the row before the update, so amounts are fixed in two steps.
        for s in sets:
            con.execute(f"UPDATE {table} SET {s} WHERE {mine}")
    if shape.grain == "ticket" and "tickets" in columns:
        _collapse_tickets(con, table, file_no, columns, shape)


def _check_date_format(con: duckdb.DuckDBPyConnection, table: str, mine: str, column: str, shape: Shape,
                       name: str, path: str | None, first_rows: int = 20) -> None:
    """Refuse a file whose dates do not fit the profile's format as a whole: none of its first
    rows parse, or every value parses with day and month swapped while some do not parse as
    declared. The whole column is judged, not its first rows: a file whose first weeks have
    days of 12 or less parses both ways there, and would otherwise load those dates with day
    and month swapped and reject the rest row by row."""
    if not shape.date_format:
        return
    fmt = shape.date_format
    swapped = fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
    value = f"nullif(trim({column}), '')"
    fails = f"try_strptime({value}, {_lit(fmt)}) IS NULL"
    n, bad, bad_swapped, example = con.execute(  # type: ignore[misc]
        f"SELECT count({value}), count({value}) FILTER (WHERE {fails}), "
        f"count({value}) FILTER (WHERE try_strptime({value}, {_lit(swapped)}) IS NULL), "
        f"arg_min({value}, _line) FILTER (WHERE {value} IS NOT NULL AND {fails}) "
        f"FROM {table} WHERE {mine}").fetchone()
    if not bad or n < 3:
        return
    at = where(shape, path, "dates.format", name)
    if swapped != fmt and bad_swapped == 0:
        raise InputFileError(
            f"{column}: {example!r} does not parse as {fmt!r} but every one of its {n} values "
            f"parses as {swapped!r}: day and month are in the other order",
            hint=f"Check {at} says {fmt!r}; this file writes {swapped!r}.")
    head = [r[0] for r in con.execute(
        f"SELECT {fails} FROM {table} WHERE {mine} AND {value} IS NOT NULL "
        f"ORDER BY _line LIMIT {first_rows}").fetchall()]
    if len(head) >= 3 and all(head):
        raise InputFileError(
            f"{column} does not parse as {fmt!r} in any of its first {len(head)} rows (e.g. {example!r}), "
            "so the file does not fit the profile",
            hint=f"Check {at}: it says {fmt!r}.")


def _collapse_tickets(con: duckdb.DuckDBPyConnection, table: str, file_no: int, columns: Sequence[str],
                      shape: Shape) -> None:
    """One row per purchase: ticket rows grouped by the purchase key, tickets counted, amounts summed.

    A row without a purchase key stays as it is (its transaction id is then what the profile maps,
    usually empty, and validation rejects it). A purchase keeps the line of its first ticket.
    """
    sign = "1"
    if shape.refund_column:
        marks = ", ".join(_lit(v.strip().lower()) for v in shape.refund_values)
        sign = f"CASE WHEN lower(trim(_refund_marker)) IN ({marks}) THEN -1 ELSE 1 END"
    mapped_tickets = con.execute(
        f"SELECT count(*) FILTER (WHERE nullif(trim(tickets), '') IS NOT NULL) FROM {table} "
        f"WHERE _file_no = {int(file_no)}").fetchone()[0]  # type: ignore[index]
    per_row = (f"CASE WHEN regexp_full_match(trim(tickets), '[0-9]+') THEN {sign} * CAST(trim(tickets) AS BIGINT) END"
               if mapped_tickets else sign)
    keep = [c for c in columns if c not in ("transaction_id", "tickets", "amount")]
    firsts = ", ".join(f'arg_min("{c}", _line) AS "{c}"' for c in keep)
    extras = [c for c in shape.extra_sources() if c != "_purchase_key"]
    extra_sel = "".join(f", arg_min({c}, _line) AS {c}" for c in extras)
    all_cols = ", ".join(f'"{c}"' for c in columns)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _tickets AS
        SELECT trim(_purchase_key) AS transaction_id,
               CAST(sum({per_row}) AS VARCHAR) AS tickets,
               CASE WHEN count(nullif(trim(amount), '')) = 0 THEN NULL
                    WHEN bool_and(nullif(trim(amount), '') IS NULL
                                  OR regexp_full_match(trim(amount), '[+-]?[0-9]+([.,][0-9]+)?'))
                    THEN CAST(round(sum(CAST(replace(trim(amount), ',', '.') AS DECIMAL(18, 2))), 2) AS VARCHAR)
                    ELSE arg_min(amount, _line) END AS amount,
               {firsts}{extra_sel}, arg_min(_file, _line) AS _file, min(_line) AS _line
        FROM {table}
        WHERE _file_no = {int(file_no)} AND _parse_error IS NULL AND nullif(trim(_purchase_key), '') IS NOT NULL
        GROUP BY trim(_purchase_key), org_id
    """)
    cols_extra = "".join(f", {c}" for c in extras)
    con.execute(f"DELETE FROM {table} WHERE _file_no = {int(file_no)} AND _parse_error IS NULL "
                "AND nullif(trim(_purchase_key), '') IS NOT NULL")
    con.execute(f"""INSERT INTO {table} ({all_cols}{cols_extra}, _file, _line, _parse_error, _file_no)
        SELECT {all_cols}{cols_extra}, _file, _line, NULL, {int(file_no)} FROM _tickets""")
    con.execute("DROP TABLE _tickets")
